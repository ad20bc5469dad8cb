"""breakeven: Monte Carlo capacity planning and break-even analysis for LLM workloads.

>>> import breakeven
>>> scenario = breakeven.load("scenarios/content-platform.yaml")
>>> result = scenario.run(paths=1000)
>>> result.summary()
"""

from ._core import __version__
from .catalog import catalog, gpu_offers_table, models_table, serving_table
from .errors import OptionError, ScenarioError
from .result import PART_NAMES, SERVED_NAMES, Result, StrategyResult
from .scenario import Scenario, example_path, load


def ingest(paths, **options):
    """Read usage logs into a :class:`breakeven.logs.Usage` (spend by task and model,
    hourly traffic, ``.fit()`` and ``.backtest()``): :func:`breakeven.logs.ingest`,
    whose options (``task``, ``mapping``, ``memory_limit``, ``max_files``, ...) it
    takes; docs/ingest.md. DuckDB loads on first use."""
    from .logs import ingest as read

    return read(paths, **options)

__all__ = [
    "OptionError",
    "PART_NAMES",
    "SERVED_NAMES",
    "Result",
    "Scenario",
    "ScenarioError",
    "StrategyResult",
    "__version__",
    "catalog",
    "example_path",
    "gpu_offers_table",
    "ingest",
    "load",
    "models_table",
    "serving_table",
]
