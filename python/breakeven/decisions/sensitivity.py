"""One-at-a-time sensitivity: each input moved down and up by a share (25% by
default), everything else held, all runs on the same seed (common random
numbers), so that a difference is the input's effect and not noise."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import OptionError, ScenarioError
from ..schemas import schema_id
from .optimize import compared
from .inputs import scenario_inputs
from .threshold import _others


@dataclass(frozen=True)
class Outcome:
    savings: float  # mean saving at the horizon against the baseline, money
    p50_month: int | None  # break-even month p50; None: not within the horizon
    p_within: float

    @classmethod
    def of(cls, result, strategy: str) -> Outcome:
        doc = result.as_dict()
        be = doc["strategies"][result.strategies.index(strategy)]["break_even"]
        return cls(be["savings_at_horizon"]["mean"], be["p50_month"], be["p_within_horizon"])


@dataclass(frozen=True)
class Effect:
    name: str
    value: float
    low: Outcome | None  # None: the moved scenario is invalid (see `invalid`)
    high: Outcome | None
    invalid: str = ""

    def swing(self, base: Outcome) -> float:
        """Range of the saving over low..high: what the tornado chart sorts by."""
        values = [o.savings for o in (self.low, self.high) if o is not None]
        return max(values + [base.savings]) - min(values + [base.savings])


def _month(m: int | None, horizon: int) -> float:
    return horizon + 1 if m is None else m


class Sensitivity:
    """What :func:`sensitivity` returns: the effects sorted by swing."""

    def __init__(self, scenario, strategy, delta, paths, seed, base, effects, against):
        self.scenario = scenario
        self.against = against  # an Against: the scenario's baseline, or best-api
        self.strategy = strategy
        self.delta = delta
        self.paths = paths
        self.seed = seed
        self.base = base
        horizon = scenario.horizon_months

        def moves(e: Effect) -> bool:
            return e.invalid == "" and (
                e.swing(base) > 0
                or any(
                    o.p50_month != base.p50_month or o.p_within != base.p_within
                    for o in (e.low, e.high)
                )
            )

        key = lambda e: (-e.swing(base), e.name)  # noqa: E731
        self.effects = sorted((e for e in effects if moves(e)), key=key)
        self.no_effect = sorted(e.name for e in effects if not moves(e) and not e.invalid)
        self.invalid = {e.name: e.invalid for e in effects if e.invalid}
        self._horizon = horizon

    def table(self):
        """One row per input that moves the answer, largest swing first (a
        DataFrame): the saving at the horizon and the break-even month p50 at
        -delta and +delta."""
        import pandas as pd

        h = self._horizon
        rows = [
            {
                "input": e.name,
                "value": e.value,
                "savings_low": e.low.savings,
                "savings_high": e.high.savings,
                "savings_swing": e.swing(self.base),
                "break_even_p50_low": _month(e.low.p50_month, h),
                "break_even_p50_high": _month(e.high.p50_month, h),
            }
            for e in self.effects
        ]
        return pd.DataFrame(rows).set_index("input") if rows else pd.DataFrame()

    def to_dict(self) -> dict:
        """The JSON document of ``breakeven sensitivity --json`` (docs/decisions.md)."""

        def outcome(o: Outcome) -> dict:
            return {"savings_at_horizon": o.savings, "break_even_p50_month": o.p50_month,
                    "p_within_horizon": o.p_within}

        return {
            "schema": schema_id("sensitivity"),
            "scenario": self.scenario.name,
            "strategy": self.strategy,
            "baseline": self.scenario.baseline,
            "against": self.against.kind,
            "against_label": self.against.label,
            "delta": self.delta,
            "paths": self.paths,
            "seed": self.seed,
            "base": outcome(self.base),
            "effects": [
                {"input": e.name, "value": e.value, "low": outcome(e.low),
                 "high": outcome(e.high), "swing": e.swing(self.base)}
                for e in self.effects
            ],
            "no_effect": self.no_effect,
            "invalid": self.invalid,
        }

    def plot(self, top: int = 15):
        """Tornado chart of the saving at the horizon (matplotlib Figure)."""
        from ..plots import plot_tornado

        return plot_tornado(self, top)

    def document(self, top: int = 12):
        """What drives the saving, as a document (the terminal, a report section)."""
        from ..formatting import counted, money, month
        from ..presentation import Document, Section

        h = self._horizon
        header = ["input", "value", f"saving at -{self.delta:.0%}",
                  f"saving at +{self.delta:.0%}", "swing", "break-even p50 -", "+"]
        rows = [[e.name, f"{e.value:,.0f}" if e.value >= 100 else f"{e.value:.4g}",
                 money(e.low.savings), money(e.high.savings), money(e.swing(self.base)),
                 month(e.low.p50_month, h), month(e.high.p50_month, h)]
                for e in self.effects[:top]]
        text = (f"Saving of {self.strategy} against {self.against.label} over {h} "
                f"months ({money(self.base.savings)} as planned) with each input moved "
                f"-/+{self.delta:.0%}, one at a time on the same random numbers "
                f"({counted(self.paths, 'path')} a run, seed {self.seed}); largest swing first.")
        if len(self.effects) > top:
            text += f" The {len(self.effects) - top} inputs of smaller swing are left out."
        notes = []
        if self.no_effect:
            notes.append(f"No effect: {', '.join(self.no_effect)}.")
        notes += [f"Not moved: {name}: {why}." for name, why in self.invalid.items()]
        return Document(f"What drives the saving: {self.scenario.name}", [
            Section("What drives the saving", "\n\n".join([text, *notes]), (header, rows),
                    figure=self.plot, summary=True)])

    def __repr__(self) -> str:
        return (f"<Sensitivity of {self.strategy!r}: {len(self.effects)} inputs move the "
                f"saving, {len(self.no_effect)} do not>")


def default_strategy(result, max_unserved: float | None = None) -> str:
    """The cheapest strategy other than the baseline, by mean total cost, among
    those leaving at most ``max_unserved`` of requests not served (all of them when
    none does, or with no cap)."""
    from ..constants import NOT_SERVED, SERVED_NAMES

    totals = result.cost.sum(axis=2).mean(axis=1)
    others = [i for i, s in enumerate(result.strategies) if s != result.baseline]
    if not others:
        raise OptionError("strategy", "the scenario has no strategy besides the baseline")
    if max_unserved is not None:
        requests = result.requests.sum(axis=(1, 2))  # (strategy, kind)
        lost = requests[:, [SERVED_NAMES.index(k) for k in NOT_SERVED]].sum(axis=1)
        keeping = [i for i in others if lost[i] <= max_unserved * max(requests[i].sum(), 1e-300)]
        others = keeping or others
    return result.strategies[min(others, key=lambda i: totals[i])]


def sensitivity(scenario, strategy: str | None = None, delta: float = 0.25,
                paths: int | None = None, seed: int | None = None,
                threads: int | None = None, against: str = "baseline") -> Sensitivity:
    """Move every numeric input that can matter by -delta and +delta, one at a
    time, and measure the saving of ``strategy`` against the baseline at the
    horizon and its break-even month. ``strategy`` defaults to the cheapest one
    other than the baseline. ``against``: "baseline", or "best-api" (the best API
    plan, chosen at the scenario's values and held: decisions/optimize.py, compared)."""
    if not (isinstance(delta, (int, float)) and 0 < delta < 1):
        raise OptionError("delta", f"must be between 0 and 1 (got {delta!r})")
    if len(scenario.strategies) < 2 and against == "baseline":
        raise OptionError("strategy", "the scenario has no strategy besides the baseline")
    simulation = scenario.resolved()["simulation"]
    seed = simulation["seed"] if seed is None else seed
    if strategy is not None and (strategy not in scenario.strategies or (
            strategy == scenario.baseline and against == "baseline")):
        raise OptionError("strategy", _others(scenario, strategy))
    scenario, compared_with = compared(scenario, against, paths or simulation["paths"],
                                       seed, threads)
    run = dict(paths=paths, seed=seed, threads=threads, progress=False)
    base_result = scenario.run(**run)
    if strategy is None:
        strategy = default_strategy(base_result)
    base = Outcome.of(base_result, strategy)
    effects = []
    for inp in scenario_inputs(scenario.resolved()):
        outcomes, problem = [], ""
        for factor in (1 - delta, 1 + delta):
            try:
                moved = inp.applied(scenario, inp.value * factor)
                outcomes.append(Outcome.of(moved.run(**run), strategy))
            except ScenarioError as e:  # e.g. utilization above 1
                problem = e.reason
                outcomes.append(None)
        effects.append(Effect(inp.name, inp.value, *outcomes, invalid=problem))
    return Sensitivity(scenario, strategy, delta, base_result.paths, seed, base, effects,
                       compared_with)

