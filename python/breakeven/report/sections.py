"""A run's document: what ``breakeven run`` prints and ``breakeven report`` writes,
section by section, from the report content (content.py) and its tables
(tables.py). Charts are drawn only when a renderer asks for them."""

from __future__ import annotations

from functools import partial

from ..constants import MIN_SLO_MET
from ..presentation import Document, Section
from . import tables
from .content import ReportContent, history_warning, precision_line


def _chart(name: str, result):
    """Draws chart ``name`` of plots.py when a renderer asks (matplotlib is loaded
    then: printing a summary never loads it)."""
    from .. import plots

    return getattr(plots, name)(result)


def _low_utilization(c: ReportContent) -> str:
    low = [r for r in c.clusters if r.utilization < tables.LOW_UTILIZATION]
    if not low:
        return ""
    return (" Flagged (low): " + ", ".join(f"{r.strategy} uses {r.utilization:.0%} of the "
                                           "GPU-seconds it pays for" for r in low)
            + "; fewer GPUs, autoscaling or API overflow may cost less.")


def _slo_note(c: ReportContent) -> str:
    """What the SLO breach column is, where the table has one."""
    if all(r.slo_breach is None for r in c.strategies):
        return ""
    return (" SLO breach: the share of hours its worst workload misses its latency "
            f"SLO at a cluster (a recommended plan meets each in {MIN_SLO_MET:.0%} of "
            "hours or more).")


def run_document(result, c: ReportContent) -> Document:
    months, baseline = c.months, c.baseline
    s = [
        Section("Recommendation", c.recommendation, highlight=True, summary=True),
        Section("Strategies",
                f"Costs in USD over {months} months; savings and break-even against "
                f"{baseline}. p5/p95 are over Monte Carlo paths; 'avg month' is a path's "
                "total divided by its months. Unserved: the share of requests dropped by a "
                f"cluster or over a rate limit (a recommended plan leaves at most "
                f"{c.max_unserved:.1%})." + _slo_note(c),
                tables.strategy_table(c), summary=True),
        Section("Monthly cost", "Median and p5-p95 band over paths, per month.",
                figure=partial(_chart, "plot_fan", result), summary=True),
        Section("Cumulative cost and break-even",
                "Cumulative cost (mean and p5-p95 band) and the probability of having "
                f"broken even against {baseline} by each month.",
                figure=partial(_chart, "plot_cumulative", result)),
        Section("Break-even by month", figure=partial(_chart, "plot_break_even", result),
                level=3),
        Section("Where the money goes", "Total over the horizon, mean over paths.",
                figure=partial(_chart, "plot_breakdown", result)),
        Section("By part", table=tables.parts_table(c), level=3),
        Section("By workload", "API and overflow costs, and GPU time by the GPU-seconds "
                "each workload used.", tables.workload_table(c), level=3),
    ]
    if c.band_sources:  # beside the bands it splits
        s.insert(2, Section(
            "Where the band comes from",
            "Each path draws its workloads' rate and growth from their standard errors "
            "(uncertainty:); the same paths and seed with fixed parameters keep every "
            "traffic draw, so what their band lacks is the parameters' doubt. The share "
            "is of the horizon total's variance across paths (docs/model.md 'Parameter "
            "uncertainty').", tables.band_sources_table(c), summary=True))
    warning = history_warning(c.history)
    if warning:  # before anything it qualifies
        s.insert(0, Section("Fitted from a short history", warning, highlight=True,
                            summary=True))
    if c.clusters:
        s.append(Section("Clusters", "Mean GPUs provisioned, the share of their "
                         "GPU-seconds that served requests, and the requests turned "
                         "away." + _low_utilization(c), tables.cluster_table(c),
                         figure=partial(_chart, "plot_cluster", result), summary=True))
        kinds = tables.gpu_kind_table(c)
        if kinds:
            s.append(Section("GPUs by kind", "Over the horizon.", kinds, level=3,
                             summary=True))
    serving = tables.serving_table(c.assumptions)
    if serving:
        s.append(Section("Serving", "Clusters whose throughput comes from serving: the "
                         "serving catalog's published figure (measured), your own bench "
                         "files, or, where nothing is published, a roofline ESTIMATE from "
                         "the GPU's FLOPs and memory bandwidth; GPUs per replica from the "
                         "weights and the KV cache (docs/model.md 'Serving catalog and "
                         "memory fit').", serving, summary=True))
    if c.limits:
        s.append(Section("Rate limits", table=tables.limits_table(c), summary=True))
    if c.price_paths:
        s.append(Section("Prices over the horizon",
                         "Price factor (month 1 = 1): median (p5-p95) over paths.",
                         tables.price_path_table(c),
                         figure=partial(_chart, "plot_price_paths", result), summary=True))
    s += [
        Section("Assumptions", "The scenario as the engine read it: defaults filled "
                "in, prices from the catalog with their source and date."),
        Section("Workloads", table=tables.workload_assumptions(c.assumptions), level=3),
        Section("Strategies", table=tables.strategy_assumptions(c.assumptions), level=3),
        Section("Prices (USD per 1M tokens)", table=tables.model_assumptions(c), level=3),
    ]
    if c.assumptions["clusters"]:
        s.append(Section("Clusters", table=tables.cluster_assumptions(c), level=3))
    if c.scenario_text is not None:
        s.append(Section("Scenario file", code=c.scenario_text, level=3))
    s.append(Section("Precision", precision_line(c), tables.precision_table(c)))
    return Document(f"Break-even report: {c.title}", s,
                    f"{months} months, USD; {precision_line(c)}", c.description)
