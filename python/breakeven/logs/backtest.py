"""Backtest: fit on the first days of the logs, simulate the days after with the
fitted scenario, and see whether the actual days fall inside the simulated bands.

Calibration (docs/ingest.md, "Calibration"): the share of held-out values inside
the central 50% and 90% bands against 50% and 90%, the PIT of every held-out value
(the forecast's CDF there, from the paths, randomized for ties), the interval score
of both bands (Gneiting & Raftery 2007), and a verdict where the held-out task-days
are enough for one (``MIN_VERDICT_DAYS``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import _core
from ..errors import OptionError
from ..schemas import schema_id
from .fit import fit_scenario
from .fitted_scenario import traffic_scenario
from .timeline import counts_matrix, epoch_hour, monday_at_or_before
from .traffic_fit import clean_parameters

QUANTILES = (0.05, 0.5, 0.95)  # the pinball loss's
# Central bands: (nominal coverage, lower and upper quantile, the summary's name).
BANDS = ((0.5, 0.25, 0.75), (0.9, 0.05, 0.95))
METRICS = ("requests", "input_tokens", "output_tokens")
UNITS = {"requests": "requests per day", "input_tokens": "input tokens per day",
         "output_tokens": "output tokens per day"}
CALIBRATED = (0.80, 0.98)  # a task's p5-p95 coverage over its few days: a hint
PIT_BINS = 10
# Held-out values a verdict needs: at least 10 expected outside the 90% band and 10
# per PIT bin (the usual condition for the normal and chi-square approximations);
# 2 standard errors of the 90% band's coverage are then 6 points or fewer.
MIN_VERDICT_DAYS = 100
VERDICT_SE = 2.0
VERDICTS = ("calibrated", "too narrow", "too wide", "not enough held-out days to tell")
PARAMETER_DRAWS = 50  # coverage of the p5-p95 band a good fit lands in
# Simulated days held at once: paths x (tasks + 1) x test days per metric.
MAX_SIMULATED_DAYS = 50_000_000
MAX_SEED = _core.LIMITS["max_seed"] - PARAMETER_DRAWS  # each draw uses seed + its index


@dataclass
class Backtest:
    """Held-out days against the simulated bands per task and in total."""

    # task, metric, day, actual, p5, p25, p50, p75, p95, inside (p5-p95), inside_50
    # (p25-p75), pit
    days: pd.DataFrame
    train_days: int
    test_days: int
    paths: int
    fit_notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Per task and metric: coverage of p5-p95 (``coverage``) and p25-p75, the
        pinball loss (mean over days and the quantiles p5, p50, p95), also relative
        to the mean actual day, and the mean interval scores of both bands.
        """
        rows = []
        for (task, metric), g in self.days.groupby(["task", "metric"], sort=False):
            loss = np.mean([pinball(g.actual, g[f"p{round(q * 100)}"], q) for q in QUANTILES])
            rows.append({"task": task, "metric": metric, "days": len(g),
                         "coverage": g.inside.mean(), "coverage_50": g.inside_50.mean(),
                         "pinball": loss,
                         "relative_pinball": loss / g.actual.mean() if g.actual.mean() > 0
                         else float("nan"),
                         "interval_score_50": float(np.mean(interval_score(
                             g.actual, g.p25, g.p75, 0.5))),
                         "interval_score_90": float(np.mean(interval_score(
                             g.actual, g.p5, g.p95, 0.9)))})
        return pd.DataFrame(rows)

    def calibration(self, metric: str = "requests", scope: str = "tasks") -> Calibration:
        """The calibration of ``metric`` over every task's held-out days (``scope``
        "tasks": task-days pooled) or over the days of the total ("total").
        """
        d = self.days[self.days.metric == metric]
        d = d[d.task == "total"] if scope == "total" else d[d.task != "total"]
        return calibration(d.actual, d.p5, d.p25, d.p75, d.p95, d.pit)

    def calibrations(self) -> list[dict]:
        """Every metric's calibration over task-days and over the total's days, as
        JSON rows (metric, scope, units, then :meth:`Calibration.to_json`).
        """
        return [{"metric": m, "scope": scope, "units": UNITS[m],
                 **self.calibration(m, scope).to_json()}
                for m in METRICS for scope in ("tasks", "total")]

    def verdict(self) -> list[str]:
        """Plain sentences on calibration: the coverage of requests per task-day and
        of the total, the verdict where the held-out task-days are enough for one,
        and the tasks whose days fall outside p5-p95 too often.
        """
        out = []
        s = self.summary()
        total = s[(s.task == "total") & (s.metric == "requests")]
        cov = float(total.coverage.iloc[0]) if len(total) else float("nan")
        req = s[(s.metric == "requests") & (s.task != "total")]
        c = self.calibration("requests")
        out.append(f"requests: {c.coverage_90:.0%} of task-days inside p5-p95 and "
                   f"{c.coverage_50:.0%} inside p25-p75 (a calibrated fit: about 90% and "
                   f"50%); total traffic {cov:.0%} of {self.test_days} days inside p5-p95")
        if c.verdict == VERDICTS[3]:
            out.append(f"calibration: {c.verdict} ({c.n} task-days held out; a verdict "
                       f"needs {MIN_VERDICT_DAYS})")
        else:
            out.append(f"calibration: {c.verdict} (over {c.n} task-days a calibrated fit "
                       f"lands within {100 * VERDICT_SE * c.se_90:.1f} points of 90% and "
                       f"{100 * VERDICT_SE * c.se_50:.1f} of 50%, {VERDICT_SE:g} binomial "
                       "standard errors)")
        low = req[req.coverage < CALIBRATED[0]]
        if len(low):
            out.append(f"{len(low)} of {len(req)} tasks under-cover (bands too narrow or "
                       f"biased): {', '.join(low.task.astype(str)[:8])}")
        return out

    def to_json(self) -> dict:
        return {
            "schema": schema_id("backtest"),
            "train_days": self.train_days, "test_days": self.test_days, "paths": self.paths,
            "summary": [{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                         for k, v in r.items()}
                        for r in self.summary().to_dict(orient="records")],
            "calibration": self.calibrations(),
            "min_verdict_days": MIN_VERDICT_DAYS,
            "days": self.days.assign(day=self.days.day.astype(str)).to_dict(orient="records"),
            "verdict": self.verdict(),
        }

    def plot(self, task: str = "total", metric: str = "requests"):
        """Actual days against the simulated band (a matplotlib Figure)."""
        from ..plots import plot_backtest

        return plot_backtest(self.days, task, metric)

    def document(self, notes: list[str] = ()):
        """The backtest as a document: its verdict and calibration table, the chart
        of total requests per day, the table by task; ``notes`` (what ingest said)
        at the end.
        """
        from ..presentation import Document, Section

        def number(x) -> str:
            return "-" if not np.isfinite(x) else f"{x:.3g}"

        def share(x) -> str:
            return "-" if not np.isfinite(x) else f"{x:.0%}"

        def p_value(x) -> str:
            return "-" if not np.isfinite(x) else ("<1e-16" if x < 1e-16 else f"{x:.2g}")

        cal = [[m, scope, str(c.n), share(c.coverage_50), share(c.coverage_90),
                share(c.pit_below_10), share(c.pit_above_90), p_value(c.chi2_p),
                number(c.interval_score_50), number(c.interval_score_90),
                "-" if c.verdict == VERDICTS[3] else c.verdict]
               for m in METRICS for scope in ("tasks", "total")
               for c in [self.calibration(m, scope)]]
        c = self.calibration("requests")
        histogram = " ".join(str(k) for k in c.pit_histogram)
        uniform = (f"; chi-square {c.chi2:.3g} on {PIT_BINS - 1} degrees of freedom against "
                   f"uniform, p {p_value(c.chi2_p)} (task-days taken as independent)"
                   if np.isfinite(c.chi2) else "")
        calibration_text = (
            "The table above: rows \"tasks\" pool every task's held-out days, \"total\" "
            "is the sum of tasks. Coverage is the share of held-out values inside p25-p75 "
            "(nominal 50%) and p5-p95 (nominal 90%). PIT is the forecast's CDF at the "
            "held-out value (from the paths, randomized for ties), uniform for a "
            "calibrated fit: 10% under 0.1 and 10% at 0.9 or over; more on both sides "
            "means bands too narrow, more on one side a bias; chi2 p tests the 10-bin "
            "histogram against uniform. IS: the interval scores of the 50% and 90% bands "
            "(Gneiting & Raftery 2007; width plus 2/alpha times the miss; lower is "
            "better), means over held-out days in the metric's units per day "
            "(requests, input or output tokens). A verdict needs "
            f"{MIN_VERDICT_DAYS} held-out values (\"-\": fewer); it calls a band off when "
            f"its coverage is more than {VERDICT_SE:g} binomial standard errors from "
            "nominal (docs/ingest.md).\n\n"
            f"PIT of requests per task-day in {PIT_BINS} bins from 0 to 1 "
            f"({c.n / PIT_BINS:.3g} each for a calibrated fit): {histogram}{uniform}.")
        rows = [[str(r.task), r.metric, str(r.days), share(r.coverage_50), share(r.coverage),
                 number(r.interval_score_50), number(r.interval_score_90), number(r.pinball),
                 number(r.relative_pinball)] for r in self.summary().itertuples()]
        sections = [
            Section("Backtest",
                    f"Fitted on {self.train_days} days, tested on the next {self.test_days} "
                    f"({self.paths} paths). " + " ".join(line + "." for line in self.verdict()),
                    (["metric", "over", "n", "p25-p75", "p5-p95", "PIT<0.1", "PIT>=0.9",
                      "chi2 p", "IS 50%", "IS 90%", "verdict"], cal),
                    figure=self.plot, summary=True),
            Section("Calibration", calibration_text, summary=True),
            Section("By task", "Per task and metric; \"total\" is the sum of tasks. The "
                    "pinball loss is the mean over days and the quantiles p5, p50, p95; "
                    "relative: over the mean actual day.",
                    (["task", "metric", "days", "p25-p75", "p5-p95", "IS 50%",
                      "IS 90%", "pinball", "relative"], rows), summary=True)]
        if notes:
            sections.append(Section("Notes", "\n\n".join(notes), summary=True))
        return Document("Backtest", sections)


def pinball(actual, predicted, q: float) -> float:
    d = np.asarray(actual, float) - np.asarray(predicted, float)
    return float(np.mean(np.maximum(q * d, (q - 1) * d)))


# -- calibration ------------------------------------------------------------------

def interval_score(actual, lower, upper, nominal: float) -> np.ndarray:
    """The interval score of a central ``nominal`` interval [lower, upper] at each
    actual value (Gneiting & Raftery 2007, section 6.2; lower is better, in the
    values' units): its width plus 2/alpha times how far the value falls outside, alpha = 1 -
    nominal.
    """
    y, lo, hi = (np.asarray(v, float) for v in (actual, lower, upper))
    alpha = 1.0 - nominal
    return (hi - lo) + (2 / alpha) * np.maximum(lo - y, 0) + (2 / alpha) * np.maximum(y - hi, 0)


def pit(actual, paths, rng: np.random.Generator) -> np.ndarray:
    """The probability integral transform of each actual value under the forecast
    its paths draw: ``paths`` is (paths, values). Randomized for ties, PIT = (below +
    U (equal + 1)) / (m + 1) with m paths, ``below`` and ``equal`` of them under
    and at the value and U uniform on [0, 1): where the value and the m paths are
    draws of one distribution (exchangeable), this is exactly uniform on [0, 1),
    discrete distributions and point masses (days of 0) included.
    """
    s = np.asarray(paths, float)
    y = np.asarray(actual, float)
    below = (s < y).sum(axis=0)
    equal = (s == y).sum(axis=0)
    return (below + rng.random(y.shape) * (equal + 1)) / (s.shape[0] + 1)


def band_quantiles(paths) -> dict[str, np.ndarray]:
    """p5, p25, p50, p75 and p95 of each value's paths (numpy's linear
    interpolation), as ``{"p5": ..., ...}``.
    """
    qs = sorted({0.5, *(q for _, lo, hi in BANDS for q in (lo, hi))})
    values = np.quantile(np.asarray(paths, float), qs, axis=0)
    return {f"p{round(q * 100)}": v for q, v in zip(qs, values)}


def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for X chi-square with ``df`` (a whole number) degrees of freedom, in
    closed form: a Poisson sum for even df, erfc plus a series for odd df.
    """
    if x <= 0:
        return 1.0
    h = x / 2
    if df % 2 == 0:
        term = total = math.exp(-h)
        for j in range(1, df // 2):
            term *= h / j
            total += term
        return min(1.0, total)
    total = math.erfc(math.sqrt(h))
    term = math.sqrt(2 * x / math.pi) * math.exp(-h)
    for j in range(1, (df - 1) // 2 + 1):
        total += term
        term *= x / (2 * j + 1)
    return min(1.0, total)


def binomial_se(nominal: float, n: int) -> float:
    """The standard error of a band's coverage over n independent held-out values
    when the band holds each with probability ``nominal``.
    """
    return math.sqrt(nominal * (1 - nominal) / n) if n > 0 else float("nan")


def coverage_verdict(n: int, coverage_50: float, coverage_90: float) -> str:
    """One of VERDICTS. Below MIN_VERDICT_DAYS held-out values: not enough to tell.
    Else a band is off when its coverage is more than VERDICT_SE binomial standard
    errors from nominal: the 90% band decides when it is off (under: too narrow,
    over: too wide), else the 50% band does, else calibrated.
    """
    if n < MIN_VERDICT_DAYS:
        return VERDICTS[3]
    z = {nominal: (c - nominal) / binomial_se(nominal, n)
         for nominal, c in ((0.5, coverage_50), (0.9, coverage_90))}
    for nominal in (0.9, 0.5):
        if z[nominal] < -VERDICT_SE:
            return VERDICTS[1]
        if z[nominal] > VERDICT_SE:
            return VERDICTS[2]
    return VERDICTS[0]


@dataclass(frozen=True)
class Calibration:
    """How n held-out values sit in their forecasts: coverage of the central 50%
    and 90% bands, the PIT histogram, the mean interval scores (in the values'
    units) and the verdict.
    """

    n: int
    coverage_50: float
    coverage_90: float
    pit_histogram: tuple[int, ...]  # PIT_BINS equal bins of [0, 1)
    interval_score_50: float
    interval_score_90: float
    mean_actual: float

    @property
    def se_50(self) -> float:
        return binomial_se(0.5, self.n)

    @property
    def se_90(self) -> float:
        return binomial_se(0.9, self.n)

    @property
    def pit_below_10(self) -> float:
        """Share of PIT values under 0.1 (a calibrated forecast: 10%)."""
        return self.pit_histogram[0] / self.n if self.n else float("nan")

    @property
    def pit_above_90(self) -> float:
        """Share of PIT values at or above 0.9 (a calibrated forecast: 10%)."""
        return self.pit_histogram[-1] / self.n if self.n else float("nan")

    @property
    def chi2(self) -> float:
        """Pearson's statistic of the PIT histogram against uniform (PIT_BINS - 1
        degrees of freedom); NaN below MIN_VERDICT_DAYS values.
        """
        if self.n < MIN_VERDICT_DAYS:
            return float("nan")
        expected = self.n / len(self.pit_histogram)
        return float(sum((c - expected) ** 2 for c in self.pit_histogram) / expected)

    @property
    def chi2_p(self) -> float:
        """The chi-square statistic's p-value, the values taken as independent."""
        return chi2_sf(self.chi2, len(self.pit_histogram) - 1) if np.isfinite(
            self.chi2) else float("nan")

    @property
    def verdict(self) -> str:
        return coverage_verdict(self.n, self.coverage_50, self.coverage_90)

    def to_json(self) -> dict:
        out = {"n": self.n, "coverage_50": self.coverage_50, "se_50": self.se_50,
               "coverage_90": self.coverage_90, "se_90": self.se_90,
               "pit_histogram": list(self.pit_histogram),
               "pit_below_10": self.pit_below_10, "pit_above_90": self.pit_above_90,
               "chi2": self.chi2, "chi2_p": self.chi2_p,
               "interval_score_50": self.interval_score_50,
               "interval_score_90": self.interval_score_90,
               "mean_actual": self.mean_actual, "verdict": self.verdict}
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                for k, v in out.items()}


def calibration(actual, p5, p25, p75, p95, pit_values) -> Calibration:
    """The calibration of held-out values given each one's band quantiles and PIT."""
    y = np.asarray(actual, float)
    n = len(y)
    if n == 0:
        return Calibration(0, float("nan"), float("nan"), (0,) * PIT_BINS, float("nan"),
                           float("nan"), float("nan"))
    lo50, hi50, lo90, hi90 = (np.asarray(v, float) for v in (p25, p75, p5, p95))
    u = np.asarray(pit_values, float)
    bins = np.clip(np.floor(u * PIT_BINS).astype(int), 0, PIT_BINS - 1)
    return Calibration(
        n=n,
        coverage_50=float(np.mean((lo50 <= y) & (y <= hi50))),
        coverage_90=float(np.mean((lo90 <= y) & (y <= hi90))),
        pit_histogram=tuple(int(c) for c in np.bincount(bins, minlength=PIT_BINS)),
        interval_score_50=float(np.mean(interval_score(y, lo50, hi50, 0.5))),
        interval_score_90=float(np.mean(interval_score(y, lo90, hi90, 0.9))),
        mean_actual=float(np.mean(y)))


def forecast_calibration(actual, paths, rng: np.random.Generator) -> Calibration:
    """The calibration of ``actual`` (n values) against forecasts drawn as ``paths``
    (paths x n): bands and PIT from the paths.
    """
    q = band_quantiles(paths)
    return calibration(actual, q["p5"], q["p25"], q["p75"], q["p95"], pit(actual, paths, rng))


def _predictive(scenario, split, hours: int, paths: int, seed: int) -> dict:
    """Daily traffic of the held-out hours, parameter uncertainty included: the paths
    are split among draws of the fitted parameters (estimate plus a bootstrap
    replicate's error), so the bands hold what the fit does not know as well as the
    traffic's own noise.
    """
    fit = scenario.traffic_fit
    tokens = [{k: w[k] for k in ("input_tokens", "output_tokens", "prefix_tokens") if k in w}
              for w in scenario.data["workloads"]]
    # The rates of the fit are as of the start of its data: move them to the split.
    cal = scenario.fit_calendar
    draws = max(1, min(PARAMETER_DRAWS, max(len(fit.deviations), PARAMETER_DRAWS), paths))
    level = np.random.default_rng(seed)
    spread = np.array([w.get("uncertainty", {}).get("requests", 0.0)
                       for w in scenario.data["workloads"]])
    per = [paths // draws + (1 if d < paths % draws else 0) for d in range(draws)]
    out = {m: [] for m in METRICS}
    for d in range(draws):
        deviation = fit.deviations[d % len(fit.deviations)] if len(fit.deviations) else 0.0
        est = scenario.fit_estimate + deviation
        est = clean_parameters(est, scenario.fit_estimate, cal)
        # The level's doubt beyond the bootstrap's (week-to-week swings the history
        # is too short to average out): the scenario's uncertainty of each rate.
        z = level.standard_normal(len(spread))
        est[:, 0] *= np.exp(spread * z - spread**2 / 2)
        sc, offset = traffic_scenario(est, fit.bursts, fit.correlation, cal.first_hour,
                                      epoch_hour(split) - cal.first_hour + hours, tokens)
        first = offset + epoch_hour(split) - cal.first_hour
        sim = _core.sample_traffic(sc._core, paths=per[d], seed=seed + d, first_hour=first,
                                   hours=hours, bucket_hours=24)
        for m in METRICS:
            out[m].append(sim[m])
    return {m: np.concatenate(v, axis=0) for m, v in out.items()}


MAX_TRAIN_DAYS = 36_600  # a century: more than any log spans (the days bound is lower)


def checked_options(train_days, paths, seed) -> None:
    """The options a backtest takes, each within its range: checked by the command
    before the logs are read.
    """
    for option, value, lo, hi in (("train_days", train_days, 1, MAX_TRAIN_DAYS),
                                  ("paths", paths, 1, _core.LIMITS["max_paths"]),
                                  ("seed", seed, 0, MAX_SEED)):
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise OptionError(option, f"must be a whole number from {lo:,} to {hi:,} "
                              f"(got {value!r})")


def backtest(usage, train_days: int, paths: int = 500, seed: int = 0,
             bootstrap: int = 50) -> Backtest:
    checked_options(train_days, paths, seed)
    start = usage.start
    split = start + dt.timedelta(days=train_days)
    test_days = int((usage.end - split).total_seconds() // 86400)
    if train_days < 1 or test_days < 1:
        raise OptionError("train_days", f"must leave at least one whole day after it: the "
                          f"logs hold {usage.days:.1f} days (got {train_days})")
    if usage.bucket_hours > 24:
        raise OptionError("train_days", "buckets longer than a day cannot be backtested")
    if paths * (len(usage.tokens) + 1) * test_days > MAX_SIMULATED_DAYS:
        raise OptionError("paths", f"{paths:,} paths of {len(usage.tokens) + 1:,} series x "
                          f"{test_days:,} days are more than {MAX_SIMULATED_DAYS:,} simulated "
                          "days (MAX_SIMULATED_DAYS in breakeven/logs/backtest.py): use fewer "
                          "paths or test days")
    origin = monday_at_or_before(split)
    offset = epoch_hour(split) - epoch_hour(origin)
    hours = test_days * 24
    scenario = fit_scenario(usage, start=origin, until=split, bootstrap=bootstrap, seed=seed,
                            horizon_months=math.ceil((offset + hours) / 730), name="backtest")
    tasks = scenario.workloads
    sim = _predictive(scenario, split, hours, paths, seed)
    rng = np.random.default_rng(seed)  # the PIT's tie-breaking
    day_index = pd.date_range(split, periods=test_days, freq="D")
    rows = []
    for metric in METRICS:
        actual = counts_matrix(usage, tasks, split, split + dt.timedelta(days=test_days),
                               metric)
        per_day = actual.reshape(len(tasks), test_days, 24 // usage.bucket_hours).sum(axis=2)
        simulated = sim[metric]  # (paths, tasks, days)
        for i, task in enumerate([*tasks, "total"]):
            s = simulated[:, i, :] if task != "total" else simulated.sum(axis=1)
            a = per_day[i] if task != "total" else per_day.sum(axis=0)
            q = band_quantiles(s)
            u = pit(a, s, rng)
            for d in range(test_days):
                rows.append((task, metric, day_index[d], a[d], q["p5"][d], q["p25"][d],
                             q["p50"][d], q["p75"][d], q["p95"][d],
                             bool(q["p5"][d] <= a[d] <= q["p95"][d]),
                             bool(q["p25"][d] <= a[d] <= q["p75"][d]), u[d]))
    days = pd.DataFrame(rows, columns=["task", "metric", "day", "actual", "p5", "p25", "p50",
                                       "p75", "p95", "inside", "inside_50", "pit"])
    return Backtest(days, train_days, test_days, paths, scenario.fit_report.notes)
