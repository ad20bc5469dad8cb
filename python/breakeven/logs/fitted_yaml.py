"""A fitted scenario as YAML with comments: each fitted number says what it came
from and how sure it is. The values are PyYAML's (flow style, one line each); only
the layout and the comments are written here, since PyYAML drops comments."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import numpy as np

from .. import _core
from .estimators import Calendar

if TYPE_CHECKING:
    from .fit import FitReport


def catalog_line(path: str) -> str:
    """The fitted YAML's ``catalog:`` line: the catalog file the logs were priced
    with, so that ``breakeven run`` prices the scenario the same way (JSON quoting
    is YAML's double-quoted form)."""
    return f"catalog: {json.dumps(path)}  # the catalog the logs were priced with (--catalog)"


def commented_yaml(spec: dict, usage, report: FitReport, tasks, cal: Calendar) -> str:
    """The scenario as YAML, each fitted number with a comment saying what it came
    from and how sure it is."""
    import yaml

    def row(task, p):
        r = report.parameters[(report.parameters.task == task)
                              & (report.parameters.parameter == p)]
        return None if r.empty else r.iloc[0]

    def se(task, p):
        r = row(task, p)
        return None if r is None or not np.isfinite(r.se) else float(r.se)

    def flag(task, p) -> str:
        r = row(task, p)
        return "" if r is None or not r.flag else f" ({r.flag})"

    def dump(obj) -> str:
        text = yaml.safe_dump(obj, default_flow_style=True, sort_keys=False, width=1000)
        return text.removesuffix("\n").removesuffix("\n...").strip()

    out = [f"# {n}" for n in report.notes]
    out.append(f"# hour 0 of this scenario: {report.start:%Y-%m-%d %H:%M} UTC (a Monday)")
    out.append("# standard errors (se) from a parametric bootstrap; docs/ingest.md")
    head = {k: spec[k] for k in ("name", "description", "horizon_months", "simulation")}
    out.append(yaml.safe_dump(head, sort_keys=False, width=100).strip())
    out.append(f"history: {dump(spec['history'])}  # the logs fitted; a forecast from "
               f"under {_core.LIMITS['short_history_days']:g} days says so in every output")
    if report.catalog_path is not None:
        out.append(catalog_line(str(report.catalog_path)))
    if "models" in spec:
        out.append("models:  # not in the catalog: prices fitted to logged cost per 1M tokens")
        for m, p in spec["models"].items():
            note = "" if p["input"] or p["output"] else "  # no logged cost: set the prices"
            out.append(f"  {dump(m)}: {dump(p)}{note}")
    out.append("workloads:")
    for wl in spec["workloads"]:
        t = wl["name"]
        tok = usage.tokens[t]

        def line(key, comment="", wl=wl):
            value = dump(wl[key])
            out.append(f"    {key}: {value}" + (f"  # {comment}" if comment else ""))

        out.append(f"  - name: {dump(t)}")
        rse = se(t, "rate")
        line("requests", f"{tok.requests:,} requests in {cal.days:.1f} days"
             + (f"; se {rse:.3g}/h" if rse is not None else ""))
        n = tok.requests
        line("input_tokens", f"p50 {tok.input_p50:.0f}, p95 {tok.input_p95:.0f}; "
             f"mean se {tok.input_sd / math.sqrt(max(n, 1)):.3g}")
        line("output_tokens", f"p50 {tok.output_p50:.0f}, p95 {tok.output_p95:.0f}; "
             f"mean se {tok.output_sd / math.sqrt(max(n, 1)):.3g}")
        conv = usage.conversations.get(t)
        fit = report.cache_fits.get(t)
        if conv is not None:
            _conversation_lines(out, wl, conv, usage, dump)
        elif "prefix_tokens" in wl:
            line("prefix_tokens", f"mean cached tokens of the {tok.cached_requests:,} "
                 "requests that read the cache, so that the hits read the logged tokens")
        if "prefix_variants" in wl:
            line("prefix_variants", "as many prefixes as make the hit probability the "
                 "logged share of requests that read the cache")
        if fit is not None:
            out.append(f"    # cache calibrated at the logged {fit.ttl_minutes:g}-minute "
                       f"TTL: the logs read {fit.logged_share:.1%} of input tokens from "
                       f"cache, this scenario {fit.fitted_share:.1%}")
            out.extend(f"    # {note}" for note in fit.notes)
        elif tok.cache_fields:
            out.append("    # prefix_tokens: none seen (no request read a cached prefix)")
        if conv is None:
            out.append(f"    # caching: {caching_evidence(tok)}")
        replayed = _replay_line(usage, t)
        if replayed:
            out.append(f"    # {replayed}")
        f = cal.fits()
        line("hourly_weights", "Poisson regression on hour of day" if f["hourly_weights"]
             else "not fitted: flat")
        line("weekday_weights", "Poisson regression on weekday" if f["weekday_weights"]
             else "not fitted: flat")
        g = report.growth.get(t)
        prior = (f"prior {g.prior[0]:g} +- {g.prior[1]:g}" if g else "")
        if g is None or g.raw is None:
            line("growth_per_month", f"not fitted (under 14 days): the {prior}")
        else:
            said = flag(t, "growth").strip(" ()")
            line("growth_per_month", f"the logs say {g.raw:.3g} (se {g.se:.2g}, week-to-week "
                 f"swings included{'; ' + said if said else ''}), the {prior}: "
                 f"{g.used:.3g} used, sd {g.sd:.2g}")
        if "uncertainty" in wl:
            line("uncertainty", "per path: the rate's relative se and the growth's sd "
                 "(simulation: {fixed_parameters: true} leaves them out)")
        parts = []
        for p in ("sigma", "autocorrelation", "hourly_sigma", "hourly_autocorrelation"):
            s = se(t, p)
            if s is not None:
                parts.append(f"{p} se {s:.2g}{flag(t, p)}")
        line("spikiness", "; ".join(parts) or "not fitted")
        if "activity" in wl:
            parts = [f"{p} se {s:.2g}" for p in ("on_days", "off_days")
                     if (s := se(t, p)) is not None]
            line("activity", "mean runs of days on and off (a day without requests is "
                 "off)" + (f"; {', '.join(parts)}" if parts else ""))
        if "bursts" in wl:
            line("bursts", "hours far above the fit (>5 noise SDs)")
    if "correlation" in spec:
        out.append("correlation:  # of hourly residuals across tasks, Poisson noise out")
        for row in spec["correlation"]:
            out.append(f"  - {dump(row)}")
    strategy = spec["strategies"][0]
    out.append("strategies:  # the routing observed: each task's most used model")
    out.append(f"  - name: {strategy['name']}")
    out.append(f"    route: {dump(strategy['route'])}")
    out.append(f"    caching: {dump(strategy['caching'])}")
    return "\n".join(out) + "\n"


def caching_evidence(tok) -> str:
    """What a task's logs without conversation ids tell about caching."""
    if not tok.cache_fields:
        return ("cannot be estimated: the logs have neither cached-token fields nor "
                "conversation ids (--session)")
    share = tok.cached_requests / tok.requests if tok.requests else 0.0
    hits = (f"{share:.1%} of requests read a cached prefix (median {tok.prefix_p50:,.0f} "
            "tokens)" if tok.cached_requests else "no request read a cached prefix")
    return (f"{hits}; without conversation ids (--session) the logs cannot tell "
            "how the TTL changes the hit rate")


def _replay_line(usage, task) -> str:
    r = usage.cache_replay
    if r is None or task not in set(r.task):
        return ""
    rows = r[r.task == task]
    shares = ", ".join(f"{x.cached_share:.1%} at {_ttl(x.ttl_minutes)}"
                       for x in rows.itertuples())
    return f"prefix cache replayed over the block hashes: cached share of input {shares}"


def _duration(minutes: float) -> str:
    return f"{minutes / 60:.3g} h" if minutes >= 60 else f"{minutes:.3g} min"


def _ttl(minutes: float) -> str:
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes / 60:g} h"
    return f"{minutes:g} min"


def _conversation_lines(out: list[str], wl: dict, conv, usage, dump) -> None:
    """prefix_tokens and the conversation block, with what each came from; as
    comments when this engine does not read the block."""
    if "prefix_tokens" in wl:
        where = ("leading blocks that earlier conversations' first turns had too"
                 if conv.prefix_source == "hashes" else
                 "cached tokens of the first turns that read the cache")
        out.append(f"    prefix_tokens: {dump(wl['prefix_tokens'])}  # what first turns "
                   f"read (a first turn reads only what conversations share); median of "
                   f"{where}: {conv.prefix_tokens:,.0f} ({conv.prefix_n:,} first turns)")
    else:
        out.append("    # prefix_tokens: none common to conversations' first turns"
                   + (f" ({conv.prefix_n:,} seen)" if conv.prefix_n else ""))
    block = conv.block()
    active = "conversation" in wl
    c = "" if active else "# "
    source = f", from {usage.session_field}" if usage.session_field else ""
    out.append(f"    {c}conversation:  # {conv.conversations:,} conversations "
               f"({conv.requests:,} of {conv.task_requests:,} requests with a session "
               f"id{source}); horizon H {_duration(conv.horizon_minutes)}"
               + ("" if active else "; this engine does not read it yet"))
    out.append(f"      {c}turns: {dump(block['turns'])}  # Kaplan-Meier over "
               f"{conv.trimmed:,} conversations begun H or more after the logs' start "
               f"({conv.closed:,} ends seen); mean {conv.mean_turns:.3g}")
    if "gap_minutes" in block:
        after = 1 - block["gap_minutes"]["cdf"][-1][1]
        out.append(f"      {c}gap_minutes: {dump(block['gap_minutes'])}  # {conv.gaps:,} "
                   f"next turns of turns H or more before the end: p50 "
                   f"{conv.gap_p50_minutes:.3g}, p95 {conv.gap_p95_minutes:.3g} min of "
                   f"those within H; {after:.1%} came later than H: after any TTL")
    else:
        out.append("      # gap_minutes: no next turn measured (none within H of a "
                   "turn H or more before the end)")
    growth = f"mean prompt growth over {conv.growth_pairs:,} consecutive turns"
    if conv.history_tokens_per_turn < 0:
        growth += f" ({conv.history_tokens_per_turn:.4g}: prompts shrank; 0 used)"
    out.append(f"      {c}history_tokens_per_turn: "
               f"{dump(block['history_tokens_per_turn'])}  # {growth}")
    if active and "tokens_per_read" in wl["conversation"]:
        out.append(f"      tokens_per_read: {dump(wl['conversation']['tokens_per_read'])}"
                   "  # so that later turns read the logged tokens at the logged TTL")
    for note in conv.notes:
        out.append(f"      # {note}")
