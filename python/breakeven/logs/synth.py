"""Request-level logs drawn from a scenario, in the providers' log shapes: for tests,
benchmarks and demos of ``breakeven ingest``.

Hourly request counts are the engine's (path 0 of the scenario's seed, so exactly
the traffic a run sees). Within an hour, timestamps are uniform. A request's
input is the prefix P plus a variable part drawn from a lognormal with the
workload's variable mean and the input's standard deviation (so its mean and sd are
the scenario's); output is lognormal with the output's mean and sd. A request
reads the cached prefix with the model's probability h = 1 - exp(-(n/(60K)) ttl)
(MODEL.md), n being the workload's requests that hour.
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np

from .. import _core
from ..errors import OptionError

SYNTH_FORMATS = ("openai", "anthropic", "litellm", "otel")
DEFAULT_START = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)  # a Monday


def _lognormal(rng, mean: float, sd: float, n: int) -> np.ndarray:
    if n == 0:
        return np.zeros(0)
    if sd <= 0 or mean <= 0:
        return np.full(n, max(mean, 0.0))
    s2 = np.log1p((sd / mean) ** 2)
    return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), n)


def draw_requests(scenario, days: int, seed: int | None = None, strategy: str | None = None,
                  start: dt.datetime = DEFAULT_START) -> dict[str, np.ndarray]:
    """Columns of the requests: ts (epoch s), task, model, input, cached, output."""
    if not 1 <= days <= scenario.horizon_months * 730 // 24:
        raise OptionError("days", f"must be between 1 and the horizon's "
                          f"{scenario.horizon_months * 730 // 24} days (got {days})")
    if start.weekday() != 0 or (start.hour, start.minute, start.second) != (0, 0, 0):
        raise OptionError("start", "must be a Monday 00:00 (the model's hour 0)")
    seed = scenario.resolved()["simulation"]["seed"] if seed is None else seed
    r = scenario.resolved()
    hours = days * 24
    counts = _core.sample_traffic(scenario._core, paths=1, seed=seed, hours=hours)[
        "requests"][0]
    strategy = strategy or scenario.baseline
    strat = next((s for s in r["strategies"] if s["name"] == strategy), None)
    if strat is None:
        raise OptionError("strategy", f"no strategy named {strategy!r}")
    rng = np.random.default_rng([seed, 0x5EED])
    t0 = start.timestamp()
    cols: dict[str, list] = {k: [] for k in ("ts", "task", "model", "input", "cached",
                                             "cache_write", "output")}
    for w, wl in enumerate(r["workloads"]):
        n_hour = counts[w].astype(np.int64)
        n = int(n_hour.sum())
        hour = np.repeat(np.arange(hours), n_hour)
        ts = t0 + 3600.0 * (hour + rng.random(n))
        prefix = wl["prefix_tokens"]
        var_mean = wl["input_tokens"]["mean"] - prefix
        inp = prefix + _lognormal(rng, var_mean, wl["input_tokens"]["sd"], n)
        out = _lognormal(rng, wl["output_tokens"]["mean"], wl["output_tokens"]["sd"], n)
        model_name = strat["route"][wl["name"]]
        model = r["models"].get(model_name)
        cached = np.zeros(n)
        write = np.zeros(n)
        if (strat["caching"] and model and model["cached_input"] > 0 and prefix > 0
                and prefix >= model["cache_min_tokens"] and wl["latency"] == "realtime"):
            rate = n_hour / (60.0 * wl["prefix_variants"])
            h = 1 - np.exp(-rate * model["cache_ttl_minutes"])
            hit = rng.random(n) < h[hour]
            cached = np.where(hit, np.round(prefix), 0.0)
            write = np.where(hit, 0.0, np.round(prefix))
        cols["ts"].append(ts)
        cols["task"].append(np.full(n, wl["name"], dtype=object))
        cols["model"].append(np.full(n, model_name, dtype=object))
        cols["input"].append(np.maximum(np.round(inp), cached))
        cols["cached"].append(cached)
        cols["cache_write"].append(write)
        cols["output"].append(np.maximum(np.round(out), 1.0))
    data = {k: np.concatenate(v) if v else np.zeros(0) for k, v in cols.items()}
    order = np.argsort(data["ts"], kind="stable")
    return {k: v[order] for k, v in data.items()}


def write_logs(requests: dict[str, np.ndarray], fmt: str, path: str | os.PathLike,
               prices: dict | None = None) -> int:
    """Write the requests as `fmt` JSONL (or CSV for a .csv path); returns records."""
    import duckdb
    import pyarrow as pa

    if fmt not in SYNTH_FORMATS:
        raise OptionError("format", f"must be one of {', '.join(SYNTH_FORMATS)} (got {fmt!r})")
    from .prices import catalog_prices

    prices = prices or catalog_prices()
    n = len(requests["ts"])
    table = pa.table({
        "i": np.arange(n),
        "ts": requests["ts"],
        "task": pa.array(requests["task"].astype(str)),
        "model": pa.array(requests["model"].astype(str)),
        "input": requests["input"].astype(np.int64),
        "cached": requests["cached"].astype(np.int64),
        "cache_write": requests["cache_write"].astype(np.int64),
        "output": requests["output"].astype(np.int64),
        "cost": _cost(requests, prices),
    })
    select = {
        "openai": """select 'chatcmpl-' || i as id, 'chat.completion' as object,
              floor(ts)::bigint as created, model,
              {'prompt_tokens': input, 'completion_tokens': output,
               'total_tokens': input + output,
               'prompt_tokens_details': {'cached_tokens': cached}} as usage,
              {'task': task} as metadata from requests""",
        "anthropic": """select 'msg_' || i as id, 'message' as type,
              strftime(to_timestamp(ts), '%Y-%m-%dT%H:%M:%S.%fZ') as timestamp, model,
              {'input_tokens': input - cached - cache_write,
               'cache_read_input_tokens': cached,
               'cache_creation_input_tokens': cache_write,
               'output_tokens': output} as usage,
              {'task': task} as metadata from requests""",
        "litellm": """select 'req-' || i as request_id, 'acompletion' as call_type,
              strftime(to_timestamp(ts), '%Y-%m-%d %H:%M:%S.%f+00') as "startTime",
              strftime(to_timestamp(ts + 1), '%Y-%m-%d %H:%M:%S.%f+00') as "endTime",
              model, cost as spend, input + output as total_tokens,
              input as prompt_tokens, output as completion_tokens,
              to_json(['task:' || task]) as request_tags,
              to_json({'usage_object': {'prompt_tokens_details': {'cached_tokens': cached}}})
                as metadata
              from requests""",
        "otel": """select 'chat ' || model as name,
              {'trace_id': '0x' || lpad(printf('%x', i), 32, '0'),
               'span_id': '0x' || lpad(printf('%x', i), 16, '0')} as context,
              strftime(to_timestamp(ts), '%Y-%m-%dT%H:%M:%S.%fZ') as start_time,
              map_from_entries([
                ('gen_ai.operation.name', 'chat'), ('gen_ai.request.model', model),
                ('gen_ai.usage.input_tokens', input::varchar),
                ('gen_ai.usage.output_tokens', output::varchar),
                ('gen_ai.usage.cache_read.input_tokens', cached::varchar),
                ('task', task)]) as attributes from requests""",
    }[fmt]
    path = str(path)
    lower = path.lower()
    compression = "gzip" if lower.endswith(".gz") else "zstd" if lower.endswith(".zst") else None
    is_csv = lower.removesuffix(".gz").removesuffix(".zst").endswith(".csv")
    options = ["FORMAT csv, HEADER true" if is_csv else "FORMAT json"]
    if compression:
        options.append(f"COMPRESSION {compression}")
    con = duckdb.connect()
    try:
        con.register("requests", table)
        if is_csv and fmt != "litellm":
            raise OptionError("output", "only litellm logs can be written as CSV")
        con.execute(f"copy ({select}) to '{path.replace(chr(39), chr(39) * 2)}' "
                    f"({', '.join(options)})")
    finally:
        con.close()
    return n


def _cost(requests, prices) -> np.ndarray:
    """List-price cost of each request (USD) under its model's catalog prices."""
    from .prices import catalog_name, list_cost

    out = np.zeros(len(requests["ts"]))
    for m in np.unique(requests["model"]):
        c = catalog_name(str(m), set(prices))
        if c is None:
            continue
        sel = requests["model"] == m
        out[sel] = list_cost(prices[c], requests["input"][sel], requests["cached"][sel],
                             requests["cache_write"][sel], requests["output"][sel])
    return out
