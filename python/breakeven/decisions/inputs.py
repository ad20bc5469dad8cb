"""The numeric inputs of a scenario that can move its answer, and how to set one.

Each input is read from the resolved scenario (the engine's values, defaults and
catalog prices included) and set through ``Scenario.with_values`` (one path grammar,
breakeven/edits.py), where the engine validates it again. Only the models and
clusters that some strategy uses (directly, as overflow or as a rate limit's
fallback) are listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..edits import REMOVE
from ..routes import route_targets


@dataclass(frozen=True)
class Input:
    """One numeric input: its dotted name, its value, and the edits that set it."""

    name: str
    value: float
    edits: Callable[[float], dict[str, object]]

    def applied(self, scenario, value: float):
        """``scenario`` with this input at ``value``."""
        return scenario.with_values(self.edits(value))


def _field(path: str) -> Callable[[float], dict]:
    return lambda v: {path: v}


def _rate(workload: str) -> Callable[[float], dict]:
    return lambda v: {f"{workload}.requests": {"per_hour": v}}


def _sigma(workload: str) -> Callable[[float], dict]:
    # sigma replaces the p95/p5 ratio it is otherwise derived from
    return lambda v: {f"{workload}.spikiness.weekly_p95_over_p5": REMOVE,
                      f"{workload}.spikiness.sigma": v}


def _tokens(workload: str, resolved_w: dict, key: str) -> Callable[[float], dict]:
    """Scale a token size: mean and sd together (cv kept); for input tokens the
    shared prefix moves with it, so the prefix stays part of the input."""
    mean, sd = resolved_w[key]["mean"], resolved_w[key]["sd"]
    prefix = resolved_w["prefix_tokens"]

    def edits(v: float) -> dict:
        out: dict[str, object] = {f"{workload}.{key}": {"mean": v,
                                                        "cv": sd / mean if mean else 0.0}}
        if key == "input_tokens" and prefix:
            out[f"{workload}.prefix_tokens"] = prefix * v / mean
        return out

    return edits


def used_targets(resolved: dict) -> tuple[list[str], list[str], list[str]]:
    """API models, clusters and provisioned deployments that some strategy uses, in
    scenario order."""
    routed = {t for s in resolved["strategies"] for t in route_targets(s)}
    clusters = [c for c in resolved["clusters"] if c in routed]
    provisioned = [p for p in resolved["provisioned"] if p in routed]
    models = set(routed) - set(clusters) - set(provisioned)
    models |= {resolved["clusters"][c]["overflow"] for c in clusters} - {None}
    models |= {resolved["provisioned"][p]["overflow"] for p in provisioned} - {None}
    for m in list(models):
        limit = resolved["models"][m].get("rate_limit")
        if limit and limit.get("fallback"):
            models.add(limit["fallback"])
    return [m for m in resolved["models"] if m in models], clusters, provisioned


def scenario_inputs(resolved: dict) -> list[Input]:
    """Every numeric input that can matter, with its current value."""
    models, clusters, provisioned = used_targets(resolved)
    out: list[Input] = []
    for m in models:
        spec = resolved["models"][m]
        for key in ("input", "cached_input", "output"):
            if spec.get(key) is not None:
                out.append(Input(f"models.{m}.{key}", spec[key], _field(f"models.{m}.{key}")))
    for w in resolved["workloads"]:
        name = f"workloads.{w['name']}"
        out += [
            Input(f"{name}.requests_per_hour", w["requests_per_hour"], _rate(name)),
            Input(f"{name}.growth_per_month", w["growth_per_month"],
                  _field(f"{name}.growth_per_month")),
            Input(f"{name}.spikiness.sigma", w["spikiness"]["sigma"], _sigma(name)),
        ]
        for key in ("input_tokens", "output_tokens"):
            if w[key]["mean"] > 0:
                out.append(Input(f"{name}.{key}.mean", w[key]["mean"], _tokens(name, w, key)))
    for c in clusters:
        spec = resolved["clusters"][c]
        fixed = spec["fixed"]
        # A cluster's serving: fixes its rates (catalog or bench): they are not
        # typed inputs, and typing them beside serving: is an error.
        rates = () if spec.get("serving") else ("prefill_tokens_per_s", "decode_tokens_per_s")
        for key in ("gpu_price_per_hour", *rates, "utilization"):
            out.append(Input(f"clusters.{c}.{key}", spec[key], _field(f"clusters.{c}.{key}")))
        for key in ("setup", "ops_per_month", "staff_annual_cost"):
            out.append(Input(f"clusters.{c}.fixed.{key}", fixed[key],
                             _field(f"clusters.{c}.fixed.{key}")))
        if fixed["revalidation_every_months"]:
            path = f"clusters.{c}.fixed.revalidation.cost"
            out.append(Input(path, fixed["revalidation_cost"], _field(path)))
    for p in provisioned:
        for key in ("price_per_unit_hour", "tokens_per_minute_per_unit"):
            path = f"provisioned.{p}.{key}"
            out.append(Input(path, resolved["provisioned"][p][key], _field(path)))
    return out
