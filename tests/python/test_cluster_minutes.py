"""A cluster's real-time capacity minute by minute, against a minute-by-minute
replay of real traffic (docs/model.md "Self-hosted clusters", by the minute).

The Azure code-completion hour (../shared/data/azure-llm-2023, 8,818 requests,
minute dispersion about 163) served by one GPU whose hourly capacity is 1.1x,
1.25x and 1.5x the trace's mean minute of GPU-seconds: an hourly check turns
nothing away; replayed minute by minute, each minute turns away what exceeds its
sixtieth of the capacity. The engine, given the dispersion of the requests per
minute, predicts the replayed share of GPU-seconds within 30% (relative) or 0.5
points, as for rate limits (tests/python/test_minute_limits.py)."""

from __future__ import annotations

import breakeven
import numpy as np
import pandas as pd
import pytest
from breakeven.minutes import minute_dispersion
from conftest import REPO

AZURE = REPO.parent / "shared" / "data" / "azure-llm-2023" / "code.csv"
PREFILL, DECODE = 1e6, 1e4  # tokens a second: slow enough for one GPU to be the limit


@pytest.fixture(scope="module")
def trace() -> pd.DataFrame:
    t = pd.read_csv(AZURE)
    seconds = pd.to_datetime(t["TIMESTAMP"])
    t["at"] = (seconds - seconds.min()).dt.total_seconds()
    t["gpu_seconds"] = t["ContextTokens"] / PREFILL + t["GeneratedTokens"] / DECODE
    return t


def replayed_share(trace: pd.DataFrame, per_minute: float) -> float:
    """The share of GPU-seconds the minutes turn away at this capacity a minute."""
    minute = np.floor(trace["at"].to_numpy() / 60).astype(int)
    work = np.bincount(minute, weights=trace["gpu_seconds"].to_numpy())
    return float(np.maximum(work - per_minute, 0).sum() / work.sum())


def turned_away_share(trace: pd.DataFrame, dispersion: float, capacity: float) -> float:
    """The engine's share of requests turned away (no overflow: unserved), one month
    of flat hours in expected mode, one GPU with an hour's capacity `capacity`."""
    minutes = np.floor(trace["at"].max() / 60) + 1
    scenario = breakeven.load({
        "name": "azure-cluster-minutes", "horizon_months": 1,
        "simulation": {"mode": "expected"},
        "models": {"m": {"input": 1.0, "output": 1.0}},
        "workloads": [{"name": "code", "requests": {"per_hour": 60 * len(trace) / minutes},
                       "input_tokens": float(trace["ContextTokens"].mean()),
                       "output_tokens": float(trace["GeneratedTokens"].mean()),
                       "spikiness": {"minute_dispersion": dispersion}}],
        "clusters": {"gpu": {"gpu_price_per_hour": 1.0, "gpus": 1,
                             "prefill_tokens_per_s": PREFILL, "decode_tokens_per_s": DECODE,
                             "utilization": capacity / 3600, "overflow": None}},
        "strategies": [{"name": "hosted", "route": {"default": "gpu"}}]})
    requests = scenario.run(progress=False).requests[0, 0].sum(axis=0)
    return float(requests[breakeven.SERVED_NAMES.index("unserved")] / requests.sum())


@pytest.mark.parametrize("factor", [1.1, 1.25, 1.5])
def test_the_minute_model_predicts_the_replay(trace, factor):
    minutes = np.floor(trace["at"].max() / 60) + 1
    mean_minute = trace["gpu_seconds"].sum() / minutes
    capacity = 60 * factor * mean_minute  # GPU-seconds an hour
    replay = replayed_share(trace, capacity / 60)
    predicted = turned_away_share(trace, minute_dispersion(trace["at"].to_numpy()), capacity)
    print(f"capacity {factor}x the mean minute: replayed {replay:.1%}, "
          f"predicted {predicted:.1%}")
    assert abs(predicted - replay) <= max(0.3 * replay, 0.005)
    # Without the dispersion the hour is one budget: nothing turned away.
    assert turned_away_share(trace, 0, capacity) == 0.0
