"""Aggregated usage exports: buckets of time, not requests. OpenAI's organization
Usage API (``/v1/organization/usage/completions`` pages) and LiteLLM's daily spend
table. They give request counts and token totals per bucket, so the fit can
estimate rates, trend and (with hourly buckets) the hour-of-day shape, but not
the per-request token distribution (only means) nor the prefix length.
"""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd

from ..errors import LogError
from .formats import LogFormat
from .sources import Source
from .usage import TokenStats, Usage

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
    cols = {c for (c,) in con.execute(
        f"select column_name from (describe select * from read_csv('{src.path}', "
        "header=true, all_varchar=true) limit 1)").fetchall()}
    return {"date", "api_requests", "spend"} <= cols


def read_aggregated(con, sources: list[Source], task: str | None) -> Usage:
    frames, fmt = [], None
    for src in sources:
        if src.kind == "json-document":
            frames.append(_openai_pages(src))
            fmt = OPENAI_USAGE
        else:
            frames.append(_litellm_daily(con, src, task))
            fmt = LITELLM_DAILY
    table = pd.concat(frames, ignore_index=True)
    width = int(table.pop("bucket_hours").max())
    task_col = task if fmt is OPENAI_USAGE and task else "model"
    if task_col not in table.columns:
        raise LogError(sources[0].name, f"--task {task}: the export has no such field "
                       f"(it has {', '.join(c for c in table.columns if c != 'hour')})")
    table["task"] = table[task_col].astype(str)
    from .prices import catalog_name, catalog_prices, list_cost

    prices = catalog_prices()
    catalog_of = {m: catalog_name(str(m), set(prices)) for m in table["model"].unique()}
    table["list_cost"] = np.nan
    for model, c in catalog_of.items():
        if c is not None:
            rows = table["model"] == model
            table.loc[rows, "list_cost"] = list_cost(
                prices[c], table.loc[rows, "input_tokens"], table.loc[rows, "cached_tokens"],
                0.0, table.loc[rows, "output_tokens"])
    table["cost"] = table["logged_cost"].fillna(table["list_cost"]).fillna(0.0)
    table["cost_mismatch"] = 0
    table["cache_write_tokens"] = 0.0
    grouped = table.groupby(["task", "model", "hour"], as_index=False).sum(numeric_only=True)
    grouped["catalog_model"] = grouped["model"].map(catalog_of)
    tokens = {}
    for t, g in grouped.groupby("task"):
        n = g["requests"].sum()
        if n <= 0:
            raise LogError(sources[0].name, f"task {t}: the export has tokens but no request "
                           "counts, so rates cannot be fitted")
        mi, mo = g["input_tokens"].sum() / n, g["output_tokens"].sum() / n
        tokens[t] = TokenStats(int(n), mi, 0.0, mi, mi, mo, 0.0, mo, mo, 0, 0.0, False)
    records = int(table["rows"].sum())
    return Usage(fmt.name, fmt.description, [s.name for s in sources], task_col,
                 records, records, grouped.drop(columns=["rows"]), tokens,
                 cannot_give=fmt.cannot_give, bucket_hours=width,
                 notes=[f"aggregated export in {width}-hour buckets: token sizes are means "
                        "only" + ("; no hour-of-day shape" if width >= 24 else "")])


def _openai_pages(src: Source) -> pd.DataFrame:
    opener = gzip.open if src.compression == "gzip" else open
    try:
        with opener(src.path, "rt", encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise LogError(src.name, f"not a JSON document ({e})") from None
    pages = doc if isinstance(doc, list) else [doc]
    rows = []
    for page in pages:
        if not (isinstance(page, dict) and isinstance(page.get("data"), list)):
            raise LogError(src.name, "not an OpenAI usage API page (no 'data' list of buckets)")
        for bucket in page["data"]:
            try:
                start, end = int(bucket["start_time"]), int(bucket["end_time"])
                for r in bucket.get("results", []):
                    rows.append({
                        "hour": start, "bucket_hours": max(1, (end - start) // 3600),
                        "model": r.get("model") or "(all)",
                        "project_id": r.get("project_id") or "(none)",
                        "requests": float(r["num_model_requests"]),
                        "input_tokens": float(r["input_tokens"]),
                        "cached_tokens": float(r.get("input_cached_tokens") or 0),
                        "output_tokens": float(r["output_tokens"]),
                        "logged_cost": np.nan, "rows": 1,
                    })
            except (KeyError, TypeError, ValueError) as e:
                raise LogError(src.name, f"bucket at start_time {bucket.get('start_time')!r}: "
                               f"missing or bad field {e}") from None
    if not rows:
        raise LogError(src.name, "the usage pages hold no results")
    out = pd.DataFrame(rows)
    out["hour"] = pd.to_datetime(out["hour"], unit="s", utc=True)
    return out


def _litellm_daily(con, src: Source, task: str | None) -> pd.DataFrame:
    df = con.execute(f"select * from read_csv('{src.path}', header=true, all_varchar=true)").df()
    def num(col):
        return pd.to_numeric(df[col], errors="coerce").fillna(0.0) if col in df else 0.0
    out = pd.DataFrame({
        "hour": pd.to_datetime(df["date"], utc=True, errors="coerce"),
        "bucket_hours": 24,
        "model": df.get("model", "(all)"),
        "requests": num("api_requests"),
        "input_tokens": num("prompt_tokens"),  # includes cache reads, as OpenAI counts
        "cached_tokens": num("cache_read_input_tokens"),
        "output_tokens": num("completion_tokens"),
        "logged_cost": num("spend"),
        "rows": 1,
    })
    bad = out["hour"].isna()
    if bad.all():
        raise LogError(src.name, "no row has a readable date")
    return out[~bad]
