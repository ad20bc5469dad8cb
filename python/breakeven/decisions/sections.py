"""The decision sections a report may add (``breakeven report --with
sensitivity,threshold``): what drives the saving, and where the strategy starts to
pay, each computed on the run's seed with at most MAX_PATHS paths a run."""

from __future__ import annotations

from ..errors import OptionError

DECISION_SECTIONS = ("sensitivity", "threshold")
MAX_PATHS = 500


def checked_sections(names) -> list[str]:
    """``names`` if each is a decision section, else an OptionError naming --with."""
    unknown = [n for n in names if n not in DECISION_SECTIONS]
    if unknown:
        raise OptionError("with", f"unknown section {unknown[0]!r} "
                          f"(sections: {', '.join(DECISION_SECTIONS)})")
    return list(names)


def decision_documents(result, names) -> list:
    """The documents of the decision sections ``names`` for a run's result."""
    from .sensitivity import default_strategy, sensitivity
    from .threshold import threshold

    paths = min(result.paths, MAX_PATHS)
    docs = []
    for name in checked_sections(names):
        if name == "sensitivity":
            docs.append(sensitivity(result.scenario, paths=paths, seed=result.seed).document())
        else:
            docs.append(threshold(result.scenario, default_strategy(result),
                                  min(12, result.months), paths=paths,
                                  seed=result.seed).document())
    return docs
