"""The statistics that expectations and recordings name, e.g. ``routed.savings.mean``.

Each statistic's value is read from the result JSON (the engine's numbers, one
source of truth); its uncertainty, for comparing stochastic runs, comes from the
per-path arrays:

- means: standard error of the mean;
- ratios of means (savings.mean, *_share): delta-method standard error;
- percentiles and break-even months: the order statistics k sqrt(n q (1-q)) ranks
  either side of the estimate (a distribution-free interval);
- p_within_horizon: binomial standard error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import HOURS_PER_MONTH, PART_NAMES, SECONDS_PER_HOUR, SERVED_NAMES

_BAND = ("mean", "p5", "p50", "p95")
FIXED_STATISTICS = (
    *(f"total_cost.{b}" for b in (*_BAND, "se")),
    "mean_monthly_cost",
    *(f"savings.{b}" for b in _BAND),
    *(f"savings_at_horizon.{b}" for b in _BAND),
    "break_even.p50_month",
    "break_even.p90_month",
    "break_even.p_within_horizon",
    *(f"part_share.{p}" for p in PART_NAMES),
    *(f"requests_share.{r}" for r in SERVED_NAMES),
    "utilization.mean",
    "gpu_hours.mean",
)
NEVER = float("inf")  # a break-even month beyond the horizon


class UnknownStatistic(ValueError):
    pass


@dataclass(frozen=True)
class Estimate:
    """A statistic's value and the interval of values a rerun would plausibly give."""

    value: float
    low: float
    high: float


def describe_statistics() -> str:
    return ", ".join([*FIXED_STATISTICS, "workload_share.<workload>[+<workload>...]",
                      "slo_met.<workload>"])


def validate_statistic(stat: str, workloads: list[str]) -> None:
    if stat in FIXED_STATISTICS:
        return
    if stat.startswith("workload_share."):
        names = stat.removeprefix("workload_share.").split("+")
        unknown = [n for n in names if n not in workloads]
        if unknown:
            raise UnknownStatistic(
                f"unknown workload '{unknown[0]}' in '{stat}' (workloads: {', '.join(workloads)})"
            )
        return
    if stat.startswith("slo_met."):
        name = stat.removeprefix("slo_met.")
        if name not in workloads:
            raise UnknownStatistic(
                f"unknown workload '{name}' in '{stat}' "
                f"(workloads: {', '.join(workloads)})"
            )
        return
    raise UnknownStatistic(
        f"unknown statistic '{stat}' (statistics: {describe_statistics()})"
    )


def _quantile_interval(samples: np.ndarray, q: float, k: float) -> tuple[float, float]:
    ordered = np.sort(samples)
    n = len(ordered)
    rank = q * (n - 1)
    half = k * np.sqrt(n * q * (1 - q))
    lo = int(np.clip(np.floor(rank - half), 0, n - 1))
    hi = int(np.clip(np.ceil(rank + half), 0, n - 1))
    return float(ordered[lo]), float(ordered[hi])


def _mean_se(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1) / np.sqrt(len(x))) if len(x) > 1 else 0.0


def _ratio_se(a: np.ndarray, b: np.ndarray) -> float:
    """Standard error of mean(a)/mean(b) by the delta method."""
    if len(a) < 2 or np.mean(b) == 0:
        return 0.0
    r = np.mean(a) / np.mean(b)
    return float(np.std(a - r * b, ddof=1) / np.sqrt(len(a)) / abs(np.mean(b)))


def _month_samples(result, strategy: str) -> np.ndarray:
    months = result.break_even_months(strategy).astype(float)
    return np.where(months > 0, months, NEVER)


def estimate(result, strategy: str, stat: str, k: float = 4.0) -> Estimate:
    """Value of ``strategy.stat`` and a k-standard-error interval around it."""
    doc = result.as_dict()
    s = result.strategies.index(strategy)
    js = doc["strategies"][s]
    cost = result.cost[s]  # (paths, months)
    total = cost.sum(axis=1)
    base = result.cost[result.strategies.index(result.baseline)].sum(axis=1)
    months = result.months

    def around(value, se):
        return Estimate(value, value - k * se, value + k * se)

    group, _, field = stat.partition(".")
    if group == "total_cost":
        if field in ("mean", "se"):
            return around(
                js["total_cost"][field], _mean_se(total) if field == "mean" else 0.0
            )
        value = js["total_cost"][field]
        return Estimate(value, *_quantile_interval(total, int(field[1:]) / 100, k))
    if stat == "mean_monthly_cost":
        return around(js["total_cost"]["mean"] / months, _mean_se(total) / months)
    if group in ("savings", "savings_at_horizon"):
        key = "savings_vs_baseline" if group == "savings" else None
        band = js[key] if key else (js["break_even"] or {}).get("savings_at_horizon")
        if band is None:  # the baseline saves nothing against itself
            return Estimate(0.0, 0.0, 0.0)
        if field == "mean":
            se = (
                _ratio_se(base - total, base)
                if group == "savings"
                else _mean_se(base - total)
            )
            return around(band["mean"], se)
        safe_base = np.where(base > 0, base, 1.0)
        samples = (base - total) / safe_base if group == "savings" else base - total
        return Estimate(
            band[field], *_quantile_interval(samples, int(field[1:]) / 100, k)
        )
    if group == "break_even":
        be = js["break_even"]
        if be is None:
            raise UnknownStatistic(
                f"'{strategy}' is the baseline: it has no break-even"
            )
        if field == "p_within_horizon":
            p = be[field]
            return around(p, np.sqrt(max(p * (1 - p), 1 / result.paths) / result.paths))
        value = NEVER if be[field] is None else float(be[field])
        q = 0.5 if field == "p50_month" else 0.9
        return Estimate(
            value, *_quantile_interval(_month_samples(result, strategy), q, k)
        )
    if group == "part_share":
        i = PART_NAMES.index(field)
        value = sum(js["parts"][field]) / max(sum(js["monthly_cost"]["mean"]), 1e-300)
        return around(value, _ratio_se(result.parts[s, ..., i].sum(axis=1), total))
    if group == "requests_share":
        i = SERVED_NAMES.index(field)
        all_requests = sum(sum(v) for v in js["requests"].values())
        value = sum(js["requests"][field]) / max(all_requests, 1e-300)
        req = result.requests[s]
        return around(value, _ratio_se(req[..., i].sum(axis=1), req.sum(axis=(1, 2))))
    if group == "workload_share":
        names = field.split("+")
        idx = [result.workloads.index(n) for n in names]
        value = sum(sum(js["workload_cost"][n]) for n in names) / max(
            sum(js["monthly_cost"]["mean"]), 1e-300
        )
        part = result.workload_cost[s][..., idx].sum(axis=(1, 2))
        return around(value, _ratio_se(part, total))
    if group == "slo_met":  # P(SLO met): share of the horizon's hours not in breach
        if field not in js.get("slo", {}):
            raise UnknownStatistic(f"workload '{field}' has no slo")
        breach = result.slo_breach_hours[s][..., result.workloads.index(field)]
        met = 1.0 - breach.sum(axis=1) / (months * HOURS_PER_MONTH)
        return around(js["slo"][field]["p_met"], _mean_se(met))
    if stat == "utilization.mean":
        served = result.gpu_seconds_served[s].sum(axis=1)
        provisioned = result.gpu_hours[s].sum(axis=1) * SECONDS_PER_HOUR
        return around(js["utilization_over_horizon"], _ratio_se(served, provisioned))
    if stat == "gpu_hours.mean":
        return around(
            float(np.mean(js["gpu_hours"])), _mean_se(result.gpu_hours[s].mean(axis=1))
        )
    raise UnknownStatistic(
        f"unknown statistic '{stat}' (statistics: {describe_statistics()})"
    )
