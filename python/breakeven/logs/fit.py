"""A scenario fitted to usage logs, with standard errors.

Each task's traffic parameters come from estimators.py. Their small-sample bias
and their standard errors come from a parametric bootstrap: the engine draws
`bootstrap` replicate histories of the same hours from the fitted scenario, the
estimators run on each, the bias (mean of the replicates less the estimate) is
removed and the replicates' spread is the standard error.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import _core
from .estimators import MAX_HOURLY_PHI, PARAMETERS, SCALARS, Calendar, TaskEstimate, burst_runs, estimate

DEFAULT_BOOTSTRAP = 50
MAX_BOOTSTRAP = 1000  # replicates (--bootstrap): 0 (no standard errors) or 2 to this
# Counts the bootstrap holds at once: replicates x tasks x buckets (8 bytes each,
# a few copies); --bootstrap or a shorter log brings a fit under it.
MAX_BOOTSTRAP_COUNTS = 50_000_000
BIAS_ROUNDS = 3
# An on/off task (near zero, then thousands an hour) is not a burst process; its
# multiplier is capped here rather than fitted to the ratio.
MAX_BURST_MULTIPLIER = 100.0
# The noise parameters are biased over a few weeks; rate, growth and weights come
# from Poisson regression and a ratio of totals, unbiased, so the bootstrap only
# gives their standard errors (correcting them would only add replicate noise).
BIASED = np.isin(PARAMETERS, ("sigma", "autocorrelation", "hourly_sigma",
                              "hourly_autocorrelation"))


@dataclass
class FitReport:
    """What a fit found: parameters with standard errors, and what it could not fit."""

    parameters: pd.DataFrame  # task, parameter, estimate, se
    notes: list[str] = field(default_factory=list)
    days: float = 0.0
    start: dt.datetime | None = None  # the scenario's hour 0 (a Monday 00:00 UTC)
    yaml: str = ""

    def table(self) -> pd.DataFrame:
        return self.parameters

    def value(self, task: str, parameter: str) -> tuple[float, float]:
        row = self.parameters[(self.parameters.task == task)
                              & (self.parameters.parameter == parameter)].iloc[0]
        return float(row.estimate), float(row.se)


def monday_at_or_after(t: dt.datetime) -> dt.datetime:
    day = dt.datetime(t.year, t.month, t.day, tzinfo=dt.timezone.utc)
    if day < t:
        day += dt.timedelta(days=1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def monday_at_or_before(t: dt.datetime) -> dt.datetime:
    day = dt.datetime(t.year, t.month, t.day, tzinfo=dt.timezone.utc)
    return day - dt.timedelta(days=day.weekday())


def epoch_hour(t: dt.datetime) -> int:
    return int(t.timestamp() // 3600)


def counts_matrix(usage, tasks: list[str], start: dt.datetime, end: dt.datetime,
                  column: str = "requests") -> np.ndarray:
    """(tasks, buckets) of `column` between start and end, zero-filled."""
    w = usage.bucket_hours
    index = pd.date_range(start, end - dt.timedelta(hours=w), freq=f"{w}h", tz="UTC")
    table = usage.hourly_table.pivot_table(index="hour", columns="task", values=column,
                                           aggfunc="sum", fill_value=0)
    table = table.reindex(index, fill_value=0).reindex(columns=tasks, fill_value=0)
    return table.to_numpy(dtype=float).T


class TaskFits:
    """Estimates of every task on one history, bursts masked in a second pass."""

    def __init__(self, counts: np.ndarray, cal: Calendar, detect_bursts: bool = True):
        self.estimates: list[TaskEstimate] = []
        for y in counts:
            e = estimate(y, cal, detect_bursts=detect_bursts)
            if e.burst_hours.any():
                first = e.burst_hours
                e = estimate(y, cal, mask=first, detect_bursts=False)
                e.burst_hours = first
            self.estimates.append(e)

    def matrix(self) -> np.ndarray:
        return np.array([e.vector() for e in self.estimates])


def _bursts(e: TaskEstimate, y: np.ndarray, cal: Calendar) -> dict | None:
    runs = burst_runs(e.burst_hours)
    if not runs:
        return None
    months = cal.hours / 730.0
    lengths = [n for _, n in runs]
    ratio = np.exp(np.median(np.log((y[e.burst_hours] + 0.5) / (e.mu[e.burst_hours] + 0.5))))
    return {"per_month": round(len(runs) / months, 3),
            "hours": max(1, int(round(np.mean(lengths) * cal.width))),
            "multiplier": round(float(min(ratio, MAX_BURST_MULTIPLIER)), 3)}


def _correlation(fits: TaskFits) -> np.ndarray | None:
    """Shock correlation between tasks from their within-week hourly residuals,
    Poisson noise taken out; the nearest valid correlation matrix."""
    k = len(fits.estimates)
    if k < 2:
        return None
    res = np.array([e.residual for e in fits.estimates])
    sd = np.array([e.hourly_sigma for e in fits.estimates])
    c = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            if sd[i] > 0.02 and sd[j] > 0.02:
                c[i, j] = c[j, i] = np.clip(np.mean(res[i] * res[j]) / (sd[i] * sd[j]),
                                            -0.95, 0.95)
    vals, vecs = np.linalg.eigh(c)
    if vals.min() < 1e-6:
        c = vecs @ np.diag(np.maximum(vals, 1e-6)) @ vecs.T
        d = np.sqrt(np.diag(c))
        c = np.clip(c / np.outer(d, d), -0.99, 0.99)
    np.fill_diagonal(c, 1.0)
    # As written to the scenario (rounded), it must still be a correlation matrix:
    # shrink towards the identity until it is.
    for shrink in np.linspace(0.0, 1.0, 41):
        written = np.round((1 - shrink) * c + shrink * np.eye(k), 3)
        if np.linalg.eigvalsh(written).min() > 1e-9:
            return written
    return np.eye(k)


@dataclass
class TrafficFit:
    """Traffic parameters of every task (rows; columns in PARAMETERS order): the
    bias-corrected estimate, its bootstrap standard error, and the raw estimate."""

    estimate: np.ndarray
    se: np.ndarray
    raw: np.ndarray
    bursts: list[dict | None]
    correlation: np.ndarray | None
    # Bootstrap replicates less their mean, scaled like se: draws of the
    # estimation error (replicates, tasks, parameters); empty without a bootstrap.
    deviations: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))


def fit_traffic(counts: np.ndarray, cal: Calendar, bootstrap: int = DEFAULT_BOOTSTRAP,
                seed: int = 0) -> TrafficFit:
    """Estimate each task's traffic parameters from its (tasks, buckets) counts, with
    bootstrap bias correction and standard errors (nan without a bootstrap)."""
    fits = TaskFits(counts, cal)
    raw = fits.matrix()
    bursts = [_bursts(e, y, cal) for e, y in zip(fits.estimates, counts)]
    corr = _correlation(fits)
    se = np.full_like(raw, np.nan)
    current = clean_parameters(raw, raw, cal)
    if bootstrap >= 2:
        # Indirect inference: move the parameters until the estimator's mean over
        # replicates drawn from them equals the estimate from the data. One step is
        # the usual bootstrap bias correction; more follow a bias that changes
        # with the parameter (weekly sigma and autocorrelation over a few weeks).
        means, points = [], []
        for _ in range(BIAS_ROUNDS):
            reps = replicate_counts(current, bursts, corr, cal, bootstrap, seed)
            boot = np.array([TaskFits(r, cal, detect_bursts=False).matrix() for r in reps])
            means.append(boot.mean(axis=0))
            points.append(current)
            # Only a bias the replicates show clearly is removed: a correction
            # within their own noise would only add that noise.
            step = raw - means[-1]
            step = np.where(np.abs(step) > 2 * se_mean(boot), step, 0.0)
            step[:, ~BIASED] = 0.0
            current = clean_parameters(current + step, raw, cal)
        slope = _slope(points, means, se_of_mean=se_mean(boot))
        se = boot.std(axis=0, ddof=1) / slope
        deviations = (boot - boot.mean(axis=0)) / slope
    else:
        deviations = np.zeros((0, *raw.shape))
    return TrafficFit(current, se, raw, bursts, corr, deviations)


def se_mean(boot: np.ndarray) -> np.ndarray:
    return boot.std(axis=0, ddof=1) / np.sqrt(len(boot))


def _slope(points, means, se_of_mean) -> np.ndarray:
    """d E[estimate] / d parameter, from the first and last bias-correction rounds
    where they moved it clearly (else 1): an estimator that reacts to its parameter
    at half the rate has twice the standard error once its bias is removed."""
    dp = points[-1] - points[0]
    dm = means[-1] - means[0]
    clear = np.abs(dp) > 0
    clear &= np.abs(dm) > 4 * se_of_mean
    slope = np.where(clear, dm / np.where(dp == 0, 1, dp), 1.0)
    return np.clip(slope, 0.3, 1.5)


def replicate_counts(est: np.ndarray, bursts, corr, cal: Calendar, paths: int,
                     seed: int) -> np.ndarray:
    """(paths, tasks, buckets) counts of the same hours drawn by the engine from
    traffic parameters `est` (rates at the first bucket)."""
    sc, offset = traffic_scenario(est, bursts, corr, cal.first_hour, cal.hours)
    return _core.sample_traffic(sc._core, paths=paths, seed=seed, first_hour=offset,
                                hours=cal.hours, bucket_hours=cal.width)["requests"]


def traffic_scenario(est: np.ndarray, bursts, corr, first_hour: int, hours: int,
                     tokens: list[dict] | None = None):
    """A scenario whose traffic has parameters `est` (rates as of `first_hour`, an
    absolute hour), starting at the Monday 00:00 before it; and the offset of
    `first_hour` in it. Token sizes are 1 unless `tokens` gives each workload's."""
    from ..scenario import load

    first = dt.datetime.fromtimestamp(first_hour * 3600, tz=dt.timezone.utc)
    offset = first_hour - epoch_hour(monday_at_or_before(first))
    months = offset / 730
    idx = {p: i for i, p in enumerate(PARAMETERS)}
    workloads = []
    for i, row in enumerate(est):
        g = float(np.clip(row[idx["growth"]], -0.5, 0.5))
        wl = {
            "name": f"task{i}",
            "requests": {"per_hour": max(float(row[0]) / (1 + g) ** months, 1e-9)},
            "input_tokens": 1, "output_tokens": 1,
            "hourly_weights": [float(x) for x in np.clip(row[len(SCALARS):len(SCALARS) + 24],
                                                         1e-3, None)],
            "weekday_weights": [float(x) for x in np.clip(row[len(SCALARS) + 24:], 1e-3, None)],
            "growth_per_month": g,
            "spikiness": {
                "sigma": float(max(row[idx["sigma"]], 0.0)),
                "autocorrelation": float(np.clip(row[idx["autocorrelation"]], 0.0, 0.95)),
                "hourly_sigma": float(max(row[idx["hourly_sigma"]], 0.0)),
                "hourly_autocorrelation": float(np.clip(row[idx["hourly_autocorrelation"]],
                                                        0.0, 0.995)),
            },
        }
        if tokens:
            wl.update(tokens[i])
        if bursts[i]:
            wl["bursts"] = bursts[i]
        workloads.append(wl)
    spec = {"name": "traffic", "horizon_months": math.ceil((offset + hours) / 730),
            "workloads": workloads,
            "strategies": [{"name": "any", "route": {"default": "gpt-5-mini"}}]}
    if corr is not None:
        spec["correlation"] = corr.tolist()
    return load(spec), offset


def fit_scenario(usage, start: dt.datetime | None = None, horizon_months: int = 12,
                 bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0,
                 until: dt.datetime | None = None, name: str | None = None):
    """Fit a scenario to `usage` (optionally only its records before `until`).

    The scenario's hour 0 is `start`, a Monday 00:00 UTC (default: the first one
    at or after the end of the data), so its rates are the fitted rates then.
    """
    from ..errors import LogError, OptionError
    from ..scenario import load

    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or not (
            bootstrap == 0 or 2 <= bootstrap <= MAX_BOOTSTRAP):
        raise OptionError("bootstrap", f"must be 0 (no standard errors) or from 2 to "
                          f"{MAX_BOOTSTRAP:,} replicates (got {bootstrap!r})")
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
    notes = _notes(cal, usage)
    spec = _scenario_dict(usage, tasks, est, bursts, corr, start, data_start,
                          horizon_months, name or "fitted", until=data_end)
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
                rows.append((t, p, value, se[i, j] * scale))
            else:
                rows.append((t, p, value, se[i, j]))
    report = FitReport(pd.DataFrame(rows, columns=["task", "parameter", "estimate", "se"]),
                       notes, cal.days, start)
    report.yaml = _yaml(spec, usage, report, tasks, cal, bursts)
    scenario = load(spec)
    scenario.fit_report = report
    scenario.traffic_fit = traffic
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


def clean_parameters(est: np.ndarray, raw: np.ndarray, cal: Calendar) -> np.ndarray:
    """Bias-corrected values back inside the model's ranges."""
    out = est.copy()
    idx = {p: i for i, p in enumerate(PARAMETERS)}
    out[:, idx["rate"]] = np.where(out[:, 0] > 0, out[:, 0], raw[:, 0])
    out[:, idx["growth"]] = np.clip(out[:, idx["growth"]], -0.5, 0.5)
    for p in ("sigma", "hourly_sigma"):
        out[:, idx[p]] = np.clip(out[:, idx[p]], 0.0, 3.0)
    out[:, idx["autocorrelation"]] = np.clip(out[:, idx["autocorrelation"]], 0.0, 0.95)
    out[:, idx["hourly_autocorrelation"]] = np.clip(out[:, idx["hourly_autocorrelation"]],
                                                    0.0, MAX_HOURLY_PHI)
    for lo, n in ((len(SCALARS), 24), (len(SCALARS) + 24, 7)):
        block = np.clip(out[:, lo:lo + n], 1e-3, None)
        out[:, lo:lo + n] = block / block.mean(axis=1, keepdims=True)
    for i in range(len(out)):  # nothing fitted: keep exactly the default
        if out[i, idx["sigma"]] == 0:
            out[i, idx["autocorrelation"]] = 0.0
        if out[i, idx["hourly_sigma"]] == 0:
            out[i, idx["hourly_autocorrelation"]] = 0.0
    return out


def _notes(cal: Calendar, usage) -> list[str]:
    f = cal.fits()
    weeks = cal.days / 7
    notes = [f"fitted from {cal.days:.1f} days ({weeks:.1f} weeks) of {usage.format} logs"]
    if not f["hourly_weights"]:
        notes.append("hour-of-day weights not fitted (daily buckets or under 2 days): flat")
    if not f["weekday_weights"]:
        notes.append("weekday weights not fitted (under 7 days): flat")
    if not f["growth"]:
        notes.append("growth not fitted (under 14 days): 0")
    else:
        notes.append(f"growth is weakly identified from {weeks:.1f} weeks: its error falls "
                     "only as weeks^1.5; read its standard error")
    if not f["weekly"]:
        notes.append("weekly sigma not fitted (under 3 weeks): 0, so week-to-week swings "
                     "beyond the hourly noise are not in the bands")
    else:
        notes.append(f"weekly sigma is weakly identified from {int(weeks)} weeks: its error "
                     "falls only as weeks^0.5")
    for c in usage.cannot_give:
        notes.append(f"{usage.format} logs cannot give the {c}")
    return notes


def _round(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}")


def _token_size(mean: float, sd: float):
    if sd <= 0 or mean <= 0:
        return _round(max(mean, 0.0))
    return {"mean": _round(mean), "cv": _round(sd / mean, 3)}


def _mean_sd(seen, task, column, mean, sd) -> tuple[float, float]:
    if task not in seen.index or seen.loc[task, "requests"] <= 0:
        return mean, sd
    m = float(seen.loc[task, column] / seen.loc[task, "requests"])
    return m, sd * m / mean if mean > 0 else sd


def _scenario_dict(usage, tasks, est, bursts, corr, start, data_start,
                   horizon_months, name, until) -> dict:
    idx = {p: i for i, p in enumerate(PARAMETERS)}
    # Token means from the fitted period only (a backtest must not see its future);
    # the spread (cv) and the prefix from every record.
    seen = usage.hourly_table[usage.hourly_table.hour < until].groupby("task")[
        ["requests", "input_tokens", "output_tokens"]].sum()
    months_ahead = (start - data_start).total_seconds() / 3600 / 730
    workloads = []
    for i, t in enumerate(tasks):
        tok = usage.tokens[t]
        g = est[i, idx["growth"]]
        rate = est[i, idx["rate"]] * (1 + g) ** months_ahead
        prefix = min(tok.prefix_p50, tok.input_mean) if tok.cached_requests else 0.0
        wl = {
            "name": t,
            "requests": {"per_hour": _round(max(rate, 1e-9), 6)},
            "input_tokens": _token_size(*_mean_sd(seen, t, "input_tokens", tok.input_mean,
                                                  tok.input_sd)),
            "output_tokens": _token_size(*_mean_sd(seen, t, "output_tokens",
                                                   tok.output_mean, tok.output_sd)),
            "hourly_weights": [_round(x) for x in est[i, len(SCALARS):len(SCALARS) + 24]],
            "weekday_weights": [_round(x) for x in est[i, len(SCALARS) + 24:]],
            "growth_per_month": _round(g),
            "spikiness": {
                "sigma": _round(max(est[i, idx["sigma"]], 0.0)),
                "autocorrelation": _round(float(np.clip(est[i, idx["autocorrelation"]],
                                                        0.0, 0.95))),
                "hourly_sigma": _round(max(est[i, idx["hourly_sigma"]], 0.0)),
                "hourly_autocorrelation": _round(float(np.clip(
                    est[i, idx["hourly_autocorrelation"]], 0.0, 0.995))),
            },
        }
        if prefix > 0:
            wl["prefix_tokens"] = _round(prefix)
        if bursts[i]:
            wl["bursts"] = bursts[i]
        workloads.append(wl)
    models, route = _observed_routing(usage, tasks)
    spec = {
        "name": name,
        "description": f"Fitted by breakeven ingest from {', '.join(usage.files)[:200]}",
        "horizon_months": int(horizon_months),
        "simulation": {"paths": 1000, "seed": 0, "mode": "stochastic"},
        "workloads": workloads,
        "strategies": [{"name": "observed", "route": route,
                        "caching": any(usage.tokens[t].cached_requests for t in tasks)}],
    }
    if models:
        spec["models"] = models
    if corr is not None:
        spec["correlation"] = [[float(x) for x in row] for row in corr]
    return spec


def _observed_routing(usage, tasks) -> tuple[dict, dict]:
    """The model each task mostly went to; models the catalog lacks get prices fitted
    to their logged cost per input and output token (or 0, said in the YAML)."""
    table = usage.hourly_table
    by = table.groupby(["task", "model"])["requests"].sum().reset_index()
    main = by.sort_values("requests").groupby("task").last()["model"]
    catalog_of = table.drop_duplicates("model").set_index("model")["catalog_model"]
    models, route = {}, {}
    for t in tasks:
        logged = main[t]
        known = catalog_of.get(logged)
        if isinstance(known, str):
            route[t] = known
            continue
        rows = table[table.model == logged]
        a, b = rows["input_tokens"].to_numpy(), rows["output_tokens"].to_numpy()
        c = rows["logged_cost"].fillna(0).to_numpy()
        price_in = price_out = 0.0
        if c.sum() > 0:
            sol = np.linalg.lstsq(np.column_stack([a, b]) / 1e6, c, rcond=None)[0]
            if sol.min() < 0:  # one price: cost per token of both kinds
                price_in = price_out = float(c.sum() / ((a.sum() + b.sum()) / 1e6))
            else:
                price_in, price_out = map(float, sol)
        name = str(logged)
        models[name] = {"input": _round(price_in), "output": _round(price_out)}
        route[t] = name
    default = max(set(route.values()), key=list(route.values()).count)
    out = {"default": default}
    out.update({t: m for t, m in route.items() if m != default})
    return models, out


def _yaml(spec: dict, usage, report: FitReport, tasks, cal: Calendar, bursts) -> str:
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
