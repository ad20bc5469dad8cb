"""Usage logs in: spend by task and model, and a fitted, backtested scenario out.

>>> usage = breakeven.ingest("logs/*.jsonl.gz", task="metadata.task_type")
>>> usage.spend()
>>> scenario = usage.fit()
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from typing import TYPE_CHECKING

from ..errors import LogError

if TYPE_CHECKING:
    from .usage import Usage

__all__ = ["DEFAULT_MEMORY_LIMIT", "LogError", "Usage", "ingest"]

DEFAULT_MEMORY_LIMIT = "1GB"  # DuckDB spills to disk beyond it


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
        DuckDB's memory limit; beyond it, intermediate data spills to disk.
    """
    import duckdb

    from .aggregated import is_aggregated, read_aggregated
    from .records import build_records, choose_format, sample_keys
    from .sources import Workdir, expand, open_source
    from .usage import aggregate

    names = [str(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    if not names:
        raise LogError("logs", "no log file given")
    files = expand(names)
    with Workdir() as workdir:
        con = duckdb.connect(config={"memory_limit": memory_limit,
                                     "temp_directory": os.path.join(workdir, "spill")})
        try:
            con.execute("set TimeZone = 'UTC'")
            if threads:
                con.execute(f"set threads = {int(threads)}")
            sources = [open_source(f, workdir) for f in files]
            if any(s.kind == "json-document" for s in sources) or all(
                is_aggregated(con, s, i) for i, s in enumerate(sources)
            ):
                return read_aggregated(con, sources, task)
            formats = []
            for i, s in enumerate(sources):
                keys = sample_keys(con, s, i)
                formats.append(choose_format(keys, s.name, dict(mapping or {})))
            first = formats[0]
            for s, f in zip(sources, formats):
                if f.name != first.name:
                    raise LogError(s.name, f"is {f.name} but {sources[0].name} is "
                                   f"{first.name}; ingest one format at a time")
            stats = build_records(con, sources, first, task)
            return aggregate(con, stats, [s.name for s in sources])
        finally:
            con.close()
