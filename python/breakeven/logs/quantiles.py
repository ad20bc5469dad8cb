"""Exact quantiles in DuckDB, the same on every run and in bounded memory.

DuckDB's ``approx_quantile`` is a t-digest merged across threads in whatever order
they finish, so a fitted ``prefix_tokens`` moved between 5,755 and 5,830 over five
ingests of one log. ``quantile_cont`` is exact but holds every value of a group in
memory. Here a quantile comes from a histogram instead: the count of each distinct
value per group (a GROUP BY, which DuckDB spills to disk), its running total in
value order, and the order statistics the quantile falls between, interpolated as
``quantile_cont`` and numpy's default do: position (n - 1) p, 0-based.

The SQL is built from this package's own fragments (column names, a relation) and
numbers; nothing in it comes from a user or a file.
"""

from __future__ import annotations


def quantiles_sql(relation: str, value: str, probs: tuple[float, ...],
                  group: str = "1", where: str = "true") -> str:
    """SQL of one row per group: ``g`` and ``q`` (a list, one value per p of
    ``probs``); ``relation`` and the expressions are this package's own SQL."""
    ps = ", ".join(repr(float(p)) for p in probs)
    return f"""
        with h as (
          select {group} as g, {value} as x, count(*) as c from ({relation})
          where {where} and {value} is not null group by all),
        cum as (
          select g, x, sum(c) over (partition by g order by x
                                    rows between unbounded preceding and current row) as upto,
                 sum(c) over (partition by g) as n
          from h),
        pos as (
          select g, n, k, p, (n - 1) * p as rank_at
          from (select distinct g, n from cum),
               (select unnest([{ps}]) as p, generate_subscripts([{ps}], 1) as k)),
        ends as (
          select pos.g, pos.k, any_value(pos.rank_at) as rank_at,
                 min(x) filter (where upto > floor(pos.rank_at)) as lo,
                 min(x) filter (where upto > ceil(pos.rank_at)) as hi
          from pos join cum on cum.g is not distinct from pos.g
          group by pos.g, pos.k)
        select g, list(lo + (rank_at - floor(rank_at)) * (coalesce(hi, lo) - lo) order by k) as q
        from ends group by g"""


def quantiles(con, relation: str, value: str, probs: tuple[float, ...],
              group: str = "1", where: str = "true", params=None) -> dict:
    """``{group: [quantile per p]}`` of ``value`` over ``relation`` (exact)."""
    sql = quantiles_sql(relation, value, probs, group, where)
    rows = con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
    return {g: [float(x) for x in q] for g, q in rows}
