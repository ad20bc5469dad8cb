"""Invalid inputs: one clear message each, naming the file, the line and the field."""

from __future__ import annotations

import math

import breakeven
import pytest
from conftest import BASE_YAML, line_of


def edited(old: str, new: str) -> str:
    assert old in BASE_YAML, old
    return BASE_YAML.replace(old, new, 1)


# (replace this, with that, line containing, field path, reason)
CASES = [
    (
        "input_tokens: {p50: 1200, p95: 3000}",
        "input_tokens: {p50: 1200, p95: 800}",
        "p95: 800",
        "workloads[0].input_tokens.p95",
        "must be >= p50 (got 800 < 1200)",
    ),
    (
        "    output_tokens: 100",
        "    outptu_tokens: 100",
        "outptu_tokens",
        "workloads[0].outptu_tokens",
        "unknown field (allowed: name, description, requests, input_tokens, prefix_tokens, "
        "prefix_variants, output_tokens, latency, hourly_weights, weekday_weights, "
        "growth_per_month, spikiness, activity, bursts, min_quality, conversation, "
        "uncertainty, slo)",
    ),
    (
        "my-model: {input: 1.0,",
        "my-model: {input: -1.0,",
        "my-model:",
        "models.my-model.input",
        "must be between 0 and 1000000 (got -1)",
    ),
    (
        "requests: {per_day: 240}",
        "requests: {per_day: -240}",
        "per_day: -240",
        "workloads[1].requests.per_day",
        "must be between 0 and 2.4e+13 (got -240)",
    ),
    (
        "batch_discount: 0.5}",
        "batch_discount: 1.5}",
        "my-model:",
        "models.my-model.batch_discount",
        "must be between 0 and 1 (got 1.5)",
    ),
    (
        "utilization: 0.7",
        "utilization: 0",
        "utilization: 0",
        "clusters.gpu.utilization",
        "must be in (0, 1] (got 0)",
    ),
    (
        "prefix_tokens: 300",
        "prefix_tokens: 3000",
        "prefix_tokens: 3000",
        "workloads[0].prefix_tokens",
        "must be <= the mean of input_tokens (got 3000 > {lognormal_mean})",
    ),
    (
        "route: {default: gpu}",
        "route: {default: gpt-9}",
        "route: {default: gpt-9}",
        "strategies[1].route.default",
        "unknown model or cluster 'gpt-9'",
    ),
    (
        "route: {default: gpu}",
        "route: {default: gpu, chats: my-model}",
        "chats: my-model",
        "strategies[1].route.chats",
        "unknown workload 'chats' (workloads: chat, nightly)",
    ),
    (
        "baseline: api",
        "baseline: apii",
        "baseline: apii",
        "baseline",
        "unknown strategy 'apii' (strategies: api, hosted)",
    ),
    (
        "hourly_weights: consumer",
        "hourly_weights: [1, 2, 3]",
        "hourly_weights",
        "workloads[0].hourly_weights",
        "must be a list of 24 numbers or a preset name",
    ),
    (
        "hourly_weights: consumer",
        "hourly_weights: office",
        "hourly_weights",
        "workloads[0].hourly_weights",
        "unknown preset 'office' (presets: flat, business_hours, consumer, overnight)",
    ),
    (
        "horizon_months: 3",
        "horizon_months: three",
        "horizon_months",
        "horizon_months",
        "must be a number (got a string)",
    ),
    (
        "horizon_months: 3",
        "horizon_months: 241",
        "horizon_months",
        "horizon_months",
        "must be between 1 and 240 (got 241)",
    ),
    (
        "correlation: 0.2",
        "correlation: [[1, 0.5], [0.2, 1]]",
        "correlation: [[",
        "correlation[1][0]",
        "matrix must be symmetric (differs from [0][1])",
    ),
    (
        "correlation: 0.2",
        "correlation: [[1, 2], [2, 1]]",
        "correlation: [[",
        "correlation[0][1]",
        "must be between -1 and 1 (got 2)",
    ),
    (
        "overflow: my-model",
        "overflow: haiku",
        "overflow: haiku",
        "clusters.gpu.overflow",
        "unknown API model 'haiku'",
    ),
    (
        "spikiness: {weekly_p95_over_p5: 3, autocorrelation: 0.5}",
        "spikiness: {weekly_p95_over_p5: 3, autocorrelation: 1.5}",
        "spikiness:",
        "workloads[0].spikiness.autocorrelation",
        "must be between 0 and 1 (got 1.5)",
    ),
    (
        "    output_tokens: 200",
        "    output_tokens: .nan",
        "output_tokens: .nan",
        "workloads[1].output_tokens",
        "must be a finite number (got nan)",
    ),
    (
        "  - name: nightly",
        "  - name: chat",
        "  - name: chat",  # first occurrence is workloads[0]'s own line; see below
        "workloads[1].name",
        "duplicate workload name 'chat'",
    ),
]


@pytest.mark.parametrize(
    "old, new, line_has, path, reason", CASES, ids=[c[3] for c in CASES]
)
def test_invalid_field_gives_file_line_path_and_reason(
    write_scenario, old, new, line_has, path, reason
):
    text = edited(old, new)
    file = write_scenario(text)
    with pytest.raises(breakeven.ScenarioError) as info:
        breakeven.load(file)
    e = info.value
    # Mean of the lognormal with p50 1200 and p95 3000, as the message prints it.
    sigma = math.log(3000 / 1200) / 1.6448536
    reason = reason.format(lognormal_mean=f"{1200 * math.exp(sigma**2 / 2):.10g}")
    expected_line = line_of(text, line_has)
    if path == "workloads[1].name":
        expected_line = line_of(BASE_YAML, "  - name: nightly")
    assert (e.path, e.reason) == (path, reason)
    assert e.line == expected_line
    assert str(e) == f"{file}:{expected_line}: {path}: {reason}"


def test_missing_required_field_points_at_its_parent(write_scenario):
    text = edited("    decode_tokens_per_s: 1000\n", "")
    file = write_scenario(text)
    with pytest.raises(breakeven.ScenarioError) as info:
        breakeven.load(file)
    assert str(info.value) == (
        f"{file}:{line_of(text, '  gpu:')}: clusters.gpu.decode_tokens_per_s: is required"
    )


def test_correlation_not_positive_semidefinite(write_scenario):
    # Three workloads all at correlation -0.9: eigenvalue 1 + 2 (-0.9) = -0.8 < 0.
    extra = (
        "workloads:\n  - {name: extra, requests: {per_hour: 1}, input_tokens: 10, "
        "output_tokens: 1}\n"
    )
    text = BASE_YAML.replace("workloads:\n", extra, 1)
    text = text.replace("correlation: 0.2", "correlation: -0.9")
    file = write_scenario(text)
    with pytest.raises(breakeven.ScenarioError) as info:
        breakeven.load(file)
    assert info.value.path == "correlation"
    assert info.value.line == line_of(text, "correlation: -0.9")
    assert info.value.reason.startswith(
        "correlation matrix is not positive semidefinite (smallest eigenvalue -0.8"
    )


def test_yaml_syntax_error_names_the_line(write_scenario):
    text = edited("  gpu:", "  gpu: [unclosed")
    file = write_scenario(text)
    with pytest.raises(breakeven.ScenarioError, match=rf"^{file}:\d+: invalid YAML"):
        breakeven.load(file)


def test_duplicate_key_is_an_error(write_scenario):
    text = edited("horizon_months: 3", "horizon_months: 3\nhorizon_months: 4")
    file = write_scenario(text)
    with pytest.raises(breakeven.ScenarioError) as info:
        breakeven.load(file)
    assert str(info.value) == f"{file}:3: horizon_months: duplicate key"


def test_missing_file_and_empty_file(write_scenario, tmp_path):
    with pytest.raises(breakeven.ScenarioError, match="no such file"):
        breakeven.load(tmp_path / "nope.yaml")
    with pytest.raises(breakeven.ScenarioError, match="the file is empty"):
        breakeven.load(write_scenario("", name="empty.yaml"))


def test_dict_errors_name_the_field():
    with pytest.raises(breakeven.ScenarioError) as info:
        breakeven.load({"name": "x", "horizon_months": 1, "workloads": []})
    assert str(info.value) == "<dict>: workloads: must list at least one workload"
    with pytest.raises(
        breakeven.ScenarioError, match=r"<dict>: horizon_months: must be a finite"
    ):
        breakeven.load({"name": "x", "horizon_months": float("inf")})
