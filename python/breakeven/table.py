"""Plain-text tables for the terminal."""

from __future__ import annotations

import pandas as pd


def money(x: float) -> str:
    """$1,234,567 style; $12.3k is ambiguous in a planning meeting."""
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def _month(m, horizon: int) -> str:
    return f">{horizon}" if pd.isna(m) else str(int(m))


def _render(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def format_summary(result) -> str:
    """The summary a person reads after ``breakeven run``."""
    df = result.summary()
    h = result.months
    header = [
        "strategy",
        "mean/month",
        f"total {h} mo",
        "p5",
        "p95",
        "savings",
        "p5-p95",
        "break-even p50",
        "p90",
        "P(within)",
    ]
    rows = []
    for name, r in df.iterrows():
        is_base = name == result.baseline
        rows.append(
            [
                name + (" (baseline)" if is_base else ""),
                money(r.mean_monthly_cost),
                money(r.total_cost),
                money(r.total_cost_p5),
                money(r.total_cost_p95),
                "-" if is_base else f"{r.savings_pct:.1f}%",
                "-" if is_base else f"{r.savings_pct_p5:.1f}..{r.savings_pct_p95:.1f}%",
                "-" if is_base else _month(r.break_even_p50_month, h),
                "-" if is_base else _month(r.break_even_p90_month, h),
                "-" if is_base else f"{r.p_break_even:.0%}",
            ]
        )
    title = (
        f"{result.scenario.name}: {result.mode}, {result.paths} path{'s' if result.paths != 1 else ''}, "
        f"seed {result.seed}, "
        f"{h} months (USD)"
    )
    if result.precision is not None:
        title += f"; precision {result.precision:g} " + (
            "met" if result.precision_met else "NOT met: raise --paths"
        )
    notes = (
        "savings: share of the baseline's total cost saved over the horizon; "
        f"break-even: first month the cumulative saving is >= 0 (>{h}: not within horizon)"
    )
    return "\n".join([title, "", _render(header, rows, set(range(1, 10))), "", notes])


def format_models(df: pd.DataFrame) -> str:
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
            "-" if pd.isna(r.cached_input) else f"{r.cached_input:.3f}",
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
        + _render(header, rows, {2, 3, 4, 5, 6, 7, 8})
    )
