"""Benchmark: what conversations cost the engine. The standard scenario as it is,
and with a conversation on every workload (4 turns, gaps p50 2 min and p95 30 min,
a sixth of the variable input per turn), each run alone, one thread, best of
--repeat. Target (issue 22): the conversation variant at most 1.3x the standard.

    python tests/bench/conversations.py [--paths 500] [--repeat 5]

Reported, never asserted.
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import breakeven

STANDARD = Path(__file__).resolve().parent / "standard.yaml"


def with_conversations(data: dict) -> dict:
    out = copy.deepcopy(data)
    for w in out["workloads"]:
        size = w["input_tokens"]
        mean = size if isinstance(size, (int, float)) else size.get("mean", size.get("p50"))
        variable = mean - w.get("prefix_tokens", 0)
        w["conversation"] = {"turns": 4, "gap_minutes": {"p50": 2, "p95": 30},
                             "history_tokens_per_turn": variable / 6}
    return out


def best_seconds(scenario, paths: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        scenario.run(paths=paths, threads=1, progress=False)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    standard = breakeven.load(STANDARD)
    talk = breakeven.load(with_conversations(standard.data))
    plain = best_seconds(standard, args.paths, args.repeat)
    conv = best_seconds(talk, args.paths, args.repeat)
    print(f"standard {plain:.3f} s, with conversations {conv:.3f} s: {conv / plain:.2f}x "
          f"({args.paths} paths, one thread, best of {args.repeat}; target <= 1.3x)")


if __name__ == "__main__":
    main()
