"""Whatever a command raises ends in one line on stderr and an exit status: 2 for
bad input (the engine's own OptionError, DuckDB's input errors, input nested too
deep or numbers too large included), 1 for an internal error, which shows no
traceback unless BREAKEVEN_TRACEBACK is set. Secrets and control bytes never reach
the terminal, and an option is shown as a flag only where the command has that flag.
"""

from __future__ import annotations

import duckdb
import pytest

from breakeven import _core, cli
from breakeven.errors import OptionError, redact

URL = "postgresql://bob:hunter2@db.example:5432/litellm"

CASES = [
    ("engine option error", _core.OptionError("paths", "must be between 50 and 1e8 (got 7)"),
     2, "error: --paths: must be between 50 and 1e8 (got 7)"),
    ("option that is no flag of the command", OptionError("parameters", "x.values: empty"),
     2, "error: parameters: x.values: empty"),
    ("memory budget flag", OptionError("memory_budget_gib", "must be > 0"),
     2, "error: --memory-budget: must be > 0"),
    ("deep nesting", RecursionError("maximum recursion depth exceeded"),
     2, "error: the input nests too deeply to process"),
    ("huge number", OverflowError("int too large to convert to float"),
     2, "error: a number in the input is too large (int too large to convert to float)"),
    ("DuckDB out of memory", duckdb.OutOfMemoryException("could not allocate 1GB"),
     2, "error: the logs need more memory than --memory-limit allows; raise it "
        "(could not allocate 1GB)"),
    ("DuckDB input error", duckdb.InvalidInputException("bad CSV\nline 2"),
     2, "error: the logs cannot be read (bad CSV)"),
    ("secret in an OS error", OSError(f"cannot connect to {URL}"),
     2, "error: cannot connect to postgresql://bob:***@db.example:5432/litellm"),
    ("control bytes", OSError("name \x1b[31mred\x00"),
     2, "error: name \\x1b[31mred\\x00"),
    ("internal error", ValueError("boom\n  at somewhere"),
     1, "internal error: ValueError: boom (please report it with the input; "
        "BREAKEVEN_TRACEBACK=1 shows where)"),
]


@pytest.mark.parametrize("what, raised, status, message", CASES, ids=[c[0] for c in CASES])
def test_each_failure_is_one_line_and_a_status(monkeypatch, capsys, what, raised, status,
                                               message):
    def fail(args):
        raise raised

    monkeypatch.setattr(cli.run, "cmd_run", fail)
    monkeypatch.delenv("BREAKEVEN_TRACEBACK", raising=False)
    assert cli.main(["run"]) == status
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.rstrip("\n") == message


def test_a_traceback_only_when_asked(monkeypatch, capsys):
    def fail(args):
        raise KeyError("x")

    monkeypatch.setattr(cli.run, "cmd_run", fail)
    monkeypatch.setenv("BREAKEVEN_TRACEBACK", "1")
    assert cli.main(["run"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.splitlines()[-1].startswith("internal error: KeyError")


def test_a_long_message_is_cut(monkeypatch, capsys):
    def fail(args):
        raise OptionError("seed", "x" * 100_000)

    monkeypatch.setattr(cli.run, "cmd_run", fail)
    assert cli.main(["run"]) == 2
    line = capsys.readouterr().err.rstrip("\n")
    assert len(line) == cli.failures.MAX_MESSAGE and line.endswith("…")


@pytest.mark.parametrize("text, expected", [
    (URL, "postgresql://bob:***@db.example:5432/litellm"),
    ("postgres://a:p@ss@h/db", "postgres://a:***@h/db"),
    ("host=h password=s3cret user=u", "host=h password=*** user=u"),
    ("https://h/x?sslmode=require&password=p&x=1", "https://h/x?sslmode=require&password=***&x=1"),
    ("https://example.com/a:b@c", "https://example.com/a:b@c"),
    ("postgresql://user@host/db", "postgresql://user@host/db"),
])
def test_redact(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("argv, message", [
    (["run", "--paths", "abc"], "error: --paths: must be a whole number (got 'abc')"),
    (["threshold"], "error: the following arguments are required: --strategy, --within"),
    (["run", "--bogus"], "error: unrecognized arguments: --bogus"),
    (["run", "--mode", "fast"], "error: --mode: invalid choice: 'fast' (choose from "
                                "'expected', 'stochastic')"),
])
def test_a_bad_option_is_one_line_not_the_usage(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    assert capsys.readouterr().err == message + "\n"


def test_outputs_that_cannot_be_written_are_one_line_and_never_a_hang(tmp_path, capsys):
    """A FIFO nobody reads blocked the write forever; a missing folder or a full
    device ended in a bare OSError."""
    import os
    import signal

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    scenario = tmp_path / "s.yaml"
    from conftest import BASE_YAML

    scenario.write_text(BASE_YAML)
    signal.alarm(60)  # a hang fails the test instead of stalling the suite
    try:
        for target, expected in [
            (fifo, f"error: --json: {fifo}: is a pipe that no process reads"),
            (tmp_path / "no" / "r.json",
             f"error: --json: {tmp_path / 'no' / 'r.json'}: the folder {tmp_path / 'no'} "
             "does not exist"),
            ("/dev/full", "error: --json: /dev/full: cannot write: No space left on device"),
        ]:
            assert cli.main(["run", str(scenario), "--paths", "4", "--quiet", "--json",
                             str(target)]) == 2
            assert capsys.readouterr().err == expected + "\n"
        assert cli.main(["report", str(scenario), "--paths", "4", "--quiet", "-o",
                         str(fifo), "--format", "pdf"]) == 2
        assert capsys.readouterr().err == (
            f"error: --output: {fifo}: is a pipe that no process reads\n")
    finally:
        signal.alarm(0)


def test_a_name_with_a_nul_byte_is_refused_not_a_value_error():
    import breakeven

    with pytest.raises(breakeven.ScenarioError, match="the name holds a NUL byte"):
        breakeven.load("x\0.yaml")
