"""What a set of logs holds once read: hourly traffic and tokens per task and
model, token size statistics, logged and list-price spend, and the problems found.
Everything is aggregated in DuckDB as the logs stream through, so memory grows with
tasks x models x hours, not with records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..catalog import CatalogFile
from ..errors import LogError
from .prices import (
    COST_MISMATCH,
    catalog_name,
    catalog_prices,
    price_table,
    record_cost_sql,
)
from .quantiles import quantiles
from .records import Problem

# Distinct tasks and distinct models an ingest aggregates (``--max-names``): the
# spend view lists them all and the aggregates grow with tasks x models x hours.
MAX_NAMES = 2000
# Days from the first record to the last (``--max-days``): the hourly calendar, the
# fit's series and its bootstrap grow with it.
MAX_DAYS = 1100


@dataclass
class TokenStats:
    """Per-request token sizes of one task (input counts cached tokens too)."""

    requests: int
    input_mean: float
    input_sd: float
    input_p50: float
    input_p95: float
    output_mean: float
    output_sd: float
    output_p50: float
    output_p95: float
    cached_requests: int  # requests that read a cached prefix
    prefix_p50: float  # median cached tokens of those requests (0: none)
    cache_fields: bool  # the format logs cache reads at all
    cached_tokens: float = 0.0  # cache reads of all its requests


@dataclass
class Usage:
    """Usage read from logs. Create it with :func:`breakeven.ingest`.

    Attributes
    ----------
    format : str
        The log format detected (or given with ``--map``).
    hourly_table : DataFrame
        One row per (task, model, hour): requests, tokens, logged and list cost.
    tokens : dict[str, TokenStats]
    problems : list[Problem]
        Records counted but not ingested, with the first line numbers.
    """

    format: str
    format_description: str
    files: list[str]
    task_field: str
    records: int
    ingested: int
    hourly_table: pd.DataFrame
    tokens: dict[str, TokenStats]
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cannot_give: tuple[str, ...] = ()
    bucket_hours: int = 1  # 24 for daily usage exports
    # Per task with session ids: its conversations (conversations.py).
    conversations: dict = field(default_factory=dict)
    # With --prefix-hashes: the cache replayed per task and TTL (cache_replay.py).
    cache_replay: pd.DataFrame | None = None
    session_field: str | None = None  # where session ids came from, if any
    prefix_hashes: str | None = None
    block_tokens: int = 512
    # The catalog file the logs are priced with (list prices, model matching,
    # cache tiers, the fitted scenario); None: the bundled catalog.
    catalog: CatalogFile | None = None

    @property
    def tasks(self) -> list[str]:
        """Tasks by spend, largest first."""
        by = self.hourly_table.groupby("task")["cost"].sum().sort_values(ascending=False)
        return list(by.index)

    @property
    def start(self) -> dt.datetime:
        return self.hourly_table["hour"].min().to_pydatetime()

    @property
    def end(self) -> dt.datetime:
        """The end of the last hour (or bucket) with a record."""
        last = self.hourly_table["hour"].max().to_pydatetime()
        return last + dt.timedelta(hours=self.bucket_hours)

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    def hourly(self, by: str = "task") -> pd.DataFrame:
        """Requests per hour, one column per task (or model), zero-filled."""
        table = self.hourly_table.pivot_table(
            index="hour", columns=by, values="requests", aggfunc="sum", fill_value=0
        )
        full = pd.date_range(self.start, self.end - dt.timedelta(hours=1),
                             freq=f"{self.bucket_hours}h", tz="UTC")
        return table.reindex(full, fill_value=0).rename_axis("hour")

    def spend(self) -> pd.DataFrame:
        """Spend by task and model: requests, tokens, cost, share of all spend."""
        from .spend import spend_table

        return spend_table(self)

    def fit(self, start: dt.datetime | None = None, horizon_months: int = 12, **options):
        """A scenario fitted to these logs (a :class:`breakeven.Scenario`, with the
        fit's parameters and standard errors in ``.fit_report``)."""
        from .fit import fit_scenario

        return fit_scenario(self, start=start, horizon_months=horizon_months, **options)

    def backtest(self, train_days: int, paths: int = 500, seed: int = 0):
        """Fit on the first ``train_days`` days, simulate the rest, compare."""
        from .backtest import backtest

        return backtest(self, train_days, paths=paths, seed=seed)

    def plot(self):
        """Hourly requests per task (a matplotlib Figure)."""
        from ..plots import plot_hourly_requests

        return plot_hourly_requests(self.hourly())

    def document(self):
        """The spend view as a :class:`~breakeven.presentation.Document` (``print``
        it, or ``.write("spend.html")``)."""
        from .spend import spend_document

        return spend_document(self)

    def _repr_html_(self) -> str:
        return self.document()._repr_html_()

    def __repr__(self) -> str:
        return (
            f"<Usage {self.format}: {self.hourly_table.requests.sum():,.0f} requests of "
            f"{len(self.tokens)} "
            f"tasks over {self.days:.1f} days>"
        )


def check_bounds(where: str, tasks: int, models: int, first: float, last: float,
                 max_names: int = MAX_NAMES, max_days: int = MAX_DAYS) -> None:
    """Refuse, before aggregating, more distinct names or a longer span than allowed
    (``first``, ``last``: epoch seconds of the first and last record)."""
    for what, n in (("tasks", tasks), ("models", models)):
        if n > max_names:
            raise LogError(where, f"{n:,} distinct {what}, more than {max_names:,} (the bound "
                           "on names, --max-names or ingest(max_names=...)); choose a coarser "
                           "--task or raise it")
    days = (last - first) / 86400
    if days > max_days:
        span = " to ".join(str(pd.Timestamp(t, unit="s", tz="UTC"))[:10] for t in (first, last))
        raise LogError(where, f"the records span {days:,.0f} days ({span}), more than "
                       f"{max_days:,} (the bound on days, --max-days or ingest(max_days=...)); "
                       "ingest a shorter period or raise it")


def aggregate(con, stats, files: list[str], cannot_give=(), max_names: int = MAX_NAMES,
              max_days: int = MAX_DAYS, catalog: CatalogFile | None = None) -> Usage:
    """Aggregate the ``records`` table (see records.py) into a Usage priced with
    ``catalog`` (None: the bundled catalog)."""
    where = files[0] if len(files) == 1 else "logs"
    tasks, models, first, last = con.execute(
        "select count(distinct task), count(distinct model), min(ts), max(ts) "
        "from records where status is null").fetchone()
    if tasks:
        check_bounds(where, tasks, models, first, last, max_names, max_days)
    prices = catalog_prices(catalog)
    matched = {m: catalog_name(m, set(prices)) for (m,) in con.execute(
        "select distinct model from records where status is null").fetchall()}
    # List prices by a join with the few catalog models the logs name (one SQL
    # branch per name took 4.9 GB for 30,000 names).
    con.register("model_prices", price_table(matched, prices))
    list_cost = record_cost_sql()
    hourly = con.execute(f"""
        select task, records.model, floor(ts / 3600)::bigint as hour, count(*) as requests,
          sum(input) as input_tokens, sum(cached) as cached_tokens,
          sum(cache_write) as cache_write_tokens, sum(output) as output_tokens,
          sum(reasoning) as reasoning_tokens, min(provider) as provider,
          sum(cost) as logged_cost, count(cost) as logged,
          sum({list_cost}) as list_cost,
          count(*) filter (where cost is not null and {list_cost} > 0 and
            abs(cost / {list_cost} - 1) > {COST_MISMATCH}) as cost_mismatch
        from records left join model_prices p on records.model = p.model
        where status is null group by all order by task, records.model, hour
    """).df()
    con.unregister("model_prices")
    if hourly.empty:
        raise LogError(where,
                       f"no usable record among {stats.records:,} "
                       + (f"(first problem: {stats.problems[0].kind} at "
                          f"{stats.problems[0].where[0]})" if stats.problems else ""))
    hourly["hour"] = pd.to_datetime(hourly["hour"] * 3600, unit="s", utc=True)
    hourly["catalog_model"] = hourly["model"].map(matched)
    # The cost a user pays: logged where logged, else the list price.
    hourly["cost"] = np.where(hourly["logged"] == hourly["requests"],
                              hourly["logged_cost"], hourly["list_cost"])
    hourly["cost"] = hourly["cost"].fillna(hourly["logged_cost"]).fillna(0.0)
    tokens = {}
    logs_cache = bool(stats.format.paths.get("cached_tokens"))
    ok = "select task, input, output, cached from records where status is null"
    q_in = quantiles(con, ok, "input", (0.5, 0.95), group="task")
    q_out = quantiles(con, ok, "output", (0.5, 0.95), group="task")
    q_cached = quantiles(con, ok, "cached", (0.5,), group="task", where="cached > 0")
    for row in con.execute("""
        select task, count(*), avg(input), stddev_samp(input), avg(output),
          stddev_samp(output), count(*) filter (where cached > 0), sum(cached)
        from records where status is null group by task""").fetchall():
        task, n, in_mean, in_sd, out_mean, out_sd, hits, cached = row
        tokens[task] = TokenStats(
            int(n), float(in_mean or 0.0), float(in_sd or 0.0), *q_in[task],
            float(out_mean or 0.0), float(out_sd or 0.0), *q_out[task], int(hits),
            q_cached.get(task, [0.0])[0], logs_cache, float(cached or 0.0))
    return Usage(
        format=stats.format.name,
        format_description=stats.format.description,
        files=files,
        task_field=stats.task,
        records=stats.records,
        ingested=stats.ingested,
        hourly_table=hourly,
        tokens=tokens,
        problems=stats.problems,
        notes=stats.notes,
        cannot_give=tuple(cannot_give) or stats.format.cannot_give,
        catalog=catalog,
    )


def caching(con, usage: Usage, stats, prefix_hashes: str | None, block_tokens: int) -> None:
    """What the logs tell about prompt caching, on ``usage``: the prefix cache
    replayed over the block hashes (with ``prefix_hashes``), and each task's
    conversations (with session ids or Responses chains)."""
    from .cache_replay import TTLS_MINUTES, check_hashes, replay_costs, replay_records
    from .conversations import fit_conversations, resolve_chains

    usage.prefix_hashes, usage.block_tokens = prefix_hashes, block_tokens
    hashed = 0
    if prefix_hashes:
        hashed = check_hashes(con, stats, prefix_hashes)
        if hashed:
            prices = catalog_prices(usage.catalog)
            usage.cache_replay = replay_costs(
                replay_records(con, TTLS_MINUTES, block_tokens, prices), TTLS_MINUTES, prices)
        if hashed < usage.ingested:
            usage.notes.append(f"--prefix-hashes {prefix_hashes}: in {hashed:,} of "
                               f"{usage.ingested:,} records; the replay covers those")
    chained = resolve_chains(con)
    paths = stats.format.paths.get("session", ())
    if chained:
        usage.session_field = "previous_response_id chains"
    elif paths:
        usage.session_field = " or ".join(p.replace("\\.", ".") for p in paths)
    usage.conversations = fit_conversations(con, hashes=hashed > 0, block_tokens=block_tokens)
