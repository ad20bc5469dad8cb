"""How often the fit's 2-SE intervals hold the truth, per parameter family, over
seeds: synthetic traffic drawn from the realistic scenario of
tests/python/test_ingest_roundtrip.py (which asserts 85-99% on the same draws),
refitted once per seed. Deterministic, but about two minutes on two cores, too slow
for every CI run: the README's figure is rendered from the recording.

    python tests/bench/fit_calibration.py [--record]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python"))

import breakeven as be  # noqa: E402
from breakeven import _core  # noqa: E402
from breakeven.logs.estimators import PARAMETERS, Calendar  # noqa: E402
from breakeven.logs.traffic_fit import fit_traffic  # noqa: E402
from test_ingest_roundtrip import REALISTIC, SEEDS, WEEKS  # noqa: E402


def coverage(seeds: int = SEEDS) -> dict[str, float]:
    """Share of seeds whose 2-SE interval holds the truth, per parameter family
    (hour and weekday weights pooled over their entries); the loop of
    test_standard_errors_are_calibrated.
    """
    truth_scenario = be.load(REALISTIC)
    w = truth_scenario.resolved()["workloads"][0]
    truth = np.r_[300, 0.03, 0.2, 0.0, 0.3, 0.9, w["hourly_weights"], w["weekday_weights"]]
    hours = WEEKS * 168
    cal = Calendar(first_hour=(4 + 7 * 2900) * 24, buckets=hours)  # a Monday 00:00
    covered = []
    for seed in range(seeds):
        counts = _core.sample_traffic(truth_scenario._core, paths=1, seed=1000 + seed,
                                      hours=hours)["requests"][0]
        fit = fit_traffic(counts, cal, seed=seed)
        covered.append(np.abs(fit.estimate[0] - truth) <= 2 * fit.se[0])
    covered = np.array(covered)
    families = {p: covered[:, PARAMETERS.index(p)] for p in
                ("rate", "growth", "sigma", "hourly_sigma", "hourly_autocorrelation")}
    families["hourly_weights"] = covered[:, 6:30]
    families["weekday_weights"] = covered[:, 30:37]
    return {p: float(c.mean()) for p, c in families.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--record", action="store_true",
                    help="write tests/bench/results/fit_calibration.json for the README")
    args = ap.parse_args()
    rates = coverage()
    for p, r in rates.items():
        print(f"{p:<24} {r:6.1%}")
    print(f"2-SE coverage over {SEEDS} seeds: {min(rates.values()):.0%} to "
          f"{max(rates.values()):.0%}")
    if args.record:
        import record

        record.write("fit_calibration", {"seeds": SEEDS, "weeks": WEEKS, "coverage": rates})


if __name__ == "__main__":
    main()
