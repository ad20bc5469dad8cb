"""What a budget owner takes from the command line: run --csv/--xlsx/--focus,
ingest --focus, diff and schema. The numbers are the API's (tests/python/
test_exports.py and test_diff.py check those); here, that each flag writes them
and refuses what it cannot write before the run."""

from __future__ import annotations

import csv
import json

import breakeven
import breakeven.decisions
import breakeven.logs
import pytest
from breakeven.cli import main
from conftest import BASE_YAML, REPO


@pytest.fixture
def scenario(write_scenario):
    return write_scenario(BASE_YAML)


def test_run_writes_the_summary_bands_and_focus_rows(scenario, tmp_path, capsys):
    out = tmp_path / "run.csv"
    assert main(["run", str(scenario), "--paths", "20", "--quiet", "--csv", str(out),
                 "--xlsx", str(tmp_path / "run.xlsx"), "--focus", str(tmp_path / "f.csv"),
                 "--start", "2027-01"]) == 0
    summary = list(csv.DictReader(out.read_text().splitlines()))
    monthly = list(csv.DictReader((tmp_path / "run-monthly.csv").read_text().splitlines()))
    assert [r["strategy"] for r in summary] == ["api", "hosted"]
    assert len(monthly) == 2 * 3  # strategies x months
    result = breakeven.load(scenario).run(paths=20)
    focus = list(csv.DictReader((tmp_path / "f.csv").read_text().splitlines()))
    for s in result.strategies:
        billed = sum(float(r["BilledCost"]) for r in focus if r["x_Strategy"] == s)
        assert billed == pytest.approx(result[s].cost.sum(axis=1).mean(), rel=1e-9)
    assert focus[0]["ChargePeriodStart"].startswith("2027-01-01")
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "run.xlsx")
    assert book.sheetnames == ["summary", "monthly"]


@pytest.mark.parametrize("flag, path, message", [
    ("--focus", "f.txt", "error: --focus: "),
    ("--csv", "no/run.csv", "error: --csv: "),
    ("--start", "2027-13", "error: --start: "),
])
def test_run_refuses_an_output_before_it_runs(scenario, tmp_path, capsys, flag, path,
                                              message):
    args = ["run", str(scenario), "--paths", "20", "--quiet", flag, str(tmp_path / path)
            if "/" in path or "." in path else path]
    if flag == "--start":
        args += ["--focus", str(tmp_path / "f.csv")]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message) and captured.err.count("\n") == 1
    assert captured.out == ""  # nothing ran


def test_ingest_writes_focus_rows_of_the_logs(tmp_path, capsys):
    log = REPO / "tests/data/logs/openai-chat.jsonl"
    out = tmp_path / "focus.csv"
    assert main(["ingest", str(log), "--focus", str(out)]) == 0
    rows = list(csv.DictReader(out.read_text().splitlines()))
    usage = breakeven.ingest(log)
    assert sum(float(r["BilledCost"]) for r in rows) == pytest.approx(
        usage.hourly_table["cost"].sum(), rel=1e-12)


def test_diff_names_the_changed_input_and_the_cost_move(tmp_path, capsys):
    a = REPO / "scenarios/flat-api-prices.yaml"
    b = REPO / "scenarios/falling-api-prices.yaml"
    out = tmp_path / "diff.json"
    assert main(["diff", str(a), str(b), "--paths", "50", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "models.claude-haiku-4.5.price_path.price_trend" in text
    doc = json.loads(out.read_text())
    (change,) = doc["changes"]
    assert change["path"] == "models.claude-haiku-4.5.price_path.price_trend"


def test_schema_prints_the_scenario_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"].startswith("breakeven scenario")
    assert main(["schema", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: name: must be one of scenario, ")


ONE_STRATEGY = """\
name: one
horizon_months: 3
workloads:
  - name: w
    requests: {per_hour: 10}
    input_tokens: 100
    output_tokens: 10
strategies:
  - name: api
    route: {default: gpt-5.5}
"""


@pytest.mark.parametrize("argv, message", [
    (["sensitivity", "{s}", "--plot", "{d}/t.foo"], "error: --plot: {d}/t.foo: a chart is "
                                                    "written as "),
    (["report", "{one}", "-o", "{d}/r.html", "--with", "threshold"],
     "error: --with: threshold compares a strategy with the baseline"),
    (["report", "{s}", "-o", "{d}/r.txt"], "error: --format: {d}/r.txt: .txt names no "
                                           "format"),
    (["ingest", "{log}", "--bootstrap", "1", "--json", "{d}/s.json"],
     "error: --bootstrap: must be 0 (no standard errors) or from 2 to 1,000"),
    (["ingest", "{log}", "--report", "{d}/s.json"], "error: --report: {d}/s.json: .json "
                                                    "names no format"),
    (["backtest", "{log}", "--train-days", "99999999999"],
     "error: --train-days: must be a whole number from 1 to 36,600"),
])
def test_options_are_refused_before_any_work(write_scenario, tmp_path, capsys, argv,
                                            message):
    """Each was refused only after the run or the ingest (or, for the chart's
    suffix, the report's strategy and an unknown suffix, not at all: an internal
    error, an empty file, or HTML under another name)."""
    names = {"s": str(write_scenario(BASE_YAML)), "d": str(tmp_path),
             "one": str(write_scenario(ONE_STRATEGY, "one.yaml")),
             "log": str(REPO / "tests/data/logs/openai-chat.jsonl")}
    assert main([a.format(**names) for a in argv + ["--quiet"] * (argv[0] == "report")]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message.format(**names)) and captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in tmp_path.iterdir() if p.suffix == ".yaml")  # nothing written


def test_a_sweep_of_names_prints_its_table(tmp_path, capsys):
    """A parameter whose values are model names: its table raised ValueError."""
    (tmp_path / "s.yaml").write_text(BASE_YAML)
    (tmp_path / "sweep.yaml").write_text(
        "base: s.yaml\nparameters:\n  strategies.api.route.default: "
        "{values: [my-model, gpt-5-mini]}\n")
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "--quiet"]) == 0
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines()[-2:]]
    assert rows == ["my-model", "gpt-5-mini"]


def test_decision_sections_run_in_the_runs_mode(write_scenario, tmp_path):
    """--mode expected gave the sensitivity one stochastic path."""
    from breakeven.decisions import decision_documents

    result = breakeven.load(write_scenario(BASE_YAML)).run(mode="expected")
    (doc,) = decision_documents(result, ["sensitivity"])
    text = doc.sections[0].text
    assert "(1 path a run" in text
    direct = breakeven.decisions.sensitivity(
        result.scenario.with_values({"simulation.mode": "expected"}), "hosted", paths=1,
        seed=result.seed)
    assert doc.sections[0].table == direct.document().sections[0].table


def test_the_python_api_takes_the_ingest_bounds():
    log = REPO / "tests/data/logs/openai-chat.jsonl"
    with pytest.raises(breakeven.logs.LogError, match=r"more than 1 log files"):
        breakeven.ingest([log, log], max_files=1)  # was a TypeError: no such option
