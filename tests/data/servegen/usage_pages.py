"""ServeGen's 43 clients as OpenAI organization Usage API pages (hourly buckets).

Each client is a project (``project_id: client-N``). A bucket's request count is a
Poisson draw around the trace's rate summed over the hour's six 10-minute windows;
its tokens are the count times the client's mean input and output tokens (from its
dataset file where ServeGen publishes one, else the mean of the four published).
The windows start at an unspecified midnight; we put it on Monday 2026-01-05 UTC.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
START = 1767571200  # 2026-01-05 00:00 UTC, a Monday
MODEL = "gpt-5.4-mini"


def mean_tokens(chunk: int) -> tuple[float, float]:
    data = json.loads((HERE / f"chunk-{chunk}-dataset.json").read_text())
    means = []
    for key in ("input_tokens", "output_tokens"):
        total = weight = 0.0
        for window in data.values():
            pmf = ast.literal_eval(window[key])
            total += sum(k * p for k, p in pmf.items())
            weight += sum(pmf.values())
        means.append(total / weight)
    return means[0], means[1]


def hourly_rates(chunk: int) -> np.ndarray:
    trace = np.genfromtxt(HERE / f"chunk-{chunk}-trace.csv", delimiter=",", usecols=(0, 1))
    return (trace[:, 1] * 600).reshape(-1, 6).sum(axis=1)


def pages(clients=range(43), seed: int = 0) -> list[dict]:
    """One page per day (24 hourly buckets), as the API paginates."""
    rng = np.random.default_rng(seed)
    known = {c: mean_tokens(c) for c in (12, 14, 17, 27)}
    pooled = tuple(np.mean([v[i] for v in known.values()]) for i in (0, 1))
    counts = {c: rng.poisson(hourly_rates(c)) for c in clients}
    hours = len(next(iter(counts.values())))
    out = []
    for day in range(hours // 24):
        buckets = []
        for h in range(day * 24, day * 24 + 24):
            results = []
            for c in clients:
                n = int(counts[c][h])
                if n == 0:
                    continue
                mi, mo = known.get(c, pooled)
                results.append({
                    "object": "organization.usage.completions.result",
                    "input_tokens": int(round(n * mi)), "output_tokens": int(round(n * mo)),
                    "input_cached_tokens": 0, "num_model_requests": n,
                    "project_id": f"client-{c}", "model": MODEL, "user_id": None,
                    "api_key_id": None, "batch": None,
                })
            buckets.append({"object": "bucket", "start_time": START + 3600 * h,
                            "end_time": START + 3600 * (h + 1), "results": results})
        out.append({"object": "page", "data": buckets, "has_more": day < hours // 24 - 1,
                    "next_page": None})
    return out


def write(path: Path, clients=range(43), seed: int = 0) -> Path:
    path.write_text(json.dumps(pages(clients, seed)))
    return path
