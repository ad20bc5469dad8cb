"""How numbers and tables look in text, the same in the terminal and every report."""

from __future__ import annotations


def money(x: float) -> str:
    """$1,234,567 style; $12.3k is ambiguous in a planning meeting."""
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def month(m: int | None, months: int) -> str:
    """A break-even month, or ``>H`` when it is not within the horizon."""
    return f">{months}" if m is None else str(int(m))


def render_text(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    """A plain-text table with aligned columns (``right``: right-aligned ones)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
