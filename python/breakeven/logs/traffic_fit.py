"""Each task's traffic parameters fitted to its counts, with standard errors.

The parameters come from estimators.py. Their small-sample bias and their
standard errors come from a parametric bootstrap: the engine draws `bootstrap`
replicate histories of the same hours from the fitted scenario, the estimators
run on each, the bias (mean of the replicates less the estimate) is removed and
the replicates' spread is the standard error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _core
from .estimators import (
    MAX_HOURLY_PHI,
    PARAMETERS,
    SCALARS,
    Calendar,
    TaskEstimate,
    burst_runs,
    estimate,
)
from .fitted_scenario import traffic_scenario

DEFAULT_BOOTSTRAP = 50
BIAS_ROUNDS = 3
# An on/off task (near zero, then thousands an hour) is not a burst process; its
# multiplier is capped here rather than fitted to the ratio.
MAX_BURST_MULTIPLIER = 100.0
# Bursts are rare surges on top of a task's traffic; hours flagged as bursts that
# hold more than this share of its requests are its traffic, not bursts.
MAX_BURST_SHARE = 0.5
# The noise parameters are biased over a few weeks; rate, growth and weights come
# from Poisson regression and a ratio of totals, unbiased, so the bootstrap only
# gives their standard errors (correcting them would only add replicate noise).
BIASED = np.isin(PARAMETERS, ("sigma", "autocorrelation", "hourly_sigma",
                              "hourly_autocorrelation"))


class TaskFits:
    """Estimates of every task on one history, bursts masked in a second pass."""

    def __init__(self, counts: np.ndarray, cal: Calendar, detect_bursts: bool = True):
        self.estimates: list[TaskEstimate] = []
        for y in counts:
            e = estimate(y, cal, detect_bursts=detect_bursts)
            if e.burst_hours.any() and y[e.burst_hours].sum() > MAX_BURST_SHARE * y.sum():
                # Surges that hold most of the requests are the traffic (a batch
                # client busy a few hours a day): masked, they left a rate of ~0.
                e = estimate(y, cal, detect_bursts=False)
            if e.burst_hours.any():
                first = e.burst_hours
                e = estimate(y, cal, mask=first, detect_bursts=False)
                e.burst_hours = first
            self.estimates.append(e)

    def matrix(self) -> np.ndarray:
        return np.array([e.vector() for e in self.estimates])


def _bursts(e: TaskEstimate, y: np.ndarray, cal: Calendar) -> dict | None:
    runs = burst_runs(e.burst_hours)
    if not runs:
        return None
    months = cal.hours / 730.0
    lengths = [n for _, n in runs]
    ratio = np.exp(np.median(np.log((y[e.burst_hours] + 0.5) / (e.mu[e.burst_hours] + 0.5))))
    return {"per_month": round(len(runs) / months, 3),
            "hours": max(1, int(round(np.mean(lengths) * cal.width))),
            "multiplier": round(float(min(ratio, MAX_BURST_MULTIPLIER)), 3)}


def _correlation(fits: TaskFits) -> np.ndarray | None:
    """Shock correlation between tasks from their within-week hourly residuals,
    Poisson noise taken out; the nearest valid correlation matrix."""
    k = len(fits.estimates)
    if k < 2:
        return None
    res = np.array([e.residual for e in fits.estimates])
    sd = np.array([e.hourly_sigma for e in fits.estimates])
    c = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            if sd[i] > 0.02 and sd[j] > 0.02:
                c[i, j] = c[j, i] = np.clip(np.mean(res[i] * res[j]) / (sd[i] * sd[j]),
                                            -0.95, 0.95)
    vals, vecs = np.linalg.eigh(c)
    if vals.min() < 1e-6:
        c = vecs @ np.diag(np.maximum(vals, 1e-6)) @ vecs.T
        d = np.sqrt(np.diag(c))
        c = np.clip(c / np.outer(d, d), -0.99, 0.99)
    np.fill_diagonal(c, 1.0)
    # As written to the scenario (rounded), it must still be a correlation matrix:
    # shrink towards the identity until it is.
    for shrink in np.linspace(0.0, 1.0, 41):
        written = np.round((1 - shrink) * c + shrink * np.eye(k), 3)
        if np.linalg.eigvalsh(written).min() > 1e-9:
            return written
    return np.eye(k)


@dataclass
class TrafficFit:
    """Traffic parameters of every task (rows; columns in PARAMETERS order): the
    bias-corrected estimate, its bootstrap standard error, and the raw estimate."""

    estimate: np.ndarray
    se: np.ndarray
    raw: np.ndarray
    bursts: list[dict | None]
    correlation: np.ndarray | None
    # Bootstrap replicates less their mean, scaled like se: draws of the
    # estimation error (replicates, tasks, parameters); empty without a bootstrap.
    deviations: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))


def fit_traffic(counts: np.ndarray, cal: Calendar, bootstrap: int = DEFAULT_BOOTSTRAP,
                seed: int = 0) -> TrafficFit:
    """Estimate each task's traffic parameters from its (tasks, buckets) counts, with
    bootstrap bias correction and standard errors (nan without a bootstrap)."""
    fits = TaskFits(counts, cal)
    raw = fits.matrix()
    bursts = [_bursts(e, y, cal) for e, y in zip(fits.estimates, counts)]
    corr = _correlation(fits)
    se = np.full_like(raw, np.nan)
    current = clean_parameters(raw, raw, cal)
    if bootstrap >= 2:
        # Indirect inference: move the parameters until the estimator's mean over
        # replicates drawn from them equals the estimate from the data. One step is
        # the usual bootstrap bias correction; more follow a bias that changes
        # with the parameter (weekly sigma and autocorrelation over a few weeks).
        means, points = [], []
        for _ in range(BIAS_ROUNDS):
            reps = replicate_counts(current, bursts, corr, cal, bootstrap, seed)
            boot = np.array([TaskFits(r, cal, detect_bursts=False).matrix() for r in reps])
            means.append(boot.mean(axis=0))
            points.append(current)
            # Only a bias the replicates show clearly is removed: a correction
            # within their own noise would only add that noise.
            step = raw - means[-1]
            step = np.where(np.abs(step) > 2 * se_mean(boot), step, 0.0)
            step[:, ~BIASED] = 0.0
            current = clean_parameters(current + step, raw, cal)
        slope = _slope(points, means, se_of_mean=se_mean(boot))
        se = boot.std(axis=0, ddof=1) / slope
        deviations = (boot - boot.mean(axis=0)) / slope
    else:
        deviations = np.zeros((0, *raw.shape))
    return TrafficFit(current, se, raw, bursts, corr, deviations)


def se_mean(boot: np.ndarray) -> np.ndarray:
    return boot.std(axis=0, ddof=1) / np.sqrt(len(boot))


def _slope(points, means, se_of_mean) -> np.ndarray:
    """d E[estimate] / d parameter, from the first and last bias-correction rounds
    where they moved it clearly (else 1): an estimator that reacts to its parameter
    at half the rate has twice the standard error once its bias is removed."""
    dp = points[-1] - points[0]
    dm = means[-1] - means[0]
    clear = np.abs(dp) > 0
    clear &= np.abs(dm) > 4 * se_of_mean
    slope = np.where(clear, dm / np.where(dp == 0, 1, dp), 1.0)
    return np.clip(slope, 0.3, 1.5)


def replicate_counts(est: np.ndarray, bursts, corr, cal: Calendar, paths: int,
                     seed: int) -> np.ndarray:
    """(paths, tasks, buckets) counts of the same hours drawn by the engine from
    traffic parameters `est` (rates at the first bucket)."""
    sc, offset = traffic_scenario(est, bursts, corr, cal.first_hour, cal.hours)
    return _core.sample_traffic(sc._core, paths=paths, seed=seed, first_hour=offset,
                                hours=cal.hours, bucket_hours=cal.width)["requests"]


# The ranges fitted values are kept in; a value on an end is flagged where shown.
BOUNDS = {"growth": (-0.5, 0.5), "sigma": (0.0, 3.0), "hourly_sigma": (0.0, 3.0),
          "autocorrelation": (0.0, 0.95), "hourly_autocorrelation": (0.0, MAX_HOURLY_PHI)}


def parameter_flag(parameter: str, value: float, se: float) -> str:
    """What to say of a fitted value beside it: at an end of its range (the upper
    one, or either for growth: 0 is no swing seen, not a bound hit), or an error
    larger than itself; "" when neither."""
    lo, hi = BOUNDS.get(parameter, (-np.inf, np.inf))
    if value >= hi or (parameter == "growth" and value <= lo):
        return "at the end of its range"
    if np.isfinite(se) and value != 0 and se > abs(value):
        return "se larger than the value"
    return ""


def clean_parameters(est: np.ndarray, raw: np.ndarray, cal: Calendar) -> np.ndarray:
    """Bias-corrected values back inside the model's ranges (BOUNDS)."""
    out = est.copy()
    idx = {p: i for i, p in enumerate(PARAMETERS)}
    out[:, idx["rate"]] = np.where(out[:, 0] > 0, out[:, 0], raw[:, 0])
    for p, (lo, hi) in BOUNDS.items():
        out[:, idx[p]] = np.clip(out[:, idx[p]], lo, hi)
    for lo, n in ((len(SCALARS), 24), (len(SCALARS) + 24, 7)):
        block = np.clip(out[:, lo:lo + n], 1e-3, None)
        out[:, lo:lo + n] = block / block.mean(axis=1, keepdims=True)
    # Days on and off: a task seen always on stays so; a switching one keeps runs
    # of at least a day.
    switching = raw[:, idx["on_days"]] > 0
    for p in ("on_days", "off_days"):
        out[:, idx[p]] = np.where(switching, np.clip(out[:, idx[p]], 1.0,
                                                     _core.LIMITS["max_activity_days"]), 0.0)
    for i in range(len(out)):  # nothing fitted: keep exactly the default
        if out[i, idx["sigma"]] == 0:
            out[i, idx["autocorrelation"]] = 0.0
        if out[i, idx["hourly_sigma"]] == 0:
            out[i, idx["hourly_autocorrelation"]] = 0.0
    return out
