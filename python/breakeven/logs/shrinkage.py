"""How much of a fitted rate and growth a short history supports (docs/ingest.md
"Growth and parameter uncertainty").

Growth over a few weeks is mostly week-to-week noise: two weeks of history whose
second week is 8.5% busier is +43% a month if read as a trend. So growth enters a
fitted scenario through a normal prior and the estimate's standard error:

    g_used = (g_raw / se^2 + m / s^2) / (1 / se^2 + 1 / s^2)
    sd     = (1 / se^2 + 1 / s^2) ^ -1/2

with the prior ``N(m, s^2)`` (default ``N(0, 0.05^2)`` a month: most planning
horizons do not see a sustained +/-10% a month; ``growth_prior`` sets another) and
``se`` the larger of the bootstrap's and what week-to-week swings of ``sigma_w``
give a least-squares slope over the history's ``n`` weeks,
``sigma_w / sqrt(n (n^2 - 1) / 12)`` per week, times 730 / 168 per month. Where the
history is too short to fit ``sigma_w`` (under 3 weeks), ``sigma_w`` is pooled
across tasks (pooling.py) with ``ASSUMED_WEEKLY_SIGMA`` as its prior;
under 14 days growth is not fitted and is the prior's. The rate's relative
standard error adds the level's doubt from the same swings, ``sigma_w / sqrt(n)``.
``sd`` and that error become the workload's ``uncertainty:``, which the engine draws
per path (docs/model.md "Parameter uncertainty").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_GROWTH_PRIOR = (0.0, 0.05)  # mean, sd per month
# Week-to-week sd of log traffic, the prior of the one pooled across tasks where
# the logs are too short to fit it (under 3 weeks): a bundled scenario's
# "weekly_p95_over_p5: 3".
ASSUMED_WEEKLY_SIGMA = 0.33
WEEKS_PER_MONTH = 730 / 168
# A rate known to within a factor of e either way: a task of a handful of requests
# (its bootstrap error can be many times its rate) is drawn no wider.
MAX_RATE_UNCERTAINTY = 1.0


@dataclass
class Growth:
    """One task's growth: what the data say, the prior, and what the scenario uses."""

    raw: float | None  # the fit's estimate (None: not fitted, under 14 days)
    se: float | None  # its standard error, swings included
    prior: tuple[float, float]
    used: float
    sd: float  # the used value's standard deviation (uncertainty.growth_per_month)


def checked_prior(prior) -> tuple[float, float]:
    from ..errors import OptionError

    try:
        mean, sd = (float(x) for x in prior)
    except (TypeError, ValueError):
        raise OptionError("growth_prior", f"must be (mean, sd) (got {prior!r})") from None
    if not (math.isfinite(mean) and -1 < mean <= 1 and math.isfinite(sd) and 0 < sd <= 1):
        raise OptionError("growth_prior", "mean must be in (-1, 1] and sd in (0, 1] "
                          f"per month (got {mean:g}, {sd:g})")
    return mean, sd


def swing_se(days: float, weekly_sigma: float) -> float:
    """The growth a month that week-to-week swings fake over ``days`` of history:
    the standard error of a least-squares slope over its weeks."""
    n = max(days / 7, 1.0)
    spread = n * (n * n - 1) / 12
    return weekly_sigma / math.sqrt(spread) * WEEKS_PER_MONTH if spread > 0 else math.inf


def growth(raw: float | None, bootstrap_se: float | None, days: float,
           weekly_sigma: float, prior=DEFAULT_GROWTH_PRIOR) -> Growth:
    mean, sd = prior
    if raw is None:
        return Growth(None, None, prior, mean, sd)
    se = max(bootstrap_se or 0.0, swing_se(days, weekly_sigma))
    if se == 0:  # no swings fitted and no bootstrap: the estimate as it is
        return Growth(raw, se, prior, raw, 0.0)
    precision = 1 / se**2 + 1 / sd**2
    used = (raw / se**2 + mean / sd**2) / precision
    return Growth(raw, se, prior, used, 1 / math.sqrt(precision))


def rate_uncertainty(rate: float, bootstrap_se: float | None, days: float,
                     weekly_sigma: float) -> float:
    """The rate's relative standard error: the bootstrap's and the level's doubt
    from week-to-week swings over the history's weeks."""
    relative = (bootstrap_se or 0.0) / rate if rate > 0 else 0.0
    return min(math.sqrt(relative**2 + weekly_sigma**2 / max(days / 7, 1.0)),
               MAX_RATE_UNCERTAINTY)
