"""The numpy model of tests/bench computes what the engine computes."""

from __future__ import annotations

import sys
from pathlib import Path

import breakeven
import numpy as np

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_numpy_model_means_agree_with_the_engine_within_4_standard_errors():
    sys.path.insert(0, str(BENCH))
    try:
        import numpy_model
    finally:
        sys.path.remove(str(BENCH))
    data = breakeven.load(BENCH / "standard.yaml").data
    data["horizon_months"] = 2  # the same model, a shorter horizon for test time
    scenario = breakeven.load(data)
    engine = scenario.run(paths=3000, seed=1).cost.sum(axis=2)
    reference = numpy_model.simulate(scenario.resolved(), paths=300, seed=2).sum(axis=2)
    for name, e, n in zip(scenario.strategies, engine, reference):
        se = np.hypot(e.std(ddof=1) / np.sqrt(e.size), n.std(ddof=1) / np.sqrt(n.size))
        assert abs(e.mean() - n.mean()) < 4 * se, name
        assert se < 0.02 * e.mean(), (
            name
        )  # the comparison is sharp enough to mean something
