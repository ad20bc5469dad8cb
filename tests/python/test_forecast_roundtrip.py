"""Forecasts from short histories against the scenario that made the logs (issue
23 item 2): synthetic logs of 14 and 28 days of every bundled scenario synth-logs
can log, over three seeds, fitted, give a 12-month forecast of the logged plan
whose mean is within 0.8x to 1.25x of the true scenario's, with the true mean
inside the p5-p95 band. Before growth was shrunk and parameter uncertainty drawn,
the content-platform example forecast 6.4x its truth with a band 4% wide that
excluded it.

The logs are read as ingest reads them (SyntheticLogs.usage: the hourly counts
of the logs, their tokens' expectations), priced with the scenario's own catalog
(its ``models:`` over the bundled ones, as ``ingest --catalog`` would): 132 fits
from up to 17 million requests each would take an hour written and parsed. The
first test holds that reading against ingest of written logs."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

import breakeven
import numpy as np
import pytest
from breakeven.catalog import catalog, read_catalog
from breakeven.cli import main
from breakeven.errors import OptionError
from breakeven.logs import ingest
from breakeven.logs.synth import DEFAULT_START, SyntheticLogs
from conftest import REPO

SCENARIOS = sorted(p.stem for p in (REPO / "scenarios").glob("*.yaml"))
# What synth-logs refuses, and why: more than MAX_RECORDS requests in 14 days
# (24.9 and 254.6 million), or conversations cached by the baseline, whose history
# reads the logs cannot draw (they cost 1.3x to 1.6x the scenario's).
CANNOT_LOG = {"commitment": "requests", "hourly-noise-servegen": "requests",
              "caching-ttl-low-traffic": "conversations",
              "caching-ttl-support": "conversations"}
LOGGED = [n for n in SCENARIOS if n not in CANNOT_LOG]
# spiky-traffic's weeks swing with sigma 0.70 (weekly p95/p5 10) and
# autocorrelation 0.5: the mean level of 2 weeks has a log sd of 0.70 x sqrt(0.75)
# = 0.61, of 4 weeks 0.70 x sqrt(0.52) = 0.50, and a forecast can only start
# from it. 0.8x to 1.25x is +-0.22 in logs: met by chance on about 3 seeds in 10
# (1.26x, 1.03x, 0.71x from 14 days; 1.16x, 1.34x, 0.85x from 28). Its band, as
# wide as that doubt, holds the truth.
BAND_ONLY = {"spiky-traffic"}
SEEDS = (1, 2, 3)
PATHS = 300
BOOTSTRAP = 20


def scenario_catalog(name: str, folder):
    """The catalog the scenario prices with: its models: over the bundled ones."""
    models = breakeven.load(REPO / "scenarios" / f"{name}.yaml").data.get("models") or {}
    found = catalog()
    for model, fields in models.items():
        found["models"][model] = {**found["models"].get(model, {}), **fields}
    path = folder / f"{name}-catalog.json"
    path.write_text(json.dumps(found))
    return read_catalog(path)


@cache
def logged_usage(name: str, seed: int, folder):
    """28 days of the scenario's logs as ingest reads them (14 days are their first
    14: the engine's hours do not depend on how many are drawn)."""
    truth = breakeven.load(REPO / "scenarios" / f"{name}.yaml")
    return SyntheticLogs(truth, 28, seed).usage(scenario_catalog(name, folder))


@cache
def true_mean(name: str, months_in: float) -> float:
    """The 12-month cost of the scenario's baseline from ``months_in`` on."""
    truth = breakeven.load(REPO / "scenarios" / f"{name}.yaml")
    data = truth.data
    data["horizon_months"] = 12
    data.pop("expect", None)
    data["strategies"] = [s for s in data["strategies"] if s["name"] == truth.baseline]
    for w in data["workloads"]:
        (unit, rate), = w["requests"].items()
        w["requests"] = {unit: rate * (1 + w.get("growth_per_month", 0.0)) ** months_in}
    return float(breakeven.load(data).run(paths=PATHS, seed=2, progress=False).cost.sum(
        axis=2)[0].mean())


def forecast_against_truth(usage, name: str, days: int):
    fitted = usage.fit(bootstrap=BOOTSTRAP, horizon_months=12,
                       until=DEFAULT_START + dt.timedelta(days=days))
    totals = fitted.run(paths=PATHS, seed=1, progress=False).cost.sum(axis=2)[0]
    # The same 12 months: the fit's hour 0 is the Monday after the history, 0.46
    # or 0.92 months after the logs' first, so the truth's rates move on by its growth.
    months_in = (fitted.fit_report.start - DEFAULT_START).total_seconds() / 3600 / 730
    return totals, true_mean(name, months_in)


def test_the_logs_read_without_files_are_what_ingest_reads(tmp_path):
    """SyntheticLogs.usage against synth-logs -> ingest of the same logs: the same
    hourly requests, token means and cache reads within the draws' noise, and the
    same forecast within 1%. A chat with cache reads on 3 prefix variants."""
    spec = {"name": "shared-prefix", "horizon_months": 2, "simulation": {"seed": 4},
            "workloads": [{"name": "chat", "requests": {"per_hour": 90},
                           "input_tokens": {"mean": 4000, "cv": 0.3}, "prefix_tokens": 2500,
                           "prefix_variants": 3, "output_tokens": {"mean": 300, "cv": 0.5},
                           "spikiness": {"weekly_p95_over_p5": 2}}],
            "strategies": [{"name": "cached", "route": {"default": "gpt-5.4"},
                            "caching": True}]}
    (tmp_path / "s.json").write_text(json.dumps(spec))
    logs = tmp_path / "logs.jsonl"
    assert main(["synth-logs", str(tmp_path / "s.json"), "--days", "21", "--seed", "3",
                 "-o", str(logs)]) == 0
    read = ingest(logs)  # the task is the model
    drawn = SyntheticLogs(breakeven.load(spec), 21, 3).usage()
    a, b = read.hourly_table, drawn.hourly_table
    assert a.requests.tolist() == b.requests.tolist() and a.hour.tolist() == b.hour.tolist()
    (t_read,), (t_drawn,) = read.tokens.values(), drawn.tokens.values()
    n = t_read.requests
    assert t_read.input_mean == pytest.approx(t_drawn.input_mean, rel=4 * 0.3 / np.sqrt(n))
    assert t_read.output_mean == pytest.approx(t_drawn.output_mean, rel=4 * 0.5 / np.sqrt(n))
    assert 0.3 < t_drawn.cached_requests / n < 0.99  # reads on some hours, not all
    assert t_read.cached_requests == pytest.approx(t_drawn.cached_requests,
                                                   abs=4 * np.sqrt(n))
    assert t_read.prefix_p50 == t_drawn.prefix_p50 == 2500
    assert float(a.cost.sum()) == pytest.approx(float(b.cost.sum()), rel=0.01)
    means = [u.fit(bootstrap=0).run(paths=100, seed=1, progress=False).cost.mean()
             for u in (read, drawn)]
    assert means[0] == pytest.approx(means[1], rel=0.01)


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_bundled_scenario_is_logged_or_refused_with_its_reason(name):
    truth = breakeven.load(REPO / "scenarios" / f"{name}.yaml")
    if name not in CANNOT_LOG:
        assert SyntheticLogs(truth, 28, 1).records > 0
        return
    with pytest.raises(OptionError) as refused:
        SyntheticLogs(truth, 14, 1)
    assert {"requests": "synth-logs writes at most",
            "conversations": "synthetic logs draw no conversations"}[
        CANNOT_LOG[name]] in str(refused.value)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("days", (14, 28))
@pytest.mark.parametrize("name", LOGGED)
def test_short_histories_forecast_their_truth(tmp_path_factory, name, days, seed):
    usage = logged_usage(name, seed, tmp_path_factory.getbasetemp())
    totals, truth = forecast_against_truth(usage, name, days)
    p5, p95 = np.quantile(totals, [0.05, 0.95])
    print(f"{name}, {days} days, seed {seed}: mean {totals.mean() / truth:.3f}x the truth, "
          f"p5-p95 {p5 / truth:.3f}x to {p95 / truth:.3f}x")
    assert p5 <= truth <= p95
    if name not in BAND_ONLY:
        assert 0.8 <= totals.mean() / truth <= 1.25


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
    """content-platform from 14 days, through synth-logs and ingest: moderation's
    second week 8.5% busier read as +43% a month, 6.4x the truth. Its growth is
    now shrunk to the prior, and the forecast is 0.83x the truth, inside its band
    (as low as this path's two weeks were: swings of weekly_p95_over_p5 3)."""
    logs = tmp_path / "logs.jsonl.zst"
    assert main(["synth-logs", str(REPO / "scenarios" / "content-platform.yaml"), "--days",
                 "14", "--seed", "1", "-o", str(logs)]) == 0
    totals, truth = forecast_against_truth(ingest(logs, task="metadata.task"),
                                           "content-platform", 14)
    p5, p95 = np.quantile(totals, [0.05, 0.95])
    assert 0.8 <= totals.mean() / truth <= 1.25
    assert p5 <= truth <= p95
