"""The report as Markdown: text and tables (charts are in the HTML and PDF reports)."""

from __future__ import annotations

import re

from . import tables
from .content import ReportContent, precision_line


# Characters that Markdown (CommonMark, and GitHub's tables, strikethrough and math)
# would read as markup: a name or description such as ``[x](javascript:...)``,
# ``*bold*``, ``_it_`` or ``$x$`` is shown as written, never as a link, emphasis or
# math. Left as they are, for a readable file: ``_`` inside a word (CommonMark never
# reads it as emphasis) and ``$`` before a digit (money: math cannot open or close
# there).
_MARKUP = re.compile(r"([\\`*\[\]|~#!]|\$(?!\d)|(?<![^\W_])_|_(?![^\W_]))")


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKUP.sub(r"\\\1", text)


def _table(table: tables.Table) -> str:
    header, rows = table
    lines = ["| " + " | ".join(map(_escape, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(_escape, r)) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(c: ReportContent) -> str:
    parts = [
        f"# Break-even report: {_escape(c.title)}",
        _escape(c.description) if c.description else "",
        "## Recommendation",
        _escape(c.recommendation),
        "## Strategies",
        f"Costs in USD over {c.months} months; savings and break-even against "
        f"{_escape(c.baseline)}. p5/p95 are over Monte Carlo paths.",
        _table(tables.strategy_table(c)),
        "## Where the money goes",
        "Total over the horizon, mean over paths, by part:",
        _table(tables.parts_table(c)),
        "By workload (API and overflow costs, and GPU time by the GPU-seconds each used):",
        _table(tables.workload_table(c)),
    ]
    if c.clusters:
        parts += ["## Clusters", _table(tables.cluster_table(c))]
        kinds = tables.gpu_kind_table(c)
        if kinds:
            parts += ["### GPUs by kind", _table(kinds)]
    if c.limits:
        parts += ["## Rate limits", _table(tables.limits_table(c))]
    if c.price_paths:
        parts += [
            "## Prices over the horizon",
            "Price factor (month 1 = 1): median (p5-p95) over paths.",
            _table(tables.price_path_table(c)),
        ]
    for d in c.decisions:
        parts += [f"## {d.title}", _escape(d.text)]
        if d.table:
            parts.append(_table(d.table))
    parts += [
        "## Assumptions",
        "### Workloads",
        _table(tables.workload_assumptions(c.assumptions)),
        "### Strategies",
        _table(tables.strategy_assumptions(c.assumptions)),
        "### Prices (USD per 1M tokens)",
        _table(tables.model_assumptions(c)),
    ]
    if c.assumptions["clusters"]:
        parts += ["### Clusters", _table(tables.cluster_assumptions(c))]
    parts += [
        "## Precision",
        _escape(precision_line(c)),
        _table(tables.precision_table(c)),
    ]
    return "\n\n".join(x for x in parts if x) + "\n"
