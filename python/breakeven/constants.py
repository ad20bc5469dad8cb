"""The engine's constants and names, read from it (never restated): a leaf module
that the rest of the package imports without pulling in anything else."""

from __future__ import annotations

from . import _core

PART_NAMES: tuple[str, ...] = tuple(_core.PART_NAMES)
SERVED_NAMES: tuple[str, ...] = tuple(_core.SERVED_NAMES)
DETAIL_NAMES: tuple[str, ...] = tuple(_core.DETAIL_NAMES)
HOURS_PER_MONTH: int = _core.HOURS_PER_MONTH
SECONDS_PER_HOUR: float = _core.SECONDS_PER_HOUR
LIMITS: dict = dict(_core.LIMITS)

REPORT_FORMATS = ("html", "md", "pdf", "json")
# `breakeven check`: a stochastic statistic passes within this many standard errors.
DEFAULT_K = 4.0
