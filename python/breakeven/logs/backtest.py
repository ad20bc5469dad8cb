"""Backtest: fit on the first days of the logs, simulate the days after with the
fitted scenario, and see whether the actual days fall inside the simulated bands.
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

QUANTILES = (0.05, 0.5, 0.95)
METRICS = ("requests", "input_tokens", "output_tokens")
CALIBRATED = (0.80, 0.98)
PARAMETER_DRAWS = 50  # coverage of the p5-p95 band a good fit lands in
# Simulated days held at once: paths x (tasks + 1) x test days per metric.
MAX_SIMULATED_DAYS = 50_000_000
MAX_SEED = _core.LIMITS["max_seed"] - PARAMETER_DRAWS  # each draw uses seed + its index


@dataclass
class Backtest:
    """Held-out days against the simulated p5, p50, p95 per task and in total."""

    days: pd.DataFrame  # task, metric, day, actual, p5, p50, p95, inside
    train_days: int
    test_days: int
    paths: int
    fit_notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Per task and metric: coverage of p5-p95 and the pinball loss (mean over
        days and the three quantiles), also relative to the mean actual day."""
        rows = []
        for (task, metric), g in self.days.groupby(["task", "metric"], sort=False):
            loss = np.mean([pinball(g.actual, g[f"p{round(q * 100)}"], q) for q in QUANTILES])
            rows.append({"task": task, "metric": metric, "days": len(g),
                         "coverage": g.inside.mean(), "pinball": loss,
                         "relative_pinball": loss / g.actual.mean() if g.actual.mean() > 0
                         else float("nan")})
        return pd.DataFrame(rows)

    def verdict(self) -> list[str]:
        """Plain sentences on calibration: where coverage is off, say so."""
        out = []
        s = self.summary()
        total = s[(s.task == "total") & (s.metric == "requests")]
        cov = float(total.coverage.iloc[0]) if len(total) else float("nan")
        req = s[(s.metric == "requests") & (s.task != "total")]
        pooled = float(np.average(req.coverage, weights=req.days))
        out.append(f"requests: {pooled:.0%} of task-days inside p5-p95 (a calibrated fit: "
                   f"about 90%); total traffic {cov:.0%} of {self.test_days} days")
        low = req[req.coverage < CALIBRATED[0]]
        if len(low):
            out.append(f"{len(low)} of {len(req)} tasks under-cover (bands too narrow or "
                       f"biased): {', '.join(low.task.astype(str)[:8])}")
        if pooled > CALIBRATED[1]:
            out.append("bands are wider than the data needs (over-covers)")
        return out

    def to_json(self) -> dict:
        return {
            "schema": schema_id("backtest"),
            "train_days": self.train_days, "test_days": self.test_days, "paths": self.paths,
            "summary": [{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                         for k, v in r.items()}
                        for r in self.summary().to_dict(orient="records")],
            "days": self.days.assign(day=self.days.day.astype(str)).to_dict(orient="records"),
            "verdict": self.verdict(),
        }

    def plot(self, task: str = "total", metric: str = "requests"):
        """Actual days against the simulated band (a matplotlib Figure)."""
        from ..plots import plot_backtest

        return plot_backtest(self.days, task, metric)

    def document(self, notes: list[str] = ()):
        """The backtest as a document: its verdict, the table, the chart of total
        requests per day; ``notes`` (what ingest said) at the end."""
        from ..presentation import Document, Section

        def number(x) -> str:
            return "-" if not np.isfinite(x) else f"{x:.3g}"

        rows = [[str(r.task), r.metric, str(r.days), f"{r.coverage:.0%}", number(r.pinball),
                 number(r.relative_pinball)] for r in self.summary().itertuples()]
        sections = [Section(
            "Backtest",
            f"Fitted on {self.train_days} days, tested on the next {self.test_days} "
            f"({self.paths} paths). " + " ".join(line + "." for line in self.verdict()),
            (["task", "metric", "days", "inside p5-p95", "pinball", "relative"], rows),
            figure=self.plot, summary=True)]
        if notes:
            sections.append(Section("Notes", "\n\n".join(notes), summary=True))
        return Document("Backtest", sections)


def pinball(actual, predicted, q: float) -> float:
    d = np.asarray(actual, float) - np.asarray(predicted, float)
    return float(np.mean(np.maximum(q * d, (q - 1) * d)))


def _predictive(scenario, split, hours: int, paths: int, seed: int) -> dict:
    """Daily traffic of the held-out hours, parameter uncertainty included: the paths
    are split among draws of the fitted parameters (estimate plus a bootstrap
    replicate's error), so the bands hold what the fit does not know as well as the
    traffic's own noise."""
    fit = scenario.traffic_fit
    tokens = [{k: w[k] for k in ("input_tokens", "output_tokens", "prefix_tokens") if k in w}
              for w in scenario.data["workloads"]]
    # The rates of the fit are as of the start of its data: move them to the split.
    cal = scenario.fit_calendar
    draws = max(1, min(PARAMETER_DRAWS, len(fit.deviations), paths))
    per = [paths // draws + (1 if d < paths % draws else 0) for d in range(draws)]
    out = {m: [] for m in METRICS}
    for d in range(draws):
        est = fit.estimate + (fit.deviations[d] if len(fit.deviations) else 0.0)
        est = clean_parameters(est, fit.estimate, cal)
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
    before the logs are read."""
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
            q = np.quantile(s, QUANTILES, axis=0)
            for d in range(test_days):
                rows.append((task, metric, day_index[d], a[d], q[0, d], q[1, d], q[2, d],
                             bool(q[0, d] <= a[d] <= q[2, d])))
    days = pd.DataFrame(rows, columns=["task", "metric", "day", "actual", "p5", "p50", "p95",
                                       "inside"])
    return Backtest(days, train_days, test_days, paths, scenario.fit_report.notes)
