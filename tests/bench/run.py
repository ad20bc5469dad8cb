"""Benchmark harness: the engine against the numpy model on the standard scenario
and on the cluster-heavy hybrid scenario.

    python tests/bench/run.py [--paths 10000] [--numpy-paths 10000] [--micro]
                              [--runs 1] [--record]

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

Then the figures the README quotes beside these: the bundled content-platform
example's Scenario.run and what `breakeven run` adds to it, a --precision 0.005 run
of the standard scenario, `breakeven validate`'s start-up, and the x86-64-v3 build
against the baseline one. --runs N repeats the engine-numpy comparisons (the README
gives their range); --record writes everything to tests/bench/results/engine.json,
from which the README's speed figures are rendered (tools/readme_figures.py).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import time
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


# The bundled example as a user runs it: Scenario.run (its own 1,000 paths) five
# times in one interpreter, then the whole `breakeven run` command.
EXAMPLE = textwrap.dedent(
    """
    import json, sys, time, breakeven
    s = breakeven.load(sys.argv[1])
    seconds = []
    for _ in range(5):
        start = time.perf_counter()
        s.run(progress=False)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds}))
    """
)


def measure(code: str, *args, env: dict | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        env=None if env is None else {**os.environ, **env},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def command_seconds(*args: str) -> float:
    """Wall-clock seconds of one `breakeven ...` command, start-up included."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "breakeven", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def z_scores(engine: dict, numpy_run: dict) -> list[float]:
    """Each strategy's engine-minus-numpy mean total in standard errors of the
    difference.
    """
    return [
        (e - n) / math.hypot(se, sn)
        for e, n, se, sn in zip(engine["total"], numpy_run["total"], engine["se"],
                                numpy_run["se"])
    ]


def agreement(engine: dict, numpy_run: dict) -> str:
    """Each strategy's z score (z_scores), and whether all are within 4."""
    z = z_scores(engine, numpy_run)
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


def compare(path: Path, args, cores: int) -> dict:
    """The engine at --paths on every core against the numpy model."""
    engine = measure(ENGINE, path, args.paths, cores, "stochastic")
    numpy_run = measure(NUMPY, path, args.numpy_paths, HERE)
    numpy_seconds = numpy_run["seconds"] * args.paths / args.numpy_paths
    return {"engine": engine, "numpy": numpy_run, "engine_s": engine["seconds"],
            "numpy_s": numpy_seconds, "ratio": numpy_seconds / engine["seconds"],
            "z": z_scores(engine, numpy_run)}


def build_seconds(paths: int) -> dict | None:
    """One thread on the standard scenario with each engine build; None where this
    CPU or package lacks the x86-64-v3 one.
    """
    try:
        seconds = {b: min(measure(ENGINE, STANDARD, paths, 1, "stochastic",
                                  env={"BREAKEVEN_ENGINE_BUILD": b})["seconds"]
                          for _ in range(3))
                   for b in ("baseline", "x86-64-v3")}
    except subprocess.CalledProcessError:
        return None
    return {"paths": paths, "seconds": seconds,
            "speedup": seconds["baseline"] / seconds["x86-64-v3"]}


def extras(speedup_paths: int) -> dict:
    """The figures the README quotes beside the comparison."""
    example = ROOT / "scenarios" / "content-platform.yaml"
    run_s = measure(EXAMPLE, example)["seconds"]
    command_s = min(command_seconds("run", str(example), "--quiet") for _ in range(3))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "precision.json"
        precision_s = command_seconds("run", str(STANDARD), "--precision", "0.005", "--quiet",
                                      "--json", str(out))
        precision_paths = json.loads(out.read_text())["paths"]
    validate_s = min(command_seconds("validate", str(example)) for _ in range(3))
    return {
        "example": {"scenario": str(example.relative_to(ROOT)), "run_s": run_s,
                    "command_s": command_s,
                    # what the command adds to Scenario.run: start-up, report
                    "command_extra_s": command_s - sorted(run_s)[len(run_s) // 2]},
        "precision": {"target": 0.005, "paths": precision_paths, "command_s": precision_s},
        "validate_s": validate_s,
        "builds": build_seconds(speedup_paths),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=10000)
    parser.add_argument("--numpy-paths", type=int, default=10000)
    parser.add_argument("--speedup-paths", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1,
                        help="repeat the engine-numpy comparisons (the README gives their range)")
    parser.add_argument("--micro", action="store_true")
    parser.add_argument("--record", action="store_true",
                        help="write tests/bench/results/engine.json for the README")
    args = parser.parse_args()

    import breakeven

    scenario = breakeven.load(STANDARD)
    resolved = scenario.resolved()
    months, workloads = resolved["horizon_months"], len(resolved["workloads"])
    hours = months * 730
    cores = os.cpu_count() or 1

    runs = []
    for _ in range(max(1, args.runs)):
        runs.append({"standard": compare(STANDARD, args, cores),
                     "hybrid": compare(HYBRID, args, cores)})
    standard, hybrid = runs[0]["standard"], runs[0]["hybrid"]
    engine, numpy_run = standard["engine"], standard["numpy"]
    numpy_seconds = standard["numpy_s"]
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
    whps = workload_hours / engine["seconds"] / cores
    print(f"workload-hours per second per core: {whps / 1e6:.1f} million")
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

    print(f"hybrid: engine {hybrid['engine_s']:.2f} s, numpy {hybrid['numpy_s']:.2f} s"
          f"{scaled}: {hybrid['ratio']:.1f}x (target >= 20x); "
          "mean totals "
          + ", ".join(f"{e / n - 1:+.2%}" for e, n in zip(hybrid["engine"]["total"],
                                                          hybrid["numpy"]["total"]))
          + f"; {agreement(hybrid['engine'], hybrid['numpy'])}")

    def spread(kind: str, key: str) -> list[float]:
        values = [r[kind][key] for r in runs]
        return [min(values), max(values)]

    if len(runs) > 1:
        s_s, s_r, h_r = (spread("standard", "engine_s"), spread("standard", "ratio"),
                         spread("hybrid", "ratio"))
        print(f"{len(runs)} runs: standard engine {s_s[0]:.2f} to {s_s[1]:.2f} s, "
              f"{s_r[0]:.1f}x to {s_r[1]:.1f}x; hybrid {h_r[0]:.1f}x to {h_r[1]:.1f}x")

    alone = measure(ALONE, STANDARD, args.speedup_paths)
    per = args.speedup_paths * hours * workloads / 1e9  # workload-hours, in units of ns
    draws = draws_per_workload_hour(resolved)
    draw_ns = ns_per_draw()
    arithmetic = alone["traffic_expected"] / per
    floor = draws * draw_ns + arithmetic
    names = [s["name"] for s in resolved["strategies"]]
    total = (alone["traffic"] + sum(alone[n] for n in names)) / per
    # Together the strategies share each path's monthly totals (path_totals.cpp).
    together = (engine["traffic"] + engine["costing"]) / (workload_hours / 1e9)
    print("\nns per workload-hour, one core (standard scenario):")
    print(f"  {'traffic (draws + arithmetic)':<34} {alone['traffic'] / per:6.1f}")
    for name in names:
        print(f"  {'costing: ' + name:<34} {alone[name] / per:6.1f}")
    print(f"  {'a path, strategies each alone':<34} {total:6.1f}")
    print(f"  {'a path, all together (main run)':<34} {together:6.1f}")
    print(f"  {'floor: draws':<34} {draws * draw_ns:6.1f}  ({draws:.2f} 64-bit draws at "
          f"{draw_ns:.2f} ns)")
    print(f"  {'floor: traffic arithmetic':<34} {arithmetic:6.1f}  (expected mode)")
    print(f"  {'traffic / floor':<34} {alone['traffic'] / per / floor:6.1f}x")
    print(f"  {'a path / floor':<34} {total / floor:6.1f}x")

    more = extras(args.speedup_paths)
    ex = more["example"]
    print(f"\n{ex['scenario']}: Scenario.run {min(ex['run_s']):.2f} to {max(ex['run_s']):.2f} s "
          f"(5 runs); breakeven run {ex['command_s']:.2f} s")
    pr = more["precision"]
    print(f"breakeven run {STANDARD.relative_to(ROOT)} --precision 0.005: {pr['paths']} paths, "
          f"{pr['command_s']:.2f} s")
    print(f"breakeven validate: {more['validate_s']:.2f} s")
    if more["builds"]:
        b = more["builds"]
        print(f"x86-64-v3 build against baseline, one thread: {b['speedup']:.2f}x")
    if args.micro:
        micro()

    if args.record:
        import record

        def comparison(c: dict) -> dict:
            return {k: c[k] for k in ("engine_s", "numpy_s", "ratio", "z")}

        record.write("engine", {
            "cores": cores, "paths": args.paths, "numpy_paths": args.numpy_paths,
            "speedup_paths": args.speedup_paths,
            "standard": {**comparison(standard), "workload_hours_per_s_per_core": whps,
                         "threads_1_to_2": one["seconds"] / two["seconds"],
                         "rss_mb": engine["rss_mb"], "arrays_mb": engine["arrays_mb"]},
            "hybrid": comparison(hybrid),
            "runs": {"count": len(runs),
                     "standard_engine_s": spread("standard", "engine_s"),
                     "standard_ratio": spread("standard", "ratio"),
                     "hybrid_ratio": spread("hybrid", "ratio")},
            "ns_per_workload_hour": {
                "paths": args.speedup_paths, "traffic": alone["traffic"] / per,
                "costing": {n: alone[n] / per for n in names}, "alone": total,
                "together": together, "draws": draws, "ns_per_draw": draw_ns,
                "arithmetic": arithmetic},
            **more,
        })


if __name__ == "__main__":
    main()
