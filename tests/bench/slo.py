"""The cost of latency SLOs (docs/model.md "SLOs in a run"): the standard scenario
with and without an slo on every real-time workload, one thread, best of --runs.

    python tests/bench/slo.py [--paths 2000] [--runs 3]

Prints the seconds of each run and the ratio, and the rate-ceiling set-up (a run of
one path) apart from the per-path cost. Reported, never asserted.
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import breakeven
import yaml

STANDARD = Path(__file__).resolve().parent / "standard.yaml"
SLO = {"ttft_p95_ms": 2000, "tpot_p95_ms": 100}


def best_of(scenario, paths: int, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        scenario.run(paths=paths, threads=1, progress=False)
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    data = yaml.safe_load(STANDARD.read_text())
    with_slo = copy.deepcopy(data)
    for w in with_slo["workloads"]:
        if w.get("latency", "realtime") == "realtime":
            w["slo"] = SLO
    plain, slo = breakeven.load(data), breakeven.load(with_slo)
    for paths in (1, args.paths):
        a, b = best_of(plain, paths, args.runs), best_of(slo, paths, args.runs)
        print(f"{paths:>6} paths: without slo {a:.3f} s, with {b:.3f} s "
              f"(x{b / a:.2f}, +{b - a:.3f} s)")


if __name__ == "__main__":
    main()
