"""Parameter uncertainty (docs/model.md "Parameter uncertainty"): each path draws
its workloads' base rate and growth from their standard errors, from a stream of
its own, so the traffic's other draws are those of fixed parameters."""

from __future__ import annotations

import json

import breakeven
import jsonschema
import numpy as np
import pytest
from breakeven import schemas


def scenario(uncertainty=None, fixed=False, mode="stochastic"):
    w = {"name": "chat", "requests": {"per_hour": 2000}, "input_tokens": 1000,
         "output_tokens": 100, "growth_per_month": 0.02}
    if uncertainty is not None:
        w["uncertainty"] = uncertainty
    return breakeven.load({
        "name": "uncertain", "horizon_months": 12,
        "simulation": {"paths": 4000, "seed": 3, "mode": mode, "fixed_parameters": fixed},
        "models": {"m": {"input": 1.0, "output": 1.0}},
        "workloads": [w], "strategies": [{"name": "s", "route": {"default": "m"}}]})


def monthly_requests(s) -> np.ndarray:
    """(path, month) requests of the one workload."""
    return s.run(progress=False).requests[0].sum(axis=2)


def test_fixed_parameters_and_none_give_the_same_bits():
    plain = monthly_requests(scenario())
    fixed = monthly_requests(scenario({"requests": 0.2, "growth_per_month": 0.05}, fixed=True))
    assert np.array_equal(plain, fixed)
    expected = monthly_requests(scenario({"requests": 0.2}, mode="expected"))
    assert np.array_equal(expected, monthly_requests(scenario(mode="expected")))


def test_rate_uncertainty_is_a_lognormal_of_mean_one():
    """Poisson noise on 1.46M requests a month is 0.08%: the month's spread across
    paths is the rate's, sd of log = 0.2, and its mean stays R x 730."""
    months = monthly_requests(scenario({"requests": 0.2}))
    first = months[:, 0]
    mean = 2000 * 730
    assert first.mean() == pytest.approx(mean, rel=4 * 0.2 / np.sqrt(len(first)))
    assert np.log(first).std() == pytest.approx(0.2, rel=0.05)
    # The same factor for the whole path: month 11 over month 0 is the growth.
    ratio = months[:, 11] / months[:, 0]
    assert ratio.std() < 0.002 and ratio.mean() == pytest.approx(1.02 ** 11, rel=1e-3)


def test_growth_uncertainty_spreads_the_later_months():
    """g' = 0.02 + 0.03 Z: month 11 over month 0 is (1 + g')^11, whose sd is about
    11 x 0.03 / 1.02 of its mean."""
    months = monthly_requests(scenario({"growth_per_month": 0.03}))
    ratio = months[:, 11] / months[:, 0]
    g = ratio ** (1 / 11) - 1
    assert g.mean() == pytest.approx(0.02, abs=4 * 0.03 / np.sqrt(len(g)))
    assert g.std() == pytest.approx(0.03, rel=0.05)
    # Growth runs from hour 0: month 0 is half a month of it on average, sd about
    # 0.5 x 0.03 / 1.02 of its mean.
    assert months[:, 0].std() / months[:, 0].mean() == pytest.approx(0.0147, rel=0.1)


def test_band_sources_split_the_band_into_parameters_and_traffic():
    """With only the rate uncertain (sd of log 0.2) and Poisson noise of 0.08% a
    month, the band is the rate's: p5 and p95 at exp(-0.02 -+ 1.645 x 0.2) of the
    mean, traffic noise alone a band under 0.1% wide, the parameters' share of the
    variance about 1. The traffic band is that of the run with fixed_parameters."""
    s = scenario({"requests": 0.2})
    r = s.run(progress=False)
    b = r.band_sources()
    assert b["paths"] == 4000 and list(b["strategies"]) == ["s"]
    row = b["strategies"]["s"]
    total = r.cost[0].sum(axis=1)
    mean = total.mean()
    assert row["p5"] == pytest.approx(mean * np.exp(-0.02 - 1.645 * 0.2), rel=0.03)
    assert row["p95"] == pytest.approx(mean * np.exp(-0.02 + 1.645 * 0.2), rel=0.03)
    assert row["traffic_p95"] / row["traffic_p5"] - 1 < 0.001
    assert row["parameter_share"] > 0.999
    fixed = scenario({"requests": 0.2}, fixed=True).run(progress=False).as_dict()
    alone = fixed["strategies"][0]["total_cost"]
    assert (row["traffic_p5"], row["traffic_p95"]) == (alone["p5"], alone["p95"])


def test_band_sources_where_weekly_swings_and_the_rate_both_count():
    """Weekly swings of sigma 0.3 (autocorrelation 0) over 52 weeks and a rate of
    sd 0.1: the rate's variance is about 0.01 against the swings' 0.09 / 52 of a
    year's total, so the parameters hold about 0.01 / 0.0117 = 85% of it."""
    s = scenario({"requests": 0.1}).with_values(
        {"workloads.chat.spikiness": {"sigma": 0.3, "autocorrelation": 0.0}})
    share = s.run(progress=False).band_sources()["strategies"]["s"]["parameter_share"]
    assert share == pytest.approx(0.85, abs=0.04)


def test_no_band_sources_without_parameter_doubt():
    for s in (scenario(), scenario({"requests": 0.2}, fixed=True),
              scenario({"requests": 0.2}, mode="expected")):
        r = s.run(progress=False)
        assert r.band_sources() is None
        assert "band_sources" not in json.loads(r.to_json())
        assert "Where the band comes from" not in r.document().terminal()


def test_band_sources_in_the_json_and_the_terminal():
    r = scenario({"requests": 0.2}).run(progress=False)
    doc = json.loads(r.to_json())
    assert doc["band_sources"] == r.band_sources()
    assert list(jsonschema.Draft7Validator(schemas.schema("result")).iter_errors(doc)) == []
    assert "band_sources" not in r.as_dict()  # the engine's JSON, as decisions read it
    text = r.document().terminal()
    assert "Where the band comes from" in text and "parameters' share of variance" in text
