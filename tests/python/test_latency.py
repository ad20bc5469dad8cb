"""breakeven.serving: the fast latency model and the request-level replay from
Python (the engine's own agreement tests are tests/cpp/test_latency.cpp), a real
trace replayed, and the one-line errors.
"""

from __future__ import annotations

import breakeven
import numpy as np
import pandas as pd
import pytest
from breakeven.constants import LIMITS
from breakeven.serving import (
    RequestMix,
    Server,
    capacity_per_hour,
    latency,
    mix_of_trace,
    replay,
)
from conftest import REPO

AZURE = REPO.parent / "shared" / "data" / "azure-llm-2023" / "code.csv"

PROMPT_HEAVY = Server(prefill_tokens_per_s=20000, decode_tokens_per_s=3000, max_batch=128,
                      replicas=4)


def mix_at(load: float, dispersion: float = 1.0) -> RequestMix:
    per_hour = load * capacity_per_hour(PROMPT_HEAVY, 2000, 200)
    return RequestMix(requests_per_hour=per_hour, input_mean=2000, input_sd=1500,
                      output_mean=200, output_sd=150, minute_dispersion=dispersion)


def test_capacity_closed_form():
    # 4 x 3600 / (2000 / 20000 + 199 / 3000)
    assert capacity_per_hour(PROMPT_HEAVY, 2000, 200) == pytest.approx(
        4 * 3600 / (0.1 + 199 / 3000))


def test_model_and_replay_agree_at_half_load():
    mix = mix_at(0.5)
    model = latency(PROMPT_HEAVY, mix)
    assert model.load == pytest.approx(0.5)
    replayed = replay(PROMPT_HEAVY, mix=mix, seed=3).percentiles()
    assert model.ttft_p95 == pytest.approx(replayed.ttft_p95, rel=0.10)
    assert model.tpot_p50 == pytest.approx(replayed.tpot_p50, rel=0.05)
    # saturated: no finite latency
    assert np.isinf(latency(PROMPT_HEAVY, mix_at(1.0)).ttft_p95)


def test_explicit_requests_closed_form():
    # One request: 1000 prompt tokens at 10,000/s, then 9 steps of 20 ms; one of a
    # single output token has no TPOT.
    server = Server(prefill_tokens_per_s=10000, decode_tokens_per_s=1000, max_batch=32,
                    lone_tpot_s=0.02)
    r = replay(server, arrival_s=[0.0, 100.0], input_tokens=[1000, 500],
               output_tokens=[10, 1])
    assert r.ttft == pytest.approx([0.1, 0.05])
    assert r.tpot[0] == pytest.approx(0.02)
    assert np.isnan(r.tpot[1])
    assert not r.ttft.flags.owndata  # the engine's memory, not a copy


def test_replay_is_deterministic_given_the_seed():
    mix = mix_at(0.7, dispersion=3.0)
    a, b = replay(PROMPT_HEAVY, mix=mix, seed=4), replay(PROMPT_HEAVY, mix=mix, seed=4)
    np.testing.assert_array_equal(a.ttft, b.ttft)
    assert not np.array_equal(a.arrival_s, replay(PROMPT_HEAVY, mix=mix, seed=5).arrival_s)


def test_the_azure_trace_replayed():
    """An hour of real code completions (8,818 requests, minute dispersion ~163) on
    one replica at a mean load of 0.59: the bursts queue, so the replay's p95 TTFT
    (94 s) is 60 times the Poisson model's (1.6 s); the model with the trace's
    dispersion (fitted by mix_of_trace) gives 106 s. Checked to 25%: a real trace's
    minutes are not gamma-mixed Poisson, the model's premise.
    """
    trace = pd.read_csv(AZURE)
    t = pd.to_datetime(trace["TIMESTAMP"])
    seconds = (t - t.min()).dt.total_seconds().to_numpy()
    inputs = trace["ContextTokens"].to_numpy(float)
    outputs = np.maximum(trace["GeneratedTokens"].to_numpy(float), 1.0)
    mix = mix_of_trace(seconds, inputs, outputs)
    assert 150 < mix.minute_dispersion < 175
    server = Server(prefill_tokens_per_s=10000, decode_tokens_per_s=1000, max_batch=64)
    r = replay(server, arrival_s=seconds, input_tokens=inputs, output_tokens=outputs)
    # no request is faster than its own prefill
    assert np.all(r.ttft >= inputs / server.prefill_tokens_per_s - 1e-9)
    replayed = r.percentiles()
    poisson = latency(server, RequestMix(**{**mix.__dict__, "minute_dispersion": 1.0}))
    bursty = latency(server, mix)
    assert bursty.load == pytest.approx(0.595, abs=0.005)
    assert replayed.ttft_p95 > 20 * poisson.ttft_p95
    assert bursty.ttft_p95 == pytest.approx(replayed.ttft_p95, rel=0.25)


@pytest.mark.parametrize("call, message", [
    (lambda: replay(PROMPT_HEAVY, arrival_s=[1.0, 0.5], input_tokens=[10, 10],
                    output_tokens=[2, 2]),
     "requests[1].arrival_s: must be finite and not before the previous request's"),
    (lambda: replay(PROMPT_HEAVY, arrival_s=[0.0], input_tokens=[10, 10], output_tokens=[2]),
     "requests: arrival_s, input_tokens and output_tokens must be one-dimensional and of "
     "one length"),
    (lambda: replay(PROMPT_HEAVY, arrival_s=[0.0], input_tokens=[10], output_tokens=[0]),
     "requests[0].output_tokens: must be a whole number in [1, 1e8]"),
    (lambda: replay(PROMPT_HEAVY, mix=mix_at(0.5), arrival_s=[0.0]),
     "replay: give either mix or the requests, not both"),
    (lambda: replay(PROMPT_HEAVY), "replay: give mix, or arrival_s, input_tokens and "
     "output_tokens"),
    (lambda: replay(PROMPT_HEAVY, mix=RequestMix(
        requests_per_hour=2 * LIMITS["max_replay_requests"], input_mean=10,
        output_mean=2)),
     "requests: a replay serves at most 10000000 requests (got 20000000)"),
    (lambda: latency(Server(20000, 3000, 0), mix_at(0.5)),
     "serving.max_batch: must be in [1, 100000]"),
    (lambda: latency(PROMPT_HEAVY, RequestMix(requests_per_hour=-1, input_mean=10,
                                              output_mean=2)),
     "requests_per_hour: must be in [0, 1e12]"),
])
def test_bad_input_is_one_line(call, message):
    with pytest.raises(breakeven.OptionError) as e:
        call()
    assert str(e.value) == message
