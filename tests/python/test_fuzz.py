"""Fuzzing the scenario loader and the dict API: structured mutations of the bundled
scenarios and raw byte damage. Whatever the input, loading (and running what
loads) ends in a result or in ScenarioError/OptionError with a one-line message:
never another exception, a crash or a hang.

Bounded in CI; run longer with BREAKEVEN_FUZZ_EXAMPLES=20000. Logs, sweep files
and the options of every command are fuzzed in test_fuzz_logs.py,
test_fuzz_sweep.py and test_fuzz_cli.py; the shared pieces are in fuzzing.py.
"""

from __future__ import annotations

import copy
import math
import breakeven
import yaml
from fuzzing import REPO, HOSTILE, damage_bytes, fuzz_settings, paths_of, set_at
from hypothesis import example, given
from hypothesis import strategies as st

SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))
SOURCES = [p.read_bytes() for p in SCENARIOS]
DICTS = [yaml.safe_load(b) for b in SOURCES]

FUZZ = fuzz_settings(150)


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
    raw = damage_bytes(data.draw(st.sampled_from(SOURCES)), data.draw)
    path = tmp_path_factory.mktemp("fuzz") / "damaged.yaml"
    path.write_bytes(raw)
    outcome(lambda: breakeven.load(path))
