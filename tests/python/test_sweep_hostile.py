"""`breakeven sweep` against hostile and careless input: every case ends in exit 2
and one line on stderr within a bounded time and memory, before any point runs.
Classes: hangs (schedulers that never answer, answer garbage or have no usable
workers; a FIFO), memory (grids and samples too large, an alias bomb) and
tracebacks (bad fields, options and heatmaps)."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import threading
import time

import pytest
from conftest import BASE_YAML
from test_hostile_inputs import one_error_line

TIMEOUT = "2"  # --scheduler-timeout in seconds: short, so that a hang shows quickly


def capped_cli(*args, gib: float = 1.5, timeout: float = 60):
    """The CLI in a subprocess whose address space is capped: a case that builds
    without bound fails there, not on the machine."""

    def cap():
        limit = int(gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-m", "breakeven", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, preexec_fn=cap)


@pytest.fixture
def write_sweep(tmp_path):
    """Write a sweep file over the small scenario; returns its path."""
    (tmp_path / "base.yaml").write_text(BASE_YAML)

    def write(text: str, paths: int = 20):
        path = tmp_path / "sweep.yaml"
        path.write_text(f"base: base.yaml\npaths: {paths}\n" + text)
        return path

    return write


GRID = "parameters:\n  workloads.chat.requests.per_hour: {values: [5, 10]}\n" \
       "  clusters.gpu.gpu_price_per_hour: {min: 0.5, max: 1.0, steps: 2}\n"


# --- hangs --------------------------------------------------------------------------

class Server:
    """A TCP server in a thread that accepts and then never answers, or answers
    each connection with an HTTP error."""

    def __init__(self, answer: bytes | None):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.answer = answer
        self.conns = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.answer is not None:
                conn.sendall(self.answer)

    def close(self):
        for c in self.conns:
            c.close()
        self.sock.close()


HTTP = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\n\r\nbad request"


@pytest.mark.parametrize("answer, expected", [
    (None, "did not answer within 2 s"),
    (HTTP, "did not answer as a Dask scheduler"),
])
def test_a_server_that_is_not_a_scheduler_is_an_error_within_the_timeout(
        write_sweep, answer, expected):
    server = Server(answer)
    try:
        start = time.monotonic()
        proc = capped_cli("sweep", write_sweep(GRID), "--quiet", "--scheduler",
                          f"tcp://127.0.0.1:{server.port}", "--scheduler-timeout", TIMEOUT,
                          gib=4, timeout=60)
        assert time.monotonic() - start < 30
    finally:
        server.close()
    line = one_error_line(proc)
    assert line.startswith(f"error: --scheduler: tcp://127.0.0.1:{server.port} ")
    assert expected in line


def test_a_scheduler_without_workers_is_an_error_within_the_timeout(write_sweep):
    import distributed
    with distributed.LocalCluster(n_workers=0, dashboard_address=None) as cluster:
        proc = capped_cli("sweep", write_sweep(GRID), "--quiet", "--scheduler",
                          cluster.scheduler_address, "--scheduler-timeout", TIMEOUT,
                          gib=4, timeout=60)
    line = one_error_line(proc)
    assert line == (f"error: --scheduler: {cluster.scheduler_address} has no workers after "
                    "2 s (start some: dask worker ADDRESS)")


def test_workers_that_cannot_import_breakeven_are_an_error(write_sweep, tmp_path):
    import distributed
    hide = tmp_path / "hide_breakeven.py"
    hide.write_text("import sys\nsys.modules['breakeven'] = None  # as if not installed\n")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None, preload=[str(hide)]) as cluster:
        proc = capped_cli("sweep", write_sweep(GRID), "--quiet", "--scheduler",
                          cluster.scheduler_address, "--scheduler-timeout", "20",
                          gib=4, timeout=90)
    line = one_error_line(proc)
    assert line.startswith(f"error: --scheduler: the workers of {cluster.scheduler_address} "
                           "cannot run breakeven (ModuleNotFoundError")
    assert "install breakeven 0.3.0 on them" in line


@pytest.mark.parametrize("address, expected", [
    ("foo", "must be tcp://HOST:PORT (got 'foo')"),
    ("tcp://", "must be tcp://HOST:PORT (got 'tcp://')"),
    ("tcp://host:0", "must be tcp://HOST:PORT with a port 1..65535 (got 'tcp://host:0')"),
    ("inproc://x", "must be tcp://HOST:PORT (got 'inproc://x')"),
    ("tls://host:8786", "tls:// needs certificates, which the command line does not take"),
])
def test_a_scheduler_address_not_tcp_host_port_is_refused(write_sweep, address, expected):
    line = one_error_line(capped_cli("sweep", write_sweep(GRID), "--scheduler", address))
    assert line.startswith("error: --scheduler: ")
    assert expected in line


def test_a_fifo_as_sweep_file_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "sweep.yaml"
    os.mkfifo(fifo)
    line = one_error_line(capped_cli("sweep", fifo, timeout=30))
    assert line == f"error: {fifo}: is a pipe (FIFO), not a regular file"


# --- memory -------------------------------------------------------------------------

def test_a_grid_too_large_is_refused_before_it_is_built(write_sweep):
    axes = "".join(f"  workloads.chat.{k}: {{min: 1, max: 2, steps: 10000}}\n"
                   for k in ("prefix_tokens", "output_tokens", "requests.per_hour"))
    path = write_sweep("parameters:\n" + axes)
    line = one_error_line(capped_cli("sweep", path, timeout=30))
    assert line == (f"error: {path}:3: parameters: the grid has 1,000,000,000,000 points "
                    "(10,000 x 10,000 x 10,000); a sweep is limited to 100,000 "
                    "(MAX_POINTS in breakeven/decisions/sweep.py)")


def test_a_random_design_of_a_billion_points_is_refused(write_sweep):
    path = write_sweep("design: random\npoints: 1000000000\nparameters:\n"
                       "  workloads.chat.requests.per_hour: {min: 5, max: 10}\n")
    line = one_error_line(capped_cli("sweep", path, timeout=30))
    assert line == (f"error: {path}:4: points: must be a whole number 1..100,000 "
                    "(MAX_POINTS in breakeven/decisions/sweep.py) (got 1000000000)")


def test_an_alias_bomb_is_refused_in_one_short_line(write_sweep):
    """Swept values that expand to 10^9 items: the old loader built them by reference
    and echoed the point that failed, a message of gigabytes."""
    bomb = ["&a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = write_sweep("parameters:\n  workloads.chat.requests.per_hour: {values: ["
                       + ", ".join(bomb) + "]}\n")
    line = one_error_line(capped_cli("sweep", path, timeout=30))
    assert "the file expands to more than 200,000 values" in line
    assert len(line) < 300


def test_a_huge_value_is_shortened_in_the_message(write_sweep):
    path = write_sweep("design: " + "x" * 100_000 + "\n" + GRID)
    line = one_error_line(capped_cli("sweep", path, timeout=30))
    assert line.startswith(f"error: {path}:3: design: must be grid or random (got 'xxxx")
    assert line.endswith("...)") and len(line) < 300


# --- tracebacks ---------------------------------------------------------------------

RANDOM = "design: random\nparameters:\n  workloads.chat.requests.per_hour: {min: 5, max: 10}\n"


@pytest.mark.parametrize("text, expected", [
    ("points: 0\n" + RANDOM, ":3: points: must be a whole number 1..100,000"),
    ("points: -5\n" + RANDOM, ":3: points: must be a whole number 1..100,000"),
    ("points: lots\n" + RANDOM, ":3: points: must be a whole number 1..100,000"),
    ("points: 10\n" + GRID, ":3: points: only a random design takes points"),
    (GRID.replace("min: 0.5", "min: a"),
     ":5: parameters.clusters.gpu.gpu_price_per_hour.min: must be a number (got 'a')"),
    (GRID.replace("steps: 2", "steps: 1"),
     ":5: parameters.clusters.gpu.gpu_price_per_hour.steps: must be a whole number 2..10000"),
    (GRID.replace("values: [5, 10]", "values: []"),
     ":4: parameters.workloads.chat.requests.per_hour.values: must be a non-empty list"),
    (GRID.replace("values: [5, 10]", "value: [5, 10]"),
     ":4: parameters.workloads.chat.requests.per_hour: give values: [...] or min, max"),
    ("parameters: [a, b]\n", ":3: parameters: must map parameter paths to values"),
    ("design: lhs\n" + GRID, ":3: design: must be grid or random (got 'lhs')"),
    ("seed: -1\n" + GRID, ":3: seed: must be a whole number 0..2^64-1 (got -1)"),
    ("sample_seed: x\n" + RANDOM, ":3: sample_seed: must be a whole number"),
    ("colour: red\n" + GRID, ":3: colour: unknown field (allowed: base, design, parameters,"),
])
def test_a_bad_field_names_the_file_line_and_field(write_sweep, text, expected):
    path = write_sweep(text)
    line = one_error_line(capped_cli("sweep", path))
    assert line.startswith(f"error: {path}{expected}"), line


def test_paths_out_of_bounds_is_refused_before_any_worker_starts(write_sweep):
    path = write_sweep(GRID, paths=-1)
    line = one_error_line(capped_cli("sweep", path))
    assert line == f"error: {path}:2: paths: must be a whole number 1..100,000,000 (got -1)"


def test_base_null_and_a_missing_base_are_one_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("base: null\n" + GRID)
    assert one_error_line(capped_cli("sweep", path)) == (
        f"error: {path}:1: base: must name the base scenario file (got None)")
    path.write_text("base: nowhere.yaml\n" + GRID)
    assert one_error_line(capped_cli("sweep", path)) == (
        f"error: {tmp_path / 'nowhere.yaml'}: no such file")


def test_a_sweep_file_that_is_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"base: base.yaml\n# caf\xe9\n" + GRID.encode())
    assert one_error_line(capped_cli("sweep", path)) == (
        f"error: {path}:2: not valid UTF-8 at byte offset 21")


def test_a_point_that_fails_in_a_worker_is_one_line(write_sweep):
    """The engine refuses 100,000,000 paths in its memory budget only when the run
    starts, in the worker: the error comes back as a plain exception, not a broken
    process pool."""
    path = write_sweep(GRID, paths=100_000_000)
    line = one_error_line(capped_cli("sweep", path, "--workers", "1", "--quiet", gib=4))
    assert line.startswith(f"error: {path}: point 1 of 4 (workloads.chat.requests.per_hour=5, "
                           "clusters.gpu.gpu_price_per_hour=0.5): ")
    assert "memory" in line


@pytest.mark.parametrize("workers", ["-1", "0", "100000"])
def test_workers_out_of_bounds_is_refused(write_sweep, workers):
    line = one_error_line(capped_cli("sweep", write_sweep(GRID), "--workers", workers))
    assert line == (f"error: --workers: must be a whole number 1..{os.cpu_count()} "
                    f"(the cores here; got {workers})")


# A sweep that takes minutes: a bad --heatmap must be refused before it runs.
SLOW = "parameters:\n  workloads.chat.requests.per_hour: {min: 5, max: 10, steps: 50}\n" \
       "  clusters.gpu.gpu_price_per_hour: {min: 0.5, max: 1.0, steps: 50}\n"


@pytest.mark.parametrize("text, x, y, column, expected", [
    (SLOW, "workloads.chat.requests.per_hour", "clusters.gpu.gpu_price_per_hour", "hosted.saving",
     "no column 'hosted.saving' (columns: workloads.chat.requests.per_hour, "
     "clusters.gpu.gpu_price_per_hour, api.total_cost, api.savings,"),
    (SLOW, "workloads.chat.requests.per_hour", "workloads.chat.requests.per_hour", "hosted.savings",
     "X and Y must be two different parameters"),
    (SLOW, "workloads.chat.requests.per_day", "clusters.gpu.gpu_price_per_hour", "hosted.savings",
     "X must be a parameter of the grid (workloads.chat.requests.per_hour, "
     "clusters.gpu.gpu_price_per_hour; got 'workloads.chat.requests.per_day')"),
    ("points: 2500\n" + RANDOM, "workloads.chat.requests.per_hour",
     "clusters.gpu.gpu_price_per_hour", "hosted.savings", "needs a grid design (got random)"),
])
def test_a_bad_heatmap_is_refused_before_the_sweep_runs(write_sweep, tmp_path, text, x, y, column,
                                                        expected):
    path = write_sweep(text, paths=100_000)
    start = time.monotonic()
    proc = capped_cli("sweep", path, "--workers", "1", "--quiet",
                      "--heatmap", x, y, column, tmp_path / "h.png", gib=4, timeout=60)
    line = one_error_line(proc)
    assert time.monotonic() - start < 30
    assert line.startswith("error: --heatmap: " + expected), line
    assert proc.stdout == ""


def test_an_output_into_a_missing_folder_is_refused_before_the_sweep_runs(write_sweep, tmp_path):
    path = write_sweep(SLOW, paths=100_000)
    out = tmp_path / "no" / "t.csv"
    proc = capped_cli("sweep", path, "--workers", "1", "--quiet", "--csv", out, gib=4, timeout=60)
    assert one_error_line(proc) == f"error: --csv: {out}: the folder {out.parent} does not exist"


def test_a_working_scheduler_passes_the_checks_and_gives_the_local_table(write_sweep, tmp_path):
    """The handshake, the wait for a worker and the probe let a real cluster through."""
    import json

    import distributed
    path = write_sweep(GRID)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        proc = capped_cli("sweep", path, "--quiet", "--scheduler", cluster.scheduler_address,
                          "--scheduler-timeout", "20", "--json", tmp_path / "dask.json",
                          gib=4, timeout=90)
    assert proc.returncode == 0, proc.stderr
    proc = capped_cli("sweep", path, "--quiet", "--workers", "1", "--json", tmp_path / "local.json",
                      gib=4, timeout=90)
    assert proc.returncode == 0, proc.stderr
    dask_rows = json.loads((tmp_path / "dask.json").read_text())["rows"]
    assert len(dask_rows) == 4
    assert dask_rows == json.loads((tmp_path / "local.json").read_text())["rows"]


def test_a_field_given_as_null_takes_its_default(tmp_path):
    """`points: null` escaped as a TypeError out of the Latin hypercube (found by
    the long fuzz run); null is the field not given."""
    from conftest import BASE_YAML

    from breakeven.decisions import load_sweep

    (tmp_path / "s.yaml").write_text(BASE_YAML)
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text("base: s.yaml\ndesign: random\npoints: null\npaths: null\n"
                          "parameters:\n  clusters.gpu.gpu_price_per_hour: {min: 0.5, max: 3}\n")
    spec = load_sweep(sweep_file)
    assert len(spec.points) == 100 and spec.paths is None
