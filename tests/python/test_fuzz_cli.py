"""Fuzzing the options of every command: each option's value drawn from a hostile
set for its kind (numbers out of range or not numbers, empty and odd text, inputs
that are devices, FIFOs, folders or missing, outputs into /dev/full, a folder, a
missing folder or a FIFO), on a small scenario, small logs and tiny paths. The CLI
contract (exit 0, or 2 with one printable `error:` line; no traceback, hang or
unbounded memory) is in fuzzing.py.

Bounded in CI; run longer with BREAKEVEN_FUZZ_EXAMPLES=2000.
"""

from __future__ import annotations

import os
import shutil

import pytest
import yaml
from conftest import BASE_YAML
from fuzzing import REPO, SECRET, SECRET_URL, Sandbox, check_cli, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

# Option values by kind: (valid, hostile). Three draws in four are valid, so that
# a case gets past argparse to the command; none is valid and slow (no --paths 10**6).
WHOLE = (["1", "2", "3", "12"],
         ["-1", "0", "18446744073709551616", "1" + "0" * 30, "1e309", "nan", "", "١٢",
          " 2 ", "0x10", "9" * 5000, "-9223372036854775809", "2.5"])
NUMBER = (["0.5", "0.1", "0.25", "2"],
          ["nan", "inf", "-inf", "1e309", "-1", "0", "-0", "1e-320", "1e308", "", "abc",
           "1_000"])
PATHS = (["1", "2", "3"], ["0", "-1", "100000001", "1e3", "nan", "", "abc", "1" + "0" * 30])
SEED = (["0", "1", str(2**64 - 1)], ["-1", str(2**64), "nan", ""])
THREADS = (["1", "2"], ["0", "-1", "1025", "1000000", ""])
TEXT = (["api", "hosted", "chat", "nightly"],
        ["", "gpu", "nope", "\x1b[31m", "x" * 10_000, "\udcff", "-", "--paths", SECRET_URL,
         "'; drop table records; --"])
# Inputs and outputs by name, made in each case's folder by `prepare`.
IN_FILES = (["small.yaml"], ["/dev/zero", "fifo", "folder", "missing/x.yaml", "empty.yaml",
                             "binary.yaml", "/dev/full", "log.jsonl", "", "-"])
# (A FIFO nobody reads blocks any writer: its named cases are below, not drawn.)
OUT_FILES = (["out{}"], ["/dev/full", "/dev/null", "folder", "missing/x{}", "\x1b[2J{}",
                         f"password={SECRET}{{}}"])
LOGS = (["log.jsonl", "log.csv"], ["fifo", "/dev/zero", "folder", SECRET_URL, "*.nothing",
                                   "missing.jsonl", "empty.yaml", "binary.yaml"])
MAPS = (["input_tokens=usage.prompt_tokens"],
        ["timestamp=created", "=", "a", "x=y=z", "model=" + "a." * 1000, "\x00=1",
         "task=" + SECRET_URL])
MEMORY = (["1GB", "256MB"], ["", "0", "-1GB", "1TB", "abc", "1e309GB", "1KB",
                             "'; drop table x; --", "100%"])
TASKS = (["metadata.task", "model"], ["", "a..b", "taskName:", "metadata.", *TEXT[1]])
CATALOGS = (["catalog.json"], [*IN_FILES[1], "prices.json", "scores.csv"])
LITELLM = (["prices.json"], [*IN_FILES[1], "catalog.json", "scores.csv"])
EVALS = (["scores.csv"], [*IN_FILES[1], "prices.json"])


def choice(valid: list[str], *hostile: str):
    return (valid, list(hostile))


# Each command: the values of its positional argument (one, or one to three for
# commands that take several), then {option: kind}. A kind is (valid, hostile),
# "out:SUFFIX" (an output file), "flag", or a tuple of several kinds.
RUN = {"--paths": PATHS, "--seed": SEED, "--mode": choice(["expected", "stochastic"], "", "x"),
       "--threads": THREADS, "--memory-budget": NUMBER, "--precision": NUMBER,
       "--quiet": "flag", "--antithetic": "flag", "--no-antithetic": "flag",
       "--catalog": CATALOGS}
SEVERAL, PAIR = "several", "pair"
SHARE = (["0.001", "0.5"], ["-1", "2", "nan", "", "x"])
COMMANDS = {
    "run": (IN_FILES, {"--json": "out:.json", "--csv": "out:.csv", "--xlsx": "out:.xlsx",
                       "--focus": "out:.csv",
                       "--start": choice(["2027-01", "2027-01-01"], "2027-13", "x", "",
                                         "99999-01"),
                       "--max-unserved": SHARE, **RUN}),
    "report": (IN_FILES, {"-o": "out:.html", "--format": choice(["html", "md", "pdf", "json"],
                                                                "x", ""),
                          "--with": choice(["sensitivity", "threshold"], "", ",,", "bogus"),
                          "--max-unserved": SHARE, **RUN}),
    "diff": (IN_FILES, {"--paths": PATHS, "--seed": SEED, "--threads": THREADS,
                        "--json": "out:.json", "--catalog": CATALOGS}, PAIR),
    "schema": (choice(["scenario", "result", "diff"], "", "x", "../scenario", "\x00"), {}),
    "validate": (IN_FILES, {"--catalog": CATALOGS}),
    "models": (None, {"--catalog": CATALOGS}),
    "catalog import": (LITELLM, {"-o": "out:.json", "--provider": TEXT,
                                 "--as-of": choice(["2026-12-01"], "", "2026-13-01", "x"),
                                 "--json": "out:.json"}),
    "catalog diff": (CATALOGS, {"--json": "out:.json"}, PAIR),
    "quality import": (EVALS, {"--format": choice(["csv"], "promptfoo", "langfuse", "x", ""),
                               "-o": "out:.yaml", "--workload": TEXT, "--metric": TEXT,
                               "--replicates": choice(["2", "100"], "0", "1", "-1", "nan",
                                                      "1000000000"),
                               "--level": NUMBER, "--seed": SEED}),
    "sensitivity": (IN_FILES, {"--strategy": TEXT, "--delta": NUMBER, "--paths": PATHS,
                               "--seed": SEED, "--threads": THREADS, "--json": "out:.json",
                               "--plot": "out:.png"}),
    "threshold": (IN_FILES, {"--strategy": TEXT, "--within": WHOLE, "--prob": NUMBER,
                             "--workload": TEXT, "--range": (NUMBER, NUMBER),
                             "--paths": PATHS, "--seed": SEED, "--threads": THREADS,
                             "--json": "out:.json"}),
    "optimize": (IN_FILES, {"--objective": choice(["mean", "p95", "cvar95"], "", "x"),
                            "--budget": NUMBER, "--max-unserved": NUMBER, "--paths": PATHS,
                            "--seed": SEED, "--threads": THREADS, "--json": "out:.json",
                            "--plot": "out:.png"}),
    "sweep": ((["sweep.yaml"], IN_FILES[1]), {
        "--workers": choice(["1", "2"], "0", "-1", ""), "--csv": "out:.csv",
        "--parquet": "out:.parquet", "--json": "out:.json", "--quiet": "flag",
        "--heatmap": (choice(["workloads.chat.requests.per_hour"], "x", ""),
                      choice(["clusters.gpu.gpus"], "x", "\x1b[31m"),
                      choice(["hosted.savings", "api.total_cost"], "nope"), "out:.png")}),
    "check": ((["small.yaml", "folder"], IN_FILES[1]), {"--k": NUMBER}, SEVERAL),
    "record": ((["small.yaml", "folder"], IN_FILES[1]), {}, SEVERAL),
    "ingest": (LOGS, {"--task": TASKS, "--map": MAPS, "--memory-limit": MEMORY,
                      "-o": "out:.yaml", "--report": "out:.html", "--json": "out:.json",
                      "--focus": "out:.csv", "--max-files": WHOLE, "--max-names": WHOLE,
                      "--max-days": WHOLE, "--session": TASKS,
                      "--prefix-hashes": choice(["metadata.task", "usage"], *TASKS[1]),
                      "--block-tokens": choice(["512", "1"], "0", "-1", "1000001", "nan"),
                      "--bootstrap": choice(["0", "1", "2"], "-1", "1000000000", "nan", "")},
               SEVERAL),
    "backtest": (LOGS, {"--train-days": choice(["1", "2"], "0", "-1", "1000000", "nan"),
                        "--task": TASKS, "--map": MAPS, "--memory-limit": MEMORY,
                        "--paths": PATHS, "--seed": SEED, "--json": "out:.json",
                        "--plot": "out:.png"}, SEVERAL),
    "synth-logs": (IN_FILES, {"--days": choice(["1", "2"], "0", "-1", "100000", "1000000000",
                                               "nan"),
                              "--format": choice(["openai", "anthropic", "litellm", "otel"],
                                                 "x"),
                              "--strategy": TEXT, "--seed": SEED, "-o": "out:.jsonl"}),
}
REQUIRED = {"report": ["-o"], "threshold": ["--strategy", "--within"],
            "catalog import": ["-o"], "quality import": ["--format", "-o"],
            "backtest": ["--train-days"], "synth-logs": ["--days", "-o"]}
SLOW = {"--paths": "2"}  # the value an absent option of a slow command gets


def prepare(folder) -> None:
    """The files the values name, in the case's folder."""
    (folder / "small.yaml").write_text(BASE_YAML)
    (folder / "empty.yaml").write_bytes(b"")
    (folder / "binary.yaml").write_bytes(bytes(range(256)) * 8)
    (folder / "folder").mkdir()
    os.mkfifo(folder / "fifo")
    sweep = {"base": "small.yaml", "paths": 2, "parameters": {
        "workloads.chat.requests.per_hour": {"values": [5, 10]},
        "clusters.gpu.gpus": {"min": 1, "max": 2, "steps": 2}}}
    (folder / "sweep.yaml").write_text(yaml.safe_dump(sweep))
    shutil.copy(REPO / "tests" / "data" / "logs" / "openai-chat.jsonl", folder / "log.jsonl")
    shutil.copy(REPO / "tests" / "data" / "logs" / "litellm-spendlogs.csv", folder / "log.csv")
    shutil.copy(REPO / "tests" / "data" / "litellm" / "model_prices_excerpt.json",
                folder / "prices.json")
    shutil.copy(REPO / "python" / "breakeven" / "data" / "catalog.json", folder / "catalog.json")
    shutil.copy(REPO / "tests" / "data" / "evals" / "scores.csv", folder / "scores.csv")


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    yield box
    box.close()


def write_synth_log(folder):
    """Three days of synthetic logs in ``folder``: enough for a fit and a backtest."""
    from breakeven.cli import main

    (folder / "small.yaml").write_text(BASE_YAML)
    path = folder / "synth.jsonl"
    assert main(["synth-logs", str(folder / "small.yaml"), "--days", "3", "-o", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def synth_log(tmp_path_factory):
    return write_synth_log(tmp_path_factory.mktemp("synth"))


def drawn(kind, draw) -> str:
    """A value of ``kind``: valid three times in four."""
    valid, hostile = kind
    return draw(st.sampled_from(hostile if draw(st.integers(0, 3)) == 0 else valid))


def value_of(kind, draw, outputs: list[str]) -> list[str]:
    if kind == "flag":
        return []
    if isinstance(kind, tuple) and not isinstance(kind[0], list):  # several kinds
        return [v for k in kind for v in value_of(k, draw, outputs)]
    if isinstance(kind, str):  # out:SUFFIX
        name = drawn(OUT_FILES, draw).format(kind[4:])
        outputs.append(name)
        return [name]
    return [drawn(kind, draw)]


def draw_argv(draw, command: str) -> tuple[list[str], list[str]]:
    positional, options, *several = COMMANDS[command]
    argv, outputs = command.split(), []  # a command and its verb: "catalog import"
    if positional:
        count = 2 if several == [PAIR] else draw(st.integers(1, 3)) if several else 1
        argv += [drawn(positional, draw) for _ in range(count)]
    for option, kind in options.items():
        if option in REQUIRED.get(command, ()) or draw(st.integers(0, 2)) == 0:
            argv += [option, *value_of(kind, draw, outputs)]
        elif option in SLOW:
            argv += [option, SLOW[option]]
    return argv, outputs


def test_every_command_is_fuzzed():
    from breakeven.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command_name")
    assert {c.split()[0] for c in COMMANDS} == set(sub.choices)
    for name in ("catalog", "quality"):
        verbs = next(a for a in sub.choices[name]._actions if a.dest.endswith("_command"))
        assert {c.split()[1] for c in COMMANDS if c.startswith(name + " ")} == set(
            verbs.choices)


@fuzz_settings(60)
@given(data=st.data())
def test_hostile_options_of_every_command(sandbox, synth_log, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("cli")
    prepare(folder)
    shutil.copy(synth_log, folder / "log.jsonl")
    command = data.draw(st.sampled_from(sorted(COMMANDS)))
    argv, outputs = draw_argv(data.draw, command)
    json_outputs = [str(folder / o) for o in outputs if o.endswith(".json")]
    outcome = sandbox.call("cli_case", argv, str(folder), json_outputs, timeout=45)
    check_cli(outcome, repr(argv))


@pytest.mark.parametrize("argv", [
    ["sweep", "sweep.yaml", "--scheduler", f"tcp://u:{SECRET}@127.0.0.1:1"],
    ["ingest", SECRET_URL + "#public.spend"],
    ["run", "small.yaml", "--paths", "2", "--json", "fifo"],
    ["synth-logs", "small.yaml", "--days", "1", "-o", "fifo"],
], ids=["scheduler URL with a password", "database URL with a password",
        "--json into a FIFO nobody reads", "-o into a FIFO nobody reads"])
def test_named_hostile_cases(sandbox, tmp_path, argv):
    prepare(tmp_path)
    check_cli(sandbox.call("cli_case", argv, str(tmp_path), timeout=20), repr(argv))
