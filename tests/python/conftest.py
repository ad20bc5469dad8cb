from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# A small scenario: 3 months, an API-only and a cluster strategy. Tests edit it
# by replacing whole lines, so line numbers in error messages stay predictable.
BASE_YAML = textwrap.dedent(
    """\
    name: small
    horizon_months: 3
    simulation: {paths: 20, seed: 5}
    models:
      my-model: {input: 1.0, output: 10.0, cached_input: 0.1, batch_discount: 0.5}
    workloads:
      - name: chat
        requests: {per_hour: 10}
        input_tokens: {p50: 1200, p95: 3000}
        prefix_tokens: 300
        output_tokens: 100
        hourly_weights: consumer
        spikiness: {weekly_p95_over_p5: 3, autocorrelation: 0.5}
      - name: nightly
        requests: {per_day: 240}
        input_tokens: {mean: 2000, cv: 0.5}
        output_tokens: 200
        latency: {batch: {deadline_hours: 12}}
    correlation: 0.2
    clusters:
      gpu:
        gpu_price_per_hour: 0.5
        gpus: 1
        prefill_tokens_per_s: 5000
        decode_tokens_per_s: 1000
        utilization: 0.7
        overflow: my-model
    strategies:
      - name: api
        route: {default: my-model}
      - name: hosted
        route: {default: gpu}
        caching: true
        batch_api: true
    baseline: api
    """
)


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing ``fragment``."""
    for i, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return i
    raise AssertionError(f"{fragment!r} not in scenario text")


@pytest.fixture
def write_scenario(tmp_path):
    def write(text: str = BASE_YAML, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def small(write_scenario):
    import breakeven

    return breakeven.load(write_scenario())
