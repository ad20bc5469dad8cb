"""How much of a forecast's band is parameter uncertainty and how much traffic noise
(docs/model.md "Parameter uncertainty").

The paths draw their parameters from a stream of their own, so the same run with
``fixed_parameters: true`` and the same seed keeps every traffic draw and drops only
the parameters' doubt. A strategy's horizon totals over the paths then split their
variance: what remains with fixed parameters is traffic noise, the rest is the
parameters' (the two are independent draws, so the variances add).
"""

from __future__ import annotations

import numpy as np


def band_sources(result, threads: int | None = None,
                 memory_budget_gib: float | None = None) -> dict | None:
    """Per strategy: the horizon total's p5 and p95, the same with fixed parameters
    (traffic noise alone), and the parameters' share of the total's variance; None
    when the paths draw no parameters. Runs the scenario once more, with the
    result's paths, seed and antithetic setting, and the run's threads and memory
    budget."""
    if result.mode != "stochastic" or not result.scenario._core.draws_parameters:
        return None
    doc = result.as_dict()
    fixed = result.scenario.with_values({"simulation.fixed_parameters": True}).run(
        paths=result.paths, seed=result.seed, mode="stochastic", progress=False,
        antithetic=doc["antithetic"], threads=threads,
        memory_budget_gib=memory_budget_gib)
    traffic_doc = {s["name"]: s["total_cost"] for s in fixed.as_dict()["strategies"]}
    totals, traffic = result.cost.sum(axis=2), fixed.cost.sum(axis=2)
    out = {}
    for i, s in enumerate(doc["strategies"]):
        variance = float(np.var(totals[i]))
        share = 1.0 - float(np.var(traffic[i])) / variance if variance > 0 else 0.0
        alone = traffic_doc[s["name"]]
        out[s["name"]] = {
            "p5": s["total_cost"]["p5"], "p95": s["total_cost"]["p95"],
            "traffic_p5": alone["p5"], "traffic_p95": alone["p95"],
            # Sampling noise can make the fixed run's variance the larger where the
            # parameters add almost nothing: a share, so at least 0.
            "parameter_share": max(0.0, share),
        }
    return {"paths": result.paths, "strategies": out}
