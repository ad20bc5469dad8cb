"""The fitted cache structure against the logs it came from, and against real
traffic held out from the fit (issue 22: consistency and validation).

- On logs that synth-logs writes in each format that carries cached tokens, the
  fitted scenario reads from cache the share of input tokens the logs read
  (within 2 points) and costs what ingest reported they cost (within 2%).
- On Mooncake's FAST'25 multi-turn trace turned into logs (a 5-minute prefix cache
  replayed over its block hashes, conversation ids from the hash chains), the fit
  at 5 minutes reproduces the logged share and predicts the 1-hour share, which a
  replay of the trace at 1 hour gives."""

from __future__ import annotations

import json

import breakeven
import numpy as np
import pytest
from breakeven.cli import main
from breakeven.logs import ingest
from breakeven.logs.cache_fit import _figures, calibrate
from breakeven.logs.cache_replay import replay
from breakeven.logs.mooncake import mooncake_records, read_trace
from conftest import REPO

TRACE = REPO.parent / "shared" / "data" / "mooncake-fast25-synthetic" / "synthetic_trace.jsonl"

# A chat whose 2,500-token system prompt comes in 3 variants at 90 requests an
# hour: h = 1 - exp(-90/180 x 5) = 0.92 at the 5-minute TTL, so the share of
# requests that read the cache is below 1 (and on Claude the write premium is paid
# on the misses).
SHARED_PREFIX = {
    "name": "shared-prefix", "horizon_months": 1, "simulation": {"seed": 4},
    "workloads": [{"name": "chat", "requests": {"per_hour": 90},
                   "input_tokens": {"mean": 4000, "cv": 0.3}, "prefix_tokens": 2500,
                   "prefix_variants": 3, "output_tokens": {"mean": 300, "cv": 0.5}}],
    "strategies": [{"name": "sonnet", "route": {"default": "claude-sonnet-4.5"},
                    "caching": True}],
}


@pytest.mark.parametrize(("fmt", "model"), [("openai", "gpt-5.4"),
                                           ("anthropic", "claude-sonnet-4.5"),
                                           ("litellm", "claude-sonnet-4.5"),
                                           ("otel", "gpt-5.4")])
def test_the_fit_reads_and_costs_what_its_logs_did(tmp_path, fmt, model):
    """Each format with a model it logs whole: the OpenAI and OTel shapes have no
    cache-write field, so a provider's write premium (Claude's 1.25x) is not in
    their logged spend; they carry OpenAI's models, which have none."""
    source = tmp_path / "source.json"
    spec = json.loads(json.dumps(SHARED_PREFIX))
    spec["strategies"][0]["route"]["default"] = model
    source.write_text(json.dumps(spec))
    logs = tmp_path / "logs.jsonl"
    assert main(["synth-logs", str(source), "--days", "14", "--format", fmt,
                 "-o", str(logs)]) == 0
    usage = ingest(logs)
    scenario = usage.fit(bootstrap=0)
    (fit,) = scenario.fit_report.cache_fits.values()  # one task, named by its model
    assert fit.ttl_minutes == 5
    assert abs(fit.fitted_share - fit.logged_share) <= 0.02, fit
    # The spend: the fitted scenario's expected cost per day against the logged.
    spend = usage.spend()
    logged_per_day = float(spend["cost"].sum()) / usage.days
    data = scenario.data
    data["simulation"] = {"mode": "expected"}
    data["horizon_months"] = 1
    result = breakeven.load(data).run(progress=False)
    fitted_per_day = float(result.cost[0, 0, 0]) / (730 / 24)
    assert fitted_per_day == pytest.approx(logged_per_day, rel=0.02)


@pytest.fixture(scope="module")
def mooncake(tmp_path_factory):
    rows = read_trace(TRACE)
    path = tmp_path_factory.mktemp("mooncake") / "mooncake.jsonl"
    path.write_text("".join(json.dumps(r) + "\n"
                            for r in mooncake_records(rows, shared=True)))
    usage = ingest(path, task="metadata.task", session="metadata.conversation_id")
    return rows, usage


# The trace's model: 512-token blocks, a 1,024-token minimum, and a 1-hour tier.
TRACE_MODEL = {"trace-model": {"input": 0.75, "output": 4.5, "cached_input": 0.075,
                               "cache_min_tokens": 1024, "cache_block_tokens": 512,
                               "cache_ttl_minutes": 5,
                               "cache_ttl_tiers": [{"ttl_minutes": 60}]}}


def at_ttl(models: dict, ttl: float) -> dict:
    out = json.loads(json.dumps(models))
    out["trace-model"]["cache_ttl_minutes"] = ttl
    out["trace-model"]["cache_ttl_tiers"] = []
    return out


def test_mooncake_fit_at_5_minutes_predicts_the_hour(mooncake):
    rows, usage = mooncake
    tok, conv = usage.tokens["chat"], usage.conversations["chat"]
    hours = (rows[-1]["timestamp"] - rows[0]["timestamp"]) / 3.6e6
    workload = {"name": "chat", "requests": {"per_hour": tok.requests / hours},
                "input_tokens": tok.input_mean, "output_tokens": tok.output_mean,
                "conversation": conv.block()}
    fit = calibrate(workload, "trace-model", TRACE_MODEL, tok, conv)
    inputs = np.array([r["input_length"] for r in rows], dtype=float)
    truth = replay([r["timestamp"] / 1000 for r in rows], inputs,
                   [r["hash_ids"] for r in rows], (5, 60)).sum(0) / inputs.sum()
    five = _figures(workload, "trace-model", at_ttl(TRACE_MODEL, 5))["cached_share"]
    hour = _figures(workload, "trace-model", at_ttl(TRACE_MODEL, 60))["cached_share"]
    print(f"Mooncake: replayed {truth[0]:.1%} at 5 min and {truth[1]:.1%} at 1 h; "
          f"fitted at 5 min {five:.1%}, predicted at 1 h {hour:.1%}")
    assert fit.logged_share == pytest.approx(truth[0], abs=1e-12)
    assert abs(five - truth[0]) <= 0.02
    assert hour > five  # the longer TTL keeps more conversations
    assert abs(hour - truth[1]) <= 0.05
