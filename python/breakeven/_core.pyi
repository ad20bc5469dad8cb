"""Type stubs of the compiled engine module (private: use the breakeven package)."""

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__version__: str
PART_NAMES: tuple[str, ...]
SERVED_NAMES: tuple[str, ...]

class ScenarioError(ValueError):
    """args: (field path, reason)."""

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
    def resolved_json(self) -> str: ...

class SimulationResult:
    scenario: str
    mode: str
    paths: int
    seed: int
    months: int
    baseline: int
    strategy_names: list[str]
    workload_names: list[str]
    precision_target: float | None
    precision_met: bool
    traffic_seconds: float
    costing_seconds: float
    cost: npt.NDArray[np.float64]
    parts: npt.NDArray[np.float64]
    workload_cost: npt.NDArray[np.float64]
    requests: npt.NDArray[np.float64]
    gpu_hours: npt.NDArray[np.float64]
    gpu_seconds_served: npt.NDArray[np.float64]
    def summary_json(self) -> str: ...

def parse_scenario(scenario_json: str, catalog_json: str) -> Scenario: ...
def simulate(
    scenario: Scenario,
    paths: int | None = None,
    seed: int | None = None,
    mode: str | None = None,
    threads: int = 0,
    precision: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult: ...
