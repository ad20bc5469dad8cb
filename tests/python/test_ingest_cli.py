"""From the command line: synth-logs -> ingest -> run, the spend view's JSON, and
the backtest's JSON."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from breakeven.cli import main


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    out = folder / "openai.jsonl.zst"
    assert main(["synth-logs", str(REPO / "scenarios" / "content-platform.yaml"),
                 "--days", "21", "--format", "openai", "-o", str(out)]) == 0
    return folder, out


def test_synth_ingest_run(logs, capsys):
    folder, out = logs
    scenario = folder / "fitted.yaml"
    spend = folder / "spend.json"
    assert main(["ingest", str(out), "--task", "metadata.task", "-o", str(scenario),
                 "--json", str(spend), "--report", str(folder / "spend.html"),
                 "--bootstrap", "10"]) == 0
    text = capsys.readouterr().out
    assert "openai-chat" in text and "moderation" in text
    doc = json.loads(spend.read_text())
    tasks = {r["task"] for r in doc["by_task"]}
    assert tasks == {"taxonomy", "fact-check", "summarization", "moderation", "reasoning"}
    assert sum(r["share"] for r in doc["by_task"]) == pytest.approx(1.0)
    assert doc["total_cost"] == pytest.approx(sum(r["cost"] for r in doc["by_task_and_model"]))
    # the baseline routes everything to gpt-5.5: routing would save on every task
    assert {r["task"] for r in doc["routing_savings"]} == tasks
    assert all(0 < r["saving"] < r["cost_now"] for r in doc["routing_savings"])
    assert main(["run", str(scenario), "--paths", "50", "--quiet"]) == 0
    assert "observed" in capsys.readouterr().out


def test_backtest_command_writes_its_json(logs, tmp_path, capsys):
    _, out = logs
    path = tmp_path / "bt.json"
    assert main(["backtest", str(out), "--task", "metadata.task", "--train-days", "14",
                 "--paths", "100", "--json", str(path)]) == 0
    doc = json.loads(path.read_text())
    assert doc["train_days"] == 14 and doc["test_days"] == 7
    assert len(doc["days"]) == 3 * 6 * 7  # metrics x (5 tasks + total) x days
    assert "inside p5-p95" in capsys.readouterr().out


def test_train_days_leaving_no_test_day_is_an_option_error(logs, capsys):
    _, out = logs
    assert main(["backtest", str(out), "--task", "metadata.task", "--train-days", "21"]) == 2
    assert "--train-days" in capsys.readouterr().err
