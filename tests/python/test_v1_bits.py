"""Model v2 adds to v1 without moving it: a scenario that uses none of the v2 fields
gives the same bits as the v1 engine. The fingerprints below were computed by the v1
engine (commit 882f663) on these scenarios, 40 paths, seed 11, 2 threads.
"""

from __future__ import annotations

import hashlib

import breakeven
import numpy as np
import pytest
from conftest import REPO

V1_FINGERPRINTS = {
    "caching-low-traffic": "e30ebdd2b2bde3c5",
    "caching-production": "31b10126c4eb7f8b",
    "content-platform": "99556c90d3278a45",
    "growth": "164271fbd94a12cb",
    "overnight-batch": "919b859c32037208",
    "self-host-high-spend": "3e47922f5772ccb3",
    "self-host-low-spend": "bdf5e4cade36e487",
    "spend-by-task": "a66f3ce03cd1c11e",
    "spiky-traffic": "53b9412bcdade35e",
}


@pytest.mark.parametrize("name", sorted(V1_FINGERPRINTS))
def test_v1_scenarios_give_the_v1_bits(name):
    r = breakeven.load(REPO / "scenarios" / f"{name}.yaml").run(
        paths=40, seed=11, threads=2, progress=False
    )
    h = hashlib.sha256()
    # v1 had no rate_limited column: the first four request columns.
    for a in (r.cost, r.parts, r.workload_cost, r.requests[..., :4], r.gpu_hours):
        h.update(np.ascontiguousarray(a).tobytes())
    assert h.hexdigest()[:16] == V1_FINGERPRINTS[name]
