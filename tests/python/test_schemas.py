"""The JSON Schemas (python/breakeven/data/schemas/) against the engine they
describe: the committed files are the generated ones; every field, form and bound
the scenario schema names is the parser's; every bundled scenario and every
command's --json output validates."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO

import breakeven
from breakeven import schemas, schemas_build
from breakeven._yaml import load_yaml, read_text
from breakeven.cli import main

SCENARIO = schemas.scenario_schema()
VALIDATOR = jsonschema.Draft7Validator(SCENARIO)

# Every field and every form of the scenario schema, in scenarios the engine loads.
FULL = {
    "version": 1, "name": "every field", "description": "all of them",
    "horizon_months": 24, "history": {"days": 14, "logs": "openai-usage"},
    "simulation": {"paths": 10, "seed": 1, "mode": "stochastic", "antithetic": True,
                   "fixed_parameters": False},
    "models": {
        "m": {"input": 1.0, "output": 2.0, "cached_input": 0.1,
              "cache_write_multiplier": 1.25, "cache_min_tokens": 1024,
              "cache_ttl_minutes": 5, "cache_storage_per_mtok_hour": 0.5,
              "cache_ttl_tiers": [{"ttl_minutes": 60, "write_multiplier": 2,
                                   "storage_per_mtok_hour": 1.0}],
              "cache_block_tokens": 128, "batch_discount": 0.5, "provider": "p",
              "source": "s", "as_of": "2026-01", "notes": "n", "max_input_tokens": 200000,
              "price_changes": [{"month": 3, "factor": 0.8, "note": "cut"}],
              "price_trend": {"monthly": -0.02, "sigma": 0.1},
              "price_history": [{"date": "2025-01", "input": 2, "output": 4,
                                 "cached_input": None, "source": "s"},
                                {"date": "2025-06", "cached_input": 0.2}],
              "rate_limit": {"requests_per_minute": 100, "tokens_per_minute": 1e6,
                             "fallback": "n"},
              "long_context": {"above_input_tokens": 200000, "input": 2.0, "output": 4.0,
                               "cached_input": 0.2},
              "service_tiers": {"flex": 0.5, "priority": 2.0}},
        "n": {"input": 1.0, "output": 2.0, "cached_input": None, "rate_limit": None,
              "cache_ttl_tiers": None, "long_context": None, "service_tiers": None},
        "o": {"input": 1.0, "output": 2.0,
              "rate_limit": {"requests_per_minute": 5, "tokens_per_minute": None,
                             "fallback": None},
              "long_context": {"above_input_tokens": 200000, "input": 2.0, "output": 4.0,
                               "cached_input": None}},
        "gpt-5.5": {"batch_discount": 0.4},  # a catalog model: only what changes
    },
    "workloads": [
        {"name": "a", "description": "d", "requests": {"per_hour": 10},
         "input_tokens": 1000, "prefix_tokens": 100, "prefix_variants": 3,
         "output_tokens": 100, "latency": "realtime", "hourly_weights": "consumer",
         "weekday_weights": "weekdays", "growth_per_month": 0.01,
         "spikiness": {"sigma": 0.3, "autocorrelation": 0.5, "hourly_sigma": 0.1,
                       "hourly_autocorrelation": 0.5, "minute_dispersion": 20},
         "bursts": {"per_month": 1, "hours": 6, "multiplier": 3}, "min_quality": 0.5,
         "slo": {"ttft_p95_ms": 800, "tpot_p95_ms": 60},
         "activity": {"on_days": 2, "off_days": 5},
         "uncertainty": {"requests": 0.1, "growth_per_month": 0.02},
         "conversation": {"turns": 2, "gap_minutes": {"p50": 2, "p95": 30},
                          "history_tokens_per_turn": 400, "tokens_per_read": 500}},
        {"name": "b", "requests": {"per_day": 240}, "input_tokens": {"mean": 2000, "cv": 0.5},
         "output_tokens": {"p50": 100, "p95": 300}, "latency": "batch",
         "min_quality": {"floor": 0.5, "probability": 0.9},
         "hourly_weights": [1.0] * 24, "weekday_weights": [1.0] * 7,
         "spikiness": {"weekly_p95_over_p5": 3},
         "conversation": {"turns": {"cdf": [[1, 0.5], [3, 1]]},
                          "gap_minutes": {"cdf": [[1, 0.4], [10, 0.9]]},
                          "history_tokens_per_turn": 1000, "tokens_per_read": None}},
        {"name": "c", "requests": {"per_month": 7300},
         "input_tokens": {"p50": 100, "p95": 400}, "output_tokens": {"mean": 10, "cv": 1}, "latency": {"batch": {"deadline_hours": 12}},
         "conversation": None},
    ],
    "correlation": 0.2,
    "clusters": {
        "gpu": {"description": "d", "gpu_price_per_hour": 2.0, "gpus": 2,
                "prefill_tokens_per_s": 5000, "decode_tokens_per_s": 1000,
                "utilization": 0.7, "prefix_reuse": 0.5, "available_from_month": 1,
                "overflow": "m",
                "fixed": {"setup": 1000, "ops_per_month": 100, "staff_fte": 0.1,
                          "staff_annual_cost": 200000,
                          "revalidation": {"every_months": 6, "cost": 500}},
                "price_changes": [{"month": 1, "factor": 0.9, "note": "n"}],
                "price_trend": {"monthly": -0.01, "sigma": 0.05}},
        "auto": {"offer": "h100-hyperstack",
                 "gpus": {"min": 0, "max": 8, "lag_hours": 1, "scale_to": "slo"},
                 "prefix_cache_tokens": 2e6,
                 "prefill_tokens_per_s": 5000, "decode_tokens_per_s": 1000,
                 "overflow": None,
                 "commitment": {"gpus": 2, "price_per_hour": 2.5, "from_month": 0,
                                "term_months": 12, "renew": True},
                 "spot": {"gpus": 2, "price_per_hour": 1.5, "interruptions_per_month": 2,
                          "outage_hours": 4}},
    },
    "provisioned": {
        "ptu": {"description": "d", "price_per_unit_hour": 0.36,
                "tokens_per_minute_per_unit": 1000, "units": 50, "term_months": 12,
                "overflow": "n", "source": "s", "as_of": "2026-02"},
        "ptu-alone": {"price_per_unit_hour": 1, "tokens_per_minute_per_unit": 500,
                      "units": 1, "overflow": None},
    },
    "quality": {"m": {"a": 0.9, "b": {"mean": 0.9, "sd": 0.05, "low": 0.8, "high": 0.97,
                                      "level": 0.95, "items": 40}},
                "n": {"a": 0.6, "b": 0.5}, "gpu": {"a": 0.8}, "auto": {"b": 0.9}},
    "strategies": [
        {"name": "api", "description": "d", "route": {"default": "m"}, "caching": True,
         "batch_api": True},
        {"name": "hosted", "route": {"default": "auto", "a": "gpu"}},
        {"name": "ttl", "route": {"default": "m"},
         "caching": {"ttl_minutes": 60, "by_workload": {"a": 5}}},
        {"name": "mixed", "route": {"default": {"m": 0.5, "n": 0.5},
                                    "a": {"cascade": ["n", "m"], "escalate": 0.2},
                                    "b": {"cascade": ["n", "m"], "escalate": "from_quality"},
                                    "c": "ptu"},
         "service_tier": "standard"},
    ],
    "baseline": "api",
    "expect": ["hosted.total_cost.mean > 0"],
}


def variant(**fields) -> dict:
    """FULL with top-level fields replaced."""
    return {**copy.deepcopy(FULL), **fields}


BENCH_FILE = str(Path(__file__).resolve().parents[1] / "data" / "serving"
                 / "vllm-concurrency50-Llama-3.3-70B-Instruct.json")
CURVE_POINT = {"file": "f.json", "input_tokens": 5000, "output_tokens": 500,
               "output_tokens_per_s": 814, "total_tokens_per_s": 8954,
               "request_throughput": 1.6, "request_rate": "inf", "max_concurrency": 50,
               "completed": 200, "duration_s": 120, "ttft_ms": {"mean": 830},
               "tpot_ms": {"mean": 59.7}, "itl_ms": {"p99": 100}, "e2el_ms": {"median": 1}}


def served(serving) -> dict:
    """FULL with the serving cluster in another form."""
    clusters = dict(copy.deepcopy(FULL["clusters"]),
                    served={"offer": "h100-hyperstack", "gpus": 2, "serving": serving})
    return variant(clusters=clusters)


# The forms FULL does not take: a correlation matrix; a catalog file; a cluster's
# serving (apart, so that probing a token bound in FULL is not refused by a serving
# cluster's memory fit).
VARIANTS = [FULL, variant(correlation=[[1, 0.5, 0], [0.5, 1, 0], [0, 0, 1]]),
            variant(catalog=str(REPO / "python/breakeven/data/catalog.json")),
            served("llama-3.3-70b/h100/fp8"),
            served({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8",
                    "concurrency": 32, "gpus_per_replica": 2, "curve": [CURVE_POINT],
                    "source": "my bench"}),
            served({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8",
                    "engine": "nim"}),
            served({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8",
                    "bench": [BENCH_FILE]}),
            served({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8",
                    "bench": BENCH_FILE})]


# -- walking a schema and a document together -------------------------------------
def resolve(schema: dict) -> dict:
    """The schema a $ref, or an allOf of one (a $ref with a description), stands for."""
    while "$ref" in schema or len(schema.get("allOf", [])) == 1:
        if "$ref" in schema:
            schema = SCENARIO["definitions"][schema["$ref"].rsplit("/", 1)[1]]
        else:
            schema = schema["allOf"][0]
    return schema


def schema_places(schema: dict, path: str = "", out: set | None = None) -> set:
    """Every field and every alternative form the schema names: 'models.*.input',
    'workloads[].latency|1' (the second form)."""
    out = set() if out is None else out
    schema = resolve(schema)
    for i, sub in enumerate(schema.get("oneOf", [])):
        out.add(f"{path}|{i}")
        schema_places(sub, f"{path}|{i}", out)
    for key, sub in schema.get("properties", {}).items():
        out.add(f"{path}.{key}")
        schema_places(sub, f"{path}.{key}", out)
    if isinstance(schema.get("additionalProperties"), dict):
        schema_places(schema["additionalProperties"], f"{path}.*", out)
    if "items" in schema:
        schema_places(schema["items"], f"{path}[]", out)
    return out


def data_places(schema: dict, data, place: str = "", at: tuple = (),
                out: dict | None = None) -> dict:
    """The places of schema_places that `data` uses, each as (keys and list
    indices of its first use in `data`, its schema)."""
    out = {"": ((), SCENARIO)} if out is None else out
    schema = resolve(schema)
    for i, sub in enumerate(schema.get("oneOf", [])):
        if VALIDATOR.evolve(schema=sub).is_valid(data):
            out.setdefault(f"{place}|{i}", (at, resolve(sub)))
            data_places(sub, data, f"{place}|{i}", at, out)
    if isinstance(data, dict):
        properties = schema.get("properties", {})
        for key, value in data.items():
            if key in properties:
                out.setdefault(f"{place}.{key}", ((*at, key), resolve(properties[key])))
                data_places(properties[key], value, f"{place}.{key}", (*at, key), out)
            elif isinstance(schema.get("additionalProperties"), dict):
                data_places(schema["additionalProperties"], value, f"{place}.*",
                            (*at, key), out)
    if isinstance(data, list) and "items" in schema:
        for i, value in enumerate(data):
            data_places(schema["items"], value, f"{place}[]", (*at, i), out)
    return out


def covered_places() -> dict:
    """place -> (scenario, where in it, schema) over VARIANTS, first use first."""
    out: dict = {}
    for scenario in VARIANTS:
        for place, (at, schema) in data_places(SCENARIO, scenario).items():
            out.setdefault(place, (scenario, at, schema))
    return out


PLACES = covered_places()


def field_path(at: tuple) -> str:
    """As the engine names it: workloads[0].spikiness.sigma."""
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in at).lstrip(".")


def parent_of(scenario: dict, at: tuple):
    for k in at[:-1]:
        scenario = scenario[k]
    return scenario


def with_value(scenario: dict, at: tuple, value) -> dict:
    out = copy.deepcopy(scenario)
    parent_of(out, at)[at[-1]] = value
    return out


def engine_error(scenario: dict) -> breakeven.ScenarioError | None:
    try:
        breakeven.load(scenario)
    except breakeven.ScenarioError as e:
        return e
    return None


# -- the tests -------------------------------------------------------------------
def test_committed_schemas_are_the_generated_ones():
    assert set(schemas_build.SCHEMAS) == set(schemas.NAMES)
    stale = [n for n in schemas.NAMES
             if schemas.schema_text(n) != schemas_build.schema_text(n)]
    assert stale == [], "run: python -m breakeven.schemas_build"


@pytest.mark.parametrize("name", schemas.NAMES)
def test_each_schema_is_a_draft_07_schema(name):
    jsonschema.Draft7Validator.check_schema(schemas.schema(name))


BUNDLED = sorted([*(REPO / "scenarios").glob("*.yaml"), *(REPO / "tests" / "bench").glob("*.yaml"),
                  *(REPO / "tests" / "python" / "golden").glob("*.yaml")])


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(REPO)))
def test_bundled_scenario_validates(path):
    data, _ = load_yaml(read_text(path), str(path))
    errors = [f"{field_path(tuple(e.absolute_path))}: {e.message}"
              for e in VALIDATOR.iter_errors(data)]
    assert errors == []


def test_every_field_and_form_of_the_schema_is_one_the_engine_loads():
    for scenario in VARIANTS:
        assert list(VALIDATOR.iter_errors(scenario)) == []
        breakeven.load(scenario)
    assert schema_places(SCENARIO) - set(PLACES) == set(), "add them to FULL or VARIANTS"


CLOSED = [(place, at) for place, (_, at, schema) in PLACES.items()
          if schema.get("additionalProperties") is False]


@pytest.mark.parametrize("place", [p for p, _ in CLOSED])
def test_an_unknown_field_is_refused_by_both(place):
    scenario, at, _ = PLACES[place]
    bad = with_value(scenario, (*at, "colour"), "blue")
    assert not VALIDATOR.is_valid(bad)
    error = engine_error(bad)
    assert error is not None and error.path == field_path((*at, "colour"))
    assert error.reason.startswith("unknown field")


def bound_probes(schema: dict):
    """(what, value, both accept it) at each end of a numeric field's range: the
    bound itself and the next value outside it, or inside it for an open end."""
    step = 1 if schema.get("type") == "integer" else None

    def beside(x, direction):
        return x + direction if step else math.nextafter(x, direction * math.inf)

    for key, direction in (("minimum", -1), ("maximum", 1)):
        if key in schema:
            x = schema[key]
            yield key, x, True
            yield f"{key} + next", beside(x, direction), False
    for key, direction in (("exclusiveMinimum", 1), ("exclusiveMaximum", -1)):
        if key in schema:
            x = schema[key]
            yield key, x, False
            yield f"{key} inside", beside(x, direction), True


SAME = object()  # the value probed
WORKLOAD_A = FULL["workloads"][0]
# The parser's rules between fields, kept out of the way while one field's bound is
# probed: place -> {where: value to set (SAME: the probed one), or None to drop}.
ALONGSIDE = {
    # the peak rate, rate x largest weights x bursts / on share x growth, is at most
    # the bound
    ".workloads[].requests.per_hour": {
        ("workloads", 0, k): None
        for k in ("hourly_weights", "weekday_weights", "growth_per_month", "bursts",
                  "activity")},
    # prefix_tokens (+ a conversation's history) <= the mean of input_tokens
    ".workloads[].input_tokens|0": {("workloads", 0, "prefix_tokens"): None,
                                    ("workloads", 0, "conversation"): None},
    ".workloads[].input_tokens|1.mean": {("workloads", 1, "conversation"): None},
    ".workloads[].conversation|0.history_tokens_per_turn": {
        ("workloads", 0, "prefix_tokens"): None, ("workloads", 0, "input_tokens"): 1e8,
        ("workloads", 0, "conversation", "tokens_per_read"): None},
    ".workloads[].conversation|0.turns|0": {
        ("workloads", 0, "conversation", "history_tokens_per_turn"): 0},
    # a lognormal gap's p95 > p50
    ".workloads[].conversation|0.gap_minutes|0.p50": {
        ("workloads", 0, "conversation", "gap_minutes", "p95"): 525600},
    # a strategy's TTL is a tier of the model it routes to
    ".models.*.cache_ttl_minutes": {("strategies", 2, "caching", "by_workload"): None},
    ".models.*.cache_ttl_tiers|0[].ttl_minutes": {
        ("strategies", 2, "caching", "ttl_minutes"): SAME},
    ".strategies[].caching|1.ttl_minutes": {
        ("models", "m", "cache_ttl_tiers", 0, "ttl_minutes"): SAME},
    # a route's target scores at least the workload's min_quality
    ".workloads[].min_quality|0": {("quality", "m", "a"): 1e6, ("quality", "gpu", "a"): 1e6,
                                   ("quality", "n", "a"): 1e6},
    # a split's shares add up to 1: one target alone takes 1
    ".strategies[].route.*|1.*": {("strategies", 3, "route", "default", "n"): None},
    ".workloads[].min_quality|1.floor": {("quality", "m", "b"): 1e6,
                                         ("quality", "auto", "b"): 1e6,
                                         ("quality", "n", "b"): 1e6},
    # P(quality >= floor) just under 1 needs a score without spread
    ".workloads[].min_quality|1.probability": {("quality", "m", "b"): 0.9},
    # an eval score: low <= mean <= high, and workload b's P(quality >= 0.5) >= 0.9
    # (and strategy 3's cascade for b from quality, which needs m above n)
    ".quality.*.*|1.mean": {("quality", "m", "b", k): None for k in ("low", "high", "level")}
    | {("workloads", 1, "min_quality"): None, ("strategies", 3, "route", "b"): None},
    ".quality.*.*|1.sd": {("workloads", 1, "min_quality"): None},
    ".quality.*.*|1.low": {("quality", "m", "b", "mean"): SAME,
                           ("quality", "m", "b", "high"): SAME,
                           ("workloads", 1, "min_quality"): None,
                           ("strategies", 3, "route", "b"): None},
    ".quality.*.*|0": {("workloads", 0, "min_quality"): None},
    ".quality.*.*|1.high": {("quality", "m", "b", "mean"): SAME,
                            ("quality", "m", "b", "low"): SAME,
                            ("workloads", 1, "min_quality"): None,
                            ("strategies", 3, "route", "b"): None},
    # p95 >= p50, and the lognormal's mean within the bound of tokens
    ".workloads[].input_tokens|2.p50": {("workloads", 2, "input_tokens", "p95"): SAME},
    ".workloads[].input_tokens|2.p95": {("workloads", 2, "input_tokens", "p50"): SAME},
    ".workloads[].output_tokens|2.p50": {("workloads", 1, "output_tokens", "p95"): SAME},
    ".workloads[].output_tokens|2.p95": {("workloads", 1, "output_tokens", "p50"): SAME},
    # commitment.gpus <= gpus.max, gpus.max >= gpus.min
    ".clusters.*.commitment.gpus": {("clusters", "auto", "gpus", "max"): 1_000_000},
    ".clusters.*.gpus|1.min": {("clusters", "auto", "gpus", "max"): 1_000_000},
    ".clusters.*.gpus|1.max": {("clusters", "auto", "commitment", "gpus"): 1},
    # a positive semidefinite matrix: rho >= -1/(n-1) for n workloads; one has no pairs
    ".correlation|0": {("workloads",): [WORKLOAD_A],
                       ("quality",): {"m": {"a": 0.9}, "n": {"a": 0.6}, "gpu": {"a": 0.8}},
                       ("strategies", 3, "route", "b"): None,
                       ("strategies", 3, "route", "c"): None},
}
# Probes no other field can make pass, with the rule that refuses them.
UNPROBED = {
    # changes compound to a factor in [1/100, 100]: one just above 0 never does
    (".models.*.price_changes[].factor", "exclusiveMinimum inside"),
    (".clusters.*.price_changes[].factor", "exclusiveMinimum inside"),
    # p95 > p50 > 0: p50 at the bound leaves no p95, p95 next to 0 no p50
    (".workloads[].conversation|0.gap_minutes|0.p50", "maximum"),
    (".workloads[].conversation|0.gap_minutes|0.p95", "exclusiveMinimum inside"),
    # a split's shares add up to 1: one just above 0 leaves the rest unassigned
    (".strategies[].route.*|1.*", "exclusiveMinimum inside"),
    # a million requests in flight need more memory than 8 GPUs hold (the fit)
    (".clusters.*.serving|1.concurrency", "maximum"),
}


def probe_scenario(place: str, value) -> dict:
    scenario, at, _ = PLACES[place]
    out = with_value(scenario, at, value)
    for where, other in ALONGSIDE.get(place, {}).items():
        if other is None:
            del parent_of(out, where)[where[-1]]
        else:
            out = with_value(out, where, value if other is SAME else other)
    return out


NUMERIC = sorted(place for place, (_, _, schema) in PLACES.items()
                 if schema.get("type") in ("number", "integer"))


@pytest.mark.parametrize("place", NUMERIC)
def test_each_bound_of_the_schema_is_the_engines(place):
    scenario, at, schema = PLACES[place]
    wrong = []
    for what, value, ok in bound_probes(schema):
        if (place, what) in UNPROBED:
            continue
        probe = probe_scenario(place, value)
        by_schema = VALIDATOR.is_valid(probe)
        error = engine_error(probe)
        if by_schema != ok or (error is None) != ok:
            wrong.append(f"{what} {value!r}: schema {'accepts' if by_schema else 'refuses'}, "
                         f"engine {'accepts' if error is None else 'refuses: ' + str(error)}")
    assert wrong == []


# -- the --json outputs --------------------------------------------------------------
# Two workloads at $1 per 1M input tokens against a cheap cluster: every command has
# something to find, in a few seconds for all of them.
SMALL = {
    "name": "small", "horizon_months": 6, "simulation": {"paths": 40, "seed": 3},
    "models": {"m": {"input": 1.0, "output": 2.0}},
    "workloads": [
        {"name": "w", "requests": {"per_hour": 100}, "input_tokens": 1000,
         "output_tokens": 10},
        {"name": "v", "requests": {"per_hour": 50}, "input_tokens": 1000,
         "output_tokens": 10}],
    "clusters": {"gpu": {"gpu_price_per_hour": 0.05, "gpus": 1,
                         "prefill_tokens_per_s": 1000000000,
                         "decode_tokens_per_s": 1000000000, "fixed": {"setup": 100}}},
    "strategies": [{"name": "api", "route": {"default": "m"}},
                   {"name": "hosted", "route": {"default": "gpu"}}],
}
SWEEP = """\
base: small.json
paths: 20
design: grid
parameters:
  clusters.gpu.gpu_price_per_hour: {values: [0.05, 0.5]}
"""
COMMANDS = {
    "result": ["run", "{d}/small.json", "--quiet"],
    "report": ["report", "{d}/small.json", "--quiet", "--format", "json"],
    "sensitivity": ["sensitivity", "{d}/small.json", "--strategy", "hosted"],
    "threshold": ["threshold", "{d}/small.json", "--strategy", "hosted", "--within", "3"],
    "optimize": ["optimize", "{d}/small.json"],
    "sweep": ["sweep", "{d}/sweep.yaml", "--workers", "1"],
    "ingest": ["ingest", "{d}/logs.jsonl", "--task", "metadata.task", "--bootstrap", "10"],
    "backtest": ["backtest", "{d}/logs.jsonl", "--task", "metadata.task", "--train-days", "10",
                 "--paths", "50"],
    "diff": ["diff", "{d}/small.json", "{d}/small-dearer.json", "--paths", "20"],
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Each command's --json document, written by the command line."""
    folder = tmp_path_factory.mktemp("outputs")
    (folder / "small.json").write_text(json.dumps(SMALL))
    dearer = {**SMALL, "models": {"m": {"input": 1.5, "output": 2.0}}}
    (folder / "small-dearer.json").write_text(json.dumps(dearer))
    (folder / "sweep.yaml").write_text(SWEEP)

    def run(*argv: str) -> int:
        return main([a.format(d=folder) for a in argv])

    assert run("synth-logs", "{d}/small.json", "--days", "15", "--format", "openai",
               "-o", "{d}/logs.jsonl") == 0
    for name, argv in COMMANDS.items():
        to = "-o" if name == "report" else "--json"  # a report is written with -o
        assert run(*argv, to, f"{{d}}/{name}.json") == 0, name
    return {name: json.loads((folder / f"{name}.json").read_text()) for name in COMMANDS}


def test_every_output_has_a_schema():
    assert set(COMMANDS) == set(schemas.NAMES) - {"scenario"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_output_validates_against_its_schema(outputs, name):
    doc = outputs[name]
    errors = [f"{field_path(tuple(e.absolute_path))}: {e.message}"
              for e in jsonschema.Draft7Validator(schemas.schema(name)).iter_errors(doc)]
    assert errors == []
    # its version: the result JSON's own field; the others name their schema
    if name == "result":
        assert doc["version"] == 1
    else:
        assert doc["schema"] == schemas_build.schema_id(name) == f"breakeven.{name}/1"
