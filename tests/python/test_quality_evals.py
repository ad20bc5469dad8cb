"""breakeven quality import reads eval scores (plain CSV, promptfoo, Langfuse; the
same scores in each, tests/data/evals/) into a quality table with seeded bootstrap
intervals; min_quality: {floor, probability} is enforced by the engine with the
scores' sd; the report shows the intervals next to each route."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
import yaml
from conftest import REPO

import breakeven as be
from breakeven.cli import main
from breakeven.decisions.optimize import allowed_targets
from breakeven.errors import OptionError, ScenarioError
from breakeven.evals import quality_table, read_evals
from breakeven.report.tables import strategy_assumptions

DATA = REPO / "tests/data/evals"
FILES = {"csv": "scores.csv", "promptfoo": "promptfoo-results.json",
         "langfuse": "langfuse-scores.csv"}


def plain_scores() -> dict:
    out: dict = {}
    with open(DATA / "scores.csv") as f:
        for r in csv.DictReader(f):
            out.setdefault((r["model"], r["task"]), []).append(float(r["score"]))
    return out


@pytest.fixture(scope="module")
def tables():
    return {fmt: quality_table(read_evals(DATA / f, fmt), replicates=4000, seed=7)
            for fmt, f in FILES.items()}


def test_every_format_gives_the_same_table(tables):
    assert tables["promptfoo"] == tables["csv"]
    assert tables["langfuse"] == tables["csv"]


def test_means_are_exact_and_the_bootstrap_sd_is_the_standard_error(tables):
    for (model, task), scores in plain_scores().items():
        q = tables["csv"][model][task]
        x = np.array(scores)
        assert q["mean"] == pytest.approx(x.mean(), rel=1e-12)
        assert q["items"] == len(x) == 12
        # The bootstrap sd of a mean: the plug-in standard error s_n / sqrt(n),
        # within Monte Carlo error of 4,000 replicates (sd of an sd: ~1/sqrt(2B)).
        se = x.std(ddof=0) / math.sqrt(len(x))
        assert q["sd"] == pytest.approx(se, rel=0.05)
        assert q["low"] <= q["mean"] <= q["high"] and q["level"] == 0.95
    assert tables["csv"]["frontier"]["tagging"]["high"] == 1.0  # never above the top score


def test_the_bootstrap_is_seeded():
    rows = read_evals(DATA / "scores.csv", "csv")
    assert quality_table(rows, 500, seed=1) == quality_table(rows, 500, seed=1)
    assert quality_table(rows, 500, seed=1) != quality_table(rows, 500, seed=2)


def test_langfuse_leaves_out_categorical_scores_and_needs_one_metric(tmp_path):
    rows = read_evals(DATA / FILES["langfuse"], "langfuse")
    assert rows.skipped == {"CATEGORICAL scores": 1}
    text = (DATA / FILES["langfuse"]).read_text()
    two = tmp_path / "scores.csv"
    two.write_text(text + text.splitlines()[1].replace("correctness", "tone") + "\n")
    with pytest.raises(ScenarioError, match="several names .*correctness, tone.*--metric"):
        read_evals(two, "langfuse")
    assert len(read_evals(two, "langfuse", metric="tone").score) == 1


SCENARIO = {
    "name": "quality-from-evals", "horizon_months": 2,
    "simulation": {"paths": 10, "seed": 1, "mode": "expected"},
    "models": {"frontier": {"input": 5.0, "output": 25.0},
               "mid": {"input": 1.0, "output": 5.0}},
    "workloads": [
        {"name": "chat", "requests": {"per_hour": 100}, "input_tokens": 1000,
         "output_tokens": 100, "min_quality": {"floor": 0.8, "probability": 0.9}},
        {"name": "tagging", "requests": {"per_hour": 100}, "input_tokens": 500,
         "output_tokens": 5}],
    "strategies": [{"name": "frontier", "route": {"default": "frontier"}}],
}


@pytest.fixture(scope="module")
def quality_yaml(tmp_path_factory):
    out = tmp_path_factory.mktemp("q") / "quality.yaml"
    assert main(["quality", "import", str(DATA / "scores.csv"), "--format", "csv",
                 "-o", str(out), "--seed", "3"]) == 0
    return yaml.safe_load(out.read_text())["quality"]


def with_quality(quality, **changes):
    data = {**SCENARIO, "quality": quality, **changes}
    return data


def test_probability_floor_keeps_an_uncertain_model_off_the_route(quality_yaml):
    mid = quality_yaml["mid"]["chat"]
    assert mid["mean"] == pytest.approx(9.9 / 12, abs=1e-6)  # 0.825 >= 0.8 ...
    chance = 1 - 0.5 * math.erfc(-(0.8 - mid["mean"]) / mid["sd"] / math.sqrt(2))
    assert 0.6 < chance < 0.9  # ... but P(quality >= 0.8) is below 0.9
    scenario = be.load(with_quality(quality_yaml))
    assert allowed_targets(scenario)["chat"] == ["frontier"]
    bad = with_quality(quality_yaml, strategies=[
        {"name": "mid", "route": {"default": "mid"}}])
    with pytest.raises(ScenarioError, match=(
            r"strategies\[0\].route.default: workload 'chat' needs P\(quality >= 0.8\) "
            rf">= 0.9 and 'mid' scores 0.825 \(sd [0-9.]+: P = {chance:.3f}")):
        be.load(bad)
    # A plain floor compares the mean: mid may serve chat.
    plain = with_quality(quality_yaml, workloads=[
        {**SCENARIO["workloads"][0], "min_quality": 0.8}, SCENARIO["workloads"][1]])
    assert allowed_targets(be.load(plain))["chat"] == ["frontier", "mid"]


def test_the_report_shows_the_interval_next_to_each_route(quality_yaml):
    scenario = be.load(with_quality(quality_yaml))
    _, rows = strategy_assumptions(scenario.resolved())
    q = quality_yaml["frontier"]["chat"]
    assert rows[0][1].startswith(
        f"chat: frontier (quality {q['mean']:.3g} [{q['low']:.3g}, {q['high']:.3g}] 95%)")


@pytest.mark.parametrize("change, message", [
    ({"floor": 0.8}, r"min_quality.probability: (is )?(required|missing)"),
    ({"floor": 0.8, "probability": 1}, "min_quality.probability: must be above 0 and below 1"),
    ({"floor": 0.8, "probability": 0.9, "chance": 1}, "min_quality.chance"),
    ({"floor": "high", "probability": 0.9}, "min_quality.floor: must be a number"),
])
def test_min_quality_with_probability_is_validated(quality_yaml, change, message):
    data = with_quality(quality_yaml, workloads=[
        {**SCENARIO["workloads"][0], "min_quality": change}, SCENARIO["workloads"][1]])
    with pytest.raises(ScenarioError, match=message):
        be.load(data)


@pytest.mark.parametrize("score, message", [
    ({"mean": 0.9, "low": 0.95, "high": 1, "level": 0.95}, "quality.mid.chat.low: must be <= mean"),
    ({"mean": 0.9, "low": 0.8, "level": 0.95}, "quality.mid.chat.high"),
    ({"mean": 0.9, "low": 0.8, "high": 0.95, "level": 95}, "quality.mid.chat.level: must be"),
    ({"mean": 0.9, "sd": -1}, "quality.mid.chat.sd: must be"),
    ({"mean": 0.9, "spread": 1}, "quality.mid.chat.spread"),
    ({"sd": 0.1}, r"quality.mid.chat.mean"),
    ({"mean": 0.9, "items": 0}, "quality.mid.chat.items: must be"),
])
def test_eval_scores_are_validated(quality_yaml, score, message):
    quality = {**quality_yaml, "mid": {**quality_yaml["mid"], "chat": score}}
    with pytest.raises(ScenarioError, match=message):
        be.load(with_quality(quality))


def one_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("fmt, content, message", [
    ("csv", "task,model,score\nchat,m,1\n", "needs the columns task, model, item, score"),
    ("csv", "task,model,item,score\nchat,m,1,good\n", ":2: score: must be a number"),
    ("csv", "task,model,item,score\nchat,m,1,nan\n", "must be a finite number"),
    ("csv", "task,model,item,score\n,m,1,1\n", "no task for this row"),
    ("promptfoo", "{\"results\": []}", "results.results: not found"),
    ("promptfoo", "[1", "not JSON"),
    ("langfuse", "[1, 2]", r"\[0\]: must be a mapping"),
    ("csv", "task,model,item,score\n", "no scored rows"),
])
def test_hostile_eval_files_get_one_line(tmp_path, capsys, fmt, content, message):
    path = tmp_path / "evals"
    path.write_text(content)
    out = tmp_path / "q.yaml"
    assert main(["quality", "import", str(path), "--format", fmt, "-o", str(out)]) == 2
    err = one_error(capsys)
    assert str(path) in err
    assert __import__("re").search(message, err), err
    assert not out.exists()


def test_bad_options_name_the_flag(capsys, tmp_path):
    for flag, value in (("--replicates", "1"), ("--level", "1.5")):
        assert main(["quality", "import", str(DATA / "scores.csv"), "--format", "csv",
                     "-o", str(tmp_path / "q.yaml"), flag, value]) == 2
        assert one_error(capsys).startswith(f"error: {flag}: must be")
    with pytest.raises(OptionError):
        quality_table(read_evals(DATA / "scores.csv", "csv"), replicates=10**9)


def test_langfuse_json_and_jsonl_exports_read_as_the_csv(tmp_path):
    """The UI's JSON export (camelCase, metadata an object) and the blob export's
    JSONL (snake_case) give the rows the CSV gives."""
    import json

    with open(DATA / FILES["langfuse"]) as f:
        records = [{**r, "value": float(r["value"]) if r["value"] else None,
                    "metadata": json.loads(r["metadata"])} for r in csv.DictReader(f)]
    as_json = tmp_path / "scores.json"
    as_json.write_text(json.dumps(records))
    snake = [{"name": r["name"], "value": r["value"], "data_type": r["dataType"],
              "trace_id": r["traceId"], "metadata": r["metadata"]} for r in records]
    as_jsonl = tmp_path / "scores.jsonl"
    as_jsonl.write_text("".join(json.dumps(r) + "\n" for r in snake))
    want = read_evals(DATA / FILES["langfuse"], "langfuse")
    for path in (as_json, as_jsonl):
        got = read_evals(path, "langfuse")
        assert (got.task, got.model, got.item, got.score, got.skipped) == (
            want.task, want.model, want.item, want.score, want.skipped)
