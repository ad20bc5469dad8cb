"""Synthetic logs draw cache reads by the engine's rule and formula
(Scenario.cache_hit_probability of _core), not a restatement: a batch workload
without the batch API is cached by the engine, and was never in the logs."""

from __future__ import annotations

import breakeven
import numpy as np
from breakeven.logs.synth import SyntheticLogs

SCENARIO = {
    "name": "batch-cached", "horizon_months": 1, "simulation": {"seed": 4},
    "workloads": [{"name": "digest", "requests": {"per_hour": 30},
                   "input_tokens": 5000, "prefix_tokens": 3000, "output_tokens": 200,
                   "latency": {"batch": {"deadline_hours": 24}}}],
    "strategies": [{"name": "cached", "route": {"default": "gpt-5.5"}, "caching": True}],
}


def test_synthetic_cache_reads_follow_the_engines_probability():
    scenario = breakeven.load(SCENARIO)
    logs = SyntheticLogs(scenario, days=7)
    h = scenario._core.cache_hit_probability("cached", "digest",
                                             logs.counts[0].astype(float))
    assert 0.3 < h[logs.counts[0] > 0].mean() < 0.99  # warm some hours, not all
    reads = np.concatenate([c["cached"] > 0 for c in logs.chunks()])
    expected = float((h * logs.counts[0]).sum())
    se = float(np.sqrt((h * (1 - h) * logs.counts[0]).sum()))
    assert abs(reads.sum() - expected) < 4 * se
    # off with caching off, and for a cluster route
    off = scenario.with_values({"strategies": [{"name": "cached",
                                                "route": {"default": "gpt-5.5"}}]})
    assert not off._core.cache_hit_probability("cached", "digest", np.array([30.0])).any()
