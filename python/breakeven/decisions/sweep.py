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

A parameter is a dotted path into the scenario as written, as
``Scenario.with_values`` reads it (breakeven/edits.py): a list is indexed by its
items' `name` (``workloads.classify``), names may hold dots. ``values`` lists the points; ``min``,
``max`` and ``steps`` span a grid axis (``steps`` ignored by a random design,
which draws each parameter uniformly between min and max, one stratum per point).

The file is read like a scenario file (size, nesting and alias limits) and every
field and point is checked before anything runs; a sweep has at most MAX_POINTS
points, counted from the axes before a grid is built.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import _core
from .._yaml import LineMap, load_yaml, read_text
from ..errors import OptionError, ScenarioError
from ..schemas import schema_id

# Points in one sweep, grid or random; a grid's size is checked from its axes
# before any point is built. Raise it here (each point is one engine run).
MAX_POINTS = 100_000
MAX_STEPS = 10_000  # values of one min/max/steps axis
# Seconds a Dask scheduler may take to answer, to show a worker, and its workers
# to run a probe task (`breakeven sweep --scheduler-timeout`).
SCHEDULER_TIMEOUT_S = 30.0
_SHOWN_CHARS = 80  # of a value echoed in a message: a message never grows with the input

_SWEEP_KEYS = {"base", "paths", "seed", "design", "points", "sample_seed", "parameters"}
_AXIS_KEYS = ({"values"}, {"min", "max"}, {"min", "max", "steps"})
_WHOLE_SEED = "0..2^64-1"
_ADDRESS = re.compile(r"tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")


@dataclass(frozen=True)
class SweepSpec:
    base: dict  # the base scenario as written
    base_name: str
    paths: int | None
    seed: int | None
    parameters: dict[str, list[float]]  # name -> grid values (grid design)
    points: list[dict[str, float]]  # every point: parameter -> value
    source: str = "<sweep>"  # the sweep file, for messages
    design: str = "grid"
    columns: tuple[str, ...] = ()  # of the table: parameters, then per strategy


class PointFailed(Exception):
    """A point's run failed in a worker. A plain exception (a message, and whether
    the input is at fault) so that it pickles back from a process or a Dask worker:
    the library's errors take several constructor arguments and do not."""

    def __init__(self, reason: str, bad_input: bool):
        super().__init__(reason, bad_input)
        self.reason = reason
        self.bad_input = bad_input


def shown(value) -> str:
    """``repr(value)``, cut short with an ellipsis: what a message echoes."""
    return _cut(repr(value))


def _cut(text: str, chars: int = _SHOWN_CHARS) -> str:
    return text if len(text) <= chars else text[:chars - 3] + "..."


def _whole(value, lo: int, hi: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def _number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


class _Fields:
    """The sweep file's fields, each checked with a message naming file:line and
    the field."""

    def __init__(self, doc: dict, lines: LineMap):
        self.doc = doc
        self.lines = lines

    def fail(self, field: str, reason: str) -> ScenarioError:
        return self.lines.error(field, reason)

    def whole(self, key: str, lo: int, hi: int, allowed: str, default=None):
        value = self.doc.get(key)
        value = default if value is None else value  # `points: null` is not given
        if value is not None and not _whole(value, lo, hi):
            raise self.fail(key, f"must be a whole number {allowed} (got {shown(value)})")
        return value

    def axis_size(self, name: str, spec, design: str) -> int:
        """The number of values of a parameter's axis (a random design: 0), its
        fields checked."""
        field = f"parameters.{name}"
        if not isinstance(spec, dict) or set(spec) not in _AXIS_KEYS:
            raise self.fail(field, "give values: [...] or min, max (and steps)"
                            + (f" (got {shown(spec)})" if not isinstance(spec, dict) else
                               f" (got the fields {_cut(', '.join(map(str, spec)))})"))
        if design == "random":
            if "values" in spec:
                raise self.fail(field, "a random design needs min and max")
        if "values" in spec:
            if not isinstance(spec["values"], list) or not spec["values"]:
                raise self.fail(f"{field}.values", "must be a non-empty list")
            return len(spec["values"])
        for bound in ("min", "max"):
            if not _number(spec[bound]):
                raise self.fail(f"{field}.{bound}",
                                f"must be a number (got {shown(spec[bound])})")
        steps = spec.get("steps", 5)
        if not _whole(steps, 2, MAX_STEPS):
            raise self.fail(f"{field}.steps",
                            f"must be a whole number 2..{MAX_STEPS} (got {shown(steps)})")
        return 0 if design == "random" else steps


def _grid_axis(spec: dict) -> list:
    if "values" in spec:
        return spec["values"]
    # Plain floats: a point prints and pickles as numbers, not numpy scalars.
    return [float(v) for v in np.linspace(spec["min"], spec["max"], spec.get("steps", 5))]


def _grid_points(axes: dict[str, list]) -> list[dict]:
    return [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())]


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
    """Read and check a sweep file (through the scenario files' loader: its size,
    nesting and alias limits), and every point it spans, before anything runs."""
    from ..scenario import load

    path = Path(path)
    source = str(path)
    doc, lines = load_yaml(read_text(path), source)
    fields = _Fields(doc, lines)
    if not isinstance(doc, dict):
        raise fields.fail("", "a sweep must be a mapping")
    unknown = sorted(map(str, set(doc) - _SWEEP_KEYS))
    if unknown:
        raise fields.fail(_cut(unknown[0]),
                          f"unknown field (allowed: {', '.join(sorted(_SWEEP_KEYS))})")
    if "base" not in doc or "parameters" not in doc:
        raise fields.fail("", "a sweep needs base: and parameters:")
    if not isinstance(doc["base"], str) or not doc["base"]:
        raise fields.fail("base", f"must name the base scenario file (got {shown(doc['base'])})")
    paths = fields.whole("paths", 1, _core.LIMITS["max_paths"],
                         f"1..{_core.LIMITS['max_paths']:,}")
    seed = fields.whole("seed", 0, _core.LIMITS["max_seed"], _WHOLE_SEED)
    design = doc.get("design", "grid")
    if design not in ("grid", "random"):
        raise fields.fail("design", f"must be grid or random (got {shown(design)})")
    for key in ("points", "sample_seed"):
        if design == "grid" and key in doc:
            raise fields.fail(key, f"only a random design takes {key}")
    n_random = fields.whole("points", 1, MAX_POINTS,
                            f"1..{MAX_POINTS:,} (MAX_POINTS in breakeven/decisions/sweep.py)", 100)
    sample_seed = fields.whole("sample_seed", 0, _core.LIMITS["max_seed"], _WHOLE_SEED, 0)
    params = doc["parameters"]
    if not isinstance(params, dict) or not params:
        raise fields.fail("parameters", "must map parameter paths to values")
    sizes = [fields.axis_size(name, spec, design) for name, spec in params.items()]
    if design == "grid":
        total = math.prod(sizes)
        if total > MAX_POINTS:
            raise fields.fail("parameters", (
                f"the grid has {total:,} points ({_cut(' x '.join(f'{n:,}' for n in sizes))}); "
                f"a sweep is limited to {MAX_POINTS:,} (MAX_POINTS in breakeven/decisions/sweep.py)"))
        axes = {name: _grid_axis(spec) for name, spec in params.items()}
        points = _grid_points(axes)
    else:
        axes = {}
        ranges = {name: (float(spec["min"]), float(spec["max"])) for name, spec in params.items()}
        points = latin_hypercube(ranges, n_random, sample_seed)
    base = load(path.parent / doc["base"])
    data = base.data
    if base.catalog is not None:  # points are loaded from the data, in any folder
        data["catalog"] = str(base.catalog.path.resolve())
    columns = _checked_points(data, points, fields)
    return SweepSpec(data, base.name, paths, seed, axes, points, source, design,
                     tuple(dict.fromkeys([*params, *columns])))


def _checked_points(base: dict, points: list[dict], fields: _Fields) -> list[str]:
    """Load every point as a scenario, so that none fails once the sweep runs;
    returns the table's strategy columns of all the points."""
    from ..scenario import load

    columns: dict[str, None] = {}
    written = load(base)
    for point in points:
        try:
            scenario = written.with_values(point)
        except OptionError as e:
            raise fields.fail("parameters", e.reason) from None
        except ScenarioError as e:
            raise fields.fail("parameters", f"the point {_point_text(point)} is not a valid "
                                            f"scenario: {_cut(e.path)}: {e.reason}") from None
        columns.update(dict.fromkeys(strategy_columns(scenario.strategies, scenario.baseline)))
    return list(columns)


def strategy_columns(strategies: list[str], baseline: str) -> list[str]:
    """The table's columns of each strategy (see :func:`run_point`)."""
    columns = []
    for name in strategies:
        columns += [f"{name}.total_cost", f"{name}.savings", f"{name}.savings_p5",
                    f"{name}.savings_p95"]
        if name != baseline:
            columns += [f"{name}.break_even_p50", f"{name}.break_even_p90",
                        f"{name}.p_within_horizon"]
    return columns


def _point_text(point: dict) -> str:
    return _cut(", ".join(f"{name}={value}" for name, value in point.items()), 200)


def check_heatmap(spec: SweepSpec, x: str, y: str, column: str) -> None:
    """Refuse a heatmap the sweep cannot draw, before it runs: X and Y two
    parameters of a grid, the column one of the table's."""
    if spec.design != "grid":
        raise OptionError("heatmap", f"needs a grid design (got {spec.design})")
    grid = _cut(", ".join(spec.parameters), 200)
    for axis, name in (("X", x), ("Y", y)):
        if name not in spec.parameters:
            raise OptionError("heatmap", f"{axis} must be a parameter of the grid "
                                         f"({grid}; got {shown(name)})")
    if x == y:
        raise OptionError("heatmap", "X and Y must be two different parameters")
    if column not in spec.columns:
        raise OptionError("heatmap", f"no column {shown(column)} "
                                     f"(columns: {_cut(', '.join(spec.columns), 300)})")


def local_workers(workers: int | None) -> int:
    """Local processes to run on: one per core by default, at most one per core
    (each point is single-threaded; more processes only share the cores)."""
    cores = os.cpu_count() or 1
    if workers is None:
        return cores
    if not _whole(workers, 1, cores):
        raise OptionError("workers", f"must be a whole number 1..{cores} "
                                     f"(the cores here; got {shown(workers)})")
    return workers


def connect(address: str, timeout: float = SCHEDULER_TIMEOUT_S):
    """A ``dask.distributed.Client`` of the scheduler at ``address``
    (tcp://HOST:PORT) once the scheduler has answered, has a worker, and its
    workers have run a probe task with this version of breakeven; each step waits
    at most ``timeout`` seconds, so no address makes it wait for ever."""
    _check_address(address)
    if not (_number(timeout) and timeout > 0):
        raise OptionError("scheduler_timeout", f"must be a number of seconds > 0 "
                                               f"(got {shown(timeout)})")
    try:
        import distributed
    except ImportError:
        raise OptionError("scheduler", "needs Dask: pip install 'breakeven[sweep]'") from None
    _handshake(address, timeout)
    client = distributed.Client(address, timeout=timeout)
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise OptionError("scheduler", f"{address} has no workers after {timeout:g} s "
                                           "(start some: dask worker ADDRESS)") from None
        _probe_workers(client, address, timeout)
    except BaseException:
        client.close()
        raise
    return client


def _check_address(address: str) -> None:
    if address.startswith("tls://"):
        raise OptionError("scheduler", "tls:// needs certificates, which the command line "
                                       "does not take: pass a dask.distributed.Client with its "
                                       "Security to breakeven.decisions.sweep(client=...)")
    match = _ADDRESS.fullmatch(address)
    if match is None:
        raise OptionError("scheduler", f"must be tcp://HOST:PORT (got {shown(address)})")
    if not 1 <= int(match[2]) <= 65535:
        raise OptionError("scheduler", f"must be tcp://HOST:PORT with a port 1..65535 "
                                       f"(got {shown(address)})")


def _handshake(address: str, timeout: float) -> None:
    """Ask the scheduler who it is, within ``timeout``: Dask's own connect waits
    for ever on a server that accepts and never answers."""
    import asyncio

    from distributed.comm import connect as open_comm

    async def identity():
        comm = await open_comm(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        info = asyncio.run(asyncio.wait_for(identity(), timeout))
    except asyncio.TimeoutError:
        raise OptionError("scheduler", f"{address} did not answer within {timeout:g} s "
                                       "(is it a Dask scheduler?)") from None
    except OSError as e:
        raise OptionError("scheduler", f"cannot reach {address}: {_cut(str(e), 200)}") from None
    except Exception as e:  # garbage read as a Dask message
        raise OptionError("scheduler", f"{address} did not answer as a Dask scheduler "
                                       f"({type(e).__name__})") from None
    if not (isinstance(info, dict) and info.get("type") == "Scheduler"):
        raise OptionError("scheduler", f"{address} did not answer as a Dask scheduler")


# The probe task, evaluated on each worker by the builtin eval: a function of
# breakeven would be pickled by reference, and a worker that cannot import
# breakeven dies unpickling it (Dask restarts it and the task waits for ever)
# instead of returning the ImportError.
_VERSION_PROBE = "__import__('breakeven').__version__"


def _probe_workers(client, address: str, timeout: float) -> None:
    """Run the version probe on every worker: one that cannot import breakeven,
    or runs another version, is named before any point is sent."""
    import distributed

    from .. import __version__

    probes = [client.submit(eval, _VERSION_PROBE, pure=False, workers=[w],
                            allow_other_workers=False)
              for w in client.scheduler_info(n_workers=-1)["workers"]]
    try:
        distributed.wait(probes, timeout=timeout)
    except TimeoutError:
        raise OptionError("scheduler", f"the workers of {address} did not run a probe task "
                                       f"within {timeout:g} s") from None
    for probe in probes:
        if probe.status == "error":
            e = probe.exception()
            raise OptionError("scheduler", (
                f"the workers of {address} cannot run breakeven ({type(e).__name__}: "
                f"{_cut(str(e), 200)}); install breakeven {__version__} on them"))
        if probe.result() != __version__:
            raise OptionError("scheduler", (
                f"the workers of {address} run breakeven {_cut(str(probe.result()))}; this is "
                f"{__version__}: install the same version on them"))


def run_point(base: dict, point: dict, paths, seed) -> dict:
    """One row of the sweep table: the point's parameters and, per strategy, the
    mean total cost, the saving against the baseline (mean, p5, p95) and the
    break-even statistics. A plain function of plain data, so that any process or
    Dask worker computes the same numbers. A failure is a :class:`PointFailed`."""
    try:
        return _point_row(base, point, paths, seed)
    except (ScenarioError, OptionError, _core.ScenarioError, _core.OptionError) as e:
        raise PointFailed(str(e), bad_input=True) from None
    except Exception as e:
        raise PointFailed(f"{type(e).__name__}: {e}", bad_input=False) from None


def _point_row(base: dict, point: dict, paths, seed) -> dict:
    from ..scenario import load

    result = load(base).with_values(point).run(paths=paths, seed=seed, threads=1,
                                               progress=False)
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


def _point_error(spec: SweepSpec, i: int, e: PointFailed) -> Exception:
    """A failed point as the error a user sees: the sweep file and the point."""
    reason = f"point {i + 1} of {len(spec.points)} ({_point_text(spec.points[i])}): {e.reason}"
    if e.bad_input:
        return ScenarioError(spec.source, None, "", reason)
    return RuntimeError(reason)


SHOWN_ROWS = 20  # points a sweep's terminal table shows


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
            "schema": schema_id("sweep"),
            "scenario": self.spec.base_name,
            "paths": self.spec.paths,
            "seed": self.spec.seed,
            "parameters": sorted(self.spec.points[0]) if self.spec.points else [],
            "rows": self.rows,
        }

    def document(self, rows: int = SHOWN_ROWS):
        """The sweep's table as a document: the first ``rows`` points, each
        strategy's mean total cost, saving and break-even p50 (the whole table is
        in --csv, --parquet and --json)."""
        from ..formatting import counted, money, parameter
        from ..presentation import Document, Section

        params = list(self.spec.points[0]) if self.spec.points else []
        strategies = [c.removesuffix(".total_cost") for c in self.spec.columns
                      if c.endswith(".total_cost")]
        header = [*params, *(f"{s} {k}" for s in strategies for k in ("total", "saving",
                                                                      "break-even"))]
        body = []
        for row in self.rows[:rows]:
            cells = [parameter(row[p]) for p in params]
            for s in strategies:
                be = row.get(f"{s}.break_even_p50")
                cells += [money(row[f"{s}.total_cost"]), f"{row[f'{s}.savings']:.1%}",
                          "-" if f"{s}.break_even_p50" not in row
                          else "beyond horizon" if be is None else str(int(be))]
            body.append(cells)
        left = len(self.rows) - len(body)
        text = (f"{counted(len(self.rows), 'point')} of {self.spec.base_name} over "
                f"{counted(len(params), 'parameter')}; each point one run on the same seed. "
                + (f"The first {len(body)} are shown; all are in --csv and --json."
                   if left else ""))
        return Document(f"Sweep: {self.spec.base_name}",
                        [Section("Sweep", text, (header, body), summary=True)])

    def to_csv(self, path) -> None:
        from ..files import open_output

        with open_output(path, "csv") as f:
            self.table().to_csv(f, index=False)

    def to_parquet(self, path) -> None:
        from ..files import open_output

        with open_output(path, "parquet", binary=True) as f:
            self.table().to_parquet(f, index=False)

    def plot(self, x: str, y: str, value: str):
        """Heatmap of column ``value`` (e.g. ``self-host.savings``) over two swept
        parameters of a grid."""
        from ..plots import plot_sweep

        return plot_sweep(self, x, y, value)


def sweep(path_or_spec, client=None, workers: int | None = None, progress=None) -> SweepResult:
    """Run a sweep file: on local processes (``workers``, default one per core),
    or on a Dask cluster given a ``dask.distributed.Client`` (see :func:`connect`).
    The numbers do not depend on which: each point is one seeded run. The first
    point that fails stops the sweep, its error naming the point."""
    from ..progress import progress_bar

    spec = path_or_spec if isinstance(path_or_spec, SweepSpec) else load_sweep(path_or_spec)
    if client is None:
        workers = min(local_workers(workers), len(spec.points))
    rows: list[dict | None] = [None] * len(spec.points)
    with progress_bar(progress) as tick:
        done = 0

        def finished(i, row):
            nonlocal done
            rows[i] = row
            done += 1
            if tick:
                tick(done, len(rows))

        if client is not None:
            _run_on_dask(spec, client, finished)
        else:
            _run_on_processes(spec, workers, finished)
    return SweepResult(spec, rows)


def _run_on_dask(spec: SweepSpec, client, finished) -> None:
    from dask.distributed import as_completed

    # The base once to every worker, not once per point (a sweep of 100,000 points
    # would hold as many copies on the scheduler).
    [base] = client.scatter([spec.base], broadcast=True)
    futures = [client.submit(run_point, base, p, spec.paths, spec.seed, pure=False)
               for p in spec.points]
    index = {f.key: i for i, f in enumerate(futures)}
    try:
        for future in as_completed(futures):
            i = index[future.key]
            try:
                finished(i, future.result())
            except PointFailed as e:
                raise _point_error(spec, i, e) from None
    finally:
        client.cancel(futures)


def _run_on_processes(spec: SweepSpec, workers: int, finished) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn, not fork: the parent may hold engine or progress-bar threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {pool.submit(run_point, spec.base, p, spec.paths, spec.seed): i
                   for i, p in enumerate(spec.points)}
        try:
            for future in as_completed(futures):
                i = futures[future]
                try:
                    finished(i, future.result())
                except PointFailed as e:
                    raise _point_error(spec, i, e) from None
        finally:
            # On a failure or Ctrl-C, the points not started are dropped; leaving
            # the pool waits only for those running.
            for future in futures:
                future.cancel()
