"""A provider's prefix cache replayed over logged requests (``--prefix-hashes``).

Each request lists the hashes of its prompt's blocks (``block_tokens`` tokens each,
512 in Mooncake's traces), a hash standing for its whole prefix: two requests share
a prefix exactly as far as their leading hashes agree. Requests go in time order
(file order among equal times). The cache holds an entry per block prefix, alive
until its last use + the TTL. A request reads the longest alive run of its leading
blocks: cached tokens = blocks x block_tokens, at most its input tokens, and none
below the provider's minimum cacheable length; then every block of its prompt is
written or refreshed.

Since every request refreshes all its blocks, when a block was last used does not
depend on the TTL: one pass gives every TTL. In an ingest the pass is SQL: the age of each block
at each use is the time since the previous use of the same hash (``lag`` over the
hash, in DuckDB, which spills to disk beyond its memory limit), and a request's
cached run ends at its first block older than the TTL. :func:`replay` does the same
in numpy for a trace in memory (Mooncake's, tests).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import LogError

# Blocks one request may list (100,000 blocks of 512 tokens are 51M tokens, half the
# engine's bound on a request): a longer list is refused with its file and line.
MAX_BLOCKS_PER_REQUEST = 100_000
DEFAULT_BLOCK_TOKENS = 512
MAX_BLOCK_TOKENS = 1_000_000
DEFAULT_MIN_TOKENS = 1024.0  # the minimum cacheable prompt of a model the catalog lacks
TTLS_MINUTES = (5.0, 60.0, 1440.0)  # what ingest replays: 5 min, 1 h, 24 h


def first_misses_sql(blocks: str, ttls_minutes: tuple[float, ...]) -> str:
    """SQL of one row per request of ``blocks`` (columns seq, ts in seconds, part,
    pos from 1, h): ``seq`` and ``miss0``, ``miss1``, ...: the position of its first
    block not alive under each TTL (null: all alive). ``part``: whose cache (the
    model). Built from this package's fragments and numbers only."""
    misses = ", ".join(
        f"min(pos) filter (where age is null or age > {60.0 * float(t)!r}) as miss{i}"
        for i, t in enumerate(ttls_minutes))
    return f"""
        select seq, {misses}
        from (select seq, pos, ts - lag(ts) over (partition by part, h
                                                 order by ts, seq, pos) as age
              from ({blocks}))
        group by seq"""


def cached_sql(misses: str, requests: str, ttls_minutes: tuple[float, ...],
               block_tokens: int) -> str:
    """Per request of ``requests`` (seq, input, blocks, min_tokens, ...): the tokens
    read from cache under each TTL (``cached0``, ...) and written (``written0``,
    ...; a prompt under the minimum writes nothing billable)."""
    cols = []
    for i in range(len(ttls_minutes)):
        run = f"least((coalesce(m.miss{i}, r.blocks + 1) - 1) * {int(block_tokens)}, r.input)"
        cols.append(f"case when {run} >= r.min_tokens then {run} else 0 end as cached{i}")
    written = [f"case when input >= min_tokens then input - cached{i} else 0 end "
               f"as written{i}" for i in range(len(ttls_minutes))]
    return f"""
        select *, {', '.join(written)}
        from (select r.*, {', '.join(cols)}
              from ({requests}) r left join ({misses}) m using (seq))"""


def replay(ts, input_tokens, hashes, ttls_minutes=TTLS_MINUTES,
           block_tokens: int = DEFAULT_BLOCK_TOKENS,
           min_tokens: float = DEFAULT_MIN_TOKENS) -> np.ndarray:
    """Cached tokens of each request (rows, in the order given) under each TTL
    (columns): ``ts`` in seconds, ``hashes`` a list of integers per request. One
    cache for all; ties in time go in the order given.

    The same replay as the ingest's SQL, in numpy (tests hold them to each other):
    the blocks sorted by hash, then time, then request, so that the previous use of
    a block is the element before it."""
    ts = np.asarray(ts, dtype=float)
    n = len(ts)
    inputs = np.asarray(input_tokens, dtype=float)
    lengths = np.fromiter((len(h) for h in hashes), dtype=np.int64, count=n)
    flat = np.fromiter((x for h in hashes for x in h), dtype=np.int64,
                       count=int(lengths.sum()))
    starts = np.cumsum(lengths) - lengths
    seq = np.repeat(np.arange(n), lengths)
    pos = np.arange(len(flat)) - np.repeat(starts, lengths)
    rank = np.empty(n, dtype=np.int64)  # each request's place in time order
    rank[np.lexsort((np.arange(n), ts))] = np.arange(n)
    order = np.lexsort((pos, rank[seq], flat))
    age = np.full(len(flat), np.inf)
    same = flat[order][1:] == flat[order][:-1]
    age[order[1:][same]] = (ts[seq][order][1:] - ts[seq][order][:-1])[same]
    out = np.zeros((n, len(ttls_minutes)))
    for i, ttl in enumerate(ttls_minutes):
        # Each request's first block not alive (its length where all are).
        first_miss = lengths.copy()
        miss = age > 60.0 * float(ttl)
        np.minimum.at(first_miss, seq[miss], pos[miss])
        run = np.minimum(first_miss * float(block_tokens), inputs)
        out[:, i] = np.where(run >= min_tokens, run, 0.0)
    return out


# -- in an ingest -------------------------------------------------------------------


def checked_block_tokens(block_tokens) -> int:
    """``block_tokens`` if a whole number from 1 to MAX_BLOCK_TOKENS, else an
    OptionError naming block_tokens (--block-tokens)."""
    if (isinstance(block_tokens, bool) or not isinstance(block_tokens, int)
            or not 1 <= block_tokens <= MAX_BLOCK_TOKENS):
        from ..errors import OptionError

        raise OptionError("block_tokens", f"must be a whole number from 1 to "
                          f"{MAX_BLOCK_TOKENS:,} (got {str(block_tokens)[:40]!r})")
    return block_tokens


def check_hashes(con, stats, field: str) -> int:
    """Refuse, in one line naming the file, line and field, a hash value that is
    not a list of integers or lists more than MAX_BLOCKS_PER_REQUEST blocks; the
    number of records with hashes."""
    from .records import _where
    con.execute("""create or replace temp table hash_check as
        select src, records.rowid + 1 - first as row_no, hashes,
          try(json_type(hashes::json)) as kind,
          try(json_array_length(hashes::json)) as n
        from records join file_starts on src = f_src
        where status is null and hashes is not null""")
    bad = con.execute("""select src, row_no, kind, n, left(hashes, 60) from hash_check
        where kind is distinct from 'ARRAY' order by src, row_no limit 1""").fetchone()
    where = None
    if bad:
        where, reason = bad, f"must be a list of block hashes (got {bad[4]!r})"
    else:
        bad = con.execute(f"""select src, row_no, kind, n from hash_check
            where n > {MAX_BLOCKS_PER_REQUEST} order by src, row_no limit 1""").fetchone()
        if bad:
            where, reason = bad, (f"{bad[3]:,} blocks, more than {MAX_BLOCKS_PER_REQUEST:,} "
                                  "(MAX_BLOCKS_PER_REQUEST in breakeven/logs/cache_replay.py)")
    if where is None:
        bad = con.execute("""select src, row_no, kind, n, left(hashes, 60) from hash_check
            where not list_bool_and(list_transform(json_extract(hashes::json, '$[*]'),
                                                   lambda x: json_type(x) in ('UBIGINT', 'BIGINT')))
               or len(list_filter(try_cast(hashes::json as hugeint[]),
                                  lambda x: x is not null)) <> n
            order by src, row_no limit 1""").fetchone()
        if bad:
            where, reason = bad, f"hashes must be integers (got {bad[4]!r})"
    if where is not None:
        name = _where(stats, where[0], int(where[1])) if stats.units else "logs"
        raise LogError(name, f"--prefix-hashes {field}: {reason}")
    (count,) = con.execute("select count(*) from hash_check").fetchone()
    con.execute("drop table hash_check")
    return int(count)


def replay_records(con, ttls_minutes=TTLS_MINUTES,
                   block_tokens: int = DEFAULT_BLOCK_TOKENS,
                   prices: dict | None = None) -> pd.DataFrame:
    """Replay the ingest's ``records`` (with hashes; each model its own cache) and
    aggregate per task and model: requests, input, output, cached and written
    tokens under each TTL (columns ``cached0``, ``written0``, ...). ``prices``: the
    resolved catalog the logs are priced with (default: the bundled one)."""
    ttls = tuple(float(t) for t in ttls_minutes)
    models = [m for (m,) in con.execute(
        "select distinct model from records where status is null and hashes is not null"
    ).fetchall()]
    con.register("replay_min_tokens", min_tokens_table(models, prices))
    con.execute("""create or replace temp table replay_requests as
        select r.rowid as seq, ts, task, r.model, input, output,
          try_cast(hashes::json as hugeint[]) as h,
          coalesce(mm.min_tokens, ?) as min_tokens
        from records r left join replay_min_tokens mm on r.model = mm.model
        where status is null and hashes is not null""", [DEFAULT_MIN_TOKENS])
    blocks = ("select seq, ts, model as part, generate_subscripts(h, 1) as pos, "
              "unnest(h) as h from replay_requests")
    requests = "select seq, task, model, input, output, len(h) as blocks, min_tokens " \
               "from replay_requests"
    sql = cached_sql(first_misses_sql(blocks, ttls), requests, ttls, block_tokens)
    sums = ", ".join(f"sum(cached{i}) as cached{i}, sum(written{i}) as written{i}"
                     for i in range(len(ttls)))
    table = con.execute(f"""select task, model, count(*) as requests,
        sum(input) as input_tokens, sum(output) as output_tokens, {sums}
        from ({sql}) group by task, model order by task, model""").df()
    con.execute("drop table replay_requests")
    con.unregister("replay_min_tokens")
    return table


def replay_costs(per_model: pd.DataFrame, ttls_minutes=TTLS_MINUTES,
                 prices: dict | None = None) -> pd.DataFrame:
    """Per task and TTL: requests, input tokens, cached tokens and share, written
    tokens, and the list cost at the catalog model's tier of that TTL (cache reads
    at its cached price, writes at the tier's multiplier of its input price); the
    cost is missing (NaN) where a task's model is not in the catalog or does not
    sell that TTL. ``prices``: the resolved catalog (default: the bundled one)."""
    from .prices import cache_tiers, catalog_name, catalog_prices

    prices = prices or catalog_prices()
    rows = []
    for task, g in per_model.groupby("task", sort=True):
        for i, ttl in enumerate(ttls_minutes):
            cost = 0.0
            priced = True
            for r in g.itertuples():
                name = catalog_name(str(r.model), set(prices))
                p = prices.get(name) if name else None
                tier = cache_tiers(p).get(float(ttl)) if p else None
                if tier is None:
                    priced = False
                    break
                cached, written = getattr(r, f"cached{i}"), getattr(r, f"written{i}")
                read = p["cached_input"] if p["cached_input"] > 0 else p["input"]
                cost += ((r.input_tokens - cached - written) * p["input"] + cached * read
                         + written * p["input"] * tier + r.output_tokens * p["output"]) / 1e6
            inp = float(g.input_tokens.sum())
            cached = float(g[f"cached{i}"].sum())
            rows.append({"task": task, "ttl_minutes": float(ttl),
                         "requests": int(g.requests.sum()), "input_tokens": inp,
                         "cached_tokens": cached,
                         "cached_share": cached / inp if inp > 0 else 0.0,
                         "written_tokens": float(g[f"written{i}"].sum()),
                         "cost": cost if priced else float("nan"),
                         "models": ", ".join(sorted(map(str, g.model.unique())))})
    return pd.DataFrame(rows, columns=["task", "ttl_minutes", "requests", "input_tokens",
                                       "cached_tokens", "cached_share", "written_tokens",
                                       "cost", "models"])


def min_tokens_table(models, prices: dict | None = None) -> pd.DataFrame:
    """Each logged model's minimum cacheable prompt from the catalog ``prices``
    (default: the bundled one; models it lacks: DEFAULT_MIN_TOKENS)."""
    from .prices import catalog_name, catalog_prices

    prices = prices or catalog_prices()
    rows = []
    for m in models:
        name = catalog_name(str(m), set(prices))
        rows.append((str(m), float(prices[name]["cache_min_tokens"]) if name
                     else DEFAULT_MIN_TOKENS))
    return pd.DataFrame(rows, columns=["model", "min_tokens"]).astype(
        {"model": str, "min_tokens": float})
