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
            f"select {index} as src, row_number() over () as row, line from read_csv("
            f"{path}, columns={{'line': 'VARCHAR'}}, header=false, delim='\\x01', "
            "quote='', escape='', new_line='\\n', auto_detect=false, "
            f"compression='{'auto' if src.compression == 'none' else src.compression}', "
            "ignore_errors=true, store_rejects=true)"
        )
    if src.kind == "csv":
        return (
            f"select {index} as src, row_number() over () as row, to_json(t)::varchar as line "
            f"from read_csv({path}, header=true, all_varchar=true, ignore_errors=true, "
            "store_rejects=true) t"
        )
    if src.kind == "parquet":
        return (
            f"select {index} as src, file_row_number + 1 as row, "
            f"to_json(columns(* exclude (file_row_number)))::varchar as line "
            f"from read_parquet({path}, file_row_number=true)"
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
        for p in fmt.paths.get(f, ()):
            paths.append(p)
            paths.append(p.split(".")[0])
    if task:
        paths.append("request_tags" if task.endswith(":") else task)
        paths.append(task.split(".")[0])
    unique = list(dict.fromkeys(_json_path(p) for p in paths))
    slot = {p: i + 1 for i, p in enumerate(unique)}
    extract_list = "[" + ", ".join(_sql_str(p) for p in unique) + "]"

    parts = []
    for i, src in enumerate(sources):
        tabular = src.kind != "jsonl"
        x = {f: _extract(fmt.paths.get(f, ()), tabular, slot) for f in FIELDS}
        task_sql = _task_sql(task, fmt, tabular, slot)
        num = {f: f"try_cast({x[f]} as double)" for f in
               ("input_tokens", "cached_tokens", "cache_write_tokens", "output_tokens", "cost")}
        ts_raw = x["timestamp"]
        ts = (
            f"(case when try_cast({ts_raw} as double) is not null then "
            f"(with_scale(try_cast({ts_raw} as double))) "
            f"else epoch(try_cast({ts_raw} as timestamptz)) end)"
        )
        cached = f"coalesce({num['cached_tokens']}, 0)"
        write = f"coalesce({num['cache_write_tokens']}, 0)"
        total_in = (num["input_tokens"] if fmt.input_includes_cached
                    else f"({num['input_tokens']} + {cached} + {write})")
        problem = f"""case
            when line is null then 'blank'
            when v is null then 'not JSON'
            when {ts_raw} is null then 'missing timestamp'
            when {ts} is null or not isfinite({ts}) then 'bad timestamp'
            when {x['input_tokens']} is null then 'missing input tokens'
            when {x['output_tokens']} is null then 'missing output tokens'
            when {num['input_tokens']} is null or {num['output_tokens']} is null
              or ({x['cached_tokens']} is not null and {num['cached_tokens']} is null)
              then 'non-numeric tokens'
            when {num['input_tokens']} < 0 or {num['output_tokens']} < 0
              or {cached} < 0 or {write} < 0 then 'negative tokens'
            when {fmt.input_includes_cached} and {cached} > {num['input_tokens']}
              then 'cached tokens above input tokens'
            end"""
        parts.append(f"""
            select src, row, {problem} as problem,
              {ts} as ts, {task_sql} as task, coalesce({x['model']}, '(unknown)') as model,
              {total_in} as input, {cached} as cached, {write} as cache_write,
              {num['output_tokens']} as output, {num['cost']} as cost,
              {x['request_id']} as rid
            from (select src, row, line,
                    case when json_valid(line) then json_extract_string(line, {extract_list})
                    end as v
                  from ({_raw_relation(src, i)}))""")
        stats.units[i] = (src.name, src.unit, src.path)
        stats.notes.extend(f"{src.name}: {n}" for n in src.notes)
    con.execute("create or replace macro with_scale(x) as "
                "case when abs(x) > 1e17 then x / 1e9 when abs(x) > 1e14 then x / 1e6 "
                "when abs(x) > 1e11 then x / 1e3 else x end")
    try:
        con.execute("create or replace table parsed as " + " union all ".join(parts))
    except Exception as e:
        raise LogError(sources[0].name if len(sources) == 1 else "logs",
                       f"cannot be read ({_first_line(e)})") from None
    # The first record of each request id stays; later ones are duplicates.
    con.execute("""
        create or replace table records as
        select *, case when problem is null and rid is not null and
                    row_number() over (partition by rid order by src, row) > 1
                  then 'duplicate request id' else problem end as status
        from parsed""")
    _count(con, stats)
    return stats


def _count(con, stats: ReadStats) -> None:
    total, ok = con.execute(
        "select count(*) filter (where status is distinct from 'blank'), "
        "count(*) filter (where status is null) from records").fetchone()
    stats.records, stats.ingested = int(total), int(ok)
    rows = con.execute(f"""
        select status, count(*), min([src, row], {FIRST_LINES}) from records
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
