"""Fuzzing sweep files: the bundled sweep and two small ones, with hostile values
for every field (base, paths, seed, design, points, sample_seed, parameters and
their min/max/steps/values), hostile parameter names and byte damage, through
`breakeven.decisions.load_sweep` (every point is checked there, nothing is run)
and a few `breakeven sweep` runs on tiny paths. The contract is in fuzzing.py.

Bounded in CI; run longer with BREAKEVEN_FUZZ_EXAMPLES=2000.
"""

from __future__ import annotations

import copy
import os
import shutil

import pytest
import yaml
from conftest import BASE_YAML
from fuzzing import (HOSTILE, REPO, Sandbox, check_api, check_cli, damage_bytes,
                     fuzz_settings, mutate)
from hypothesis import example, given, reject
from hypothesis import strategies as st

BUNDLED = yaml.safe_load((REPO / "scenarios" / "sweeps" / "self-host-spend.yaml").read_text())
BUNDLED_BASE = REPO / "scenarios" / "self-host-high-spend.yaml"

# Sweep files, each with its base one folder up (as `layout` makes it; the bundled
# sweep's base is copied there).
SWEEPS = [
    BUNDLED,
    {"base": "../small.yaml", "paths": 2, "seed": 3, "design": "random", "points": 4,
     "sample_seed": 1,
     "parameters": {"workloads.chat.requests.per_hour": {"min": 1, "max": 20},
                    "clusters.gpu.gpu_price_per_hour": {"min": 0.5, "max": 3.0}}},
    {"base": "../small.yaml", "paths": 2, "design": "grid",
     "parameters": {"workloads.nightly.output_tokens": {"values": [100, 400]},
                    "clusters.gpu.gpus": {"min": 1, "max": 3, "steps": 2}}},
]

# Where a base may point: missing, not a file, not a scenario, the sweep itself.
BASES = ["../small.yaml", "../self-host-high-spend.yaml", "missing.yaml", "/dev/zero",
         "fifo.yaml", ".", "..", "sweep.yaml", "/etc/passwd", "", "../" * 50 + "x.yaml",
         "\x00.yaml", "a" * 5000]
NAMES = st.sampled_from([
    "", ".", "..", "workloads", "workloads.nope.requests.per_day", "workloads.chat",
    "workloads.chat.requests.per_hour.deeper", "clusters.gpu.gpus.min", "name",
    "horizon_months", "simulation.paths", "strategies.api.route.default", "baseline",
    "workloads.0.name", "__class__.__init__", "a." * 2000 + "b", "\x1b[31m", "\ud800",
    "models.my-model.input",
]) | st.text(max_size=30)
SWEEP_HOSTILE = HOSTILE | st.sampled_from([
    *BASES, "grid", "random", "both", 10**9, 10**7, 100_000, 10_000, 2, 1,
    {"values": []}, {"values": [1] * 10_000}, {"values": "1,2"}, {"min": 0, "max": 1e308},
    {"min": "a", "max": "b"}, {"min": 1, "max": 2, "steps": 10_000}, {"min": 1, "max": 2,
    "steps": 1.5}, {"min": float("nan"), "max": 1}, {"min": 1, "max": 2, "steps": True},
    {"values": [{"a": 1}, None, "x"]},
])


def layout(folder):
    """folder/small.yaml, folder/self-host-high-spend.yaml, folder/fifo.yaml (a
    FIFO) and folder/sweeps/, where the sweep file goes."""
    (folder / "small.yaml").write_text(BASE_YAML)
    shutil.copy(BUNDLED_BASE, folder / "self-host-high-spend.yaml")
    os.mkfifo(folder / "fifo.yaml")
    (folder / "sweeps").mkdir()
    return folder / "sweeps"


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    yield box
    box.close()


def draw_sweep(data) -> bytes:
    draw = data.draw
    doc = copy.deepcopy(draw(st.sampled_from(SWEEPS)))
    if draw(st.booleans()):
        mutate(doc, draw, SWEEP_HOSTILE)
    if draw(st.booleans()) and isinstance(doc.get("parameters"), dict) and doc["parameters"]:
        params = doc["parameters"]
        old = draw(st.sampled_from(sorted(params, key=str)))
        params[draw(NAMES)] = params.pop(old)
    if draw(st.booleans()):
        doc[draw(st.sampled_from(["base", "paths", "seed", "design", "points", "sample_seed",
                                  "parameters", "extra"]))] = draw(SWEEP_HOSTILE)
    try:
        raw = yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, UnicodeError, RecursionError):
        reject()
    if draw(st.integers(0, 4)) == 0:
        raw = damage_bytes(raw, draw)
    return raw


@fuzz_settings(100)
@given(data=st.data())
@example(data=None)  # the sweeps as they are
def test_mutated_sweep_files_load_or_fail_cleanly(sandbox, tmp_path_factory, data):
    sweeps = layout(tmp_path_factory.mktemp("sweep"))
    path = sweeps / "sweep.yaml"
    if data is None:
        for doc in SWEEPS:
            path.write_text(yaml.safe_dump(doc))
            outcome = sandbox.call("load_sweep_case", str(path), timeout=30)
            check_api(outcome, yaml.safe_dump(doc))
            assert outcome.get("points", 0) >= 4, outcome
        return
    path.write_bytes(draw_sweep(data))
    check_api(sandbox.call("load_sweep_case", str(path), timeout=30),
              path.read_text(errors="replace")[:3000])


@fuzz_settings(4)
@given(data=st.data())
def test_mutated_small_sweeps_through_the_cli(sandbox, tmp_path_factory, data):
    sweeps = layout(tmp_path_factory.mktemp("sweep"))
    doc = copy.deepcopy(data.draw(st.sampled_from(SWEEPS[1:])))
    mutate(doc, data.draw, SWEEP_HOSTILE, times=(0, 2))
    doc["paths"] = 2  # the runs stay short; load_sweep fuzzes paths
    path = sweeps / "sweep.yaml"
    path.write_text(yaml.safe_dump(doc))
    argv = ["sweep", str(path), "--workers", "1", "--quiet", "--csv", "t.csv", "--json", "t.json",
            "--heatmap", *data.draw(st.sampled_from([
                ["workloads.chat.requests.per_hour", "clusters.gpu.gpu_price_per_hour",
                 "hosted.savings", "h.png"],
                ["workloads.nightly.output_tokens", "clusters.gpu.gpus", "api.total_cost",
                 "h.png"],
                ["x", "x", "\x1b[31m", "/dev/full"]]))]
    check_cli(sandbox.call("cli_case", argv, str(sweeps), [str(sweeps / "t.json")], timeout=120),
              path.read_text())
