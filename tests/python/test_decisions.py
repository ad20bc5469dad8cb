"""Sensitivity and threshold: known answers, signs that must hold, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import breakeven
import pytest
from breakeven.decisions import decision_documents, sensitivity, threshold
from conftest import REPO

# One workload of 100 requests an hour of 1,000 input tokens at $1 per 1M: $73 a
# month per unit of traffic scale. A cluster that never overflows costs $730 a
# month in GPUs plus a $10,000 set-up. Expected mode: no randomness.
HAND = {
    "name": "hand",
    "horizon_months": 24,
    "simulation": {"mode": "expected"},
    "models": {"m": {"input": 1.0, "output": 0.0}},
    "workloads": [
        {"name": "w", "requests": {"per_hour": 100}, "input_tokens": 1000, "output_tokens": 0}
    ],
    "clusters": {
        "gpu": {
            "gpu_price_per_hour": 1.0,
            "gpus": 1,
            "prefill_tokens_per_s": 1e9,
            "decode_tokens_per_s": 1e9,
            "fixed": {"setup": 10000},
        }
    },
    "strategies": [
        {"name": "api", "route": {"default": "m"}},
        {"name": "hosted", "route": {"default": "gpu"}},
    ],
}


def test_threshold_equals_the_hand_computed_scale():
    # Break-even within 12 months: 12 (73 s - 730) - 10000 >= 0.
    t = threshold(breakeven.load(HAND), "hosted", within=12)
    expected = (10000 / 12 + 730) / 73
    assert t.scale == pytest.approx(expected, rel=1e-5)
    assert t.scale_low == t.scale_high == t.scale and t.outside == ""
    assert t.baseline_monthly == pytest.approx(73 * t.scale, rel=1e-9)
    # Within 24 months it takes less traffic: (10000/24 + 730) / 73.
    t24 = threshold(breakeven.load(HAND), "hosted", within=24)
    assert t24.scale == pytest.approx((10000 / 24 + 730) / 73, rel=1e-5)


def test_threshold_says_when_it_lies_outside_the_range():
    hand = breakeven.load(HAND)
    assert threshold(hand, "hosted", 12, search=(0.1, 5)).outside == "above"
    below = threshold(hand, "hosted", 12, search=(50, 100))
    assert below.outside == "below" and below.scale == 50
    with pytest.raises(breakeven.OptionError, match="within: must be a whole number"):
        threshold(hand, "hosted", 0)
    with pytest.raises(breakeven.OptionError, match="strategy: must be one of hosted"):
        threshold(hand, "api", 12)


def test_threshold_on_common_random_numbers_has_a_band():
    s = breakeven.load(REPO / "scenarios" / "self-host-high-spend.yaml")
    t = threshold(s, "self-host", within=12, probability=0.8, paths=200)
    assert t.outside == "" and t.scale_low <= t.scale <= t.scale_high
    # At the threshold the probability is met, just below it (the bisection's
    # other end) it is not. Common random numbers make it nearly, not strictly,
    # monotone in the scale, so only the final bracket is checked.
    below = max((st for st in t.steps if st.scale < t.scale), key=lambda st: st.scale)
    at = next(st for st in t.steps if st.scale == t.scale)
    assert at.probability >= 0.8 > below.probability
    assert t.scale / below.scale - 1 < 1e-6


def test_sensitivity_signs_that_must_hold():
    s = sensitivity(breakeven.load(REPO / "scenarios" / "self-host-high-spend.yaml"),
                    "self-host", paths=100)
    effect = {e.name: e for e in s.effects}
    # A dearer API raises the saving of self-hosting; a dearer GPU lowers it.
    price = effect["models.claude-haiku-4.5.input"]
    assert price.high.savings > s.base.savings > price.low.savings
    gpu = effect["clusters.llama4-scout.gpu_price_per_hour"]
    assert gpu.high.savings < s.base.savings < gpu.low.savings
    # The set-up cost moves the saving by exactly 25% of itself each way.
    setup = effect["clusters.llama4-scout.fixed.setup"]
    assert setup.low.savings - s.base.savings == pytest.approx(0.25 * 20000)
    # An input at zero cannot move anything: listed apart.
    assert "workloads.extraction.growth_per_month" in s.no_effect
    swings = [e.swing(s.base) for e in s.effects]
    assert swings == sorted(swings, reverse=True)
    table = s.table()
    assert list(table.index) == [e.name for e in s.effects]


def test_cli_writes_the_documented_json(tmp_path):
    out = tmp_path / "t.json"
    scenario = tmp_path / "hand.json"
    scenario.write_text(json.dumps(HAND))
    proc = subprocess.run(
        [sys.executable, "-m", "breakeven", "threshold", scenario, "--strategy", "hosted",
         "--within", "12", "--json", out], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "hosted breaks even within 12 months with probability >= 80%" in proc.stdout
    doc = json.loads(out.read_text())
    assert set(doc) == {"schema", "scenario", "strategy", "baseline", "against",
                        "against_label", "within", "probability",
                        "workload", "paths", "seed", "scale", "scale_low", "scale_high",
                        "baseline_monthly", "outside", "search", "steps"}
    bad = subprocess.run(
        [sys.executable, "-m", "breakeven", "sensitivity", scenario, "--strategy", "nope"],
        capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --strategy: must be one of hosted, not the baseline (got 'nope')"


def test_report_with_decision_sections(tmp_path):
    r = breakeven.load(HAND).run()
    md = r.report(tmp_path / "r.md",
                  extra=decision_documents(r, ["sensitivity", "threshold"])).read_text()
    t = threshold(breakeven.load(HAND), "hosted", within=12)
    assert "## What drives the saving" in md
    assert f"## Where it starts to pay\n\n{t.summary()}".replace(">", "&gt;") in md
    assert "![What drives the saving](r-" in md
    proc = subprocess.run(
        [sys.executable, "-m", "breakeven", "report", "--with", "sensitivity,nope", "-o",
         tmp_path / "x.md", "--paths", "10", "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "error: --with: unknown section 'nope' (sections: sensitivity, threshold)" in proc.stderr
