"""The report as PDF, drawn with matplotlib alone (no browser needed)."""

from __future__ import annotations

import textwrap

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from .. import plots
from ..plots import plain
from . import tables
from .content import ReportContent, precision_line

A4_LANDSCAPE = (11.69, 8.27)


def _text_page(c: ReportContent) -> Figure:
    fig = Figure(figsize=A4_LANDSCAPE)
    fig.text(0.05, 0.93, f"Break-even report: {plain(c.title)}", fontsize=18, weight="bold")
    y = 0.88
    for para, size in ((c.recommendation, 12), (c.description, 9)):
        if not para:
            continue
        lines = textwrap.wrap(para, 130 if size < 12 else 110)
        fig.text(0.05, y, plain("\n".join(lines)), fontsize=size, va="top")
        y -= 0.03 * len(lines) * size / 10 + 0.03
    header, rows = tables.strategy_table(c)
    keep = [0, 1, 4, 5, 6, 7, 9, 10, 11, 12]  # the columns that fit a page
    ax = fig.add_axes((0.05, 0.05, 0.9, max(0.1, y - 0.1)))
    ax.axis("off")
    table = ax.table(
        cellText=[[plain(r[i]) for i in keep] for r in rows],
        colLabels=[plain(header[i]) for i in keep],
        loc="upper left",
        cellLoc="right",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.auto_set_column_width(list(range(len(keep))))
    fig.text(
        0.05,
        0.02,
        plain(f"{precision_line(c)} USD over {c.months} months against {c.baseline}."),
        fontsize=8,
        color="#555555",
    )
    return fig


def render_pdf(c: ReportContent, result, path) -> None:
    figures = [
        _text_page(c),
        plots.plot_fan(result),
        plots.plot_cumulative(result),
        plots.plot_break_even(result),
        plots.plot_breakdown(result),
        plots.plot_cluster(result),
        plots.plot_price_paths(result),
        *(d.figure for d in c.decisions),
    ]
    with PdfPages(path, metadata={"Title": f"Break-even report: {c.title}"}) as pdf:
        for fig in figures:
            if fig is not None:
                pdf.savefig(fig)
