"""Benchmark harness: the engine against the numpy model on the standard scenario
and on the cluster-heavy hybrid scenario.

    python tests/bench/run.py [--paths 10000] [--numpy-paths 10000] [--micro]

Prints one line each: engine seconds, numpy seconds, their ratio, whether every
strategy's mean total agrees with numpy's within 4 standard errors, workload-hours
per second per core, 1- vs 2-thread speed-up, peak RSS, and the share of time in
traffic and in costing; the same for tests/bench/hybrid.yaml; and a
table of nanoseconds per workload-hour for traffic and for each strategy alone,
against the physical floor: the 64-bit draws a workload-hour needs at this CPU's
generator rate (tests/bench/floor.cpp, compiled here) plus the traffic arithmetic
without draws (expected mode). --micro also builds and runs the
Google Benchmark microbenchmarks (tests/bench/micro.cpp; needs Debian's
libbenchmark-dev). Targets are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import math
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STANDARD = HERE / "standard.yaml"
HYBRID = HERE / "hybrid.yaml"

# One strategy alone, one thread: the costing time of that strategy kind.
ALONE = textwrap.dedent(
    """
    import copy, json, sys, breakeven
    s = breakeven.load(sys.argv[1])
    paths = int(sys.argv[2])
    out = {}
    data = s.data
    for strategy in data["strategies"]:
        one = copy.deepcopy(data)
        one["strategies"] = [strategy]
        one.pop("baseline", None)
        r = breakeven.load(one).run(paths=paths, threads=1, progress=False)
        out[strategy["name"]] = r._core.costing_seconds
    r = s.run(paths=paths, threads=1, progress=False)
    # Expected mode is one path; its fastest of 20 (a single one carries cold caches).
    e = min(s.run(paths=1, threads=1, mode="expected", progress=False)._core.traffic_seconds
            for _ in range(20))
    out["traffic"] = r._core.traffic_seconds
    out["traffic_expected"] = e * paths
    print(json.dumps(out))
    """
)

# Each measurement runs in a fresh interpreter, so peak RSS is that run's alone.
ENGINE = textwrap.dedent(
    """
    import json, resource, sys, time, breakeven
    s = breakeven.load(sys.argv[1])
    paths, threads, mode = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    start = time.perf_counter()
    r = s.run(paths=paths, threads=threads, mode=mode)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "paths": r.paths,
                      "traffic": r._core.traffic_seconds, "costing": r._core.costing_seconds,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "arrays_mb": sum(getattr(r, n).nbytes for n in (
                          "cost", "parts", "workload_cost", "requests", "gpu_hours",
                          "gpu_seconds_served", "demand")) / 2**20,
                      "total": r.cost.sum(axis=2).mean(axis=1).tolist(),
                      "se": (r.cost.sum(axis=2).std(axis=1, ddof=1)
                             / r.paths ** 0.5).tolist()}))
    """
)
NUMPY = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, sys.argv[3])
    import breakeven, numpy_model
    resolved = breakeven.load(sys.argv[1]).resolved()
    start = time.perf_counter()
    cost = numpy_model.simulate(resolved, int(sys.argv[2]), seed=1)
    total = cost.sum(axis=2)
    print(json.dumps({"seconds": time.perf_counter() - start,
                      "total": total.mean(axis=1).tolist(),
                      "se": (total.std(axis=1, ddof=1) / total.shape[1] ** 0.5).tolist()}))
    """
)


def measure(code: str, *args) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def agreement(engine: dict, numpy_run: dict) -> str:
    """Each strategy's engine-minus-numpy mean total in standard errors of the
    difference, and whether all are within 4."""
    z = [
        (e - n) / math.hypot(se, sn)
        for e, n, se, sn in zip(engine["total"], numpy_run["total"], engine["se"],
                                numpy_run["se"])
    ]
    verdict = "all within 4 SE" if all(abs(x) <= 4 for x in z) else "NOT within 4 SE"
    return ", ".join(f"{x:+.1f}" for x in z) + f" SE ({verdict})"


# Standard-normal draws take one 64-bit output in the ziggurat's fast path (about
# 99% of draws); a PD Poisson draw takes a normal and, when step I does not accept
# it (P(z < -1.15 / sqrt(mean)), about 45-49% for means in the hundreds and up), a
# uniform (tests/bench/floor.cpp measures the output rate).
DRAWS_PER_POISSON = 1.47


def draws_per_workload_hour(resolved: dict) -> float:
    draws = 0.0
    for w in resolved["workloads"]:
        draws += DRAWS_PER_POISSON
        draws += (w["input_tokens"]["sd"] > 0) + (w["output_tokens"]["sd"] > 0)
        draws += w["bursts"]["per_month"] > 0
    return draws / len(resolved["workloads"])


def ns_per_draw() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "floor"
        subprocess.run(
            ["c++", "-O3", "-std=c++20", f"-I{ROOT / 'cpp' / 'include'}",
             HERE / "floor.cpp", "-o", exe],
            check=True,
        )
        out = subprocess.run([exe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["ns_per_draw"]


def micro() -> None:
    build = ROOT / "build" / "bench"
    subprocess.run(
        [
            "cmake",
            "-S",
            ROOT,
            "-B",
            build,
            "-DBREAKEVEN_BENCH=ON",
            "-DCMAKE_BUILD_TYPE=Release",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        ["cmake", "--build", build, "-j", str(os.cpu_count())],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([build / "tests" / "bench" / "breakeven_micro"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=10000)
    parser.add_argument("--numpy-paths", type=int, default=10000)
    parser.add_argument("--speedup-paths", type=int, default=2000)
    parser.add_argument("--micro", action="store_true")
    args = parser.parse_args()

    import breakeven

    scenario = breakeven.load(STANDARD)
    resolved = scenario.resolved()
    months, workloads = resolved["horizon_months"], len(resolved["workloads"])
    hours = months * 730
    cores = os.cpu_count() or 1

    engine = measure(ENGINE, STANDARD, args.paths, cores, "stochastic")
    numpy_run = measure(NUMPY, STANDARD, args.numpy_paths, HERE)
    numpy_seconds = numpy_run["seconds"] * args.paths / args.numpy_paths
    one = measure(ENGINE, STANDARD, args.speedup_paths, 1, "stochastic")
    two = measure(ENGINE, STANDARD, args.speedup_paths, 2, "stochastic")

    workload_hours = args.paths * hours * workloads
    busy = engine["traffic"] + engine["costing"]
    scaled = (
        ""
        if args.numpy_paths == args.paths
        else (f" (measured at {args.numpy_paths} paths, scaled linearly)")
    )
    print(
        f"scenario: {STANDARD.relative_to(ROOT)}: {args.paths} paths x {months} months x "
        f"{workloads} workloads x {len(resolved['strategies'])} strategies, {cores} cores"
    )
    from breakeven import _core

    print(f"engine build: {_core.BUILD} (BREAKEVEN_ENGINE_BUILD chooses; same bits)")
    print(f"engine seconds: {engine['seconds']:.2f}")
    print(f"numpy seconds: {numpy_seconds:.2f}{scaled}")
    print(
        f"engine / numpy speed ratio: {numpy_seconds / engine['seconds']:.1f}x (target >= 20x)"
    )
    print(
        f"workload-hours per second per core: "
        f"{workload_hours / engine['seconds'] / cores / 1e6:.1f} million"
    )
    print(
        f"1 -> 2 threads speed-up: {one['seconds'] / two['seconds']:.2f}x at "
        f"{args.speedup_paths} paths (target >= 1.8x)"
    )
    print(
        f"peak RSS: {engine['rss_mb']:.0f} MB "
        f"(result arrays {engine['arrays_mb']:.0f} MB)"
    )
    print(
        f"time shares: traffic {engine['traffic'] / busy:.0%}, "
        f"costing {engine['costing'] / busy:.0%}"
    )
    agree = [f"{e / n - 1:+.2%}" for e, n in zip(engine["total"], numpy_run["total"])]
    print(f"engine vs numpy mean totals: {', '.join(agree)}; "
          f"{agreement(engine, numpy_run)}")

    hybrid = measure(ENGINE, HYBRID, args.paths, cores, "stochastic")
    hybrid_numpy = measure(NUMPY, HYBRID, args.numpy_paths, HERE)
    hybrid_numpy_seconds = hybrid_numpy["seconds"] * args.paths / args.numpy_paths
    print(f"hybrid: engine {hybrid['seconds']:.2f} s, numpy {hybrid_numpy_seconds:.2f} s"
          f"{scaled}: {hybrid_numpy_seconds / hybrid['seconds']:.1f}x (target >= 20x); "
          "mean totals "
          + ", ".join(f"{e / n - 1:+.2%}" for e, n in zip(hybrid["total"],
                                                          hybrid_numpy["total"]))
          + f"; {agreement(hybrid, hybrid_numpy)}")

    alone = measure(ALONE, STANDARD, args.speedup_paths)
    per = args.speedup_paths * hours * workloads / 1e9  # workload-hours, in units of ns
    draws = draws_per_workload_hour(resolved)
    draw_ns = ns_per_draw()
    arithmetic = alone["traffic_expected"] / per
    floor = draws * draw_ns + arithmetic
    print("\nns per workload-hour, one core (standard scenario):")
    print(f"  {'traffic (draws + arithmetic)':<34} {alone['traffic'] / per:6.1f}")
    for name in [s["name"] for s in resolved["strategies"]]:
        print(f"  {'costing: ' + name:<34} {alone[name] / per:6.1f}")
    total = (alone["traffic"] + sum(alone[s["name"]] for s in resolved["strategies"])) / per
    print(f"  {'a path, strategies each alone':<34} {total:6.1f}")
    # Together the strategies share each path's monthly totals (path_totals.cpp).
    together = (engine["traffic"] + engine["costing"]) / (workload_hours / 1e9)
    print(f"  {'a path, all together (main run)':<34} {together:6.1f}")
    print(f"  {'floor: draws':<34} {draws * draw_ns:6.1f}  ({draws:.2f} 64-bit draws at "
          f"{draw_ns:.2f} ns)")
    print(f"  {'floor: traffic arithmetic':<34} {arithmetic:6.1f}  (expected mode)")
    print(f"  {'traffic / floor':<34} {alone['traffic'] / per / floor:6.1f}x")
    print(f"  {'a path / floor':<34} {total / floor:6.1f}x")
    if args.micro:
        micro()


if __name__ == "__main__":
    main()
