"""The decision sections a report may add (``breakeven report --with
sensitivity,threshold``): what drives the saving, and where the strategy starts to
pay, each computed on the run's seed with at most MAX_PATHS paths a run."""

from __future__ import annotations

from ..constants import DEFAULT_MAX_UNSERVED
from ..errors import OptionError

DECISION_SECTIONS = ("sensitivity", "threshold")
MAX_PATHS = 500


def checked_sections(names, scenario) -> list[str]:
    """``names`` if each is a decision section ``scenario`` can have, else an
    OptionError naming --with (checked before the run)."""
    unknown = [n for n in names if n not in DECISION_SECTIONS]
    if unknown:
        raise OptionError("with", f"unknown section {unknown[0]!r} "
                          f"(sections: {', '.join(DECISION_SECTIONS)})")
    if names and len(scenario.strategies) < 2:
        raise OptionError("with", f"{names[0]} compares a strategy with the baseline: the "
                          "scenario has no other strategy")
    return list(names)


def decision_documents(result, names, max_unserved: float = DEFAULT_MAX_UNSERVED) -> list:
    """The documents of the decision sections ``names`` for a run's result: in the
    run's mode and on its seed, for the strategy a report would recommend (the
    cheapest besides the baseline within ``max_unserved``)."""
    from .sensitivity import default_strategy, sensitivity
    from .threshold import threshold

    if not names:
        return []
    scenario = result.scenario.with_values({"simulation.mode": result.mode})
    strategy = default_strategy(result, max_unserved)
    paths = min(result.paths, MAX_PATHS)
    docs = []
    for name in checked_sections(names, scenario):
        if name == "sensitivity":
            docs.append(sensitivity(scenario, strategy, paths=paths,
                                    seed=result.seed).document())
        else:
            docs.append(threshold(scenario, strategy, min(12, result.months), paths=paths,
                                  seed=result.seed).document())
    return docs
