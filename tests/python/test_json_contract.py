"""The result JSON v1 of MODEL.md: keys, lengths, nulls and consistency."""

from __future__ import annotations

import json

import numpy as np
import pytest


def strict_loads(text: str):
    def reject(token):
        raise AssertionError(f"non-finite number {token} in result JSON")

    return json.loads(text, parse_constant=reject)


@pytest.fixture(scope="module")
def result_and_json(tmp_path_factory):
    import breakeven
    from conftest import BASE_YAML

    path = tmp_path_factory.mktemp("contract") / "s.yaml"
    path.write_text(BASE_YAML)
    result = breakeven.load(path).run(paths=25)
    out = tmp_path_factory.mktemp("out") / "result.json"
    result.to_json(out)
    return result, strict_loads(out.read_text())


def test_top_level_keys(result_and_json):
    result, doc = result_and_json
    assert doc["version"] == 1
    assert doc["scenario"] == "small"
    assert doc["mode"] == "stochastic"
    assert doc["paths"] == 25
    assert doc["seed"] == 5
    assert doc["horizon_months"] == 3
    assert doc["baseline"] == "api"
    assert [s["name"] for s in doc["strategies"]] == ["api", "hosted"]


def test_every_month_list_has_h_entries(result_and_json):
    _, doc = result_and_json
    h = doc["horizon_months"]
    for s in doc["strategies"]:
        assert set(s["monthly_cost"]) == {"mean", "se", "p5", "p50", "p95"}
        assert set(s["cumulative_cost"]) == {"mean", "p5", "p50", "p95"}
        assert set(s["parts"]) == {
            "api_input",
            "cached_input",
            "output",
            "batch",
            "overflow",
            "gpu",
            "fixed",
        }
        assert set(s["workload_cost"]) == {"chat", "nightly"}
        assert set(s["requests"]) == {
            "api", "cluster", "overflow", "unserved", "rate_limited"
        }
        lists = [
            *s["monthly_cost"].values(),
            *s["cumulative_cost"].values(),
            *s["parts"].values(),
            *s["workload_cost"].values(),
            *s["requests"].values(),
            s["gpu_hours"],
            s["utilization"],
        ]
        assert all(len(v) == h for v in lists)


def test_parts_add_up_to_the_monthly_mean(result_and_json):
    _, doc = result_and_json
    for s in doc["strategies"]:
        total = np.sum([v for v in s["parts"].values()], axis=0)
        np.testing.assert_allclose(total, s["monthly_cost"]["mean"], rtol=1e-12)


def test_statistics_match_the_arrays(result_and_json):
    result, doc = result_and_json
    for i, s in enumerate(doc["strategies"]):
        cost = result.cost[i]
        np.testing.assert_allclose(
            s["monthly_cost"]["mean"], cost.mean(axis=0), rtol=1e-12
        )
        np.testing.assert_allclose(
            s["monthly_cost"]["se"], cost.std(axis=0, ddof=1) / np.sqrt(25), rtol=1e-9
        )
        np.testing.assert_allclose(
            s["monthly_cost"]["p95"], np.percentile(cost, 95, axis=0), rtol=1e-12
        )
        np.testing.assert_allclose(
            s["cumulative_cost"]["p5"],
            np.percentile(cost.cumsum(axis=1), 5, axis=0),
            rtol=1e-12,
        )


def test_break_even_is_null_for_the_baseline_and_consistent_otherwise(result_and_json):
    result, doc = result_and_json
    base, hosted = doc["strategies"]
    assert base["break_even"] is None
    be = hosted["break_even"]
    assert set(be) >= {
        "p_within_horizon",
        "p50_month",
        "p90_month",
        "savings_at_horizon",
    }
    saved = (result.cost[0] - result.cost[1]).cumsum(axis=1)
    months = np.where((saved >= 0).any(axis=1), (saved >= 0).argmax(axis=1) + 1, 0)
    assert be["p_within_horizon"] == pytest.approx(np.mean(months > 0))
    np.testing.assert_allclose(
        be["savings_at_horizon"]["mean"], saved[:, -1].mean(), rtol=1e-9
    )

    def month_quantile(q):
        ordered = np.sort(np.where(months == 0, np.inf, months))
        value = ordered[int(np.ceil(q * len(ordered))) - 1]
        return None if np.isinf(value) else int(value)

    assert be["p50_month"] == month_quantile(0.5)
    assert be["p90_month"] == month_quantile(0.9)
