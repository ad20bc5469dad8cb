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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python"))

from test_ingest_roundtrip import SEEDS, WEEKS, two_se_coverage  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--record", action="store_true",
                    help="write tests/bench/results/fit_calibration.json for the README")
    args = ap.parse_args()
    rates = two_se_coverage()
    for p, r in rates.items():
        print(f"{p:<24} {r:6.1%}")
    print(f"2-SE coverage over {SEEDS} seeds: {min(rates.values()):.0%} to "
          f"{max(rates.values()):.0%}")
    if args.record:
        import record

        record.write("fit_calibration", {"seeds": SEEDS, "weeks": WEEKS, "coverage": rates})


if __name__ == "__main__":
    main()
