"""The same requests logged in Anthropic's raw usage, OpenTelemetry GenAI's current
attribute names and its older ones give the same spend: cache tokens are counted
once whichever way a convention counts input, reasoning tokens are priced as
output and shown apart (tests/data/log-conventions/)."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from breakeven import ingest
from breakeven.cli import main
from breakeven.logs.prices import catalog_prices, list_cost
from breakeven.logs.spend import spend_summary, spend_table

DATA = REPO / "tests/data/log-conventions"
FILES = {
    "anthropic": ("anthropic-usage.jsonl", "metadata.task_type"),
    "otel": ("otel-genai-current.jsonl", "attributes.app\\.task"),
    "otel-older": ("otel-genai-older.jsonl", "attributes.app\\.task"),
}
# (task, catalog model, uncached input, cache read, cache write, output, reasoning)
REQUESTS = [
    ("moderation", "claude-haiku-4.5", 300, 0, 4500, 12, 0),
    ("moderation", "claude-haiku-4.5", 280, 4500, 0, 9, 0),
    ("research", "claude-sonnet-4.5", 2200, 8000, 0, 900, 640),
    ("research", "claude-sonnet-4.5", 1800, 0, 8000, 1200, 850),
    ("research", "claude-sonnet-4.5", 2500, 8000, 0, 700, 0),
]


@pytest.fixture(scope="module")
def usages():
    return {name: ingest(DATA / f, task=task) for name, (f, task) in FILES.items()}


def by_task(usage):
    t = spend_table(usage).groupby("task")[
        ["requests", "input_tokens", "cached_tokens", "output_tokens", "cost"]].sum()
    return t.sort_index()


def test_each_convention_is_recognised(usages):
    assert {n: u.format for n, u in usages.items()} == {
        "anthropic": "anthropic", "otel": "otel", "otel-older": "otel"}
    assert all(u.ingested == 5 and not u.problems for u in usages.values())


def test_spend_is_the_same_in_every_convention_and_the_hand_computed_one(usages):
    tables = {n: by_task(u) for n, u in usages.items()}
    for name in ("otel", "otel-older"):
        assert tables[name].index.tolist() == tables["anthropic"].index.tolist()
        for column in tables["anthropic"]:
            assert tables[name][column].tolist() == pytest.approx(
                tables["anthropic"][column].tolist(), rel=1e-12), (name, column)
    prices = catalog_prices()
    for task in ("moderation", "research"):
        rows = [r for r in REQUESTS if r[0] == task]
        # input counted once: the uncached input, the reads and the writes
        assert tables["otel"].loc[task, "input_tokens"] == sum(r[2] + r[3] + r[4] for r in rows)
        assert tables["otel"].loc[task, "cached_tokens"] == sum(r[3] for r in rows)
        cost = sum(list_cost(prices[r[1]], r[2] + r[3] + r[4], r[3], r[4], r[5])
                   for r in rows)
        assert tables["anthropic"].loc[task, "cost"] == pytest.approx(cost, rel=1e-12)


def test_reasoning_tokens_are_shown_apart_and_priced_as_output(usages, tmp_path, capsys):
    current = spend_summary(usages["otel"])
    reasoning = {r["task"]: r["reasoning_tokens"] for r in current["by_task"]}
    assert reasoning == {"moderation": 0, "research": 640 + 850}
    # The same cost with and without the reasoning count: it is within output.
    assert current["total_cost"] == pytest.approx(spend_summary(usages["otel-older"])
                                                  ["total_cost"], rel=1e-12)
    providers = {r["provider"] for r in current["by_task_and_model"]}
    assert providers == {"anthropic"}
    assert {r["provider"] for r in spend_summary(usages["anthropic"])["by_task_and_model"]} \
        == {None}
    out = tmp_path / "spend.json"
    assert main(["ingest", str(DATA / FILES["otel"][0]), "--task", FILES["otel"][1],
                 "--bootstrap", "0", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    research = next(line for line in text.splitlines() if line.strip().startswith("research"))
    assert f"{1490 / 2800:.1%}" in research  # reasoning share of research's output
    assert json.loads(out.read_text())["by_task"][0]["reasoning_tokens"] in (0, 1490)


def test_reasoning_above_output_is_a_bad_record(tmp_path):
    lines = (DATA / FILES["otel"][0]).read_text().splitlines()
    span = json.loads(lines[2])
    span["attributes"]["gen_ai.usage.reasoning.output_tokens"] = 5000  # output is 900
    lines[2] = json.dumps(span)
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(lines) + "\n")
    usage = ingest(path, task=FILES["otel"][1])
    (problem,) = usage.problems
    assert problem.kind == "reasoning tokens above output tokens"
    assert problem.where == [f"{path}:3"] and usage.ingested == 4


def test_cache_tokens_above_otel_input_tokens_are_a_bad_record(tmp_path):
    lines = (DATA / FILES["otel"][0]).read_text().splitlines()
    span = json.loads(lines[3])
    span["attributes"]["gen_ai.usage.input_tokens"] = 1800  # the writes (8000) are within
    lines[3] = json.dumps(span)
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(lines) + "\n")
    (problem,) = ingest(path, task=FILES["otel"][1]).problems
    assert problem.kind == "cached tokens above input tokens"
