"""Variance reduction of antithetic variates, per statistic and scenario.

    python tests/bench/antithetic.py [--paths 4000] [SCENARIO ...] [--record]

One antithetic run per scenario: for each statistic, the variance of its mean
estimated as from independent paths (var / n) against as from antithetic pairs
(var of pair means / pairs). A ratio above 1 is the factor of paths saved for the
same standard error; below 1, antithetic pairs would widen that interval.

--record runs tests/bench/standard.yaml and the bundled scenarios (unless SCENARIOs
are named) and writes every ratio to tests/bench/results/antithetic.json, from
which the README's figures are rendered (tools/readme_figures.py). The runs are
seeded, so the ratios are the same on any machine; they take about half a minute,
too long for every CI run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import breakeven
import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def reduction(values: np.ndarray) -> float:
    n = len(values) // 2 * 2
    v = values[:n]
    iid = v.var(ddof=1) / n
    pairs = 0.5 * (v[0::2] + v[1::2])
    paired = pairs.var(ddof=1) / len(pairs)
    return float(iid / paired) if paired > 0 else float("inf") if iid > 0 else 1.0


def statistics(result) -> dict[str, np.ndarray]:
    core = result._core
    cost = np.asarray(core.array("cost"))  # (strategy, path, month)
    totals = cost.sum(axis=2)
    names = list(core.strategy_names)
    b = core.baseline
    out = {}
    for s, name in enumerate(names):
        out[f"{name}.total_cost"] = totals[s]
        out[f"{name}.month_12_cost"] = cost[s, :, min(11, cost.shape[2] - 1)]
        if s != b:
            out[f"{name}.savings"] = (totals[b] - totals[s]) / totals[b]
            months = np.asarray(core.break_even_months(s))
            out[f"{name}.p_break_even"] = (months > 0).astype(float)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--paths", type=int, default=4000)
    ap.add_argument("--record", action="store_true",
                    help="write tests/bench/results/antithetic.json for the README")
    args = ap.parse_args()
    files = [Path(p) for p in args.scenarios] or sorted((ROOT / "scenarios").glob("*.yaml"))
    if args.record and not args.scenarios:
        files.insert(0, ROOT / "tests" / "bench" / "standard.yaml")
    worst = float("inf")
    recorded = {}
    for f in files:
        r = breakeven.load(f).run(paths=args.paths, antithetic=True, progress=False)
        if r.mode != "stochastic":
            continue
        ratios = {k: reduction(v) for k, v in statistics(r).items()
                  if np.ptp(v) > 0}
        if not ratios:
            continue
        recorded[f.stem] = {"paths": r.paths, "seed": r.seed,  # JSON has no infinity
                            "ratios": {k: v if np.isfinite(v) else None
                                       for k, v in ratios.items()}}
        lo = min(ratios, key=ratios.get)
        worst = min(worst, ratios[lo])
        print(f"{f.stem:<24} min {ratios[lo]:6.2f} ({lo}), median "
              f"{np.median(list(ratios.values())):6.2f}, max {max(ratios.values()):6.2f}")
    print(f"smallest variance reduction over all statistics: {worst:.2f}")
    if args.record:
        import record

        record.write("antithetic", {"scenarios": recorded})


if __name__ == "__main__":
    main()
