"""Results of a run: per-path numpy arrays, the result JSON v1 and a summary."""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .constants import HOURS_PER_MONTH, PART_NAMES, SERVED_NAMES


@dataclass(frozen=True)
class StrategyResult:
    """One strategy's per-path arrays; months are the last axis of each array."""

    name: str
    cost: np.ndarray  # (paths, months)
    parts: dict[str, np.ndarray]  # part -> (paths, months)
    workload_cost: dict[str, np.ndarray]  # workload -> (paths, months)
    requests: dict[str, np.ndarray]  # api/cluster/overflow/unserved -> (paths, months)
    gpu_hours: np.ndarray  # (paths, months)

    @property
    def cumulative_cost(self) -> np.ndarray:
        return np.cumsum(self.cost, axis=1)

    @property
    def total_cost(self) -> np.ndarray:
        """Cost over the horizon, per path."""
        return self.cost.sum(axis=1)


class Result:
    """What :meth:`Scenario.run` returns.

    The arrays are read-only views of the engine's memory (no copies):
    ``cost`` is (strategies, paths, months), ``parts`` adds a last axis in
    :data:`PART_NAMES` order, ``requests`` one in :data:`SERVED_NAMES` order and
    ``workload_cost`` one in workload order. ``result["routed"]`` gives one
    strategy's arrays by name.
    """

    def __init__(self, core, scenario, threads: int | None = None,
                 memory_budget_gib: float | None = None):
        self._core = core
        self.scenario = scenario
        # What the run was allowed, for a second run (band_sources) to keep.
        self._limits = {"threads": threads, "memory_budget_gib": memory_budget_gib}

    # -- metadata -----------------------------------------------------------------
    @property
    def paths(self) -> int:
        return self._core.paths

    @property
    def seed(self) -> int:
        return self._core.seed

    @property
    def mode(self) -> str:
        return self._core.mode

    @property
    def precision(self) -> float | None:
        """The precision asked for, if any; see :attr:`precision_met`."""
        return self._core.precision_target

    @property
    def precision_met(self) -> bool:
        return self._core.precision_met

    @property
    def months(self) -> int:
        return self._core.months

    @property
    def strategies(self) -> list[str]:
        return list(self._core.strategy_names)

    @property
    def workloads(self) -> list[str]:
        return list(self._core.workload_names)

    @property
    def baseline(self) -> str:
        return self.strategies[self._core.baseline]

    # -- arrays: read-only views of the engine's memory ----------------------------
    @cached_property
    def cost(self) -> np.ndarray:
        return np.asarray(self._core.array("cost"))

    @cached_property
    def parts(self) -> np.ndarray:
        return np.asarray(self._core.array("parts"))

    @cached_property
    def workload_cost(self) -> np.ndarray:
        return np.asarray(self._core.array("workload_cost"))

    @cached_property
    def requests(self) -> np.ndarray:
        return np.asarray(self._core.array("requests"))

    @cached_property
    def gpu_hours(self) -> np.ndarray:
        return np.asarray(self._core.array("gpu_hours"))

    @cached_property
    def gpu_seconds_served(self) -> np.ndarray:
        return np.asarray(self._core.array("gpu_seconds_served"))

    @cached_property
    def details(self) -> np.ndarray:
        """What the model v2 parts did, (strategies, paths, months, detail) in
        :data:`DETAIL_NAMES` order: committed and spot GPU-hours and cost, spot
        outage hours, requests sent to a rate limit's fallback. On-demand
        GPU-hours and cost are the rest of ``gpu_hours`` and of the ``gpu`` part
        (the result JSON's ``details`` has them too).
        """
        return np.asarray(self._core.array("details"))

    @cached_property
    def slo_breach_hours(self) -> np.ndarray | None:
        """Hours each workload missed its ``slo`` at a cluster, (strategies, paths,
        months, workloads), 0 for workloads without one; None when no workload has
        an slo (docs/model.md "Serving latency")."""
        if not self._core.slo_workloads:
            return None
        return np.asarray(self._core.array("slo_breach_hours"))

    def slo_met(self) -> np.ndarray | None:
        """P(SLO met) per (strategy, workload): the share of the horizon's hours
        not in breach, mean over paths (1 for workloads without an slo); None when
        no workload has an slo."""
        breach = self.slo_breach_hours
        if breach is None:
            return None
        hours = breach.shape[2] * HOURS_PER_MONTH
        return 1.0 - breach.sum(axis=2).mean(axis=1) / hours

    @cached_property
    def demand(self) -> np.ndarray:
        """Requests of all workloads per (path, month): what every strategy places."""
        return np.asarray(self._core.array("demand"))

    def break_even_months(self, strategy: str) -> np.ndarray:
        """Break-even month of each path against the baseline, 1..H; 0 where the
        strategy does not break even within the horizon (the engine's definition).
        """
        return self._core.break_even_months(self._index(strategy))

    def _index(self, strategy: str) -> int:
        try:
            return self.strategies.index(strategy)
        except ValueError:
            raise KeyError(
                f"no strategy {strategy!r} (strategies: {', '.join(self.strategies)})"
            ) from None

    def __getitem__(self, strategy: str) -> StrategyResult:
        s = self._index(strategy)
        parts, requests, wl = self.parts[s], self.requests[s], self.workload_cost[s]
        return StrategyResult(
            name=strategy,
            cost=self.cost[s],
            parts={n: parts[..., i] for i, n in enumerate(PART_NAMES)},
            workload_cost={n: wl[..., i] for i, n in enumerate(self.workloads)},
            requests={n: requests[..., i] for i, n in enumerate(SERVED_NAMES)},
            gpu_hours=self.gpu_hours[s],
        )

    # -- statistics -----------------------------------------------------------------
    @cached_property
    def _summary(self) -> dict:
        # Computed once by the engine and handed over as plain values.
        return self._core.summary()

    def as_dict(self, band_sources: bool = False) -> dict:
        """The result JSON v1 as a dict (statistics over paths); a copy. With
        ``band_sources``, also :meth:`band_sources` where the paths draw parameters
        (a second run the first time)."""
        doc = copy.deepcopy(self._summary)
        if band_sources and self.band_sources() is not None:
            doc["band_sources"] = copy.deepcopy(self.band_sources())
        return doc

    def band_sources(self) -> dict | None:
        """How much of each strategy's band is parameter uncertainty: the horizon
        total's p5 and p95, the same with fixed parameters (traffic noise alone) and
        the parameters' share of its variance; None when the paths draw no
        parameters (docs/model.md "Parameter uncertainty"). The first call runs the
        scenario once more with ``fixed_parameters: true``, the same paths and seed.
        """
        return self._band_sources

    @cached_property
    def _band_sources(self) -> dict | None:
        from .band_sources import band_sources

        return band_sources(self, **self._limits)

    def to_json(self, path: str | os.PathLike | None = None, indent: int = 1) -> str:
        """The result JSON v1 as text, with ``band_sources`` where the paths draw
        parameters; also written to ``path`` when given."""
        text = json.dumps(self.as_dict(band_sources=True), indent=indent)
        if path is not None:
            from .files import open_output

            with open_output(path, "json") as f:
                f.write(text + "\n")
        return text

    def summary(self):
        """One row per strategy.

        Columns: mean monthly cost; total over the horizon (mean, p5, p95); savings
        against the baseline as a fraction of its total (mean, p5, p95: 0.25 is 25%); break-even month p50 and p90
        (``<NA>`` when not within the horizon, and for the baseline itself); and the
        probability of breaking even within the horizon.
        """
        import pandas as pd

        rows = []
        for s in self._summary["strategies"]:
            be = s["break_even"]
            sav = s["savings_vs_baseline"]
            rows.append(
                {
                    "strategy": s["name"],
                    "mean_monthly_cost": float(np.mean(s["monthly_cost"]["mean"])),
                    "total_cost": s["total_cost"]["mean"],
                    "total_cost_p5": s["total_cost"]["p5"],
                    "total_cost_p95": s["total_cost"]["p95"],
                    "savings": sav["mean"],
                    "savings_p5": sav["p5"],
                    "savings_p95": sav["p95"],
                    "break_even_p50_month": be["p50_month"] if be else None,
                    "break_even_p90_month": be["p90_month"] if be else None,
                    "p_break_even": be["p_within_horizon"] if be else None,
                }
            )
        df = pd.DataFrame(rows).set_index("strategy")
        for col in ("break_even_p50_month", "break_even_p90_month"):
            df[col] = df[col].astype("Int64")
        df["p_break_even"] = df["p_break_even"].astype("Float64")
        return df

    # -- charts -----------------------------------------------------------------------
    def plot_fan(self, strategies: list[str] | None = None):
        """Monthly cost fan chart (median, p5-p95) per strategy: a matplotlib Figure."""
        from .plots import plot_fan

        return plot_fan(self, strategies)

    def plot_cumulative(self):
        """Cumulative cost curves (mean, p5-p95) per strategy."""
        from .plots import plot_cumulative

        return plot_cumulative(self)

    def plot_break_even(self):
        """Probability of breaking even by each month, per strategy."""
        from .plots import plot_break_even

        return plot_break_even(self)

    def plot_breakdown(self):
        """Cost over the horizon by part and by workload, per strategy."""
        from .plots import plot_breakdown

        return plot_breakdown(self)

    def plot_cluster(self):
        """GPUs, utilization and turned-away requests; None without clusters."""
        from .plots import plot_cluster

        return plot_cluster(self)

    def plot_price_paths(self):
        """Factor of each moving price per month (median, p5-p95); None if flat."""
        from .plots import plot_price_paths

        return plot_price_paths(self)

    def document(self, max_unserved: float | None = None):
        """What the run shows, as a :class:`~breakeven.presentation.Document`:
        ``print(doc)`` gives the terminal summary, ``doc.write(path)`` a report. The
        recommendation never falls on a plan leaving more than ``max_unserved`` of
        requests not served (default 0.001)."""
        from .constants import DEFAULT_MAX_UNSERVED
        from .report import build_content, run_document

        cap = DEFAULT_MAX_UNSERVED if max_unserved is None else max_unserved
        return run_document(self, build_content(self, cap))

    def report(self, path: str | os.PathLike, format: str | None = None, extra=(),
               max_unserved: float | None = None):
        """Write a self-contained report (html, md, pdf or json; default from the
        suffix) and return its path. ``extra``: documents to append, such as
        ``sensitivity(...).document()`` (docs/decisions.md). The recommendation
        never falls on a plan leaving more than ``max_unserved`` of requests not
        served (default 0.001); the report names the cheaper plans it passed over.
        """
        from .constants import DEFAULT_MAX_UNSERVED
        from .report import write_report

        cap = DEFAULT_MAX_UNSERVED if max_unserved is None else max_unserved
        return write_report(self, path, format, tuple(extra), cap)

    def _repr_html_(self) -> str:
        return self.document()._repr_html_()

    def __repr__(self) -> str:
        return (
            f"<Result {self._core.scenario!r}: {self.mode}, {self.paths} paths, "
            f"{self.months} months, strategies {self.strategies}>"
        )
