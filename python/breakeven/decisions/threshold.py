"""The traffic at which a strategy starts to pay: the smallest scale of the
workloads' request rates at which it breaks even within N months with at least a
given probability, found by bisection on common random numbers (every step is one
engine run on the same seed, so the probability moves only with the scale)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import OptionError
from ..schemas import schema_id
from .optimize import Against, compared
from .inputs import Input, scenario_inputs


def _others(scenario, strategy) -> str:
    others = [s for s in scenario.strategies if s != scenario.baseline]
    return f"must be one of {', '.join(others)}, not the baseline (got {strategy!r})"


@dataclass(frozen=True)
class Step:
    scale: float
    probability: float  # P(break-even month <= within)
    baseline_monthly: float  # the baseline's mean monthly cost at this scale


@dataclass
class Threshold:
    """What :func:`threshold` returns."""

    scenario: str
    strategy: str
    baseline: str
    within: int
    probability: float
    workload: str | None  # None: all workloads scaled together
    paths: int
    seed: int
    search: tuple[float, float]
    scale: float | None  # None: outside the range searched (see `outside`)
    scale_low: float | None  # where P crosses probability + 2 SE ...
    scale_high: float | None  # ... and probability - 2 SE: the uncertainty
    baseline_monthly: float | None  # the baseline's mean monthly spend at `scale`
    outside: str  # "", "below" (met at the lowest scale) or "above" (never met)
    steps: list[Step]
    against: Against  # what `baseline` is: the scenario's, or best-api

    def to_dict(self) -> dict:
        """The JSON document of ``breakeven threshold --json`` (docs/decisions.md)."""
        out = {k: getattr(self, k) for k in (
            "scenario", "strategy", "baseline", "within", "probability", "workload",
            "paths", "seed", "scale", "scale_low", "scale_high", "baseline_monthly",
            "outside")}
        out["against"], out["against_label"] = self.against.kind, self.against.label
        out["search"] = list(self.search)
        out["steps"] = [vars(s) for s in self.steps]
        return {"schema": schema_id("threshold"), **out}

    def plot(self):
        """Probability against the baseline's monthly spend (matplotlib Figure)."""
        from ..plots import plot_threshold

        return plot_threshold(self)

    def document(self):
        """Where the strategy starts to pay, as a document."""
        from ..formatting import counted
        from ..presentation import Document, Section

        header = ["traffic scale", f"{self.baseline} / month", f"P(within {self.within} mo)"]
        rows = [[f"{s.scale:.3g}x", f"${s.baseline_monthly:,.0f}", f"{s.probability:.0%}"]
                for s in sorted(self.steps, key=lambda s: s.scale)]
        rows = [r for i, r in enumerate(rows) if i == 0 or r != rows[i - 1]]  # as shown
        return Document(f"Where {self.strategy} starts to pay: {self.scenario}", [
            Section("Where it starts to pay",
                    f"{self.summary()}\n\nEach step of the search is one run of "
                    f"{counted(self.paths, 'path')} on seed {self.seed}, scaling the requests of "
                    f"{self.workload or 'every workload'}.", (header, rows),
                    figure=self.plot, summary=True)])

    def summary(self) -> str:
        what = f"workload {self.workload}" if self.workload else "all workloads"
        goal = (f"{self.strategy} breaks even within {self.within} months with "
                f"probability >= {self.probability:.0%} (against {self.against.label})")
        lo, hi = self.search
        if self.outside == "below":
            return f"{goal} already at {lo:g}x the traffic of {what}: the lowest scale searched."
        if self.outside == "above":
            return f"{goal} at no scale up to {hi:g}x the traffic of {what}."
        band = ""
        if self.scale_low is not None and self.scale_high != self.scale_low:
            band = f" (between {self.scale_low:.3g}x and {self.scale_high:.3g}x within 2 standard errors)"
        return (f"{goal} from {self.scale:.3g}x the traffic of {what}{band}: "
                f"a baseline spend of ${self.baseline_monthly:,.0f} a month.")


def _rate_inputs(scenario, workload: str | None) -> list[Input]:
    rates = [i for i in scenario_inputs(scenario.resolved())
             if i.name.endswith(".requests_per_hour")]
    if workload is None:
        return rates
    chosen = [i for i in rates if i.name == f"workloads.{workload}.requests_per_hour"]
    if not chosen:
        raise OptionError("workload", f"no workload {workload!r} (workloads: {', '.join(scenario.workloads)})")
    return chosen


def threshold(scenario, strategy: str, within: int, probability: float = 0.8,
              workload: str | None = None, search: tuple[float, float] = (0.01, 100.0),
              paths: int | None = None, seed: int | None = None,
              threads: int | None = None, steps: int = 24,
              against: str = "baseline") -> Threshold:
    """The smallest traffic scale at which ``strategy`` breaks even within
    ``within`` months with at least ``probability``; all workloads scaled
    together, or ``workload`` alone. Bisection on the logarithm of the scale in
    ``search``; the uncertainty is where the probability crosses the target plus
    and minus two binomial standard errors. ``against``: "baseline", or "best-api"
    (the best API plan, chosen at scale 1 and held: decisions/optimize.py, compared)."""
    horizon = scenario.horizon_months
    if strategy not in scenario.strategies or (strategy == scenario.baseline
                                               and against == "baseline"):
        raise OptionError("strategy", _others(scenario, strategy))
    if not (isinstance(within, int) and 1 <= within <= horizon):
        raise OptionError("within", f"must be a whole number of months in 1..{horizon} (got {within!r})")
    if not (0 < probability < 1):
        raise OptionError("prob", f"must be between 0 and 1 (got {probability!r})")
    lo, hi = search
    if not (0 < lo < hi):
        raise OptionError("range", f"must be two scales 0 < low < high (got {search!r})")
    simulation = scenario.resolved()["simulation"]
    seed = simulation["seed"] if seed is None else seed
    rates = _rate_inputs(scenario, workload)
    scenario, compared_with = compared(scenario, against, paths or simulation["paths"],
                                       seed, threads)
    b_index = scenario.strategies.index(scenario.baseline)
    seen: dict[float, Step] = {}
    used_paths, mode = 0, ""

    def evaluate(scale: float) -> Step:
        nonlocal used_paths, mode
        if scale not in seen:
            moved = scenario.with_values(
                {path: v for r in rates for path, v in r.edits(r.value * scale).items()})
            result = moved.run(paths=paths, seed=seed, threads=threads, progress=False)
            used_paths, mode = result.paths, result.mode
            months = result.break_even_months(strategy)
            p = float(((months >= 1) & (months <= within)).mean())
            baseline = float(result.cost[b_index].mean())
            seen[scale] = Step(scale, p, baseline)
        return seen[scale]

    def crossing(target: float) -> float | None:
        """Smallest scale in [lo, hi] whose probability reaches target (bisection
        on log scale); None when even hi does not."""
        if evaluate(hi).probability < target:
            return None
        if evaluate(lo).probability >= target:
            return lo
        a, b = math.log(lo), math.log(hi)
        for _ in range(steps):
            mid = 0.5 * (a + b)
            if evaluate(math.exp(mid)).probability >= target:
                b = mid
            else:
                a = mid
        return math.exp(b)

    scale = crossing(probability)
    outside = "above" if scale is None else ("below" if scale == lo else "")
    scale_low = scale_high = baseline_monthly = None
    if scale is not None:
        baseline_monthly = evaluate(scale).baseline_monthly
    if scale is not None and not outside:
        if mode == "expected":  # no randomness: the threshold is exact
            scale_low = scale_high = scale
        else:
            se = math.sqrt(probability * (1 - probability) / used_paths)
            scale_low = crossing(max(1e-9, probability - 2 * se))
            scale_high = crossing(min(1.0, probability + 2 * se))
    return Threshold(
        scenario=scenario.name, strategy=strategy, baseline=scenario.baseline,
        within=within, probability=probability, workload=workload, paths=used_paths,
        seed=seed, search=(lo, hi), scale=scale, scale_low=scale_low,
        scale_high=scale_high, baseline_monthly=baseline_monthly, outside=outside,
        steps=sorted(seen.values(), key=lambda s: s.scale), against=compared_with,
    )
