"""The backtest's calibration (docs/ingest.md, "Calibration"): coverage of the 50%
and 90% bands, the PIT, the interval score and the verdict, first on forecasts whose
truth is known in closed form, then end to end on ServeGen's real traffic.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import sys

import numpy as np
import pytest
from breakeven.cli import main
from breakeven.logs.backtest import (
    MIN_VERDICT_DAYS,
    PIT_BINS,
    VERDICT_SE,
    VERDICTS,
    calibration,
    chi2_sf,
    coverage_verdict,
    forecast_calibration,
    interval_score,
    pit,
)
from conftest import REPO


def draws(n: int, m: int, spread: float, seed: int):
    """Held-out values (n), each from its own normal (mean and scale vary by value),
    and m paths per value from the same normal with ``spread`` times its scale.
    """
    rng = np.random.default_rng(seed)
    mean = rng.uniform(100, 1000, n)
    scale = rng.uniform(5, 50, n)
    actual = rng.normal(mean, scale)
    paths = rng.normal(mean, spread * scale, size=(m, n))
    return actual, paths, rng


def ks_distance(u: np.ndarray) -> float:
    u = np.sort(u)
    n = len(u)
    return float(max(np.max(np.arange(1, n + 1) / n - u), np.max(u - np.arange(n) / n)))


# -- closed forms -------------------------------------------------------------------

def test_a_forecast_of_the_same_distribution_covers_nominally_and_its_pit_is_uniform():
    n, m = 4000, 400
    actual, paths, rng = draws(n, m, 1.0, seed=1)
    c = forecast_calibration(actual, paths, rng)
    # Bands from m paths hold a fresh draw with probability nominal * (m - 1) / (m + 1)
    # on average (linear interpolation between order statistics): allow that and 4
    # binomial standard errors of n values.
    for nominal, coverage in ((0.5, c.coverage_50), (0.9, c.coverage_90)):
        tolerance = 4 * math.sqrt(nominal * (1 - nominal) / n) + 2 / (m + 1)
        assert coverage == pytest.approx(nominal, abs=tolerance)
    # PIT: 10% in each tail tenth within 4 SE, the histogram's chi-square not
    # rejecting at 0.1%, and Kolmogorov-Smirnov distance under its 1% critical value.
    se = math.sqrt(0.1 * 0.9 / n)
    assert c.pit_below_10 == pytest.approx(0.1, abs=4 * se)
    assert c.pit_above_90 == pytest.approx(0.1, abs=4 * se)
    assert c.chi2_p > 1e-3
    u = pit(actual, paths, np.random.default_rng(2))
    assert ks_distance(u) < 1.63 / math.sqrt(n)
    assert c.verdict == "calibrated"


def test_ties_are_randomized_so_a_discrete_forecast_has_a_uniform_pit():
    # Poisson days of mean 1.5: a third of the values sit on ties (many at 0).
    n, m = 4000, 300
    rng = np.random.default_rng(3)
    actual = rng.poisson(1.5, n)
    paths = rng.poisson(1.5, (m, n))
    u = pit(actual, paths, rng)
    assert ((0 <= u) & (u < 1)).all()
    assert ks_distance(u) < 1.63 / math.sqrt(n)
    hist = np.bincount(np.floor(u * PIT_BINS).astype(int), minlength=PIT_BINS)
    chi2 = float(((hist - n / PIT_BINS) ** 2).sum() / (n / PIT_BINS))
    assert chi2_sf(chi2, PIT_BINS - 1) > 1e-3
    # without the randomization, ties put every PIT on a few values
    below = (paths < actual).sum(axis=0) / (m + 1)
    assert ks_distance(below) > 3 / math.sqrt(n)


def test_a_forecast_with_half_the_spread_is_too_narrow():
    actual, paths, rng = draws(MIN_VERDICT_DAYS, 400, 0.5, seed=4)
    c = forecast_calibration(actual, paths, rng)
    # a band of half the width holds |Z| < 0.82 (90%) and < 0.34 (50%)
    assert c.coverage_90 < 0.9 - VERDICT_SE * c.se_90
    assert c.verdict == "too narrow"
    assert c.pit_below_10 > 0.1 and c.pit_above_90 > 0.1  # a U-shaped histogram
    big = forecast_calibration(*draws(4000, 400, 0.5, seed=5)[:2], np.random.default_rng(5))
    p90 = math.erf(1.6449 * 0.5 / math.sqrt(2))
    assert big.coverage_90 == pytest.approx(p90, abs=4 * math.sqrt(p90 * (1 - p90) / 4000)
                                            + 0.01)


def test_a_forecast_with_twice_the_spread_is_too_wide():
    actual, paths, rng = draws(MIN_VERDICT_DAYS, 400, 2.0, seed=6)
    c = forecast_calibration(actual, paths, rng)
    assert c.verdict == "too wide"
    assert c.pit_below_10 < 0.1 and c.pit_above_90 < 0.1


def test_the_verdict_is_withheld_below_the_minimum():
    actual, paths, rng = draws(MIN_VERDICT_DAYS - 1, 400, 0.5, seed=7)
    c = forecast_calibration(actual, paths, rng)
    assert c.coverage_90 < 0.8  # far too narrow, but too few values to say so
    assert c.verdict == "not enough held-out days to tell" == VERDICTS[3]
    assert c.to_json()["chi2"] is None and c.to_json()["chi2_p"] is None
    assert coverage_verdict(MIN_VERDICT_DAYS, 0.5, 0.9) == "calibrated"
    assert coverage_verdict(0, float("nan"), float("nan")) == VERDICTS[3]


def test_the_verdict_rule_is_two_binomial_standard_errors():
    n = 400  # SE: 0.015 at 90%, 0.025 at 50%
    assert coverage_verdict(n, 0.5, 0.9 - 0.029) == "calibrated"
    assert coverage_verdict(n, 0.5, 0.9 - 0.031) == "too narrow"
    assert coverage_verdict(n, 0.5, 0.9 + 0.031) == "too wide"
    assert coverage_verdict(n, 0.5 - 0.051, 0.9) == "too narrow"
    assert coverage_verdict(n, 0.5 + 0.051, 0.9) == "too wide"
    # the 90% band decides when both are off
    assert coverage_verdict(n, 0.6, 0.8) == "too narrow"


def test_calibrated_forecasts_are_called_calibrated_about_as_often_as_the_rule_allows():
    # Two bands, each off at about 5% by chance at 2 SE: a calibrated forecast over
    # the minimum of held-out values is called calibrated about 90% of the time.
    calls = [forecast_calibration(*draws(MIN_VERDICT_DAYS, 200, 1.0, seed=s)[:2],
                                  np.random.default_rng(s)).verdict for s in range(300)]
    share = calls.count("calibrated") / len(calls)
    assert 0.82 < share < 0.99


def test_interval_score_by_hand():
    lower, upper = [10, 10, 10], [20, 20, 20]
    actual = [15, 5, 26]  # inside, 5 under, 6 over
    # 90%: alpha 0.1, a miss costs 2 / 0.1 = 20 per unit
    assert interval_score(actual, lower, upper, 0.9).tolist() == pytest.approx([10, 110, 130])
    # 50%: alpha 0.5, 4 per unit
    assert interval_score(actual, lower, upper, 0.5).tolist() == pytest.approx([10, 30, 34])
    c = calibration(actual, p5=[8, 8, 8], p25=lower, p75=upper, p95=[22, 22, 22],
                    pit_values=[0.5, 0.01, 0.99])
    assert c.interval_score_50 == pytest.approx((10 + 30 + 34) / 3)
    # p5-p95 is [8, 22]: 14, 14 + 20 * 3, 14 + 20 * 4
    assert c.interval_score_90 == pytest.approx((14 + 74 + 94) / 3)
    assert c.coverage_50 == pytest.approx(1 / 3) and c.coverage_90 == pytest.approx(1 / 3)
    assert c.pit_histogram == (1, 0, 0, 0, 0, 1, 0, 0, 0, 1)


def test_pit_of_a_tiny_ensemble():
    rng = np.random.default_rng(0)
    paths = np.array([[1.0], [2.0], [2.0], [3.0]])
    # 1 path under 2 and 2 at it: PIT = (1 + U * 3) / 5, in [0.2, 0.8)
    u = np.array([pit([2.0], paths, rng)[0] for _ in range(2000)])
    assert u.min() >= 0.2 and u.max() < 0.8
    assert u.mean() == pytest.approx(0.5, abs=0.02)
    assert 0 <= pit([0.0], paths, rng)[0] < 0.2  # under every path
    assert 0.8 <= pit([9.0], paths, rng)[0] < 1.0  # over every path


@pytest.mark.parametrize("df", [1, 2, 3, 9, 10])
def test_chi2_survival_function(df):
    # closed forms: df 2 is exp(-x/2), df 1 is erfc(sqrt(x/2))
    for x in (0.1, 1.0, 5.0, 20.0):
        if df == 2:
            assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2))
        if df == 1:
            assert chi2_sf(x, 1) == pytest.approx(math.erfc(math.sqrt(x / 2)))
    assert chi2_sf(0.0, df) == 1.0
    from scipy import stats
    for x in (0.1, 1.0, 5.0, 8.343, 16.919, 21.666, 60.0):
        assert chi2_sf(x, df) == pytest.approx(stats.chi2.sf(x, df), rel=1e-9, abs=1e-300)


# -- end to end: ServeGen, 7 days trained and 7 held out ------------------------------

# Recorded from this backtest (seeds fixed; the README states them through
# tools/readme_figures.py): requests per client-day. They were 0.32 and 0.49 before
# the forecast took growth shrunk, week-to-week swings assumed where a week cannot
# show them, and the level's doubt (docs/ingest.md "Growth and parameter
# uncertainty"); 0.42 and 0.60 before weekday weights needed two weeks and clients
# could switch on and off for days (docs/model.md "Activity"); 0.60 and 0.81 before
# batch clients kept their level, swings were pooled across clients and silent
# clients were forecast from the others (docs/ingest.md "Pooled across tasks").
COVERAGE_50 = 0.595
COVERAGE_90 = 0.857


@pytest.fixture(scope="module")
def servegen(tmp_path_factory):
    """ServeGen's 43 clients (tests/data/servegen, a copy of
    shared/data/servegen-language-m-small) as hourly OpenAI usage pages, backtested
    from the command line with its JSON and a Markdown report.
    """
    sys.path.insert(0, str(REPO / "tests" / "data" / "servegen"))
    try:
        import usage_pages
    finally:
        sys.path.pop(0)
    folder = tmp_path_factory.mktemp("servegen-calibration")
    logs = usage_pages.write(folder / "usage.json")
    out, report = folder / "bt.json", folder / "bt.md"
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        code = main(["backtest", str(logs), "--task", "project_id", "--train-days", "7",
                     "--paths", "500", "--json", str(out), "--report", str(report)])
    assert code == 0
    return text.getvalue(), json.loads(out.read_text()), report.read_text()


def independent(doc: dict, metric: str, scope: str) -> dict:
    """The calibration of one metric from the JSON's days alone."""
    rows = [r for r in doc["days"] if r["metric"] == metric
            and (r["task"] == "total") == (scope == "total")]
    y = np.array([r["actual"] for r in rows])
    q = {k: np.array([r[k] for r in rows]) for k in ("p5", "p25", "p75", "p95", "pit")}
    n = len(rows)

    def score(lo, hi, alpha):
        return float(np.mean(hi - lo + 2 / alpha * (np.maximum(lo - y, 0)
                                                     + np.maximum(y - hi, 0))))

    hist = [int(((q["pit"] >= k / 10) & (q["pit"] < (k + 1) / 10)).sum()) for k in range(10)]
    return {"n": n,
            "coverage_50": float(np.mean((q["p25"] <= y) & (y <= q["p75"]))),
            "coverage_90": float(np.mean((q["p5"] <= y) & (y <= q["p95"]))),
            "pit_histogram": hist,
            "interval_score_50": score(q["p25"], q["p75"], 0.5),
            "interval_score_90": score(q["p5"], q["p95"], 0.1)}


def test_servegen_printed_coverages_are_the_jsons(servegen):
    text, doc, report = servegen
    assert doc["test_days"] == 7 and doc["train_days"] == 7
    assert doc["min_verdict_days"] == MIN_VERDICT_DAYS
    for row in doc["calibration"]:
        ours = independent(doc, row["metric"], row["scope"])
        assert row["n"] == ours["n"] == (301 if row["scope"] == "tasks" else 7)
        for key in ("coverage_50", "coverage_90", "interval_score_50", "interval_score_90"):
            assert row[key] == pytest.approx(ours[key], rel=1e-12), key
        assert row["pit_histogram"] == ours["pit_histogram"]
        # the printed row: metric, over, n, p25-p75, p5-p95, ...
        printed = re.search(rf"^{row['metric']}\s+{row['scope']}\s+(\d+)\s+(\d+)%\s+(\d+)%",
                            text, re.M)
        assert printed, (row["metric"], row["scope"])
        assert int(printed[1]) == ours["n"]
        assert int(printed[2]) == round(100 * ours["coverage_50"])
        assert int(printed[3]) == round(100 * ours["coverage_90"])
        # the report (Markdown) holds the same row
        assert (f"| {row['metric']} | {row['scope']} | {printed[1]} | {printed[2]}% | "
                f"{printed[3]}% |") in report
        below, above = ours["pit_histogram"][0] / ours["n"], ours["pit_histogram"][-1] / ours["n"]
        assert row["pit_below_10"] == pytest.approx(below)
        assert row["pit_above_90"] == pytest.approx(above)
        # the verdict, from the binomial rule applied here
        if ours["n"] < MIN_VERDICT_DAYS:
            assert row["verdict"] == VERDICTS[3]
        else:
            z90 = (ours["coverage_90"] - 0.9) / math.sqrt(0.09 / ours["n"])
            z50 = (ours["coverage_50"] - 0.5) / math.sqrt(0.25 / ours["n"])
            expected = ("too narrow" if z90 < -2 else "too wide" if z90 > 2 else
                        "too narrow" if z50 < -2 else "too wide" if z50 > 2 else "calibrated")
            assert row["verdict"] == expected
    req = next(r for r in doc["calibration"]
               if r["metric"] == "requests" and r["scope"] == "tasks")
    words = " ".join(text.split())  # the terminal wraps paragraphs
    assert f"{round(100 * req['coverage_90'])}% of task-days inside p5-p95" in words
    assert f"{round(100 * req['coverage_50'])}% inside p25-p75" in words
    assert f"calibration: {req['verdict']} (over 301 task-days" in words
    assert req["units"] == "requests per day"


def test_servegen_calibration_is_the_recorded_one(servegen):
    _, doc, _ = servegen
    req = next(r for r in doc["calibration"]
               if r["metric"] == "requests" and r["scope"] == "tasks")
    assert req["coverage_50"] == pytest.approx(COVERAGE_50, abs=0.005)
    assert req["coverage_90"] == pytest.approx(COVERAGE_90, abs=0.005)
    # Issue 23's target (at least 85% and 40-60%) is met, but 85.7% is still more
    # than 2 binomial SEs under 90%: both PIT tails are heavy (clients ramping up
    # or dropping beyond a lognormal's tails).
    assert req["coverage_90"] >= 0.85 and 0.40 <= req["coverage_50"] <= 0.60
    assert 0.11 < req["pit_below_10"] < 0.15
    assert 0.15 < req["pit_above_90"] < 0.19
    assert 1e-6 < req["chi2_p"] < 1e-3  # 2.5e-5 recorded: not uniform yet
    assert req["verdict"] == "too narrow"
    total = next(r for r in doc["calibration"]
                 if r["metric"] == "requests" and r["scope"] == "total")
    assert total["verdict"] == VERDICTS[3] and total["chi2"] is None
