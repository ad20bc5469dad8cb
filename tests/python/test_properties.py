"""Properties of the model that any correct engine keeps, checked on scenarios that
Hypothesis draws: monotonicity in prices and traffic, the caching rule, conservation
of requests, and invariance to the thread count and to how paths are split.
"""

from __future__ import annotations

import copy

import breakeven
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

positive = st.floats(0.01, 100, allow_nan=False)


@st.composite
def scenarios(draw, caching=None, autoscale=None):
    """A small scenario: two workloads (one may be batch), two API models, a cluster
    with overflow, and strategies over them."""
    batch = draw(st.booleans())
    auto = draw(st.booleans()) if autoscale is None else autoscale
    cached = draw(st.booleans()) if caching is None else caching

    def model():
        price = draw(positive)
        return {
            "input": price,
            "output": price * draw(st.floats(1, 10)),
            "cached_input": price * draw(st.floats(0, 1)),
            "cache_write_multiplier": draw(st.floats(1, 1.5)),
            "cache_min_tokens": 256,
            "batch_discount": draw(st.floats(0, 0.6)),
        }

    def workload(name, is_batch):
        w = {
            "name": name,
            "requests": {"per_hour": draw(st.floats(0.5, 300))},
            "input_tokens": {"mean": draw(st.floats(500, 4000)), "cv": draw(st.floats(0, 1))},
            "prefix_tokens": 400,
            "output_tokens": {"mean": draw(st.floats(10, 500)), "cv": 0.5},
            "spikiness": {"sigma": draw(st.floats(0, 0.8)), "autocorrelation": 0.5},
            "hourly_weights": "business_hours",
        }
        if is_batch:
            w["latency"] = {"batch": {"deadline_hours": draw(st.integers(1, 48))}}
        return w

    gpus = (
        {"min": 0, "max": draw(st.integers(1, 4)), "lag_hours": draw(st.integers(0, 4))}
        if auto
        else draw(st.integers(0, 3))
    )
    return {
        "name": "drawn",
        "horizon_months": 2,
        "simulation": {"paths": 4, "seed": draw(st.integers(0, 2**64 - 1))},
        "models": {"big": model(), "small": model()},
        "workloads": [workload("a", False), workload("b", batch)],
        "correlation": draw(st.floats(-0.9, 0.9)),
        "clusters": {
            "gpu": {
                "gpu_price_per_hour": draw(positive),
                "gpus": gpus,
                "prefill_tokens_per_s": draw(st.floats(200, 20000)),
                "decode_tokens_per_s": draw(st.floats(20, 2000)),
                "overflow": "small",
                "fixed": {"ops_per_month": draw(st.floats(0, 5000))},
            }
        },
        "strategies": [
            {"name": "big", "route": {"default": "big"}, "caching": cached},
            {"name": "small", "route": {"default": "small"}, "caching": cached,
             "batch_api": True},
            {"name": "hosted", "route": {"default": "gpu"}, "caching": cached,
             "batch_api": True},
        ],
    }


def run(data, **kw):
    return breakeven.load(data).run(progress=False, **kw)


PRICE_FIELDS = [
    ("models", "big", "input"),
    ("models", "big", "output"),
    ("models", "big", "cached_input"),
    ("models", "small", "input"),
    ("models", "small", "output"),
    ("models", "small", "cached_input"),
    ("clusters", "gpu", "gpu_price_per_hour"),
]


@SETTINGS
@given(scenarios(), st.sampled_from(PRICE_FIELDS), st.floats(1.0, 5.0))
def test_cost_is_monotone_in_every_price(data, field, factor):
    before = run(data)
    raised = copy.deepcopy(data)
    group, name, key = field
    raised[group][name][key] *= factor
    after = run(raised)
    # Pathwise: the traffic is the same (common random numbers), prices only rise.
    assert (after.cost >= before.cost * (1 - 1e-12)).all()


@SETTINGS
@given(scenarios(caching=False, autoscale=False), st.floats(1.0, 4.0))
def test_cost_is_monotone_in_traffic_without_caching_or_autoscaling(data, scale):
    # In expected mode, more traffic never costs less on API routes and fixed-size
    # clusters. (Prompt caching can: misses n exp(-n ttl / 60K) fall once more than
    # one request arrives per TTL; an autoscaler can: more GPUs replace dearer
    # overflow. docs/model.md says so.)
    bigger = copy.deepcopy(data)
    for w in bigger["workloads"]:
        w["requests"]["per_hour"] *= scale
    before = run(data, mode="expected")
    after = run(bigger, mode="expected")
    assert (after.cost >= before.cost * (1 - 1e-12)).all()


@SETTINGS
@given(scenarios(caching=False))
def test_caching_never_costs_more_when_the_cache_pays(data):
    # MODEL.md's rule: a cached request costs h cached_in + (1-h) w in against in.
    # With w <= 1 and cached_in <= in that is never more, for any hit rate h.
    for m in data["models"].values():
        m["cache_write_multiplier"] = 1.0
    cached = copy.deepcopy(data)
    cached["strategies"] = [
        *data["strategies"],
        *({**s, "name": s["name"] + "+cache", "caching": True} for s in data["strategies"]),
    ]
    r = run(cached)
    n = len(data["strategies"])
    assert (r.cost[n:] <= r.cost[:n] * (1 + 1e-12)).all()


@SETTINGS
@given(scenarios())
def test_requests_are_conserved_on_api_routes(data):
    r = run(data)
    placed = r.requests.sum(axis=-1)  # (strategy, path, month)
    for s in (0, 1):  # API-only strategies place each month's demand in that month
        np.testing.assert_allclose(placed[s], r.demand, rtol=1e-9)
    # The cluster's backlog may carry work past a month end, never create it.
    assert (np.cumsum(placed[2], axis=1) <= np.cumsum(r.demand, axis=1) * (1 + 1e-12)).all()


@SETTINGS
@given(scenarios(), st.integers(2, 5))
def test_thread_count_and_path_split_never_change_a_bit(data, threads):
    one = run(data, paths=12, threads=1)
    many = run(data, paths=12, threads=threads)
    longer = run(data, paths=30, threads=threads)
    for name in ("cost", "parts", "workload_cost", "requests", "gpu_hours"):
        a, b, c = (np.asarray(getattr(x, name)) for x in (one, many, longer))
        assert np.array_equal(a, b), name
        assert np.array_equal(a, c[:, :12]), name  # a run is a prefix of a longer one
    assert one.as_dict()["strategies"] == many.as_dict()["strategies"]


def test_result_arrays_are_read_only_views():
    r = breakeven.load(breakeven.example_path()).run(paths=20, progress=False)
    assert not r.cost.flags.writeable and not r.parts.flags.writeable
    assert r.cost.shape == (len(r.strategies), 20, r.months)
    # A view of the engine's memory: it keeps the result alive on its own.
    cost = r.cost
    expected = cost.copy()
    del r
    np.testing.assert_array_equal(cost, expected)
