"""Serving latency of a continuous-batching LLM server (docs/model.md "Serving
latency"): the engine's fast queueing model, and its request-level replay of an
hour, drawn or from a real trace.

>>> server = Server(prefill_tokens_per_s=8000, decode_tokens_per_s=900, max_batch=64)
>>> mix = RequestMix(requests_per_hour=4000, input_mean=1000, output_mean=300)
>>> latency(server, mix).ttft_p95            # seconds, the fast model
>>> replay(server, mix=mix, seed=1).percentiles().ttft_p95   # request by request
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _core
from .errors import OptionError


@dataclass(frozen=True)
class Server:
    """What each of ``replicas`` identical replicas does: prompt tokens per second
    in prefill, output tokens per second decoding a full batch of ``max_batch``
    sequences, and (optionally) the decode step of a lone sequence in seconds (0:
    every step takes a full batch's, max_batch / decode_tokens_per_s).
    """

    prefill_tokens_per_s: float
    decode_tokens_per_s: float
    max_batch: int
    replicas: int = 1
    lone_tpot_s: float = 0.0

    def _args(self) -> tuple:
        return (self.prefill_tokens_per_s, self.decode_tokens_per_s, self.max_batch,
                self.replicas, self.lone_tpot_s)


@dataclass(frozen=True)
class RequestMix:
    """An hour's requests: their rate, lognormal token sizes (mean and standard
    deviation), and the variance / mean of requests per minute (1: Poisson).
    """

    requests_per_hour: float
    input_mean: float
    output_mean: float
    input_sd: float = 0.0
    output_sd: float = 0.0
    minute_dispersion: float = 1.0

    def _args(self) -> tuple:
        return (self.requests_per_hour, self.input_mean, self.input_sd, self.output_mean,
                self.output_sd, self.minute_dispersion)


@dataclass(frozen=True)
class Latency:
    """Seconds; ``load`` is the hour's work over the server's capacity (the
    percentiles are infinite at or above 1).
    """

    load: float
    ttft_p50: float
    ttft_p95: float
    tpot_p50: float
    tpot_p95: float


def _engine(call, *args):
    try:
        return call(*args)
    except _core.OptionError as e:
        raise OptionError(*e.args) from None


def capacity_per_hour(server: Server, input_mean: float, output_mean: float) -> float:
    """Requests per hour the server completes at full batches, for these sizes."""
    one = _engine(_core.serving_capacity_per_hour, server.prefill_tokens_per_s,
                  server.decode_tokens_per_s, input_mean, output_mean)
    return server.replicas * one


def latency(server: Server, mix: RequestMix) -> Latency:
    """TTFT and TPOT percentiles of the hour from the fast model."""
    return Latency(**_engine(_core.serving_latency, *server._args(), *mix._args()))


@dataclass(frozen=True)
class Replay:
    """An hour replayed request by request: the requests, and each one's time to
    first token and time per output token after the first (seconds; NaN for a
    request of one output token).
    """

    arrival_s: np.ndarray
    input_tokens: np.ndarray
    output_tokens: np.ndarray
    ttft: np.ndarray
    tpot: np.ndarray

    def percentiles(self) -> Latency:
        """The replay's p50 and p95 (nearest rank above), as the model reports."""
        tpot = self.tpot[~np.isnan(self.tpot)]

        def at(x: np.ndarray, q: float) -> float:
            return float(np.quantile(x, q, method="higher")) if x.size else float("nan")

        return Latency(load=float("nan"), ttft_p50=at(self.ttft, 0.5),
                       ttft_p95=at(self.ttft, 0.95), tpot_p50=at(tpot, 0.5),
                       tpot_p95=at(tpot, 0.95))


def replay(server: Server, *, mix: RequestMix | None = None,
           arrival_s=None, input_tokens=None, output_tokens=None, seed: int = 0) -> Replay:
    """Serve an hour request by request: drawn from ``mix`` (minute rates gamma,
    Poisson within a minute, lognormal sizes), or the given requests (arrival
    seconds in order, token counts; a real trace). At most
    ``breakeven.constants.LIMITS["max_replay_requests"]`` requests. Deterministic given the
    seed, which also draws the balancer's choice among replicas.
    """
    given = (arrival_s, input_tokens, output_tokens)
    if mix is not None and any(x is not None for x in given):
        raise OptionError("replay", "give either mix or the requests, not both")
    if mix is not None:
        arrival_s, input_tokens, output_tokens = _engine(_core.draw_hour, *mix._args(), seed)
    elif any(x is None for x in given):
        raise OptionError("replay", "give mix, or arrival_s, input_tokens and output_tokens")
    arrays = [np.ascontiguousarray(x, dtype=float) for x in (arrival_s, input_tokens,
                                                            output_tokens)]
    ttft, tpot = _engine(_core.replay_hour, *arrays, *server._args(), seed)
    return Replay(*arrays, ttft=ttft, tpot=tpot)


def mix_of_trace(arrival_s, input_tokens, output_tokens) -> RequestMix:
    """The RequestMix of a trace: its rate over its span, its sizes' means and
    standard deviations, and its minute dispersion (breakeven.minutes).
    """
    from .minutes import minute_dispersion

    t = np.asarray(arrival_s, dtype=float)
    span_hours = max((t.max() - t.min()) / 3600.0, 1.0 / 60.0)
    i = np.asarray(input_tokens, dtype=float)
    o = np.asarray(output_tokens, dtype=float)
    return RequestMix(requests_per_hour=t.size / span_hours, input_mean=float(i.mean()),
                      input_sd=float(i.std()), output_mean=float(o.mean()),
                      output_sd=float(o.std()), minute_dispersion=minute_dispersion(t))
