"""Ingest speed and memory: breakeven ingest (DuckDB) against pandas on the same
JSONL file of 2M OpenAI chat records drawn by synth-logs. Each reader runs in its
own process so that peak memory (max RSS) is its own.

    python tests/bench/ingest.py [--records 2000000] [--record]

--record writes tests/bench/results/ingest.json, from which the README's reading
speed is rendered (tools/readme_figures.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The reader's own high-water mark: /proc's VmHWM starts afresh at exec, unlike
# ru_maxrss, which keeps the forking parent's.
PEAK = """
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""

PANDAS = PEAK + """
import sys, time, pandas as pd
t = time.perf_counter()
df = pd.read_json(sys.argv[1], lines=True)
usage = pd.json_normalize(df["usage"].tolist())
out = pd.DataFrame({"task": df["metadata"].str["task"], "model": df["model"],
                    "hour": df["created"] // 3600, "input": usage["prompt_tokens"],
                    "cached": usage["prompt_tokens_details.cached_tokens"],
                    "output": usage["completion_tokens"]})
g = out.groupby(["task", "model", "hour"]).agg(["count", "sum"])
print(time.perf_counter() - t, len(df), peak())
"""

# Imports before the clock, as for pandas: what is timed is reading and aggregating.
BREAKEVEN = PEAK + """
import sys, time
import duckdb, breakeven.logs.usage
from breakeven import ingest
t = time.perf_counter()
u = ingest(sys.argv[1], task="metadata.task", memory_limit=sys.argv[2])
print(time.perf_counter() - t, u.ingested, peak())
"""


def run(code: str, path: Path, *extra: str) -> tuple[float, int, float]:
    """Seconds, records and the reader's own peak RSS in MiB."""
    out = subprocess.run([sys.executable, "-c", code, str(path), *extra], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]), int(out[2]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=2_000_000)
    ap.add_argument("--record", action="store_true",
                    help="write tests/bench/results/ingest.json for the README")
    args = ap.parse_args()
    import breakeven as be
    from breakeven.logs.synth import draw_requests, write_logs

    scenario = be.load(REPO / "scenarios" / "content-platform.yaml")
    per_day = 213_000  # the scenario's requests a day, about
    days = max(1, round(args.records / per_day))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "openai.jsonl"
        requests = draw_requests(scenario, days)
        n = write_logs(requests, "openai", path)
        size = path.stat().st_size / 2**20
        print(f"{n:,} records ({size:,.0f} MiB JSONL, {days} days of content-platform)")
        rows = {}
        for key, name, code, extra in (
            ("duckdb_1GB", "breakeven ingest, 1GB limit", BREAKEVEN, ("1GB",)),
            ("duckdb_256MB", "breakeven ingest, 256MB limit", BREAKEVEN, ("256MB",)),
            ("pandas", "pandas read_json + groupby", PANDAS, ()),
        ):
            seconds, count, peak = run(code, path, *extra)
            rows[key] = {"reader": name, "seconds": seconds, "records_per_s": count / seconds,
                         "peak_rss_mib": peak}
            print(f"{name:<30} {seconds:6.2f} s  {count / seconds / 1e6:5.2f} M records/s  "
                  f"peak RSS {peak:,.0f} MiB")
        print(json.dumps(rows))
    if args.record:
        import record

        record.write("ingest", {"records": n, "days": days, "jsonl_mib": size,
                                "readers": rows})


if __name__ == "__main__":
    main()
