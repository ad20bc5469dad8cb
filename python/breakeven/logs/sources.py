"""Opening logs as DuckDB relations of records, one row per record, each with its
file and line (or row) number so that problems can be reported where they are.

DuckDB reads JSONL, CSV and Parquet, gzip and zstd included, in parallel and in
bounded memory; a PostgreSQL table is streamed into a CSV file with COPY first.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import shutil
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LogError

_JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
_COMPRESSION = {".gz": "gzip", ".zst": "zstd"}


@dataclass
class Source:
    """One log file (or database table) as read."""

    name: str  # as the user named it
    path: str  # the file DuckDB reads
    kind: str  # "jsonl", "csv", "parquet", "json-document"
    compression: str = "none"
    unit: str = "line"  # what the numbers in messages count
    notes: list[str] = field(default_factory=list)


def expand(names: list[str]) -> list[str]:
    """Files and globs, in order; a glob that matches nothing is an error."""
    out: list[str] = []
    for name in names:
        if name.startswith(("postgresql://", "postgres://")):
            out.append(name)
            continue
        matches = sorted(glob.glob(name)) if glob.has_magic(name) else [name]
        if not matches:
            raise LogError(name, "no file matches this pattern")
        for m in matches:
            if not os.path.isfile(m):
                raise LogError(m, "no such file")
            out.append(m)
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


def open_source(name: str, workdir: str) -> Source:
    if name.startswith(("postgresql://", "postgres://")):
        return _postgres_source(name, workdir)
    kind, compression = kind_of(name)
    src = Source(name, name, kind, compression, unit="row" if kind != "jsonl" else "line")
    if compression == "gzip":
        _check_gzip(src, workdir)
    if kind == "jsonl" and _is_json_document(src):
        src.kind = "json-document"
    return src


def _check_gzip(src: Source, workdir: str) -> None:
    """A truncated gzip file: keep the whole lines that decompress, say where it
    stops. A sound file is left to DuckDB."""
    if _gzip_is_whole(src):
        return
    out = os.path.join(workdir, f"truncated-{len(os.listdir(workdir))}-" + Path(src.path).stem)
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
    try:
        with gzip.open(src.path, "rb") as f:
            while f.read(1 << 22):
                pass
        return True
    except EOFError:
        return False
    except (OSError, zlib.error) as e:
        raise LogError(src.name, f"not a readable gzip file ({e})") from None


def _is_json_document(src: Source) -> bool:
    """A JSON document (one object or array, e.g. a usage API page) rather than one
    record per line: an array, a pretty-printed object (``{`` alone on its first
    line), or a first line that does not parse and runs past what we read. A JSONL
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
        json.loads(line)
        return False
    except ValueError:
        return line.strip() == b"{" or not newline


def _postgres_source(url: str, workdir: str) -> Source:
    """The LiteLLM_SpendLogs table of a proxy's database, streamed to CSV with COPY
    (bounded memory; the file is read like any export)."""
    try:
        import psycopg
    except ImportError:  # an install without the postgres extra
        raise LogError(url, "reading PostgreSQL needs psycopg: "
                       "pip install 'breakeven[postgres]'") from None
    table = '"LiteLLM_SpendLogs"'
    if "#" in url:
        url, table = url.split("#", 1)
    out = os.path.join(workdir, "postgres.csv")
    shown = url.split("@")[-1]
    try:
        with psycopg.connect(url, connect_timeout=10) as conn, conn.cursor() as cur:
            with open(out, "wb") as f, cur.copy(
                f"COPY (SELECT * FROM {table}) TO STDOUT WITH (FORMAT csv, HEADER true)"
            ) as copy:
                for block in copy:
                    f.write(block)
    except psycopg.Error as e:
        raise LogError(f"postgresql://{shown}", str(e).strip().splitlines()[0]) from None
    return Source(f"postgresql://{shown} {table}", out, "csv", unit="row")


class Workdir:
    """A temporary folder for decompressed or copied inputs, removed at the end."""

    def __enter__(self) -> str:
        self.path = tempfile.mkdtemp(prefix="breakeven-ingest-")
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
