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
# Requests a strategy does not serve: dropped by a cluster with no overflow, or over
# an API rate limit with no fallback.
NOT_SERVED = ("unserved", "rate_limited")
# The largest share of requests a plan may leave not served and still be recommended
# (the optimizer's --max-unserved, the report's and the summary's).
DEFAULT_MAX_UNSERVED = 0.001
# The least share of hours a plan must meet each workload's slo in to be
# recommended (the report's and the optimizer's; docs/model.md "Serving latency").
MIN_SLO_MET = 0.99


def checked_max_unserved(value: float) -> float:
    """``value`` if it is a share (0 to 1), else an OptionError naming max_unserved."""
    from .errors import OptionError

    if not 0 <= value <= 1:
        raise OptionError("max_unserved", f"must be a share between 0 and 1 (got {value})")
    return value
# `breakeven check`: a stochastic statistic passes within this many standard errors.
DEFAULT_K = 4.0
