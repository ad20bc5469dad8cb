"""Decisions on top of runs: what drives the answer (sensitivity) and at what
traffic self-hosting starts to pay (threshold). Each evaluation is one engine
run on common random numbers (the same seed), so differences are not noise."""

from .sensitivity import Sensitivity, sensitivity
from .threshold import Threshold, threshold

__all__ = ["Sensitivity", "Threshold", "sensitivity", "threshold"]
