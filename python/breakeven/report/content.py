"""What a report says, independent of its format: the recommendation, the strategy
table, where the money goes, the clusters, the assumptions and the precision.
Every number comes from the result JSON v1 (``Result.as_dict()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..constants import (
    DEFAULT_MAX_UNSERVED,
    HOURS_PER_MONTH,
    MIN_SLO_MET,
    NOT_SERVED,
    PART_NAMES,
    checked_max_unserved,
)
from .. import _core
from ..formatting import money
from ..routes import route_targets


@dataclass(frozen=True)
class StrategyRow:
    name: str
    is_baseline: bool
    monthly_mean: float
    monthly_p5: float  # of a path's average month
    monthly_p95: float
    total_mean: float
    total_se: float
    total_p5: float
    total_p95: float
    savings_mean: float  # fraction of the baseline's total
    savings_p5: float
    savings_p95: float
    break_even_p50: int | None
    break_even_p90: int | None
    p_within: float | None
    unserved_share: float  # of all requests over the horizon (mean path): NOT_SERVED
    # The share of hours in breach of its worst workload's slo (1 - the least P(SLO
    # met)); None when no workload has an slo.
    slo_breach: float | None = None


@dataclass(frozen=True)
class ClusterRow:
    strategy: str
    gpus_mean: float  # mean GPUs provisioned over the horizon
    utilization: float  # served / provisioned GPU-seconds over the horizon
    overflow_requests: float
    unserved_requests: float
    details: dict[str, float]  # DETAIL_NAMES -> total over the horizon (model v2)


@dataclass(frozen=True)
class LimitRow:
    """What API rate limits did to one strategy over the horizon (model v2)."""

    strategy: str
    requests: float  # all requests of the strategy
    fallback: float  # sent to a rate limit's fallback model
    rate_limited: float  # over a limit with no fallback: not served


@dataclass
class ReportContent:
    title: str
    description: str
    recommendation: str
    months: int
    baseline: str
    strategies: list[StrategyRow]
    parts: dict[str, dict[str, float]]  # strategy -> part -> total over horizon
    workloads: dict[str, dict[str, float]]  # strategy -> workload -> total
    clusters: list[ClusterRow]
    limits: list[LimitRow]
    price_paths: dict[str, dict[str, list[float]]]  # name -> band of factors per month
    assumptions: dict  # the resolved scenario
    scenario_text: str | None  # the file as written, if loaded from a file
    models_used: dict[str, dict] = field(default_factory=dict)
    precision: dict = field(default_factory=dict)
    max_unserved: float = DEFAULT_MAX_UNSERVED  # a recommended plan leaves at most this
    history: dict | None = None  # the logs a fitted scenario came from (result JSON)
    band_sources: dict | None = None  # Result.band_sources(): parameters vs traffic


def history_warning(history: dict | None) -> str | None:
    """What a forecast fitted from a short history must say first; None otherwise."""
    if not history or not history["short"]:
        return None
    logs = f" of {history['logs']} logs" if history["logs"] else " of logs"
    return (f"This scenario was fitted from {history['days']:.1f} days{logs}, under "
            f"{_core.LIMITS['short_history_days'] / 7:g} weeks: its level, growth and "
            "week-to-week swings are mostly assumed, and its bands hold that doubt "
            "(each workload's uncertainty:). Refit when more weeks of logs are in.")


def precision_line(c: ReportContent) -> str:
    """Mode, paths, seed, precision target and version, as one sentence."""
    p = c.precision
    paths = f"{p['paths']:,} path{'s' if p['paths'] != 1 else ''}"
    target = (
        ""
        if p["target"] is None
        else (
            f", precision target {p['target']:g} ({'met' if p['met'] else 'not met'})"
        )
    )
    return f"{p['mode']} mode, {paths}, seed {p['seed']}{target}; breakeven {p['engine_version']}."


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_changes(resolved: dict, baseline: str, chosen: str) -> str:
    """What `chosen` does differently from `baseline`, as an instruction."""
    by_name = {s["name"]: s for s in resolved["strategies"]}
    base, best = by_name[baseline], by_name[chosen]
    moves: dict[str, list[str]] = {}
    for w in resolved["workloads"]:
        target = best["route"][w["name"]]
        if target != base["route"][w["name"]]:
            moves.setdefault(target, []).append(w["name"])
    actions = []
    for target, names in moves.items():
        if target in resolved["clusters"]:
            actions.append(f"self-host {_join(names)} on {target}")
        else:
            actions.append(f"route {_join(names)} to {target}")
    if best["caching"] and not base["caching"]:
        actions.append("cache prompt prefixes")
    has_batch = any(w["latency"] == "batch" for w in resolved["workloads"])
    if best["batch_api"] and not base["batch_api"] and has_batch:
        actions.append("use batch APIs for batch work")
    if not actions:
        return f"Switch to {chosen}"
    text = _join(actions)
    return text[0].upper() + text[1:]


def unserved_share(strategy: dict) -> float:
    """The share of a strategy's requests (result JSON) not served over the horizon."""
    requests = {k: sum(v) for k, v in strategy["requests"].items()}
    total = sum(requests.values())
    return sum(requests[k] for k in NOT_SERVED) / total if total > 0 else 0.0


def slo_breach(strategy: dict) -> float | None:
    """The share of hours (result JSON) a strategy misses its worst workload's slo
    in; None when no workload has an slo."""
    if "slo" not in strategy:
        return None
    return max((1.0 - v["p_met"] for v in strategy["slo"].values()), default=0.0)


def _slo_misses(strategy: dict) -> dict[str, float]:
    """Workloads whose slo the strategy meets in fewer than MIN_SLO_MET of hours:
    name -> P(SLO met)."""
    return {w: v["p_met"] for w, v in strategy.get("slo", {}).items()
            if v["p_met"] < MIN_SLO_MET}


def _why_passed_over(strategy: dict, max_unserved: float) -> list[str]:
    """Why a plan may not be recommended: too many requests not served, or a
    workload's slo missed in too many hours (judged on the mean over paths)."""
    reasons = []
    if unserved_share(strategy) > max_unserved:
        reasons.append(f"leaves {unserved_share(strategy):.1%} of requests unserved, "
                       f"above the {max_unserved:.1%} allowed")
    reasons += [f"meets the latency SLO of {w} in {met:.1%} of hours, below the "
                f"{MIN_SLO_MET:.0%} required"
                for w, met in _slo_misses(strategy).items()]
    return reasons


def _passed_over(doc: dict, max_unserved: float) -> list[dict]:
    """Strategies that may not be recommended (see _why_passed_over)."""
    return [s for s in doc["strategies"] if _why_passed_over(s, max_unserved)]


def recommendation(doc: dict, resolved: dict,
                   max_unserved: float = DEFAULT_MAX_UNSERVED) -> str:
    """One sentence: the cheapest strategy on average that serves all but at most
    ``max_unserved`` of its requests and meets each workload's slo in at least
    MIN_SLO_MET of hours, with its uncertainty; then the cheaper ones passed over,
    and why."""
    baseline = doc["baseline"]
    months = doc["horizon_months"]
    too_lossy = _passed_over(doc, max_unserved)
    with_slo = any("slo" in s for s in doc["strategies"])
    keeps = "that serves the requests " + ("and keeps the SLOs " if with_slo else "")
    keeping = [s for s in doc["strategies"] if s not in too_lossy]
    if not keeping:
        if not with_slo:
            return (f"No strategy serves all but {max_unserved:.1%} of requests: every "
                    "one leaves more unserved (" + ", ".join(
                        f"{s['name']} {unserved_share(s):.1%}" for s in too_lossy)
                    + ").")
        return (f"No strategy serves all but {max_unserved:.1%} of requests and keeps "
                "its latency SLOs: " + "; ".join(
                    f"{s['name']} " + ", ".join(_why_passed_over(s, max_unserved))
                    for s in too_lossy) + ".")
    best = min(keeping, key=lambda s: s["total_cost"]["mean"])
    cheaper = [s for s in too_lossy if s["total_cost"]["mean"] < best["total_cost"]["mean"]]
    passed = "" if not cheaper else " Passed over, though cheaper: " + "; ".join(
        f"{s['name']} ({'; '.join(_why_passed_over(s, max_unserved))})"
        for s in cheaper) + "."
    if best["name"] == baseline:
        return (
            f"Keep {baseline}: no alternative "
            f"{keeps if cheaper else ''}is cheaper on average "
            f"over {months} months "
            f"(mean {money(best['total_cost']['mean'])})." + passed
        )
    sav = best["savings_vs_baseline"]
    band = f"{100 * sav['p5']:.0f}-{100 * sav['p95']:.0f}%"
    spread = (
        ""
        if band == f"{100 * sav['p5']:.0f}-{100 * sav['p5']:.0f}%"
        else f" (p5-p95 {band})"
    )
    text = (
        f"{describe_changes(resolved, baseline, best['name'])} ({best['name']}): saves "
        f"{100 * sav['mean']:.0f}%{spread} against {baseline} over {months} months"
    )
    be = best["break_even"]
    if be["p50_month"] != 1 or be["p_within_horizon"] < 1:
        when = (
            f"breaks even in month {be['p50_month']}"
            if be["p50_month"]
            else "the median path does not break even"
        )
        p90 = be["p90_month"] if be["p90_month"] else f">{months}"
        text += f"; {when} (p90 {p90}, probability {be['p_within_horizon']:.0%} within the horizon)"
    return text + "." + passed


def build_content(result, max_unserved: float = DEFAULT_MAX_UNSERVED) -> ReportContent:
    checked_max_unserved(max_unserved)
    doc = result.as_dict()
    scenario = result.scenario
    resolved = scenario.resolved()
    months = doc["horizon_months"]
    rows, parts, workloads, clusters, limits = [], {}, {}, [], []
    for s in doc["strategies"]:
        be = s["break_even"]
        total, sav = s["total_cost"], s["savings_vs_baseline"]
        rows.append(
            StrategyRow(
                name=s["name"],
                is_baseline=s["name"] == doc["baseline"],
                monthly_mean=total["mean"] / months,
                monthly_p5=total["p5"] / months,
                monthly_p95=total["p95"] / months,
                total_mean=total["mean"],
                total_se=total["se"],
                total_p5=total["p5"],
                total_p95=total["p95"],
                savings_mean=sav["mean"],
                savings_p5=sav["p5"],
                savings_p95=sav["p95"],
                break_even_p50=be["p50_month"] if be else None,
                break_even_p90=be["p90_month"] if be else None,
                p_within=be["p_within_horizon"] if be else None,
                unserved_share=unserved_share(s),
                slo_breach=slo_breach(s),
            )
        )
        parts[s["name"]] = {p: sum(s["parts"][p]) for p in PART_NAMES}
        workloads[s["name"]] = {w: sum(v) for w, v in s["workload_cost"].items()}
        gpu_hours = sum(s["gpu_hours"])
        if gpu_hours > 0:
            clusters.append(
                ClusterRow(
                    strategy=s["name"],
                    gpus_mean=gpu_hours / (HOURS_PER_MONTH * months),
                    utilization=s["utilization_over_horizon"],
                    overflow_requests=sum(s["requests"]["overflow"]),
                    unserved_requests=sum(s["requests"]["unserved"]),
                    details={k: sum(v) for k, v in s["details"].items()},
                )
            )
        fallback = sum(s["details"]["fallback_requests"])
        limited = sum(s["requests"]["rate_limited"])
        if fallback or limited:
            limits.append(
                LimitRow(
                    strategy=s["name"],
                    requests=sum(sum(v) for v in s["requests"].values()),
                    fallback=fallback,
                    rate_limited=limited,
                )
            )
    used = {t for s in resolved["strategies"] for t in route_targets(s)}
    used |= {c["overflow"] for c in resolved["clusters"].values() if c["overflow"]}
    models_used = {n: m for n, m in resolved["models"].items() if n in used}
    precision = {
        "mode": doc["mode"],
        "paths": doc["paths"],
        "seed": doc["seed"],
        "engine_version": doc["engine_version"],
        "target": (doc.get("precision") or {}).get("target"),
        "met": (doc.get("precision") or {}).get("met"),
    }
    text = scenario.path.read_text(encoding="utf-8") if scenario.path else None
    return ReportContent(
        title=doc["scenario"],
        description=resolved["description"].strip(),
        recommendation=recommendation(doc, resolved, max_unserved),
        months=months,
        baseline=doc["baseline"],
        strategies=rows,
        parts=parts,
        workloads=workloads,
        clusters=clusters,
        limits=limits,
        price_paths=doc["price_paths"],
        assumptions=resolved,
        scenario_text=text,
        models_used=models_used,
        precision=precision,
        max_unserved=max_unserved,
        history=doc.get("history"),
        band_sources=result.band_sources(),
    )
