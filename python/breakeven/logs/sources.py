"""Opening logs as DuckDB relations of records, one row per record, each with its
file and line (or row) number so that problems can be reported where they are.

DuckDB reads JSONL, CSV and Parquet, gzip and zstd included, in parallel and in
bounded memory; a PostgreSQL table is streamed into a CSV file with COPY first.

DuckDB never sees a name the user wrote: each file is handed to it as a link with a
generated name in the ingest's Workdir (see sql.py for why).
"""

from __future__ import annotations

import csv
import glob
import gzip
import json
import os
import shutil
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LogError, redact
from ..files import UnreadableFile, regular_file_size

# Files one ingest reads (``max_files``, ``--max-files``): DuckDB plans one scan per
# file, about 0.5 MB each, so 5,000 one-record files took 2.4 GB before any record.
MAX_FILES = 1000
# A longer line is a counted bad record, not read: DuckDB holds a line whole and
# drops, without a word, one longer than its buffer (16 x this, per thread), so the
# lines' lengths are measured here as the file streams by. DuckDB's default: 8 MB
# took 130 MB more peak memory on 1M records (555 vs 421 MiB).
MAX_LINE_BYTES = 2_000_000
# CSV columns (the header's fields): a 20,000-column CSV ran DuckDB's sniffer out of
# its memory limit. Log exports have a few dozen.
MAX_COLUMNS = 1000
_COMPRESSION = {".gz": "gzip", ".zst": "zstd"}
_SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}
_POSTGRES = ("postgresql://", "postgres://")


@dataclass
class Source:
    """One log file (or database table) as read."""

    name: str  # as the user named it
    path: str  # the file DuckDB reads
    kind: str  # "jsonl", "csv", "parquet", "json-document"
    compression: str = "none"
    unit: str = "line"  # what the numbers in messages count
    notes: list[str] = field(default_factory=list)
    # Lines over MAX_LINE_BYTES (1-based), or None where not measured (zstd):
    # DuckDB's own line-size rejects count there.
    long_lines: list[int] | None = None


class LineScan:
    """Lines longer than MAX_LINE_BYTES in a stream fed block by block (LF, CRLF or a
    lone CR ends a line, as DuckDB reads them). Blocks are far shorter than the
    bound, so only a line running across blocks can be long: per block this looks
    for the first and last line end only (a file without long lines costs one
    memchr pass); the long lines' numbers are counted afterwards, when there are any."""

    def __init__(self) -> None:
        self.offset = 0  # bytes fed so far
        self.line_start = 0  # where the current line starts
        self.long_starts: list[int] = []

    def feed(self, block: bytes) -> None:
        ends = (b"\n", b"\r") if b"\r" in block else (b"\n",)
        last = max(block.rfind(e) for e in ends)
        if last >= 0:
            first = min(i for i in (block.find(e) for e in ends) if i >= 0)
            if self.offset + first - self.line_start > MAX_LINE_BYTES:
                self.long_starts.append(self.line_start)
            self.line_start = self.offset + last + 1
        self.offset += len(block)

    def close(self) -> list[int]:
        """Byte offsets where the long lines start."""
        if self.offset - self.line_start > MAX_LINE_BYTES:
            self.long_starts.append(self.line_start)
        return self.long_starts


def line_numbers(blocks, starts: list[int]) -> list[int]:
    """1-based numbers of the lines starting at byte offsets ``starts`` (sorted) of
    the stream ``blocks``."""
    out, line, offset, after_cr = [], 1, 0, False
    pending = list(starts)
    for block in blocks:
        while pending and pending[0] < offset + len(block):
            head = block[:pending.pop(0) - offset]
            out.append(line + _breaks(head, after_cr))
        line += _breaks(block, after_cr)
        after_cr = block[-1:] == b"\r"
        offset += len(block)
    return out + [line] * len(pending)


def _breaks(data: bytes, after_cr: bool) -> int:
    n = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return n - 1 if after_cr and data[:1] == b"\n" else n


def _long_lines(opener, path: str, scan: LineScan) -> list[int]:
    starts = scan.close()
    if not starts:
        return []
    with opener(path, "rb") as f:
        return line_numbers(iter(lambda: f.read(1 << 20), b""), starts)

def expand(names: list[str], max_files: int = MAX_FILES) -> list[str]:
    """Files and globs, in order, each glob expanded once here (never again by
    DuckDB); a glob that matches nothing is an error, and so are more than
    ``max_files`` files, before any is opened."""
    out: list[str] = []
    for name in names:
        if name.startswith(_POSTGRES):
            out.append(name)
            continue
        matches = sorted(glob.glob(name)) if glob.has_magic(name) else [name]
        if not matches:
            raise LogError(name, "no file matches this pattern")
        out.extend(matches)
        if len(out) > max_files:
            raise LogError(name, f"more than {max_files:,} log files in one ingest (the "
                           "bound on files, --max-files or ingest(max_files=...), keeps "
                           "DuckDB's plan within memory); concatenate small files or raise it")
    return out


def kind_of(path: str) -> tuple[str, str]:
    """(kind, compression) from the file name, looking through .gz/.zst."""
    p = Path(path.lower())
    compression = _COMPRESSION.get(p.suffix, "none")
    if compression != "none":
        p = p.with_suffix("")
    if p.suffix == ".parquet":
        return "parquet", compression
    if p.suffix in (".csv", ".tsv"):
        return "csv", compression
    return "jsonl", compression


def open_source(name: str, workdir: str, index: int) -> Source:
    """Source ``index`` of an ingest: a regular file (or a PostgreSQL table),
    linked into ``workdir`` under a generated name that DuckDB reads."""
    if name.startswith(_POSTGRES):
        return _postgres_source(name, workdir)
    try:
        regular_file_size(name)
    except UnreadableFile as e:
        raise LogError(name, e.reason) from None
    kind, compression = kind_of(name)
    link = os.path.join(workdir, f"log-{index}{_SUFFIX[kind]}"
                        + {"gzip": ".gz", "zstd": ".zst"}.get(compression, ""))
    os.symlink(os.path.abspath(name), link)
    src = Source(name, link, kind, compression, unit="row" if kind != "jsonl" else "line")
    if kind == "csv":
        _check_columns(src)
    if compression == "gzip":
        _check_gzip(src, workdir)
    if kind == "jsonl" and _is_json_document(src):
        src.kind = "json-document"
    if src.kind == "jsonl" and src.compression == "none" and src.long_lines is None:
        scan = LineScan()
        with open(src.path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                scan.feed(block)
        src.long_lines = _long_lines(open, src.path, scan)
    return src


def _check_columns(src: Source) -> None:
    """Refuse a CSV whose header has more than MAX_COLUMNS fields, before DuckDB
    sniffs it."""
    if src.compression == "zstd":
        return
    opener = gzip.open if src.compression == "gzip" else open
    try:
        with opener(src.path, "rb") as f:
            header = f.readline(1 << 20)
    except (OSError, EOFError, zlib.error) as e:
        raise LogError(src.name, f"cannot read ({e})") from None
    # The first line, whichever line end the file uses (a CR-only file reads whole).
    line = header.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n", 1)[0]
    try:
        columns = len(next(csv.reader([line.decode("utf-8", "replace")]), []))
    except csv.Error:  # a field beyond csv's own limit: count the separators instead
        columns = line.count(b",") + 1
    if columns > MAX_COLUMNS:
        raise LogError(src.name, f"{columns:,} columns, more than {MAX_COLUMNS:,} (the bound "
                       "MAX_COLUMNS in breakeven/logs/sources.py): not a log export")


def _check_gzip(src: Source, workdir: str) -> None:
    """A truncated gzip file: keep the whole lines that decompress, say where it
    stops. A sound file is left to DuckDB."""
    if _gzip_is_whole(src):
        return
    out = os.path.join(workdir, "whole-" + Path(src.path).stem)  # whole-log-3.jsonl
    lines = 0
    tail = b""
    with open(src.path, "rb") as f, open(out, "wb") as g:
        d = zlib.decompressobj(wbits=31)
        for block in iter(lambda: f.read(1 << 20), b""):
            try:
                data = d.decompress(block)
            except zlib.error:
                break
            data = tail + data
            cut = data.rfind(b"\n") + 1
            g.write(data[:cut])
            lines += data.count(b"\n", 0, cut)
            tail = data[cut:]
            if d.eof:  # another gzip member may follow
                rest = d.unused_data
                d = zlib.decompressobj(wbits=31)
                if rest:
                    data = d.decompress(rest)
                    tail += data
    src.path, src.compression = out, "none"
    src.notes.append(
        f"truncated gzip: the stream ends early; the {lines:,} complete lines before "
        "the break were read"
    )


def _gzip_is_whole(src: Source) -> bool:
    """Whether the gzip stream ends properly; a whole one's long lines are measured
    on the way (a truncated one's are in the copy _check_gzip writes)."""
    scan = LineScan()
    try:
        with gzip.open(src.path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                scan.feed(block)
        if src.kind == "jsonl":
            src.long_lines = _long_lines(gzip.open, src.path, scan)
        return True
    except EOFError:
        return False
    except (OSError, zlib.error) as e:
        raise LogError(src.name, f"not a readable gzip file ({e})") from None


def _is_json_document(src: Source) -> bool:
    """A JSON document (one object or array, e.g. a usage API page) rather than one
    record per line: an array, a pretty-printed object (``{`` alone on its first
    line), a usage page on one line, or a first line that does not parse and runs
    past what we read. A JSONL
    file whose first record is broken stays JSONL (the record is counted)."""
    if src.compression == "zstd":
        return False
    opener = gzip.open if src.compression == "gzip" else open
    try:
        with opener(src.path, "rb") as f:
            head = f.read(1 << 16).lstrip()
    except OSError as e:
        raise LogError(src.name, f"cannot read ({e})") from None
    if head[:1] == b"[":
        return True
    if head[:1] != b"{":
        return False
    line, newline, _ = head.partition(b"\n")
    try:
        first = json.loads(line)
    except (ValueError, RecursionError):
        return line.strip() == b"{" or not newline
    # A usage API page as curl saves it: one compact object on one line.
    return isinstance(first, dict) and isinstance(first.get("data"), list) and "object" in first


def _postgres_source(url: str, workdir: str) -> Source:
    """The LiteLLM_SpendLogs table of a proxy's database, streamed to CSV with COPY
    (bounded memory; the file is read like any export)."""
    try:
        import psycopg
    except ImportError:  # an install without the postgres extra
        raise LogError(redact(url), "reading PostgreSQL needs psycopg: "
                       "pip install 'breakeven[postgres]'") from None
    from psycopg import sql

    url, _, table = url.partition("#")
    # ``#schema.table`` or ``#table``: identifiers, quoted by psycopg, never SQL.
    table_name = sql.Identifier(*(table.split(".") if table else ["LiteLLM_SpendLogs"]))
    shown = redact(url)
    out = os.path.join(workdir, "postgres.csv")
    try:
        with psycopg.connect(url, connect_timeout=10) as conn, conn.cursor() as cur:
            copy_sql = sql.SQL("COPY (SELECT * FROM {}) TO STDOUT WITH (FORMAT csv, "
                               "HEADER true)").format(table_name)
            with open(out, "wb") as f, cur.copy(copy_sql) as copy:
                for block in copy:
                    f.write(block)
    except psycopg.Error as e:
        raise LogError(shown, redact(str(e).strip().splitlines()[0])) from None
    return Source(f"{shown} {table or 'LiteLLM_SpendLogs'}", out, "csv", unit="row")


class Workdir:
    """A temporary folder for decompressed or copied inputs, removed at the end."""

    def __enter__(self) -> str:
        self.path = tempfile.mkdtemp(prefix="breakeven-ingest-")
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
