"""Calibrates a fitted workload's cache structure to the cache reads its logs show,
at the TTL they were logged under: the model's default tier (docs/ingest.md
"Caching").

- Without conversations, the shared prefix ``P`` is the mean tokens a request read
  when it read the cache, and its variants ``K`` are as many as make the engine's
  hit probability, over the fitted week of hourly rates, the logged share of
  requests that read.
- With conversations, ``P`` and ``K`` come from first turns alike (a first turn can
  read only what conversations share), and ``tokens_per_read`` (what a later
  turn's read covers beyond ``P``) is set so that the engine's reads of later turns
  are the logged ones.

The TTL's effect then follows from the structure, the gaps between turns and the
rate per prefix, not from the logs (which show one TTL). The engine computes every
share here (``_core.Scenario.cache_figures``): no cache formula is restated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX_VARIANTS = 1_000_000_000  # the engine's bound on prefix_variants


@dataclass
class CacheFit:
    """What the calibration matched, for the fitted YAML's comments."""

    ttl_minutes: float
    logged_share: float  # cached / input tokens in the logs
    fitted_share: float  # the engine's, at the fitted rates and the logged TTL
    prefix_variants: int
    notes: list[str] = field(default_factory=list)


def _probe(workload: dict, model: str, models: dict, catalog=None):
    """A scenario of this one workload sent to `model` with caching on, priced
    with `catalog` (a CatalogFile; None: the bundled catalog)."""
    from ..scenario import load

    spec = {"name": "cache-fit", "horizon_months": 1, "simulation": {"mode": "expected"},
            "workloads": [workload],
            "strategies": [{"name": "logged", "route": {"default": model}, "caching": True}]}
    if models:
        spec["models"] = models
    return load(spec, catalog=catalog)


def _week(scenario) -> np.ndarray:
    """The fitted workload's expected requests in each hour of a week."""
    w = scenario.resolved()["workloads"][0]
    hours = np.arange(168)
    return (w["requests_per_hour"] * np.asarray(w["hourly_weights"])[hours % 24]
            * np.asarray(w["weekday_weights"])[hours // 24])


def _figures(workload: dict, model: str, models: dict, catalog=None) -> dict:
    """The engine's cache figures over the fitted week, weighted by requests (so
    the cached share is one of tokens)."""
    scenario = _probe(workload, model, models, catalog)
    rates = _week(scenario)
    rows = [scenario._core.cache_figures("logged", workload["name"], float(n))
            for n in rates]
    weights = rates / rates.sum() if rates.sum() > 0 else np.full(len(rates), 1 / len(rates))
    keys = ("cached_share", "conversation_hit_share", "prefix_hit_share")
    out = {k: float(sum(w * r[k] for w, r in zip(weights, rows))) for k in keys}
    out["ttl_minutes"] = rows[0]["ttl_minutes"]
    return out


def _shared_hit(figures: dict) -> float:
    """h: the share of the requests that miss their conversation which find the
    shared prefix warm."""
    q = figures["conversation_hit_share"]
    return (figures["prefix_hit_share"] - q) / (1 - q) if q < 1 else 1.0


def _variants(workload: dict, model: str, models: dict, target: float,
              catalog=None) -> int:
    """The fewest prefix variants whose hit probability is at most `target`."""
    def hit(k: int) -> float:
        return _shared_hit(_figures({**workload, "prefix_variants": k}, model, models,
                                     catalog))

    if hit(1) <= target:
        return 1
    lo, hi = 1, MAX_VARIANTS  # hit(lo) > target >= hit(hi)
    if hit(hi) > target:
        return hi
    while hi - lo > 1 and hi > lo * 1.001:
        mid = int(round(np.sqrt(lo * hi))) if hi > 2 * lo else (lo + hi) // 2
        mid = min(max(mid, lo + 1), hi - 1)
        (lo, hi) = (mid, hi) if hit(mid) > target else (lo, mid)
    return hi


def calibrate(workload: dict, model: str, models: dict, tok, conv,
              catalog=None) -> CacheFit | None:
    """Sets ``workload``'s prefix_tokens, prefix_variants and its conversation's
    tokens_per_read from the logged cache reads (in place); None when the logs show
    none (or cannot: no cached-token field). ``catalog``: the CatalogFile the logs
    are priced with (None: the bundled catalog)."""
    if not tok.cache_fields or tok.cached_requests == 0 or tok.requests == 0:
        return None
    input_tokens = tok.input_mean * tok.requests
    logged = tok.cached_tokens / input_tokens if input_tokens > 0 else 0.0
    notes: list[str] = []
    talk = workload.get("conversation")
    if conv is not None and talk is not None:
        first_n, first_hits, first_tokens = conv.first_reads
        _, later_hits, later_tokens = conv.later_reads
        share = first_hits / first_n if first_n else 0.0
        size = first_tokens / first_hits if first_hits else 0.0
        probe = _probe({**workload, "prefix_tokens": 0}, model, models, catalog)
        earlier = probe.resolved()["workloads"][0]["conversation"]["mean_earlier_turns"]
        room = max(tok.input_mean - talk["history_tokens_per_turn"] * earlier, 0.0)
    else:
        share = tok.cached_requests / tok.requests
        size = tok.cached_tokens / tok.cached_requests
        room = tok.input_mean
    prefix = min(size, room)
    if prefix > 0:
        workload["prefix_tokens"] = float(f"{prefix:.6g}")
        workload["prefix_variants"] = _variants(workload, model, models, share, catalog)
        # Whole variants hit a little less often than the logs: the same tokens.
        hit = _shared_hit(_figures(workload, model, models, catalog))
        if hit > 0:
            workload["prefix_tokens"] = float(f"{min(prefix * share / hit, room):.6g}")
    else:
        workload.pop("prefix_tokens", None)
    if conv is not None and talk is not None:
        # What later turns read beyond the shared prefix, per request, is Q c.
        q = _figures(workload, model, models, catalog)["conversation_hit_share"]
        beyond = max(later_tokens - later_hits * prefix, 0.0) / tok.requests
        if q > 0:
            # Later turns may be longer than the mean request: a read can cover more
            # than the mean input (the engine keeps an hour's reads within its V).
            talk["tokens_per_read"] = float(f"{beyond / q:.6g}")
    fitted = _figures(workload, model, models, catalog)
    if abs(fitted["cached_share"] - logged) > 0.02:
        notes.append(f"the fitted cache structure reads {fitted['cached_share']:.1%} of "
                     f"input tokens at the logged {fitted['ttl_minutes']:g}-minute TTL, "
                     f"the logs {logged:.1%}")
    return CacheFit(fitted["ttl_minutes"], logged, fitted["cached_share"],
                    int(workload.get("prefix_variants", 1)), notes)
