"""The hourly-noise-servegen scenario's traffic parameters are what its description
says they are: a least-squares fit to ServeGen client 14's hourly rates."""

from __future__ import annotations

import numpy as np
import yaml
from conftest import REPO

DATA = REPO / "tests" / "data" / "servegen"  # a copy of shared/data, see its README


def fit_client(chunk: int):
    """Hour-of-day and weekday weights (log-linear least squares) and an AR(1) on
    the residual log rate, over the hours whose six 10-minute windows all have
    traffic."""
    trace = np.genfromtxt(DATA / f"chunk-{chunk}-trace.csv", delimiter=",", usecols=(0, 1))
    windows = trace[:, 1].reshape(-1, 6)
    complete = (windows > 0).all(axis=1)
    hourly = (windows * 600).sum(axis=1)
    hours = np.arange(len(hourly))
    design = np.zeros((len(hourly), 30))
    design[:, 0] = 1
    for h in range(1, 24):
        design[hours % 24 == h, h] = 1
    for d in range(1, 7):
        design[(hours // 24) % 7 == d, 23 + d] = 1
    log_rate = np.log(np.where(complete, hourly, 1.0))
    beta, *_ = np.linalg.lstsq(design[complete], log_rate[complete], rcond=None)
    residual = log_rate - design @ beta
    both = complete[:-1] & complete[1:]
    phi = np.corrcoef(residual[:-1][both], residual[1:][both])[0, 1]
    hour_w = np.exp(np.r_[0, beta[1:24]])
    day_w = np.exp(np.r_[0, beta[24:]])
    return {
        "per_hour": hourly[complete].mean(),
        "hourly_weights": hour_w / hour_w.mean(),
        "weekday_weights": day_w / day_w.mean(),
        "hourly_sigma": residual[complete].std(),
        "hourly_autocorrelation": phi,
    }


def test_scenario_holds_the_fit_of_client_14():
    scenario = yaml.safe_load((REPO / "scenarios" / "hourly-noise-servegen.yaml").read_text())
    client = scenario["workloads"][0]
    fit = fit_client(14)
    assert abs(client["requests"]["per_hour"] / fit["per_hour"] - 1) < 0.001
    np.testing.assert_allclose(client["hourly_weights"], fit["hourly_weights"], atol=0.006)
    np.testing.assert_allclose(client["weekday_weights"], fit["weekday_weights"], atol=0.006)
    assert abs(client["spikiness"]["hourly_sigma"] - fit["hourly_sigma"]) < 0.005
    assert abs(client["spikiness"]["hourly_autocorrelation"] - fit["hourly_autocorrelation"]) < 0.005
