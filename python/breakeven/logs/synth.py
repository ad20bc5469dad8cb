"""Request-level logs drawn from a scenario, in the providers' log shapes: for tests,
benchmarks and demos of ``breakeven ingest``.

Hourly request counts are the engine's (path 0 of the scenario's seed, so exactly
the traffic a stochastic run sees; drawn stochastic whatever the scenario's mode,
since logs are one history: expected mode's counts are fractional, and whole
requests of them lost a quarter of a 40-a-day workload). Within an hour, timestamps are uniform. A request's
input is the prefix P plus a variable part drawn from a lognormal with the
workload's variable mean and the input's standard deviation (so its mean and sd are
the scenario's); output is lognormal with the output's mean and sd. A request
reads the cached prefix with the engine's probability for its hour (the engine's
rule for when caching applies, and h = 1 - exp(-(n/(60K)) ttl) of MODEL.md, n being
the workload's requests that hour: ``Scenario.cache_hit_probability`` of _core),
and writes it on a miss.

The requests are drawn and written a chunk of whole hours at a time, each chunk
from its own stream (seed, chunk), so that memory does not grow with the days.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from .. import _core, files
from ..errors import OptionError
from ..routes import targets_by_workload
from .sql import Query

SYNTH_FORMATS = ("openai", "anthropic", "litellm", "otel")
DEFAULT_START = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)  # a Monday
# Requests of one run of synth-logs, checked from the hourly counts before any is
# drawn (about 240 bytes of JSONL each). Raise it here or draw fewer days.
MAX_RECORDS = 20_000_000
# Requests drawn and written at a time (whole hours, so at least one hour's): the
# memory is that of one chunk, whatever the days.
CHUNK_RECORDS = 250_000


def _lognormal(rng, mean: float, sd: float, n: int) -> np.ndarray:
    if n == 0:
        return np.zeros(0)
    if sd <= 0 or mean <= 0:
        return np.full(n, max(mean, 0.0))
    s2 = np.log1p((sd / mean) ** 2)
    return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), n)


class SyntheticLogs:
    """The requests of ``days`` days drawn from a scenario, a chunk of whole hours
    at a time (:meth:`chunks`); ``records`` is known before any is drawn."""

    def __init__(self, scenario, days: int, seed: int | None = None,
                 strategy: str | None = None, start: dt.datetime = DEFAULT_START,
                 max_records: int = MAX_RECORDS):
        max_days = scenario.horizon_months * 730 // 24
        if not 1 <= days <= max_days:
            raise OptionError("days", f"must be between 1 and the horizon's {max_days} days "
                                      f"(got {days})")
        if start.weekday() != 0 or (start.hour, start.minute, start.second) != (0, 0, 0):
            raise OptionError("start", "must be a Monday 00:00 (the model's hour 0)")
        r = scenario.resolved()
        self.seed = r["simulation"]["seed"] if seed is None else seed
        strategy = strategy or scenario.baseline
        self.strategy = next((s for s in r["strategies"] if s["name"] == strategy), None)
        if self.strategy is None:
            raise OptionError("strategy", f"no strategy named {strategy!r}")
        mixed = [w for w, ts in targets_by_workload(self.strategy).items() if len(ts) > 1]
        if mixed:
            raise OptionError("strategy", f"synthetic logs need one model per workload; "
                                          f"{strategy!r} splits or cascades {', '.join(mixed)}")
        # The engine reads a conversation's history from cache; these logs draw
        # the shared prefix's reads only, so they would cost what the scenario
        # does not (1.3x to 1.6x for the bundled caching-ttl examples).
        chats = [w["name"] for w in r["workloads"] if w.get("conversation")]
        if chats and self.strategy["caching"]:
            raise OptionError("strategy", f"synthetic logs draw no conversations, and "
                                          f"{strategy!r} caches those of {', '.join(chats)}: "
                                          "choose a strategy without caching")
        self.resolved = r
        self._scenario = scenario._core
        self.t0 = start.timestamp()
        # Path 0 of the engine's hourly traffic: workloads x hours.
        self.counts = _core.sample_traffic(scenario._core, paths=1, seed=self.seed,
                                           mode="stochastic", hours=days * 24
                                           )["requests"][0].astype(np.int64)
        self.records = int(self.counts.sum())
        if self.records == 0:
            raise OptionError("days", f"{days} days of {scenario.name} draw no requests: "
                                      "draw more days")
        if self.records > max_records:
            raise OptionError("days", (
                f"{days} days of {scenario.name} are {self.records:,} requests; synth-logs "
                f"writes at most {max_records:,} (breakeven.logs.synth.MAX_RECORDS): "
                "draw fewer days"))

    def usage(self, catalog=None):
        """What ``ingest`` reads from these logs in the openai format, priced with
        ``catalog`` (a CatalogFile, as ``ingest(catalog=)``; None: the bundled one),
        without a request drawn, written or parsed: each hour's requests are the
        logs', its tokens and cache reads their expectations given those (the mean
        sizes; the engine's hit probability times the prefix). Months of logs of
        millions of requests in a second, for the forecast round trips; it leaves out
        the draws' noise in the token means, cv / sqrt(requests) (0.06% for a million
        requests of cv 0.6). tests/python/test_forecast_roundtrip.py holds it
        against ingest of the written logs."""
        import pandas as pd

        from .formats import FORMATS
        from .prices import catalog_name, catalog_prices, list_cost
        from .usage import TokenStats, Usage

        fmt, prices = FORMATS["openai-chat"], catalog_prices(catalog)
        r, strat = self.resolved, self.strategy
        hours = pd.to_datetime(self.t0 + 3600.0 * np.arange(self.counts.shape[1]), unit="s",
                               utc=True)
        tables, tokens = [], {}
        for w, wl in enumerate(r["workloads"]):
            n = self.counts[w].astype(float)
            if n.sum() == 0:
                continue
            model = strat["route"][wl["name"]]
            prefix = float(np.round(wl["prefix_tokens"]))
            hits = self._scenario.cache_hit_probability(strat["name"], wl["name"], n) * n
            size = {k: (wl[k]["mean"], wl[k]["sd"]) for k in ("input_tokens", "output_tokens")}
            sums = {k: n * m for k, (m, _) in size.items()}
            known = catalog_name(model, set(prices))
            cost = (list_cost(prices[known], sums["input_tokens"], hits * prefix, 0.0,
                              sums["output_tokens"]) if known else np.zeros_like(n))
            on = n > 0
            tables.append(pd.DataFrame({
                "task": wl["name"], "model": model, "hour": hours[on],
                "requests": n[on].astype(np.int64), "input_tokens": sums["input_tokens"][on],
                "cached_tokens": (hits * prefix)[on], "cache_write_tokens": 0.0,
                "output_tokens": sums["output_tokens"][on], "reasoning_tokens": 0.0,
                "provider": None, "logged_cost": np.nan, "logged": 0,
                "list_cost": cost[on], "cost_mismatch": 0, "catalog_model": known,
                "cost": cost[on]}))
            (in_mean, in_sd), (out_mean, out_sd) = size.values()
            tokens[wl["name"]] = TokenStats(
                int(n.sum()), in_mean, in_sd, *_lognormal_quantiles(in_mean - prefix, in_sd,
                                                                    prefix),
                out_mean, out_sd, *_lognormal_quantiles(out_mean, out_sd, 0.0),
                int(round(hits.sum())), prefix if hits.sum() > 0 else 0.0, True,
                float((hits * prefix).sum()))
        return Usage(format=fmt.name, format_description=fmt.description,
                     files=[f"synthetic logs of {r['name']}"], task_field="metadata.task",
                     records=self.records, ingested=self.records,
                     hourly_table=pd.concat(tables, ignore_index=True), tokens=tokens,
                     cannot_give=fmt.cannot_give, catalog=catalog)

    def chunks(self, size: int = CHUNK_RECORDS) -> Iterator[dict[str, np.ndarray]]:
        """The requests in time order, about ``size`` at a time (whole hours)."""
        for i, (h0, h1) in enumerate(_hour_spans(self.counts.sum(axis=0), size)):
            yield self._draw(i, h0, h1)

    def _draw(self, chunk: int, h0: int, h1: int) -> dict[str, np.ndarray]:
        """Columns of the requests of hours h0..h1: ts (epoch s), task, model,
        input, cached, cache_write, output; sorted by ts."""
        r, strat = self.resolved, self.strategy
        # A stream per chunk, from (seed, chunk): the same logs on every run.
        rng = np.random.default_rng([self.seed, 0x5EED, chunk])
        cols: dict[str, list] = {k: [] for k in ("ts", "task", "model", "input", "cached",
                                                 "cache_write", "output")}
        for w, wl in enumerate(r["workloads"]):
            n_hour = self.counts[w, h0:h1]
            n = int(n_hour.sum())
            hour = np.repeat(np.arange(h1 - h0), n_hour)
            ts = self.t0 + 3600.0 * (h0 + hour + rng.random(n))
            prefix = wl["prefix_tokens"]
            var_mean = wl["input_tokens"]["mean"] - prefix
            inp = prefix + _lognormal(rng, var_mean, wl["input_tokens"]["sd"], n)
            out = _lognormal(rng, wl["output_tokens"]["mean"], wl["output_tokens"]["sd"], n)
            model_name = strat["route"][wl["name"]]
            cached = np.zeros(n)
            write = np.zeros(n)
            # The engine's caching rule and hit formula, hour by hour (0: no caching).
            h = self._scenario.cache_hit_probability(strat["name"], wl["name"],
                                                     n_hour.astype(float))
            if (h > 0).any():
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


def _lognormal_quantiles(mean: float, sd: float, shift: float) -> tuple[float, float]:
    """p50 and p95 of ``shift`` plus the lognormal that _lognormal draws."""
    if sd <= 0 or mean <= 0:
        return shift + max(mean, 0.0), shift + max(mean, 0.0)
    s2 = np.log1p((sd / mean) ** 2)
    mu = np.log(mean) - s2 / 2
    return shift + float(np.exp(mu)), shift + float(np.exp(mu + _core.Z95 * np.sqrt(s2)))


def _hour_spans(per_hour: np.ndarray, size: int) -> Iterator[tuple[int, int]]:
    """(first, end) hours of consecutive spans of about ``size`` requests each."""
    first, total = 0, 0
    for h, n in enumerate(per_hour.tolist()):
        total += n
        if total >= size:
            yield first, h + 1
            first, total = h + 1, 0
    if first < len(per_hour):
        yield first, len(per_hour)


def draw_requests(scenario, days: int, seed: int | None = None, strategy: str | None = None,
                  start: dt.datetime = DEFAULT_START) -> dict[str, np.ndarray]:
    """Columns of all the requests at once (see :class:`SyntheticLogs`, which
    draws them a chunk at a time): ts (epoch s), task, model, input, cached,
    cache_write, output."""
    chunks = list(SyntheticLogs(scenario, days, seed, strategy, start).chunks())
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}


def check_output(path: str | os.PathLike, fmt: str) -> None:
    """Refuse an output synth-logs cannot write, before anything is drawn."""
    if fmt not in SYNTH_FORMATS:
        raise OptionError("format", f"must be one of {', '.join(SYNTH_FORMATS)} (got {fmt!r})")
    if _is_csv(os.fspath(path)) and fmt != "litellm":
        raise OptionError("output", f"{path}: only litellm logs can be written as CSV")
    files.check_output(path, "output")


def _is_csv(path: str) -> bool:
    return path.lower().removesuffix(".gz").removesuffix(".zst").endswith(".csv")


def write_logs(requests: dict[str, np.ndarray] | Iterable[dict[str, np.ndarray]], fmt: str,
               path: str | os.PathLike, prices: dict | None = None) -> int:
    """Write the requests as `fmt` JSONL (or CSV for a .csv path); returns records.

    ``requests`` is a dict of columns or, to keep the memory of one chunk, an
    iterable of them in time order (``SyntheticLogs(...).chunks()``). Each chunk is
    written by DuckDB (no pyarrow needed) to a temporary file and appended: gzip
    and zstd files of several members or frames read as one. A write that fails
    leaves no partial file.
    """
    import duckdb

    check_output(path, fmt)
    from .prices import catalog_prices

    prices = prices or catalog_prices()
    chunks = [requests] if isinstance(requests, dict) else requests
    path = str(path)
    lower = path.lower()
    compression = "gzip" if lower.endswith(".gz") else "zstd" if lower.endswith(".zst") else None
    # A regular file half written is removed on failure; a device or pipe is not.
    partial = not os.path.exists(path) or os.path.isfile(path)
    written = 0
    con = duckdb.connect()
    try:
        with (files.open_output(path, "output", binary=True) as out,
              tempfile.TemporaryDirectory(prefix="breakeven-synth-") as tmp):
            part = os.path.join(tmp, "chunk")
            for chunk in chunks:
                options = [("FORMAT csv, HEADER " + ("true" if written == 0 else "false"))
                           if _is_csv(path) else "FORMAT json"]
                if compression:
                    options.append(f"COMPRESSION {compression}")
                con.register("requests", _columns(chunk, written, prices))
                q = Query()
                q.run(con, f"copy ({_SELECT[fmt]}) to {q.bind(part)} ({', '.join(options)})")
                con.unregister("requests")
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
                written += len(chunk["ts"])
    except BaseException as e:
        if partial:
            Path(path).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise OptionError("output", f"{path}: cannot write: {e.strerror or e}") from None
        if isinstance(e, duckdb.Error):
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise OptionError("output", f"{path}: cannot write a chunk in the temporary "
                                        f"folder ({first})") from None
        raise
    finally:
        con.close()
    return written


def _columns(requests: dict[str, np.ndarray], first_id: int, prices: dict) -> dict:
    """The columns DuckDB scans (numpy arrays) for the SELECTs, ids from first_id."""
    n = len(requests["ts"])
    tokens = {k: np.asarray(requests[k]).astype(np.int64)
              for k in ("input", "cached", "cache_write", "output")}
    return {"i": np.arange(first_id, first_id + n), "ts": np.asarray(requests["ts"], float),
            "task": np.asarray(requests["task"], dtype=object),
            "model": np.asarray(requests["model"], dtype=object),
            **tokens, "cost": _cost(requests, prices)}


# One SELECT per format over the registered columns.
_SELECT = {
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
}


def _cost(requests, prices) -> np.ndarray:
    """List-price cost of each request (USD) under its model's catalog prices."""
    from .prices import catalog_name, list_cost

    out = np.zeros(len(requests["ts"]))
    # A set, not np.unique: sorting the chunk's model names costs more than the rest.
    for m in set(requests["model"].tolist()):
        c = catalog_name(str(m), set(prices))
        if c is None:
            continue
        sel = requests["model"] == m
        out[sel] = list_cost(prices[c], requests["input"][sel], requests["cached"][sel],
                             requests["cache_write"][sel], requests["output"][sel])
    return out
