from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from breakeven.cli import main
from conftest import BASE_YAML, REPO


def run_cli(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "breakeven", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def test_run_prints_summary_and_writes_json(write_scenario, tmp_path):
    out = tmp_path / "r.json"
    proc = run_cli("run", write_scenario(), "--json", out, "--paths", 30, "--seed", 9)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(
        "Break-even report: small\n3 months, USD; stochastic mode, 30 paths, seed 9; "
    )
    assert "api (baseline)" in proc.stdout
    assert "hosted" in proc.stdout
    doc = json.loads(out.read_text())
    assert doc["paths"] == 30 and doc["seed"] == 9


def test_run_options_reach_the_engine(write_scenario, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert (
        main(
            [
                "run",
                str(write_scenario()),
                "--mode",
                "expected",
                "--json",
                str(out),
                "--threads",
                "2",
            ]
        )
        == 0
    )
    doc = json.loads(out.read_text())
    assert doc["mode"] == "expected" and doc["paths"] == 1
    assert "expected mode, 1 path, seed" in capsys.readouterr().out


def test_run_defaults_to_the_bundled_example(capsys):
    assert main(["run", "--mode", "expected"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Break-even report: content-platform\n24 months, USD; expected mode")
    for name in ("all-frontier (baseline)", "routed", "self-host-commodity"):
        assert name in out


def test_version_names_the_engine_build():
    from breakeven import _core

    for build in ("baseline", _core.BUILD):
        proc = run_cli("--version", env={**os.environ, "BREAKEVEN_ENGINE_BUILD": build})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == f"breakeven {_core.__version__} (engine build {build})\n"


def test_validate_ok_and_invalid(write_scenario):
    proc = run_cli("validate", write_scenario())
    assert proc.returncode == 0
    assert proc.stdout.startswith("ok: small: 2 workloads, 2 strategies, 1 cluster, 3 months")
    bad = write_scenario(
        BASE_YAML.replace("utilization: 0.7", "utilization: 1.5"), "bad.yaml"
    )
    proc = run_cli("validate", bad)
    assert proc.returncode == 2
    line = BASE_YAML.splitlines().index("    utilization: 0.7") + 1
    assert proc.stderr.strip() == (
        f"error: {bad}:{line}: clusters.gpu.utilization: must be in (0, 1] (got 1.5)"
    )
    assert proc.stdout == ""


def test_invalid_input_exits_2_for_run_too(tmp_path):
    proc = run_cli("run", tmp_path / "missing.yaml")
    assert proc.returncode == 2
    assert "missing.yaml: no such file" in proc.stderr


def test_bad_option_exits_2():
    proc = run_cli("run", "--paths", "0")
    assert proc.returncode == 2
    assert (
        proc.stderr
        == "error: --paths: must be a whole number between 1 and 100000000 (got 0)\n"
    )


def test_models_lists_the_catalog():
    proc = run_cli("models")
    assert proc.returncode == 0
    assert "gpt-5.5" in proc.stdout and "claude-haiku-4.5" in proc.stdout
    assert "USD per 1M tokens" in proc.stdout


def test_example_scenario_file_is_the_bundled_one():
    import breakeven

    bundled = breakeven.example_path().read_text()
    assert bundled == (REPO / "scenarios" / "content-platform.yaml").read_text()


@pytest.mark.skipif(
    sys.platform == "win32", reason="SIGINT delivery differs on Windows"
)
def _default_sigint() -> None:
    # A suite started in the background (`cmd &` in a script) inherits SIGINT
    # ignored, and Python then installs no KeyboardInterrupt handler: give the
    # child the default disposition, as a terminal would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_a_long_run_within_a_second(write_scenario):
    long_run = write_scenario(
        BASE_YAML.replace("horizon_months: 3", "horizon_months: 240")
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "breakeven", "run", str(long_run), "--paths", "3000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    time.sleep(2.0)  # well into the run (it would take minutes)
    assert proc.poll() is None
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    stopped_after = time.perf_counter() - sent
    assert proc.returncode == 130
    assert "interrupted" in err
    assert stopped_after < 1.5


def test_ctrl_c_raises_keyboard_interrupt_in_python(write_scenario):
    long_run = write_scenario(
        BASE_YAML.replace("horizon_months: 3", "horizon_months: 240")
    )
    code = (
        "import breakeven, sys\n"
        f"s = breakeven.load({str(long_run)!r})\n"
        "print('ready', flush=True)\n"
        "try:\n"
        "    s.run(paths=3000)\n"
        "except KeyboardInterrupt:\n"
        "    print('caught', flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
        preexec_fn=_default_sigint,
    )
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert "caught" in out
    assert time.perf_counter() - sent < 1.5


def test_run_with_precision_reports_paths_used(write_scenario, capsys):
    assert main(["run", str(write_scenario()), "--precision", "0.02"]) == 0
    out = capsys.readouterr().out
    assert "stochastic mode, 1,000 paths" in out
    assert "precision target 0.02 (met)" in out


def test_more_paths_than_memory_is_an_input_error(write_scenario):
    proc = run_cli("run", write_scenario(), "--paths", 90_000_000, "--quiet")
    assert proc.returncode == 2
    assert "error: --paths: a run of 90000000 paths on" in proc.stderr
    assert "above the memory budget of 4.00 GiB" in proc.stderr
    proc = run_cli(
        "run", write_scenario(), "--paths", 1000, "--memory-budget", "0.0001", "--quiet"
    )
    assert proc.returncode == 2
    assert "above the memory budget of 0.00 GiB" in proc.stderr
