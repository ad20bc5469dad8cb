"""The recorded long-context scenario against its closed form: a lognormal input of
mean 150k and cv 0.6 puts P(X > 200k) of requests and E[X; X > 200k] / E[X] of the
input tokens at the long-context rates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import REPO
from scipy.stats import norm

import breakeven


def test_sonnet_over_its_flat_rate_is_the_closed_forms():
    result = breakeven.load(REPO / "scenarios" / "long-context-contracts.yaml").run(
        progress=False)
    cost = np.asarray(result.cost).sum(axis=2)[:, 0]
    names = result.strategies
    s2 = math.log(1 + 0.6**2)
    mu, s, t = math.log(150_000) - s2 / 2, math.sqrt(s2), 200_000
    p = 1 - norm.cdf((math.log(t) - mu) / s)  # requests above
    share = 1 - norm.cdf((math.log(t) - mu - s2) / s)  # input tokens above
    per_request = 150_000 * ((1 - share) * 3 + share * 6) + 2000 * ((1 - p) * 15 + p * 22.5)
    flat = 150_000 * 3 + 2000 * 15
    ratio = cost[names.index("sonnet")] / cost[names.index("sonnet-flat-rate")]
    assert ratio == pytest.approx(per_request / flat, rel=1e-9)
    assert p == pytest.approx(0.213, abs=5e-4) and share == pytest.approx(0.405, abs=5e-4)
