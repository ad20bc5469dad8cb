"""Costs as FOCUS 1.2 rows (the FinOps Open Cost and Usage Specification), for
FinOps tools that read cloud bills: a forecast from a :class:`~breakeven.Result`
(one row per month, strategy and cost part) or spend from logs (one row per month,
task and model). BilledCost sums to the forecast's mean total cost per strategy, or
to the logs' total cost. docs/exports.md gives every column and the choices where
FOCUS asks for what a forecast cannot know.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from ..catalog import catalog
from ..constants import PART_NAMES
from ..errors import OptionError
from ..files import open_output
from ..routes import route_targets, targets_by_workload

CURRENCY = "USD"  # every price in the catalog and a scenario is in USD
# No bill stands behind these rows: documented placeholders where FOCUS wants an
# account that a provider would assign.
BILLING_ACCOUNT_ID = "breakeven-forecast"
BILLING_ACCOUNT_ID_LOGS = "breakeven-logs"
UNKNOWN = "unknown"  # a provider FOCUS requires but the scenario or log does not name
SERVICE_CATEGORY = "AI and Machine Learning"
SERVICE_SUBCATEGORY = "Generative AI"
API_SERVICE = "LLM API"
HOSTED_SERVICE = "Self-hosted LLM inference"
TOKENS = "Tokens"
GPU_HOURS = "GPU-Hours"
FORMATS = (".csv", ".parquet")
PARQUET_INSTALL = "pip install pyarrow"

# What each cost part of the engine is (docs/model.md, "Cost parts").
PART_DESCRIPTIONS = {
    "api_input": "API input tokens, uncached (cache writes included)",
    "cached_input": "API cached input tokens (cache reads)",
    "output": "API output tokens",
    "batch": "API batch requests (input and output at the batch price)",
    "overflow": "API cost of work a cluster turned away (overflow)",
    "gpu": "GPU rental (on-demand, committed and spot)",
    "fixed": "fixed costs: set-up, operations, staff, revalidation",
}
API_PARTS = ("api_input", "cached_input", "output", "batch", "overflow")

# FOCUS 1.2 columns written, in the specification's (alphabetical) order: the 21
# mandatory ones and the conditional or recommended ones these rows can fill.
FOCUS_COLUMNS = [
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "EffectiveCost",
    "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName",
    "PublisherName", "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId",
    "Tags",
]
# breakeven's own columns (FOCUS custom columns carry the x_ prefix).
EXTRA_COLUMNS = [
    "x_Source", "x_Scenario", "x_Strategy", "x_Task", "x_Workload", "x_Model",
    "x_CatalogModel", "x_Part", "x_ForecastMonth", "x_Statistic", "x_Requests", "x_InputTokens",
    "x_CachedInputTokens", "x_CacheWriteTokens", "x_OutputTokens",
]
COLUMNS = FOCUS_COLUMNS + EXTRA_COLUMNS
_COST_COLUMNS = ("BilledCost", "ContractedCost", "EffectiveCost", "ListCost")
_NUMBER_COLUMNS = (*_COST_COLUMNS, "ConsumedQuantity", "PricingQuantity", "x_Requests", "x_InputTokens", "x_CachedInputTokens",
                   "x_CacheWriteTokens", "x_OutputTokens")
_DATE_COLUMNS = ("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd",
                 "ChargePeriodStart")


# -- the calendar ---------------------------------------------------------------------
def next_month_start(today: dt.date | None = None) -> dt.datetime:
    """The first day of the month after ``today`` (default: today, UTC), 00:00 UTC."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    year, month = divmod(today.year * 12 + today.month, 12)  # month is 0-based here
    return dt.datetime(year, month + 1, 1, tzinfo=dt.timezone.utc)


def checked_start(start, option: str = "start") -> dt.datetime:
    """``start`` as 00:00 UTC on the first day of a month: None (the next month),
    a date or datetime, or text ``YYYY-MM`` or ``YYYY-MM-DD``; else an OptionError."""
    if start is None:
        return next_month_start()
    if isinstance(start, str):
        text = start.strip()
        try:
            start = dt.date.fromisoformat(text + "-01" if len(text) == 7 else text)
        except ValueError:
            raise OptionError(option, f"{start!r} is not a month: write YYYY-MM or "
                              "YYYY-MM-DD (the first day of a month)") from None
    if isinstance(start, dt.datetime):
        if start.tzinfo is not None:
            start = start.astimezone(dt.timezone.utc)
        if start.time() != dt.time(0):
            raise OptionError(option, f"{start.isoformat()} is not midnight on the first "
                              "day of a month")
        start = start.date()
    if not isinstance(start, dt.date):
        raise OptionError(option, f"must be a date (got {type(start).__name__})")
    if start.day != 1:
        raise OptionError(option, f"{start.isoformat()} is not the first day of a month")
    return dt.datetime(start.year, start.month, 1, tzinfo=dt.timezone.utc)


def _add_months(start: dt.datetime, months: int, option: str = "start") -> dt.datetime:
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    try:
        return start.replace(year=year, month=month + 1)
    except ValueError:
        raise OptionError(option, f"{start.date().isoformat()} plus {months} months passes "
                          "the year 9999") from None


# -- names to providers --------------------------------------------------------------
def _providers(names: list[str], kind: str) -> str:
    """The catalog's provider of each model (``kind="models"``) or GPU offer, joined;
    ``unknown`` for a name the catalog does not know (a model or cluster the
    scenario defines)."""
    known = catalog()[kind]
    found = sorted({known.get(n, {}).get("provider") or UNKNOWN for n in names})
    return "; ".join(found) if found else UNKNOWN


def _api_models(resolved: dict, route_targets: list[str]) -> list[str]:
    """The API models a strategy's token parts can bill: models it routes to, the
    overflow of each cluster or provisioned deployment it routes to and each rate
    limit's fallback."""
    models, clusters, provisioned = (resolved["models"], resolved["clusters"],
                                     resolved["provisioned"])
    found = {t for t in route_targets if t in models}
    found |= {clusters[t]["overflow"] for t in route_targets
              if t in clusters and clusters[t]["overflow"]}
    found |= {provisioned[t]["overflow"] for t in route_targets
              if t in provisioned and provisioned[t]["overflow"]}
    found |= {models[m]["rate_limit"]["fallback"] for m in list(found)
              if models[m]["rate_limit"] and models[m]["rate_limit"].get("fallback")}
    return sorted(found)


# -- rows of a forecast ----------------------------------------------------------------
def focus_from_result(result, start=None) -> pd.DataFrame:
    """FOCUS rows of a run: one per month, strategy and cost part with a mean cost
    that is not zero. The run's month 1 is the calendar month ``start`` (the first
    day of a month, default the next month, UTC); costs are means over the run's
    paths. Token counts are null: the engine costs tokens without counting them
    per part (docs/exports.md)."""
    first = checked_start(start)
    _add_months(first, result.months)  # a horizon past the calendar fails here, once
    summary = result.as_dict()
    resolved = result.scenario.resolved()
    statistic = f"mean over {result.paths:,} paths"
    rows = []
    for s, spec in zip(summary["strategies"], resolved["strategies"]):
        by_workload = targets_by_workload(spec)
        targets = route_targets(spec)
        models = _api_models(resolved, targets)
        clusters = sorted({t for t in targets if t in resolved["clusters"]})
        hosted = [w for w, ts in by_workload.items()
                  if any(t in resolved["clusters"] for t in ts)]
        # Workloads whose tokens an API bills: routed to a model, or to a cluster
        # that overflows to one.
        billed_by_api = [w for w, ts in by_workload.items()
                         if any(t not in resolved["clusters"]
                                or resolved["clusters"][t]["overflow"] for t in ts)]
        offers = [resolved["clusters"][c]["offer"] or c for c in clusters]
        for m in range(result.months):
            period = (_add_months(first, m), _add_months(first, m + 1))
            for part in PART_NAMES:
                cost = s["parts"][part][m]
                if cost == 0:
                    continue
                api = part in API_PARTS
                names = models if api else clusters
                row = _forecast_row(
                    cost, period, part, m + 1, statistic, summary["scenario"], s["name"],
                    names, _providers(models if api else offers,
                                      "models" if api else "gpu_offers"),
                    s["gpu_hours"][m] if part == "gpu" else None)
                row["x_Workload"] = "; ".join(billed_by_api if api else hosted) or None
                rows.append(row)
    return _frame(rows)


def _forecast_row(cost, period, part, month, statistic, scenario, strategy, names,
                  provider, gpu_hours) -> dict:
    api, fixed = part in API_PARTS, part == "fixed"
    if api:
        unit, quantity, consumed = TOKENS, None, None  # not counted per part
    elif fixed:
        unit, quantity, consumed = "Months", 1.0, None
    else:
        unit, quantity, consumed = GPU_HOURS, gpu_hours, gpu_hours
    return {
        **_costs(cost, cost), **_period(*period),
        "BillingAccountId": BILLING_ACCOUNT_ID, "BillingAccountName": scenario,
        "ChargeDescription": f"{PART_DESCRIPTIONS[part]}; strategy {strategy}, month "
                             f"{month}, forecast ({statistic})",
        "ChargeFrequency": "Recurring" if fixed else "Usage-Based",
        "ConsumedQuantity": consumed, "ConsumedUnit": None if fixed else unit,
        "InvoiceIssuerName": provider, "PricingQuantity": quantity, "PricingUnit": unit,
        "ProviderName": provider, "PublisherName": provider,
        "ServiceName": API_SERVICE if api else HOSTED_SERVICE,
        "SkuId": names[0] if len(names) == 1 else None,
        "Tags": json.dumps({"breakeven:scenario": scenario,
                            "breakeven:strategy": strategy}),
        "x_Source": "forecast", "x_Scenario": scenario, "x_Strategy": strategy,
        "x_Model": "; ".join(names) or None, "x_Part": part, "x_ForecastMonth": month,
        "x_Statistic": statistic,
    }


# -- rows of logs -------------------------------------------------------------------------
def focus_from_usage(usage) -> pd.DataFrame:
    """FOCUS rows of logs: one per calendar month (UTC), task and model, with the
    logged token counts; the charge period is the part of the month the logs
    cover. BilledCost is the usage's cost (logged where logged, else the list
    price); ListCost the catalog's list price where the catalog has the model."""
    t = usage.hourly_table
    month = t["hour"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M")
    keys = [month.rename("month"), t["task"], t["model"]]
    g = t.groupby(keys, sort=True, dropna=False).agg(
        requests=("requests", "sum"), input_tokens=("input_tokens", "sum"),
        cached_tokens=("cached_tokens", "sum"),
        cache_write_tokens=("cache_write_tokens", "sum"),
        output_tokens=("output_tokens", "sum"), cost=("cost", "sum"),
        list_cost=("list_cost", lambda c: c.sum(min_count=len(c))),
        catalog_model=("catalog_model", "first")).reset_index()
    first, last = usage.start, usage.end
    rows = []
    for r in g.itertuples(index=False):
        begin = r.month.start_time.tz_localize("UTC").to_pydatetime()
        end = (r.month + 1).start_time.tz_localize("UTC").to_pydatetime()
        charge = (max(begin, first), min(end, last))
        tokens = _number(r.input_tokens) + _number(r.output_tokens)
        listed = r.list_cost if pd.notna(r.list_cost) else r.cost
        catalog_model = r.catalog_model if isinstance(r.catalog_model, str) else None
        provider = _providers([catalog_model], "models") if catalog_model else UNKNOWN
        rows.append({
            **_costs(r.cost, listed), **_period(begin, end),
            "ChargePeriodStart": charge[0], "ChargePeriodEnd": charge[1],
            "BillingAccountId": BILLING_ACCOUNT_ID_LOGS, "BillingAccountName": usage.format,
            "ChargeDescription": f"{r.model} tokens for task {r.task}, "
                                 f"{r.month.strftime('%Y-%m')}, from {usage.format} logs",
            "ChargeFrequency": "Usage-Based",
            "ConsumedQuantity": tokens, "ConsumedUnit": TOKENS,
            "InvoiceIssuerName": provider, "PricingQuantity": tokens, "PricingUnit": TOKENS,
            "ProviderName": provider, "PublisherName": provider,
            "ServiceName": API_SERVICE, "SkuId": catalog_model or r.model,
            "Tags": json.dumps({"breakeven:task": r.task}),
            "x_Source": "logs", "x_Task": r.task, "x_Model": r.model,
            "x_CatalogModel": catalog_model,
            "x_Statistic": "logged", "x_Requests": _number(r.requests),
            "x_InputTokens": _number(r.input_tokens),
            "x_CachedInputTokens": _number(r.cached_tokens),
            "x_CacheWriteTokens": _number(r.cache_write_tokens),
            "x_OutputTokens": _number(r.output_tokens),
        })
    return _frame(rows)


def _number(x) -> float:
    return float(x) if pd.notna(x) else 0.0


# -- shared pieces --------------------------------------------------------------------
def _costs(billed: float, listed: float) -> dict:
    """The four FOCUS costs. A forecast and logs know one price per charge, with no
    negotiated or amortized rate apart: effective and contracted cost are what is
    billed."""
    billed = float(billed)
    return {"BilledCost": billed, "EffectiveCost": billed, "ContractedCost": billed,
            "ListCost": float(listed), "BillingCurrency": CURRENCY,
            "ChargeCategory": "Usage", "ChargeClass": None,
            "ServiceCategory": SERVICE_CATEGORY, "ServiceSubcategory": SERVICE_SUBCATEGORY}


def _period(begin: dt.datetime, end: dt.datetime) -> dict:
    return {"BillingPeriodStart": begin, "BillingPeriodEnd": end,
            "ChargePeriodStart": begin, "ChargePeriodEnd": end}


def _frame(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=COLUMNS)
    for c in _NUMBER_COLUMNS:
        table[c] = pd.to_numeric(table[c], errors="coerce").astype("float64")
    table["x_ForecastMonth"] = table["x_ForecastMonth"].astype("Int64")
    for c in _DATE_COLUMNS:
        table[c] = pd.to_datetime(table[c], utc=True)
    # Text columns stay text when every row is null (x_Task of a forecast), so
    # that Parquet types them as strings.
    for c in COLUMNS:
        if c not in _NUMBER_COLUMNS and c not in _DATE_COLUMNS and c != "x_ForecastMonth":
            table[c] = table[c].astype("string")
    return table


def focus_table(source, start=None) -> pd.DataFrame:
    """FOCUS rows of a Result (:func:`focus_from_result`) or a logs Usage
    (:func:`focus_from_usage`; ``start`` must then be None: logs carry dates)."""
    from ..logs.usage import Usage

    if isinstance(source, Usage):
        if start is not None:
            raise OptionError("start", "applies to a forecast only: logs carry their dates")
        return focus_from_usage(source)
    return focus_from_result(source, start)


def focus_format(path: str | os.PathLike, option: str = "focus") -> str:
    """``.csv`` or ``.parquet`` from the file's suffix; Parquet only with pyarrow.
    Checked before any work, so a bad name fails before a run."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise OptionError(option, f"{path}: write a .csv or .parquet file (got "
                          f"{suffix or 'no suffix'})")
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401 - only to know it is there
        except ImportError:
            raise OptionError(option, f"{path}: writing Parquet needs pyarrow: "
                              f"{PARQUET_INSTALL} (or write a .csv)") from None
    return suffix


def write_focus(source, path: str | os.PathLike, start=None,
                option: str = "focus") -> Path:
    """Write the FOCUS rows of a Result or a logs Usage to ``path`` (.csv or
    .parquet by suffix) and return the path. Dates are ISO 8601 UTC
    (``2026-01-01T00:00:00Z``); nulls are empty cells. OptionError names
    ``option`` and the file for a bad suffix, a missing pyarrow or a file that
    cannot be written; ``start`` for a start that is not a month."""
    suffix = focus_format(path, option)
    table = focus_table(source, start)
    if suffix == ".parquet":
        with open_output(path, option, binary=True) as f:
            table.to_parquet(f, index=False)
    else:
        with open_output(path, option) as f:
            table.to_csv(f, index=False, lineterminator="\n",
                         date_format="%Y-%m-%dT%H:%M:%SZ")
    return Path(path)

