"""Eval results read into the scenario's quality table, with their uncertainty.

Three sources give rows of (task, model, item, score):

- ``csv``: a plain table with exactly those columns;
- ``promptfoo``: promptfoo's ``--output results.json`` (``results.results[]``): the
  model is the provider's ``label`` (else its ``id``), the item the test and prompt
  indices, the score ``score`` (else ``gradingResult.score``, else ``success`` as 1
  or 0), the task the test's ``metadata.task`` (else ``vars.task``);
- ``langfuse``: a Langfuse score export (CSV, JSON array or JSONL; the UI's
  camelCase fields or the blob export's snake_case): the score ``value`` of
  NUMERIC and BOOLEAN scores named ``--metric``, the item its trace, model and task
  from the score's ``metadata.model`` and ``metadata.task``.

Rows without a task take ``workload`` if given. Each item's scores are averaged
(repeats), then a (model, task) score is the mean over its items with a
percentile bootstrap interval: items resampled with replacement, ``replicates``
times, from a seeded generator (numpy's PCG64), so the same file and seed give
the same table. ``sd`` is the bootstrap replicates' standard deviation, which
the engine uses for P(quality >= floor) (docs/model.md, "Quality from evals").
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ScenarioError
from .files import UnreadableFile, read_text

FORMATS = ("csv", "promptfoo", "langfuse")
MAX_EVAL_BYTES = 256 * 1024 * 1024  # an eval export far larger is not one
MAX_ROWS = 2_000_000
DEFAULT_REPLICATES = 2000
MAX_REPLICATES = 100_000
DEFAULT_LEVEL = 0.95
BLOCK_DRAWS = 10_000_000  # indices drawn at once by the bootstrap (80 MB)
CSV_COLUMNS = ("task", "model", "item", "score")
LANGFUSE_SCORED = ("NUMERIC", "BOOLEAN")  # CATEGORICAL scores have no number


@dataclass
class EvalRows:
    """Rows read from an eval file: parallel lists, and what was left out."""

    source: str
    task: list[str]
    model: list[str]
    item: list[str]
    score: list[float]
    skipped: dict[str, int]


def read_evals(path: str | Path, fmt: str, workload: str | None = None,
               metric: str | None = None) -> EvalRows:
    """The (task, model, item, score) rows of eval file ``path`` in format ``fmt``."""
    source = str(path)
    if fmt not in FORMATS:
        raise ScenarioError(source, None, "", f"unknown format {fmt!r} ({', '.join(FORMATS)})")
    try:
        text = read_text(path, MAX_EVAL_BYTES, "eval files", "utf-8-sig")
    except UnreadableFile as e:
        raise ScenarioError(source, None, "", e.reason) from None
    out = EvalRows(source, [], [], [], [], {})
    reader = {"csv": _csv_rows, "promptfoo": _promptfoo_rows, "langfuse": _langfuse_rows}
    for where, task, model, item, score in reader[fmt](text, source, metric, out):
        task = task if task not in (None, "") else workload
        if task is None:
            raise ScenarioError(source, where, "", "no task for this row: give the "
                                "workload with --workload, or a task in the file")
        for name, value in (("model", model), ("item", item)):
            if value in (None, ""):
                raise ScenarioError(source, where, name, "missing")
        if len(out.score) >= MAX_ROWS:
            raise ScenarioError(source, where, "", f"more than {MAX_ROWS:,} rows")
        out.task.append(str(task))
        out.model.append(str(model))
        out.item.append(str(item))
        out.score.append(_score(score, source, where))
    if not out.score:
        raise ScenarioError(source, None, "", "no scored rows"
                            + (f" (left out: {out.skipped})" if out.skipped else ""))
    return out


def _score(value, source: str, where) -> float:
    if isinstance(value, bool):
        return float(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(source, where, "score",
                            f"must be a number (got {str(value)[:40]!r})") from None
    if not math.isfinite(x) or x < 0:
        raise ScenarioError(source, where, "score", f"must be a finite number >= 0 (got {x})")
    return x


def _csv_rows(text: str, source: str, metric, out):
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        raise ScenarioError(source, 1, "", f"needs the columns {', '.join(CSV_COLUMNS)} "
                            f"(missing {', '.join(missing)})")
    for row in reader:
        yield reader.line_num, row["task"], row["model"], row["item"], row["score"]


def _json(text: str, source: str):
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise ScenarioError(source, e.lineno, "", f"not JSON: {e.msg}") from None
    except ValueError as e:
        raise ScenarioError(source, None, "", f"not JSON: {e}") from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _get(record, *path):
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


def _promptfoo_rows(text: str, source: str, metric, out):
    doc = _json(text, source)
    results = _get(doc, "results", "results")
    if not isinstance(results, list):
        raise ScenarioError(source, None, "results.results", "not found: a promptfoo "
                            "results file (promptfoo eval --output results.json) holds "
                            "its results there")
    for i, r in enumerate(results):
        where = f"results.results[{i}]"
        if not isinstance(r, dict):
            raise ScenarioError(source, None, where, "must be a mapping")
        provider = r.get("provider")
        model = (_get(r, "provider", "label") or _get(r, "provider", "id")
                 if isinstance(provider, dict) else provider)
        score = r.get("score")
        if score is None:
            score = _get(r, "gradingResult", "score")
        if score is None and isinstance(r.get("success"), bool):
            score = r["success"]
        if score is None:
            out.skipped["no score"] = out.skipped.get("no score", 0) + 1
            continue
        task = _get(r, "testCase", "metadata", "task") or _get(r, "testCase", "vars", "task")
        item = f"{r.get('testIdx')}/{r.get('promptIdx')}"
        yield None, task, model, item, score


def _langfuse_rows(text: str, source: str, metric, out):
    stripped = text.lstrip()
    tabular = not stripped.startswith(("[", "{"))
    if stripped.startswith("["):
        records = _json(text, source)
    elif stripped.startswith("{"):  # JSONL
        records = [_json(line, source) for line in text.splitlines() if line.strip()]
    else:
        records = list(csv.DictReader(io.StringIO(text)))
    if not isinstance(records, list):
        raise ScenarioError(source, None, "", "must be a list of scores")
    names = set()
    for i, r in enumerate(records):
        if not isinstance(r, dict):
            raise ScenarioError(source, None, f"[{i}]", "must be a mapping of fields")
        names.add(r.get("name"))
    if metric is None and len(names) > 1:
        raise ScenarioError(source, None, "name", "scores of several names ("
                            f"{', '.join(sorted(map(str, names)))}): choose one with --metric")
    for i, r in enumerate(records):
        if metric is not None and r.get("name") != metric:
            continue
        kind = str(_first(r, "dataType", "data_type") or "NUMERIC").upper()
        if kind not in LANGFUSE_SCORED:
            out.skipped[f"{kind} scores"] = out.skipped.get(f"{kind} scores", 0) + 1
            continue
        meta = r.get("metadata")
        if isinstance(meta, str) and meta.strip():  # CSV exports keep it as JSON text
            meta = _json(meta, source)
        meta = meta if isinstance(meta, dict) else {}
        item = _first(r, "traceId", "trace_id") or _first(r, "observationId",
                                                          "observation_id")
        line = i + 2 if tabular else None  # a CSV's header is line 1
        yield line, meta.get("task"), meta.get("model"), item, r.get("value")


def _first(r: dict, *keys):
    for k in keys:
        if r.get(k) not in (None, ""):
            return r[k]
    return None


def bootstrap_interval(scores: np.ndarray, replicates: int, level: float,
                       rng: np.random.Generator) -> tuple[float, float, float]:
    """sd, low, high of the mean of ``scores`` over ``replicates`` resamples."""
    n = len(scores)
    means = np.empty(replicates)
    step = max(1, BLOCK_DRAWS // n)
    for start in range(0, replicates, step):
        k = min(step, replicates - start)
        means[start:start + k] = scores[rng.integers(0, n, size=(k, n))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(means.std(ddof=1)) if replicates > 1 else 0.0, float(low), float(high)


def quality_table(rows: EvalRows, replicates: int = DEFAULT_REPLICATES,
                  level: float = DEFAULT_LEVEL, seed: int = 0) -> dict:
    """``{model: {task: {mean, sd, low, high, level, items}}}`` from eval rows."""
    from .errors import OptionError

    if not 2 <= replicates <= MAX_REPLICATES:
        raise OptionError("replicates", f"must be 2 to {MAX_REPLICATES:,} (got {replicates})")
    if not 0 < level < 1:
        raise OptionError("level", f"must be above 0 and below 1 (got {level})")
    rng = np.random.default_rng(seed)
    per_item: dict[tuple[str, str], dict[str, list[float]]] = {}
    for t, m, i, s in zip(rows.task, rows.model, rows.item, rows.score):
        per_item.setdefault((m, t), {}).setdefault(i, []).append(s)
    out: dict = {}
    for (model, task) in sorted(per_item):
        scores = np.array([np.mean(v) for v in per_item[(model, task)].values()])
        sd, low, high = bootstrap_interval(scores, replicates, level, rng)
        mean = float(scores.mean())
        # A percentile interval can sit off the mean by rounding alone; the engine
        # needs low <= mean <= high.
        out.setdefault(model, {})[task] = {
            "mean": mean, "sd": sd, "low": min(low, mean), "high": max(high, mean),
            "level": level, "items": len(scores)}
    return out


def quality_yaml(table: dict, header: str) -> str:
    """The table as a scenario's ``quality:`` block, with a comment on its source."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines.append("quality:")
    for model, tasks in table.items():
        lines.append(f"  {json.dumps(model)}:")
        for task, q in tasks.items():
            lines.append(
                f"    {json.dumps(task)}: {{mean: {q['mean']:.6g}, sd: {q['sd']:.6g}, "
                f"low: {q['low']:.6g}, high: {q['high']:.6g}, level: {q['level']:g}, "
                f"items: {q['items']}}}")
    return "\n".join(lines) + "\n"
