"""What a decision compares a strategy with (``--against``): the scenario's baseline,
or the best API-only plan within quality ("best-api"), which users usually mean by
"self-hosting against the API" (docs/decisions.md "Against the best API plan").

The best API plan is the optimizer's own search restricted to API models and single
routes, so the two never disagree on a cost, a quality rule or a flag. It is chosen
once, at the scenario's values, on the decision's paths and seed, and then held: a
threshold scales traffic and a sensitivity moves prices under a fixed plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import OptionError

AGAINST = ("baseline", "best-api")
BEST_API = "best-api"  # the name of the plan's strategy, in the scenario and outputs


@dataclass(frozen=True)
class Against:
    """What a decision compares with: ``kind`` (one of AGAINST) and ``label``, how
    outputs name it (the baseline's name, or the best API plan spelled out)."""

    kind: str
    label: str


def best_api(scenario, paths: int | None = None, seed: int | None = None,
             threads: int | None = None) -> tuple[dict, str]:
    """The cheapest plan, by mean total cost over the horizon on these paths and
    seed, that sends each workload to one API model its min_quality allows, with the
    caching and batch flags (and TTL tiers) the optimizer would choose: a strategy
    named ``best-api`` and its label ("best-api: gpt-5-mini for chat, ...")."""
    from ..constants import DEFAULT_MAX_UNSERVED
    from .optimize import optimize

    try:
        found = optimize(scenario, "mean", paths=paths, seed=seed, threads=threads,
                         api_only=True)
    except OptionError as e:
        if e.option != "max_unserved":
            raise
        raise OptionError("against", f"no API-only plan leaves at most "
                          f"{DEFAULT_MAX_UNSERVED:.1%} of requests unserved (rate "
                          "limits without a fallback)") from None
    plan = found.best.plan
    by_model: dict[str, list[str]] = {}
    for workload, model in plan.route:
        by_model.setdefault(model, []).append(workload)
    routes = ", ".join(f"{m} for {_listed(ws)}" for m, ws in by_model.items())
    flags = f"caching {plan.caching_label()}, batch API {'on' if plan.batch_api else 'off'}"
    return plan.strategy(BEST_API), f"{BEST_API}: {routes} ({flags})"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def compared(scenario, against: str, paths: int | None = None, seed: int | None = None,
             threads: int | None = None):
    """``scenario`` with the strategy to compare against as its baseline, and what it
    is (an Against). For best-api the plan is added as a strategy named best-api."""
    if against not in AGAINST:
        raise OptionError("against", f"must be one of {', '.join(AGAINST)} (got {against!r})")
    if against == "baseline":
        return scenario, Against(against, scenario.baseline)
    if BEST_API in scenario.strategies:
        raise OptionError("against", f"the scenario already has a strategy named "
                          f"{BEST_API!r}: rename it to compare against the best API plan")
    strategy, label = best_api(scenario, paths, seed, threads)
    written = scenario.data["strategies"]
    return (scenario.with_values({"strategies": [*written, strategy], "baseline": BEST_API}),
            Against(against, label))
