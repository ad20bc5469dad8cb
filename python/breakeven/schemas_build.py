"""Writes the JSON Schemas of python/breakeven/data/schemas/ from the compact
descriptions below and the engine's bounds (``_core.LIMITS``).

    python -m breakeven.schemas_build        # rewrite the files
    python -m breakeven.schemas_build --check

The C++ parser stays the validator (cpp/src/scenario_parse.cpp); the scenario
schema describes its rules for editors and tools. tests/python/test_schemas.py
keeps the two together: the committed files equal what this writes, every field
the schema names is one the engine accepts, every bound is the engine's (probed at
the engine: the value at the bound passes, the next one out fails), and every
bundled scenario and every command's ``--json`` output validates.

Draft-07, the draft yaml-language-server and VS Code read best.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from . import _core
from .schemas import schema_id

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "schemas"

_L = _core.LIMITS
# Bounds of scenario_parse.cpp and limits.hpp that _core.LIMITS does not carry
# (yet); test_schemas.py probes each at the engine, so a change there fails a test
# until it is made here too.
ENGINE_BOUNDS = {
    "max_quality": 1e6,
    "max_expectations": 1000,
    "max_token_cv": 100.0,
    "min_tokens_per_second": 1e-6,
    "max_tokens_per_second": 1e12,
    "max_fixed_cost": 1e15,
    "max_price_factor": 100.0,
    "max_monthly_trend": 0.5,
    "max_burst_multiplier": 1e4,
    "max_cache_ttl_minutes": 7 * 24 * 60,
    "max_prefix_variants": 1_000_000_000,
    "max_deadline_hours": 24 * 365,
    "max_lag_hours": 24 * 365,
    "max_price_changes": 1000,
    "max_cache_write_multiplier": 100,
    "max_term_months": 120,
    "max_available_from_month": 100_000,
    "max_staff_fte": 1e6,
    "max_revalidation_every_months": 100_000,
}
_B = ENGINE_BOUNDS
HOURS_PER_MONTH = _core.HOURS_PER_MONTH
HOURLY_PRESETS = ["flat", "business_hours", "consumer", "overnight"]
WEEKDAY_PRESETS = ["flat", "weekdays", "weekend_heavy"]


# -- building blocks --------------------------------------------------------------
def number(lo=None, hi=None, doc="", *, lo_open=False, hi_open=False) -> dict:
    """A finite number in [lo, hi] (an open end where ``*_open``)."""
    out: dict = {"type": "number"}
    if lo is not None:
        out["exclusiveMinimum" if lo_open else "minimum"] = lo
    if hi is not None:
        out["exclusiveMaximum" if hi_open else "maximum"] = hi
    return _doc(out, doc)


def integer(lo, hi=None, doc="") -> dict:
    """A whole number in [lo, hi] (2.0 is one, as for the engine)."""
    out = {"type": "integer", "minimum": lo}
    if hi is not None:
        out["maximum"] = hi
    return _doc(out, doc)


def string(doc="") -> dict:
    return _doc({"type": "string"}, doc)


def boolean(doc="") -> dict:
    return _doc({"type": "boolean"}, doc)


def ref(name: str, doc="") -> dict:
    # Draft-07 ignores a $ref's siblings: a description goes beside an allOf.
    return {"allOf": [{"$ref": f"#/definitions/{name}"}], "description": doc} if doc else {
        "$ref": f"#/definitions/{name}"}


def mapping(properties: dict, required=(), doc="", **extra) -> dict:
    """An object of these fields only: the engine rejects unknown keys."""
    out = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    out.update(extra)
    return _doc(out, doc)


def named_mapping(values: dict, doc="", most=None) -> dict:
    """{NAME: value}: keys are names (as ``name``) of what they define."""
    out = {"type": "object", "propertyNames": {"$ref": "#/definitions/name"},
           "additionalProperties": values}
    if most is not None:
        out["maxProperties"] = most
    return _doc(out, doc)


def array(items: dict, lo=None, hi=None, doc="") -> dict:
    out: dict = {"type": "array", "items": items}
    if lo is not None:
        out["minItems"] = lo
    if hi is not None:
        out["maxItems"] = hi
    return _doc(out, doc)


def one_of(*forms, doc="") -> dict:
    return _doc({"oneOf": list(forms)}, doc)


def nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}], **(
        {"description": schema["description"]} if "description" in schema else {})}


def _doc(schema: dict, doc: str) -> dict:
    if doc:
        schema["description"] = doc
    return schema


def document(title: str, doc: str, body: dict, definitions: dict | None = None) -> dict:
    out = {"$schema": DRAFT, "title": title, "description": doc, **body}
    if definitions:
        out["definitions"] = definitions
    return out


# -- the scenario file -------------------------------------------------------------
def scenario_definitions() -> dict:
    tokens = _L["max_tokens_per_request"]
    price = _L["max_price_per_million"]
    gpu_price = _L["max_gpu_price_per_hour"]
    horizon = _L["max_horizon_months"]
    fixed = _B["max_fixed_cost"]
    return {
        "name": {
            "type": "string", "minLength": 1, "maxLength": _L["max_name_length"],
            "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
            "description": "A name plans refer to: not empty, no control characters, "
                           f"at most {_L['max_name_length']} bytes (UTF-8)."},
        "tokens": one_of(
            number(0, tokens, "Every request this many tokens."),
            mapping({"mean": number(0, tokens), "cv": number(0, _B["max_token_cv"],
                                                             "sd / mean")},
                    ["mean", "cv"], "Gamma-distributed with this mean and coefficient "
                    "of variation."),
            mapping({"p50": number(0, tokens, lo_open=True),
                     "p95": number(0, tokens, lo_open=True)},
                    ["p50", "p95"], "Lognormal with this median and 95th percentile "
                    "(p95 >= p50)."),
            doc="Tokens per request: a number, {mean, cv} or {p50, p95}."),
        "hourly_weights": one_of(
            {"enum": HOURLY_PRESETS},
            array(number(0), 24, 24, "24 numbers, hour 0 to 23, divided by their mean."),
            doc="The daily cycle: a preset or 24 numbers; default flat."),
        "weekday_weights": one_of(
            {"enum": WEEKDAY_PRESETS},
            array(number(0), 7, 7, "7 numbers, Monday to Sunday, divided by their mean."),
            doc="The weekly cycle: a preset or 7 numbers; default flat."),
        "price_changes": array(mapping({
            "month": integer(0, horizon, "The month the change takes effect."),
            "factor": number(0, _B["max_price_factor"], "Multiplies the price from "
                             "that month on.", lo_open=True),
            "note": string()}, ["month", "factor"]), hi=_B["max_price_changes"],
            doc="Dated step changes of the price; they compound to at most "
                f"{_B['max_price_factor']:g}x either way."),
        "price_trend": mapping({
            "monthly": number(-0.5, _B["max_monthly_trend"], "Central rate of change "
                              "per month (-0.05: 5% cheaper each month).", lo_open=True),
            "sigma": number(0, 1, "Spread of the rate over paths (lognormal).")},
            ["monthly"], "A price that drifts month by month, the rate drawn per path."),
        "cache_tier": mapping({
            "ttl_minutes": number(0, _B["max_cache_ttl_minutes"], lo_open=True),
            "write_multiplier": number(0, _B["max_cache_write_multiplier"],
                                       "Price of a write, times input; default 1."),
            "storage_per_mtok_hour": number(0, price, "USD per 1M tokens kept per hour; "
                                            "default 0.")},
            ["ttl_minutes"], "A prompt-cache retention a provider sells."),
        "cdf": array(array(number(), 2, 2), 1, _L["max_cdf_points"],
                     "[[value, share], ...]: values increasing, shares not decreasing, "
                     "within 0..1."),
        "conversation": mapping({
            "turns": one_of(
                number(1, _L["max_mean_turns"], "Mean turns per conversation "
                       "(geometric)."),
                mapping({"cdf": ref("cdf")}, ["cdf"], "P(turns <= k) at whole k up "
                        f"to {_L['max_turns']}; the last share 1."),
                doc="Turns per conversation."),
            "gap_minutes": one_of(
                mapping({"p50": number(0, _L["max_gap_minutes"], lo_open=True),
                         "p95": number(0, _L["max_gap_minutes"], lo_open=True)},
                        ["p50", "p95"], "Lognormal (p95 > p50)."),
                mapping({"cdf": ref("cdf")}, ["cdf"], "P(gap <= minutes), linear "
                        "between points from (0, 0), flat after the last: the rest "
                        "come after any TTL."),
                doc="Minutes between consecutive turns."),
            "history_tokens_per_turn": number(0, tokens, "Tokens each turn adds to the "
                                              "next turn's prompt (its new input and "
                                              "its output)."),
            "tokens_per_read": nullable(number(0, tokens, "Measured tokens beyond the "
                                               "prefix a read of the previous turn "
                                               "covers (default: its prompt)."))},
            ["turns", "gap_minutes", "history_tokens_per_turn"],
            "Multi-turn traffic: each turn re-sends the conversation so far, cached "
            "when the gap is within the TTL."),
        "model": mapping({
            "input": number(0, price, "USD per 1M input tokens."),
            "output": number(0, price, "USD per 1M output tokens."),
            "cached_input": nullable(number(0, price, "USD per 1M cached input tokens; "
                                            "null: no prompt caching.")),
            "cache_write_multiplier": number(0, _B["max_cache_write_multiplier"],
                                             "Price of writing the cache, times input."),
            "cache_min_tokens": number(0, tokens, "Shortest prefix the API caches."),
            "cache_ttl_minutes": number(0, _B["max_cache_ttl_minutes"],
                                        "How long an entry lives after its last use "
                                        "(the default tier).", lo_open=True),
            "cache_storage_per_mtok_hour": number(0, price, "USD per 1M tokens kept "
                                                  "per hour (the default tier)."),
            "cache_ttl_tiers": nullable(array(ref("cache_tier"),
                                              hi=_L["max_cache_tiers"] - 1,
                                              doc="Other TTLs the provider sells.")),
            "cache_block_tokens": number(1, tokens, "Cached tokens come in whole blocks "
                                         "of this many (OpenAI: 128)."),
            "batch_discount": number(0, 1, "Share off the price on the batch API."),
            "provider": string(), "source": string("Where the prices come from."),
            "as_of": string("Date of the prices."), "notes": string(),
            "max_input_tokens": number(1, _L["max_tokens_per_request"],
                                       "The context window (listed, not priced)."),
            "price_changes": ref("price_changes"), "price_trend": ref("price_trend"),
            "price_history": array(mapping({
                "date": string(), "input": number(), "output": number(),
                "cached_input": nullable(number()), "source": string()}, ["date"]),
                doc="Dated list prices, for the record only."),
            "rate_limit": nullable(mapping({
                "requests_per_minute": number(0, _L["max_requests_per_hour"] / 60),
                "tokens_per_minute": nullable(number(
                    0, _L["max_requests_per_hour"] / 60 * _L["max_tokens_per_request"],
                    "Input and output tokens a minute.")),
                "fallback": nullable(string("API model that takes what the limit "
                                            "refuses."))},
                ["requests_per_minute"], "Requests beyond the limit go to the fallback, "
                "else count as rate-limited.")),
            "long_context": nullable(mapping({
                "above_input_tokens": number(0, tokens, "A request with more input tokens "
                                             "pays these prices for all of them.",
                                             lo_open=True),
                "input": number(0, price), "output": number(0, price),
                "cached_input": nullable(number(0, price, "Required when the model has a "
                                                "cached_input price."))},
                ["above_input_tokens", "input", "output"],
                "A long-context tier (USD per 1M tokens).")),
            "service_tiers": nullable(mapping({
                "flex": number(0, 1, "Multiplier of every token price."),
                "priority": number(1, 100, "Multiplier of every token price.")},
                doc="Service tiers sold beside the standard one.")),
            },
            doc="An API model; a catalog model's fields are merged under these, so "
                "input and output are needed only for a model the catalog lacks."),
        "fixed": mapping({
            "setup": number(0, fixed, "Once, in month 0 (USD)."),
            "ops_per_month": number(0, fixed, "USD per month."),
            "staff_fte": number(0, _B["max_staff_fte"], "Full-time staff."),
            "staff_annual_cost": number(0, fixed, "USD per FTE per year."),
            "revalidation": mapping({
                "every_months": integer(1, _B["max_revalidation_every_months"]),
                "cost": number(0, fixed)}, ["every_months", "cost"],
                "A recurring cost, e.g. re-evaluating the model.")},
            doc="The cluster's fixed costs."),
        "cluster": mapping({
            "description": string(),
            "offer": string("A GPU offer of the catalog: fills in the prices "
                            "(breakeven models lists them)."),
            "gpu_price_per_hour": number(0, gpu_price, "On-demand USD per GPU-hour; "
                                         "required unless offer gives it."),
            "gpus": one_of(
                integer(0, _L["max_gpus"], "A fixed number of GPUs."),
                mapping({"min": integer(0, _L["max_gpus"]),
                         "max": integer(1, _L["max_gpus"], "At least min."),
                         "lag_hours": integer(0, _B["max_lag_hours"], "Hours a scaling "
                                              "decision takes."),
                         "scale_to": {"enum": ["utilization", "slo"], "description":
                                      "utilization (default): the hour's demand at "
                                      "utilization; slo: also the fewest replicas that "
                                      "keep the routed real-time workloads' slos."}},
                        ["min", "max"], "Autoscaled between min and max."),
                doc="GPUs: a number, or {min, max, lag_hours, scale_to} to autoscale."),
            "serving": one_of(
                string("MODEL/GPU/PRECISION or MODEL/GPU/PRECISION/ENGINE of the serving "
                       "catalog (breakeven models lists it), e.g. llama-3.3-70b/h100/fp8."),
                mapping({
                    "model": string("A model of the serving catalog."),
                    "gpu": string("A GPU of the serving catalog."),
                    "precision": string("bf16, fp8, int4, fp4 or mxfp4."),
                    "engine": string("The engine whose published figure to use."),
                    "concurrency": number(1, _L["max_serving_concurrency"],
                                          "Requests in flight per replica (default 64)."),
                    "gpus_per_replica": {"enum": [1, 2, 4, 8], "description":
                                         "Tensor-parallel GPUs per replica; default: "
                                         "the fewest that hold the model and KV cache."},
                    "bench": one_of(string(), array(string(), 1), doc=(
                        "vLLM bench serve --save-result JSON or SGLang bench_serving "
                        "JSONL files (relative to the scenario's folder).")),
                    "curve": array({"type": "object"}, 1, 1000,
                                   "Measured points, as bench reads them."),
                    "source": string()}, ["model", "gpu", "precision"],
                    "Your own measurements (bench) or a catalog entry with options."),
                doc="Rates, replica size and memory fit from the serving catalog (not "
                    "with prefill_tokens_per_s/decode_tokens_per_s)."),
            "prefill_tokens_per_s": number(_B["min_tokens_per_second"],
                                           _B["max_tokens_per_second"], "Per GPU."),
            "decode_tokens_per_s": number(_B["min_tokens_per_second"],
                                          _B["max_tokens_per_second"], "Per GPU."),
            "utilization": number(0, 1, "Share of the throughput usable; default 1.",
                                  lo_open=True),
            "prefix_reuse": number(0, 1, "Share of prefix prefill saved by reuse."),
            "prefix_cache_tokens": number(0, _L["max_prefix_cache_tokens"],
                                          "KV memory for prefix caching, in tokens: "
                                          "the reuse follows from the workloads "
                                          "(not with prefix_reuse)."),
            "available_from_month": integer(0, _B["max_available_from_month"]),
            "overflow": nullable(string("API model that takes what the cluster "
                                        "cannot serve.")),
            "fixed": ref("fixed"),
            "price_changes": ref("price_changes"), "price_trend": ref("price_trend"),
            "commitment": mapping({
                "gpus": integer(1, _L["max_gpus"], "At most the cluster's GPUs."),
                "price_per_hour": number(0, gpu_price, "Required unless offer gives it."),
                "from_month": integer(0, horizon, "Default: available_from_month."),
                "term_months": integer(1, _B["max_term_months"]),
                "renew": boolean()}, ["gpus"], "Reserved GPUs, paid whether used or not."),
            "spot": mapping({
                "gpus": integer(1, _L["max_gpus"]),
                "price_per_hour": number(0, gpu_price, "Required unless offer gives it."),
                "interruptions_per_month": number(0, HOURS_PER_MONTH),
                "outage_hours": integer(1, HOURS_PER_MONTH * 12)},
                ["gpus", "interruptions_per_month", "outage_hours"],
                "Spot GPUs, interrupted at random.")},
            ["gpus"],
            "A self-hosted GPU cluster.",
            allOf=[{"anyOf": [{"required": ["gpu_price_per_hour"]}, {"required": ["offer"]}]},
                   {"oneOf": [{"required": ["serving"]},
                              {"required": ["prefill_tokens_per_s", "decode_tokens_per_s"]}]}],
            **{"not": {"required": ["prefix_reuse", "prefix_cache_tokens"]}}),
        "workload": mapping({
            "name": ref("name"), "description": string(),
            "requests": mapping({
                "per_hour": number(0, _L["max_requests_per_hour"]),
                "per_day": number(0, _L["max_requests_per_hour"] * 24),
                "per_month": number(0, _L["max_requests_per_hour"] * HOURS_PER_MONTH)},
                doc="The base rate: exactly one of per_hour, per_day, per_month.",
                minProperties=1, maxProperties=1),
            "input_tokens": ref("tokens"), "output_tokens": ref("tokens"),
            "prefix_tokens": number(0, doc="Shared prompt prefix, at most the mean of "
                                    "input_tokens."),
            "prefix_variants": integer(1, _B["max_prefix_variants"],
                                       "Distinct prefixes, each cached apart."),
            "conversation": nullable(ref("conversation")),
            "uncertainty": mapping({
                "requests": number(0, _L["max_sigma"], "Relative standard error of the "
                                   "base rate (lognormal per path)."),
                "growth_per_month": number(0, _L["max_growth_uncertainty"],
                                           "Standard error of the growth (normal per "
                                           "path).")},
                doc="Parameter uncertainty: each path draws its own rate and growth."),
            "latency": one_of(
                {"enum": ["realtime", "batch"]},
                mapping({"batch": mapping({
                    "deadline_hours": integer(1, _B["max_deadline_hours"])},
                    ["deadline_hours"])}, ["batch"]),
                doc="realtime (default), batch (24 h deadline) or "
                    "{batch: {deadline_hours: N}}."),
            "hourly_weights": ref("hourly_weights"),
            "weekday_weights": ref("weekday_weights"),
            "growth_per_month": number(-1, doc="Fraction per month, compounded.",
                                       lo_open=True),
            "spikiness": mapping({
                "sigma": number(0, _L["max_sigma"], "Sd of the weekly log-multiplier."),
                "weekly_p95_over_p5": number(
                    1, math.exp(2 * _core.Z95 * _L["max_sigma"]),
                    "Ratio of a busy week to a quiet one (p95 / p5)."),
                "autocorrelation": number(0, 1, "Week to week."),
                "hourly_sigma": number(0, _L["max_sigma"], "Hour-level noise."),
                "hourly_autocorrelation": number(0, 1, "Hour to hour.", hi_open=True),
                "minute_dispersion": number(0, _L["max_minute_dispersion"],
                                            "Variance / mean of requests per minute "
                                            "within an hour (1: Poisson; 0: even).")},
                doc="Week-to-week swings (mean 1): at most one of sigma, "
                    "weekly_p95_over_p5.",
                **{"not": {"required": ["sigma", "weekly_p95_over_p5"]}}),
            "activity": mapping({
                "on_days": number(1, _L["max_activity_days"], "Mean run of days on."),
                "off_days": number(1, _L["max_activity_days"], "Mean run of days off.")},
                ["on_days", "off_days"],
                "A client that switches on and off for days at a time; requests per "
                "hour stays the mean over days on and off."),
            "bursts": mapping({
                "per_month": number(0, HOURS_PER_MONTH, "Bursts starting per month."),
                "hours": integer(1, HOURS_PER_MONTH, "Length of a burst."),
                "multiplier": number(0, _B["max_burst_multiplier"])},
                ["per_month", "hours", "multiplier"], "Rare surges."),
            "min_quality": one_of(
                number(0, _B["max_quality"], "Routes need a quality: score (its mean) at "
                       "least this."),
                mapping({"floor": number(0, _B["max_quality"]),
                         "probability": number(0, 1, lo_open=True, hi_open=True)},
                        ["floor", "probability"],
                        "Routes need P(quality >= floor) >= probability under the "
                        "score's sd (normal)."),
                doc="A quality floor, or a floor with the probability to clear it."),
            "slo": mapping({
                "ttft_p95_ms": number(0, _L["max_slo_ms"],
                                      "p95 time to first token, ms.", lo_open=True),
                "tpot_p95_ms": number(0, _L["max_slo_ms"], "p95 time per output token "
                                      "after the first, ms.", lo_open=True)},
                doc="A real-time workload's latency SLO at the clusters it is routed "
                    "to (either limit or both); the result counts the hours in breach.",
                minProperties=1)},
            ["name", "requests", "input_tokens", "output_tokens"],
            "A task category and its traffic."),
        "provisioned": mapping({
            "description": string(),
            "price_per_unit_hour": number(0, gpu_price, "USD per unit and hour, used or "
                                          "not."),
            "tokens_per_minute_per_unit": number(
                0, _L["max_requests_per_hour"] / 60 * _L["max_tokens_per_request"],
                "Input and output tokens a minute one unit serves.", lo_open=True),
            "units": integer(1, _L["max_provisioned_units"]),
            "term_months": integer(1, horizon, "Paid in whole terms (default 1)."),
            "overflow": nullable(string("API model without a rate limit for the excess; "
                                        "none: rate-limited.")),
            "source": string(), "as_of": string()},
            ["price_per_unit_hour", "tokens_per_minute_per_unit", "units"],
            "Provisioned throughput (docs/model.md \"Provisioned throughput and "
            "long-context tiers\")."),
        "route": one_of(
            string("A model, cluster or provisioned deployment."),
            {"type": "object", "minProperties": 1, "maxProperties": _L["max_route_legs"],
             "additionalProperties": number(0, 1, lo_open=True),
             "description": "A split: {MODEL or CLUSTER: share}, shares adding up to 1 "
                            f"(within {_L['route_share_tolerance']:g})."},
            mapping({"cascade": array(string(), 2, 2, "[CHEAP, STRONG]: STRONG an API "
                                                      "model."),
                     "escalate": one_of(number(0, 1, "The share escalated."),
                                        {"enum": ["from_quality"],
                                         "description": "1 - q_cheap / q_strong from "
                                                        "quality:."})},
                    ["cascade", "escalate"], "A cascade: every request to CHEAP, a share "
                                             "escalated to STRONG and paid again."),
            doc="Where a workload's requests go (docs/model.md \"Routes that split and "
                "cascade\")."),
        "strategy": mapping({
            "name": ref("name"), "description": string(),
            "route": {"type": "object", "additionalProperties": ref("route"),
                      "description": "{WORKLOAD or default: ROUTE}; default covers the "
                                     "workloads not named."},
            "caching": one_of(
                boolean("Prompt caching at each model's default TTL."),
                mapping({"ttl_minutes": number(0, _B["max_cache_ttl_minutes"],
                                               "A TTL tier of the routed models.",
                                               lo_open=True),
                         "by_workload": {"type": "object", "additionalProperties":
                                         number(0, _B["max_cache_ttl_minutes"],
                                                lo_open=True),
                                         "description": "{WORKLOAD: TTL minutes}."}},
                        doc="Caching on, at these TTLs."),
                doc="Prompt caching: true, false or {ttl_minutes, by_workload}."),
            "batch_api": boolean("Batch workloads on the batch API."),
            "service_tier": {"enum": ["standard", "flex", "priority"],
                             "description": "Every routed model sells it (its "
                                            "service_tiers)."}},
            ["name", "route"], "A plan to price."),
    }


def scenario_schema() -> dict:
    simulation = {"paths": integer(1, _L["max_paths"]),
                  "seed": integer(0, _L["max_seed"]),
                  "mode": {"enum": ["stochastic", "expected"]},
                  "antithetic": boolean("Paths in pairs with negated shocks."),
                  "fixed_parameters": boolean("Workloads' parameters without their "
                                              "uncertainty on every path.")}
    score = one_of(
        number(0, _B["max_quality"], "A score."),
        mapping({"mean": number(0, _B["max_quality"]),
                 "sd": number(0, _B["max_quality"], "Of the mean (bootstrap)."),
                 "low": number(0, _B["max_quality"], "At most mean."),
                 "high": number(0, _B["max_quality"], "At least mean."),
                 "level": number(0, 1, "Of the interval [low, high].", lo_open=True,
                                 hi_open=True),
                 "items": integer(1, None, "Eval items behind the mean.")}, ["mean"],
                "An eval's score (breakeven quality import): low, high and level "
                "together."),
        doc="A number, or an eval's {mean, sd, low, high, level, items}.")
    quality = {"type": "object", "additionalProperties": {
        "type": "object", "additionalProperties": score},
        "description": "{MODEL or CLUSTER: {WORKLOAD: score}} for min_quality."}
    return document(
        "breakeven scenario, version 1",
        "A breakeven scenario file (docs/model.md). The engine validates; this "
        "schema describes the fields for editors.",
        mapping({
            "version": {"type": "integer", "const": 1},
            "name": ref("name"), "description": string(),
            "horizon_months": integer(1, _L["max_horizon_months"]),
            "simulation": mapping(simulation, doc="Run defaults; options override them."),
            "models": named_mapping(ref("model"), "API models, merged over the catalog's "
                                    "by name.", _L["max_models"]),
            "workloads": array(ref("workload"), 1, _L["max_workloads"]),
            "correlation": one_of(
                number(-1, 1, "The same for every pair of workloads."),
                array(array(number(-1, 1))),
                doc="Of the weekly shocks: a number or a symmetric positive "
                    "semidefinite matrix with unit diagonal, in workload order."),
            "clusters": named_mapping(ref("cluster"), "Self-hosted GPU clusters.",
                                      _L["max_clusters"]),
            "provisioned": named_mapping(ref("provisioned"), "Provisioned throughput "
                                         "(units bought for a term).", _L["max_clusters"]),
            "strategies": array(ref("strategy"), 1, _L["max_strategies"]),
            "baseline": string("The strategy savings are measured against; default the "
                               "first."),
            "quality": quality,
            "history": mapping({
                "days": number(1 / 24, _L["max_history_days"], "Days of logs fitted."),
                "logs": string("What they were, e.g. openai-usage.")}, ["days"],
                "The logs a fitted scenario came from (ingest -o writes it); a "
                f"forecast from under {_L['short_history_days']:g} days says so in every "
                "output."),
            "catalog": string("A pricing catalog file (relative to this file), instead "
                              "of the bundled one; --catalog overrides it."),
            "expect": array(string(), hi=_B["max_expectations"],
                            doc="Planning assertions checked after a run."),
        }, ["name", "horizon_months", "workloads", "strategies"]),
        scenario_definitions())


# -- the --json outputs ---------------------------------------------------------------
SERIES = array(number(), doc="One value per month, month 0 first.")


def band(se: bool, doc="") -> dict:
    """mean, (se,) p5, p50, p95 of a statistic over paths."""
    keys = ["mean", "se", "p5", "p50", "p95"] if se else ["mean", "p5", "p50", "p95"]
    return mapping({k: number() for k in keys}, keys, doc)


def band_series(se: bool, doc="") -> dict:
    keys = ["mean", "se", "p5", "p50", "p95"] if se else ["mean", "p5", "p50", "p95"]
    return mapping({k: SERIES for k in keys}, keys, doc)


def series_by(names, doc="") -> dict:
    return mapping({n: SERIES for n in names}, names, doc)


def month_or_null(doc="") -> dict:
    return nullable(integer(1, _L["max_horizon_months"], doc or "null: not within the "
                            "horizon."))


def output(name: str, title: str, doc: str, properties: dict, optional=()) -> dict:
    """A command's --json document: its fields, all required but ``optional``, and
    ``schema``, the name and version of this schema, first."""
    properties = {"schema": {"const": schema_id(name)}, **properties}
    return document(title, doc, mapping(
        properties, [k for k in properties if k not in optional]))


def result_schema() -> dict:
    strategy = {
        "name": string(),
        "monthly_cost": band_series(True, "Cost of each month over paths (USD)."),
        "cumulative_cost": band_series(False, "Cost to the end of each month (USD)."),
        "parts": series_by(list(_core.PART_NAMES), "Mean cost by part, per month."),
        "workload_cost": {"type": "object", "additionalProperties": SERIES,
                          "description": "Mean cost by workload, per month."},
        "requests": series_by(list(_core.SERVED_NAMES), "Mean requests by where they "
                              "went, per month."),
        "gpu_hours": SERIES,
        "details": series_by([*_core.DETAIL_NAMES, "on_demand_gpu_hours",
                              "on_demand_gpu_cost"], "GPU-hours and cost by kind."),
        "utilization": SERIES,
        "utilization_over_horizon": number(0),
        "slo": {"type": "object", "additionalProperties": mapping(
                    {"breach_hours": SERIES, "p_met": number(0, 1)},
                    ["breach_hours", "p_met"]),
                "description": "Per workload with an slo: mean hours in breach per "
                "month and P(SLO met), the share of hours not in breach. Present "
                "when a workload has an slo."},
        "total_cost": band(True, "Total over the horizon (USD)."),
        "savings_vs_baseline": band(False, "Share of the baseline's total saved."),
        "break_even": nullable(mapping({
            "p_within_horizon": number(0, 1),
            "p50_month": month_or_null(), "p90_month": month_or_null(),
            "savings_at_horizon": band(False, "Baseline total minus this one (USD)."),
            "month_probability": SERIES}, ["p_within_horizon", "p50_month", "p90_month",
                                           "savings_at_horizon", "month_probability"],
            "null for the baseline."))}
    properties = {
        "version": {"type": "integer", "const": 1, "description": "Of this format."},
        "engine_version": string(), "scenario": string(),
        "mode": {"enum": ["stochastic", "expected"]},
        "paths": integer(1, _L["max_paths"]), "seed": integer(0, _L["max_seed"]),
        "antithetic": boolean(), "horizon_months": integer(1, _L["max_horizon_months"]),
        "baseline": string(), "workloads": array(string()),
        "precision": mapping({"target": number(0, lo_open=True), "met": boolean()},
                             ["target", "met"], "Present for a run to a precision."),
        "history": history_schema(),
        "serving": {"type": "object", "additionalProperties": serving_basis_schema(),
                    "description": "Per cluster whose rates came from `serving:`, where "
                    "they came from. Present when a cluster has one."},
        "band_sources": band_sources_schema(),
        "strategies": array(mapping(strategy, [k for k in strategy if k != "slo"]), 1),
        "price_paths": {"type": "object", "additionalProperties": band_series(False),
                        "description": "Price factor of each price path, per month."}}
    return document("breakeven result JSON, version 1",
                    "What `breakeven run --json` and Result.to_json write (docs/model.md).",
                    mapping(properties, [k for k in properties
                                         if k not in ("precision", "history",
                                                      "serving", "band_sources")]))


def serving_basis_schema() -> dict:
    """Where a cluster's rates came from (docs/model.md "Serving catalog and memory
    fit"), as the engine's serving_json writes it."""
    numbers = ("concurrency", "context_tokens", "weights_gb", "kv_cache_gb", "usable_gb",
               "prefill_calibration", "decode_calibration",
               "prefill_tokens_per_s_per_replica", "decode_tokens_per_s_per_replica")
    fields = {"model": string(), "gpu": string(), "precision": string(),
              "engine": nullable(string()),
              "basis": {"enum": ["measured", "estimate", "bench"], "description":
                        "measured: a published throughput; estimate: a roofline ESTIMATE; "
                        "bench: the user's vLLM or SGLang bench file."},
              "gpus_per_replica": integer(1), **{k: number(0) for k in numbers},
              "source": string(), "as_of": string(),
              "curve": array({"type": "object"}, doc="A bench's points as given.")}
    return mapping(fields, list(fields))


def band_sources_schema() -> dict:
    """Result.band_sources(): how much of each band is parameter uncertainty."""
    totals = {k: number(0) for k in ("p5", "p95", "traffic_p5", "traffic_p95")}
    row = mapping({**totals, "parameter_share": number(0, 1)},
                  [*totals, "parameter_share"])
    return mapping({"paths": integer(1, _L["max_paths"]),
                    "strategies": {"type": "object", "additionalProperties": row}},
                   ["paths", "strategies"],
                   "Present where the paths draw parameters (a workload's uncertainty:): "
                   "per strategy the horizon total's p5 and p95, the same run with fixed "
                   "parameters (traffic noise alone), and the parameters' share of the "
                   "total's variance.")


def history_schema() -> dict:
    """A fitted scenario's logs, as the result JSON carries them."""
    return mapping({"days": number(0, _L["max_history_days"], lo_open=True),
                    "logs": string(), "short": boolean()}, ["days", "logs", "short"],
                   f"Present for a scenario fitted from logs; short: under "
                   f"{_L['short_history_days']:g} days, a forecast whose level, growth and "
                   "swings are mostly assumed.")


def against_fields() -> dict:
    """What a decision compares with (decisions/optimize.py, compared)."""
    from .decisions.optimize import AGAINST

    return {"against": {"enum": list(AGAINST), "description": "The scenario's baseline, or "
                        "best-api: the cheapest API-only plan within quality."},
            "against_label": string("The baseline's name, or best-api's plan spelled out.")}


def sensitivity_schema() -> dict:
    outcome = mapping({"savings_at_horizon": number(),
                       "break_even_p50_month": month_or_null(),
                       "p_within_horizon": number(0, 1)},
                      ["savings_at_horizon", "break_even_p50_month", "p_within_horizon"])
    effect = mapping({"input": string("Field path of the input moved."),
                      "value": number(doc="As planned."), "low": outcome, "high": outcome,
                      "swing": number(0)}, ["input", "value", "low", "high", "swing"])
    return output("sensitivity", "breakeven sensitivity --json",
                  "Each input moved -/+delta (docs/decisions.md).", {
                      "scenario": string(), "strategy": string(), "baseline": string(),
                      **against_fields(), "delta": number(0, lo_open=True), "paths": integer(1, _L["max_paths"]),
                      "seed": integer(0, _L["max_seed"]), "base": outcome,
                      "effects": array(effect, doc="Largest swing first."),
                      "no_effect": array(string()),
                      "invalid": {"type": "object", "additionalProperties": string(),
                                  "description": "Input: why a move is invalid."}})


def threshold_schema() -> dict:
    step = mapping({"scale": number(0), "probability": number(0, 1),
                    "baseline_monthly": number(0)},
                   ["scale", "probability", "baseline_monthly"])
    return output("threshold", "breakeven threshold --json",
                  "The traffic scale from which a strategy pays (docs/decisions.md).", {
                      "scenario": string(), "strategy": string(), "baseline": string(),
                      **against_fields(), "within": integer(1, _L["max_horizon_months"]),
                      "probability": number(0, 1), "workload": nullable(string()),
                      "paths": integer(1, _L["max_paths"]),
                      "seed": integer(0, _L["max_seed"]),
                      "scale": nullable(number(0)), "scale_low": nullable(number(0)),
                      "scale_high": nullable(number(0)),
                      "baseline_monthly": nullable(number(0)),
                      "outside": {"enum": ["", "below", "above"]},
                      "search": array(number(0), 2, 2), "steps": array(step)})


def optimize_schema() -> dict:
    from .decisions.optimize import OBJECTIVES

    plan = mapping({"route": {"type": "object", "additionalProperties": string()},
                    "caching": boolean(),
                    "cache_ttl_minutes": {"type": "object",
                                          "additionalProperties": number(0),
                                          "description": "{WORKLOAD: TTL minutes} where "
                                                         "not the model's default tier."},
                    "batch_api": boolean(), "mean": number(),
                    "p95": number(), "cvar95": number(), "unserved_share": number(0, 1),
                    "p95_monthly": number(),
                    "slo_met": number(0, 1, "The least P(SLO met) of its workloads with "
                                      "an slo (1 without).")},
                   ["route", "caching", "cache_ttl_minutes", "batch_api", "mean", "p95",
                    "cvar95", "unserved_share", "p95_monthly", "slo_met"])
    return output("optimize", "breakeven optimize --json",
                  "The best plan and the Pareto front (docs/decisions.md).", {
                      "scenario": string(), "objective": {"enum": list(OBJECTIVES)},
                      "budget": nullable(number(0)), "max_unserved": number(0, 1),
                      "paths": integer(1, _L["max_paths"]),
                      "seed": integer(0, _L["max_seed"]), "runs": integer(0),
                      **against_fields(), "best": plan, "baseline": plan,
                      "savings": mapping({k: number() for k in ("mean", "p5", "p95",
                                                                "share")},
                                         ["mean", "p5", "p95", "share"]),
                      "yaml": string("The best plan as a strategy to paste."),
                      "cluster_sizes": {"type": "object", "additionalProperties": mapping(
                          {"cluster": string(), "gpus": integer(0, _L["max_gpus"])},
                          ["cluster", "gpus"])},
                      "pareto": array(plan)})


def sweep_schema() -> dict:
    cell = {"type": ["number", "string", "boolean", "null"]}
    return output("sweep", "breakeven sweep --json",
                  "One row per point: its parameters and STRATEGY.COLUMN values "
                  "(docs/decisions.md).", {
                      "scenario": string(),
                      "paths": nullable(integer(1, _L["max_paths"])),
                      "seed": nullable(integer(0, _L["max_seed"])),
                      "parameters": array(string()),
                      "rows": array({"type": "object", "additionalProperties": cell})})


def ingest_schema() -> dict:
    def row(fields: dict) -> dict:
        return mapping(fields, list(fields))

    n = number(0)
    return output("ingest", "breakeven ingest --json",
                  "The spend view of usage logs (docs/ingest.md).", {
                      "format": string(), "files": array(string()),
                      "task_field": string(), "records": integer(0),
                      "ingested": integer(0),
                      "start": _doc(string(), "ISO 8601, UTC"), "end": string(),
                      "days": n, "total_cost": n, "cached_share_of_input": number(0, 1),
                      "cost_mismatches": integer(0),
                      "cost_mismatch_threshold": n,
                      "by_task": array(row({
                          "task": string(), "cost": n, "requests": n,
                          "input_tokens": n, "cached_tokens": n, "output_tokens": n,
                          "reasoning_tokens": _doc(n, "output tokens spent on reasoning "
                                                      "(within output_tokens)"),
                          "share": number(0, 1),
                          "weekly_trend": nullable(number())})),
                      "by_task_and_model": array(row({
                          "task": string(), "model": string(),
                          "provider": nullable(string("as the logs name it "
                                                      "(gen_ai.provider.name), if they do")),
                          "requests": n,
                          "input_tokens": n, "cached_tokens": n, "output_tokens": n,
                          "reasoning_tokens": n, "cost": n, "list_cost": nullable(n), "cost_mismatch": n,
                          "share": number(0, 1), "cached_share": number(0, 1),
                          "cost_per_1k_requests": n})),
                      "routing_savings": array(row({
                          "task": string(), "model": string(), "cost_now": n,
                          "cost_there": n, "saving": n, "saving_share": number(0, 1)})),
                      "problems": array(row({"kind": string(), "count": integer(0),
                                             "first": array(string())})),
                      "notes": array(string()), "cannot_give": array(string()),
                      "cache_replay": nullable(array(row({
                          "task": string(), "ttl_minutes": number(0, lo_open=True),
                          "requests": integer(0), "input_tokens": n, "cached_tokens": n,
                          "cached_share": number(0, 1), "written_tokens": n,
                          "cost": nullable(n), "models": string()}),
                          doc="The prefix cache replayed over --prefix-hashes per task "
                              "and TTL (null without hashes); cost null where the "
                              "catalog sells no such tier for the model.")),
                      "conversations": array(row({
                          "task": string(), "conversations": integer(0),
                          "requests": integer(0), "mean_turns": number(1),
                          "turns_cdf": array(array(number(), 2, 2)),
                          "gap_minutes_cdf": array(array(number(), 2, 2)),
                          "gap_p50_minutes": n, "gap_p95_minutes": n,
                          "history_tokens_per_turn": number(),
                          "prefix_tokens": n, "prefix_source": {
                              "enum": ["hashes", "cached tokens", "none"]},
                          "horizon_minutes": n, "notes": array(string())}),
                          doc="Per task with session ids: its conversations "
                              "(docs/ingest.md).")})


def backtest_schema() -> dict:
    from .logs.backtest import METRICS, PIT_BINS, UNITS, VERDICTS

    metric = {"enum": list(METRICS)}
    share = number(0, 1)
    calibration = mapping({
        "metric": metric,
        "scope": {"enum": ["tasks", "total"], "description":
                  "tasks: every task's held-out days pooled; total: the days of the sum."},
        "units": {"enum": list(UNITS.values())}, "n": integer(0, doc="Held-out values."),
        "coverage_50": nullable(share), "se_50": nullable(number(0)),
        "coverage_90": nullable(share), "se_90": nullable(number(0)),
        "pit_histogram": array(integer(0), PIT_BINS, PIT_BINS),
        "pit_below_10": nullable(share), "pit_above_90": nullable(share),
        "chi2": nullable(number(0)), "chi2_p": nullable(share),
        "interval_score_50": nullable(number(0)), "interval_score_90": nullable(number(0)),
        "mean_actual": nullable(number(0)), "verdict": {"enum": list(VERDICTS)}},
        ["metric", "scope", "units", "n", "coverage_50", "se_50", "coverage_90", "se_90",
         "pit_histogram", "pit_below_10", "pit_above_90", "chi2", "chi2_p",
         "interval_score_50", "interval_score_90", "mean_actual", "verdict"])
    return output("backtest", "breakeven backtest --json",
                  "Held-out days against the simulated bands (docs/ingest.md).", {
                      "train_days": integer(1), "test_days": integer(1),
                      "paths": integer(1, _L["max_paths"]),
                      "summary": array(mapping({
                          "task": string(), "metric": metric, "days": integer(1),
                          "coverage": number(0, 1), "coverage_50": number(0, 1),
                          "pinball": number(0), "relative_pinball": nullable(number(0)),
                          "interval_score_50": number(0), "interval_score_90": number(0)},
                          ["task", "metric", "days", "coverage", "coverage_50", "pinball",
                           "relative_pinball", "interval_score_50", "interval_score_90"])),
                      "calibration": array(calibration),
                      "min_verdict_days": integer(1),
                      "days": array(mapping({
                          "task": string(), "metric": metric, "day": string(),
                          "actual": number(0), "p5": number(0), "p25": number(0),
                          "p50": number(0), "p75": number(0), "p95": number(0),
                          "inside": boolean(), "inside_50": boolean(),
                          "pit": number(0, 1, hi_open=True)},
                          ["task", "metric", "day", "actual", "p5", "p25", "p50", "p75",
                           "p95", "inside", "inside_50", "pit"])),
                      "verdict": array(string())})


def diff_schema() -> dict:
    side = mapping({"scenario": string(), "file": nullable(string())}, ["scenario", "file"])
    pair = mapping({"a": nullable(number()), "b": nullable(number())}, ["a", "b"])
    months = mapping({"a": month_or_null(), "b": month_or_null()}, ["a", "b"])
    change = mapping({"path": string("Field path in the resolved scenario."),
                      "kind": {"enum": ["changed", "added", "removed"]},
                      "old": {"description": "A's value (null: not in A)."},
                      "new": {"description": "B's value (null: not in B)."}},
                     ["path", "kind", "old", "new"])
    strategy = mapping({"name": string(),
                        "total_cost": mapping({"a": number(), "b": number(),
                                               "delta": number(),
                                               "relative": nullable(number())},
                                              ["a", "b", "delta", "relative"]),
                        "break_even_p50_month": months, "p_break_even": pair},
                       ["name", "total_cost", "break_even_p50_month", "p_break_even"])
    return output("diff", "breakeven diff --json",
                  "Two scenarios on the same random numbers (docs/exports.md).", {
                      "a": side, "b": side, "paths": integer(1, _L["max_paths"]),
                      "seed": integer(0, _L["max_seed"]),
                      "mode": {"enum": ["stochastic", "expected"]},
                      "changes": array(change), "strategies": array(strategy),
                      "only_in_a": array(string()), "only_in_b": array(string())})


def report_schema() -> dict:
    result = {k: v for k, v in result_schema().items() if k not in ("$schema", "$id")}
    table = mapping({"header": array(string()), "rows": array(array(string()))},
                    ["header", "rows"])
    section = mapping({"title": string(), "text": string(), "table": nullable(table)},
                      ["title", "text", "table"])
    return output("report", "breakeven report --format json",
                  "A run's report as data: the recommendation, the result JSON, the "
                  "resolved scenario and the text and tables of every section.", {
                      "recommendation": string(), "result": result,
                      "assumptions": {"type": "object",
                                      "description": "The scenario as the engine read it."},
                      "sections": array(section)})


SCHEMAS = {"scenario": scenario_schema, "result": result_schema, "report": report_schema,
           "sensitivity": sensitivity_schema, "threshold": threshold_schema,
           "optimize": optimize_schema, "sweep": sweep_schema, "ingest": ingest_schema,
           "backtest": backtest_schema, "diff": diff_schema}


def schema_text(name: str) -> str:
    """The file's text: stable key order and indentation, so a diff reads."""
    return json.dumps(SCHEMAS[name](), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    stale = []
    for name in SCHEMAS:
        path = SCHEMA_DIR / f"{name}.json"
        text = schema_text(name)
        if path.exists() and path.read_text("utf-8") == text:
            continue
        stale.append(path.name)
        if "--check" not in argv:
            SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
    verb = "stale" if "--check" in argv else "written"
    print(f"{verb}: {', '.join(stale)}" if stale else "schemas up to date")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
