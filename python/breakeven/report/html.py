"""The report as one self-contained HTML file: inline styles, charts as inline PNG,
no scripts and no network access needed to open it.
"""

from __future__ import annotations

import base64
import io
from html import escape

from .. import plots
from . import tables
from .content import ReportContent, precision_line

STYLE = """
body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em;
       margin-top: 2em; }
.recommendation { background: #eef6fb; border-left: 4px solid #0072B2; padding: 0.8em 1em;
       font-size: 1.1em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.3em 0.6em; text-align: right; }
th { background: #f6f6f6; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; } .note { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
"""


def html_table(table: tables.Table) -> str:
    header, rows = table
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure_png(fig) -> str:
    """A matplotlib Figure as a data URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _img(fig, alt: str) -> str:
    return (
        f'<img src="{figure_png(fig)}" alt="{escape(alt)}">' if fig is not None else ""
    )


def render_html(c: ReportContent, result) -> str:
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Break-even report: {escape(c.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Break-even report: {escape(c.title)}</h1>",
        f"<p class='note'>{escape(c.description)}</p>" if c.description else "",
        "<h2>Recommendation</h2>",
        f"<p class='recommendation'>{escape(c.recommendation)}</p>",
        "<h2>Strategies</h2>",
        f"<p class='note'>Costs in USD over {c.months} months; savings and break-even "
        f"against {escape(c.baseline)}. p5/p95 are over Monte Carlo paths.</p>",
        html_table(tables.strategy_table(c)),
        "<h2>Monthly cost</h2>",
        _img(plots.plot_fan(result), "monthly cost fan chart per strategy"),
        "<h2>Cumulative cost and break-even</h2>",
        _img(plots.plot_cumulative(result), "cumulative cost per strategy"),
        _img(plots.plot_break_even(result), "probability of breaking even by month"),
        "<h2>Where the money goes</h2>",
        _img(plots.plot_breakdown(result), "cost by part and by workload"),
        html_table(tables.parts_table(c)),
        html_table(tables.workload_table(c)),
    ]
    if c.clusters:
        out += [
            "<h2>Clusters</h2>",
            _img(plots.plot_cluster(result), "GPUs, utilization and turned-away requests"),
            html_table(tables.cluster_table(c)),
        ]
        kinds = tables.gpu_kind_table(c)
        if kinds:
            out += ["<h3>GPUs by kind</h3>", html_table(kinds)]
    if c.limits:
        out += ["<h2>Rate limits</h2>", html_table(tables.limits_table(c))]
    if c.price_paths:
        out += [
            "<h2>Prices over the horizon</h2>",
            _img(plots.plot_price_paths(result), "price factor per month"),
            html_table(tables.price_path_table(c)),
        ]
    for d in c.decisions:
        out += [f"<h2>{escape(d.title)}</h2>", f"<p>{escape(d.text)}</p>",
                _img(d.figure, d.title)]
        if d.table:
            out.append(html_table(d.table))
    out += [
        "<h2>Assumptions</h2>",
        "<h3>Workloads</h3>",
        html_table(tables.workload_assumptions(c.assumptions)),
        "<h3>Strategies</h3>",
        html_table(tables.strategy_assumptions(c.assumptions)),
        "<h3>Prices (USD per 1M tokens)</h3>",
        html_table(tables.model_assumptions(c)),
    ]
    if c.assumptions["clusters"]:
        out += ["<h3>Clusters</h3>", html_table(tables.cluster_assumptions(c))]
    if c.scenario_text is not None:
        out += ["<h3>Scenario file</h3>", f"<pre>{escape(c.scenario_text)}</pre>"]
    out += [
        "<h2>Precision</h2>",
        f"<p>{escape(precision_line(c))}</p>",
        html_table(tables.precision_table(c)),
        "</body></html>",
    ]
    return "\n".join(x for x in out if x)
