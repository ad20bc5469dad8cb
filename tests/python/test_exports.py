"""Exports for a budget owner (issue 21, item 6): the summary and monthly bands as
CSV and XLSX, and FOCUS 1.2 rows of a forecast and of logs. Each test checks real
values against the run or the logs they come from."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

import breakeven
from breakeven.errors import OptionError
from breakeven.exports import (
    focus_from_result,
    focus_from_usage,
    monthly_bands,
    summary_table,
    write_csv,
    write_focus,
    write_xlsx,
)
from breakeven.exports.focus import FOCUS_COLUMNS, next_month_start

SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))
LOGS = REPO / "tests" / "data" / "logs"
START = "2027-03"

# FOCUS 1.2 columns that may not be null on a Usage row that is not a correction.
NOT_NULL = ["BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd",
            "BillingPeriodStart", "ChargeCategory", "ChargeDescription", "ChargeFrequency",
            "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost",
            "InvoiceIssuerName", "ListCost", "PricingUnit", "ProviderName",
            "PublisherName", "ServiceCategory", "ServiceName", "ServiceSubcategory"]


@pytest.fixture(scope="module")
def run():
    return breakeven.load(REPO / "scenarios" / "commitment.yaml").run(paths=40, seed=2)


# -- FOCUS of a forecast -----------------------------------------------------------------
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_billed_cost_sums_to_each_strategys_mean_total(path):
    result = breakeven.load(path).run(paths=30, seed=4, progress=False)
    table = focus_from_result(result, START)
    billed = table.groupby("x_Strategy")["BilledCost"].sum()
    for s in result.as_dict()["strategies"]:
        assert billed.get(s["name"], 0.0) == pytest.approx(s["total_cost"]["mean"],
                                                            rel=1e-9, abs=1e-9)
    assert table[NOT_NULL].notna().all().all()
    assert set(table["ChargeCategory"]) == {"Usage"}
    assert set(table["ServiceCategory"]) == {"AI and Machine Learning"}
    # Month m of the run is the m-th calendar month from START.
    first = pd.Timestamp("2027-03-01", tz="UTC")
    starts = first + table["x_ForecastMonth"].astype(int).map(lambda m: pd.DateOffset(months=m - 1))
    assert (table["ChargePeriodStart"] == starts).all()
    assert (table["ChargePeriodEnd"] == starts + pd.DateOffset(months=1)).all()


def test_forecast_rows_say_what_is_known_and_leave_token_counts_null(run):
    table = focus_from_result(run, START)
    api = table[table.x_Part.isin(["api_input", "output", "overflow"])]
    assert api["PricingQuantity"].isna().all() and api["x_InputTokens"].isna().all()
    assert set(api["PricingUnit"]) == {"Tokens"}
    assert set(api["SkuId"]) == {"claude-haiku-4.5"} and set(api["ProviderName"]) == {"anthropic"}
    gpu = table[(table.x_Part == "gpu") & (table.x_Strategy == "steady-on-demand")]
    hours = run.as_dict()["strategies"][run.strategies.index("steady-on-demand")]["gpu_hours"]
    assert gpu["PricingQuantity"].tolist() == pytest.approx(hours)
    assert set(gpu["PricingUnit"]) == {"GPU-Hours"} and set(gpu["ProviderName"]) == {"Hyperstack"}
    assert set(gpu["x_Workload"]) == {"steady"}
    assert set(table["x_Statistic"]) == {"mean over 40 paths"}
    assert json.loads(table["Tags"].iloc[0]) == {"breakeven:scenario": "commitment",
                                                 "breakeven:strategy": "api"}


def test_the_default_start_is_the_first_day_of_next_month(run):
    assert next_month_start(dt.date(2026, 12, 31)) == dt.datetime(2027, 1, 1,
                                                                 tzinfo=dt.timezone.utc)
    table = focus_from_result(run)
    assert table["ChargePeriodStart"].min() == pd.Timestamp(next_month_start())


@pytest.mark.parametrize("start", ["2027-03-15", "March", "2027-13",
                                   dt.datetime(2027, 3, 1, 12), 20270301, "9999-06"])
def test_a_start_that_is_not_a_month_is_an_option_error(run, start):
    with pytest.raises(OptionError, match="^start: "):
        focus_from_result(run, start)


def test_focus_csv_has_iso_utc_dates_and_sums_as_the_table(run, tmp_path):
    path = write_focus(run, tmp_path / "focus.csv", start=START)
    back = pd.read_csv(path)
    assert list(back.columns[:len(FOCUS_COLUMNS)]) == FOCUS_COLUMNS
    assert back["ChargePeriodStart"].iloc[0] == "2027-03-01T00:00:00Z"
    assert back["ChargeClass"].isna().all()
    assert back["BilledCost"].sum() == pytest.approx(
        sum(s["total_cost"]["mean"] for s in run.as_dict()["strategies"]), rel=1e-12)


def test_focus_parquet_keeps_types(run, tmp_path):
    import pyarrow  # noqa: F401  (the test extra has it: no skip)
    path = write_focus(run, tmp_path / "focus.parquet", start=START)
    back = pd.read_parquet(path)
    assert str(back["ChargePeriodStart"].dt.tz) == "UTC"
    assert back["BilledCost"].dtype == np.float64
    assert back["x_Task"].isna().all()  # a string column of nulls, not numbers


def test_parquet_without_pyarrow_is_an_option_error(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(OptionError, match=r"^focus: .*pip install pyarrow"):
        write_focus(run, tmp_path / "focus.parquet")
    assert not (tmp_path / "focus.parquet").exists()


@pytest.mark.parametrize("name", ["focus.json", "focus"])
def test_focus_file_must_be_csv_or_parquet(run, tmp_path, name):
    with pytest.raises(OptionError, match=r"^focus: .*\.csv or \.parquet"):
        write_focus(run, tmp_path / name)


def test_focus_to_a_fifo_nobody_reads_fails_at_once(run, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(OptionError, match="no process reads"):
        write_focus(run, fifo, start=START)


# -- FOCUS of logs -------------------------------------------------------------------------
LOG_FILES = sorted(p.name for p in LOGS.iterdir())


@pytest.mark.parametrize("name", LOG_FILES)
def test_logs_billed_cost_and_tokens_are_the_usage(name, tmp_path):
    usage = breakeven.ingest(LOGS / name)
    table = focus_from_usage(usage)
    t = usage.hourly_table
    assert table["BilledCost"].sum() == pytest.approx(t["cost"].sum(), rel=1e-12)
    for column, logged in (("x_InputTokens", "input_tokens"),
                           ("x_CachedInputTokens", "cached_tokens"),
                           ("x_CacheWriteTokens", "cache_write_tokens"),
                           ("x_OutputTokens", "output_tokens"), ("x_Requests", "requests")):
        assert table[column].sum() == t[logged].sum()
    assert (table["ConsumedQuantity"] == table.x_InputTokens + table.x_OutputTokens).all()
    assert table[NOT_NULL].notna().all().all()
    assert (table["ChargePeriodStart"] >= pd.Timestamp(usage.start)).all()
    assert (table["ChargePeriodEnd"] <= pd.Timestamp(usage.end)).all()
    write_focus(usage, tmp_path / "logs.csv")
    assert pd.read_csv(tmp_path / "logs.csv")["BilledCost"].sum() == pytest.approx(
        t["cost"].sum(), rel=1e-12)


def test_logs_rows_name_the_catalog_model_and_its_provider():
    usage = breakeven.ingest(LOGS / "openai-chat.jsonl", task="metadata.task_type")
    table = focus_from_usage(usage).set_index("x_Task")
    assert table.loc["classify", "SkuId"] == "gpt-5.4-mini"
    assert table.loc["classify", "x_Model"] == "gpt-5.4-mini-2026-03-17"
    assert table.loc["classify", "ProviderName"] == "openai"
    assert table.loc["classify", "x_CachedInputTokens"] == 1536
    assert table.loc["reasoning", "BilledCost"] == pytest.approx((6000 * 5.0 + 900 * 30.0) / 1e6)


def test_a_start_for_logs_is_an_option_error(tmp_path):
    usage = breakeven.ingest(LOGS / "anthropic.jsonl")
    with pytest.raises(OptionError, match="^start: applies to a forecast only"):
        write_focus(usage, tmp_path / "f.csv", start="2027-01")


# -- summary and monthly bands ------------------------------------------------------------
def test_summary_is_one_numeric_row_per_strategy(run):
    table = summary_table(run)
    assert table["strategy"].tolist() == run.strategies
    assert table["baseline"].tolist() == [s == run.baseline for s in run.strategies]
    means = [s["total_cost"]["mean"] for s in run.as_dict()["strategies"]]
    assert table["total_cost"].tolist() == means
    assert table["savings"].dtype == np.float64 and table["savings"].max() < 1


def test_monthly_bands_are_the_runs_percentiles_and_cumulative_mean(run):
    bands = monthly_bands(run)
    assert len(bands) == len(run.strategies) * run.months
    s = run.as_dict()["strategies"][1]
    mine = bands[bands.strategy == s["name"]]
    assert mine["month"].tolist() == list(range(1, run.months + 1))
    assert mine["p95"].tolist() == s["monthly_cost"]["p95"]
    assert mine["cumulative_mean"].to_numpy() == pytest.approx(np.cumsum(mine["mean"]))


def test_csv_writes_the_summary_and_the_bands_beside_it(run, tmp_path):
    paths = write_csv(run, tmp_path / "run.csv")
    assert paths == [tmp_path / "run.csv", tmp_path / "run-monthly.csv"]
    summary, bands = (pd.read_csv(p) for p in paths)
    assert summary["total_cost"].tolist() == pytest.approx(summary_table(run)["total_cost"])
    assert len(bands) == len(run.strategies) * run.months
    assert pd.api.types.is_float_dtype(summary["p_break_even"])


def test_xlsx_has_two_sheets_of_numbers(run, tmp_path):
    path = write_xlsx(run, tmp_path / "run.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["summary", "monthly"]
    assert sheets["summary"]["total_cost"].tolist() == pytest.approx(
        summary_table(run)["total_cost"].tolist())
    assert sheets["monthly"]["p50"].dtype == np.float64
    import openpyxl

    cell = openpyxl.load_workbook(path)["summary"]["G3"]  # savings: a number, shown as %
    assert isinstance(cell.value, float) and cell.number_format == "0.0%"


def test_xlsx_without_openpyxl_says_what_to_install(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(OptionError, match=r"^xlsx: .*pip install 'breakeven\[xlsx\]'"):
        write_xlsx(run, tmp_path / "run.xlsx")
    assert not (tmp_path / "run.xlsx").exists()


def test_tables_into_a_missing_folder_name_the_option_and_file(run, tmp_path):
    with pytest.raises(OptionError, match=r"^csv: .*the folder .* does not exist"):
        write_csv(run, tmp_path / "nowhere" / "run.csv")
