"""`breakeven diff A B` as a library call: the inputs that changed, as the engine
resolves them, and each strategy's cost and break-even on both, run on the same
paths and seed."""

from __future__ import annotations

import json

import pytest
from conftest import BASE_YAML, REPO

import breakeven
from breakeven.diff import Change, diff_scenarios
from breakeven.errors import OptionError, ScenarioError

FLAT = REPO / "scenarios" / "flat-api-prices.yaml"
FALLING = REPO / "scenarios" / "falling-api-prices.yaml"


def test_flat_and_falling_prices_differ_by_the_price_trend_only():
    d = diff_scenarios(FLAT, FALLING, paths=60, seed=3)
    assert d.changes == [Change("models.claude-haiku-4.5.price_path.price_trend", "changed",
                                None, {"monthly": -0.03, "sigma": 0.01})]
    by = {s.name: s for s in d.strategies}
    # The API gets cheaper; the self-hosted plan stays as it was and stops paying back.
    assert by["haiku"].delta < 0 and by["haiku"].relative == pytest.approx(-0.27, abs=0.03)
    assert abs(by["self-host"].relative) < 1e-3
    assert by["self-host"].p_break_even[0] > 0.9 > 0.5 > by["self-host"].p_break_even[1]
    assert d.only_a == d.only_b == []


def test_one_price_changed_is_the_one_change_and_the_cost_moves_its_way(write_scenario):
    a = write_scenario()
    b = write_scenario(BASE_YAML.replace("my-model: {input: 1.0,", "my-model: {input: 2.0,"),
                       "dearer.yaml")
    d = diff_scenarios(a, b, paths=20, seed=1)
    assert d.changes == [Change("models.my-model.input", "changed", 1.0, 2.0)]
    by = {s.name: s for s in d.strategies}
    assert by["api"].delta > 0
    assert by["hosted"].delta >= 0  # only its overflow is priced by my-model
    # Same paths and seed on both: the same file gives the same numbers exactly.
    same = diff_scenarios(a, a, paths=20, seed=1)
    assert same.changes == [] and all(s.delta == 0 for s in same.strategies)


def test_strategies_and_workloads_added_or_removed_are_named(write_scenario):
    a = write_scenario()
    b = write_scenario(BASE_YAML.replace("  - name: hosted", "  - name: self-hosted"),
                       "renamed.yaml")
    d = diff_scenarios(a, b, paths=10, seed=1)
    assert d.only_a == ["hosted"] and d.only_b == ["self-hosted"]
    assert [(c.path, c.kind) for c in d.changes] == [
        ("strategies[hosted]", "removed"), ("strategies[self-hosted]", "added")]
    assert [s.name for s in d.strategies] == ["api"]


def test_to_dict_is_json_and_the_document_shows_both_tables():
    d = diff_scenarios(FLAT, FALLING, paths=20, seed=1)
    data = json.loads(json.dumps(d.to_dict(), allow_nan=False))
    assert data["paths"] == 20 and data["seed"] == 1
    assert data["changes"][0]["path"] == "models.claude-haiku-4.5.price_path.price_trend"
    haiku = data["strategies"][0]
    assert haiku["total_cost"]["delta"] == pytest.approx(
        haiku["total_cost"]["b"] - haiku["total_cost"]["a"])
    text = str(d.document())
    assert "Inputs that changed" in text and "1 input changed" in text
    assert "self-host" in text and "10 -> >24" in text


def test_a_bad_file_or_option_fails_before_running(write_scenario, tmp_path):
    with pytest.raises(ScenarioError):
        diff_scenarios(tmp_path / "missing.yaml", FLAT)
    with pytest.raises(OptionError, match="paths"):
        diff_scenarios(FLAT, FALLING, paths=0)


def test_scenarios_may_be_given_loaded():
    d = diff_scenarios(breakeven.load(FLAT), breakeven.load(FLAT), paths=10, seed=1)
    assert d.changes == [] and d.to_dict()["a"]["file"] == str(FLAT)
