"""The report's tables as (header, rows) of text, shared by every format."""

from __future__ import annotations

import math

from ..constants import MIN_SLO_MET, PART_NAMES
from ..formatting import cache_tiers, money, month
from ..presentation import Table
from .content import ReportContent

# A cluster busy less than this share of its GPU-seconds is flagged: most of what it
# costs buys idle GPUs (fewer GPUs, autoscaling or the API would likely do better).
LOW_UTILIZATION = 0.2


def strategy_table(c: ReportContent) -> Table:
    header = [
        "strategy",
        "mean / month",
        "avg month p5",
        "avg month p95",
        f"total {c.months} mo",
        "total p5",
        "total p95",
        "savings",
        "savings p5-p95",
        "break-even p50",
        "p90",
        "P(within horizon)",
        "unserved",
    ]
    rows = []
    for r in c.strategies:
        base = r.is_baseline
        rows.append(
            [
                r.name + (" (baseline)" if base else ""),
                money(r.monthly_mean),
                money(r.monthly_p5),
                money(r.monthly_p95),
                money(r.total_mean),
                money(r.total_p5),
                money(r.total_p95),
                "-" if base else f"{100 * r.savings_mean:.1f}%",
                "-"
                if base
                else f"{100 * r.savings_p5:.1f}% to {100 * r.savings_p95:.1f}%",
                "-" if base else month(r.break_even_p50, c.months),
                "-" if base else month(r.break_even_p90, c.months),
                "-" if base else f"{r.p_within:.0%}",
                _unserved(r.unserved_share, c.max_unserved),
            ]
        )
    if any(r.slo_breach is not None for r in c.strategies):
        header.append("SLO breach")
        for row, r in zip(rows, c.strategies):
            row.append(slo_breach_cell(r.slo_breach))
    return header, rows


def band_sources_table(c: ReportContent) -> Table:
    """Each strategy's horizon band, the same with fixed parameters, and the
    parameters' share of its variance (c.band_sources must be set)."""
    header = ["strategy", f"total {c.months} mo p5-p95", "traffic noise alone p5-p95",
              "parameters' share of variance"]
    rows = [[name, f"{money(b['p5'])} to {money(b['p95'])}",
             f"{money(b['traffic_p5'])} to {money(b['traffic_p95'])}",
             f"{b['parameter_share']:.0%}"]
            for name, b in c.band_sources["strategies"].items()]
    return header, rows


def slo_breach_cell(share: float | None) -> str:
    """The share of hours the worst workload's slo is missed in; flagged when the
    plan may not be recommended for it (MIN_SLO_MET)."""
    if share is None:
        return "-"
    text = "0%" if share == 0 else "<0.01%" if share < 1e-4 else f"{share:.2%}"
    return text + (" (over cap)" if 1.0 - share < MIN_SLO_MET else "")


def _unserved(share: float, cap: float) -> str:
    """A share of requests not served; flagged when above what a recommended plan
    may leave."""
    text = "0%" if share == 0 else "<0.01%" if share < 1e-4 else f"{share:.2%}"
    return text + (" (over cap)" if share > cap else "")


def parts_table(c: ReportContent) -> Table:
    used = [p for p in PART_NAMES if any(v[p] for v in c.parts.values())]
    header = ["strategy", *used, "total"]
    rows = [
        [name, *(money(v[p]) for p in used), money(sum(v.values()))]
        for name, v in c.parts.items()
    ]
    return header, rows


def workload_table(c: ReportContent) -> Table:
    names = [w["name"] for w in c.assumptions["workloads"]]
    header = ["strategy", *names]
    rows = [[s, *(money(v[w]) for w in names)] for s, v in c.workloads.items()]
    return header, rows


def cluster_table(c: ReportContent) -> Table:
    header = [
        "strategy",
        "mean GPUs",
        "utilization achieved",
        "overflow requests",
        "unserved requests",
    ]
    rows = [
        [
            r.strategy,
            f"{r.gpus_mean:.2f}",
            f"{r.utilization:.0%}" + (" (low)" if r.utilization < LOW_UTILIZATION else ""),
            f"{r.overflow_requests:,.0f}",
            f"{r.unserved_requests:,.0f}",
        ]
        for r in c.clusters
    ]
    return header, rows


def gpu_kind_table(c: ReportContent) -> Table | None:
    """GPU-hours and cost by kind (committed, on demand, spot) and spot outage
    hours, over the horizon; None when every GPU was rented on demand."""
    kinds = [("committed", "committed"), ("on_demand", "on demand"), ("spot", "spot")]
    if not any(
        r.details["committed_gpu_hours"] or r.details["spot_gpu_hours"]
        or r.details["spot_outage_hours"]
        for r in c.clusters
    ):
        return None
    header = ["strategy"]
    for _, label in kinds:
        header += [f"{label} GPU-hours", f"{label} cost"]
    header.append("spot outage hours")
    rows = []
    for r in c.clusters:
        row = [r.strategy]
        for key, _ in kinds:
            row += [f"{r.details[key + '_gpu_hours']:,.0f}", money(r.details[key + "_gpu_cost"])]
        row.append(f"{r.details['spot_outage_hours']:,.0f}")
        rows.append(row)
    return header, rows


def limits_table(c: ReportContent) -> Table:
    header = ["strategy", "sent to fallback", "share", "rate-limited (not served)", "share"]
    rows = [
        [
            r.strategy,
            f"{r.fallback:,.0f}",
            f"{r.fallback / r.requests:.1%}",
            f"{r.rate_limited:,.0f}",
            f"{r.rate_limited / r.requests:.1%}",
        ]
        for r in c.limits
    ]
    return header, rows


def price_path_table(c: ReportContent) -> Table:
    """Each moving price's factor at the first, middle and last month: median and
    p5-p95 over paths."""
    shown = sorted({1, (c.months + 1) // 2, c.months})
    header = ["price", *(f"month {m}" for m in shown)]
    rows = [
        [
            name,
            *(
                f"{band['p50'][m - 1]:.2f} ({band['p5'][m - 1]:.2f}-{band['p95'][m - 1]:.2f})"
                for m in shown
            ),
        ]
        for name, band in c.price_paths.items()
    ]
    return header, rows


def _tokens(t: dict) -> str:
    return f"{t['mean']:,.0f}" + (f" (sd {t['sd']:,.0f})" if t["sd"] else "")


def _conversation(c: dict | None) -> str:
    """Turns, the gap's shape and the history per turn, or "none"."""
    if c is None:
        return "none"
    gap = c["gap_minutes"]
    if "cdf" in gap:
        gap_text = f"gap cdf of {len(gap['cdf'])} points"
    else:
        gap_text = f"gap p50 {math.exp(gap['mu']):.3g} min"
    return (f"{c['mean_turns']:.3g} turns, {gap_text}, "
            f"+{c['history_tokens_per_turn']:,.0f} tokens/turn")


def workload_assumptions(resolved: dict) -> Table:
    header = [
        "workload",
        "requests / day",
        "input tokens",
        "prefix",
        "conversation",
        "output tokens",
        "latency",
        "growth / month",
        "weekly spike sigma",
        "bursts / month",
    ]
    rows = []
    for w in resolved["workloads"]:
        latency = w["latency"] + (
            f" ({w['deadline_hours']} h)" if w["latency"] == "batch" else ""
        )
        rows.append(
            [
                w["name"],
                f"{24 * w['requests_per_hour']:,.0f}",
                _tokens(w["input_tokens"]),
                f"{w['prefix_tokens']:,.0f} x {w['prefix_variants']}",
                _conversation(w["conversation"]),
                _tokens(w["output_tokens"]),
                latency,
                f"{100 * w['growth_per_month']:.1f}%",
                f"{w['spikiness']['sigma']:.2f} (phi {w['spikiness']['autocorrelation']:.2f})"
                if w["spikiness"]["sigma"]
                else "none",
                f"{w['bursts']['per_month']:g} x {w['bursts']['hours']} h x {w['bursts']['multiplier']:g}"
                if w["bursts"]["per_month"]
                else "none",
            ]
        )
    return header, rows


def model_assumptions(c: ReportContent) -> Table:
    header = [
        "model",
        "input",
        "cached input",
        "output",
        "cache TTL, write x",
        "min cache tokens",
        "batch discount",
        "as of",
        "source",
    ]
    rows = [
        [
            name,
            f"${m['input']:g}",
            "-" if m["cached_input"] is None else f"${m['cached_input']:g}",
            f"${m['output']:g}",
            cache_tiers(m),
            f"{m['cache_min_tokens']:,.0f}",
            f"{m['batch_discount']:.0%}",
            m["as_of"] or "-",
            m["source"] or "scenario file",
        ]
        for name, m in c.models_used.items()
    ]
    return header, rows


def cluster_assumptions(c: ReportContent) -> Table:
    header = [
        "cluster",
        "$ / GPU-hour",
        "GPUs",
        "prefill tok/s/GPU",
        "decode tok/s/GPU",
        "utilization cap",
        "prefix reuse",
        "from month",
        "overflow",
        "fixed costs",
    ]
    rows = []
    for name, k in c.assumptions["clusters"].items():
        g, f = k["gpus"], k["fixed"]
        gpus = (
            f"{g['min']}-{g['max']} (lag {g['lag_hours']} h"
            + (", to the SLO)" if g["scale_to"] == "slo" else ")")
            if g["autoscaled"]
            else str(g["max"])
        )
        fixed = (
            f"setup {money(f['setup'])}, {money(f['ops_per_month'])}/month ops, "
            f"{f['staff_fte']:g} FTE x {money(f['staff_annual_cost'])}/year"
        )
        if f["revalidation_every_months"]:
            fixed += f", {money(f['revalidation_cost'])} every {f['revalidation_every_months']} months"
        # Rates from the serving catalog's roofline say so wherever they are shown.
        estimate = " (estimate)" if (k.get("serving") or {}).get("basis") == "estimate" else ""
        rows.append(
            [
                name,
                f"${k['gpu_price_per_hour']:g}",
                gpus,
                f"{k['prefill_tokens_per_s']:,.0f}{estimate}",
                f"{k['decode_tokens_per_s']:,.0f}{estimate}",
                f"{k['utilization']:.0%}",
                f"{k['prefix_reuse']:.0%}",
                str(k["available_from_month"]),
                k["overflow"] or "none",
                fixed,
            ]
        )
    return header, rows


def serving_table(resolved: dict) -> Table | None:
    """Clusters whose rates came from `serving:`: what they resolved to, with the
    basis (a published measurement, your bench, or a roofline ESTIMATE)."""
    header = ["cluster", "serving", "basis", "GPUs/replica", "memory GB (weights + KV / usable)",
              "prefill tok/s/GPU", "decode tok/s/GPU", "source", "as of"]
    rows = []
    for name, k in resolved["clusters"].items():
        v = k.get("serving")
        if not v:
            continue
        parts = [v["model"], v["gpu"], v["precision"]] + ([v["engine"]] if v["engine"] else [])
        spec = "/".join(parts)
        rows.append([
            name, f"{spec}, {v['concurrency']:g} in flight x {v['context_tokens']:,.0f} tokens",
            "ESTIMATE (roofline)" if v["basis"] == "estimate" else v["basis"],
            str(v["gpus_per_replica"]),
            f"{v['weights_gb']:,.1f} + {v['kv_cache_gb']:,.1f} / {v['usable_gb']:,.1f}",
            f"{k['prefill_tokens_per_s']:,.0f}", f"{k['decode_tokens_per_s']:,.0f}",
            v["source"], v["as_of"] or "-"])
    return (header, rows) if rows else None


def _caching(strategy: dict) -> str:
    """"off", "on" (each model's default TTL), or the TTLs asked per workload."""
    if not strategy["caching"]:
        return "off"
    asked = {w: t for w, t in strategy["cache_ttl_minutes"].items() if t}
    return "on" + "".join(f"; {w}: {t:g} min" for w, t in asked.items())


def route_quality(resolved: dict, workload: str, target: str) -> str:
    """`` (quality 0.86 [0.82, 0.90])``: the quality table's score of a route, with
    its interval where an eval gave one; empty where the table has no score."""
    q = resolved.get("quality", {}).get(target, {}).get(workload)
    if q is None:
        return ""
    if q["level"] is None:
        return f" (quality {q['mean']:.3g})"
    return (f" (quality {q['mean']:.3g} [{q['low']:.3g}, {q['high']:.3g}] "
            f"{q['level']:.0%})")


def strategy_assumptions(resolved: dict) -> Table:
    header = ["strategy", "routes", "caching", "batch API"]
    rows = [
        [
            s["name"],
            ", ".join(f"{w}: {t}{route_quality(resolved, w, t)}"
                      for w, t in s["route"].items()),
            _caching(s),
            "on" if s["batch_api"] else "off",
        ]
        for s in resolved["strategies"]
    ]
    return header, rows


def precision_table(c: ReportContent) -> Table:
    header = ["strategy", "total (mean)", "standard error", "relative"]
    rows = [
        [
            r.name,
            money(r.total_mean),
            money(r.total_se),
            f"{r.total_se / r.total_mean:.3%}" if r.total_mean else "-",
        ]
        for r in c.strategies
    ]
    return header, rows
