"""Type stubs of the compiled engine (private: use the breakeven package): the
names every build module _core_<build> has, which _core.py takes from one."""

import enum
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__version__: str
BUILDS: tuple[str, ...]
BUILD: str  # the build in use, one of BUILDS
PART_NAMES: tuple[str, ...]
SERVED_NAMES: tuple[str, ...]
DETAIL_NAMES: tuple[str, ...]
HOURS_PER_DAY: int
HOURS_PER_WEEK: int
HOURS_PER_MONTH: int
SECONDS_PER_HOUR: float
Z95: float  # the normal 95th percentile as p95s are read (limits.hpp kZ95)
LIMITS: dict[str, int | float]

class ScenarioError(ValueError):
    """args: (field path, reason)."""

class OptionError(ValueError):
    """args: (option, reason)."""

class Mode(enum.Enum):
    stochastic = ...
    expected = ...

class Scenario:
    name: str
    description: str
    horizon_months: int
    paths: int
    seed: int
    mode: str
    workload_names: list[str]
    strategy_names: list[str]
    cluster_names: list[str]
    baseline: str
    def resolved(self) -> dict: ...
    def route_allowed(self, workload: int, target: str) -> bool: ...
    def cache_hit_probability(
        self, strategy: str, workload: str, requests_per_hour: np.ndarray
    ) -> np.ndarray: ...

class ArrayView:
    """A read-only buffer over one result array; ``np.asarray`` views it."""

class SimulationResult:
    scenario: str
    mode: str
    paths: int
    seed: int
    months: int
    baseline: int
    strategy_names: list[str]
    workload_names: list[str]
    slo_workloads: list[int]
    precision_target: float | None
    precision_met: bool
    traffic_seconds: float
    costing_seconds: float
    def array(self, name: str) -> ArrayView: ...
    def summary(self) -> dict: ...
    def break_even_months(self, strategy: int) -> npt.NDArray[np.int32]: ...

def parse_scenario(scenario_json: str, catalog_json: str, serving_json: str = ...) -> Scenario: ...
def serving_rows(serving_json: str) -> str: ...
def catalog_models(catalog_json: str) -> dict[str, dict]: ...
def simulate(
    scenario: Scenario,
    paths: int | None = None,
    seed: int | None = None,
    mode: str | Mode | None = None,
    threads: int | None = None,
    precision: float | None = None,
    memory_budget_gib: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult: ...
def run_memory_bytes(scenario: Scenario, paths: int, threads: int) -> float: ...
def serving_latency(
    prefill_tokens_per_s: float, decode_tokens_per_s: float, max_batch: int, replicas: int,
    lone_tpot_s: float, requests_per_hour: float, input_mean: float, input_sd: float,
    output_mean: float, output_sd: float, minute_dispersion: float,
) -> dict[str, float]: ...
def serving_capacity_per_hour(
    prefill_tokens_per_s: float, decode_tokens_per_s: float, input_mean: float,
    output_mean: float,
) -> float: ...
def draw_hour(
    requests_per_hour: float, input_mean: float, input_sd: float, output_mean: float,
    output_sd: float, minute_dispersion: float, seed: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def replay_hour(
    arrival_s: npt.ArrayLike, input_tokens: npt.ArrayLike, output_tokens: npt.ArrayLike,
    prefill_tokens_per_s: float, decode_tokens_per_s: float, max_batch: int, replicas: int,
    lone_tpot_s: float, seed: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
