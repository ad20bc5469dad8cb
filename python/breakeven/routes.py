"""The models and clusters on a resolved strategy's routes: a route is one target,
a split or a cascade (docs/model.md "Routes that split and cascade"); its legs say
where each share of a workload's requests goes."""

from __future__ import annotations


def targets_by_workload(strategy: dict) -> dict[str, list[str]]:
    """Each workload's models and clusters, in the order of its route's legs."""
    return {w: [leg["target"] for leg in legs] for w, legs in strategy["route_legs"].items()}


def route_targets(strategy: dict) -> list[str]:
    """Every model and cluster a resolved strategy routes to, once, in route order."""
    seen: dict[str, None] = {}
    for targets in targets_by_workload(strategy).values():
        seen.update(dict.fromkeys(targets))
    return list(seen)
