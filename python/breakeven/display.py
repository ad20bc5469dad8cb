"""Notebook display of a Scenario (a Result displays its document's summary)."""

from __future__ import annotations

from html import escape

from .presentation.html import html_table
from .report.tables import strategy_assumptions, workload_assumptions


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
