"""How numbers look in text, the same in the terminal and every report."""

from __future__ import annotations


def money(x: float) -> str:
    """$1,234,567 style; $12.3k is ambiguous in a planning meeting."""
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def month(m: int | None, months: int) -> str:
    """A break-even month, or ``>H`` when it is not within the horizon."""
    return f">{months}" if m is None else str(int(m))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 cluster``, ``2 clusters``: a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def parameter(value) -> str:
    """A swept parameter's value as shown: a number in at most 6 digits, anything
    else (a model name in a route, a mapping) as written."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.6g}"
    return str(value)


def cache_tiers(model: dict) -> str:
    """A resolved model's cache TTL tiers: minutes, write multiplier and storage,
    the default first ("5 min 1.25x, 60 min 2x")."""
    tiers = [{"ttl_minutes": model["cache_ttl_minutes"],
              "write_multiplier": model["cache_write_multiplier"],
              "storage_per_mtok_hour": model["cache_storage_per_mtok_hour"]},
             *model["cache_ttl_tiers"]]
    return ", ".join(f"{t['ttl_minutes']:g} min {t['write_multiplier']:g}x"
                     + (f" +${t['storage_per_mtok_hour']:g}/M-h"
                        if t["storage_per_mtok_hour"] else "") for t in tiers)
