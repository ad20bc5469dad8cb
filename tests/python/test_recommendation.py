"""A recommendation keeps the service: a plan that leaves more than the cap of
requests unserved (default 0.1%) is never recommended, however cheap; the
summary, every report and the JSON say which plans were passed over and why, and
show each strategy's unserved share."""

from __future__ import annotations

import json

import breakeven
import pytest
from breakeven.cli import main

# A 2-GPU cluster with no overflow for 40,000 requests an hour: 99% cheaper than the
# API because it serves little more than half of them.
UNDERSIZED = """\
name: undersized
horizon_months: 6
simulation: {paths: 50, seed: 2}
models:
  frontier: {input: 5.0, output: 25.0}
workloads:
  - name: chat
    requests: {per_hour: 40000}
    input_tokens: 2000
    output_tokens: 300
clusters:
  tiny:
    gpu_price_per_hour: 2.0
    gpus: 2
    prefill_tokens_per_s: 20000
    decode_tokens_per_s: 2000
    utilization: 0.8
strategies:
  - name: api
    route: {default: frontier}
  - name: self-host
    route: {default: tiny}
baseline: api
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("undersized") / "undersized.yaml"
    path.write_text(UNDERSIZED)
    return breakeven.load(path).run()


def unserved_share(result, strategy: str) -> float:
    r = result[strategy].requests
    return float(sum(r[k].sum() for k in ("unserved", "rate_limited"))
                 / sum(v.sum() for v in r.values()))


def test_the_undersized_cluster_is_passed_over_in_every_report(result, tmp_path):
    share = unserved_share(result, "self-host")
    assert 0.3 < share < 0.6
    assert result["self-host"].cost.sum(axis=1).mean() < 0.1 * result["api"].cost.sum(
        axis=1).mean()
    expected = (f"Keep api: no alternative that serves the requests is cheaper on average "
                f"over 6 months (mean $3,066,055). Passed over, though cheaper: self-host "
                f"(leaves {share:.1%} of requests unserved, above the 0.1% allowed).")
    doc = json.loads(result.report(tmp_path / "r.json").read_text())
    assert doc["recommendation"] == expected
    md = result.report(tmp_path / "r.md").read_text()
    assert "Keep api" in md and f"self\\-host (leaves {share:.1%}" not in md
    assert f"self-host (leaves {share:.1%} of requests unserved" in md
    assert f"| {share:.2%} (over cap) |" in md
    html = result.report(tmp_path / "r.html").read_text()
    assert "Keep api" in html and f"{share:.2%} (over cap)" in html


def test_a_cap_above_the_loss_recommends_the_cluster(result, tmp_path):
    doc = json.loads(result.report(tmp_path / "r.json", max_unserved=0.9).read_text())
    assert doc["recommendation"].startswith("Self-host chat on tiny (self-host): saves 99%")
    assert "Passed over" not in doc["recommendation"]


def test_the_terminal_summary_shows_the_unserved_share_and_the_recommendation(
        result, tmp_path, capsys):
    path = tmp_path / "undersized.yaml"
    path.write_text(UNDERSIZED)
    assert main(["run", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    share = unserved_share(result, "self-host")
    row = next(line for line in out.splitlines() if line.startswith("self-host"))
    assert row.endswith(f"{share:.2%} (over cap)")
    lines = out.splitlines()
    heading = lines.index("Recommendation")
    assert lines[heading + 3].startswith("Keep api: no alternative that serves")
    assert main(["run", str(path), "--quiet", "--max-unserved", "1.5"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: --max-unserved: must be a share between 0 and 1 (got 1.5)")


def test_when_no_strategy_keeps_the_service_the_report_says_so(tmp_path):
    import yaml

    data = yaml.safe_load(UNDERSIZED)
    data["strategies"] = [{"name": "small", "route": {"default": "tiny"}},
                          {"name": "cached", "route": {"default": "tiny"}, "caching": True}]
    data["baseline"] = "small"
    result = breakeven.load(data).run()
    shares = [unserved_share(result, s) for s in ("small", "cached")]
    doc = json.loads(result.report(tmp_path / "r.json").read_text())
    assert doc["recommendation"] == (
        "No strategy serves all but 0.1% of requests: every one leaves more unserved "
        f"(small {shares[0]:.1%}, cached {shares[1]:.1%}).")
