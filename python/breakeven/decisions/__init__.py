"""Decisions on top of runs: what drives the answer (sensitivity), at what
traffic self-hosting starts to pay (threshold), and sweeps over parameters. Each evaluation is one engine
run on common random numbers (the same seed), so differences are not noise."""

from .optimize import Optimum, optimize
from .sections import DECISION_SECTIONS, decision_documents
from .sensitivity import Sensitivity, sensitivity
from .sweep import SweepResult, load_sweep, sweep
from .threshold import Threshold, threshold

__all__ = [
    "DECISION_SECTIONS",
    "decision_documents",
    "Optimum",
    "optimize",
    "Sensitivity",
    "SweepResult",
    "Threshold",
    "load_sweep",
    "sensitivity",
    "sweep",
    "threshold",
]
