"""What one task's history cannot tell, borrowed from the other tasks (docs/ingest.md
"Pooled across tasks").

1. **Swings under 3 weeks.** One week of a task cannot show how its level moves
   from week to week, but it shows how its level moved between the history's
   halves: each steady task's log ratio of its second half's requests to its
   first half's (against the fitted shape) has variance 2 sigma^2 plus what
   Poisson and hourly noise put there. A task's sigma^2 has a scaled inverse
   chi-square prior fitted to every steady task's move by maximum marginal
   likelihood (empirical Bayes; ``ASSUMED_WEEKLY_SIGMA`` counted as
   ``PRIOR_TASKS`` tasks), and its weekly sigma is its posterior mean.
2. **A task silent in every fitted day** is not a task at rate 0: it is a task
   off so far. Its days on and off are the Markov chain of the tasks that had days
   off (their moves pooled, the silent ones' days included), and its level on a
   day on is one of the levels of the tasks heard: the lognormal of their rates on
   days on (mean and sd of the logs across tasks), drawn per path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import LIMITS
from .estimators import (
    PARAMETERS,
    SCALARS,
    Calendar,
    TaskEstimate,
    _ar1_mean_variance,
    activity_of_moves,
    day_moves,
    days_on,
)
from .shrinkage import ASSUMED_WEEKLY_SIGMA
from .traffic_fit import BOUNDS

# The prior swing counts as this many tasks' halves: a log of one task keeps
# mostly the prior, one of dozens mostly its own tasks.
PRIOR_TASKS = 4
# The engine's bound on a rate's relative uncertainty (uncertainty.requests).
MAX_SPREAD = LIMITS["max_sigma"]


@dataclass(frozen=True)
class PooledSwings:
    """Weekly sigma per task: the posterior mean of each steady task's given its own
    half-history move and the prior fitted across tasks; the prior's for the rest."""

    sigma: np.ndarray  # per task
    prior_sigma: float  # s of the fitted prior scaled-inv-chi2(nu, s^2)
    prior_df: float  # nu
    tasks: int  # steady tasks whose halves it used


def pooled_swings(counts: np.ndarray, cal: Calendar,
                  estimates: list[TaskEstimate]) -> PooledSwings:
    """Each task's weekly sigma where the history is under 3 weeks (module
    docstring, 1)."""
    half = cal.buckets // 2
    moves, noise, steady = [], [], []
    for i, (y, e) in enumerate(zip(np.asarray(counts, float), estimates)):
        if e.on_days > 0 or y.sum() <= 0:  # switching tasks: the chain is their swing
            continue
        keep = ~e.burst_hours
        first, second = keep.copy(), keep.copy()
        first[half:], second[:half] = False, False
        second[2 * half:] = False
        m1, m2 = e.mu[first].sum(), e.mu[second].sum()
        moves.append(math.log((y[second].sum() + 0.5) / (m2 + 0.5))
                     - math.log((y[first].sum() + 0.5) / (m1 + 0.5)))
        # Var(move) = 2 s^2 + Poisson's 1/m of each half + twice the variance of
        # a half's mean of the hourly AR(1) (which the engine draws anyway).
        hourly = 2 * e.hourly_sigma**2 * _ar1_mean_variance(
            e.hourly_autocorrelation, half) if e.hourly_sigma else 0.0
        noise.append(1 / (m1 + 0.5) + 1 / (m2 + 0.5) + hourly)
        steady.append(i)
    # The prior's value counts as PRIOR_TASKS tasks that moved by exactly its swing.
    r = np.r_[moves, np.full(PRIOR_TASKS, math.sqrt(2) * ASSUMED_WEEKLY_SIGMA)]
    n = np.r_[noise, np.zeros(PRIOR_TASKS)]
    nu, s2, like, var = _fit_prior(r, n)
    sigma = np.full(len(counts), math.sqrt(s2 * nu / (nu - 2)) if nu > 2 else math.nan)
    # Posterior mean of each steady task's sigma^2 given its move (quadrature
    # over the prior's draws); the rest keep the prior's mean, or, where its mean
    # is infinite (nu <= 2), its median.
    post = (like[:len(steady)] * var).sum(axis=1) / like[:len(steady)].sum(axis=1)
    sigma[steady] = np.sqrt(post)
    if not nu > 2:
        sigma[~np.isin(np.arange(len(counts)), steady)] = math.sqrt(np.median(var))
    # A task whose halves moved e^5 apart would be given a sigma past the model's
    # range (the engine refuses above LIMITS max_sigma): kept at the fit's bound.
    sigma = np.minimum(sigma, BOUNDS["sigma"][1])
    return PooledSwings(sigma, math.sqrt(s2), nu, len(steady))


# The prior of a task's weekly sigma^2 is a scaled inverse chi-square(nu, s^2);
# (nu, s^2) maximize the marginal likelihood of every steady task's move on these
# grids, its integral over sigma^2 by QUADRATURE fixed quantile draws.
PRIOR_DF = (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 16.0, 64.0)
PRIOR_SCALE = np.exp(np.linspace(math.log(0.01**2), math.log(2.0**2), 121))
QUADRATURE = 256


def _fit_prior(r: np.ndarray, n: np.ndarray):
    """(nu, s^2, each task's likelihood at each quadrature point, those points'
    sigma^2) of the maximum marginal likelihood."""
    u = (np.arange(QUADRATURE) + 0.5) / QUADRATURE
    best = None
    for nu in PRIOR_DF:
        # chi-square(nu) quantiles by inverting its CDF on a fine grid (no scipy)
        chi = _chi2_quantiles(nu, u)
        for s2 in PRIOR_SCALE:
            var = nu * s2 / chi  # sigma^2 draws of the prior
            total = 2 * var[None, :] + n[:, None]
            like = np.exp(-r[:, None] ** 2 / (2 * total)) / np.sqrt(total)
            ll = float(np.log(like.mean(axis=1) + 1e-300).sum())
            if best is None or ll > best[0]:
                best = (ll, nu, float(s2), like, var)
    return best[1:]


def _chi2_quantiles(nu: float, u: np.ndarray) -> np.ndarray:
    x = np.exp(np.linspace(math.log(1e-8), math.log(nu + 60 * math.sqrt(nu) + 100), 20001))
    log_pdf = (nu / 2 - 1) * np.log(x) - x / 2
    pdf = np.exp(log_pdf - log_pdf.max())
    cdf = np.concatenate([[0.0], np.cumsum((pdf[1:] + pdf[:-1]) / 2 * np.diff(x))])
    return np.interp(u, cdf / cdf[-1], x)


@dataclass(frozen=True)
class SilentTasks:
    """Rate, days on and off and the rate's spread of a task silent in every fitted
    day (module docstring, 2); ``heard`` tasks gave the level, ``switching`` ones
    (silent ones included) the chain."""

    rate: float  # requests per hour, the mean over days on and off
    spread: float  # sd of the log level on days on across tasks heard
    on_days: float
    off_days: float
    heard: int
    switching: int

    def parameters(self) -> np.ndarray:
        """A silent task's row of parameters (PARAMETERS order): the pooled rate and
        days on and off, flat weights, no trend or noise of its own (fit.py gives it
        the prior's growth, and the pooled swings, or from 3 weeks of history the
        heard tasks' median weekly sigma and autocorrelation)."""
        row = np.zeros(len(PARAMETERS))
        row[PARAMETERS.index("rate")] = self.rate
        row[PARAMETERS.index("on_days")] = self.on_days
        row[PARAMETERS.index("off_days")] = self.off_days
        row[len(SCALARS):] = 1.0
        return row


def silent_tasks(counts: np.ndarray, cal: Calendar, est: np.ndarray) -> SilentTasks | None:
    """The pooled model of silent tasks from the other tasks' fitted parameters
    ``est`` (PARAMETERS columns); None where fewer than 2 tasks were heard."""
    y = np.asarray(counts, float)
    heard = y.sum(axis=1) > 0
    if heard.sum() < 2:
        return None
    # Levels on days on: the rate over days on and off, over the share on.
    on = est[heard, PARAMETERS.index("on_days")]
    off = est[heard, PARAMETERS.index("off_days")]
    share = np.where(on > 0, on / np.maximum(on + off, 1e-12), 1.0)
    levels = np.log(est[heard, PARAMETERS.index("rate")] / share)
    mean, spread = float(levels.mean()), float(levels.std(ddof=1))
    moves, switching = np.zeros(4), 0
    per_day = 24 // cal.width  # 0 for buckets longer than a day: no days on or off
    days = cal.buckets // per_day if per_day else 0
    for row, was_heard in zip(y, heard):
        seen = days_on(row, cal) if was_heard else np.zeros(days, dtype=bool)
        if seen is None or len(seen) < 2:
            continue
        moves += day_moves(seen)
        switching += 1
    on_days, off_days = activity_of_moves(*moves)
    a = on_days / (on_days + off_days)
    # The lognormal drawn per path keeps the mean, so the rate is the levels' mean
    # exp(mean + spread^2 / 2) (docs/model.md "Parameter uncertainty"), times the
    # share of days on.
    return SilentTasks(a * math.exp(mean + spread**2 / 2), min(spread, MAX_SPREAD),
                       on_days, off_days, int(heard.sum()), switching)
