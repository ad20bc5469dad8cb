"""`breakeven synth-logs` against careless input: memory flat in days (a chunk of
hours at a time), a bound on the records checked before drawing, outputs it cannot
write refused in one line without a partial file, and no pyarrow needed."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO
from test_hostile_inputs import one_error_line
from test_sweep_hostile import capped_cli

EXAMPLE = REPO / "scenarios" / "content-platform.yaml"  # about 190,000 requests a day


def test_a_week_of_the_example_fits_in_a_small_address_space(tmp_path):
    """The whole week was drawn, sorted and handed to DuckDB at once: 1.1 GB
    resident, more than the 1.5 GB of address space allowed here; now a chunk of
    hours at a time (0.47 GB)."""
    out = tmp_path / "week.jsonl.zst"
    code = ("import resource, sys\n"
            "from breakeven.cli import main\n"
            f"status = main(['synth-logs', {str(EXAMPLE)!r}, '--days', '7', '-o', {str(out)!r}])\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
            "sys.exit(status)")

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))  # 1.5 GiB

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, preexec_fn=cap)
    assert proc.returncode == 0, proc.stderr
    summary, peak_kib = proc.stdout.splitlines()[-2:]
    assert summary.startswith("1,329,736 openai records over 7 days")
    assert int(peak_kib) < 700 * 1024
    import duckdb

    ids = duckdb.sql(f"select count(distinct id), min(created), max(created) "
                     f"from read_json('{out}')").fetchall()
    count, first, last = ids[0]
    week = 1767571200 + 7 * 86400  # 2026-01-12, the Monday after
    assert (count, first) == (1_329_736, 1767571200)  # every record, each id once
    assert week - 3600 <= last < week


def test_more_records_than_the_bound_are_refused_before_drawing(tmp_path):
    out = tmp_path / "year.jsonl"
    start = time.monotonic()
    proc = capped_cli("synth-logs", EXAMPLE, "--days", "365", "-o", out, timeout=60)
    line = one_error_line(proc)
    assert time.monotonic() - start < 20
    assert line.startswith("error: --days: 365 days of content-platform are ")
    assert line.endswith("requests; synth-logs writes at most 20,000,000 "
                         "(breakeven.logs.synth.MAX_RECORDS): draw fewer days")
    assert not out.exists()


@pytest.mark.parametrize("days", ["0", "-3", "100000"])
def test_days_out_of_range_is_one_line(tmp_path, days):
    line = one_error_line(capped_cli("synth-logs", EXAMPLE, "--days", days, "-o", tmp_path / "x"))
    assert line.startswith("error: --days: must be")


def test_a_missing_folder_is_refused_before_drawing(tmp_path):
    out = tmp_path / "no" / "logs.jsonl"
    assert one_error_line(capped_cli("synth-logs", EXAMPLE, "--days", "7", "-o", out)) == (
        f"error: --output: {out}: the folder {out.parent} does not exist")


def test_a_full_device_is_one_line_naming_it():
    assert one_error_line(capped_cli("synth-logs", EXAMPLE, "--days", "1", "-o", "/dev/full")) == (
        "error: --output: /dev/full: cannot write: No space left on device")


def test_a_write_that_fails_midway_leaves_no_partial_file(tmp_path):
    """A file size limit of 5 MB: each chunk (about 3.3 MB compressed) is written,
    the output fails on the second."""
    out = tmp_path / "logs.jsonl.gz"

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (5 << 20, 5 << 20))

    proc = subprocess.run([sys.executable, "-m", "breakeven", "synth-logs", str(EXAMPLE),
                           "--days", "3", "-o", str(out)], capture_output=True, text=True,
                          timeout=120, preexec_fn=small_files)
    assert one_error_line(proc) == f"error: --output: {out}: cannot write: File too large"
    assert not out.exists()


def test_csv_for_a_json_format_is_refused_before_drawing(tmp_path):
    out = tmp_path / "logs.csv"
    assert one_error_line(capped_cli("synth-logs", EXAMPLE, "--days", "1", "-o", out)) == (
        f"error: --output: {out}: only litellm logs can be written as CSV")


def test_synth_logs_does_not_need_pyarrow(tmp_path):
    """The README's first install has no pyarrow: DuckDB reads the numpy columns."""
    out = tmp_path / "logs.csv"  # 2 days: two chunks, one header
    code = ("import sys; sys.modules['pyarrow'] = None  # as if not installed\n"
            "from breakeven.cli import main\n"
            f"sys.exit(main(['synth-logs', {str(EXAMPLE)!r}, '--days', '2', '--format', "
            f"'litellm', '-o', {str(out)!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    import pandas as pd

    table = pd.read_csv(out)
    assert len(table) == int(proc.stdout.split()[0].replace(",", ""))
    assert table["request_id"].tolist() == [f"req-{i}" for i in range(len(table))]
    assert table["startTime"].is_monotonic_increasing


def test_days_that_draw_no_request_are_one_line(tmp_path):
    """A workload of one request a month drawn for a day: nothing to write (and
    SyntheticLogs.usage() had nothing to concatenate)."""
    spec = tmp_path / "quiet.yaml"
    spec.write_text("name: quiet\nhorizon_months: 1\nsimulation: {seed: 1}\n"
                    "workloads:\n  - {name: q, requests: {per_day: 0.03}, input_tokens: 10,"
                    " output_tokens: 10}\n"
                    "strategies:\n  - {name: s, route: {default: gpt-5-mini}}\n")
    line = one_error_line(capped_cli("synth-logs", spec, "--days", "1", "-o", tmp_path / "x"))
    assert line == "error: --days: 1 days of quiet draw no requests: draw more days"
    assert not (tmp_path / "x").exists()
