"""A scenario fitted to usage logs, with standard errors.

fit_scenario checks the options, fits each task's traffic (traffic_fit.py), builds
the scenario from the estimates (fitted_scenario.py) and writes it as commented
YAML (fitted_yaml.py); FitReport holds what the fit found and could not fit.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import _core
from .estimators import PARAMETERS, Calendar, rate_for_growth, swings_left
from .fitted_scenario import scenario_dict
from .fitted_yaml import catalog_line, commented_yaml
from .pooling import PRIOR_TASKS, PooledSwings, SilentTasks, pooled_swings, silent_tasks
from .shrinkage import (
    ASSUMED_WEEKLY_SIGMA,
    DEFAULT_GROWTH_PRIOR,
    checked_prior,
    rate_uncertainty,
)
from .shrinkage import growth as growth_of
from .timeline import counts_matrix, epoch_hour, monday_at_or_after
from .traffic_fit import DEFAULT_BOOTSTRAP, TaskFits, fit_traffic, parameter_flag

MAX_BOOTSTRAP = 1000  # replicates (--bootstrap): 0 (no standard errors) or 2 to this
# Counts the bootstrap holds at once: replicates x tasks x buckets (8 bytes each,
# a few copies); --bootstrap or a shorter log brings a fit under it.
MAX_BOOTSTRAP_COUNTS = 50_000_000


@dataclass
class FitReport:
    """What a fit found: parameters with standard errors, and what it could not fit."""

    parameters: pd.DataFrame  # task, parameter, estimate, se, flag
    notes: list[str] = field(default_factory=list)
    days: float = 0.0
    start: dt.datetime | None = None  # the scenario's hour 0 (a Monday 00:00 UTC)
    yaml: str = ""
    cache_fits: dict = field(default_factory=dict)  # task -> cache_fit.CacheFit
    growth: dict = field(default_factory=dict)  # task -> shrinkage.Growth
    catalog_path: Path | None = None  # the catalog file the logs were priced with

    def yaml_in(self, folder: str | os.PathLike) -> str:
        """The YAML as written to a file in ``folder``: its ``catalog:`` relative
        to that folder where a relative path can reach it, else absolute."""
        if self.catalog_path is None:
            return self.yaml
        try:
            path = os.path.relpath(self.catalog_path, Path(folder).resolve())
        except ValueError:  # another drive
            return self.yaml
        return self.yaml.replace(catalog_line(str(self.catalog_path)), catalog_line(path), 1)

    def table(self) -> pd.DataFrame:
        return self.parameters

    def value(self, task: str, parameter: str) -> tuple[float, float]:
        row = self.parameters[(self.parameters.task == task)
                              & (self.parameters.parameter == parameter)].iloc[0]
        return float(row.estimate), float(row.se)


def checked_bootstrap(bootstrap) -> int:
    """``bootstrap`` if it is 0 (no standard errors) or 2..MAX_BOOTSTRAP replicates,
    else an OptionError: checked by the command before the logs are read."""
    from ..errors import OptionError

    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or not (
            bootstrap == 0 or 2 <= bootstrap <= MAX_BOOTSTRAP):
        raise OptionError("bootstrap", f"must be 0 (no standard errors) or from 2 to "
                          f"{MAX_BOOTSTRAP:,} replicates (got {bootstrap!r})")
    return bootstrap


def fit_scenario(usage, start: dt.datetime | None = None, horizon_months: int = 12,
                 bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0,
                 until: dt.datetime | None = None, name: str | None = None,
                 growth_prior=DEFAULT_GROWTH_PRIOR):
    """Fit a scenario to `usage` (optionally only its records before `until`).

    The scenario's hour 0 is `start`, a Monday 00:00 UTC (default: the first one
    at or after the end of the data), so its rates are the fitted rates then.
    """
    from ..errors import LogError, OptionError
    from ..scenario import load

    checked_bootstrap(bootstrap)
    if len(usage.tokens) > _core.LIMITS["max_workloads"]:
        raise LogError(usage.files[0], f"{len(usage.tokens):,} tasks; a scenario holds at "
                       f"most {_core.LIMITS['max_workloads']:,} workloads: choose a coarser "
                       "--task to fit one")
    data_start = usage.start
    data_end = min(until, usage.end) if until else usage.end
    w = usage.bucket_hours
    cal = Calendar(epoch_hour(data_start), int((data_end - data_start).total_seconds()
                                               // 3600) // w, w)
    if bootstrap * len(usage.tokens) * cal.buckets > MAX_BOOTSTRAP_COUNTS:
        raise OptionError("bootstrap", f"{bootstrap:,} replicates of {len(usage.tokens):,} "
                          f"tasks x {cal.buckets:,} buckets are more than "
                          f"{MAX_BOOTSTRAP_COUNTS:,} counts (MAX_BOOTSTRAP_COUNTS in "
                          "breakeven/logs/fit.py): use fewer replicates or a shorter log")
    if cal.buckets < 24 // w:
        raise LogError(usage.files[0], f"{cal.hours} hours of data: a fit needs at least a day")
    tasks = sorted(usage.tokens, key=lambda t: -usage.tokens[t].requests)
    counts = counts_matrix(usage, tasks, data_start, data_start + dt.timedelta(hours=cal.hours))
    traffic = fit_traffic(counts, cal, bootstrap=bootstrap, seed=seed)
    est, se, bursts, corr = traffic.estimate, traffic.se, traffic.bursts, traffic.correlation

    start = start or monday_at_or_after(data_end)
    fits, ig, isg = cal.fits(), PARAMETERS.index("growth"), PARAMETERS.index("sigma")
    # What one task's history cannot show, from all of them (pooling.py): the
    # swings under 3 weeks, and the tasks silent in every fitted day.
    swings = None if fits["weekly"] else pooled_swings(counts, cal,
                                                       TaskFits(counts, cal).estimates)
    est = est.copy()
    silent = counts.sum(axis=1) == 0
    unheard = silent_tasks(counts, cal, est) if silent.any() else None
    if unheard is not None:
        est[silent] = unheard.parameters()
    notes = _notes(cal, usage, swings, unheard, int(silent.sum()))
    # Growth as far as the data support it, and each task's parameter uncertainty.
    prior = checked_prior(growth_prior)
    growths, uncertainty = {}, [None] * len(tasks)
    # The heard tasks first: from 3 weeks nothing is pooled, and a silent task
    # swings as the heard ones' median (their swings once the prior took their trend).
    for i in sorted(range(len(tasks)), key=lambda i: silent[i]):
        t = tasks[i]
        if silent[i] and unheard is not None and fits["weekly"]:
            for p in ("sigma", "autocorrelation"):
                j = PARAMETERS.index(p)
                est[i, j] = np.median(est[~silent, j])
        weekly = float(est[i, isg]) if fits["weekly"] else float(swings.sigma[i])
        est[i, isg] = weekly
        fitted_growth = fits["growth"] and not silent[i]
        bse = float(se[i, ig]) if fitted_growth and np.isfinite(se[i, ig]) else None
        raw = float(est[i, ig]) if fitted_growth else None
        g = growth_of(raw, bse, cal.days, weekly, prior)
        if raw is not None and g.used != raw:
            e = TaskFits(counts[i:i + 1], cal).estimates[0]
            # The rate at the history's start came with the raw trend: with the
            # growth used, it is the one that keeps the history's total (a steep
            # raw trend put the start low).
            est[i, 0] = rate_for_growth(counts[i], cal, e, g.used)
            # What the trend no longer explains is week-to-week swings; they widen
            # the growth's error in turn (once more).
            left = swings_left(counts[i], cal, e, g.used)
            if left > weekly:
                weekly = left
                est[i, isg] = weekly
                g = growth_of(raw, bse, cal.days, weekly, prior)
                est[i, 0] = rate_for_growth(counts[i], cal, e, g.used)
        growths[t] = g
        est[i, ig] = g.used
        rse = se[i, 0] if np.isfinite(se[i, 0]) else None
        level = (unheard.spread if unheard is not None and silent[i] else
                 rate_uncertainty(float(est[i, 0]), rse, cal.days, weekly))
        uncertainty[i] = {"requests": level, "growth_per_month": g.sd}
    spec, cache_fits = scenario_dict(usage, tasks, est, bursts, corr, start, data_start,
                                     horizon_months, name or "fitted", until=data_end,
                                     history_days=cal.days, uncertainty=uncertainty)
    rows = []
    fitted = cal.fits()
    for i, t in enumerate(tasks):
        for j, p in enumerate(PARAMETERS):
            if not _is_fitted(p, fitted):
                continue
            value = est[i, j]
            if p == "rate":
                value = spec["workloads"][i]["requests"]["per_hour"]
                scale = value / est[i, 0] if est[i, 0] > 0 else 1.0
                rows.append((t, p, value, se[i, j] * scale,
                             "silent in the fitted days: pooled" if silent[i] else ""))
            else:
                # growth: flagged by what the logs said, before the prior; a silent
                # task's values are pooled or the prior's, nothing it said
                shown = growths[t].raw if p == "growth" else value
                rows.append((t, p, value, se[i, j],
                             "" if silent[i] else parameter_flag(p, shown, se[i, j])))
    report = FitReport(pd.DataFrame(rows, columns=["task", "parameter", "estimate", "se",
                                                   "flag"]),
                       notes, cal.days, start, cache_fits=cache_fits, growth=growths,
                       catalog_path=usage.catalog.path.resolve() if usage.catalog else None)
    report.yaml = commented_yaml(spec, usage, report, tasks, cal)
    scenario = load(spec, catalog=usage.catalog)
    scenario.fit_report = report
    scenario.traffic_fit = traffic
    scenario.fit_estimate = est  # what the scenario uses: growth shrunk, swings assumed
    scenario.fit_calendar = cal
    return scenario


def _is_fitted(p: str, fitted: dict[str, bool]) -> bool:
    if p.startswith("hour_"):
        return fitted["hourly_weights"]
    if p.startswith("weekday_"):
        return fitted["weekday_weights"]
    return {"growth": fitted["growth"], "sigma": fitted["weekly"],
            "autocorrelation": fitted["weekly_autocorrelation"], "hourly_sigma": fitted["hourly_noise"],
            "hourly_autocorrelation": fitted["hourly_noise"]}.get(p, True)


def _notes(cal: Calendar, usage, swings: PooledSwings | None, unheard: SilentTasks | None,
           silent: int) -> list[str]:
    f = cal.fits()
    weeks = cal.days / 7
    notes = [f"fitted from {cal.days:.1f} days ({weeks:.1f} weeks) of {usage.format} logs"]
    if not f["hourly_weights"]:
        notes.append("hour-of-day weights not fitted (daily buckets or under 2 days): flat")
    if not f["weekday_weights"]:
        notes.append("weekday weights not fitted (under 14 days: each weekday seen twice): "
                     "flat")
    if cal.days < _core.LIMITS["short_history_days"]:
        notes.append(f"a forecast from {weeks:.1f} weeks of history (under 4): its level, "
                     "growth and week-to-week swings are mostly assumed, and its bands "
                     "say so")
    if not f["growth"]:
        notes.append("growth not fitted (under 14 days): the prior's mean, its sd in the "
                     "bands")
    else:
        notes.append(f"growth is weakly identified from {weeks:.1f} weeks: shrunk toward "
                     "the prior by its standard error, week-to-week swings included")
    if not f["weekly"]:
        notes.append(f"weekly sigma not fitted (under 3 weeks): each task's from how its "
                     "level moved between the history's halves, shrunk to a prior fitted "
                     f"to {swings.tasks} steady task(s)' moves (sigma {swings.prior_sigma:.3g}"
                     f", {swings.prior_df:g} df; {ASSUMED_WEEKLY_SIGMA:g} counted as "
                     f"{PRIOR_TASKS} tasks): median {np.median(swings.sigma):.3g}, so the "
                     "bands hold week-to-week swings each task's logs are too short to show")
    else:
        notes.append(f"weekly sigma is weakly identified from {int(weeks)} weeks: its error "
                     "falls only as weeks^0.5")
    if silent:
        notes.append(
            f"{silent} task(s) silent in every fitted day: "
            + ("off so far, not at rate 0: days on and off "
               f"{unheard.on_days:.3g} and {unheard.off_days:.3g} pooled from the moves of "
               f"{unheard.switching} task(s) with days off, the level on a day on one of "
               f"{unheard.heard} heard tasks' (log sd {unheard.spread:.3g}) drawn per path"
               if unheard is not None else "at rate 0 (under 2 tasks heard to pool from)"))
    for c in usage.cannot_give:
        notes.append(f"{usage.format} logs cannot give the {c}")
    notes.extend(_caching_notes(usage))
    return notes


def _caching_notes(usage) -> list[str]:
    """What the fit could tell about prompt caching, in a line or two."""
    from .fitted_scenario import engine_reads_conversations

    notes = []
    if usage.conversations:
        n = sum(c.conversations for c in usage.conversations.values())
        notes.append(f"conversations fitted for {len(usage.conversations):,} task(s) from "
                     f"{n:,} conversations ({usage.session_field})"
                     + ("" if engine_reads_conversations() else
                        "; written as comments: this engine does not read them yet"))
    rest = [t for t in usage.tokens if t not in usage.conversations]
    if rest:
        requests = sum(usage.tokens[t].requests for t in rest)
        if not any(usage.tokens[t].cache_fields for t in rest):
            notes.append("caching cannot be estimated"
                         + (f" for {len(rest):,} task(s)" if usage.conversations else "")
                         + ": the logs have neither cached-token fields nor conversation "
                         "ids (--session)")
        else:
            hits = sum(usage.tokens[t].cached_requests for t in rest)
            notes.append(f"caching from cached-token fields only: {hits / requests:.1%} of "
                         f"{requests:,} requests read a cached prefix; without conversation "
                         "ids (--session) the logs cannot tell how the TTL changes the hit "
                         "rate")
    return notes
