"""Usage logs in: spend by task and model, and a fitted, backtested scenario out.

>>> usage = breakeven.ingest("logs/*.jsonl.gz", task="metadata.task_type")
>>> usage.spend()
>>> scenario = usage.fit()
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..catalog import CatalogFile, read_catalog
from ..errors import LogError, OptionError

if TYPE_CHECKING:
    from .usage import Usage

__all__ = ["DEFAULT_MEMORY_LIMIT", "LogError", "Usage", "ingest"]

DEFAULT_MEMORY_LIMIT = "1GB"  # DuckDB spills to disk beyond it
# What --memory-limit may be: DuckDB fails its own bookkeeping below the least
# (8MB stopped the JSON reader), and the most is more than any machine has.
MEMORY_LIMIT_RANGE = (64 * 10**6, 10**12)
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT])(i?)B\s*", re.IGNORECASE)
_POWER = {"K": 1, "M": 2, "G": 3, "T": 4}


def __getattr__(name: str):
    # Usage pulls in pandas: loaded when asked for, so that the CLI starts fast.
    if name == "Usage":
        from .usage import Usage

        return Usage
    raise AttributeError(name)


def ingest(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    task: str | None = None,
    mapping: dict[str, str] | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
    max_files: int | None = None,
    max_names: int | None = None,
    max_days: int | None = None,
    session: str | None = None,
    prefix_hashes: str | None = None,
    block_tokens: int = 512,
    catalog: str | os.PathLike | CatalogFile | None = None,
) -> "Usage":
    """Read usage logs (files, globs or a ``postgresql://`` URL of a LiteLLM proxy
    database) and aggregate them per task, model and hour.

    Parameters
    ----------
    paths
        JSONL, CSV or Parquet files, ``.gz``/``.zst`` too, or OpenAI usage API
        pages / LiteLLM daily spend exports (aggregated buckets).
    task
        Where a record's task category is: a field or JSON path
        (``metadata.task_type``), or a LiteLLM tag prefix ending in ``:``
        (``taskName:``). Default: the model.
    mapping
        ``{canonical field: path}`` for logs of no known format (``--map``).
    memory_limit
        DuckDB's memory limit (``"1GB"``, ``"512MiB"``); beyond it, intermediate
        data spills to disk.
    threads
        DuckDB's threads (default: all cores).
    max_files, max_names, max_days
        Bounds checked before the work (``--max-files``, ``--max-names``,
        ``--max-days``; default ``sources.MAX_FILES``, ``usage.MAX_NAMES``,
        ``usage.MAX_DAYS``): files in one ingest, distinct tasks and models, and
        days between the first and last record.
    session
        Where a record's conversation or session id is (``--session``), over the
        format's own field (OTel ``gen_ai.conversation.id``, Langfuse
        ``sessionId``, LiteLLM ``session_id``; OpenAI Responses chains of
        ``previous_response_id``). With it, each task's conversations are fitted.
    prefix_hashes
        The field holding each request's list of prompt block hashes
        (``--prefix-hashes``): the prefix cache is replayed over them at 5 min,
        1 h and 24 h TTLs (cache_replay.py).
    block_tokens
        Tokens per hashed block (``--block-tokens``, default 512).
    catalog
        A catalog file (a path or a read :class:`breakeven.catalog.CatalogFile`;
        ``--catalog``) to price the logs with instead of the bundled catalog: list
        prices, which catalog model a logged name means, cache tiers and the
        fitted scenario (whose YAML names it with ``catalog:``).
    """
    import dataclasses

    import duckdb

    from .aggregated import is_aggregated, read_aggregated
    from .records import build_records, checked_field, choose_format, sample_keys
    from .sources import MAX_FILES, Workdir, expand, open_source
    from .usage import MAX_DAYS, MAX_NAMES, aggregate, caching

    names = [str(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    if not names:
        raise LogError("logs", "no log file given")
    if task is not None:
        checked_field("task", task)
    if session is not None:
        checked_field("session", session)
    if prefix_hashes is not None:
        checked_field("prefix_hashes", prefix_hashes)
    from .cache_replay import checked_block_tokens

    checked_block_tokens(block_tokens)
    if catalog is not None and not isinstance(catalog, CatalogFile):
        catalog = read_catalog(catalog)
    for path in (mapping or {}).values():
        checked_field("map", path)
    config = {"memory_limit": f"{memory_limit_bytes(memory_limit)}B"}
    if threads is not None:
        config["threads"] = _whole_in("threads", threads, 1, 1024)
    bounds = {"max_names": _whole_in("max_names", max_names or MAX_NAMES, 1, 10**6),
              "max_days": _whole_in("max_days", max_days or MAX_DAYS, 1, 36_600)}
    files = expand(names, _whole_in("max_files", max_files or MAX_FILES, 1, 10**6))
    with Workdir() as workdir:
        config["temp_directory"] = os.path.join(workdir, "spill")
        con = duckdb.connect(config=config)
        try:
            con.execute("set TimeZone = 'UTC'")
            sources = [open_source(f, workdir, i) for i, f in enumerate(files)]
            if any(s.kind == "json-document" for s in sources) or all(
                is_aggregated(con, s, i) for i, s in enumerate(sources)
            ):
                return read_aggregated(con, sources, task, catalog=catalog, **bounds)
            formats, fields = [], set()
            for i, s in enumerate(sources):
                keys = sample_keys(con, s, i)
                fields |= keys
                formats.append(choose_format(keys, s.name, dict(mapping or {})))
            first = formats[0]
            for s, f in zip(sources, formats):
                if f.name != first.name:
                    raise LogError(s.name, f"is {f.name} but {sources[0].name} is "
                                   f"{first.name}; ingest one format at a time")
            if session:
                first = dataclasses.replace(first, paths={**first.paths, "session": (session,)})
            stats = build_records(con, sources, first, task, fields, hashes=prefix_hashes)
            usage = aggregate(con, stats, [s.name for s in sources], catalog=catalog, **bounds)
            caching(con, usage, stats, prefix_hashes, block_tokens)
            return usage
        finally:
            con.close()


def memory_limit_bytes(text: str) -> int:
    """``"1GB"``, ``"512MiB"``, ``"1.5 GB"`` in bytes (KB = 1000 bytes, KiB = 1024,
    as DuckDB reads them), within MEMORY_LIMIT_RANGE."""
    lo, hi = MEMORY_LIMIT_RANGE
    m = _SIZE.fullmatch(str(text))
    size = None
    if m:
        size = float(m.group(1)) * (1024 if m.group(3) else 1000) ** _POWER[m.group(2).upper()]
    if size is None or not lo <= size <= hi:
        raise OptionError("memory_limit", f"must be a size with a unit, from {lo // 10**6}MB "
                          f"to {hi // 10**12}TB, e.g. 1GB or 512MB (got {str(text)[:40]!r})")
    return int(size)


def _whole_in(option: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise OptionError(option, f"must be a whole number from {lo:,} to {hi:,} "
                          f"(got {str(value)[:40]!r})")
    return value
