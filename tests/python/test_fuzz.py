"""Fuzzing the scenario loader and the dict API: structured mutations of the bundled
scenarios and raw byte damage. Whatever the input, loading (and running what
loads) ends in a result or in ScenarioError/OptionError with a one-line message:
never another exception, a crash or a hang.

Bounded in CI; run longer with BREAKEVEN_FUZZ_EXAMPLES=20000.
"""

from __future__ import annotations

import copy
import math
import os
from pathlib import Path

import breakeven
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))
SOURCES = [p.read_bytes() for p in SCENARIOS]
DICTS = [yaml.safe_load(b) for b in SOURCES]

FUZZ = settings(
    max_examples=int(os.environ.get("BREAKEVEN_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("BREAKEVEN_FUZZ_EXAMPLES") is None,
)

# Values that broke an earlier version, and their neighbours.
HOSTILE = st.sampled_from(
    [
        1.0e19, -1.0, 0, 1e308, -1e308, 2**64, 2**63, 10**50, 10**400, 5.0, 1e-320,
        "", "\ud800", "a\nb", "\x1b[31m", "x" * 300, None, True, [], {}, [[[]]],
        {"mean": 1e308, "cv": 1e308}, {"p50": 1, "p95": 1e8}, {"per_hour": 1e19},
        {"min": 5, "max": 1}, float("nan"), float("inf"),
    ]
) | st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.text(max_size=20)


def paths_of(data, prefix=()):
    """Every (path tuple) to a value in nested dicts and lists."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from paths_of(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from paths_of(v, (*prefix, i))


def set_at(data, path, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def outcome(load):
    """Load (and run briefly what loads); only the documented errors may come out."""
    try:
        scenario = load()
        result = scenario.run(paths=3, threads=1, progress=False)
        doc = result.as_dict()
    except (breakeven.ScenarioError, breakeven.OptionError) as e:
        message = str(e)
        assert "\n" not in message and message.isprintable(), message
        return "error"
    for s in doc["strategies"]:
        assert all(math.isfinite(x) for x in s["monthly_cost"]["mean"])
    return "ok"


@FUZZ
@given(st.data())
@example(None)  # the bundled scenarios as they are
def test_structured_mutations(data):
    if data is None:
        for d in DICTS:
            assert outcome(lambda d=d: breakeven.load(copy.deepcopy(d))) == "ok"
        return
    scenario = copy.deepcopy(data.draw(st.sampled_from(DICTS)))
    paths = [p for p in paths_of(scenario) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        try:
            set_at(scenario, path, data.draw(HOSTILE))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed the parent
    outcome(lambda: breakeven.load(scenario))


@FUZZ
@given(st.data())
def test_byte_damage(tmp_path_factory, data):
    raw = bytearray(data.draw(st.sampled_from(SOURCES)))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        kind = data.draw(st.sampled_from(["flip", "insert", "delete", "dup"]))
        if kind == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del raw[at : at + data.draw(st.integers(1, 40))]
        else:
            raw[at:at] = raw[at : at + data.draw(st.integers(1, 200))]
    path = tmp_path_factory.mktemp("fuzz") / "damaged.yaml"
    path.write_bytes(bytes(raw))
    outcome(lambda: breakeven.load(path))
