"""Each class of hostile input found by mutating scenarios ends in one message (exit
2) naming the file, the line or byte offset and the field, or in a clean success:
never a traceback, a hang or unbounded memory.
"""

from __future__ import annotations

import subprocess
import sys

import breakeven
import pytest
from conftest import BASE_YAML


def edited(old: str, new: str) -> str:
    assert old in BASE_YAML, old
    return BASE_YAML.replace(old, new, 1)


def cli(*args, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "breakeven", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_error_line(proc) -> str:
    """The CLI failed as an input error: exit 2, one line, no traceback."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# libyaml from PyYAML 6.0.4 on refuses deep nesting itself, before our limit of 64
# sees the events; either way it is one line naming the file and line.
NESTING = ("nests deeper than 64 levels", "invalid YAML: exceeded maximum nesting depth")

# (what, file text, expected message fragment, or a tuple of alternatives) -- all through `breakeven validate`
# or `breakeven run`: the classes of the hostile-user report.
VALIDATE_CASES = [
    (
        "requests beyond what a Poisson draw can hold",
        edited("requests: {per_hour: 10}", "requests: {per_hour: 1.0e+19}"),
        ":8: workloads[0].requests.per_hour: must be between 0 and 1e+12 (got 1e+19)",
    ),
    (
        "growth that compounds past the engine's bound",
        edited("horizon_months: 3", "horizon_months: 24").replace(
            "    hourly_weights: consumer", "    hourly_weights: consumer\n    growth_per_month: 5.0"
        ),
        "workloads[0].growth_per_month: the expected rate reaches",
    ),
    (
        "a token size near the largest double",
        edited("input_tokens: {mean: 2000, cv: 0.5}", "input_tokens: {mean: 1.0e+308, cv: 0.5}"),
        "workloads[1].input_tokens.mean: must be between 0 and 100000000 (got 1e+308)",
    ),
    (
        "a price near the largest double",
        edited("{input: 1.0, output: 10.0,", "{input: 1.0e+300, output: 10.0,"),
        "models.my-model.input: must be between 0 and 1000000",
    ),
    (
        "an integer too large for 64 bits",
        edited("requests: {per_hour: 10}", "requests: {per_hour: " + "1" + "0" * 50 + "}"),
        "workloads[0].requests.per_hour: must be between 0 and 1e+12 (got 1e+50)",
    ),
    (
        "2**64 as a seed",
        edited("{paths: 20, seed: 5}", "{paths: 20, seed: 18446744073709551616}"),
        "simulation.seed: must be a whole number between 0 and 2^64-1",
    ),
    (
        "a lone surrogate in a string",
        edited("  - name: chat", '  - name: "\\ud800"'),
        ":7: invalid YAML: found invalid Unicode character escape code",
    ),
    (
        "control characters in the file",
        BASE_YAML.replace("name: small", "name: sm\x01all"),
        "invalid YAML",
    ),
    (
        "a name holding a newline and an escape sequence",
        edited("  - name: chat", '  - name: "ch\\nat\\e[31m"'),
        "workloads[0].name: names must not contain control characters",
    ),
    (
        "deeply nested lists",
        BASE_YAML + "extra: " + "[" * 5000 + "]" * 5000 + "\n",
        NESTING,
    ),
    (
        "deeply nested mappings",
        BASE_YAML + "extra: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
        NESTING,
    ),
    (
        "a billion-laughs alias bomb",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
            for i in range(8)
        ),
        "expands to more than 200,000 values",
    ),
    (
        "thousands of workloads",
        BASE_YAML.replace(
            "correlation: 0.2\n",
            "".join(
                f"  - {{name: w{i}, requests: {{per_hour: 1}}, input_tokens: 10, output_tokens: 1}}\n"
                for i in range(2000)
            )
            + "correlation: 0.2\n",
        ),
        "workloads: at most 500 workloads (got 2002)",
    ),
    (
        "a horizon beyond the bound",
        edited("horizon_months: 3", "horizon_months: 100000"),
        "horizon_months: must be between 1 and 240",
    ),
]


@pytest.mark.parametrize("what, text, fragment", VALIDATE_CASES, ids=[c[0] for c in VALIDATE_CASES])
def test_hostile_file_is_one_input_error(tmp_path, what, text, fragment):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    line = one_error_line(cli("validate", path))  # a hang fails by cli's timeout
    assert line.startswith(f"error: {path}"), line
    alternatives = fragment if isinstance(fragment, tuple) else (fragment,)
    assert any(f in line for f in alternatives), line
    assert line.isprintable()


def test_invalid_utf8_names_the_byte_offset_and_line(tmp_path):
    path = tmp_path / "s.yaml"
    raw = BASE_YAML.encode().replace(b"name: chat", b"name: ch\xffat")
    path.write_bytes(raw)
    offset = raw.index(b"\xff")
    line = raw.count(b"\n", 0, offset) + 1
    assert one_error_line(cli("validate", path)) == (
        f"error: {path}:{line}: not valid UTF-8 at byte offset {offset}"
    )


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(BASE_YAML + "#" * (3 * 1024 * 1024) + "\n")
    assert "scenario files are at most 2,097,152" in one_error_line(cli("validate", path))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--paths", "10000000000"], "error: --paths: must be a whole number between 1 and 100000000 (got 10000000000)"),
        (["--paths", "abc"], "--paths: must be a whole number (got 'abc')"),
        (["--threads", "100000"], "error: --threads: must be a whole number between 1 and 1024"),
        (["--seed", str(2**64)], "error: --seed: must be a whole number between 0 and 2^64-1"),
        (["--precision", "1.5"], "error: --precision: must be between 0 and 1"),
        (["--paths", "99000000"], "above the memory budget of 4.00 GiB"),
    ],
)
def test_hostile_flags_are_one_input_error(write_scenario, args, message):
    proc = cli("run", write_scenario(), "--quiet", *args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert message in proc.stderr


def test_threads_that_cannot_start_are_an_error_not_an_abort(write_scenario):
    # 1 GiB of address space cannot hold 600 thread stacks of 8 MiB each.
    code = (
        "import resource, sys; "
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
        "from breakeven.cli import main; "
        f"sys.exit(main(['run', {str(write_scenario())!r}, '--threads', '600', "
        "'--paths', '600', '--quiet']))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert one_error_line(proc).startswith(
        "error: --threads: could not start worker thread"
    )


def test_dict_api_gives_the_same_errors():
    import yaml

    data = yaml.safe_load(BASE_YAML)
    data["workloads"][0]["name"] = "\ud800"
    with pytest.raises(breakeven.ScenarioError, match=r"workloads\[0\].name: holds a character"):
        breakeven.load(data)
    data["workloads"][0]["name"] = "chat"
    data["workloads"][0]["requests"] = {"per_hour": 2**64}
    with pytest.raises(breakeven.ScenarioError, match=r"per_hour: must be between 0 and 1e\+12"):
        breakeven.load(data)
    data["workloads"][0]["requests"] = {"per_hour": 10**400}
    with pytest.raises(breakeven.ScenarioError, match="must be a finite number"):
        breakeven.load(data)
    nested: list = []
    for _ in range(200):
        nested = [nested]
    data["workloads"][0]["requests"] = nested
    with pytest.raises(breakeven.ScenarioError, match="nests deeper than 64 levels"):
        breakeven.load(data)


def test_validate_and_run_start_without_pandas_or_matplotlib():
    # What `validate` and `run` import before printing (import time dominates
    # their start; measured in the note, not asserted).
    code = (
        "import sys, breakeven.cli, breakeven.report, breakeven.presentation; "
        "breakeven.cli.build_parser(); "
        "print(any(m in sys.modules for m in ('pandas', 'matplotlib', 'duckdb')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "False", proc.stderr


def test_exponent_numbers_without_a_dot_are_numbers(write_scenario):
    """YAML 1.1 (PyYAML) read ``1e4`` as a string; YAML 1.2, JSON and the editors
    with the scenario's schema read a number, and so does the loader now."""
    scenario = breakeven.load(write_scenario(edited("requests: {per_hour: 10}",
                                                    "requests: {per_hour: 1e1}")))
    assert scenario.resolved()["workloads"][0]["requests_per_hour"] == 10.0
    import yaml

    assert yaml.safe_load("a: 1e1") == {"a": "1e1"}  # PyYAML itself is left as it is
