"""Routes that split and cascade, provisioned throughput, long-context and service
tiers (docs/model.md "Routes that split and cascade", "Provisioned throughput and
long-context tiers"): closed forms in expected mode, a Monte Carlo check of the
long-context shares, hostile inputs, and the optimizer choosing a split."""

from __future__ import annotations

import copy
import subprocess
import sys

import breakeven as be
import numpy as np
import pytest
import yaml
from breakeven.constants import SERVED_NAMES
from breakeven.decisions import optimize
from breakeven.decisions.optimize import Split
from breakeven.report.tables import strategy_assumptions
from scipy.special import gammainc

HOURS = 730  # per month (the engine's calendar)

BASE = {
    "name": "routes", "horizon_months": 3, "simulation": {"mode": "expected"},
    "models": {
        "cheap": {"input": 0.25, "output": 2.0, "cached_input": 0.025},
        "strong": {"input": 5.0, "output": 30.0, "cached_input": 0.5,
                   "service_tiers": {"flex": 0.5, "priority": 2.0}},
        "limited": {"input": 1.0, "output": 4.0,
                    "rate_limit": {"requests_per_minute": 10}},
    },
    "workloads": [{"name": "triage", "requests": {"per_hour": 1000}, "input_tokens": 2000,
                   "output_tokens": 300}],
    "clusters": {"gpu": {"gpu_price_per_hour": 2.0, "gpus": 4,
                         "prefill_tokens_per_s": 50000, "decode_tokens_per_s": 5000}},
    "quality": {"cheap": {"triage": 0.7}, "strong": {"triage": 0.9}},
    "strategies": [{"name": "cheap", "route": {"default": "cheap"}},
                   {"name": "strong", "route": {"default": "strong"}}],
}


def with_strategies(*strategies, **fields) -> dict:
    data = copy.deepcopy(BASE)
    data["strategies"] += list(strategies)
    data.update(fields)
    return data


def totals(data: dict) -> dict[str, float]:
    """Each strategy's total cost over the horizon (expected mode: one path)."""
    result = be.load(data).run()
    return dict(zip(result.strategies, result.cost.sum(axis=2)[:, 0]))


def requests(data: dict) -> dict[str, dict[str, float]]:
    result = be.load(data).run()
    by = result.requests.sum(axis=2)[:, 0, :]  # (strategy, served kind)
    return {s: dict(zip(SERVED_NAMES, row)) for s, row in zip(result.strategies, by)}


# -- splits and cascades ---------------------------------------------------------------
def test_a_split_costs_its_shares_of_each_target():
    cost = totals(with_strategies({"name": "split",
                                   "route": {"triage": {"cheap": 0.7, "strong": 0.3}}}))
    assert cost["split"] == pytest.approx(0.7 * cost["cheap"] + 0.3 * cost["strong"],
                                          rel=1e-12)


def test_a_cascade_pays_the_cheap_model_for_all_and_the_strong_one_again():
    cost = totals(with_strategies(
        {"name": "stated", "route": {"default": {"cascade": ["cheap", "strong"],
                                                 "escalate": 0.2}}},
        {"name": "derived", "route": {"default": {"cascade": ["cheap", "strong"],
                                                  "escalate": "from_quality"}}}))
    assert cost["stated"] == pytest.approx(cost["cheap"] + 0.2 * cost["strong"], rel=1e-12)
    escalated = 1 - 0.7 / 0.9  # 1 - q_cheap / q_strong
    assert cost["derived"] == pytest.approx(cost["cheap"] + escalated * cost["strong"],
                                            rel=1e-12)


def test_requests_are_counted_once_where_first_served():
    data = with_strategies(
        {"name": "split", "route": {"default": {"cheap": 0.5, "gpu": 0.5}}},
        {"name": "cascade", "route": {"default": {"cascade": ["gpu", "strong"],
                                                  "escalate": 0.3}}})
    demand = 1000 * HOURS * 3
    counted = requests(data)
    assert counted["split"]["api"] == pytest.approx(demand / 2, rel=1e-12)
    assert counted["split"]["cluster"] == pytest.approx(demand / 2, rel=1e-12)
    assert sum(counted["cascade"].values()) == pytest.approx(demand, rel=1e-12)
    assert counted["cascade"]["cluster"] == pytest.approx(demand, rel=1e-12)


def test_each_leg_has_its_own_cache_at_its_share_of_the_traffic():
    """A leg's prompt cache sees only its share of the requests: the split costs what
    two workloads at 70% and 30% of the rate cost on their own models."""
    cached = copy.deepcopy(BASE)
    cached["workloads"][0].update(prefix_tokens=1500, requests={"per_hour": 2})
    split = copy.deepcopy(cached)
    split["strategies"] = [{"name": "split", "caching": True,
                            "route": {"triage": {"cheap": 0.7, "strong": 0.3}}}]
    apart = copy.deepcopy(cached)
    a, b = (copy.deepcopy(cached["workloads"][0]) for _ in range(2))
    a.update(name="a", requests={"per_hour": 2 * 0.7})
    b.update(name="b", requests={"per_hour": 2 * 0.3})
    apart["workloads"] = [a, b]
    apart["quality"] = {}
    apart["strategies"] = [{"name": "apart", "caching": True,
                            "route": {"a": "cheap", "b": "strong"}}]
    assert totals(split)["split"] == pytest.approx(totals(apart)["apart"], rel=1e-9)
    # not linear: 2 requests an hour keep a 5-minute cache warm less often split
    no_split = totals({**cached, "strategies": [
        {"name": "cheap", "route": {"default": "cheap"}, "caching": True},
        {"name": "strong", "route": {"default": "strong"}, "caching": True}]})
    assert totals(split)["split"] > 0.7 * no_split["cheap"] + 0.3 * no_split["strong"]


def test_a_rate_limited_leg_takes_its_share_against_the_limit():
    data = with_strategies(
        {"name": "split", "route": {"default": {"limited": 0.5, "cheap": 0.5}}},
        {"name": "limited", "route": {"default": "limited"}})
    cost, served = totals(data), requests(data)
    hours = HOURS * 3
    # alone, 1000 requests an hour against a budget of 600: 400 turned away
    assert served["limited"]["rate_limited"] == pytest.approx(400 * hours, rel=1e-12)
    # its half of the split, 500 an hour, all go through
    assert served["split"]["rate_limited"] == 0
    limited_half = 500 * hours * (2000 * 1.0 + 300 * 4.0) / 1e6
    assert cost["split"] == pytest.approx(0.5 * cost["cheap"] + limited_half, rel=1e-12)


def test_routes_show_as_labels_with_their_quality():
    scenario = be.load(with_strategies(
        {"name": "split", "route": {"default": {"cheap": 0.7, "strong": 0.3}}},
        {"name": "cascade", "route": {"default": {"cascade": ["cheap", "strong"],
                                                  "escalate": 0.2}}},
        {"name": "derived", "route": {"default": {"cascade": ["cheap", "strong"],
                                                  "escalate": "from_quality"}}}))
    by = {s["name"]: s for s in scenario.resolved()["strategies"]}
    assert by["split"]["route"] == {"triage": "cheap 70% / strong 30%"}
    assert by["cascade"]["route"] == {"triage": "cheap -> strong (20%)"}
    assert by["derived"]["route"] == {"triage": "cheap -> strong (22.22%)"}
    # quality: share-weighted; a stated cascade a random share escalated; a derived
    # one the strong model's
    assert by["split"]["route_quality"]["triage"] == pytest.approx(0.7 * 0.7 + 0.3 * 0.9)
    assert by["cascade"]["route_quality"]["triage"] == pytest.approx(0.8 * 0.7 + 0.2 * 0.9)
    assert by["derived"]["route_quality"]["triage"] == 0.9
    assert by["cheap"]["route_legs"]["triage"] == [
        {"target": "cheap", "share": 1.0, "escalation": False}]
    _, rows = strategy_assumptions(scenario.resolved())  # the report's strategies
    assert ["split", "triage: cheap 70% / strong 30%", "off", "off"] in rows


def test_min_quality_holds_for_a_split():
    data = with_strategies({"name": "split",
                            "route": {"default": {"cheap": 0.5, "strong": 0.5}}})
    data["workloads"][0]["min_quality"] = 0.8
    data["strategies"] = data["strategies"][1:]
    be.load(data)  # 0.5 * 0.7 + 0.5 * 0.9 = 0.8
    data["strategies"][-1]["route"]["default"] = {"cheap": 0.6, "strong": 0.4}
    with pytest.raises(be.ScenarioError, match="needs quality >= 0.8 and 'cheap 60% / "
                                               "strong 40%' scores 0.78"):
        be.load(data)


# -- the optimizer -----------------------------------------------------------------------
def test_the_optimizer_finds_a_split_that_beats_every_single_model():
    """min_quality 0.8 between a 0.75 and a 0.85 model at nearly the same price:
    half and half meets it for less than the strong model, and a cascade (the cheap
    model for all, 1 - 0.75/0.85 = 11.8% again on the strong one) costs more."""
    data = {
        "name": "split-wins", "horizon_months": 2, "simulation": {"mode": "expected"},
        "models": {"near": {"input": 0.9, "output": 4.0},
                   "strong": {"input": 1.0, "output": 4.0}},
        "workloads": [{"name": "w", "requests": {"per_hour": 100}, "input_tokens": 1000,
                       "output_tokens": 100, "min_quality": 0.8}],
        "quality": {"near": {"w": 0.75}, "strong": {"w": 0.85}},
        "strategies": [{"name": "strong", "route": {"default": "strong"}}],
    }
    best = optimize(be.load(data), paths=1)
    assert best.best.plan.routes() == {"w": Split((("near", 0.5), ("strong", 0.5)))}
    assert best.labels[best.best.plan] == {"w": "near 50% / strong 50%"}
    per_request = {"near": 1000 * 0.9 + 100 * 4.0, "strong": 1000 * 1.0 + 100 * 4.0}
    half = (per_request["near"] + per_request["strong"]) / 2
    assert best.best.mean == pytest.approx(half / per_request["strong"] * best.baseline.mean,
                                           rel=1e-12)
    # the YAML to paste writes the split as a route
    assert yaml.safe_load(best.yaml())["strategies"][0]["route"] == {
        "default": {"near": 0.5, "strong": 0.5}}


# -- provisioned throughput ----------------------------------------------------------------
PTU = {"price_per_unit_hour": 1.5, "tokens_per_minute_per_unit": 1000, "units": 100,
       "term_months": 1, "overflow": "strong", "source": "test", "as_of": "2026-12"}


def provisioned(units=100, term=1, dispersion=0.0, **extra) -> dict:
    data = with_strategies({"name": "ptu", "route": {"default": "ptu"}},
                           provisioned={"ptu": {**PTU, "units": units, "term_months": term,
                                                **extra}})
    data["workloads"][0]["spikiness"] = {"minute_dispersion": dispersion}
    return data


def test_provisioned_below_capacity_costs_its_units_every_hour():
    # 1000 requests of 2300 tokens an hour: 38,333 tokens a minute < 100,000
    cost = totals(provisioned())
    assert cost["ptu"] == pytest.approx(100 * 1.5 * HOURS * 3, rel=1e-12)
    # a 2-month term over a 3-month horizon is owed for 4 months
    assert totals(provisioned(term=2))["ptu"] == pytest.approx(100 * 1.5 * HOURS * 4,
                                                              rel=1e-12)


def test_provisioned_over_capacity_sends_the_rest_to_its_overflow():
    # 10 units: 10,000 tokens a minute of the 38,333 asked
    within = 10_000 / (1000 * 2300 / 60)
    cost = totals(provisioned(units=10))
    assert cost["ptu"] == pytest.approx(10 * 1.5 * HOURS * 3 + (1 - within) * cost["strong"],
                                        rel=1e-12)
    served = requests(provisioned(units=10))["ptu"]
    assert served["api"] == pytest.approx(within * 1000 * HOURS * 3, rel=1e-12)
    assert served["overflow"] == pytest.approx((1 - within) * 1000 * HOURS * 3, rel=1e-12)
    no_overflow = requests(provisioned(units=10, overflow=None))["ptu"]
    assert no_overflow["rate_limited"] == pytest.approx(served["overflow"], rel=1e-12)


def test_provisioned_minutes_bunch_up_as_a_gamma_count():
    """Minutes vary (dispersion 40): the excess within the hour is E[(X - R)+] of
    a gamma minute count, even below the hour's capacity."""
    n, phi = 1000.0, 40.0
    limit = 20 * 1000 * n / (n * 2300)  # 20 units: requests a minute at 2300 tokens each
    mean, var = n / 60, phi * n / 60
    k, theta = mean**2 / var, var / mean
    x = limit / theta
    excess = mean * (1 - gammainc(k + 1, x)) - limit * (1 - gammainc(k, x))
    within = (n - 60 * excess) / n
    cost = totals(provisioned(units=20, dispersion=phi))
    assert 0 < excess and within < 1
    assert cost["ptu"] == pytest.approx(20 * 1.5 * HOURS * 3 + (1 - within) * cost["strong"],
                                        rel=1e-9)


# -- long context and service tiers -----------------------------------------------------------
LONG = {"above_input_tokens": 200_000, "input": 10.0, "output": 45.0, "cached_input": 1.0}


def long_context(cv=1.5, mean=120_000, prefix=0) -> dict:
    data = copy.deepcopy(BASE)
    data["models"]["strong"]["long_context"] = dict(LONG)
    data["workloads"][0].update(input_tokens={"mean": mean, "cv": cv}, prefix_tokens=prefix)
    return data


@pytest.mark.parametrize("cv, prefix", [(1.5, 0), (0.8, 20_000), (1.0, 60_000)])
def test_long_context_shares_match_a_monte_carlo(cv, prefix):
    mean = 120_000
    scenario = be.load(long_context(cv, mean, prefix))
    shares = scenario._core.long_context_shares("triage", 200_000)
    # the per-request input: the prefix plus a lognormal variable part
    mu_v, sd = mean - prefix, cv * mean
    s2 = np.log1p((sd / mu_v) ** 2)
    rng = np.random.default_rng(25)
    x = prefix + rng.lognormal(np.log(mu_v) - s2 / 2, np.sqrt(s2), 4_000_000)
    above = x > 200_000
    p = above.mean()
    assert shares["requests"] == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / x.size))
    tokens = (x * above).sum() / x.sum()
    assert shares["input_tokens"] == pytest.approx(tokens, rel=0.02)


def test_long_context_prices_the_requests_above_the_threshold():
    data = long_context()
    scenario = be.load(data)
    s = scenario._core.long_context_shares("triage", 200_000)
    n = 1000 * HOURS * 3
    by_hand = n * (120_000 * (5.0 + s["input_tokens"] * (10.0 - 5.0))
                   + 300 * (30.0 + s["requests"] * (45.0 - 30.0))) / 1e6
    assert totals(data)["strong"] == pytest.approx(by_hand, rel=1e-12)
    # every request the same size below the threshold: no surcharge
    small = copy.deepcopy(data)
    small["workloads"][0]["input_tokens"] = 150_000
    assert totals(small)["strong"] == pytest.approx(n * (150_000 * 5 + 300 * 30) / 1e6,
                                                    rel=1e-12)


def test_service_tiers_multiply_every_token_price():
    cost = totals(with_strategies(
        {"name": "flex", "route": {"default": "strong"}, "service_tier": "flex"},
        {"name": "priority", "route": {"default": "strong"}, "service_tier": "priority"}))
    assert cost["flex"] == pytest.approx(0.5 * cost["strong"], rel=1e-12)
    assert cost["priority"] == pytest.approx(2.0 * cost["strong"], rel=1e-12)


# -- hostile inputs -----------------------------------------------------------------------------
def route_error(route, **fields) -> str:
    data = with_strategies({"name": "bad", "route": {"default": route}}, **fields)
    with pytest.raises(be.ScenarioError) as e:
        be.load(data)
    return str(e.value)


CASCADE = ["cheap", "strong"]


@pytest.mark.parametrize("route, message", [
    ({"cheap": 0.7, "strong": 0.2},
     "strategies[2].route.default: the shares must add up to 1 (within 1e-06; got 0.9)"),
    ({"cheap": 0.7, "nope": 0.3}, "route.default.nope: unknown model or cluster 'nope'"),
    ({"cheap": "most", "strong": 0.3}, "route.default.cheap: must be a number"),
    ({"cheap": 1.5}, "route.default.cheap: must be between 0 and 1 (got 1.5)"),
    ({"cheap": 0, "strong": 1}, "route.default.cheap: must be > 0 (got 0)"),
    ({}, "route.default: must be a model or cluster"),
    ({"cascade": ["cheap"], "escalate": 0.2},
     "route.default.cascade: must name two targets, [CHEAP, STRONG] (got 1)"),
    ({"cascade": CASCADE}, "route.default.escalate: is required"),
    ({"cascade": CASCADE, "escalate": 1.2}, "route.default.escalate: must be between 0 and 1"),
    ({"cascade": CASCADE, "escalate": "maybe"},
     "route.default.escalate: must be a share in [0, 1] or from_quality (got 'maybe')"),
    ({"cascade": CASCADE, "escalate": 0.2, "colour": "blue"},
     "route.default.colour: unknown field"),
    ({"cascade": ["cheap", "cheap"], "escalate": 0.2},
     "route.default.cascade[1]: must differ from the first target"),
    ({"cascade": ["cheap", "gpu"], "escalate": 0.2},
     "route.default.cascade[1]: a cascade escalates to an API model, not a cluster"),
    ({"cascade": ["cheap", "limited"], "escalate": 0.2},
     "route.default.cascade[1]: a cascade escalates to 'limited', whose rate limit turns "
     "requests away: give the limit a fallback"),
    ({"cascade": ["strong", "cheap"], "escalate": "from_quality"},
     "route.default.escalate: from_quality needs the second target to score above the "
     "first for 'triage' (got 0.9 and 0.7)"),
    ({"cascade": ["gpu", "strong"], "escalate": "from_quality"},
     "route.default.escalate: from_quality needs quality: gpu: triage (no score)"),
], ids=lambda x: None)
def test_hostile_routes_are_one_clear_error(route, message):
    assert message in route_error(route)


def provisioned_error(**spec) -> str:
    data = with_strategies({"name": "ptu", "route": {"default": "ptu"}},
                           provisioned={"ptu": {**PTU, **spec}})
    with pytest.raises(be.ScenarioError) as e:
        be.load(data)
    return str(e.value)


@pytest.mark.parametrize("spec, message", [
    ({"units": 0}, "provisioned.ptu.units: must be between 1 and 1000000"),
    ({"units": 2.5}, "provisioned.ptu.units: must be"),
    ({"tokens_per_minute_per_unit": 0}, "provisioned.ptu.tokens_per_minute_per_unit: must be > 0"),
    ({"price_per_unit_hour": -1}, "provisioned.ptu.price_per_unit_hour: must be between 0"),
    ({"term_months": 0}, "provisioned.ptu.term_months: must be between 1 and 240"),
    ({"overflow": "nope"}, "provisioned.ptu.overflow: unknown API model 'nope'"),
    ({"overflow": "limited"}, "provisioned.ptu.overflow: 'limited' has a rate limit"),
    ({"colour": "blue"}, "provisioned.ptu.colour: unknown field"),
])
def test_hostile_provisioned_is_one_clear_error(spec, message):
    assert message in provisioned_error(**spec)


def test_a_provisioned_name_may_not_be_a_model_name():
    data = with_strategies(provisioned={"cheap": PTU})
    with pytest.raises(be.ScenarioError, match="provisioned.cheap: provisioned name 'cheap' "
                                               "is also an API model's or a cluster's name"):
        be.load(data)


@pytest.mark.parametrize("model, message", [
    ({"long_context": {"above_input_tokens": 200_000, "input": 10, "output": 45}},
     "models.strong.long_context.cached_input: is required"),
    ({"cached_input": None, "long_context": LONG},
     "models.strong.long_context.cached_input: the model has no cached_input price"),
    ({"long_context": {**LONG, "above_input_tokens": 0}},
     "models.strong.long_context.above_input_tokens: must be > 0"),
    ({"long_context": {**LONG, "tier": 2}}, "models.strong.long_context.tier: unknown field"),
    ({"service_tiers": {"flex": 2}}, "models.strong.service_tiers.flex: must be between 0 and 1"),
    ({"service_tiers": {"priority": 0.5}},
     "models.strong.service_tiers.priority: must be between 1 and 100"),
    ({"service_tiers": {"scale": 0.5}}, "models.strong.service_tiers.scale: unknown field"),
])
def test_hostile_model_tiers_are_one_clear_error(model, message):
    data = copy.deepcopy(BASE)
    data["models"]["strong"].update(model)
    with pytest.raises(be.ScenarioError) as e:
        be.load(data)
    assert message in str(e.value)


@pytest.mark.parametrize("tier, route, message", [
    ("turbo", "strong", "strategies[2].service_tier: must be standard, flex or priority "
                        "(got 'turbo')"),
    ("flex", "cheap", "strategies[2].service_tier: 'cheap' (the route of 'triage') does not "
                      "sell the flex tier (no service_tiers.flex)"),
    (2, "strong", "strategies[2].service_tier: must be a string"),
])
def test_hostile_service_tier_is_one_clear_error(tier, route, message):
    data = with_strategies({"name": "bad", "route": {"default": route}, "service_tier": tier})
    with pytest.raises(be.ScenarioError) as e:
        be.load(data)
    assert message in str(e.value)


def test_a_bad_split_in_a_file_is_one_line_with_file_line_and_field(tmp_path):
    path = tmp_path / "split.yaml"
    path.write_text("name: s\nhorizon_months: 2\n"
                    "workloads:\n  - {name: w, requests: {per_hour: 10}, input_tokens: 100,"
                    " output_tokens: 10}\n"
                    "strategies:\n  - name: split\n"
                    "    route: {default: {gpt-5-mini: 0.7, gpt-5.5: 0.2}}\n")
    proc = subprocess.run([sys.executable, "-m", "breakeven", "run", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        f"error: {path}:7: strategies[0].route.default: the shares must add up to 1 "
        "(within 1e-06; got 0.9)")
