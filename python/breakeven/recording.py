"""Recorded scenarios: ``breakeven record`` writes a scenario's key statistics to
``recorded/NAME.json`` beside it; ``breakeven check`` re-runs the scenario,
evaluates its ``expect:`` list and compares with the recording.

Tolerance: 1e-9 relative in expected mode (deterministic, so only floating-point
noise may differ). In stochastic mode a statistic passes when the recorded value
lies within K standard errors of the difference between two independent runs
(K = 4 by default, so sqrt(2) * K * se of the new run); percentiles and months
use the order statistics that far either side. Same seed and engine: identical.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from .constants import DEFAULT_K
from .planning_stats import NEVER, estimate
from .scenario import Scenario, load

RELATIVE_TOLERANCE = 1e-9
RECORDED_STATISTICS = (
    "total_cost.mean",
    "total_cost.p5",
    "total_cost.p95",
    "savings.mean",
    "break_even.p_within_horizon",
    "break_even.p50_month",
    "break_even.p90_month",
)


@dataclass(frozen=True)
class CheckLine:
    status: str  # PASS, FAIL or NOTE
    scenario: str
    text: str

    def __str__(self) -> str:
        return f"{self.status}  {self.scenario}: {self.text}"


def recording_path(scenario_path: Path) -> Path:
    return scenario_path.parent / "recorded" / f"{scenario_path.stem}.json"


def scenario_files(paths: list[str]) -> list[Path]:
    """Files named, and the *.yaml / *.yml files of folders named, in order."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml"))
        else:
            files.append(p)
    return files


def _statistics_of(scenario: Scenario) -> list[tuple[str, str]]:
    """(strategy, statistic) pairs a recording holds: the key set plus those expected."""
    pairs = []
    for name in scenario.strategies:
        for stat in RECORDED_STATISTICS:
            if name == scenario.baseline and stat.startswith(
                ("break_even.", "savings.")
            ):
                continue
            pairs.append((name, stat))
    for e in scenario.expectations:
        for o in (e.left, e.right):
            ref = (getattr(o, "strategy", None), getattr(o, "statistic", None))
            if ref[0] and ref not in pairs:
                pairs.append(ref)
    return pairs


def _to_json_number(stat: str, x: float):
    if x == NEVER:
        return None
    return int(x) if stat.endswith("_month") else x


def _from_json_number(x) -> float:
    return NEVER if x is None else float(x)


def record(path: Path) -> tuple[Path, int]:
    """Write the recording of the scenario at ``path``; return it and how many values changed."""
    scenario = load(path)
    result = scenario.run()
    stats: dict[str, dict[str, float | None]] = {}
    for strategy, stat in _statistics_of(scenario):
        stats.setdefault(strategy, {})[stat] = _to_json_number(
            stat, estimate(result, strategy, stat).value
        )
    out = recording_path(path)
    old = json.loads(out.read_text()) if out.exists() else None
    doc = {
        "version": 1,
        "scenario": scenario.name,
        "mode": result.mode,
        "paths": result.paths,
        "seed": result.seed,
        "engine_version": _engine_version(),
        "statistics": stats,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    changed = sum(
        1
        for strategy, values in stats.items()
        for stat, value in values.items()
        if old is None
        or old.get("statistics", {}).get(strategy, {}).get(stat, "missing") != value
    )
    return out, changed


def _engine_version() -> str:
    from . import __version__

    return __version__


def check(path: Path, k: float = DEFAULT_K) -> list[CheckLine]:
    """Run the scenario at ``path``; one line per expectation and recorded statistic."""
    scenario = load(path)
    result = scenario.run()
    name = path.stem
    lines = []
    for e in scenario.expectations:
        held, actual = e.evaluate(result)
        lines.append(
            CheckLine("PASS" if held else "FAIL", name, f"expect {e.text}  ({actual})")
        )

    rec_path = recording_path(path)
    if not rec_path.exists():
        lines.append(
            CheckLine(
                "NOTE",
                name,
                f"no recording at {rec_path}; checked against its expectations only",
            )
        )
        return lines
    rec = json.loads(rec_path.read_text(encoding="utf-8"))
    if (rec.get("mode"), rec.get("paths"), rec.get("seed")) != (
        result.mode,
        result.paths,
        result.seed,
    ):
        lines.append(
            CheckLine(
                "FAIL",
                name,
                f"recording made with mode {rec.get('mode')}, {rec.get('paths')} paths, seed "
                f"{rec.get('seed')}; the scenario now runs {result.mode}, {result.paths} paths, "
                f"seed {result.seed}: run `breakeven record {path}` if that is intended",
            )
        )
        return lines
    for strategy, values in rec["statistics"].items():
        for stat, recorded in values.items():
            lines.append(
                _compare(name, result, strategy, stat, _from_json_number(recorded), k)
            )
    return lines


def _compare(name, result, strategy, stat, recorded, k) -> CheckLine:
    label = f"recorded {strategy}.{stat} = {_fmt(recorded)}"
    if strategy not in result.strategies:
        return CheckLine(
            "FAIL", name, f"{label}: the scenario has no strategy '{strategy}'"
        )
    now = estimate(result, strategy, stat, k=k * math.sqrt(2))
    if result.mode == "expected":
        ok = (now.value == recorded) or (
            math.isfinite(recorded)
            and abs(now.value - recorded) <= RELATIVE_TOLERANCE * abs(recorded)
        )
        detail = f"now {_fmt(now.value)}, tolerance 1e-9 relative"
    else:
        # The engine's interpolated percentile and the order statistics around it
        # may differ in the last bits; allow for that.
        finite = [abs(x) for x in (now.value, recorded) if math.isfinite(x)]
        slack = RELATIVE_TOLERANCE * max(finite, default=0.0)
        ok = recorded == now.value or now.low - slack <= recorded <= now.high + slack
        detail = f"now {_fmt(now.value)}, allowed {_fmt(now.low)}..{_fmt(now.high)}"
    return CheckLine("PASS" if ok else "FAIL", name, f"{label} ({detail})")


def _fmt(x: float) -> str:
    return "never" if x == NEVER else f"{x:.10g}"
