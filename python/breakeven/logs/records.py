"""Per-request records, normalised in DuckDB: every log line becomes one row of
``records`` (timestamp in epoch seconds, task, model, tokens, logged cost) or a
counted problem with its line number. Nothing here loops over records in Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import LogError
from .formats import FIELDS, REQUIRED, LogFormat, custom, detect, dotted_keys
from .sources import Source

# Problems a record can have, in the order they are checked: the first one wins.
PROBLEMS = (
    "not JSON",
    "missing timestamp",
    "bad timestamp",
    "missing input tokens",
    "missing output tokens",
    "non-numeric tokens",
    "negative tokens",
    "cached tokens above input tokens",
    "duplicate request id",
)
FIRST_LINES = 10  # line numbers reported per problem


@dataclass
class Problem:
    kind: str
    count: int
    where: list[str]  # "file:line", the first few


@dataclass
class ReadStats:
    format: LogFormat
    task: str
    records: int = 0  # rows read, problems included
    ingested: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    units: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    skipped_lines: dict[str, list[int]] = field(default_factory=dict)


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _json_path(dotted: str) -> str:
    """``a.b\\.c`` -> ``$."a"."b.c"`` (a dot inside a key is escaped)."""
    keys, cur, i = [], "", 0
    while i < len(dotted):
        if dotted[i] == "\\" and i + 1 < len(dotted) and dotted[i + 1] == ".":
            cur += "."
            i += 2
            continue
        if dotted[i] == ".":
            keys.append(cur)
            cur = ""
        else:
            cur += dotted[i]
        i += 1
    keys.append(cur)
    return "$." + ".".join('"' + k.replace('"', '\\"') + '"' for k in keys)


def _raw_relation(src: Source, index: int) -> str:
    """SQL for (src, row, line): each record as JSON text and its 1-based number."""
    path = _sql_str(src.path)
    if src.kind == "jsonl":
        return (
            f"select {index} as src, line from read_csv("
            f"{path}, columns={{'line': 'VARCHAR'}}, header=false, delim='\\x01', "
            "quote='', escape='', new_line='\\n', auto_detect=false, "
            f"compression='{'auto' if src.compression == 'none' else src.compression}', "
            "ignore_errors=true, store_rejects=true)"
        )
    if src.kind == "csv":
        return (
            f"select {index} as src, to_json(t)::varchar as line "
            f"from read_csv({path}, header=true, all_varchar=true, ignore_errors=true, "
            "store_rejects=true) t"
        )
    if src.kind == "parquet":
        return (
            f"select {index} as src, to_json(t)::varchar as line "
            f"from read_parquet({path}) t"
        )
    raise AssertionError(src.kind)


def sample_keys(con, src: Source, index: int) -> set[str]:
    """Dotted keys of the first records (JSON text inside a column included)."""
    try:
        rows = con.execute(
            f"select line from ({_raw_relation(src, index)}) where line is not null limit 50"
        ).fetchall()
    except Exception as e:  # duckdb raises its own error classes
        raise LogError(src.name, f"cannot be read as {src.kind} ({_first_line(e)})") from None
    keys: set[str] = set()
    for (line,) in rows:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        for k, v in list(record.items()):
            if isinstance(v, str) and v[:1] in "{[":
                try:
                    inner = json.loads(v)
                except ValueError:
                    continue
                if isinstance(inner, dict):
                    record[k] = inner
        keys |= dotted_keys(record)
    return keys


def choose_format(keys: set[str], name: str, mapping: dict[str, str]) -> LogFormat:
    found = detect(keys)
    fmt = custom(mapping, found) if mapping else found
    if fmt is None:
        shown = ", ".join(sorted(k for k in keys if "." not in k)[:12]) or "none"
        raise LogError(
            name,
            "not a log breakeven recognises (top-level fields: "
            f"{shown}); name the fields with --map timestamp=FIELD --map "
            "input_tokens=FIELD --map output_tokens=FIELD",
        )
    missing = [f for f in REQUIRED if not fmt.paths.get(f)]
    if missing:
        raise LogError(name, f"format {fmt.name}: no path for {', '.join(missing)} (use --map)")
    return fmt


def _extract(paths: tuple[str, ...], tabular: bool, slot: dict[str, int]) -> str:
    """SQL for the first present of `paths` in the record's extracted values."""
    if not paths:
        return "null"
    terms = []
    for p in paths:
        terms.append(f"v[{slot[_json_path(p)]}]")
        head, _, rest = p.partition(".")
        if tabular and rest:  # a column holding JSON text (CSV, PostgreSQL)
            terms.append(f"try(json_extract_string(v[{slot[_json_path(head)]}], "
                         f"{_sql_str(_json_path(rest))}))")
    return f"coalesce({', '.join(terms)})" if len(terms) > 1 else terms[0]


def _total_input(fmt: LogFormat) -> str:
    """Input tokens with cache reads and writes, whichever way the format counts."""
    if fmt.input_includes_cached:
        return "input"
    return "input + cached + cache_write"


def _task_sql(task: str | None, fmt: LogFormat, tabular: bool, slot: dict[str, int]) -> str:
    if not task:
        model = _extract(fmt.paths["model"], tabular, slot)
        return f"coalesce({model}, 'all')"
    if task.endswith(":"):  # a LiteLLM tag prefix, e.g. taskName:
        tags = f"v[{slot[_json_path('request_tags')]}]"
        prefix = _sql_str(task)
        return (
            f"coalesce(substr(list_filter(try_cast(try(json_extract_string({tags}, '$[*]')) "
            f"as varchar[]), lambda x: starts_with(x, {prefix}))[1], {len(task) + 1}), '(no tag)')"
        )
    return f"coalesce({_extract((task,), tabular, slot)}, '(none)')"


def build_records(con, sources: list[Source], fmt: LogFormat, task: str | None) -> ReadStats:
    """Create the DuckDB table ``records`` from every source, and count problems."""
    stats = ReadStats(fmt, task or "model")
    paths: list[str] = []
    for f in FIELDS:
        paths.extend(fmt.paths.get(f, ()))
    if task:
        paths.append("request_tags" if task.endswith(":") else task)
    if any(s.kind != "jsonl" for s in sources):  # columns that may hold JSON text
        paths += [p.split(".")[0] for p in list(paths)]
    unique = list(dict.fromkeys(_json_path(p) for p in paths))
    slot = {p: i + 1 for i, p in enumerate(unique)}
    extract_list = "[" + ", ".join(_sql_str(p) for p in unique) + "]"

    parts = []
    for i, src in enumerate(sources):
        tabular = src.kind != "jsonl"
        x = {f: _extract(fmt.paths.get(f, ()), tabular, slot) for f in FIELDS}
        # Layered so that each field is extracted and cast once per record.
        parts.append(f"""
            select src, line is null as blank, v is null as not_json,
              ts_text, ts, task, model, input_raw, cached_raw, output_raw, input, cached,
              cache_write,
              output, cost, rid,
              cast({_total_input(fmt)} as double) as total_input
            from (select *,
                    coalesce(with_scale(try_cast(ts_text as double)),
                             epoch(try_cast(ts_text as timestamptz))) as ts,
                    try_cast(input_raw as double) as input,
                    coalesce(try_cast(cached_raw as double), 0) as cached,
                    coalesce(try_cast(write_raw as double), 0) as cache_write,
                    try_cast(output_raw as double) as output,
                    try_cast(cost_raw as double) as cost
                  from (select src, line, v,
                          {x['timestamp']} as ts_text,
                          {_task_sql(task, fmt, tabular, slot)} as task,
                          coalesce({x['model']}, '(unknown)') as model,
                          {x['input_tokens']} as input_raw,
                          {x['cached_tokens']} as cached_raw,
                          {x['cache_write_tokens']} as write_raw,
                          {x['output_tokens']} as output_raw,
                          {x['cost']} as cost_raw, {x['request_id']} as rid
                        from (select src, line,
                                try(json_extract_string(line, {extract_list})) as v
                              from ({_raw_relation(src, i)}))))""")
        stats.units[i] = (src.name, src.unit, src.path)
        stats.notes.extend(f"{src.name}: {n}" for n in src.notes)
    con.execute("create or replace macro with_scale(x) as "
                "case when abs(x) > 1e17 then x / 1e9 when abs(x) > 1e14 then x / 1e6 "
                "when abs(x) > 1e11 then x / 1e3 else x end")
    check_cached = "true" if fmt.input_includes_cached else "false"
    problem = f"""case
        when blank then 'blank'
        when not_json then 'not JSON'
        when ts_text is null then 'missing timestamp'
        when ts is null or not isfinite(ts) then 'bad timestamp'
        when input_raw is null then 'missing input tokens'
        when output_raw is null then 'missing output tokens'
        when input is null or output is null
          or (cached_raw is not null and try_cast(cached_raw as double) is null)
          then 'non-numeric tokens'
        when input < 0 or output < 0 or cached < 0 or cache_write < 0 then 'negative tokens'
        when {check_cached} and cached > input then 'cached tokens above input tokens'
        end"""
    try:
        con.execute(f"""create or replace table records as
            select src, {problem} as status, ts, task, model, total_input as input,
              cached, cache_write, output, cost, rid
            from ({" union all ".join(parts)})""")
    except Exception as e:
        raise LogError(sources[0].name if len(sources) == 1 else "logs",
                       f"cannot be read ({_first_line(e)})") from None
    # Numbers within each file: the table keeps the files' order (DuckDB preserves
    # insertion order), so a record's row is its rowid less its file's first.
    con.execute("""create or replace table file_starts as
        select src as f_src, min(rowid) as first from records group by src""")
    # The first record of each request id stays; later ones are duplicates. Only
    # the ids seen twice are looked at again.
    con.execute("""
        update records set status = 'duplicate request id'
        from (select rid as dup_rid, min(rowid) as first from records
              where status is null and rid is not null
              group by rid having count(*) > 1) d
        where records.rid = d.dup_rid and records.status is null
          and records.rowid <> d.first""")
    _count(con, stats)
    return stats


def _count(con, stats: ReadStats) -> None:
    total, ok = con.execute(
        "select count(*) filter (where status is distinct from 'blank'), "
        "count(*) filter (where status is null) from records").fetchone()
    stats.records, stats.ingested = int(total), int(ok)
    rows = con.execute(f"""
        select status, count(*), min([src, records.rowid + 1 - first], {FIRST_LINES})
        from records join file_starts on src = f_src
        where status is not null and status <> 'blank' group by status""").fetchall()
    order = {k: i for i, k in enumerate(PROBLEMS)}
    problems = sorted(rows, key=lambda r: order.get(r[0], 99))
    rejects = con.execute(
        "select file_path, line, error_type from reject_errors r join reject_scans s "
        "using (scan_id) order by file_path, line").fetchall() if _has_rejects(con) else []
    for path, line, _ in rejects:
        stats.skipped_lines.setdefault(path, []).append(int(line))
    if rejects:
        by_kind: dict[str, list] = {}
        for path, line, kind in rejects:
            by_kind.setdefault("invalid UTF-8" if "ENCODING" in kind else f"unreadable line ({kind.lower()})", []).append(f"{path}:{line}")
        for kind, where in by_kind.items():
            stats.problems.append(Problem(kind, len(where), where[:FIRST_LINES]))
            stats.records += len(where)
    for kind, n, first in problems:
        stats.problems.append(Problem(kind, int(n), [_where(stats, s, r) for s, r in first]))


def _has_rejects(con) -> bool:
    try:
        con.execute("select 1 from reject_errors limit 0")
        return True
    except Exception:
        return False


def _where(stats: ReadStats, src: int, row: int) -> str:
    """Row numbers skip the lines DuckDB rejected (bad UTF-8): add them back."""
    name, unit, path = stats.units[int(src)]
    for skipped in stats.skipped_lines.get(path, []):
        if skipped <= row:
            row += 1
    return f"{name}:{row}" if unit == "line" else f"{name}:row {row}"


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0][:300]
