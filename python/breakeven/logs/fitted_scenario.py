"""Scenarios built from fitted traffic parameters: the one the engine draws
replicate histories from, and the one a fit writes, with the logs' token sizes
and the routing they show."""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

import numpy as np

from .cache_fit import calibrate
from .estimators import PARAMETERS, SCALARS
from .timeline import epoch_hour, monday_at_or_before


def traffic_scenario(est: np.ndarray, bursts, corr, first_hour: int, hours: int,
                     tokens: list[dict] | None = None):
    """A scenario whose traffic has parameters `est` (rates as of `first_hour`, an
    absolute hour), starting at the Monday 00:00 before it; and the offset of
    `first_hour` in it. Token sizes are 1 unless `tokens` gives each workload's."""
    from ..scenario import load

    first = dt.datetime.fromtimestamp(first_hour * 3600, tz=dt.timezone.utc)
    offset = first_hour - epoch_hour(monday_at_or_before(first))
    months = offset / 730
    idx = {p: i for i, p in enumerate(PARAMETERS)}
    workloads = []
    for i, row in enumerate(est):
        g = float(np.clip(row[idx["growth"]], -0.5, 0.5))
        wl = {
            "name": f"task{i}",
            "requests": {"per_hour": max(float(row[0]) / (1 + g) ** months, 1e-9)},
            "input_tokens": 1, "output_tokens": 1,
            "hourly_weights": [float(x) for x in np.clip(row[len(SCALARS):len(SCALARS) + 24],
                                                         1e-3, None)],
            "weekday_weights": [float(x) for x in np.clip(row[len(SCALARS) + 24:], 1e-3, None)],
            "growth_per_month": g,
            "spikiness": {
                "sigma": float(max(row[idx["sigma"]], 0.0)),
                "autocorrelation": float(np.clip(row[idx["autocorrelation"]], 0.0, 0.95)),
                "hourly_sigma": float(max(row[idx["hourly_sigma"]], 0.0)),
                "hourly_autocorrelation": float(np.clip(row[idx["hourly_autocorrelation"]],
                                                        0.0, 0.995)),
            },
        }
        if row[idx["on_days"]] > 0:
            wl["activity"] = {"on_days": float(row[idx["on_days"]]),
                              "off_days": float(row[idx["off_days"]])}
        if tokens:
            wl.update(tokens[i])
        if bursts[i]:
            wl["bursts"] = bursts[i]
        workloads.append(wl)
    # Only its traffic is drawn, never priced: the bundled catalog's gpt-5-mini
    # routes it (a catalog file the logs were priced with may lack that model).
    spec = {"name": "traffic", "horizon_months": math.ceil((offset + hours) / 730),
            "workloads": workloads,
            "strategies": [{"name": "any", "route": {"default": "gpt-5-mini"}}]}
    if corr is not None:
        spec["correlation"] = corr.tolist()
    return load(spec), offset


def _round(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}")


def _token_size(mean: float, sd: float):
    if sd <= 0 or mean <= 0:
        return _round(max(mean, 0.0))
    return {"mean": _round(mean), "cv": _round(sd / mean, 3)}


def _mean_sd(seen, task, column, mean, sd) -> tuple[float, float]:
    if task not in seen.index or seen.loc[task, "requests"] <= 0:
        return mean, sd
    m = float(seen.loc[task, column] / seen.loc[task, "requests"])
    return m, sd * m / mean if mean > 0 else sd


def scenario_dict(usage, tasks, est, bursts, corr, start, data_start,
                  horizon_months, name, until, history_days, uncertainty=None
                  ) -> tuple[dict, dict]:
    """The fitted scenario, and per task the cache calibration (cache_fit.py)."""
    idx = {p: i for i, p in enumerate(PARAMETERS)}
    # Token means from the fitted period only (a backtest must not see its future);
    # the spread (cv) and the prefix from every record.
    seen = usage.hourly_table[usage.hourly_table.hour < until].groupby("task")[
        ["requests", "input_tokens", "output_tokens"]].sum()
    months_ahead = (start - data_start).total_seconds() / 3600 / 730
    models, route = _observed_routing(usage, tasks)
    workloads, cache_fits = [], {}
    for i, t in enumerate(tasks):
        tok = usage.tokens[t]
        g = est[i, idx["growth"]]
        rate = est[i, idx["rate"]] * (1 + g) ** months_ahead
        prefix = min(tok.prefix_p50, tok.input_mean) if tok.cached_requests else 0.0
        wl = {
            "name": t,
            "requests": {"per_hour": _round(max(rate, 1e-9), 6)},
            "input_tokens": _token_size(*_mean_sd(seen, t, "input_tokens", tok.input_mean,
                                                  tok.input_sd)),
            "output_tokens": _token_size(*_mean_sd(seen, t, "output_tokens",
                                                   tok.output_mean, tok.output_sd)),
            "hourly_weights": [_round(x) for x in est[i, len(SCALARS):len(SCALARS) + 24]],
            "weekday_weights": [_round(x) for x in est[i, len(SCALARS) + 24:]],
            "growth_per_month": _round(g),
            "spikiness": {
                "sigma": _round(max(est[i, idx["sigma"]], 0.0)),
                "autocorrelation": _round(float(np.clip(est[i, idx["autocorrelation"]],
                                                        0.0, 0.95))),
                "hourly_sigma": _round(max(est[i, idx["hourly_sigma"]], 0.0)),
                "hourly_autocorrelation": _round(float(np.clip(
                    est[i, idx["hourly_autocorrelation"]], 0.0, 0.995))),
            },
        }
        if est[i, idx["on_days"]] > 0:
            wl["activity"] = {"on_days": _round(est[i, idx["on_days"]], 3),
                              "off_days": _round(est[i, idx["off_days"]], 3)}
        conv = usage.conversations.get(t)
        if conv is not None:  # the prefix common to conversations, not their history
            prefix = min(conv.prefix_tokens, tok.input_mean)
        if prefix > 0:
            wl["prefix_tokens"] = _round(prefix)
        if conv is not None and engine_reads_conversations():
            wl["conversation"] = conv.block()
        if bursts[i]:
            wl["bursts"] = bursts[i]
        if uncertainty is not None:
            wl["uncertainty"] = {k: _round(v) for k, v in uncertainty[i].items()}
        fit = calibrate(wl, route.get(t, route["default"]), models, tok,
                        conv if "conversation" in wl else None, usage.catalog)
        if fit is not None:
            cache_fits[t] = fit
        workloads.append(wl)
    spec = {
        "name": name,
        "description": f"Fitted by breakeven ingest from {', '.join(usage.files)[:200]}",
        "horizon_months": int(horizon_months),
        "simulation": {"paths": 1000, "seed": 0, "mode": "stochastic"},
        "history": {"days": _round(history_days, 6), "logs": usage.format},
        "workloads": workloads,
        "strategies": [{"name": "observed", "route": route,
                        "caching": any(usage.tokens[t].cached_requests for t in tasks)}],
    }
    if models:
        spec["models"] = models
    if corr is not None:
        spec["correlation"] = [[float(x) for x in row] for row in corr]
    return spec, cache_fits


@lru_cache(maxsize=1)
def engine_reads_conversations() -> bool:
    """Whether this engine reads a workload's ``conversation:`` block (the fit
    writes it as a comment otherwise)."""
    from ..errors import ScenarioError
    from ..scenario import load

    try:
        load({"name": "probe", "horizon_months": 1,
              "workloads": [{"name": "w", "requests": {"per_hour": 1}, "input_tokens": 2000,
                             "output_tokens": 10,
                             "conversation": {"turns": 2.0,
                                              "gap_minutes": {"cdf": [[1.0, 1.0]]},
                                              "history_tokens_per_turn": 100}}],
              "strategies": [{"name": "s", "route": {"default": "gpt-5-mini"}}]})
    except ScenarioError:
        return False
    return True


def _observed_routing(usage, tasks) -> tuple[dict, dict]:
    """The model each task mostly went to; models the catalog lacks get prices fitted
    to their logged cost per input and output token (or 0, said in the YAML)."""
    table = usage.hourly_table
    by = table.groupby(["task", "model"])["requests"].sum().reset_index()
    main = by.sort_values("requests").groupby("task").last()["model"]
    catalog_of = table.drop_duplicates("model").set_index("model")["catalog_model"]
    models, route = {}, {}
    for t in tasks:
        logged = main[t]
        known = catalog_of.get(logged)
        if isinstance(known, str):
            route[t] = known
            continue
        rows = table[table.model == logged]
        a, b = rows["input_tokens"].to_numpy(), rows["output_tokens"].to_numpy()
        c = rows["logged_cost"].fillna(0).to_numpy()
        price_in = price_out = 0.0
        if c.sum() > 0:
            sol = np.linalg.lstsq(np.column_stack([a, b]) / 1e6, c, rcond=None)[0]
            if sol.min() < 0:  # one price: cost per token of both kinds
                price_in = price_out = float(c.sum() / ((a.sum() + b.sum()) / 1e6))
            else:
                price_in, price_out = map(float, sol)
        name = str(logged)
        models[name] = {"input": _round(price_in), "output": _round(price_out)}
        route[t] = name
    default = max(set(route.values()), key=list(route.values()).count)
    out = {"default": default}
    out.update({t: m for t, m in route.items() if m != default})
    return models, out
