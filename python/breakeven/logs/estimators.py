"""The traffic estimators of one task's hourly request counts (docs/ingest.md).

The model (MODEL.md) is multiplicative: rate x hour-of-day weight x weekday weight x
growth x weekly AR(1) shock x hourly AR(1) shock, then Poisson. The estimators:

1. The deterministic part by Poisson regression (IRLS) of the counts on hour-of-day
   and weekday indicators and t in months: weights are exp(coefficients) divided by
   their mean, growth is exp(slope) - 1.
2. The rate as total requests over the total of the fitted shape (unbiased, since
   every shock has mean 1).
3. Weekly sigma and autocorrelation from the log ratio of each full week's requests
   to its fitted mean, less what hourly noise and Poisson noise put there.
4. Hourly sigma and autocorrelation from the second moments of each hour's ratio
   to its week's fitted mean (count scale: Poisson adds exactly 1/mu), corrected
   for the part of an AR(1) that demeaning within the week removes.
5. Days on and off (a client that switches on and off): a day without requests is
   off where the task's mean day on makes an empty day unlikely by chance; the mean
   runs of days on and off are the Markov chain's by Jeffreys' posterior means, and
   the other estimators see only the days on.

These are moment estimators with a small-sample bias; traffic_fit.py removes it and gets
standard errors with a parametric bootstrap through the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOURS_PER_MONTH = 730.0
WEEK = 168
# Weekly autocorrelation is not identified from fewer weeks (its estimate spreads
# over most of [0, 1) at 12 weeks); it stays 0 then.
WEEKLY_AUTOCORRELATION_WEEKS = 26
# Beyond this an hourly AR(1) is a random walk within the data; the demeaning
# correction is unstable there.
MAX_HOURLY_PHI = 0.98
BURST_Z = 5.0  # an hour this many noise-SDs above its fit is a burst hour
BURST_MIN_RATIO = 1.5
# A day without requests is off (not a quiet day on) where a day on as busy as
# the task's mean one has no requests with less than this probability (Poisson).
EMPTY_DAY_CHANCE = 0.01


@dataclass(frozen=True)
class Calendar:
    """Where a series of buckets lies in time: absolute hour of its first bucket
    (hours since 1970-01-01 00:00 UTC), bucket width and count."""

    first_hour: int
    buckets: int
    width: int = 1

    @property
    def hours(self) -> int:
        return self.buckets * self.width

    @property
    def days(self) -> float:
        return self.hours / 24

    def hour_of_day(self) -> np.ndarray:
        return (self.first_hour + np.arange(self.buckets) * self.width) % 24

    def day_of_week(self) -> np.ndarray:
        """0 = Monday (1970-01-01 was a Thursday)."""
        return ((self.first_hour + np.arange(self.buckets) * self.width) // 24 + 3) % 7

    def months(self) -> np.ndarray:
        """Time of each bucket's middle since the first bucket, in months."""
        return (np.arange(self.buckets) + 0.5) * self.width / HOURS_PER_MONTH

    def fits(self) -> dict[str, bool]:
        """What this much data can identify (the rest keeps its default)."""
        return {
            "hourly_weights": self.width == 1 and self.days >= 2,
            # Each weekday seen twice: from one week, a weekday's weight is
            # that one day's noise.
            "weekday_weights": self.days >= 14,
            "growth": self.days >= 14,
            "weekly": self.days >= 21,
            "weekly_autocorrelation": self.days >= 7 * WEEKLY_AUTOCORRELATION_WEEKS,
            "hourly_noise": self.width == 1 and self.days >= 1,
        }


@dataclass
class TaskEstimate:
    rate_at_start: float  # requests per hour at the first bucket's start
    hourly_weights: np.ndarray  # 24, mean 1
    weekday_weights: np.ndarray  # 7, mean 1
    growth: float  # per month
    sigma: float  # weekly
    autocorrelation: float  # weekly
    hourly_sigma: float
    hourly_autocorrelation: float
    on_days: float  # mean run of days on; 0: always on
    off_days: float
    mu: np.ndarray  # fitted mean per bucket (no shocks)
    residual: np.ndarray  # within-week log residual per bucket (0 where masked)
    burst_hours: np.ndarray  # bool per bucket

    def vector(self) -> np.ndarray:
        """The parameters the bootstrap corrects, in PARAMETERS order."""
        return np.r_[self.rate_at_start, self.growth, self.sigma, self.autocorrelation,
                     self.hourly_sigma, self.hourly_autocorrelation, self.on_days,
                     self.off_days, self.hourly_weights, self.weekday_weights]


SCALARS = ("rate", "growth", "sigma", "autocorrelation", "hourly_sigma",
           "hourly_autocorrelation", "on_days", "off_days")
PARAMETERS = SCALARS + tuple(f"hour_{h}" for h in range(24)) + tuple(
    f"weekday_{d}" for d in range(7))


def design(cal: Calendar, fits: dict[str, bool]) -> np.ndarray:
    cols = [np.ones(cal.buckets)]
    if fits["hourly_weights"]:
        hod = cal.hour_of_day()
        cols += [(hod == h).astype(float) for h in range(1, 24)]
    if fits["weekday_weights"]:
        dow = cal.day_of_week()
        cols += [(dow == d).astype(float) for d in range(1, 7)]
    if fits["growth"]:
        cols.append(cal.months())
    return np.column_stack(cols)


def poisson_regression(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Coefficients of log E[y] = x b by IRLS (weights w mask buckets out)."""
    mean = max(float(np.average(y, weights=w)), 1e-9)
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(mean)
    for _ in range(30):
        eta = np.clip(x @ beta, -50, 50)
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        sw = w * mu
        xtw = x.T * sw
        try:
            new = np.linalg.solve(xtw @ x + 1e-9 * np.eye(len(beta)), xtw @ z)
        except np.linalg.LinAlgError:
            new = np.linalg.lstsq(xtw @ x, xtw @ z, rcond=None)[0]
        if np.max(np.abs(new - beta)) < 1e-9:
            return new
        beta = new
    return beta


def _ar1_mean_variance(phi: float, n: int) -> float:
    """Var of the mean of n steps of a unit-variance AR(1) with coefficient phi."""
    if n <= 1:
        return 1.0
    phi = min(max(phi, -0.999), 0.999)
    k = np.arange(1, n)
    return float((1 + 2 * np.sum((1 - k / n) * phi**k)) / n)


def days_on(counts: np.ndarray, cal: Calendar) -> np.ndarray | None:
    """Per whole day of the buckets (from the first), whether the task was on;
    None where it never seems off (every day has requests, or its days are too
    quiet for an empty one to say anything).
    """
    per_day = 24 // cal.width
    days = cal.buckets // per_day if per_day else 0
    if days < 2:
        return None
    totals = np.asarray(counts, float)[:days * per_day].reshape(days, per_day).sum(axis=1)
    on = totals > 0
    if on.all() or not on.any() or totals[on].mean() < -np.log(EMPTY_DAY_CHANCE):
        return None
    return on


def day_moves(on: np.ndarray) -> np.ndarray:
    """The moves of a two-state chain seen as ``on``: days on that turned off, days
    on with a next day, days off that turned on, days off with a next day."""
    a, b = on[:-1], on[1:]
    return np.array([np.sum(a & ~b), np.sum(a), np.sum(~a & b), np.sum(~a)], float)


def activity_of_moves(turned_off: float, on: float, turned_on: float,
                      off: float) -> tuple[float, float]:
    """Mean runs of days on and off from the chain's moves (``day_moves``, or their
    sum over tasks), by the Jeffreys posterior means of its two exits (each run at
    least a day)."""
    leave_on = (turned_off + 0.5) / (on + 1)
    leave_off = (turned_on + 0.5) / (off + 1)
    return float(max(1 / leave_on, 1.0)), float(max(1 / leave_off, 1.0))


def activity(on: np.ndarray) -> tuple[float, float]:
    """Mean runs of days on and off of a two-state Markov chain seen as ``on``."""
    return activity_of_moves(*day_moves(on))


def estimate(counts: np.ndarray, cal: Calendar, mask: np.ndarray | None = None,
             detect_bursts: bool = True) -> TaskEstimate:
    """Estimate one task's traffic parameters from its bucket counts."""
    fits = cal.fits()
    y = np.asarray(counts, dtype=float)
    w = np.ones_like(y) if mask is None else (~mask).astype(float)
    on = days_on(y, cal)
    on_days = off_days = 0.0
    if on is not None:  # the other estimators see the days on only
        on_days, off_days = activity(on)
        # A few scattered days on cannot tell a weekday pattern, a trend or the
        # weeks' swings from the switching itself.
        fits = dict(fits, weekday_weights=False, growth=False, weekly=False)
        per_day = 24 // cal.width
        day = np.minimum(np.arange(cal.buckets) // per_day, len(on) - 1)
        w = w * on[day]
    x = design(cal, fits)
    beta = poisson_regression(x, y, w)
    i = 1
    log_h = np.zeros(24)
    if fits["hourly_weights"]:
        log_h[1:] = beta[i:i + 23]
        i += 23
    log_d = np.zeros(7)
    if fits["weekday_weights"]:
        log_d[1:] = beta[i:i + 6]
        i += 6
    gamma = beta[i] if fits["growth"] else 0.0
    hw = np.exp(log_h) / np.exp(log_h).mean()
    dw = np.exp(log_d) / np.exp(log_d).mean()
    shape = (hw[cal.hour_of_day()] if fits["hourly_weights"] else 1.0) * dw[
        cal.day_of_week()] * np.exp(gamma * np.arange(cal.buckets) * cal.width / HOURS_PER_MONTH)
    shape = shape * cal.width
    rate = float(np.sum(w * y) / np.sum(w * shape))
    mu = rate * shape

    # Weekly: log(requests / fitted mean) of each full week.
    per_week = WEEK // cal.width
    weeks = cal.buckets // per_week
    week_of = np.minimum(np.arange(cal.buckets) // per_week, max(weeks - 1, 0))
    log_ratio = np.log((y + 0.5) / (mu + 0.5))
    level = np.zeros(max(weeks, 1))
    for k in range(max(weeks, 1)):
        sel = (week_of == k) & (w > 0)
        if sel.any():
            level[k] = np.log((y[sel].sum() + 0.5) / (mu[sel].sum() + 0.5))
    within = np.where(w > 0, log_ratio - level[week_of], 0.0)

    # Hourly: moments of the counts' ratio to their week's fitted mean, on the count
    # scale where Poisson noise adds exactly 1/mu to the variance:
    # E[z^2] - 1/mu = exp(sh^2) - 1 and E[z_t z_t+1] = exp(ph sh^2) - 1.
    hs, hp = 0.0, 0.0
    if fits["hourly_noise"]:
        ok = w > 0
        m = mu * np.exp(level[week_of])
        z = np.where(ok, y / np.maximum(m, 1e-12) - 1, 0.0)
        second = np.mean(z[ok] ** 2 - 1.0 / np.maximum(m[ok], 1e-12))
        both = ok[1:] & ok[:-1]
        cross = np.mean(z[1:][both] * z[:-1][both]) if both.any() else 0.0
        terms = z[ok] ** 2 - 1.0 / np.maximum(m[ok], 1e-12)
        noise = np.std(terms) / np.sqrt(max(len(terms), 1))
        # Not told apart from Poisson noise: no hourly noise (not a weak guess).
        signal = np.log1p(second) if second > 2 * noise else 0.0
        if signal > 0:
            cov1 = np.log1p(max(cross, -0.99))
            hp = float(np.clip(cov1 / signal, 0.0, MAX_HOURLY_PHI))
            n = min(per_week, cal.buckets)
            for _ in range(20):  # demeaning within a week removes Var(mean)
                kept = 1 - _ar1_mean_variance(hp, n)
                hs2 = signal / kept
                hp = float(np.clip((cov1 + hs2 * (1 - kept)) / hs2, 0.0, MAX_HOURLY_PHI))
            hs = float(np.sqrt(max(signal / (1 - _ar1_mean_variance(hp, n)), 0.0)))

    sigma, phi = 0.0, 0.0
    if fits["weekly"] and weeks >= 3:
        sigma, phi = weekly_swings(level[:weeks], mu, week_of, hs, hp, cal,
                                   used=2 if fits["growth"] else 1)

    bursts = np.zeros(cal.buckets, dtype=bool)
    if detect_bursts and fits["hourly_noise"]:
        sd = np.sqrt(hs**2 + 1.0 / (mu + 0.5))
        bursts = (within > BURST_Z * sd) & (within > np.log(BURST_MIN_RATIO)) & (w > 0)
    # The rate is the mean over days on and off, as a scenario states it.
    share = on_days / (on_days + off_days) if on_days else 1.0
    return TaskEstimate(rate * share, hw, dw, float(np.expm1(gamma)), sigma, phi, hs, hp,
                        on_days, off_days, mu, within, bursts)


def weekly_swings(level: np.ndarray, mu: np.ndarray, week_of: np.ndarray, hs: float,
                  hp: float, cal: Calendar, used: int) -> tuple[float, float]:
    """Weekly sigma and autocorrelation from the full weeks' log levels against
    their fit (``used`` degrees of freedom spent on it), less what hourly and
    Poisson noise put there."""
    weeks = len(level)
    per_week = WEEK // cal.width
    lv = level - level.mean()
    spread = np.sum(lv**2) / max(weeks - used, 1)
    hourly_part = hs**2 * _ar1_mean_variance(hp, per_week) if hs > 0 else 0.0
    poisson_part = np.mean([1.0 / (mu[week_of == k].sum() + 0.5) for k in range(weeks)])
    sigma = float(np.sqrt(max(spread - hourly_part - poisson_part, 0.0)))
    phi = 0.0
    if weeks >= WEEKLY_AUTOCORRELATION_WEEKS and sigma > 0:
        phi = float(np.clip(np.sum(lv[1:] * lv[:-1]) / np.sum(lv**2), -0.9, 0.95))
    return sigma, phi


def _mean_for_growth(counts: np.ndarray, cal: Calendar, e: TaskEstimate,
                     growth: float) -> tuple[np.ndarray, np.ndarray]:
    """The fitted mean per bucket with the trend ``growth`` instead of the fit's,
    scaled to the history's total over the buckets the fit used (bursts out); and
    those buckets."""
    y = np.asarray(counts, float)
    w = ~e.burst_hours & (e.mu > 0)
    mu = e.mu * ((1 + growth) / (1 + e.growth)) ** cal.months()
    return mu * np.sum(y[w]) / max(np.sum(mu[w]), 1e-12), w


def rate_for_growth(counts: np.ndarray, cal: Calendar, e: TaskEstimate,
                    growth: float) -> float:
    """The rate at the history's start that keeps its total when its trend is
    ``growth`` instead of the fit's."""
    mu, w = _mean_for_growth(counts, cal, e, growth)
    first = mu[0] / e.mu[0] if e.mu[0] > 0 else 1.0
    return float(e.rate_at_start * first)


def swings_left(counts: np.ndarray, cal: Calendar, e: TaskEstimate, growth: float) -> float:
    """The weekly sigma of a task's history once its trend is ``growth`` instead of
    the fit's: what a trend taken down by the growth prior leaves as week-to-week
    swings (0 under 2 full weeks)."""
    per_week = WEEK // cal.width
    weeks = cal.buckets // per_week
    if weeks < 2:
        return 0.0
    y = np.asarray(counts, float)
    mu, w = _mean_for_growth(counts, cal, e, growth)
    week_of = np.minimum(np.arange(cal.buckets) // per_week, weeks - 1)
    level = np.array([np.log((y[(week_of == k) & w].sum() + 0.5)
                             / (mu[(week_of == k) & w].sum() + 0.5)) for k in range(weeks)])
    return weekly_swings(level, mu, week_of, e.hourly_sigma, e.hourly_autocorrelation,
                         cal, used=1)[0]


def burst_runs(bursts: np.ndarray) -> list[tuple[int, int]]:
    """(first bucket, length) of each run of burst buckets."""
    runs, start = [], None
    for t, b in enumerate(np.r_[bursts, False]):
        if b and start is None:
            start = t
        elif not b and start is not None:
            runs.append((start, t - start))
            start = None
    return runs
