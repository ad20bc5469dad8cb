"""The numeric inputs of a scenario that can move its answer, and how to set one.

Each input is read from the resolved scenario (the engine's values, defaults and
catalog prices included) and written back into a copy of the scenario as written,
where the engine validates it again. Only the models and clusters that some
strategy uses (directly, as overflow or as a rate limit's fallback) are listed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Input:
    """One numeric input: its dotted name, its value, and how to set it."""

    name: str
    value: float
    set: Callable[[dict, float], None]

    def applied(self, data: dict, value: float) -> dict:
        out = copy.deepcopy(data)
        self.set(out, value)
        return out


def _model_field(model: str, key: str):
    def set_(data, v):
        data.setdefault("models", {}).setdefault(model, {})[key] = v

    return set_


def _cluster_field(cluster: str, *keys: str):
    def set_(data, v):
        target = data["clusters"][cluster]
        for k in keys[:-1]:
            target = target.setdefault(k, {})
        target[keys[-1]] = v

    return set_


def _workload(index: int, fn):
    def set_(data, v):
        fn(data["workloads"][index], v)

    return set_


def _set_rate(w, v):
    w["requests"] = {"per_hour": v}


def _set_sigma(w, v):
    spikiness = w.setdefault("spikiness", {})
    spikiness.pop("weekly_p95_over_p5", None)
    spikiness["sigma"] = v


def _tokens(resolved_w: dict, key: str):
    """Scale a token size: mean and sd together (cv kept); for input tokens the
    shared prefix moves with it, so the prefix stays part of the input."""
    mean, sd = resolved_w[key]["mean"], resolved_w[key]["sd"]
    prefix = resolved_w["prefix_tokens"]

    def set_(w, v):
        w[key] = {"mean": v, "cv": sd / mean if mean else 0.0}
        if key == "input_tokens" and prefix:
            w["prefix_tokens"] = prefix * v / mean

    return set_


def used_targets(resolved: dict) -> tuple[list[str], list[str]]:
    """API models and clusters that some strategy uses, in scenario order."""
    routed = {t for s in resolved["strategies"] for t in s["route"].values()}
    clusters = [c for c in resolved["clusters"] if c in routed]
    models = set(routed) - set(clusters)
    models |= {resolved["clusters"][c]["overflow"] for c in clusters} - {None}
    for m in list(models):
        limit = resolved["models"][m].get("rate_limit")
        if limit and limit.get("fallback"):
            models.add(limit["fallback"])
    return [m for m in resolved["models"] if m in models], clusters


def scenario_inputs(resolved: dict) -> list[Input]:
    """Every numeric input that can matter, with its current value."""
    models, clusters = used_targets(resolved)
    out: list[Input] = []
    for m in models:
        spec = resolved["models"][m]
        for key in ("input", "cached_input", "output"):
            if spec.get(key) is not None:
                out.append(Input(f"models.{m}.{key}", spec[key], _model_field(m, key)))
    for i, w in enumerate(resolved["workloads"]):
        name = f"workloads.{w['name']}"
        out += [
            Input(f"{name}.requests_per_hour", w["requests_per_hour"], _workload(i, _set_rate)),
            Input(
                f"{name}.growth_per_month",
                w["growth_per_month"],
                _workload(i, lambda wl, v: wl.__setitem__("growth_per_month", v)),
            ),
            Input(f"{name}.spikiness.sigma", w["spikiness"]["sigma"], _workload(i, _set_sigma)),
        ]
        for key in ("input_tokens", "output_tokens"):
            if w[key]["mean"] > 0:
                out.append(
                    Input(f"{name}.{key}.mean", w[key]["mean"], _workload(i, _tokens(w, key)))
                )
    for c in clusters:
        spec = resolved["clusters"][c]
        fixed = spec["fixed"]
        out += [
            Input(f"clusters.{c}.gpu_price_per_hour", spec["gpu_price_per_hour"],
                  _cluster_field(c, "gpu_price_per_hour")),
            Input(f"clusters.{c}.prefill_tokens_per_s", spec["prefill_tokens_per_s"],
                  _cluster_field(c, "prefill_tokens_per_s")),
            Input(f"clusters.{c}.decode_tokens_per_s", spec["decode_tokens_per_s"],
                  _cluster_field(c, "decode_tokens_per_s")),
            Input(f"clusters.{c}.utilization", spec["utilization"],
                  _cluster_field(c, "utilization")),
            Input(f"clusters.{c}.fixed.setup", fixed["setup"], _cluster_field(c, "fixed", "setup")),
            Input(f"clusters.{c}.fixed.ops_per_month", fixed["ops_per_month"],
                  _cluster_field(c, "fixed", "ops_per_month")),
            Input(f"clusters.{c}.fixed.staff_annual_cost", fixed["staff_annual_cost"],
                  _cluster_field(c, "fixed", "staff_annual_cost")),
        ]
        if fixed["revalidation_every_months"]:
            out.append(
                Input(f"clusters.{c}.fixed.revalidation.cost", fixed["revalidation_cost"],
                      _cluster_field(c, "fixed", "revalidation", "cost"))
            )
    return out
