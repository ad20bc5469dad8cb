"""Your own serving measurements in: vLLM and SGLang benchmark result files.

A cluster's ``serving: {model, gpu, precision, bench: [FILES]}`` reads the files
here and hands the engine their points as ``serving.curve``; the engine takes the
replica's saturated throughput from them (docs/model.md "Serving catalog and
memory fit"). Each point keeps its latency figures (TTFT, TPOT, ITL, end-to-end:
mean, median and the percentiles the file holds) for latency work.

Formats, as the tools write them:

- ``vllm bench serve --save-result`` (vllm/benchmarks/serve.py): one JSON object
  per file (``--append-result`` puts several on separate lines), with
  ``completed``, ``total_input_tokens``, ``total_output_tokens``,
  ``request_throughput``, ``output_throughput``, ``total_token_throughput``,
  ``request_rate`` (a number or ``"inf"``), ``max_concurrency`` and
  ``mean_/median_/std_/pNN_{ttft,tpot,itl,e2el}_ms``.
- SGLang ``bench_serving --output-file`` (python/sglang/bench_serving.py): JSONL,
  one object per run, the same throughput names plus ``input_throughput``, and
  ``mean_/median_/std_/pNN_e2e_latency_ms`` for the end-to-end latency.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

from .files import UnreadableFile, read_regular

MAX_BENCH_BYTES = 64 << 20  # a --save-detailed file holds every request; 64 MiB is plenty
MAX_BENCH_FILES = 100
MAX_POINTS = 1000  # the engine's bound on a curve

# Latency statistics: the point's name -> the names a file's keys use for it.
_LATENCIES = {"ttft_ms": ("ttft",), "tpot_ms": ("tpot",), "itl_ms": ("itl",),
              "e2el_ms": ("e2el", "e2e_latency")}
_STAT = re.compile(r"^(mean|median|std|p\d+(?:\.\d+)?)_(.+)_ms$")


class BenchFileError(Exception):
    """A bench file that cannot be read as vLLM or SGLang results: ``reason`` names
    the file and what is wrong with it."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def _records(path: Path) -> list[dict]:
    try:
        text = read_regular(path, MAX_BENCH_BYTES, "bench files").decode("utf-8")
    except UnreadableFile as e:
        raise BenchFileError(f"{path}: {e.reason}") from None
    except UnicodeDecodeError as e:
        raise BenchFileError(f"{path}: not UTF-8 text (byte {e.start})") from None
    try:
        whole = json.loads(text)
        found = whole if isinstance(whole, list) else [whole]
    except ValueError:
        found = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                found.append(json.loads(line))
            except ValueError as e:
                raise BenchFileError(f"{path}:{n}: not JSON ({e.msg})") from None
    if not found:
        raise BenchFileError(f"{path}: holds no results")
    return found


def _number(path: Path, record: dict, key: str, where: str) -> float:
    value = record.get(key)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value < 0:
        shown = "missing" if key not in record else f"{value!r}"[:40]
        raise BenchFileError(
            f"{path}{where}: '{key}' must be a number >= 0 (got {shown}); expected a vLLM "
            "`bench serve --save-result` JSON or SGLang bench_serving JSONL")
    return float(value)


def _point(path: Path, record: object, where: str) -> dict:
    if not isinstance(record, dict):
        raise BenchFileError(f"{path}{where}: a result must be a JSON object")
    completed = _number(path, record, "completed", where)
    if completed <= 0:
        raise BenchFileError(f"{path}{where}: no request completed")
    out_tps = _number(path, record, "output_throughput", where)
    point: dict = {
        "file": os.fspath(path),
        "input_tokens": _number(path, record, "total_input_tokens", where) / completed,
        "output_tokens": _number(path, record, "total_output_tokens", where) / completed,
        "output_tokens_per_s": out_tps,
        "completed": completed,
    }
    for key, name in (("request_throughput", "request_throughput"),
                      ("total_token_throughput", "total_tokens_per_s"),
                      ("duration", "duration_s")):
        if key in record:
            point[name] = _number(path, record, key, where)
    for key in ("request_rate", "max_concurrency"):
        value = record.get(key)
        if value is None or value == "inf":
            point[key] = value
        else:
            point[key] = _number(path, record, key, where)
    stats: dict[str, dict] = {}
    for key in record:
        m = _STAT.match(key)
        if not m:
            continue
        for name, spellings in _LATENCIES.items():
            if m.group(2) in spellings and record[key] is not None:
                stats.setdefault(name, {})[m.group(1)] = _number(path, record, key, where)
    point.update(stats)
    return point


def read_bench(paths: list[Path]) -> list[dict]:
    """The curve points of these vLLM or SGLang result files, in file and line
    order. Raises BenchFileError with one line naming the file and the problem."""
    if not paths:
        raise BenchFileError("bench: give at least one result file")
    if len(paths) > MAX_BENCH_FILES:
        raise BenchFileError(f"bench: at most {MAX_BENCH_FILES} files (got {len(paths)})")
    points = []
    for path in paths:
        records = _records(path)
        for n, record in enumerate(records, 1):
            points.append(_point(path, record, f" (result {n})" if len(records) > 1 else ""))
    if len(points) > MAX_POINTS:
        raise BenchFileError(f"bench: at most {MAX_POINTS} results in all (got {len(points)})")
    return points


def expand_bench(data: dict, base: Path | None) -> tuple[dict, list[tuple[str, str]]]:
    """``data`` with every cluster's ``serving.bench`` files read into
    ``serving.curve`` (relative names from ``base``, the scenario's folder), and the
    problems found as (field path, reason) pairs: the first is the error to show."""
    clusters = data.get("clusters")
    if not isinstance(clusters, dict):
        return data, []
    problems = []
    for name, spec in clusters.items():
        serving = spec.get("serving") if isinstance(spec, dict) else None
        if not isinstance(serving, dict) or "bench" not in serving:
            continue
        field = f"clusters.{name}.serving.bench"
        files = serving["bench"]
        files = [files] if isinstance(files, str) else files
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            problems.append((field, "must be a file name or a list of file names"))
            continue
        if "curve" in serving:
            problems.append((field, "give at most one of bench (files) and curve (points)"))
            continue
        try:
            points = read_bench([(base / f) if base and not Path(f).is_absolute() else Path(f)
                                 for f in files])
        except BenchFileError as e:
            problems.append((field, e.reason))
            continue
        serving = {k: v for k, v in serving.items() if k != "bench"}
        serving["curve"] = points
        serving.setdefault("source", "bench: " + ", ".join(files))
        spec = dict(spec, serving=serving)
        data = dict(data, clusters=dict(data["clusters"], **{name: spec}))
    return data, problems
