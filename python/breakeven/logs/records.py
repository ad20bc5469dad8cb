"""Per-request records, normalised in DuckDB: every log line becomes one row of
``records`` (timestamp in epoch seconds, task, model, tokens, logged cost) or a
counted problem with its line number. Nothing here loops over records in Python.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from .. import _core
from ..errors import LogError, OptionError
from .formats import FIELDS, REQUIRED, LogFormat, custom, detect, dotted_keys
from .sources import MAX_LINE_BYTES, Source
from .sql import Query

# Problems a record can have, in the order they are checked: the first one wins.
PROBLEMS = (
    "not JSON",
    "missing timestamp",
    "bad timestamp",
    "missing input tokens",
    "missing output tokens",
    "non-numeric tokens",
    "negative tokens",
    "too many tokens",
    "cached tokens above input tokens",
    "reasoning tokens above output tokens",
    "bad cost",
    "duplicate request id",
)
FIRST_LINES = 10  # line numbers reported per problem
# Timestamps a usage log can hold: from 2000-01-01 UTC to a year after now. One
# outside is a "bad timestamp" record; without this one record at epoch 9.9e10
# made a 200-year hourly calendar (7.8 GB).
EARLIEST_TIMESTAMP = 946_684_800
LATEST_AHEAD_S = 366 * 86400
# Epoch numbers are seconds, or ms, us, ns: the unit of a file's timestamp column is
# decided once from the median of its first TIMESTAMP_SAMPLE numeric values (the
# largest unit that keeps the median under 1e11 s, year 5138), so a seconds
# timestamp is never rescaled for being large; what is then outside the window is bad.
TIMESTAMP_SAMPLE = 1000
UNIT_STEPS = (1e17, 1e9), (1e14, 1e6), (1e11, 1e3)
# The engine's bound on a request's tokens; a record above it is "too many tokens".
MAX_TOKENS = _core.LIMITS["max_tokens_per_request"]
MAX_COST_PER_REQUEST = 1e4  # USD: 1e8 tokens at $100 per million
# --task naming a field that most records lack is likely a typo: said in a note.
MISSING_TASK_SHARE = 0.5


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
    measured: set[str] = field(default_factory=set)  # paths whose long lines sources.py found


def checked_field(option: str, dotted: str) -> str:
    """``dotted`` if it names a field (``metadata.task``; ``\\.`` for a dot inside
    a key; a LiteLLM tag prefix ends in ``:``), else an OptionError naming the
    option: an empty name (``a..b``, ``metadata.``) would be no JSON path."""
    if not isinstance(dotted, str) or not dotted:
        raise OptionError(option, f"must name a field (got {dotted!r})")
    if not dotted.endswith(":") and "" in _keys(dotted):
        raise OptionError(option, f"must be field names joined by dots, none empty "
                          f"(got {dotted[:80]!r})")
    return dotted


def _json_path(dotted: str) -> str:
    """``a.b\\.c`` -> ``$."a"."b.c"`` (a dot inside a key is escaped)."""
    return "$." + ".".join('"' + k.replace('"', '\\"') + '"' for k in _keys(dotted))


def _keys(dotted: str) -> list[str]:
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
    return keys


def _raw_relation(src: Source, index: int, q: Query) -> str:
    """SQL for (src, line): each record as JSON text, in file order."""
    path = q.bind(src.path)
    if src.kind == "jsonl":
        # new_line '\\r\\n' without strict mode ends a line at LF, CRLF or a lone CR
        # (strict mode rejected a whole log for one CR).
        return (
            f"select {index} as src, line from read_csv("
            f"{path}, columns={{'line': 'VARCHAR'}}, header=false, delim='\\x01', "
            "quote='', escape='', new_line='\\r\\n', strict_mode=false, "
            f"auto_detect=false, max_line_size={MAX_LINE_BYTES}, "
            f"compression={q.bind('auto' if src.compression == 'none' else src.compression)}, "
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
    q = Query()
    try:
        rows = q.run(con, f"select line from ({_raw_relation(src, index, q)}) "
                     "where line is not null limit 50").fetchall()
    except Exception as e:  # duckdb raises its own error classes
        raise LogError(src.name, f"cannot be read as {src.kind} ({_first_line(e)})") from None
    keys: set[str] = set()
    for (line,) in rows:
        try:
            keys |= _record_keys(line)
        except RecursionError:  # nested too deep to be a log record: counted later
            continue
    return keys


def _record_keys(line: str) -> set[str]:
    try:
        record = json.loads(line)
    except ValueError:
        return set()
    if not isinstance(record, dict):
        return set()
    for k, v in list(record.items()):
        if isinstance(v, str) and v[:1] in "{[":
            try:
                inner = json.loads(v)
            except ValueError:
                continue
            if isinstance(inner, dict):
                record[k] = inner
    return dotted_keys(record)


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


def _extract(paths: tuple[str, ...], tabular: bool, slot: dict[str, int], q: Query) -> str:
    """SQL for the first present of `paths` in the record's extracted values."""
    if not paths:
        return "null"
    terms = []
    for p in paths:
        terms.append(f"v[{slot[_json_path(p)]}]")
        head, _, rest = p.partition(".")
        if tabular and rest:  # a column holding JSON text (CSV, PostgreSQL)
            terms.append(f"try(json_extract_string(v[{slot[_json_path(head)]}], "
                         f"{q.bind(_json_path(rest))}))")
    return f"coalesce({', '.join(terms)})" if len(terms) > 1 else terms[0]


def _total_input(fmt: LogFormat) -> str:
    """Input tokens with cache reads and writes, whichever way the format counts."""
    if fmt.input_includes_cached:
        return "input"
    return "input + cached + cache_write"


LONG_LINE = f"line longer than {MAX_LINE_BYTES:,} bytes"
NO_TASK = "(none)"  # the task of a record without the --task field
NO_TAG = "(no tag)"  # ... without a tag of the --task prefix


def _task_sql(task: str | None, fmt: LogFormat, tabular: bool, slot: dict[str, int],
              q: Query) -> str:
    if not task:
        model = _extract(fmt.paths["model"], tabular, slot, q)
        return f"coalesce({model}, 'all')"
    if task.endswith(":"):  # a LiteLLM tag prefix, e.g. taskName:
        tags = f"v[{slot[_json_path('request_tags')]}]"
        return (
            f"coalesce(substr(list_filter(try_cast(try(json_extract_string({tags}, '$[*]')) "
            f"as varchar[]), lambda x: starts_with(x, {q.bind(task)}))[1], {len(task) + 1}), "
            f"{q.bind(NO_TAG)})"
        )
    return f"coalesce({_extract((task,), tabular, slot, q)}, {q.bind(NO_TASK)})"


def _fields_sql(src: Source, index: int, fmt: LogFormat, task: str | None,
                slot: dict[str, int], extract_list: str, q: Query,
                hashes: str | None = None) -> str:
    """SQL of one source's records: each field extracted once, as text."""
    tabular = src.kind != "jsonl"
    x = {f: _extract(fmt.paths.get(f, ()), tabular, slot, q) for f in FIELDS}
    hashes_sql = _extract((hashes,), tabular, slot, q) if hashes else "null"
    return f"""select src, line, v,
              {x['timestamp']} as ts_text,
              {_task_sql(task, fmt, tabular, slot, q)} as task,
              coalesce({x['model']}, '(unknown)') as model,
              {x['provider']} as provider,
              {x['input_tokens']} as input_raw,
              {x['cached_tokens']} as cached_raw,
              {x['cache_write_tokens']} as write_raw,
              {x['output_tokens']} as output_raw,
              {x['reasoning_tokens']} as reasoning_raw,
              {x['cost']} as cost_raw, {x['request_id']} as rid,
              {x['session']} as session, {x['previous_response_id']} as prev_rid,
              {hashes_sql} as hashes
            from (select src, line, try(json_extract_string(line, {extract_list})) as v
                  from ({_raw_relation(src, index, q)}))"""


def _epoch_unit(con, fields: str, q: Query) -> float:
    """Divisor from a source's epoch numbers to seconds (see UNIT_STEPS)."""
    (median,) = q.run(con, f"""select median(abs(x)) from (
        select try_cast(ts_text as double) as x from ({fields})
        where try_cast(ts_text as double) is not null limit {TIMESTAMP_SAMPLE})""").fetchone()
    for above, unit in UNIT_STEPS:
        if median is not None and median > above:
            return unit
    return 1.0


def build_records(con, sources: list[Source], fmt: LogFormat, task: str | None,
                  fields: set[str] = frozenset(), hashes: str | None = None) -> ReadStats:
    """Create the DuckDB table ``records`` from every source, and count problems.
    ``fields``: the dotted keys seen in the first records, named in a note when the
    task field is missing from most records. ``hashes``: the field holding each
    request's prefix block hashes (``--prefix-hashes``), kept as JSON text in the
    column ``hashes`` (cache_replay.py reads and checks it)."""
    stats = ReadStats(fmt, task or "model")
    paths: list[str] = []
    for f in FIELDS:
        paths.extend(fmt.paths.get(f, ()))
    if task:
        paths.append("request_tags" if task.endswith(":") else task)
    if hashes:
        paths.append(hashes)
    if any(s.kind != "jsonl" for s in sources):  # columns that may hold JSON text
        paths += [p.split(".")[0] for p in list(paths)]
    unique = list(dict.fromkeys(_json_path(p) for p in paths))
    slot = {p: i + 1 for i, p in enumerate(unique)}
    q = Query()
    extract_list = q.bind(unique)

    parts = []
    for i, src in enumerate(sources):
        fields_sql = _fields_sql(src, i, fmt, task, slot, extract_list, q, hashes)
        unit = _epoch_unit(con, fields_sql, q)
        # Layered so that each field is extracted and cast once per record.
        parts.append(f"""
            select src, line is null as blank, v is null as not_json,
              ts_text, ts, task, model, provider, input_raw, cached_raw, output_raw,
              reasoning_raw, input, cached, cache_write, output, reasoning, cost, rid,
              session, prev_rid, hashes,
              cast({_total_input(fmt)} as double) as total_input
            from (select *,
                    coalesce(try_cast(ts_text as double) / {unit},
                             epoch(try_cast(ts_text as timestamptz))) as ts,
                    try_cast(input_raw as double) as input,
                    coalesce(try_cast(cached_raw as double), 0) as cached,
                    coalesce(try_cast(write_raw as double), 0) as cache_write,
                    try_cast(output_raw as double) as output,
                    coalesce(try_cast(reasoning_raw as double), 0) as reasoning,
                    try_cast(cost_raw as double) as cost
                  from ({fields_sql}))""")
        stats.units[i] = (src.name, src.unit, src.path)
        stats.notes.extend(f"{src.name}: {n}" for n in src.notes)
        if src.long_lines is not None:
            stats.measured.add(src.path)
            stats.skipped_lines.setdefault(src.path, []).extend(src.long_lines)
            if src.long_lines:
                stats.problems.append(Problem(LONG_LINE, len(src.long_lines), [
                    f"{src.name}:{n}" for n in src.long_lines[:FIRST_LINES]]))
                stats.records += len(src.long_lines)
    check_cached = "true" if fmt.input_includes_cached else "false"
    latest = int(time.time()) + LATEST_AHEAD_S
    problem = f"""case
        when blank then 'blank'
        when not_json then 'not JSON'
        when ts_text is null then 'missing timestamp'
        when ts is null or not isfinite(ts) or ts < {EARLIEST_TIMESTAMP} or ts > {latest}
          then 'bad timestamp'
        when input_raw is null then 'missing input tokens'
        when output_raw is null then 'missing output tokens'
        when input is null or output is null or not isfinite(input) or not isfinite(output)
          or not isfinite(cached) or not isfinite(cache_write) or not isfinite(reasoning)
          or (cached_raw is not null and try_cast(cached_raw as double) is null)
          or (reasoning_raw is not null and try_cast(reasoning_raw as double) is null)
          then 'non-numeric tokens'
        when input < 0 or output < 0 or cached < 0 or cache_write < 0 or reasoning < 0
          then 'negative tokens'
        when greatest(input, output, cached, cache_write) > {MAX_TOKENS} then 'too many tokens'
        when {check_cached} and cached + cache_write > input
          then 'cached tokens above input tokens'
        when reasoning > output then 'reasoning tokens above output tokens'
        when cost is not null and (not isfinite(cost) or cost < 0
                                   or cost > {MAX_COST_PER_REQUEST}) then 'bad cost'
        end"""
    try:
        q.run(con, f"""create or replace table records as
            select src, {problem} as status, ts, task, model, provider,
              total_input as input, cached, cache_write, output, reasoning, cost, rid,
              session, prev_rid, hashes
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
    if task and not task.endswith(":"):
        _note_missing_task(con, stats, task, fields)
    return stats


def _note_missing_task(con, stats: ReadStats, task: str, fields: set[str]) -> None:
    """A --task field missing from most records is likely mistyped: say so, with
    the fields the records do have."""
    q = Query()
    missing, total = q.run(con, f"""select count(*) filter (where task = {q.bind(NO_TASK)}),
        count(*) from records where status is null""").fetchone()
    if total and missing / total > MISSING_TASK_SHARE:
        shown = ", ".join(sorted(fields)[:20]) or "none"
        stats.notes.append(f"--task {task}: no such field in {missing:,} of {total:,} "
                           f"records, put under {NO_TASK}; the records have: {shown}")


def _count(con, stats: ReadStats) -> None:
    total, ok = con.execute(
        "select count(*) filter (where status is distinct from 'blank'), "
        "count(*) filter (where status is null) from records").fetchone()
    stats.records, stats.ingested = stats.records + int(total), int(ok)
    rows = con.execute(f"""
        select status, count(*), min([src, records.rowid + 1 - first], {FIRST_LINES})
        from records join file_starts on src = f_src
        where status is not null and status <> 'blank' group by status""").fetchall()
    order = {k: i for i, k in enumerate(PROBLEMS)}
    problems = sorted(rows, key=lambda r: order.get(r[0], 99))
    # Distinct: the sampling scans before the main one may have rejected a line too.
    rejects = con.execute(
        "select distinct file_path, line, error_type from reject_errors r join reject_scans s "
        "using (scan_id) order by file_path, line").fetchall() if _has_rejects(con) else []
    # Long lines of measured files are counted already (DuckDB drops some unseen).
    rejects = [r for r in rejects if not (r[0] in stats.measured and "LINE SIZE" in r[2])]
    for path, line, _ in rejects:
        stats.skipped_lines.setdefault(path, []).append(int(line))
    if rejects:
        names = {path: name for name, _, path in stats.units.values()}
        by_kind: dict[str, list] = {}
        for path, line, kind in rejects:
            by_kind.setdefault(reject_kind(kind), []).append(f"{names.get(path, path)}:{line}")
        for kind, where in by_kind.items():
            stats.problems.append(Problem(kind, len(where), where[:FIRST_LINES]))
            stats.records += len(where)
    for kind, n, first in problems:
        stats.problems.append(Problem(kind, int(n), [_where(stats, s, r) for s, r in first]))


def reject_kind(error_type: str) -> str:
    """A line DuckDB could not read, as a problem's kind."""
    if "ENCODING" in error_type:
        return "invalid UTF-8"
    if "LINE SIZE" in error_type:
        return LONG_LINE
    return f"unreadable line ({error_type.lower()})"


def _has_rejects(con) -> bool:
    try:
        con.execute("select 1 from reject_errors limit 0")
        return True
    except Exception:
        return False


def _where(stats: ReadStats, src: int, row: int) -> str:
    """Row numbers skip the lines DuckDB rejected (bad UTF-8): add them back."""
    name, unit, path = stats.units[int(src)]
    for skipped in sorted(stats.skipped_lines.get(path, [])):
        if skipped <= row:
            row += 1
    return f"{name}:{row}" if unit == "line" else f"{name}:row {row}"


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0][:300]
