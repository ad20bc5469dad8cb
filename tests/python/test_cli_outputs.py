"""What a budget owner takes from the command line: run --csv/--xlsx/--focus,
ingest --focus, diff and schema. The numbers are the API's (tests/python/
test_exports.py and test_diff.py check those); here, that each flag writes them
and refuses what it cannot write before the run."""

from __future__ import annotations

import csv
import json

import breakeven
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
