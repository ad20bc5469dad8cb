"""Scenario.with_values: one path grammar for every edit (sensitivity, threshold,
sweeps, the optimizer)."""

from __future__ import annotations

import breakeven
import pytest
from breakeven.edits import REMOVE
from breakeven.errors import OptionError, ScenarioError
from conftest import BASE_YAML


@pytest.fixture
def scenario(write_scenario):
    return breakeven.load(write_scenario(BASE_YAML))


def test_paths_reach_list_items_by_name_and_names_with_dots(scenario):
    edited = scenario.with_values({
        "workloads.chat.requests": {"per_day": 480},
        "models.my-model.input": 2.5,
        "models.gpt-5.5.output": 99.0,  # a catalog model: its override is created
        "clusters.gpu.fixed.setup": 1234,  # a mapping the file does not have
    })
    r = edited.resolved()
    chat = next(w for w in r["workloads"] if w["name"] == "chat")
    assert chat["requests_per_hour"] == pytest.approx(20.0)
    assert r["models"]["my-model"]["input"] == 2.5
    assert r["models"]["gpt-5.5"]["output"] == 99.0
    assert r["clusters"]["gpu"]["fixed"]["setup"] == 1234
    assert edited.data["models"]["gpt-5.5"] == {"output": 99.0}
    assert scenario.data["workloads"][0]["requests"] == {"per_hour": 10}  # untouched


def test_remove_deletes_a_field(scenario):
    edited = scenario.with_values({"workloads.chat.spikiness.weekly_p95_over_p5": REMOVE,
                                   "baseline": REMOVE, "correlation": REMOVE})
    assert "weekly_p95_over_p5" not in edited.data["workloads"][0]["spikiness"]
    assert "baseline" not in edited.data and "correlation" not in edited.data
    assert edited.baseline == "api"  # the first strategy, the default


@pytest.mark.parametrize("path, message", [
    ("workloads.nope.requests.per_day", "no item named 'nope' in workloads"),
    ("workloads.chat", "names a list item; set one of its fields"),
    ("a..b", "a path is names joined by dots"),
])
def test_a_path_that_names_nothing_is_an_option_error(scenario, path, message):
    with pytest.raises(OptionError, match=message):
        scenario.with_values({path: 1})


def test_an_edit_the_engine_refuses_names_the_field(scenario):
    with pytest.raises(ScenarioError, match=r"clusters\.gpu\.utilization"):
        scenario.with_values({"clusters.gpu.utilization": 1.5})
    with pytest.raises(ScenarioError, match=r"horizon_months"):
        scenario.with_values({"horizon_months.x": 1})


def test_a_plain_value_on_the_way_becomes_a_mapping(scenario):
    edited = scenario.with_values({"workloads.chat.output_tokens.mean": 300,
                                   "workloads.chat.output_tokens.cv": 0.5})
    assert edited.data["workloads"][0]["output_tokens"] == {"mean": 300, "cv": 0.5}
