"""Loading a scenario file (v1, MODEL.md) and running it."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

from . import _core
from ._yaml import LineMap, check_plain, load_yaml, read_text
from .catalog import CatalogFile, catalog_json, read_catalog, serving_json
from .errors import OptionError, ScenarioError
from .expectations import ExpectationError, parse_expectation
from .progress import progress_bar
from .serving_bench import expand_bench


def example_path(name: str = "content-platform") -> Path:
    """Path of a scenario bundled with the package (``scenarios/NAME.yaml``)."""
    path = resources.files("breakeven").joinpath(f"data/scenarios/{name}.yaml")
    if not path.is_file():
        raise FileNotFoundError(f"no bundled scenario named {name!r}")
    return Path(str(path))


def load(source: str | os.PathLike | Mapping,
         catalog: str | os.PathLike | CatalogFile | None = None) -> Scenario:
    """Load and validate a scenario from a YAML/JSON file or a mapping.

    Prices come from ``catalog`` (a catalog file) if given, else from the file the
    scenario's ``catalog:`` names (relative to the scenario file, or to the current
    folder for a mapping), else from the bundled catalog.

    Raises
    ------
    ScenarioError
        With the file, line and field path of the first problem found.
    """
    if isinstance(source, Mapping):
        lines = LineMap("<dict>")
        data, path = check_plain(source, lines), None
    else:
        path = Path(source)
        data, lines = load_yaml(read_text(path), str(path))
    folder = path.parent if path is not None else Path.cwd()
    return Scenario(data, lines, path=path,
                    catalog=_catalog_of(data, lines, folder, catalog))


def _catalog_of(data, lines: LineMap, folder: Path, given) -> CatalogFile | None:
    """The catalog file a scenario is priced from; None: the bundled catalog. A
    ``catalog:`` that is not text is left to the engine, which names the field."""
    if isinstance(given, CatalogFile):
        return given
    if given is not None:
        return read_catalog(given)
    named = data.get("catalog") if isinstance(data, dict) else None
    if not isinstance(named, str):
        return None
    path = folder / named
    try:
        return read_catalog(path)
    except ScenarioError as e:
        if e.source == str(path) and e.line is None:  # could not be read at all
            raise lines.error("catalog", f"{path}: {e.reason}") from None
        raise


class Scenario:
    """A validated scenario. Create it with :func:`breakeven.load`."""

    def __init__(self, data: dict, lines: LineMap, path: Path | None,
                 catalog: CatalogFile | None = None, base: Path | None = None):
        if not isinstance(data, dict):
            raise lines.error("", "a scenario must be a mapping of fields")
        self._data = data
        self._lines = lines
        self.path = path
        self.catalog = catalog  # None: the bundled catalog
        text = catalog.text if catalog else catalog_json()
        # Files the scenario names (a cluster's serving.bench) are read from its
        # folder; a scenario edited with with_values keeps its original's.
        self._base = base if base is not None else (path.parent if path else None)
        engine_data, problems = expand_bench(data, self._base)
        if problems:
            raise lines.error(*problems[0])
        try:
            self._core = _core.parse_scenario(json.dumps(engine_data), text, serving_json())
        except _core.ScenarioError as e:
            field, reason = e.args
            if catalog and field.startswith("catalog."):  # a GPU offer of the file
                raise catalog.error(field, reason) from None
            raise lines.error(field, reason) from None
        self.expectations = []
        for i, text in enumerate(data.get("expect", [])):
            try:
                self.expectations.append(
                    parse_expectation(
                        text, self.strategies, self.workloads, self.baseline
                    )
                )
            except ExpectationError as e:
                raise lines.error(f"expect[{i}]", str(e)) from None

    @property
    def name(self) -> str:
        return self._core.name

    @property
    def description(self) -> str:
        return self._core.description

    @property
    def horizon_months(self) -> int:
        return self._core.horizon_months

    @property
    def workloads(self) -> list[str]:
        return list(self._core.workload_names)

    @property
    def strategies(self) -> list[str]:
        return list(self._core.strategy_names)

    @property
    def clusters(self) -> list[str]:
        return list(self._core.cluster_names)

    @property
    def baseline(self) -> str:
        return self._core.baseline

    def resolved(self) -> dict:
        """The scenario as the engine sees it: defaults filled in, weights normalised,
        token sizes as mean and sd, catalog prices merged, every route resolved.
        """
        return self._core.resolved()

    def meets_quality(self, workload: str, mean: float | None, sd: float = 0.0) -> bool:
        """Whether ``workload``'s min_quality allows a route scoring ``mean`` (None:
        unscored) with this ``sd`` (the engine's rule, docs/model.md)."""
        return self._core.meets_quality(self.workloads.index(workload), mean, sd or 0.0)

    def route_allowed(self, workload: str, target: str) -> bool:
        """Whether ``workload`` may be sent to ``target`` (a model or cluster) under
        its ``min_quality``: the engine's rule, a mean score or P(score >= floor)."""
        return self._core.route_allowed(self.workloads.index(workload), target)

    @property
    def data(self) -> dict:
        """The scenario as written (a copy), before defaults are filled in."""
        return copy.deepcopy(self._data)

    def with_values(self, values: Mapping[str, object]) -> Scenario:
        """A new scenario with each dotted path set to its value (``REMOVE``
        deletes it): ``with_values({"workloads.chat.requests.per_day": 5e4,
        "models.gpt-5.5.input": 1.0})``. Lists are indexed by their items' names;
        names may hold dots. The grammar: :mod:`breakeven.edits`. The result is
        validated like a file: a ScenarioError names the field.
        """
        from .edits import set_value

        r = self.resolved()
        known = {"models": set(r["models"]), "clusters": set(r["clusters"])}
        data = self.data
        for path, value in values.items():
            set_value(data, path, value, known)
        lines = LineMap("<dict>")
        return Scenario(check_plain(data, lines), lines, path=None, catalog=self.catalog,
                        base=self._base)

    def run(
        self,
        paths: int | None = None,
        seed: int | None = None,
        mode: str | None = None,
        threads: int | None = None,
        precision: float | None = None,
        progress: bool | Callable[[int, int], None] | None = None,
        memory_budget_gib: float | None = None,
        antithetic: bool | None = None,
    ):
        """Run the Monte Carlo simulation.

        Parameters
        ----------
        paths, seed, mode
            Override the scenario's ``simulation:`` settings. ``mode="expected"``
            runs one deterministic path.
        threads
            Worker threads; default all cores. Results do not depend on it.
        precision
            Run blocks of 1,000 paths until the relative standard error of every
            strategy's total cost, and the standard error of every break-even
            probability, are below this (e.g. 0.005). ``paths`` is then the most to
            run (default 100,000). The paths used are ``Result.paths``.
        progress
            True/False for a progress bar (tqdm); None (default) shows one in
            notebooks and terminals for runs longer than a second; a callable is
            called as ``progress(done, total)`` about every 0.1 s instead.
        memory_budget_gib
            The most memory the run's arrays may take (default 4 GiB), estimated
            before anything is allocated: a larger run is an :class:`OptionError`,
            and a run to precision stops growing there.
        antithetic
            Antithetic variates (default: the scenario's ``simulation.antithetic``):
            paths come in pairs, the second with every normal shock negated;
            standard errors are then computed from pair means.

        Returns
        -------
        Result

        Raises
        ------
        OptionError
            An option out of the engine's bounds, which the message states.
        """
        from .result import Result

        with progress_bar(progress) as callback:
            try:
                core = _core.simulate(
                    self._core,
                    paths,
                    seed,
                    mode,
                    threads,
                    precision,
                    memory_budget_gib,
                    callback,
                    antithetic,
                )
            except _core.OptionError as e:
                raise OptionError(*e.args) from None
        return Result(core, self, threads=threads, memory_budget_gib=memory_budget_gib)

    def _repr_html_(self) -> str:
        from .display import scenario_html

        return scenario_html(self)

    def __repr__(self) -> str:
        return (
            f"<Scenario {self.name!r}: {len(self.workloads)} workloads, "
            f"{len(self.strategies)} strategies, {self.horizon_months} months>"
        )
