"""Conversations in the logs: how many turns, the gap between turns, how much each
turn adds to the next one's prompt, and the prefix shared by all conversations,
per task, for a workload's ``conversation:`` block (docs/ingest.md).

A conversation is a session id (``--session``, or the format's own field) within a
task, or a chain of OpenAI Responses linked by ``previous_response_id``. Its turns
go in time order (file order among equal times).

**Censoring.** Logs cover a window [T0, T1] of span W; a conversation may have begun
before it or go on after it. H = min(24 h, W / 3) is the horizon:

- gaps come from turns at least H before T1 (so every next turn within H of them is
  in the logs): the cdf of the gaps up to H, scaled by the share of next turns that
  came within H; the rest (a last share below 1) came later than H, which the
  engine takes as after any TTL;
- turns per conversation by Kaplan-Meier in turns, over conversations whose first
  turn is at least H after T0 (those before may have begun earlier): the hazard
  of turn k is the share of k-th turns that were their conversation's last, among
  the k-th turns at least H before T1 (whether a next one came is known for them,
  whatever it turned out to be, so this censoring does not depend on the outcome).
  What is still going after the last turn with a known outcome is put at the most
  turns a conversation was seen with, and the fit says so.

Quantiles are exact (quantiles.py): the same logs give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .quantiles import quantiles

HORIZON_S = 86400.0  # the longest horizon H (24 h, the longest TTL of interest)
HORIZON_SHARE = 1 / 3  # ... and at most this share of the logs' span
GAP_PROBS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
MAX_TURN_POINTS = 12
TURN_LEVELS = (0.8, 0.85, 0.9, 0.95, 0.98, 0.99)
MIN_GAP_MINUTES = 1e-3  # a cdf starts above 0 minutes: turns logged at one instant
CHAIN_ROUNDS = 64  # pointer-doubling rounds: chains up to 2^64 responses


@dataclass
class ConversationFit:
    """One task's conversations."""

    conversations: int  # sessions seen
    requests: int  # requests with a session id
    task_requests: int  # all the task's requests
    horizon_minutes: float
    turns_cdf: list[list[float]]  # [[turns, P(T <= turns)], ...]
    mean_turns: float
    trimmed: int  # conversations the turns were estimated from (first turn >= T0 + H)
    closed: int  # ... turns of them known to be their conversation's last
    gap_cdf: list[list[float]]  # [[minutes, share], ...]; [] when no gap was measured
    gaps: int  # next turns measured (after turns before T1 - H)
    gap_p50_minutes: float
    gap_p95_minutes: float
    history_tokens_per_turn: float  # mean prompt growth between consecutive turns
    growth_pairs: int
    prefix_tokens: float
    prefix_source: str  # "hashes", "cached tokens", "none"
    prefix_n: int  # first turns it came from
    notes: list[str] = field(default_factory=list)
    # The logged cache reads of first turns and of later ones: (turns, turns that
    # read the cache, tokens read); cache_fit.py calibrates the fit to them.
    first_reads: tuple[int, int, float] = (0, 0, 0.0)
    later_reads: tuple[int, int, float] = (0, 0, 0.0)

    def block(self) -> dict:
        """The workload's ``conversation:`` block."""
        out: dict = {"turns": {"cdf": self.turns_cdf}}
        if self.gap_cdf:
            out["gap_minutes"] = {"cdf": self.gap_cdf}
        out["history_tokens_per_turn"] = _round(max(self.history_tokens_per_turn, 0.0))
        return out


def _round(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}")


def resolve_chains(con) -> int:
    """When some records have a ``previous_response_id``, give each record without
    a session id the id of its chain's first response: pointer doubling in
    SQL, a join per round, so memory stays DuckDB's. A chain whose first response
    is not in the logs takes the id that response had. The number of records given
    a session."""
    (linked,) = con.execute("select count(*) from records where status is null "
                            "and session is null and prev_rid is not null").fetchone()
    if not linked:
        return 0
    con.execute("""create or replace temp table chain as
        select rid, prev_rid as up from records
        where status is distinct from 'duplicate request id' and rid is not null
          and session is null""")
    for _ in range(CHAIN_ROUNDS):
        con.execute("""create or replace temp table chain_next as
            select c.rid, coalesce(p.up, c.up) as up, p.up is not null as moved
            from chain c left join chain p on c.up = p.rid""")
        (moved,) = con.execute("select count(*) from chain_next where moved").fetchone()
        con.execute("create or replace temp table chain as select rid, up from chain_next")
        if not moved:
            break
    # Every response is in a conversation then: one that continues none and that
    # none continues is a conversation of one turn.
    con.execute("""update records set session = coalesce(c.up, c.rid)
        from chain c where records.rid = c.rid and records.session is null
          and records.status is null""")
    (given,) = con.execute("select count(*) from records where status is null "
                           "and session is not null").fetchone()
    con.execute("drop table if exists chain")
    con.execute("drop table if exists chain_next")
    return int(given)


def fit_conversations(con, hashes: bool = False,
                      block_tokens: int = 512) -> dict[str, ConversationFit]:
    """Per task with session ids: its ConversationFit (see the module's doc)."""
    (with_session,) = con.execute("select count(*) from records where status is null "
                                  "and session is not null").fetchone()
    if not with_session:
        return {}
    t0, t1 = con.execute("select min(ts), max(ts) from records "
                         "where status is null").fetchone()
    span = float(t1 - t0)
    h = min(HORIZON_S, HORIZON_SHARE * span)
    con.execute("""create or replace temp table conv_turns as
        select task, session, ts, input, cached, hashes, rowid as seq,
          row_number() over w as k, ts - lag(ts) over w as gap,
          input - lag(input) over w as growth
        from records where status is null and session is not null
        window w as (partition by task, session order by ts, rowid)""")
    totals = {t: (int(n), int(s)) for t, n, s in con.execute("""
        select task, count(*), count(session) from records where status is null
        group by task""").fetchall()}
    convs = {t: int(n) for t, n in con.execute(
        "select task, count(distinct session) from conv_turns group by task").fetchall()}

    # Turns: Kaplan-Meier in turns, each turn's outcome (the conversation's last
    # turn or not) known when it came at least H before the end.
    per_turn: dict[str, list[tuple[int, int, int]]] = {}
    for task, k, n, d in con.execute(f"""
            select task, k, count(*), count(*) filter (where next_ts is null)
            from (select task, ts, k, lead(ts) over w as next_ts,
                    min(ts) over (partition by task, session) as first_ts
                  from conv_turns window w as (partition by task, session order by ts, seq))
            where first_ts >= {t0 + h!r} and ts <= {t1 - h!r}
            group by task, k order by task, k""").fetchall():
        per_turn.setdefault(task, []).append((int(k), int(n), int(d)))
    seen = {t: (int(n), int(c)) for t, n, c in con.execute(f"""
        select task, count(*), max(c) from (select task, session, count(*) as c,
          min(ts) as first_ts from conv_turns group by task, session)
        where first_ts >= {t0 + h!r} group by task""").fetchall()}
    fallback = [t for t in convs if t not in per_turn]
    if fallback:  # no turn began and ended in time: the conversations as seen
        for task, k, n, d in con.execute("""
                select task, k, count(*), count(*) filter (where next_ts is null)
                from (select task, k, lead(ts) over (partition by task, session
                                                     order by ts, seq) as next_ts
                      from conv_turns)
                group by task, k order by task, k""").fetchall():
            if task in fallback:
                per_turn.setdefault(task, []).append((int(k), int(n), int(d)))

    # Gaps: next turns of turns at least H before T1.
    gap_counts = {t: (int(n), int(w)) for t, n, w in con.execute(f"""
        select task, count(*), count(*) filter (where gap <= {h!r}) from conv_turns
        where k >= 2 and ts - gap <= {t1 - h!r} group by task""").fetchall()}
    measured = (f"select task, gap from conv_turns where k >= 2 and ts - gap <= {t1 - h!r} "
                f"and gap <= {h!r}")
    gap_q = quantiles(con, measured, "gap", GAP_PROBS, group="task")
    growth = {t: (float(g), int(n)) for t, g, n in con.execute("""
        select task, avg(growth), count(growth) from conv_turns where k >= 2
        group by task""").fetchall()}
    prefix = _shared_prefix(con, hashes, block_tokens)
    reads: dict[tuple[str, bool], tuple[int, int, float]] = {
        (t, bool(first)): (int(n), int(hits), float(tokens or 0.0))
        for t, first, n, hits, tokens in con.execute("""
            select task, k = 1, count(*), count(*) filter (where cached > 0), sum(cached)
            from conv_turns group by task, k = 1""").fetchall()}
    con.execute("drop table conv_turns")

    fits = {}
    for task, n_conv in sorted(convs.items()):
        notes = []
        trimmed, longest = seen.get(task, (0, 1))
        rows = per_turn.get(task, [])
        cdf, mean, censored_tail = _turns(rows, longest)
        closed = sum(d for _, _, d in rows)
        if task in fallback:
            notes.append("no conversation began H or more after the logs' start: turns "
                         "counted over all conversations as seen (those that began "
                         "before the logs or go on after them are understated)")
        if censored_tail:
            notes.append(f"{censored_tail:.1%} of conversations went on past the last "
                         "turn whose outcome the logs show: put at the most turns seen "
                         f"({int(cdf[-1][0])}), a guess")
        n_next, within = gap_counts.get(task, (0, 0))
        gap_cdf, p50, p95 = [], 0.0, 0.0
        if within:
            q = gap_q[task]
            gap_cdf = _gap_cdf(q, within / n_next)
            p50, p95 = q[GAP_PROBS.index(0.5)] / 60, q[GAP_PROBS.index(0.95)] / 60
        g, pairs = growth.get(task, (0.0, 0))
        p, source, pn = prefix.get(task, (0.0, "none", 0))
        total, with_s = totals.get(task, (0, 0))
        fits[task] = ConversationFit(
            conversations=n_conv, requests=with_s, task_requests=total,
            horizon_minutes=h / 60, turns_cdf=cdf, mean_turns=mean, trimmed=trimmed,
            closed=closed, gap_cdf=gap_cdf, gaps=n_next, gap_p50_minutes=p50,
            gap_p95_minutes=p95, history_tokens_per_turn=g, growth_pairs=pairs,
            prefix_tokens=p, prefix_source=source, prefix_n=pn, notes=notes,
            first_reads=reads.get((task, True), (0, 0, 0.0)),
            later_reads=reads.get((task, False), (0, 0, 0.0)))
    return fits


def _turns(rows: list[tuple[int, int, int]], longest: int):
    """(cdf points, mean, share put at ``longest``) by Kaplan-Meier from (turn k,
    turns k with a known outcome, of which the conversation's last) rows: the
    share still going after the last k with known outcomes is put at ``longest``,
    the most turns a conversation was seen with."""
    survive, steps = 1.0, []
    for k, n, d in rows:
        if d and n:
            survive *= 1 - d / n
            steps.append((k, 1 - survive))
    tail = survive if survive > 1e-12 else 0.0
    last = max([longest] + [k + 1 for k, _, _ in rows[-1:]] if tail else [longest])
    if tail:
        steps.append((last, 1.0))
    if len(steps) > MAX_TURN_POINTS:
        # The first counts as they are (most of the mass), then the counts where
        # the cdf first reaches TURN_LEVELS, and the last: between two points kept,
        # the engine's step cdf moves a count's share up to the next point kept.
        head = [c for c, _ in steps[:MAX_TURN_POINTS // 2]]
        rest = []
        for level in TURN_LEVELS:
            c = next((c for c, f in steps if f >= level - 1e-12), steps[-1][0])
            if c not in head and c not in rest:
                rest.append(c)
        rest = [c for c in rest if c != steps[-1][0]][:MAX_TURN_POINTS - len(head) - 1]
        keep = set(head) | set(rest) | {steps[-1][0]}
        steps = [(c, f) for c, f in steps if c in keep]
    cdf, prev = [], 0.0
    for c, f in steps:
        share = 1.0 if f >= 1 - 1e-12 else round(f, 4)
        if share > prev or not cdf:
            cdf.append([int(c), share])
            prev = share
    if not cdf:
        cdf = [[1, 1.0]]
    cdf[-1][1] = 1.0
    mean, below, k = 0.0, 0.0, 1
    for c, f in cdf:  # E[T] = sum over k >= 1 of P(T >= k), a step cdf
        while k <= c:
            mean += 1 - below
            k += 1
        below = f
    return cdf, mean, tail


def _gap_cdf(q_seconds: list[float], within: float) -> list[list[float]]:
    """[[minutes, share]] at GAP_PROBS scaled by the share of next turns within H;
    minutes rounded to 4 digits, increasing, above 0."""
    out: list[list[float]] = []
    for p, x in zip(GAP_PROBS, q_seconds):
        minutes = max(_round(x / 60), MIN_GAP_MINUTES)
        share = round(p * within, 4) if p < 1 else round(within, 6)
        if out and minutes <= out[-1][0]:
            out[-1][1] = max(out[-1][1], share)
            continue
        if out and share < out[-1][1]:
            share = out[-1][1]
        out.append([minutes, share])
    return out


def _shared_prefix(con, hashes: bool, block_tokens: int) -> dict:
    """Per task: (P, where from, first turns used). From hashes: the median over
    first turns (but the task's first) of the leading blocks an earlier
    conversation's first turn had too. Else from cached tokens: the median cached
    tokens of the first turns that read the cache (a first turn can read only the
    shared prefix)."""
    out = {}
    if hashes:
        con.execute("""create or replace temp table first_blocks as
            select task, seq, ts, input, generate_subscripts(h, 1) as pos, unnest(h) as hh
            from (select task, seq, ts, input, try_cast(hashes::json as hugeint[]) as h
                  from conv_turns where k = 1 and hashes is not null)""")
        shared = f"""
            select task, seq, any_value(ts) as ts, least((coalesce(min(pos) filter (where seen is null),
                                               max(pos) + 1) - 1) * {int(block_tokens)},
                                    any_value(input)) as shared
            from (select task, seq, ts, input, pos,
                    lag(ts) over (partition by task, hh order by ts, seq) as seen
                  from first_blocks)
            group by task, seq"""
        firsts = f"""select task, seq, shared, row_number() over (partition by task
                     order by ts, seq) as nth from ({shared})"""
        q = quantiles(con, f"select * from ({firsts}) where nth > 1", "shared", (0.5,),
                      group="task")
        counts = dict(con.execute(f"select task, count(*) from ({firsts}) where nth > 1 "
                                  "group by task").fetchall())
        con.execute("drop table first_blocks")
        for task, (p50,) in q.items():
            out[task] = (p50, "hashes", int(counts.get(task, 0)))
        return out
    q = quantiles(con, "select task, cached from conv_turns where k = 1 and cached > 0",
                  "cached", (0.5,), group="task")
    counts = dict(con.execute("select task, count(*) from conv_turns where k = 1 "
                              "and cached > 0 group by task").fetchall())
    for task, (p50,) in q.items():
        out[task] = (p50, "cached tokens", int(counts[task]))
    return out
