"""What the fuzz tests share: Hypothesis settings, hostile values, mutation helpers,
and the oracle, run in a sandbox process.

The contract every input surface must meet:

- the CLI ends with exit 0, or exit 2 and exactly one printable line on stderr
  starting ``error:`` that holds no secret; never a traceback, an ``internal error:``
  (exit 1), a hang or unbounded memory;
- the Python API returns or raises breakeven's LogError, OptionError or
  ScenarioError with a one-line printable message;
- bad records inside a log are counted, not raised; totals stay finite.

Cases run in a sandbox: one long-lived Python process (imports paid once) whose
address space is capped (RLIMIT_AS) and whose every case has a deadline; a case
that overruns is killed and reported as a hang, a process that dies is reported
with its status. This file is both the helpers the tests import and, run as
``python fuzzing.py``, the sandbox's worker.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import resource
import select
import signal
import subprocess
import sys
import traceback
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]

# Bounded and derandomized in CI; BREAKEVEN_FUZZ_EXAMPLES=20000 fuzzes longer
# (and at random).
LONG_RUN = os.environ.get("BREAKEVEN_FUZZ_EXAMPLES")


def fuzz_settings(ci_examples: int) -> settings:
    """``ci_examples`` cases by default (each surface sized to its cost), or the
    long run's count."""
    return settings(
        max_examples=int(LONG_RUN) if LONG_RUN else ci_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=LONG_RUN is None,
    )


SECRET = "SECRETpw42"  # a password the fuzzers plant; it must never be shown
SECRET_URL = f"postgresql://u:{SECRET}@127.0.0.1:1/litellm"

# Values that broke an earlier version, and their neighbours (scenario fields).
HOSTILE = st.sampled_from(
    [
        1.0e19, -1.0, 0, 1e308, -1e308, 2**64, 2**63, 10**50, 10**400, 5.0, 1e-320,
        "", "\ud800", "a\nb", "\x1b[31m", "x" * 300, None, True, [], {}, [[[]]],
        {"mean": 1e308, "cv": 1e308}, {"p50": 1, "p95": 1e8}, {"per_hour": 1e19},
        {"min": 5, "max": 1}, float("nan"), float("inf"),
    ]
) | st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.text(max_size=20)


class Raw(str):
    """JSON text put into a record as it is (not a string): ``NaN``, ``1e999``,
    nesting 1000 deep."""


# Values of a log field: numbers a token count or timestamp cannot be, dates out
# of range, text that is markup, SQL, a secret or control bytes, deep nesting.
LOG_HOSTILE = st.sampled_from(
    [
        float("nan"), float("inf"), float("-inf"), 1e308, -1e308, -1, 0, -0.0, 0.5,
        2**63, 2**64, 10**30, 1e300, 253402300800, -62135596801, 1e19,
        "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "0000-00-00 00:00:00",
        "2026-02-30T25:61:00Z", "1970-01-01", "", "NaN", "Infinity", "-1", "1e999",
        "abc", None, True, [], {}, [1, 2], {"a": {"b": None}}, "x" * 100_000,
        "\x00\x1b[31m\r\n\t\x7f", '"', "'", "\\", "$\\frac{1}{2}$", "<script>x</script>",
        "'); drop table records; --", "\"; select 1; --", SECRET_URL, "\ud800",
        "\u202eevil", "taskName:", ",", "{}",
        Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("1e999"), Raw("-0"),
        Raw("[" * 1000 + "]" * 1000), Raw('{"a":' * 1000 + "1" + "}" * 1000),
    ]
) | st.integers() | st.floats() | st.text(max_size=12)


def paths_of(data, prefix=()):
    """Every (path tuple) to a value in nested dicts and lists."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from paths_of(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from paths_of(v, (*prefix, i))


def set_at(data, path, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def mutate(data, draw, values, times=(1, 3)):
    """Set 1-3 values drawn from ``values`` at paths drawn in ``data`` (in place)."""
    paths = [p for p in paths_of(data) if p]
    if not paths:
        return
    for _ in range(draw(st.integers(*times))):
        try:
            set_at(data, draw(st.sampled_from(paths)), draw(values))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed the parent


def to_json(value, indent: int | None = None) -> str:
    """JSON text of ``value`` with each Raw put in verbatim."""
    raws: list[str] = []

    def swap(v):
        if isinstance(v, Raw):
            raws.append(str(v))
            return f"\x00raw{len(raws) - 1}\x00"
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        if isinstance(v, list):
            return [swap(x) for x in v]
        return v

    text = json.dumps(swap(value), indent=indent)
    for i, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x00raw{i}\x00"), raw)
    return text


def damage_bytes(raw: bytes, draw, times=(1, 4)) -> bytes:
    """Byte damage: flips, insertions, deletions, duplicated runs."""
    raw = bytearray(raw)
    for _ in range(draw(st.integers(*times))):
        if not raw:
            raw[:] = draw(st.binary(min_size=1, max_size=8))
            continue
        at = draw(st.integers(0, len(raw) - 1))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "dup"]))
        if kind == "flip":
            raw[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del raw[at : at + draw(st.integers(1, 40))]
        else:
            raw[at:at] = raw[at : at + draw(st.integers(1, 200))]
    return bytes(raw)


# --- the oracle ---------------------------------------------------------------


def check_cli(outcome: dict, what: str = "") -> None:
    """Assert the CLI contract on a sandboxed CLI case's outcome. Each kind of
    breach fails on its own line, so that Hypothesis reports each class apart."""
    where = f"{what}\n{json.dumps(outcome, indent=1)[:4000]}"
    assert "hang" not in outcome, f"hang (no end within {outcome.get('hang')} s): {where}"
    assert "died" not in outcome, f"the process died ({outcome.get('died')}): {where}"
    assert "crash" not in outcome and "rc" in outcome, f"main() raised: {where}"
    rc, err = outcome["rc"], outcome["err"]
    lines = err.splitlines()
    assert "Traceback" not in err, f"traceback: {where}"
    assert rc != 1, f"internal error: {where}"
    assert rc in (0, 2), f"exit status {rc}: {where}"
    assert SECRET not in err, f"the secret is shown: {where}"
    if rc == 2:
        assert not any(line.startswith("usage:") for line in lines), f"argparse usage: {where}"
        assert len(lines) == 1, f"not one line: {where}"
        assert lines[0].startswith("error:"), f"not 'error:': {where}"
        assert lines[0].isprintable(), f"control bytes: {where}"
        assert "out of memory" not in lines[0], f"out of memory under the cap: {where}"
    else:
        assert not any("Warning" in line for line in lines), f"warning on stderr: {where}"
    assert outcome.get("nonfinite") is None, f"NaN or inf written: {where}"


def check_api(outcome: dict, what: str = "") -> None:
    """Assert the Python API's contract on a sandboxed API case's outcome."""
    where = f"{what}\n{json.dumps(outcome, indent=1)[:4000]}"
    assert "hang" not in outcome, f"hang (no end within {outcome.get('hang')} s): {where}"
    assert "died" not in outcome, f"the process died ({outcome.get('died')}): {where}"
    assert "crash" not in outcome, f"not a breakeven error: {where}"
    if "error" in outcome:
        message = outcome["error"]
        assert "\n" not in message, f"multi-line message: {where}"
        assert message.isprintable(), f"control bytes in the message: {where}"
        assert SECRET not in message, f"the secret is shown: {where}"
    assert outcome.get("nonfinite") is None, f"NaN or inf in the result: {where}"


# --- the sandbox ----------------------------------------------------------------

# Bytes of address space for the sandbox. DuckDB, pyarrow and the thread arenas
# reserve about 2 GiB they never touch (170 MB resident after an ingest), so the cap
# is 4 GiB: far above what any case here needs, far below "unbounded".
MEMORY_CAP = 4 << 30
CASE_SECONDS = 60  # a case that runs longer is a hang (normal cases take < 5 s)


class Sandbox:
    """A worker process (this file run as a script) that runs cases one at a time."""

    def __init__(self, memory=MEMORY_CAP):
        self.memory = memory
        self.proc = None

    def _start(self):
        def cap():
            resource.setrlimit(resource.RLIMIT_AS, (self.memory, self.memory))
            os.setsid()

        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]))
        env.pop("BREAKEVEN_TRACEBACK", None)
        self.proc = subprocess.Popen(
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, preexec_fn=cap, env=env, cwd="/",
        )

    def _stop(self):
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc.stdin.close()
            self.proc.stdout.close()
            self.proc = None

    def close(self):
        self._stop()

    def call(self, fn: str, *args, timeout: float = CASE_SECONDS) -> dict:
        """Run the case function ``fn`` of this module in the worker."""
        if self.proc is None or self.proc.poll() is not None:
            self._stop()
            self._start()
        self.proc.stdin.write((json.dumps({"fn": fn, "args": args}) + "\n").encode())
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self._stop()
            return {"hang": timeout, "case": [fn, *args]}
        line = self.proc.stdout.readline()
        if not line:
            status = self.proc.wait()
            self._stop()
            return {"died": f"status {status}", "case": [fn, *args]}
        return json.loads(line)


# --- case functions (run in the worker) ------------------------------------------------


def _nonfinite_json(path) -> str | None:
    """Where a written JSON file holds NaN or Infinity (None if it is finite)."""
    def refuse(name):
        raise ValueError(name)

    try:
        with open(path, encoding="utf-8") as f:
            json.load(f, parse_constant=refuse)
    except ValueError as e:
        return f"{path}: {e}"
    return None


def cli_case(argv: list[str], cwd: str, json_outputs: list[str] = ()) -> dict:
    """``breakeven ARGV`` in this process: exit status, stderr, the end of stdout,
    and whether any JSON it wrote holds NaN or Infinity."""
    from breakeven.cli import main

    os.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse
            rc = e.code if isinstance(e.code, int) else 2
    outcome = {"rc": rc, "err": err.getvalue(), "out": out.getvalue()[-1500:], "argv": argv}
    if rc == 0:
        for path in json_outputs:
            if os.path.isfile(path):
                outcome["nonfinite"] = _nonfinite_json(path) or outcome.get("nonfinite")
    return outcome


def _raised(e: BaseException) -> dict:
    """An API case's outcome when it raised: breakeven's error, or anything else
    (a crash, with where it came from)."""
    from breakeven.errors import LogError, OptionError, ScenarioError

    if isinstance(e, (LogError, OptionError, ScenarioError)):
        return {"error": str(e)}
    return {"crash": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-6000:]}


# Columns of Usage.hourly_table where NaN means "not in the log" (logged_cost where
# no record logged a cost) or "not in the catalog" (list_cost).
_MAY_BE_MISSING = {"logged_cost", "list_cost"}


def _nonfinite_usage(usage) -> str | None:
    """The first column of the hourly table or the spend view holding inf, or NaN
    where a number is due."""
    import numpy as np

    for name, frame in (("hourly_table", usage.hourly_table), ("spend()", usage.spend())):
        for column in frame.select_dtypes("number"):
            values = frame[column].to_numpy(dtype=float)
            if np.isinf(values).any() or (np.isnan(values).any()
                                          and column not in _MAY_BE_MISSING):
                return f"{name}[{column!r}]"
    return None


def ingest_case(paths: list[str], task: str | None, mapping: dict | None) -> dict:
    """``breakeven.ingest`` and its spend view: what it read, or its error."""
    import breakeven

    try:
        usage = breakeven.ingest(paths, task=task, mapping=mapping)
        return {"records": usage.records, "ingested": usage.ingested,
                "problems": sum(p.count for p in usage.problems),
                "nonfinite": _nonfinite_usage(usage)}
    except Exception as e:  # noqa: BLE001 - the oracle sorts them
        return _raised(e)


def load_sweep_case(path: str) -> dict:
    """``breakeven.decisions.load_sweep``: the points it would run, or its error."""
    from breakeven.decisions import load_sweep

    try:
        spec = load_sweep(path)
        values = [v for p in spec.points for v in p.values()]
        bad = [v for v in values if isinstance(v, float) and not math.isfinite(v)]
        return {"points": len(spec.points), "nonfinite": repr(bad[:3]) if bad else None}
    except Exception as e:  # noqa: BLE001 - the oracle sorts them
        return _raised(e)


def _worker() -> None:
    """Read cases as JSON lines, answer each on a private copy of stdout (whatever
    the code under test prints to file descriptor 1 goes to /dev/null)."""
    import warnings

    warnings.simplefilter("always")  # as in a fresh process: every warning shows
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    answers = os.fdopen(os.dup(1), "w")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    for line in sys.stdin:
        case = json.loads(line)
        try:
            outcome = globals()[case["fn"]](*case["args"])
        except BaseException as e:  # noqa: BLE001 - reported, not raised
            outcome = _raised(e)
        plt.close("all")
        answers.write(json.dumps(outcome) + "\n")
        answers.flush()


if __name__ == "__main__":
    _worker()
