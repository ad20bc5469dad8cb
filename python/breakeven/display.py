"""Notebook display: ``_repr_html_`` of Scenario and Result."""

from __future__ import annotations

from html import escape

from .report.content import build_content
from .report.html import figure_png, html_table
from .report.tables import strategy_assumptions, strategy_table, workload_assumptions


def scenario_html(scenario) -> str:
    c = scenario.resolved()
    head = (
        f"<b>Scenario {escape(c['name'])}</b>: {len(c['workloads'])} workloads, "
        f"{len(c['strategies'])} strategies, {c['horizon_months']} months, "
        f"baseline {escape(c['baseline'])}"
    )
    return (
        f"<div>{head}<br>{html_table(workload_assumptions(c))}"
        f"{html_table(strategy_assumptions(c))}</div>"
    )


def result_html(result) -> str:
    c = build_content(result)
    fig = result.plot_fan()
    fig.set_size_inches(6.5, 3.2)
    return (
        f"<div><b>{escape(c.title)}</b>: {escape(result.mode)}, {result.paths:,} path{'s' if result.paths != 1 else ''}, "
        f"seed {result.seed}<br><i>{escape(c.recommendation)}</i>"
        f"{html_table(strategy_table(c))}<img src='{figure_png(fig)}' alt='monthly cost'></div>"
    )
