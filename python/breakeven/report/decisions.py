"""The decision sections a report may add (``breakeven report --with
sensitivity,threshold``): what drives the saving, and where the strategy starts
to pay. Each is computed with the run's seed and at most 500 paths a run."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..formatting import money

SECTIONS = ("sensitivity", "threshold")
MAX_PATHS = 500


@dataclass
class DecisionSection:
    title: str
    text: str
    table: tuple[list[str], list[list[str]]] | None
    figure: object = field(default=None, repr=False)  # a matplotlib Figure


def _sensitivity(result) -> DecisionSection:
    from ..decisions import sensitivity

    s = sensitivity(result.scenario, paths=min(result.paths, MAX_PATHS), seed=result.seed)
    h = result.months
    month = lambda m: f">{h}" if m is None else str(m)  # noqa: E731
    header = ["input", f"saving at -{s.delta:.0%}", f"saving at +{s.delta:.0%}", "swing",
              "break-even p50 -", "+"]
    rows = [[e.name, money(e.low.savings), money(e.high.savings), money(e.swing(s.base)),
             month(e.low.p50_month), month(e.high.p50_month)] for e in s.effects[:12]]
    text = (f"Saving of {s.strategy} against {s.scenario.baseline} over {h} months "
            f"({money(s.base.savings)} as planned) with each input moved -/+{s.delta:.0%}, "
            f"one at a time on the same random numbers ({s.paths:,} paths a run). "
            + (f"No effect: {', '.join(s.no_effect)}." if s.no_effect else ""))
    return DecisionSection("What drives the saving", text, (header, rows), s.plot())


def _threshold(result) -> DecisionSection:
    from ..decisions import threshold
    from ..decisions.sensitivity import _default_strategy

    within = min(12, result.months)
    t = threshold(result.scenario, _default_strategy(result), within,
                  paths=min(result.paths, MAX_PATHS), seed=result.seed)
    return DecisionSection("Where it starts to pay", t.summary(), None, t.plot())


def decision_sections(result, names) -> list[DecisionSection]:
    makers = {"sensitivity": _sensitivity, "threshold": _threshold}
    return [makers[n](result) for n in names]
