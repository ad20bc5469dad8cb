"""expect: assertions, `breakeven check` and `breakeven record`."""

from __future__ import annotations

import json
import shutil
import textwrap

import breakeven
import numpy as np
import pytest
from breakeven.cli import main
from breakeven.planning_stats import estimate
from breakeven.recording import check, record, recording_path
from conftest import BASE_YAML

# Half-price model: every "cheap" strategy saves exactly 50% in expected mode.
HALF_PRICE = textwrap.dedent(
    """\
    name: half-price
    horizon_months: 4
    simulation: {mode: expected}
    models:
      full: {input: 2.0, output: 10.0}
      half: {input: 1.0, output: 5.0}
    workloads:
      - {name: a, requests: {per_hour: 100}, input_tokens: 1000, output_tokens: 100}
      - {name: b, requests: {per_hour: 300}, input_tokens: 1000, output_tokens: 100}
    strategies:
      - {name: full, route: {default: full}}
      - {name: cheap, route: {default: half}}
    expect:
      - cheap.savings.mean >= 0.5
      - cheap.break_even.p50_month == 1
      - full.workload_share.b > 0.74
      - cheap.total_cost.mean < 0.6 * full.total_cost.mean
    """
)


def test_expectations_evaluate_to_closed_form_values(write_scenario):
    scenario = breakeven.load(write_scenario(HALF_PRICE))
    result = scenario.run()
    outcomes = [e.evaluate(result) for e in scenario.expectations]
    assert [held for held, _ in outcomes] == [True, True, True, True]
    assert outcomes[0][1] == "cheap.savings.mean = 0.5"
    assert estimate(result, "full", "workload_share.b").value == pytest.approx(
        0.75, rel=1e-12
    )
    assert estimate(result, "full", "workload_share.a+b").value == pytest.approx(1.0)
    # 400 requests/h x (1000 x $2 + 100 x $10) / 1M x 730 h x 4 months
    assert estimate(result, "full", "total_cost.mean").value == pytest.approx(3504.0)


@pytest.mark.parametrize(
    "assertion, reason",
    [
        (
            "cheaper.savings.mean >= 0.5",
            "'cheaper.savings.mean' names no strategy (strategies: full, cheap); "
            "write STRATEGY.STATISTIC, a number or never",
        ),
        (
            "cheap.savings.median >= 0.5",
            "unknown statistic 'savings.median' (statistics: ",
        ),
        (
            "full.workload_share.a+c > 0",
            "unknown workload 'c' in 'workload_share.a+c' (workloads: a, b)",
        ),
        (
            "cheap.savings.mean",
            "'cheap.savings.mean' is not an assertion: write OPERAND OP",
        ),
        (
            "full.break_even.p50_month <= 3",
            "'full.break_even.p50_month': the baseline has no",
        ),
    ],
)
def test_bad_expectation_is_an_input_error_with_its_line(
    write_scenario, assertion, reason
):
    text = HALF_PRICE.replace("  - cheap.break_even.p50_month == 1", f"  - {assertion}")
    file = write_scenario(text)
    with pytest.raises(breakeven.ScenarioError) as info:
        breakeven.load(file)
    e = info.value
    assert e.path == "expect[1]"
    assert e.line == text.splitlines().index(f"  - {assertion}") + 1
    assert e.reason.startswith(reason)


def test_check_without_recording_uses_expectations_only(write_scenario, capsys):
    file = write_scenario(HALF_PRICE)
    assert main(["check", str(file)]) == 0
    out = capsys.readouterr().out
    assert out.count("PASS") == 4
    assert f"NOTE  scenario: no recording at {recording_path(file)}" in out
    assert out.rstrip().endswith("check: 4 passed, 0 failed")


def test_failing_expectation_exits_1(write_scenario, capsys):
    file = write_scenario(
        HALF_PRICE.replace("savings.mean >= 0.5", "savings.mean >= 0.6")
    )
    assert main(["check", str(file)]) == 1
    out = capsys.readouterr().out
    assert (
        "FAIL  scenario: expect cheap.savings.mean >= 0.6  (cheap.savings.mean = 0.5)"
        in out
    )


def test_record_then_check_then_detect_a_change(write_scenario, capsys):
    file = write_scenario(HALF_PRICE)
    out_path, changed = record(file)
    assert out_path == file.parent / "recorded" / "scenario.json"
    doc = json.loads(out_path.read_text())
    assert doc["mode"] == "expected" and doc["paths"] == 1
    assert doc["statistics"]["cheap"]["savings.mean"] == pytest.approx(0.5)
    assert doc["statistics"]["cheap"]["break_even.p50_month"] == 1
    assert changed == len(doc["statistics"]["full"]) + len(doc["statistics"]["cheap"])
    assert all(line.status == "PASS" for line in check(file))
    assert record(file)[1] == 0  # nothing changed

    # A price change of the cheap model moves its numbers, and only those.
    file.write_text(HALF_PRICE.replace("half: {input: 1.0,", "half: {input: 1.01,"))
    lines = check(file)
    failed = [str(x) for x in lines if x.status == "FAIL"]
    assert failed and all(" cheap." in x for x in failed)
    assert (
        "FAIL  scenario: expect cheap.savings.mean >= 0.5  (cheap.savings.mean = 0.496667)"
        in failed
    )
    # 400/h x (1000 x $1.01 + 100 x $5) / 1M x 2920 h = $1763.68
    assert any(
        "recorded cheap.total_cost.mean = 1752 (now 1763.68" in x for x in failed
    )


def test_recording_with_other_settings_fails_with_advice(write_scenario):
    file = write_scenario(HALF_PRICE)
    record(file)
    file.write_text(
        HALF_PRICE.replace("{mode: expected}", "{mode: stochastic, paths: 5}")
    )
    lines = check(file)
    assert lines[-1].status == "FAIL"
    assert "run `breakeven record" in lines[-1].text


def test_stochastic_runs_with_other_seeds_agree_within_tolerance(write_scenario):
    scenario = breakeven.load(write_scenario(BASE_YAML))
    a = scenario.run(paths=400, seed=1)
    b = scenario.run(paths=400, seed=2)
    k = 4 * np.sqrt(2)
    for stat in ("total_cost.mean", "total_cost.p5", "total_cost.p95", "savings.mean"):
        for strategy in ("api", "hosted"):
            recorded = estimate(a, strategy, stat).value
            now = estimate(b, strategy, stat, k=k)
            assert now.low <= recorded <= now.high, (strategy, stat)
            assert now.low < now.value < now.high or now.low == now.high
    # ...but a 10% shift of the mean is far outside.
    now = estimate(b, "api", "total_cost.mean", k=k)
    assert not now.low <= 1.1 * estimate(a, "api", "total_cost.mean").value <= now.high


def test_bundled_scenarios_folder_is_checked_in_ci(tmp_path):
    """Every scenario in scenarios/ has a recording and at least one expectation."""
    from conftest import REPO

    files = sorted((REPO / "scenarios").glob("*.yaml"))
    assert len(files) >= 7
    for f in files:
        assert recording_path(f).exists(), f
        assert breakeven.load(f).expectations, f
    # check and record work on a copy of a folder as well
    shutil.copy(REPO / "scenarios" / "overnight-batch.yaml", tmp_path)
    assert main(["record", str(tmp_path)]) == 0
    assert main(["check", str(tmp_path)]) == 0
