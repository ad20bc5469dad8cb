"""The backtest on real traffic: ServeGen's 43 production clients as OpenAI usage
API pages (hourly), fitted on 7 days and checked against the next 7. The coverage
is recorded here and stated in the README; it is what the model gets, not what
it should get (see the README on what it misses)."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import REPO

from breakeven import ingest

sys.path.insert(0, str(REPO / "tests" / "data" / "servegen"))
import usage_pages  # noqa: E402

# Recorded from this backtest (README "Measure first"); seeds fixed, so it moves
# only when the fit or the engine changes. Issue 23's target: p5-p95 coverage of
# client-days and of the total's days at least 85%, p25-p75 between 40% and 60%.
# 0.49 before the forecast took its parameter uncertainty, 0.60 before clients could
# switch on and off for days and weekday weights needed two weeks, 0.81 before
# batch clients kept their level, swings were pooled across clients and silent
# clients were forecast from the others (docs/ingest.md "Pooled across tasks").
POOLED_COVERAGE = 0.857
POOLED_COVERAGE_50 = 0.595
TOTAL_COVERAGE = 1.0
TOTAL_COVERAGE_50 = 4 / 7


@pytest.fixture(scope="module")
def backtest(tmp_path_factory):
    path = usage_pages.write(tmp_path_factory.mktemp("servegen") / "usage.json")
    usage = ingest(path, task="project_id")
    return usage, usage.backtest(7, paths=500)


def test_usage_pages_hold_the_traces_requests(backtest):
    usage, _ = backtest
    assert usage.format == "openai-usage" and len(usage.tokens) == 43
    assert usage.days == 14
    rates = sum(usage_pages.hourly_rates(c).sum() for c in range(43))
    assert usage.hourly_table.requests.sum() == pytest.approx(rates, rel=1e-3)


def test_backtest_coverage_is_the_recorded_one(backtest):
    _, bt = backtest
    s = bt.summary()
    req = s[(s.metric == "requests") & (s.task != "total")]
    pooled = float(np.average(req.coverage, weights=req.days))
    pooled_50 = float(np.average(req.coverage_50, weights=req.days))
    assert pooled == pytest.approx(POOLED_COVERAGE, abs=0.005)
    assert pooled_50 == pytest.approx(POOLED_COVERAGE_50, abs=0.005)
    assert pooled >= 0.85 and 0.40 <= pooled_50 <= 0.60  # the target, met
    total = s[(s.metric == "requests") & (s.task == "total")].iloc[0]
    assert total.coverage == pytest.approx(TOTAL_COVERAGE)
    assert total.coverage_50 == pytest.approx(TOTAL_COVERAGE_50)
    assert total.coverage >= 0.85 and 0.40 <= total.coverage_50 <= 0.60
    assert bt.test_days == 7 and len(bt.days) == 3 * 44 * 7
    verdict = " ".join(bt.verdict())
    assert "under-cover" in verdict  # the README says so too


def test_backtest_bands_are_ordered_and_the_json_is_plain(backtest):
    import json

    _, bt = backtest
    d = bt.days
    assert (d.p5 <= d.p50).all() and (d.p50 <= d.p95).all()
    doc = json.loads(json.dumps(bt.to_json()))
    assert {r["metric"] for r in doc["summary"]} == {"requests", "input_tokens",
                                                     "output_tokens"}
