"""What a short history borrows from the other tasks (python/breakeven/logs/
pooling.py, docs/ingest.md "Pooled across tasks"), on constructed histories whose
answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from breakeven.logs.estimators import PARAMETERS, Calendar, activity_of_moves
from breakeven.logs.pooling import PRIOR_TASKS, _fit_prior, pooled_swings, silent_tasks
from breakeven.logs.shrinkage import ASSUMED_WEEKLY_SIGMA
from breakeven.logs.traffic_fit import BOUNDS, TaskFits

MONDAY = 96  # 1970-01-05 00:00 UTC, in hours since the epoch


def test_the_prior_fitted_to_many_moves_is_their_swing():
    """400 tasks whose halves moved by the normal quantiles of sd sqrt(2) x 0.2, no
    noise: the prior's mean sigma^2 (s^2 nu / (nu - 2)) is 0.04 within 10%, the
    4 pseudo-tasks at 0.33 moving it little."""
    from statistics import NormalDist

    u = (np.arange(400) + 0.5) / 400
    moves = np.array([NormalDist(0, math.sqrt(2) * 0.2).inv_cdf(p) for p in u])
    r = np.r_[moves, np.full(PRIOR_TASKS, math.sqrt(2) * ASSUMED_WEEKLY_SIGMA)]
    nu, s2, _, _ = _fit_prior(r, np.zeros(len(r)))
    assert nu > 2 and s2 * nu / (nu - 2) == pytest.approx(0.04, rel=0.1)


def test_a_task_whose_halves_moved_1100_fold_is_kept_at_the_fits_bound():
    """One steady week at 1 request an hour, then 1,100 (e^7): the posterior swing
    would be past what the engine accepts (5); it is kept at the fit's 3."""
    cal = Calendar(MONDAY, 168)
    counts = np.r_[np.full(84, 1.0), np.full(84, 1100.0)][None, :]
    swings = pooled_swings(counts, cal, TaskFits(counts, cal).estimates)
    assert swings.tasks == 1 and swings.sigma[0] == BOUNDS["sigma"][1]


def test_silent_tasks_from_buckets_longer_than_a_day():
    """Two-day buckets hold no days on and off: the silent task gets the heard
    tasks' level and no chain, without a division by zero."""
    cal = Calendar(MONDAY, 7, 48)
    counts = np.array([np.full(7, 4800.0), np.full(7, 480.0), np.zeros(7)])
    est = np.zeros((3, len(PARAMETERS)))
    est[:2, PARAMETERS.index("rate")] = (100.0, 10.0)
    pooled = silent_tasks(counts, cal, est)
    assert pooled.heard == 2 and pooled.switching == 0
    # the levels' lognormal keeps their mean: exp(mean + sd^2 / 2) of ln 100, ln 10
    spread = np.std(np.log([100.0, 10.0]), ddof=1)
    assert pooled.spread == pytest.approx(spread)
    on, off = activity_of_moves(0, 0, 0, 0)  # no moves seen: the chain's prior
    share = on / (on + off)
    assert (pooled.on_days, pooled.off_days) == (on, off)
    assert pooled.rate == pytest.approx(share * math.exp(np.log(1000.0) / 2 + spread**2 / 2))


def test_a_task_silent_through_three_weeks_swings_as_the_heard_ones_do():
    """From 3 weeks the weekly sigma is fitted per task and nothing is pooled: a
    task silent in all 21 fitted days takes the heard tasks' median sigma and
    autocorrelation (it had none: every later week of it was one level)."""
    import datetime as dt

    import breakeven
    from breakeven.logs.synth import DEFAULT_START, SyntheticLogs

    def workload(name, per_hour, ratio):
        return {"name": name, "requests": {"per_hour": per_hour}, "input_tokens": 500,
                "output_tokens": 100, "spikiness": {"weekly_p95_over_p5": ratio}}

    truth = breakeven.load({
        "name": "three", "horizon_months": 2, "simulation": {"seed": 2},
        "models": {"m": {"input": 1.0, "output": 2.0}},
        "workloads": [workload("a", 400, 2), workload("b", 200, 3), workload("c", 100, 2)],
        "strategies": [{"name": "s", "route": {"default": "m"}}]})
    usage = SyntheticLogs(truth, 28, 1).usage()
    until = DEFAULT_START + dt.timedelta(days=21)
    t = usage.hourly_table
    usage.hourly_table = t[(t.task != "c") | (t.hour >= until)].reset_index(drop=True)
    fitted = usage.fit(bootstrap=0, until=until)
    by_name = {w["name"]: w for w in fitted.resolved()["workloads"]}
    heard = [by_name[n]["spikiness"]["sigma"] for n in ("a", "b")]
    assert min(heard) > 0
    assert by_name["c"]["spikiness"]["sigma"] == pytest.approx(np.median(heard), abs=1e-4)
