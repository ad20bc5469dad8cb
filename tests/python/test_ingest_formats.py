"""Each log format, as its tool writes it, read from a small fixture: the format is
detected and the totals are the fixture's (worked out by hand from the records)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REPO

from breakeven import ingest

LOGS = REPO / "tests" / "data" / "logs"

# file, --task, format, {task: (requests, input incl. cached, cached, cache writes, output)}
CASES = [
    ("openai-chat.jsonl", "metadata.task_type", "openai-chat",
     {"classify": (2, 3750, 1536, 0, 7), "reasoning": (1, 6000, 0, 0, 900)}),
    ("openai-responses.jsonl", "metadata.task_type", "openai-responses",
     {"summarize": (2, 5000, 1024, 0, 120)}),
    # Anthropic counts cache reads and writes apart from input_tokens.
    ("anthropic.jsonl", "metadata.task_type", "anthropic",
     {"moderation": (2, 300 + 4500 + 280 + 4500, 4500, 4500, 21)}),
    # Langfuse's usageDetails: input_cached_tokens apart from input.
    ("langfuse-observations.jsonl", "metadata.task", "langfuse",
     {"summarize": (2, 2500 + 1500 + 1000, 1000, 0, 450)}),
    # OTel: the current names on one span, the older prompt/completion names on the other.
    ("otel-spans.jsonl", "attributes.app\\.task", "otel",
     {"fact-check": (2, 2000, 0, 0, 500)}),
    # LiteLLM: the task from a request tag, cached tokens from metadata JSON text.
    ("litellm-spendlogs.csv", "taskName:", "litellm",
     {"classify": (1, 2000, 1024, 0, 30), "summarize": (1, 3000, 0, 0, 500)}),
]


def totals(usage, task):
    t = usage.hourly_table[usage.hourly_table.task == task]
    cols = ["requests", "input_tokens", "cached_tokens", "cache_write_tokens",
            "output_tokens"]
    return tuple(float(t[c].sum()) for c in cols)


@pytest.mark.parametrize("name, task, fmt, expected", CASES, ids=[c[0] for c in CASES])
def test_format_is_detected_and_totals_are_the_records(name, task, fmt, expected):
    usage = ingest(LOGS / name, task=task)
    assert usage.format == fmt
    assert usage.problems == []
    assert set(usage.tokens) == set(expected)
    for t, want in expected.items():
        assert totals(usage, t) == want


def test_openai_cost_is_the_list_price_of_uncached_and_cached_tokens():
    usage = ingest(LOGS / "openai-chat.jsonl", task="metadata.task_type")
    t = usage.hourly_table.set_index("task")
    # gpt-5.4-mini-2026-03-17 is the catalog's gpt-5.4-mini: 0.75 in, 0.075 cached, 4.5 out
    classify = ((3750 - 1536) * 0.75 + 1536 * 0.075 + 7 * 4.5) / 1e6
    assert t.loc["classify", "cost"].sum() == pytest.approx(classify, rel=1e-12)
    assert t.loc["reasoning", "cost"] == pytest.approx((6000 * 5.0 + 900 * 30.0) / 1e6)
    assert set(usage.hourly_table.catalog_model) == {"gpt-5.4-mini", "gpt-5.5"}


def test_anthropic_cache_writes_cost_the_write_multiplier():
    usage = ingest(LOGS / "anthropic.jsonl", task="metadata.task_type")
    # claude-haiku-4-5-20251001: 1.0 in, 0.1 cached, writes 1.25x input, 5.0 out
    want = (300 * 1.0 + 4500 * 1.25 + 280 * 1.0 + 4500 * 0.1 + 21 * 5.0) / 1e6
    assert usage.hourly_table.cost.sum() == pytest.approx(want, rel=1e-12)


def test_logged_cost_is_kept_and_a_far_list_price_is_flagged():
    usage = ingest(LOGS / "litellm-spendlogs.csv", task="taskName:")
    t = usage.hourly_table.set_index("task")
    assert t.loc["classify", "cost"] == pytest.approx(0.0021)  # LiteLLM's spend
    list_price = ((2000 - 1024) * 0.75 + 1024 * 0.075 + 30 * 4.5) / 1e6
    assert t.loc["classify", "list_cost"] == pytest.approx(list_price)
    assert usage.hourly_table.cost_mismatch.sum() == 2  # both differ by > 5%
    langfuse = ingest(LOGS / "langfuse-observations.jsonl", task="metadata.task")
    assert langfuse.hourly_table.cost.sum() == pytest.approx(0.0035)


def test_openai_usage_api_pages_are_hourly_buckets_by_model():
    usage = ingest(LOGS / "openai-usage-page.json")
    assert usage.format == "openai-usage" and usage.bucket_hours == 1
    mini = usage.hourly_table[usage.hourly_table.task == "gpt-5.4-mini-2026-03-17"]
    assert list(mini.requests) == [60, 40]
    assert mini.input_tokens.sum() == 200000 and mini.cached_tokens.sum() == 60000
    assert "per-request token distribution" in usage.cannot_give


def test_litellm_daily_table_is_daily_buckets_with_its_spend():
    usage = ingest(LOGS / "litellm-daily.csv")
    assert usage.format == "litellm-daily" and usage.bucket_hours == 24
    assert list(usage.hourly_table.requests) == [250, 350]
    assert usage.hourly_table.cost.sum() == pytest.approx(1.2)
    assert "hour-of-day shape" in usage.cannot_give


def test_azure_trace_is_read_with_its_seven_digit_timestamps():
    path = REPO / "tests" / "data" / "azure" / "code.csv"
    usage = ingest(path)
    raw = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=(1, 2))
    assert usage.format == "azure-trace"
    assert usage.hourly_table.requests.sum() == len(raw)
    assert usage.hourly_table.input_tokens.sum() == raw[:, 0].sum()
    assert usage.hourly_table.output_tokens.sum() == raw[:, 1].sum()
    hours = usage.hourly_table.hour.dt.strftime("%Y-%m-%d %H").unique()
    assert list(hours) == ["2023-11-16 18", "2023-11-16 19"]


def test_map_reads_a_log_of_no_known_format(tmp_path):
    log = tmp_path / "custom.jsonl"
    log.write_text('{"when": "2026-01-05T10:00:00Z", "in": 100, "out": 7, "kind": "a"}\n'
                   '{"when": "2026-01-05T10:20:00Z", "in": 50, "out": 3, "kind": "b"}\n')
    usage = ingest(log, task="kind",
                   mapping={"timestamp": "when", "input_tokens": "in", "output_tokens": "out"})
    assert usage.format == "mapped"
    assert totals(usage, "a") == (1, 100, 0, 0, 7)
    assert totals(usage, "b") == (1, 50, 0, 0, 3)


@pytest.mark.parametrize("fmt, suffix, task", [
    ("openai", ".jsonl.gz", "metadata.task"),
    ("anthropic", ".jsonl.zst", "metadata.task"),
    ("litellm", ".csv", "task:"),
    ("litellm", ".jsonl", "task:"),
    ("otel", ".jsonl", "attributes.task"),
])
def test_synthetic_logs_of_each_format_conserve_requests_and_tokens(tmp_path, fmt, suffix, task):
    """What synth-logs draws is what ingest reads back, request for request."""
    import breakeven as be
    from breakeven.logs.synth import draw_requests, write_logs

    scenario = be.load(REPO / "scenarios" / "content-platform.yaml")
    drawn = draw_requests(scenario, 2, strategy="routed+cache+batch")  # cache reads too
    path = tmp_path / f"log{suffix}"
    write_logs(drawn, fmt, path)
    usage = ingest(path, task=task)
    assert usage.problems == []
    got = usage.hourly_table.groupby("task")[["requests", "input_tokens", "cached_tokens",
                                              "output_tokens"]].sum()
    for name in scenario.workloads:
        mine = drawn["task"] == name
        want = (mine.sum(), drawn["input"][mine].sum(), drawn["cached"][mine].sum(),
                drawn["output"][mine].sum())
        assert tuple(got.loc[name]) == want, name


def test_parquet_logs_are_read_like_jsonl(tmp_path):
    import duckdb

    src = LOGS / "openai-chat.jsonl"
    path = tmp_path / "chat.parquet"
    duckdb.sql(f"copy (select * from read_json('{src}')) to '{path}' (format parquet)")
    a = ingest(src, task="metadata.task_type")
    b = ingest(path, task="metadata.task_type")
    assert b.format == "openai-chat"
    cols = ["task", "requests", "input_tokens", "cached_tokens", "output_tokens"]
    assert b.hourly_table[cols].equals(a.hourly_table[cols])
