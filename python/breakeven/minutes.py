"""Traffic within the hour, from request timestamps: how much more requests per
minute vary than Poisson arrivals would (docs/model.md "API rate limits").

``minute_dispersion`` is what a workload's ``spikiness.minute_dispersion`` states;
``replayed_excess`` is the minute-by-minute replay of a rate limit that the model's
prediction is checked against (tests/python/test_minute_limits.py).
"""

from __future__ import annotations

import numpy as np


def minute_counts(seconds: np.ndarray) -> np.ndarray:
    """Requests in each whole minute from the first request's minute to the last's
    (seconds since any origin)."""
    minutes = np.floor(np.asarray(seconds, dtype=float) / 60.0).astype(np.int64)
    return np.bincount(minutes - minutes.min())


def minute_dispersion(seconds: np.ndarray) -> float:
    """Variance over mean of requests per minute within each hour from the first
    request, pooled over hours (each hour's variance and mean summed, so busy
    hours count more): 1 for Poisson arrivals. Hours with fewer than two minutes are left out; an
    hour's variance is about its own mean, so a trend across hours is not counted."""
    minutes = np.floor(np.asarray(seconds, dtype=float) / 60.0).astype(np.int64)
    if minutes.size == 0:
        return 1.0
    counts = np.bincount(minutes - minutes.min())
    hours = np.arange(counts.size) // 60
    variance = mean = 0.0
    for h in np.unique(hours):
        x = counts[hours == h]
        if x.size >= 2 and x.mean() > 0:
            variance += x.var(ddof=1)
            mean += x.mean()
    return float(variance / mean) if mean > 0 else 1.0


def replayed_excess(counts: np.ndarray, per_minute_limit: float) -> float:
    """The share of requests a per-minute limit turns away, minute by minute."""
    counts = np.asarray(counts, dtype=float)
    return float(np.maximum(counts - per_minute_limit, 0.0).sum() / counts.sum())
