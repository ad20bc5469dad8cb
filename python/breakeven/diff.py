"""Two scenarios side by side (``breakeven diff A.yaml B.yaml``): the inputs that
changed, as the engine sees them, and how each strategy's cost and break-even
moved. Both run on the same paths and seed (common random numbers), so a
difference is the effect of the inputs, not Monte Carlo noise.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .formatting import counted, money, month
from .presentation import Document, Section
from .schemas import schema_id

# Resolved fields that are not inputs to the costs: names and provenance. The
# simulation settings are left out because both sides run on the same ones.
NOT_INPUTS = frozenset({"name", "description", "source", "as_of", "simulation"})
# Lists of mappings matched by their ``name`` rather than by position.
NAMED_LISTS = frozenset({"workloads", "strategies"})
# The longest value written in the terminal and report tables (the JSON has all).
SHOWN_CHARS = 60


@dataclass(frozen=True)
class Change:
    """One input that differs: ``path`` as ``models.claude-haiku-4.5.input`` or
    ``workloads[chat].requests_per_hour``; ``kind`` is changed, added or removed
    (``old`` or ``new`` is then None)."""

    path: str
    kind: str
    old: object
    new: object

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}


def input_changes(a: dict, b: dict) -> list[Change]:
    """What differs between two resolved scenarios, in the order of A's fields."""
    changes: list[Change] = []
    _compare(a, b, "", changes)
    return changes


def _compare(a, b, path: str, out: list[Change]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key in NOT_INPUTS:
                continue
            where = f"{path}.{key}" if path else str(key)
            if key not in b:
                out.append(Change(where, "removed", a[key], None))
            elif key not in a:
                out.append(Change(where, "added", None, b[key]))
            elif key in NAMED_LISTS and isinstance(a[key], list):
                _compare_named(a[key], b[key], where, out)
            else:
                _compare(a[key], b[key], where, out)
    elif a != b:
        # A list of numbers (hourly weights, a correlation matrix) is one input.
        out.append(Change(path, "changed", a, b))


def _compare_named(a: list, b: list, path: str, out: list[Change]) -> None:
    old = {item["name"]: item for item in a}
    new = {item["name"]: item for item in b}
    for name in [*old, *(n for n in new if n not in old)]:
        where = f"{path}[{name}]"
        if name not in new:
            out.append(Change(where, "removed", old[name], None))
        elif name not in old:
            out.append(Change(where, "added", None, new[name]))
        else:
            _compare(old[name], new[name], where, out)


@dataclass(frozen=True)
class StrategyChange:
    """One strategy in both scenarios: mean total cost over the horizon, break-even
    month p50 (None: not within the horizon, or the baseline) and the probability
    of breaking even within the horizon (None for the baseline)."""

    name: str
    total_cost: tuple[float, float]
    break_even_p50_month: tuple[int | None, int | None]
    p_break_even: tuple[float | None, float | None]

    @property
    def delta(self) -> float:
        return self.total_cost[1] - self.total_cost[0]

    @property
    def relative(self) -> float | None:
        """The change as a fraction of A's cost; None when A's cost is zero."""
        return self.delta / self.total_cost[0] if self.total_cost[0] else None

    def to_dict(self) -> dict:
        a, b = self.total_cost
        return {"name": self.name,
                "total_cost": {"a": a, "b": b, "delta": self.delta,
                               "relative": self.relative},
                "break_even_p50_month": dict(zip("ab", self.break_even_p50_month)),
                "p_break_even": dict(zip("ab", self.p_break_even))}


def strategy_changes(a, b) -> tuple[list[StrategyChange], list[str], list[str]]:
    """Strategies of two results compared by name: those in both (in A's order),
    those only in A, those only in B."""
    old = {s["name"]: s for s in a.as_dict()["strategies"]}
    new = {s["name"]: s for s in b.as_dict()["strategies"]}
    both = []
    for name in (n for n in old if n in new):
        sa, sb = old[name], new[name]
        both.append(StrategyChange(
            name, (sa["total_cost"]["mean"], sb["total_cost"]["mean"]),
            (_break_even(sa, "p50_month"), _break_even(sb, "p50_month")),
            (_break_even(sa, "p_within_horizon"), _break_even(sb, "p_within_horizon"))))
    return both, [n for n in old if n not in new], [n for n in new if n not in old]


def _break_even(strategy: dict, key: str):
    be = strategy["break_even"]
    return be[key] if be else None


@dataclass
class ScenarioDiff:
    """What :func:`diff_scenarios` returns: ``changes`` (inputs), ``strategies``
    (in both), ``only_a`` and ``only_b`` (strategy names), and both results."""

    a: object  # Result
    b: object  # Result
    changes: list[Change]
    strategies: list[StrategyChange]
    only_a: list[str]
    only_b: list[str]

    def to_dict(self) -> dict:
        """The diff as JSON-ready data (``--json``): every change in full."""
        return {
            "schema": schema_id("diff"),
            "a": _side(self.a), "b": _side(self.b),
            "paths": self.a.paths, "seed": self.a.seed, "mode": self.a.mode,
            "changes": [c.to_dict() for c in self.changes],
            "strategies": [s.to_dict() for s in self.strategies],
            "only_in_a": self.only_a, "only_in_b": self.only_b,
        }

    def document(self) -> Document:
        """The diff as a Document: ``print(diff.document())`` for the terminal."""
        a, b = self.a.scenario.name, self.b.scenario.name
        sections = [
            Section("Inputs that changed", _changes_text(self.changes),
                    _changes_table(self.changes) if self.changes else None, summary=True),
            Section("Cost and break-even by strategy",
                    "Mean total cost over the horizon; break-even month p50 and the "
                    "probability of breaking even within the horizon, A -> B.",
                    _strategies_table(self.strategies, self.a.months, self.b.months),
                    summary=True),
        ]
        only = [f"Only in {side} ({name}): {', '.join(names)}."
                for side, name, names in (("A", a, self.only_a), ("B", b, self.only_b))
                if names]
        if only:
            sections.append(Section("Strategies in one scenario only", "\n\n".join(only),
                                    summary=True))
        return Document(f"{a} -> {b}", sections,
                        subtitle=f"A: {_where(self.a)}; B: {_where(self.b)}; "
                                 f"{self.a.mode}, {self.a.paths:,} paths, seed "
                                 f"{self.a.seed} on both")


def _side(result) -> dict:
    path = result.scenario.path
    return {"scenario": result.scenario.name, "file": None if path is None else str(path)}


def _where(result) -> str:
    path = result.scenario.path
    return result.scenario.name if path is None else str(path)


def _shown(value) -> str:
    text = "-" if value is None else (
        f"{value:g}" if isinstance(value, float) else
        value if isinstance(value, str) else json.dumps(value))
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 3] + "..."


def _changes_text(changes: list[Change]) -> str:
    if not changes:
        return "None: the two scenarios give the engine the same inputs."
    return (f"{counted(len(changes), 'input')} changed, as the engine resolves them "
            "(defaults filled in, catalog prices merged).")


def _changes_table(changes: list[Change]):
    return (["input", "change", "A", "B"],
            [[c.path, c.kind, _shown(c.old), _shown(c.new)] for c in changes])


def _strategies_table(strategies: list[StrategyChange], months_a: int, months_b: int):
    rows = []
    for s in strategies:
        rel = "-" if s.relative is None else f"{s.relative:+.1%}"
        be = " -> ".join(month(m, h) if p is not None else "-" for m, p, h in
                         zip(s.break_even_p50_month, s.p_break_even, (months_a, months_b)))
        prob = " -> ".join("-" if p is None else f"{p:.0%}" for p in s.p_break_even)
        rows.append([s.name, money(s.total_cost[0]), money(s.total_cost[1]),
                     _signed_money(s.delta), rel, be, prob])
    return (["strategy", "total A", "total B", "change", "change %",
             "break-even p50", "P(break even)"], rows)


def _signed_money(x: float) -> str:
    return money(x) if x < 0 else "+" + money(x)


def _loaded(source):
    from .scenario import Scenario, load

    return source if isinstance(source, Scenario) else load(source)


def diff_scenarios(a: str | os.PathLike | object, b: str | os.PathLike | object,
                   paths: int | None = None, seed: int | None = None,
                   threads: int | None = None) -> ScenarioDiff:
    """Run scenarios ``a`` and ``b`` (files or :class:`~breakeven.Scenario` s) on the
    same paths, seed and mode (the options, else A's ``simulation:``) and compare
    them. Raises ScenarioError for a bad file and OptionError for a bad option,
    before either run."""
    sa, sb = _loaded(a), _loaded(b)
    settings = sa.resolved()["simulation"]
    paths = settings["paths"] if paths is None else paths
    seed = settings["seed"] if seed is None else seed
    same = {"paths": paths, "seed": seed, "mode": settings["mode"],
            "antithetic": settings["antithetic"], "threads": threads, "progress": False}
    ra, rb = sa.run(**same), sb.run(**same)
    both, only_a, only_b = strategy_changes(ra, rb)
    return ScenarioDiff(ra, rb, input_changes(sa.resolved(), sb.resolved()), both,
                        only_a, only_b)
