"""Sweeps: a grid or a Latin-hypercube sample over named parameters of a base
scenario, each point one engine run on the same seed, run on local processes or on
a Dask cluster with identical numbers. The sweep file:

    base: ../scenarios/content-platform.yaml      # relative to the sweep file
    paths: 500                                    # per point (default: the base's)
    seed: 7                                       # default: the base's
    design: grid                                  # or random (Latin hypercube)
    points: 100                                   # random only
    sample_seed: 1                                # random only
    parameters:
      workloads.classify.requests.per_day: {values: [50000, 200000, 800000]}
      clusters.llama-70b.gpu_price_per_hour: {min: 1.5, max: 4.0, steps: 6}

A parameter is a dotted path into the scenario as written; a list is indexed by
its items' `name` (``workloads.classify``). ``values`` lists the points; ``min``,
``max`` and ``steps`` span a grid axis (``steps`` ignored by a random design,
which draws each parameter uniformly between min and max, one stratum per point).
"""

from __future__ import annotations

import copy
import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import OptionError, ScenarioError

_SWEEP_KEYS = {"base", "paths", "seed", "design", "points", "sample_seed", "parameters"}


@dataclass(frozen=True)
class SweepSpec:
    base: dict  # the base scenario as written
    base_name: str
    paths: int | None
    seed: int | None
    parameters: dict[str, list[float]]  # name -> grid values (grid design)
    points: list[dict[str, float]]  # every point: parameter -> value


def set_path(data: dict, path: str, value) -> None:
    """Set a dotted path of the scenario as written; list items by ``name``."""
    keys = path.split(".")
    target = data
    for i, key in enumerate(keys[:-1]):
        if isinstance(target, list):
            match = [x for x in target if isinstance(x, dict) and x.get("name") == key]
            if not match:
                raise OptionError("parameters", f"{path}: no item named {key!r}")
            target = match[0]
        elif isinstance(target, dict):
            if key not in target or not isinstance(target[key], (dict, list)):
                # A missing mapping is created, so that a default can be swept.
                target[key] = {}
            target = target[key]
        else:
            raise OptionError("parameters", f"{path}: {'.'.join(keys[:i])} is not a mapping")
    if not isinstance(target, dict):
        raise OptionError("parameters", f"{path}: its parent is not a mapping")
    target[keys[-1]] = value


def _axis(name: str, spec) -> list[float]:
    if isinstance(spec, dict) and "values" in spec:
        values = spec["values"]
        if not isinstance(values, list) or not values:
            raise OptionError("parameters", f"{name}.values: must be a non-empty list")
        return values
    if isinstance(spec, dict) and {"min", "max"} <= set(spec):
        steps = spec.get("steps", 5)
        if not (isinstance(steps, int) and 2 <= steps <= 10000):
            raise OptionError("parameters", f"{name}.steps: must be a whole number 2..10000")
        return list(np.linspace(spec["min"], spec["max"], steps))
    raise OptionError("parameters", f"{name}: give values: [...] or min, max (and steps)")


def latin_hypercube(ranges: dict[str, tuple[float, float]], n: int, seed: int):
    """n points, each parameter's range cut into n strata with one point in each,
    strata paired at random (numpy's PCG64 seeded by `seed`: the same points
    everywhere)."""
    rng = np.random.default_rng(seed)
    points = [dict() for _ in range(n)]
    for name, (lo, hi) in ranges.items():
        u = (rng.permutation(n) + rng.random(n)) / n
        for p, x in zip(points, lo + u * (hi - lo)):
            p[name] = float(x)
    return points


def load_sweep(path) -> SweepSpec:
    import yaml

    from ..scenario import load

    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ScenarioError(str(path), None, "", f"cannot read the sweep: {e}") from None
    if not isinstance(doc, dict):
        raise ScenarioError(str(path), None, "", "a sweep must be a mapping")
    unknown = set(doc) - _SWEEP_KEYS
    if unknown:
        raise ScenarioError(str(path), None, sorted(unknown)[0],
                            f"unknown field (allowed: {', '.join(sorted(_SWEEP_KEYS))})")
    if "base" not in doc or "parameters" not in doc:
        raise ScenarioError(str(path), None, "", "a sweep needs base: and parameters:")
    base = load(path.parent / doc["base"])
    params = doc["parameters"]
    if not isinstance(params, dict) or not params:
        raise ScenarioError(str(path), None, "parameters", "must map parameter paths to values")
    design = doc.get("design", "grid")
    if design == "grid":
        axes = {name: _axis(name, spec) for name, spec in params.items()}
        points = [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())]
    elif design == "random":
        ranges = {}
        for name, spec in params.items():
            if not (isinstance(spec, dict) and {"min", "max"} <= set(spec)):
                raise ScenarioError(str(path), None, f"parameters.{name}",
                                    "a random design needs min and max")
            ranges[name] = (float(spec["min"]), float(spec["max"]))
        axes = {}
        points = latin_hypercube(ranges, int(doc.get("points", 100)), int(doc.get("sample_seed", 0)))
    else:
        raise ScenarioError(str(path), None, "design", "must be grid or random")
    # Every point must be a valid scenario: check them all before running any.
    for point in points:
        data = copy.deepcopy(base.data)
        for name, value in point.items():
            set_path(data, name, value)
        try:
            load(data)
        except ScenarioError as e:
            raise ScenarioError(str(path), None, "parameters",
                                f"the point {point} is not a valid scenario: {e.path}: {e.reason}") from None
    return SweepSpec(base.data, base.name, doc.get("paths"), doc.get("seed"), axes, points)


def run_point(base: dict, point: dict, paths, seed) -> dict:
    """One row of the sweep table: the point's parameters and, per strategy, the
    mean total cost, the saving against the baseline (mean, p5, p95) and the
    break-even statistics. A plain function of plain data, so that any process or
    Dask worker computes the same numbers."""
    from ..scenario import load

    data = copy.deepcopy(base)
    for name, value in point.items():
        set_path(data, name, value)
    result = load(data).run(paths=paths, seed=seed, threads=1, progress=False)
    row = dict(point)
    for s in result.as_dict()["strategies"]:
        prefix = s["name"]
        row[f"{prefix}.total_cost"] = s["total_cost"]["mean"]
        sav = s["savings_vs_baseline"]
        row[f"{prefix}.savings"] = sav["mean"]
        row[f"{prefix}.savings_p5"] = sav["p5"]
        row[f"{prefix}.savings_p95"] = sav["p95"]
        be = s["break_even"]
        if be is not None:
            row[f"{prefix}.break_even_p50"] = be["p50_month"]
            row[f"{prefix}.break_even_p90"] = be["p90_month"]
            row[f"{prefix}.p_within_horizon"] = be["p_within_horizon"]
    return row


class SweepResult:
    """What :func:`sweep` returns: one row per point."""

    def __init__(self, spec: SweepSpec, rows: list[dict]):
        self.spec = spec
        self.rows = rows

    def table(self):
        """A DataFrame, one row per point, in the order of the points."""
        import pandas as pd

        df = pd.DataFrame(self.rows)
        for col in df.columns:
            if col.endswith(("break_even_p50", "break_even_p90")):
                df[col] = df[col].astype("Int64")
        return df

    def to_dict(self) -> dict:
        """The JSON document of ``breakeven sweep --json`` (docs/decisions.md)."""
        return {
            "scenario": self.spec.base_name,
            "paths": self.spec.paths,
            "seed": self.spec.seed,
            "parameters": sorted(self.spec.points[0]) if self.spec.points else [],
            "rows": self.rows,
        }

    def to_csv(self, path) -> None:
        self.table().to_csv(path, index=False)

    def to_parquet(self, path) -> None:
        self.table().to_parquet(path, index=False)

    def plot(self, x: str, y: str, value: str):
        """Heatmap of column ``value`` (e.g. ``self-host.savings``) over two swept
        parameters of a grid."""
        from ..plots import plot_sweep

        return plot_sweep(self, x, y, value)


def sweep(path_or_spec, client=None, workers: int | None = None, progress=None) -> SweepResult:
    """Run a sweep file: on local processes (``workers``, default one per core),
    or on a Dask cluster given a ``dask.distributed.Client``. The numbers do not
    depend on which: each point is one seeded run."""
    from ..progress import progress_bar

    spec = path_or_spec if isinstance(path_or_spec, SweepSpec) else load_sweep(path_or_spec)
    args = [(spec.base, p, spec.paths, spec.seed) for p in spec.points]
    rows: list[dict | None] = [None] * len(args)
    with progress_bar(progress) as tick:
        done = 0

        def finished(i, row):
            nonlocal done
            rows[i] = row
            done += 1
            if tick:
                tick(done, len(args))

        if client is not None:
            from dask.distributed import as_completed

            futures = [client.submit(run_point, *a, pure=False) for a in args]
            index = {f.key: i for i, f in enumerate(futures)}
            for future in as_completed(futures):
                finished(index[future.key], future.result())
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            # spawn, not fork: the parent may hold engine or progress-bar threads.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(workers or os.cpu_count(), mp_context=context) as pool:
                futures = {pool.submit(run_point, *a): i for i, a in enumerate(args)}
                for future in as_completed(futures):
                    finished(futures[future], future.result())
    return SweepResult(spec, rows)
