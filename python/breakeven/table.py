"""Plain-text tables for the terminal. The strategy table is the report's
(report/tables.py), rendered as text: one implementation, one band format.
"""

from __future__ import annotations

from .constants import DEFAULT_MAX_UNSERVED
from .formatting import render_text


def format_summary(result, max_unserved: float = DEFAULT_MAX_UNSERVED) -> str:
    """The summary a person reads after ``breakeven run``: the strategy table and
    the recommendation (which passes over plans leaving more than ``max_unserved``
    of requests not served)."""
    from .report.content import build_content, precision_line
    from .report.tables import strategy_table

    content = build_content(result, max_unserved)
    header, rows = strategy_table(content)
    h = result.months
    notes = (
        "savings: share of the baseline's total cost saved over the horizon; "
        f"break-even: first month the cumulative saving is >= 0 (>{h}: not within horizon); "
        "unserved: share of requests dropped by a cluster or over a rate limit"
    )
    table = render_text(header, rows, set(range(1, len(header))))
    title = f"{content.title}: {h} months (USD); {precision_line(content)}"
    return "\n".join([title, "", table, *_model_v2_lines(content), "", notes, "",
                      content.recommendation])


def _model_v2_lines(content) -> list[str]:
    """What commitments, spot GPUs, rate limits and moving prices did, if used."""
    from .report.tables import gpu_kind_table, limits_table, price_path_table

    lines = []
    for heading, table in (
        ("GPUs by kind, over the horizon", gpu_kind_table(content)),
        ("Rate limits", limits_table(content) if content.limits else None),
        (
            "Price factor (month 1 = 1): median (p5-p95)",
            price_path_table(content) if content.price_paths else None,
        ),
    ):
        if table:
            header, rows = table
            lines += ["", heading, render_text(header, rows, set(range(1, len(header))))]
    return lines


def format_models(df) -> str:
    header = [
        "model",
        "provider",
        "input",
        "cached",
        "output",
        "write x",
        "min cache",
        "ttl min",
        "batch off",
        "as of",
    ]
    rows = [
        [
            name,
            r.provider,
            f"{r.input:.3f}",
            "-" if r.cached_input is None or r.cached_input != r.cached_input
            else f"{r.cached_input:.3f}",
            f"{r.output:.2f}",
            f"{r.cache_write_x:g}",
            f"{int(r.cache_min_tokens):,}",
            f"{r.cache_ttl_min:g}",
            f"{r.batch_discount:.0%}",
            str(r.as_of),
        ]
        for name, r in df.iterrows()
    ]
    return (
        "USD per 1M tokens (bundled catalog; a scenario's models: overrides by name)\n\n"
        + render_text(header, rows, {2, 3, 4, 5, 6, 7, 8})
    )


def format_offers(df) -> str:
    def price(x) -> str:
        return "-" if x is None or x != x else f"{x:.2f}"

    header = ["offer", "gpu", "provider", "on-demand", "committed", "term", "spot", "as of"]
    rows = [
        [
            name,
            r.gpu,
            r.provider,
            price(r.on_demand),
            price(r.committed),
            "-" if r.term_months is None or r.term_months != r.term_months
            else f"{int(r.term_months)} mo",
            price(r.spot),
            str(r.as_of),
        ]
        for name, r in df.iterrows()
    ]
    return (
        "GPU offers, USD per GPU-hour (a cluster names one with offer:)\n\n"
        + render_text(header, rows, {3, 4, 5, 6})
    )
