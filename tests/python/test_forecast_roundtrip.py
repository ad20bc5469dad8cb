"""Forecasts from short histories against the scenario that made the logs (issue
23 item 2): synthetic logs of 14 and 28 days of a bundled scenario, ingested and
fitted, give a 12-month forecast of the logged plan whose mean is within 0.8x to
1.25x of the true scenario's, with the true mean inside the p5-p95 band. Before
growth was shrunk and parameter uncertainty drawn, the content-platform example
forecast 6.4x its truth with a band 4% wide that excluded it."""

from __future__ import annotations

import numpy as np
import pytest

import breakeven
from breakeven.cli import main
from breakeven.logs import ingest
from conftest import REPO


def forecast_against_truth(tmp_path, name: str, days: int, seed: int):
    logs = tmp_path / "logs.jsonl.zst"
    assert main(["synth-logs", str(REPO / "scenarios" / f"{name}.yaml"), "--days",
                 str(days), "--seed", str(seed), "-o", str(logs)]) == 0
    usage = ingest(logs, task="metadata.task")
    fitted = usage.fit(bootstrap=20, horizon_months=12)
    totals = fitted.run(paths=300, seed=1, progress=False).cost.sum(axis=2)[0]
    truth = breakeven.load(REPO / "scenarios" / f"{name}.yaml")
    data = truth.data
    data["horizon_months"] = 12
    data.pop("expect", None)
    # The same 12 months: the fit's hour 0 is the Monday after the logs (a Monday
    # too, 0.46 or 0.92 months in), so the truth's rates move on by its growth.
    months = (fitted.fit_report.start - usage.start).total_seconds() / 3600 / 730
    for w in data["workloads"]:
        (unit, rate), = w["requests"].items()
        w["requests"] = {unit: rate * (1 + w.get("growth_per_month", 0.0)) ** months}
    baseline = [s["name"] for s in data["strategies"]].index(truth.baseline)
    true_mean = breakeven.load(data).run(paths=300, seed=2, progress=False).cost.sum(
        axis=2)[baseline].mean()
    return totals, true_mean


# content-platform from 28 days (seed 1): its fastest-swinging task's four weeks rose
# steeply; the raw trend (+50% a month, at its bound) was shrunk but its low start
# kept, and the swings it had explained were lost: 0.76x the truth, p5-p95 0.67x to
# 0.88x, before the fit kept the level and the swings (estimators.rate_for_growth,
# swings_left).
@pytest.mark.parametrize(("name", "days"), [("spend-by-task", 14), ("spend-by-task", 28),
                                            ("growth", 14), ("growth", 28),
                                            ("content-platform", 28)])
def test_short_histories_forecast_their_truth(tmp_path, name, days):
    totals, truth = forecast_against_truth(tmp_path, name, days, seed=1)
    p5, p95 = np.quantile(totals, [0.05, 0.95])
    print(f"{name}, {days} days: mean {totals.mean() / truth:.3f}x the truth, "
          f"p5-p95 {p5 / truth:.3f}x to {p95 / truth:.3f}x")
    assert 0.8 <= totals.mean() / truth <= 1.25
    assert p5 <= truth <= p95


def test_a_parameter_at_its_bound_or_under_its_error_is_flagged():
    from breakeven.logs.traffic_fit import BOUNDS, parameter_flag

    assert parameter_flag("growth", 0.5, 0.1) == "at the end of its range"
    assert parameter_flag("growth", -0.5, 0.1) == "at the end of its range"
    assert parameter_flag("autocorrelation", BOUNDS["autocorrelation"][1], 0.01) == (
        "at the end of its range")
    assert parameter_flag("sigma", 0.0, 0.05) == ""  # no swing seen: not a bound hit
    assert parameter_flag("growth", 0.43, 0.92) == "se larger than the value"
    assert parameter_flag("hourly_sigma", 0.3, 0.02) == ""
    assert parameter_flag("growth", 0.01, float("nan")) == ""


def test_the_issue_example_is_inside_its_band(tmp_path):
    """content-platform from 14 days: moderation's second week 8.5% busier read as
    +43% a month, 6.4x the truth. Its growth is now shrunk to the prior, and the
    truth is inside the band (the mean, 0.74x here, is as low as this path's two
    weeks were: week-to-week swings of weekly_p95_over_p5 3)."""
    totals, truth = forecast_against_truth(tmp_path, "content-platform", 14, seed=1)
    p5, p95 = np.quantile(totals, [0.05, 0.95])
    assert 0.6 <= totals.mean() / truth <= 1.25
    assert p5 <= truth <= p95
