from __future__ import annotations

import threading
import time

import breakeven
import numpy as np
import pytest
from breakeven import PART_NAMES, SERVED_NAMES


def test_load_from_path_and_dict_agree(small, write_scenario):
    import yaml
    from conftest import BASE_YAML

    from_dict = breakeven.load(yaml.safe_load(BASE_YAML))
    assert from_dict.strategies == small.strategies == ["api", "hosted"]
    assert small.workloads == ["chat", "nightly"]
    assert small.clusters == ["gpu"]
    assert small.baseline == "api"
    a, b = small.run(), from_dict.run()
    np.testing.assert_array_equal(a.cost, b.cost)


def test_arrays_have_documented_shapes_and_are_zero_copy_views(small):
    r = small.run(paths=7)
    s, p, h, w = 2, 7, 3, 2
    assert r.cost.shape == (s, p, h) and r.cost.dtype == np.float64
    assert r.parts.shape == (s, p, h, len(PART_NAMES))
    assert r.requests.shape == (s, p, h, len(SERVED_NAMES))
    assert r.workload_cost.shape == (s, p, h, w)
    assert r.gpu_hours.shape == (s, p, h)
    # Views of the engine's memory: no copy, not writeable.
    assert not r.cost.flags.owndata
    assert not r.cost.flags.writeable
    first, second = r.cost, r.cost
    assert np.shares_memory(first, second)
    with pytest.raises(ValueError):
        r.cost[0, 0, 0] = 1.0


def test_parts_add_up_and_strategy_view(small):
    r = small.run(paths=10)
    np.testing.assert_allclose(r.parts.sum(axis=-1), r.cost, rtol=1e-12)
    hosted = r["hosted"]
    assert hosted.cost.shape == (10, 3)
    assert set(hosted.parts) == set(PART_NAMES)
    np.testing.assert_allclose(hosted.cumulative_cost[:, -1], hosted.total_cost)
    assert hosted.gpu_hours[0, 0] == 730  # 1 GPU all month
    with pytest.raises(KeyError, match="strategies: api, hosted"):
        r["nope"]


def test_expected_mode_closed_form(write_scenario):
    text = """\
name: closed-form
horizon_months: 2
models: {m: {input: 1.0, output: 10.0}}
workloads:
  - {name: w, requests: {per_hour: 10}, input_tokens: 1000, output_tokens: 100}
strategies:
  - {name: api, route: {default: m}}
"""
    r = breakeven.load(write_scenario(text)).run(mode="expected")
    # 10/h x (1000 x $1 + 100 x $10) / 1M = $0.02/h = $14.60 a month
    assert r.paths == 1
    np.testing.assert_allclose(r.cost[0, 0], [14.6, 14.6], rtol=1e-12)
    row = r.summary().loc["api"]
    assert row.total_cost == pytest.approx(29.2, rel=1e-12)
    assert row.mean_monthly_cost == pytest.approx(14.6, rel=1e-12)


def test_summary_has_one_row_per_strategy(small):
    df = small.run(paths=30).summary()
    assert list(df.index) == ["api", "hosted"]
    assert {
        "mean_monthly_cost",
        "total_cost",
        "total_cost_p5",
        "total_cost_p95",
        "savings",
        "break_even_p50_month",
        "break_even_p90_month",
        "p_break_even",
    } <= set(df.columns)
    assert df.loc["api", "savings"] == 0
    assert (
        df.loc["api", "total_cost_p5"]
        <= df.loc["api", "total_cost"]
        <= df.loc["api", "total_cost_p95"]
    )
    assert df["break_even_p50_month"].isna()["api"]  # baseline has no break-even
    assert not df.select_dtypes("number").isin([np.inf, -np.inf]).any().any()


def test_same_seed_same_bits_and_threads_do_not_matter(small):
    a = small.run(paths=12, seed=3, threads=1)
    b = small.run(paths=12, seed=3, threads=2)
    c = small.run(paths=12, seed=4, threads=2)
    np.testing.assert_array_equal(a.cost, b.cost)
    np.testing.assert_array_equal(a.parts, b.parts)
    assert not np.array_equal(a.cost, c.cost)
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"paths": 0}, r"paths: must be a whole number between 1 and 100000000 \(got 0\)"),
        ({"paths": 2.5}, r"paths: must be a whole number between 1 and 100000000"),
        ({"paths": 10**10}, r"paths: .* \(got 10000000000\)"),
        ({"seed": -1}, r"seed: must be a whole number between 0 and 2\^64-1"),
        ({"seed": 2**64}, r"seed: must be a whole number between 0 and 2\^64-1"),
        ({"mode": "fast"}, "mode: must be stochastic or expected"),
        ({"threads": 0}, "threads: must be a whole number between 1 and 1024"),
        ({"threads": 600, "paths": 10**8}, "paths: a run of 100000000 paths"),
        ({"precision": 2}, "precision: must be between 0 and 1"),
        ({"memory_budget_gib": -1}, "memory_budget_gib: must be > 0"),
    ],
)
def test_run_rejects_bad_arguments(small, kwargs, message):
    with pytest.raises(breakeven.OptionError, match=message):
        small.run(**kwargs)


def test_gil_is_released_during_a_run(small):
    ticks = 0
    done = threading.Event()

    def run():
        small.run(paths=3000, threads=1)
        done.set()

    worker = threading.Thread(target=run)
    start = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.005)
    worker.join()
    elapsed = time.perf_counter() - start
    # The main thread kept running while the engine worked.
    assert elapsed > 0.2
    assert ticks > 10


def test_progress_callback_reaches_total(small):
    seen = []
    small.run(paths=50, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (50, 50)
    assert all(total == 50 for _, total in seen)


def test_bundled_example_loads():
    s = breakeven.load(breakeven.example_path())
    assert s.name == "content-platform"
    assert len(s.workloads) == 5
    assert s.baseline == "all-frontier"


def test_catalog_has_sources_and_dates():
    cat = breakeven.catalog()["models"]
    assert {"gpt-5.5", "claude-haiku-4.5", "gemini-3-flash"} <= set(cat)
    for name, m in cat.items():
        assert m["source"] and m["as_of"], name
    assert cat["gpt-5.5"]["input"] == 5.0 and cat["gpt-5.5"]["output"] == 30.0
    table = breakeven.models_table()
    assert table.loc["claude-haiku-4.5", "cache_write_x"] == 1.25


def test_scenario_models_override_the_catalog(write_scenario):
    text = """\
name: override
horizon_months: 1
models: {gpt-5.5: {input: 2.0}}
workloads:
  - {name: w, requests: {per_hour: 1}, input_tokens: 1000000, output_tokens: 0}
strategies:
  - {name: api, route: {default: gpt-5.5}}
"""
    r = breakeven.load(write_scenario(text)).run(mode="expected")
    # 1M input tokens an hour at the overridden $2/M, 730 hours
    assert r.cost[0, 0, 0] == pytest.approx(730 * 2.0, rel=1e-12)


def test_precision_runs_blocks_until_the_target_and_is_a_prefix(small):
    r = small.run(precision=0.01, seed=2)
    assert r.precision == 0.01 and r.precision_met
    assert r.paths % 1000 == 0
    totals = r.cost.sum(axis=2)
    rel_se = totals.std(axis=1, ddof=1) / np.sqrt(r.paths) / totals.mean(axis=1)
    assert (rel_se < 0.01).all()
    same = small.run(paths=r.paths, seed=2)
    np.testing.assert_array_equal(r.cost, same.cost)
    assert r.as_dict()["precision"] == {"target": 0.01, "met": True}
    capped = small.run(precision=1e-5, paths=1500)
    assert capped.paths == 1500 and not capped.precision_met
    with pytest.raises(ValueError, match="precision: must be between 0 and 1"):
        small.run(precision=0)
