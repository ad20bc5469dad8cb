"""The standard scenario's stochastic model, written as an analyst would in a notebook.

numpy, vectorised across paths (and across workloads where it is natural), one
Python loop over hours: the comparison a user would make before trusting a
compiled engine. It implements MODEL.md for what the standard scenario uses
(real-time and batch workloads, spikes, bursts, growth, caching, batch APIs,
fixed and autoscaled clusters with overflow and an EDF backlog) and reads the
scenario as the engine resolved it (``Scenario.resolved()``), so both compute the
same thing; tests/python/test_bench.py checks that their means agree.

    python tests/bench/numpy_model.py [--paths N] [--months M]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

HOURS_PER_MONTH = 730
HOURS_PER_WEEK = 168


def _api_prices(models, workloads, strategy, targets):
    """Per-workload price arrays (per token) for the API model each workload uses."""
    n = len(workloads)
    p = {k: np.zeros(n) for k in ("inp", "out", "cached", "write", "ttl", "disc")}
    p["cache_on"] = np.zeros(n, bool)
    p["batch_on"] = np.zeros(n, bool)
    for i, (w, target) in enumerate(zip(workloads, targets)):
        if target not in models:
            continue
        m = models[target]
        p["inp"][i], p["out"][i] = m["input"] * 1e-6, m["output"] * 1e-6
        p["cached"][i] = (m["cached_input"] or 0.0) * 1e-6
        p["write"][i] = m["cache_write_multiplier"] * m["input"] * 1e-6
        p["ttl"][i], p["disc"][i] = m["cache_ttl_minutes"], m["batch_discount"]
        p["cache_on"][i] = (
            strategy["caching"]
            and m["cached_input"] is not None
            and w["prefix_tokens"] > 0
            and w["prefix_tokens"] >= m["cache_min_tokens"]
        )
        p["batch_on"][i] = w["latency"] == "batch" and strategy["batch_api"]
    return p


def _api_cost(p, prefix, variants, n, v, o):
    """Cost of (n, v, o) per workload row under price arrays p; shapes (W, P)."""
    col = lambda a: a[:, None]
    pre = n * col(prefix)
    h = -np.expm1(-(n / (60.0 * col(variants))) * col(p["ttl"]))
    cached = v * col(p["inp"]) + pre * (
        h * col(p["cached"]) + (1 - h) * col(p["write"])
    )
    plain = (v + pre) * col(p["inp"])
    realtime = np.where(col(p["cache_on"]), cached, plain) + o * col(p["out"])
    batch = (1 - col(p["disc"])) * ((v + pre) * col(p["inp"]) + o * col(p["out"]))
    return np.where(col(p["batch_on"]), batch, realtime)


class ClusterModel:
    """One strategy's copy of a cluster, vectorised across paths."""

    def __init__(self, c, workloads, routed, paths):
        self.c, self.routed = c, routed
        self.realtime = [i for i in routed if workloads[i]["latency"] == "realtime"]
        self.batch = [i for i in routed if workloads[i]["latency"] == "batch"]
        self.deadline = {i: workloads[i]["deadline_hours"] for i in self.batch}
        self.prefix = np.array([w["prefix_tokens"] for w in workloads])
        g = c["gpus"]
        self.history = np.zeros((g["lag_hours"] + 1, paths))
        # backlog per batch workload: a ring of arrival slots
        self.slots = {
            i: {
                k: np.zeros((self.deadline[i], paths))
                for k in ("n", "v", "o", "s", "rem")
            }
            for i in self.batch
        }

    def seconds(self, i, n, v, o):
        c = self.c
        pre = n * self.prefix[i] * (1 - c["prefix_reuse"])
        return (v + pre) / c["prefill_tokens_per_s"] + o / c["decode_tokens_per_s"]

    def step(self, t, n, v, o):
        """GPUs this hour and the turned-away (n, v, o) per routed workload."""
        c, g = self.c, self.c["gpus"]
        secs = {i: self.seconds(i, n[i], v[i], o[i]) for i in self.routed}
        demand = sum(secs.values())
        if g["autoscaled"]:
            lag = g["lag_hours"]
            desired = np.clip(
                np.ceil(demand / (3600 * c["utilization"])), g["min"], g["max"]
            )
            self.history[t % (lag + 1)] = desired
            gpus = (
                self.history[(t - lag) % (lag + 1)]
                if t >= lag
                else np.full_like(demand, g["min"])
            )
        else:
            gpus = np.full_like(demand, g["max"])
        if t // HOURS_PER_MONTH < c["available_from_month"]:
            gpus = np.zeros_like(demand)
        cap = gpus * 3600 * c["utilization"]

        away = {}
        rt = sum((secs[i] for i in self.realtime), np.zeros_like(demand))
        frac = np.where(rt > cap, 1 - cap / np.where(rt > 0, rt, 1), 0.0)
        for i in self.realtime:
            away[i] = (n[i] * frac, v[i] * frac, o[i] * frac)
        left = np.maximum(cap - rt, 0.0)

        # Batch arrivals join; leftover capacity serves the backlog EDF.
        entries = []
        for i in self.batch:
            d, q = self.deadline[i], self.slots[i]
            k = t % d
            q["n"][k], q["v"][k], q["o"][k], q["s"][k] = n[i], v[i], o[i], secs[i]
            q["rem"][k] = 1.0
            for age in range(min(d, t + 1)):
                arrival = t - age
                entries.append((arrival + d - 1, self.routed.index(i), i, arrival % d))
        entries.sort()
        if entries:
            need = np.stack(
                [
                    self.slots[i]["rem"][k] * self.slots[i]["s"][k]
                    for _, _, i, k in entries
                ]
            )
            served = np.diff(
                np.minimum(np.cumsum(need, axis=0), left), axis=0, prepend=0.0
            )
            for (deadline, _, i, k), got, needed in zip(entries, served, need):
                q = self.slots[i]
                q["rem"][k] = np.where(
                    needed > 0,
                    q["rem"][k] * (1 - got / np.where(needed > 0, needed, 1)),
                    0.0,
                )
                if deadline == t:  # what is still queued at its deadline is turned away
                    r = q["rem"][k]
                    away[i] = (q["n"][k] * r, q["v"][k] * r, q["o"][k] * r)
                    q["rem"][k] = 0.0
        return gpus, away


def simulate(resolved: dict, paths: int, seed: int = 0) -> np.ndarray:
    """Monthly cost per strategy and path: (strategies, paths, months)."""
    rng = np.random.default_rng(seed)
    models, clusters = resolved["models"], resolved["clusters"]
    wl = resolved["workloads"]
    nw, months = len(wl), resolved["horizon_months"]
    hours = months * HOURS_PER_MONTH
    t_all = np.arange(hours)

    base = np.stack(
        [
            w["requests_per_hour"]
            * np.asarray(w["hourly_weights"])[t_all % 24]
            * np.asarray(w["weekday_weights"])[(t_all // 24) % 7]
            * (1 + w["growth_per_month"]) ** (t_all / HOURS_PER_MONTH)
            for w in wl
        ]
    )
    sigma = np.array([w["spikiness"]["sigma"] for w in wl])[:, None]
    phi = np.array([w["spikiness"]["autocorrelation"] for w in wl])[:, None]
    vals, vecs = np.linalg.eigh(np.asarray(resolved["correlation"]))
    factor = vecs * np.sqrt(np.clip(vals, 0, None))
    weeks = -(-hours // HOURS_PER_WEEK)
    shocks = np.einsum("ij,kjp->kip", factor, rng.standard_normal((weeks, nw, paths)))
    x = np.empty((weeks, nw, paths))
    x[0] = sigma * shocks[0]
    for k in range(1, weeks):
        x[k] = phi * x[k - 1] + sigma * np.sqrt(1 - phi**2) * shocks[k]
    weekly = np.exp(x - sigma**2 / 2)

    burst_p = np.array([w["bursts"]["per_month"] / HOURS_PER_MONTH for w in wl])[
        :, None
    ]
    burst_len = np.array([w["bursts"]["hours"] for w in wl])[:, None]
    burst_mult = np.array([w["bursts"]["multiplier"] for w in wl])[:, None]
    burst_end = np.zeros((nw, paths))
    mu_v = np.array([w["input_tokens"]["mean"] - w["prefix_tokens"] for w in wl])[
        :, None
    ]
    sd_v = np.array([w["input_tokens"]["sd"] for w in wl])[:, None]
    mu_o = np.array([w["output_tokens"]["mean"] for w in wl])[:, None]
    sd_o = np.array([w["output_tokens"]["sd"] for w in wl])[:, None]
    prefix = np.array([w["prefix_tokens"] for w in wl], float)
    variants = np.array([w["prefix_variants"] for w in wl], float)

    plans = []
    for s in resolved["strategies"]:
        targets = [s["route"][w["name"]] for w in wl]
        api_mask = np.array([tg in models for tg in targets])
        prices = _api_prices(models, wl, s, targets)
        runs = []
        for name, c in clusters.items():
            routed = [i for i, tg in enumerate(targets) if tg == name]
            if routed:
                overflow = _api_prices(models, wl, s, [c["overflow"]] * nw)
                runs.append((ClusterModel(c, wl, routed, paths), overflow))
        plans.append((api_mask, prices, runs))

    cost = np.zeros((len(plans), paths, months))
    for t in range(hours):
        m = t // HOURS_PER_MONTH
        lam = base[:, t, None] * weekly[t // HOURS_PER_WEEK]
        burst_end = np.where(
            rng.random((nw, paths)) < burst_p,
            np.maximum(burst_end, t + burst_len),
            burst_end,
        )
        lam = np.where(t < burst_end, lam * burst_mult, lam)
        n = rng.poisson(lam).astype(float)
        z = rng.standard_normal((2, nw, paths))
        root = np.sqrt(n)
        v = np.maximum(0.0, n * mu_v + root * sd_v * z[0])
        o = np.maximum(0.0, n * mu_o + root * sd_o * z[1])
        for s, (api_mask, prices, runs) in enumerate(plans):
            if api_mask.any():
                cost[s, :, m] += _api_cost(prices, prefix, variants, n, v, o)[
                    api_mask
                ].sum(axis=0)
            for run, overflow in runs:
                gpus, away = run.step(t, n, v, o)
                cost[s, :, m] += gpus * run.c["gpu_price_per_hour"]
                for i, (an, av, ao) in away.items():
                    row = {k: x[i : i + 1] for k, x in overflow.items()}
                    cost[s, :, m] += _api_cost(
                        row,
                        prefix[i : i + 1],
                        variants[i : i + 1],
                        an[None],
                        av[None],
                        ao[None],
                    )[0]
    for s, (_, _, runs) in enumerate(plans):
        for run, _ in runs:
            f = run.c["fixed"]
            for m in range(months):
                every = f["revalidation_every_months"]
                cost[s, :, m] += (
                    f["ops_per_month"]
                    + f["staff_fte"] * f["staff_annual_cost"] / 12
                    + (f["setup"] if m == 0 else 0.0)
                    + (
                        f["revalidation_cost"]
                        if every and m > 0 and m % every == 0
                        else 0.0
                    )
                )
    return cost


def main() -> None:
    from pathlib import Path

    import breakeven

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=200)
    parser.add_argument("--months", type=int, default=None)
    args = parser.parse_args()
    scenario = breakeven.load(Path(__file__).with_name("standard.yaml"))
    resolved = scenario.resolved()
    if args.months:
        resolved["horizon_months"] = args.months
    start = time.perf_counter()
    cost = simulate(resolved, args.paths)
    seconds = time.perf_counter() - start
    for name, c in zip(scenario.strategies, cost):
        total = c.sum(axis=1)
        print(
            f"{name:20s} mean total {total.mean():14,.0f}  se {total.std(ddof=1) / np.sqrt(len(total)):10,.0f}"
        )
    print(f"{seconds:.2f} s for {args.paths} paths")


if __name__ == "__main__":
    main()
