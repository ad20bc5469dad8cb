"""A fitted scenario as YAML with comments: each fitted number says what it came
from and how sure it is. The values are PyYAML's (flow style, one line each); only
the layout and the comments are written here, since PyYAML drops comments."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .estimators import Calendar

if TYPE_CHECKING:
    from .fit import FitReport


def commented_yaml(spec: dict, usage, report: FitReport, tasks, cal: Calendar) -> str:
    """The scenario as YAML, each fitted number with a comment saying what it came
    from and how sure it is."""
    import yaml

    def se(task, p):
        r = report.parameters[(report.parameters.task == task)
                              & (report.parameters.parameter == p)]
        return None if r.empty or not np.isfinite(r.se.iloc[0]) else float(r.se.iloc[0])

    def dump(obj) -> str:
        text = yaml.safe_dump(obj, default_flow_style=True, sort_keys=False, width=1000)
        return text.removesuffix("\n").removesuffix("\n...").strip()

    out = [f"# {n}" for n in report.notes]
    out.append(f"# hour 0 of this scenario: {report.start:%Y-%m-%d %H:%M} UTC (a Monday)")
    out.append("# standard errors (se) from a parametric bootstrap; docs/ingest.md")
    head = {k: spec[k] for k in ("name", "description", "horizon_months", "simulation")}
    out.append(yaml.safe_dump(head, sort_keys=False, width=100).strip())
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
        if "prefix_tokens" in wl:
            line("prefix_tokens", f"median cached tokens of {tok.cached_requests:,} "
                 "requests that read the cache")
        elif tok.cache_fields:
            out.append("    # prefix_tokens: none seen (no request read a cached prefix)")
        f = cal.fits()
        line("hourly_weights", "Poisson regression on hour of day" if f["hourly_weights"]
             else "not fitted: flat")
        line("weekday_weights", "Poisson regression on weekday" if f["weekday_weights"]
             else "not fitted: flat")
        gse = se(t, "growth")
        line("growth_per_month", f"se {gse:.3g} (weakly identified)" if gse is not None
             else "not fitted: under 14 days")
        parts = []
        for p in ("sigma", "autocorrelation", "hourly_sigma", "hourly_autocorrelation"):
            s = se(t, p)
            if s is not None:
                parts.append(f"{p} se {s:.2g}")
        line("spikiness", "; ".join(parts) or "not fitted")
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
