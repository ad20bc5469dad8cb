"""The spend view: where the money goes now, by task and model, its weekly trend,
the cached share of input, and what routing each task to a cheaper catalog model
would save (same tokens, list prices)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schemas import schema_id
from .prices import COST_MISMATCH, catalog_prices, list_cost

ROUTING_OPTIONS = 3  # cheaper models shown per task


def spend_table(usage) -> pd.DataFrame:
    """Requests, tokens, cost and share of spend per (task, model), by cost.
    Reasoning tokens are within output tokens (priced as output), counted apart."""
    t = usage.hourly_table
    g = t.groupby(["task", "model"], as_index=False, dropna=False).agg(
        provider=("provider", "first"),
        requests=("requests", "sum"), input_tokens=("input_tokens", "sum"),
        cached_tokens=("cached_tokens", "sum"), output_tokens=("output_tokens", "sum"),
        reasoning_tokens=("reasoning_tokens", "sum"),
        cost=("cost", "sum"), list_cost=("list_cost", "sum"),
        cost_mismatch=("cost_mismatch", "sum"))
    g["provider"] = g["provider"].astype(object).where(g["provider"].notna(), None)
    total = g.cost.sum()
    g["share"] = g.cost / total if total > 0 else 0.0
    g["cached_share"] = np.where(g.input_tokens > 0, g.cached_tokens / g.input_tokens.where(
        g.input_tokens > 0, 1), 0.0)
    g["cost_per_1k_requests"] = 1000 * g.cost / g.requests.where(g.requests > 0, 1)
    return g.sort_values("cost", ascending=False).reset_index(drop=True)


def weekly_spend(usage) -> pd.DataFrame:
    """Spend per week (weeks from the first record) and task."""
    t = usage.hourly_table
    week = ((t.hour - usage.start).dt.total_seconds() // (7 * 86400)).astype(int)
    return t.assign(week=week).pivot_table(index="week", columns="task", values="cost",
                                           aggfunc="sum", fill_value=0.0)


def weekly_trend(usage) -> pd.Series:
    """Growth of spend per week by task (log-linear fit over full weeks); NaN with
    under two full weeks."""
    w = weekly_spend(usage)
    full = int(usage.days // 7)
    w = w.iloc[:full]
    out = {}
    for task in w.columns:
        y = w[task].to_numpy()
        ok = y > 0
        if ok.sum() < 2:
            out[task] = np.nan
            continue
        slope = np.polyfit(np.arange(len(y))[ok], np.log(y[ok]), 1)[0]
        out[task] = float(np.expm1(slope))
    return pd.Series(out, name="weekly_trend")


def routing_savings(usage, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each task, the cheapest catalog models for its tokens: cost at list
    prices (cache reads at the model's cached price where it has one) and the saving
    against what the task costs now. `table`: the usage's spend_table, if at hand."""
    prices = catalog_prices(usage.catalog)
    table = spend_table(usage) if table is None else table
    by = table.groupby("task").agg(
        cost=("cost", "sum"), input_tokens=("input_tokens", "sum"),
        cached_tokens=("cached_tokens", "sum"), output_tokens=("output_tokens", "sum"))
    rows = []
    for task, r in by.iterrows():
        options = []
        for name, p in prices.items():
            cost = list_cost(p, r.input_tokens, r.cached_tokens, 0.0, r.output_tokens)
            if cost < r.cost:
                options.append((cost, name))
        for cost, name in sorted(options)[:ROUTING_OPTIONS]:
            rows.append({"task": task, "model": name, "cost_now": r.cost,
                         "cost_there": cost, "saving": r.cost - cost,
                         "saving_share": (r.cost - cost) / r.cost if r.cost > 0 else 0.0})
    return pd.DataFrame(rows, columns=["task", "model", "cost_now", "cost_there",
                                       "saving", "saving_share"])


def spend_summary(usage) -> dict:
    """Everything the spend view shows, as plain values (the --json document)."""
    table = spend_table(usage)
    trend = weekly_trend(usage)
    by_task = table.groupby("task").agg(cost=("cost", "sum"), requests=("requests", "sum"),
                                        input_tokens=("input_tokens", "sum"),
                                        cached_tokens=("cached_tokens", "sum"),
                                        output_tokens=("output_tokens", "sum"),
                                        reasoning_tokens=("reasoning_tokens", "sum"))
    by_task["share"] = by_task.cost / max(by_task.cost.sum(), 1e-300)
    by_task["weekly_trend"] = trend
    by_task = by_task.sort_values("cost", ascending=False)
    mismatches = int(table.cost_mismatch.sum())
    inp = float(table.input_tokens.sum())
    return {
        "schema": schema_id("ingest"),
        "format": usage.format,
        "files": usage.files,
        "task_field": usage.task_field,
        "records": usage.records,
        "ingested": usage.ingested,
        "start": usage.start.isoformat(),
        "end": usage.end.isoformat(),
        "days": usage.days,
        "total_cost": float(table.cost.sum()),
        "cached_share_of_input": float(table.cached_tokens.sum()) / inp if inp else 0.0,
        "cost_mismatches": mismatches,
        "cost_mismatch_threshold": COST_MISMATCH,
        "by_task": _records(by_task.reset_index()),
        "by_task_and_model": _records(table),
        "routing_savings": _records(routing_savings(usage, table)),
        "problems": [{"kind": p.kind, "count": p.count, "first": p.where}
                     for p in usage.problems],
        "notes": usage.notes,
        "cannot_give": list(usage.cannot_give),
        "cache_replay": None if usage.cache_replay is None else _records(usage.cache_replay),
        "conversations": [_conversation_summary(task, c)
                          for task, c in sorted(usage.conversations.items())],
    }


def _conversation_summary(task, c) -> dict:
    return {"task": task, "conversations": c.conversations, "requests": c.requests,
            "mean_turns": c.mean_turns, "turns_cdf": c.turns_cdf,
            "gap_minutes_cdf": c.gap_cdf, "gap_p50_minutes": c.gap_p50_minutes,
            "gap_p95_minutes": c.gap_p95_minutes,
            "history_tokens_per_turn": c.history_tokens_per_turn,
            "prefix_tokens": c.prefix_tokens, "prefix_source": c.prefix_source,
            "horizon_minutes": c.horizon_minutes, "notes": c.notes}


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for row in df.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and not np.isfinite(v) else
                        v.item() if hasattr(v, "item") else v) for k, v in row.items()})
    return out


def spend_document(usage):
    """The spend view as a document: the terminal, a notebook and ``--report``
    (html, md or pdf) show the same sections."""
    from functools import partial

    from ..plots import plot_hourly_requests
    from ..presentation import Document, Section

    s = spend_summary(usage)
    read = (f"{s['ingested']:,} of {s['records']:,} records ({usage.format}: "
            f"{usage.format_description}), {s['days']:.1f} days from {s['start'][:16]} UTC; "
            f"task from: {s['task_field']}. Spend ${s['total_cost']:,.2f}; cached share of "
            f"input tokens {s['cached_share_of_input']:.1%}.")
    by_task = [[str(r["task"]), f"${r['cost']:,.2f}", f"{r['share']:.1%}",
                f"{r['requests']:,.0f}",
                f"{r['cached_tokens'] / r['input_tokens'] if r['input_tokens'] else 0.0:.1%}",
                f"{r['reasoning_tokens'] / r['output_tokens'] if r['output_tokens'] else 0:.1%}",
                "" if r["weekly_trend"] is None else f"{r['weekly_trend']:+.1%}"]
               for r in s["by_task"]]
    sections = [
        Section("Logs read", read, summary=True),
        Section("Spend by task", "Cached: share of input tokens read from a prompt cache. "
                "Reasoning: share of output tokens spent on reasoning (billed as output, "
                "included in the spend). Weekly trend: growth of spend per week, fitted "
                "over full weeks.", (["task", "spend", "share", "requests", "cached",
                                      "reasoning", "trend/wk"], by_task), summary=True),
    ]
    if s["routing_savings"]:
        sections.append(Section(
            "Cheaper models for the same tokens",
            "Each task's tokens at a cheaper catalog model's list prices (quality not "
            "judged: check it before moving a task).",
            (["task", "model", "saving", "share"],
             [[str(r["task"]), r["model"], f"${r['saving']:,.2f}", f"{r['saving_share']:.0%}"]
              for r in s["routing_savings"]]), summary=True))
    sections.extend(_caching_sections(usage, s))
    sections.append(Section("Hourly requests per task",
                            figure=partial(_hourly_chart, usage, plot_hourly_requests),
                            summary=True))
    if usage.problems:
        sections.append(Section(
            "Records not ingested", "Counted, with the first lines of each problem.",
            (["problem", "records", "first lines"],
             [[p.kind, f"{p.count:,}", ", ".join(p.where)] for p in usage.problems]),
            summary=True))
    notes = list(usage.notes)
    if s["cost_mismatches"]:
        notes.append(f"{s['cost_mismatches']:,} records' logged cost differs from the catalog "
                     f"price by more than {COST_MISMATCH:.0%} (negotiated prices, batch "
                     "discounts or an outdated catalog).")
    if usage.cannot_give:
        notes.append(f"{usage.format} logs cannot give the " + ", ".join(usage.cannot_give)
                     + ".")
    if notes:
        sections.append(Section("Notes", "\n\n".join(notes), summary=True))
    return Document(f"Spend: {', '.join(usage.files)[:200]}", sections)


def _caching_sections(usage, s) -> list:
    """The prefix cache replayed over block hashes, and the conversations fitted."""
    from ..presentation import Section

    out = []
    if s["cache_replay"]:
        rows = [[str(r["task"]), _ttl(r["ttl_minutes"]), f"{r['cached_share']:.1%}",
                 f"{r['written_tokens']:,.0f}",
                 "-" if r["cost"] is None else f"${r['cost']:,.2f}"]
                for r in s["cache_replay"]]
        out.append(Section(
            "Prompt cache replayed over the block hashes",
            f"Cached share and cost at 5 min / 1 h / 24 h: the requests with "
            f"--prefix-hashes {usage.prefix_hashes} in time order, {usage.block_tokens} "
            "tokens a block; a request reads its longest run of leading blocks used "
            "within the TTL (none under the model's minimum cacheable prompt), then "
            "writes or refreshes all its blocks. Cost at the logged model's list "
            "prices, cache writes at its tier for that TTL ('-': the catalog has no "
            "such tier for it, or not the model).",
            (["task", "TTL", "cached", "written tokens", "cost"], rows), summary=True))
    if s["conversations"]:
        rows = [[str(c["task"]), f"{c['conversations']:,}", f"{c['mean_turns']:.2f}",
                 f"{c['gap_p50_minutes']:.3g}", f"{c['gap_p95_minutes']:.3g}",
                 f"{c['history_tokens_per_turn']:,.0f}", f"{c['prefix_tokens']:,.0f}"]
                for c in s["conversations"]]
        text = (f"Session ids from {usage.session_field}. Turns by Kaplan-Meier, gaps "
                "between consecutive turns (minutes, those within the horizon H), prompt "
                "growth per turn, and the prefix common to conversations' first turns; "
                "docs/ingest.md.")
        notes = [f"{c['task']}: {n}" for c in s["conversations"] for n in c["notes"]]
        out.append(Section("Conversations", text + ("\n\n" + "\n\n".join(notes)
                                                     if notes else ""),
                           (["task", "conversations", "mean turns", "gap p50",
                             "gap p95", "growth/turn", "shared prefix"], rows),
                           summary=True))
    return out


def _ttl(minutes: float) -> str:
    return f"{minutes / 60:g} h" if minutes >= 60 else f"{minutes:g} min"


def _hourly_chart(usage, plot):
    return plot(usage.hourly())
