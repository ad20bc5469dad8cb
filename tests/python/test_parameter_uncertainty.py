"""Parameter uncertainty (docs/model.md "Parameter uncertainty"): each path draws
its workloads' base rate and growth from their standard errors, from a stream of
its own, so the traffic's other draws are those of fixed parameters."""

from __future__ import annotations

import numpy as np
import pytest

import breakeven


def scenario(uncertainty=None, fixed=False, mode="stochastic"):
    w = {"name": "chat", "requests": {"per_hour": 2000}, "input_tokens": 1000,
         "output_tokens": 100, "growth_per_month": 0.02}
    if uncertainty is not None:
        w["uncertainty"] = uncertainty
    return breakeven.load({
        "name": "uncertain", "horizon_months": 12,
        "simulation": {"paths": 4000, "seed": 3, "mode": mode, "fixed_parameters": fixed},
        "models": {"m": {"input": 1.0, "output": 1.0}},
        "workloads": [w], "strategies": [{"name": "s", "route": {"default": "m"}}]})


def monthly_requests(s) -> np.ndarray:
    """(path, month) requests of the one workload."""
    return s.run(progress=False).requests[0].sum(axis=2)


def test_fixed_parameters_and_none_give_the_same_bits():
    plain = monthly_requests(scenario())
    fixed = monthly_requests(scenario({"requests": 0.2, "growth_per_month": 0.05}, fixed=True))
    assert np.array_equal(plain, fixed)
    expected = monthly_requests(scenario({"requests": 0.2}, mode="expected"))
    assert np.array_equal(expected, monthly_requests(scenario(mode="expected")))


def test_rate_uncertainty_is_a_lognormal_of_mean_one():
    """Poisson noise on 1.46M requests a month is 0.08%: the month's spread across
    paths is the rate's, sd of log = 0.2, and its mean stays R x 730."""
    months = monthly_requests(scenario({"requests": 0.2}))
    first = months[:, 0]
    mean = 2000 * 730
    assert first.mean() == pytest.approx(mean, rel=4 * 0.2 / np.sqrt(len(first)))
    assert np.log(first).std() == pytest.approx(0.2, rel=0.05)
    # The same factor for the whole path: month 11 over month 0 is the growth.
    ratio = months[:, 11] / months[:, 0]
    assert ratio.std() < 0.002 and ratio.mean() == pytest.approx(1.02 ** 11, rel=1e-3)


def test_growth_uncertainty_spreads_the_later_months():
    """g' = 0.02 + 0.03 Z: month 11 over month 0 is (1 + g')^11, whose sd is about
    11 x 0.03 / 1.02 of its mean."""
    months = monthly_requests(scenario({"growth_per_month": 0.03}))
    ratio = months[:, 11] / months[:, 0]
    g = ratio ** (1 / 11) - 1
    assert g.mean() == pytest.approx(0.02, abs=4 * 0.03 / np.sqrt(len(g)))
    assert g.std() == pytest.approx(0.03, rel=0.05)
    # Growth runs from hour 0: month 0 is half a month of it on average, sd about
    # 0.5 x 0.03 / 1.02 of its mean.
    assert months[:, 0].std() / months[:, 0].mean() == pytest.approx(0.0147, rel=0.1)
