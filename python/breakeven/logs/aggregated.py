"""Aggregated usage exports: buckets of time, not requests. OpenAI's organization
Usage API (``/v1/organization/usage/completions`` pages) and LiteLLM's daily spend
table. They give request counts and token totals per bucket, so the fit can
estimate rates, trend and (with hourly buckets) the hour-of-day shape, but not
the per-request token distribution (only means) nor the prefix length.
"""

from __future__ import annotations

import gzip
import json
import math
import time
import zlib

import numpy as np
import pandas as pd

from ..catalog import CatalogFile
from ..errors import LogError
from ..files import UnreadableFile, read_regular
from .formats import LogFormat
from .records import (
    EARLIEST_TIMESTAMP,
    FIRST_LINES,
    LATEST_AHEAD_S,
    Problem,
    reject_kind,
)
from .sources import Source
from .sql import Query
from .usage import MAX_DAYS, MAX_NAMES, TokenStats, Usage, check_bounds

# A JSON document (usage API pages) is parsed whole, at about 8x its size in
# memory: one above this many bytes (uncompressed) is refused. Pages are a few
# hundred KB; split a bigger export into several files, or raise this constant.
MAX_DOCUMENT_BYTES = 32_000_000
MAX_BUCKET_HOURS = 31 * 24  # a usage bucket is an hour, a day, at most a month

OPENAI_USAGE = LogFormat(
    "openai-usage",
    "OpenAI organization Usage API pages (completions, grouped by model)",
    {}, signature=("data", "object"),
    cannot_give=("per-request token distribution", "prefix length", "cost"),
)
LITELLM_DAILY = LogFormat(
    "litellm-daily",
    "LiteLLM daily spend table (LiteLLM_DailyUserSpend rows)",
    {}, signature=("date", "api_requests", "spend"),
    cannot_give=("hour-of-day shape", "per-request token distribution", "prefix length"),
)


def is_aggregated(con, src: Source, index: int) -> bool:
    if src.kind != "csv":
        return False
    q = Query()
    try:
        cols = {c for (c,) in q.run(con, f"""select column_name from (describe select * from
            read_csv({q.bind(src.path)}, header=true, all_varchar=true, ignore_errors=true)
            limit 1)""").fetchall()}
    except Exception as e:  # duckdb's own error classes
        raise LogError(src.name, "cannot be read as csv "
                       f"({str(e).strip().splitlines()[0][:300]})") from None
    return {"date", "api_requests", "spend"} <= cols


def read_aggregated(con, sources: list[Source], task: str | None,
                    max_names: int = MAX_NAMES, max_days: int = MAX_DAYS,
                    catalog: CatalogFile | None = None) -> Usage:
    frames, fmt, problems = [], None, {}
    for src in sources:
        if src.kind == "json-document":
            frames.append(_openai_pages(src, problems))
            fmt = OPENAI_USAGE
        else:
            frames.append(_litellm_daily(con, src, problems))
            fmt = LITELLM_DAILY
    table = pd.concat(frames, ignore_index=True)
    where = sources[0].name if len(sources) == 1 else "logs"
    if table.empty:
        first = next(iter(problems.items()), None)
        raise LogError(where, "no usable bucket" + (
            f" (first problem: {first[0]} at {first[1][0]})" if first else ""))
    width = int(table.pop("bucket_hours").max())
    task_col = task if fmt is OPENAI_USAGE and task else "model"
    if task_col not in table.columns:
        raise LogError(sources[0].name, f"--task {task}: the export has no such field "
                       f"(it has {', '.join(c for c in table.columns if c != 'hour')})")
    table["task"] = table[task_col].astype(str)
    seconds = table["hour"].astype("int64") // 10**9
    check_bounds(where, table["task"].nunique(), table["model"].nunique(),
                 seconds.min(), seconds.max() + width * 3600, max_names, max_days)
    from .prices import catalog_name, catalog_prices, list_cost

    prices = catalog_prices(catalog)
    catalog_of = {m: catalog_name(str(m), set(prices)) for m in table["model"].unique()}
    table["list_cost"] = np.nan
    for model, rows in table.groupby("model").groups.items():
        if catalog_of[model] is not None:
            table.loc[rows, "list_cost"] = list_cost(
                prices[catalog_of[model]], table.loc[rows, "input_tokens"],
                table.loc[rows, "cached_tokens"], 0.0, table.loc[rows, "output_tokens"])
    table["cost"] = table["logged_cost"].fillna(table["list_cost"]).fillna(0.0)
    table["cost_mismatch"] = 0
    table["cache_write_tokens"] = 0.0
    table["reasoning_tokens"] = 0.0  # aggregated exports do not split output
    grouped = table.groupby(["task", "model", "hour"], as_index=False).sum(numeric_only=True)
    grouped["provider"] = None
    grouped["catalog_model"] = grouped["model"].map(catalog_of)
    tokens = {}
    for t, g in grouped.groupby("task"):
        n = g["requests"].sum()
        if n <= 0:
            raise LogError(sources[0].name, f"task {t}: the export has tokens but no request "
                           "counts, so rates cannot be fitted")
        mi, mo = g["input_tokens"].sum() / n, g["output_tokens"].sum() / n
        tokens[t] = TokenStats(int(n), mi, 0.0, mi, mi, mo, 0.0, mo, mo, 0, 0.0, False)
    ingested = int(table["rows"].sum())
    found = [Problem(k, len(w), w[:FIRST_LINES]) for k, w in problems.items()]
    return Usage(fmt.name, fmt.description, [s.name for s in sources], task_col,
                 ingested + sum(p.count for p in found), ingested,
                 grouped.drop(columns=["rows"]), tokens, problems=found,
                 cannot_give=fmt.cannot_give, bucket_hours=width, catalog=catalog,
                 notes=[f"aggregated export in {width}-hour buckets: token sizes are means "
                        "only" + ("; no hour-of-day shape" if width >= 24 else "")])


def _read_document(src: Source) -> bytes:
    """The document's bytes (decompressed), refused above MAX_DOCUMENT_BYTES before
    it is parsed."""
    limit = MAX_DOCUMENT_BYTES
    try:
        if src.compression != "gzip":
            return read_regular(src.path, limit, "JSON documents")
        with gzip.open(src.path, "rb") as f:
            data = f.read(limit + 1)
    except UnreadableFile as e:
        raise LogError(src.name, f"{e.reason} (the bound MAX_DOCUMENT_BYTES in "
                       "breakeven/logs/aggregated.py; split the export into files)") from None
    except (OSError, EOFError, zlib.error) as e:
        raise LogError(src.name, f"cannot read ({e})") from None
    if len(data) > limit:
        raise LogError(src.name, f"more than {limit:,} bytes decompressed; JSON documents "
                       "are at most that (the bound MAX_DOCUMENT_BYTES in "
                       "breakeven/logs/aggregated.py); split the export into files")
    return data


def _openai_pages(src: Source, problems: dict[str, list[str]]) -> pd.DataFrame:
    data = _read_document(src)
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise LogError(src.name, f"not a JSON document ({e})") from None
    except RecursionError:
        raise LogError(src.name, "not a usage API page (JSON nested too deep)") from None
    pages = doc if isinstance(doc, list) else [doc]
    rows = []
    for p, page in enumerate(pages, 1):
        if not (isinstance(page, dict) and isinstance(page.get("data"), list)):
            raise LogError(src.name, "not an OpenAI usage API page (no 'data' list of buckets)")
        for b, bucket in enumerate(page["data"], 1):
            kind = _bucket_rows(bucket, rows)
            if kind:
                problems.setdefault(kind, []).append(f"{src.name}: page {p} bucket {b}")
    out = pd.DataFrame(rows, columns=["hour", "bucket_hours", "model", "project_id",
                                      "requests", "input_tokens", "cached_tokens",
                                      "output_tokens", "logged_cost", "rows"])
    out["hour"] = pd.to_datetime(out["hour"], unit="s", utc=True)
    return out


def _bucket_rows(bucket, rows: list[dict]) -> str | None:
    """Append a usage bucket's results to ``rows``; or the problem that keeps the
    whole bucket out."""
    if not isinstance(bucket, dict) or not isinstance(bucket.get("results", []), list):
        return "not a bucket object"
    start, end = bucket.get("start_time"), bucket.get("end_time")
    if not (_is_number(start) and _is_number(end)):
        return "bad timestamp"
    if not (EARLIEST_TIMESTAMP <= start < end <= time.time() + LATEST_AHEAD_S
            and end - start <= MAX_BUCKET_HOURS * 3600):
        return "bad timestamp"
    start, end = int(start), int(end)
    found = []
    for r in bucket.get("results", []):
        if not isinstance(r, dict):
            return "not a bucket object"
        values = [r.get("num_model_requests"), r.get("input_tokens"),
                  r.get("input_cached_tokens") or 0, r.get("output_tokens")]
        if not all(_is_number(v) for v in values):
            return "non-numeric tokens"
        if min(values) < 0:
            return "negative tokens"
        found.append({
            "hour": start, "bucket_hours": max(1, (end - start) // 3600),
            "model": str(r.get("model") or "(all)"),
            "project_id": str(r.get("project_id") or "(none)"),
            "requests": float(values[0]), "input_tokens": float(values[1]),
            "cached_tokens": float(values[2]), "output_tokens": float(values[3]),
            "logged_cost": np.nan, "rows": 1,
        })
    rows.extend(found)
    return None


def _is_number(v) -> bool:
    """A finite JSON number (not a bool, a string, 1e999 or NaN)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _litellm_daily(con, src: Source, problems: dict[str, list[str]]) -> pd.DataFrame:
    q = Query()
    df = q.run(con, f"select * from read_csv({q.bind(src.path)}, header=true, "
               "all_varchar=true, ignore_errors=true, store_rejects=true)").df()
    # A row DuckDB cannot read (bad UTF-8, a broken quote) is a counted bad record.
    for line, kind in q.run(con, "select distinct r.line, r.error_type from reject_errors r "
                            "join reject_scans s using (scan_id) where s.file_path = "
                            f"{q.bind(src.path)} order by r.line").fetchall():
        problems.setdefault(reject_kind(kind), []).append(f"{src.name}:line {line}")

    def num(col):
        return pd.to_numeric(df[col], errors="coerce").fillna(0.0) if col in df else 0.0
    out = pd.DataFrame({
        "hour": pd.to_datetime(df["date"], utc=True, errors="coerce", format="ISO8601"),
        "bucket_hours": 24,
        "model": df["model"].fillna("(all)") if "model" in df else "(all)",
        "requests": num("api_requests"),
        "input_tokens": num("prompt_tokens"),  # includes cache reads, as OpenAI counts
        "cached_tokens": num("cache_read_input_tokens"),
        "output_tokens": num("completion_tokens"),
        "logged_cost": num("spend"),
        "rows": 1,
    })
    # Epoch seconds as floats, NaN for an unreadable date (a column of only
    # unreadable dates would otherwise stay datetimes and refuse the comparison).
    seconds = pd.Series([t.timestamp() if pd.notna(t) else np.nan for t in out["hour"]],
                        index=out.index, dtype=float)
    numbers = out[["requests", "input_tokens", "cached_tokens", "output_tokens",
                   "logged_cost"]].to_numpy(dtype=float)
    kinds = pd.Series(None, index=out.index, dtype=object)
    kinds[~np.isfinite(numbers).all(axis=1)] = "non-numeric tokens"
    kinds[(numbers < 0).any(axis=1)] = "negative tokens"
    kinds[~seconds.between(EARLIEST_TIMESTAMP, time.time() + LATEST_AHEAD_S)] = "bad timestamp"
    for kind, rows in kinds.dropna().groupby(kinds.dropna()).groups.items():
        problems.setdefault(kind, []).extend(f"{src.name}:row {i + 1}" for i in rows)
    return out[kinds.isna()]
