"""Clients that switch on and off for days (docs/model.md "Activity"): the engine's
two-state chain over days, and its fit from logs (docs/ingest.md)."""

from __future__ import annotations

import numpy as np
import pytest

import breakeven
from breakeven import _core
from breakeven.errors import ScenarioError
from breakeven.logs.estimators import PARAMETERS, Calendar, activity, days_on
from breakeven.logs.traffic_fit import fit_traffic

ON, OFF = 2.0, 5.0  # mean runs of days: on a share 2/7 of days


def scenario(activity=None, mode="stochastic", per_hour=500.0):
    w = {"name": "client", "requests": {"per_hour": per_hour}, "input_tokens": 100,
         "output_tokens": 10}
    if activity is not None:
        w["activity"] = activity
    return breakeven.load({
        "name": "switching", "horizon_months": 12,
        "simulation": {"paths": 200, "seed": 1, "mode": mode},
        "models": {"m": {"input": 1.0, "output": 1.0}},
        "workloads": [w], "strategies": [{"name": "s", "route": {"default": "m"}}]})


def daily(s, paths=400, days=364, seed=5) -> np.ndarray:
    """(path, day) requests of the one workload."""
    return _core.sample_traffic(s._core, paths=paths, seed=seed, hours=24 * days,
                                bucket_hours=24)["requests"][:, 0, :]


def runs(on: np.ndarray, value: bool) -> list[int]:
    """Lengths of the complete runs of ``value`` (not the first or last, which
    the ends cut)."""
    edges = np.flatnonzero(np.diff(on.astype(int))) + 1
    pieces = np.split(on, edges)[1:-1]
    return [len(p) for p in pieces if p[0] == value]


def test_days_switch_as_the_chain_says_and_the_mean_stays():
    d = daily(scenario({"on_days": ON, "off_days": OFF}))
    on = d > 0
    share = ON / (ON + OFF)
    n = on.size
    # Stationary from the first day: every day is on with the share's probability.
    assert on.mean() == pytest.approx(share, abs=4 * np.sqrt(share * (1 - share) / n) * 5)
    assert on[:, 0].mean() == pytest.approx(share, abs=0.07)
    on_runs = np.concatenate([runs(p, True) for p in on])
    off_runs = np.concatenate([runs(p, False) for p in on])
    # Geometric runs: mean 1/p, sd sqrt(1-p)/p.
    assert on_runs.mean() == pytest.approx(ON, rel=0.04)
    assert off_runs.mean() == pytest.approx(OFF, rel=0.04)
    # Requests per hour is the mean over days on and off; a day on carries 7/2 of it.
    assert d.mean() == pytest.approx(500 * 24, rel=0.02)
    assert d[on].mean() == pytest.approx(500 * 24 / share, rel=0.01)


def test_expected_mode_and_a_workload_without_activity_are_unchanged():
    plain = daily(scenario(), paths=20, days=30)
    assert np.all(plain > 0)
    exp = daily(scenario({"on_days": ON, "off_days": OFF}, mode="expected"), paths=1, days=30)
    assert np.allclose(exp, 500 * 24)  # expected mode: the mean, every day


@pytest.mark.parametrize("activity, message", [
    ({"on_days": 0.5, "off_days": 3}, "on_days"),
    ({"on_days": 2}, "off_days"),
    ({"on_days": 2, "off_days": 3, "start": "on"}, "start"),
    ({"on_days": 2, "off_days": 1e9}, "off_days"),
    ("sometimes", "activity"),
])
def test_bad_activity_is_one_line_naming_the_field(activity, message):
    with pytest.raises(ScenarioError) as e:
        scenario(activity)
    text = str(e.value)
    assert message in text and "\n" not in text and "Traceback" not in text


def test_activity_closed_form_on_a_known_sequence():
    # on on off off off on on on off: on->off 2 of the 5 moves from on, off->on 1 of 3.
    on = np.array([1, 1, 0, 0, 0, 1, 1, 1, 0], bool)
    on_days, off_days = activity(on)
    assert on_days == pytest.approx(1 / ((2 + 0.5) / (5 + 1)))
    assert off_days == pytest.approx(1 / ((1 + 0.5) / (3 + 1)))


def test_an_empty_quiet_day_is_not_an_off_day():
    cal = Calendar(first_hour=(4 + 7 * 2900) * 24, buckets=24 * 7)
    quiet = np.zeros(24 * 7)
    quiet[::24] = 1  # a request a day but one: a day as quiet says nothing
    quiet[24 * 3] = 0
    assert days_on(quiet, cal) is None
    busy = np.full(24 * 7, 10.0)
    busy[24 * 3:24 * 4] = 0
    assert list(days_on(busy, cal)) == [True, True, True, False, True, True, True]


def test_the_fit_recovers_the_runs_and_the_mean_rate():
    """120 days of a switching client: the fitted runs within 2 bootstrap standard
    errors of the truth, and its rate the mean over days on and off."""
    s = scenario({"on_days": 3, "off_days": 4}, per_hour=200)
    days = 120
    cal = Calendar(first_hour=(4 + 7 * 2900) * 24, buckets=24 * days)
    counts = _core.sample_traffic(s._core, paths=1, seed=11, hours=24 * days)["requests"][0]
    fit = fit_traffic(counts, cal, bootstrap=30, seed=2)
    i = {p: PARAMETERS.index(p) for p in ("rate", "on_days", "off_days")}
    est, se = fit.estimate[0], fit.se[0]
    for p, truth in (("on_days", 3.0), ("off_days", 4.0)):
        assert abs(est[i[p]] - truth) <= 2 * se[i[p]], (p, est[i[p]], se[i[p]])
    assert est[i["rate"]] == pytest.approx(counts.sum() / counts.size, rel=0.15)
