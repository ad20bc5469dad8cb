"""Fuzzing log ingest: logs of every format (the samples in tests/data and what
`breakeven synth-logs` writes) with hostile field values, damaged lines and broken
or compressed files, read through `breakeven.ingest` and through
`breakeven ingest -o --json --report` (so fit and the spend report see what ingest
produced). The contract is in fuzzing.py; bad records are counted, not raised.

Bounded in CI; run longer with BREAKEVEN_FUZZ_EXAMPLES=2000.
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
from dataclasses import dataclass

import pytest
from fuzzing import (LOG_HOSTILE, REPO, SECRET_URL, Sandbox, check_api, check_cli,
                     damage_bytes, fuzz_settings, mutate, to_json)
from hypothesis import example, given
from hypothesis import strategies as st

SAMPLES = sorted((REPO / "tests" / "data" / "logs").iterdir()) + [
    REPO / "tests" / "data" / "azure" / "code.csv"
]
SYNTH_FORMATS = {"openai": ".jsonl", "anthropic": ".jsonl", "litellm": ".csv",
                 "otel": ".jsonl"}


class Seed:
    """A log parsed into what mutations edit: records (JSONL), one document
    (JSON) or rows under a header (CSV); ``task`` says where its task is."""

    def __init__(self, name: str, suffix: str, records: tuple, task: str | None):
        self.name, self.suffix, self.records, self.task = name, suffix, records, task

    def __repr__(self) -> str:
        return f"Seed({self.name})"


def parse(name: str, text: str, suffix: str, task: str | None) -> Seed:
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(text)))
    elif suffix == ".json":
        rows = [json.loads(text)]
    else:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return Seed(name, suffix, tuple(rows), task)


def serialize(seed: Seed, records: list) -> bytes:
    if seed.suffix == ".csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(records)
        return out.getvalue().encode("utf-8", "surrogatepass")
    if seed.suffix == ".json":
        return to_json(records[0], indent=2).encode("utf-8", "surrogatepass")
    text = "".join(to_json(r) + "\n" for r in records)
    return text.encode("utf-8", "surrogatepass")


def build_seeds(folder) -> list[Seed]:
    """The bundled samples, and a small scenario's synthetic logs in each format
    (written to ``folder``)."""
    from breakeven.cli import main
    from conftest import BASE_YAML

    scenario = folder / "small.yaml"
    scenario.write_text(BASE_YAML)
    out = [parse(p.name, p.read_text(), p.suffix, None) for p in SAMPLES]
    for fmt, suffix in SYNTH_FORMATS.items():
        path = folder / f"synth-{fmt}{suffix}"
        assert main(["synth-logs", str(scenario), "--days", "2", "--format", fmt,
                     "-o", str(path)]) == 0
        task = "task:" if fmt == "litellm" else "metadata.task"
        out.append(parse(path.name, path.read_text(), suffix,
                         task if fmt in ("openai", "anthropic", "litellm") else None))
    return out


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> list[Seed]:
    return build_seeds(tmp_path_factory.mktemp("synth"))


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    yield box
    box.close()


# --task values: sensible, empty, odd paths, injected SQL.
TASKS = st.sampled_from([None, "", "model", "metadata", "metadata.task", "metadata.task_type",
                         "taskName:", ":", "a..b", "$.x[0]", "'; drop table records; --",
                         "metadata." + "a." * 300 + "b", "\x1b[31m", "usage.input_tokens"])

LINE_DAMAGE = ["crlf", "cr", "nul", "bad-utf8", "bom", "truncate", "dup-line", "blank-lines",
               "long-line", "huge-line", "bytes"]
FILE_FORMS = ["plain", "plain", "plain", "gzip", "zstd", "gzip-cut", "zstd-cut", "empty",
              "binary", "first-line"]


@dataclass
class Log:
    data: bytes
    suffix: str
    clean: bool  # only fields of records past the first 50 changed: all else ingests
    changed: int  # records whose fields were changed


def draw_log(data, seeds: list[Seed]) -> Log:
    draw = data.draw
    seed = draw(st.sampled_from(seeds))
    records = [copy.deepcopy(r) for r in seed.records]
    changed: set[int] = set()
    if seed.suffix == ".csv" and len(records) > 1 and draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            row = draw(st.integers(1, len(records) - 1))
            col = draw(st.integers(0, len(records[row]) - 1))
            value = draw(LOG_HOSTILE)
            records[row][col] = value if isinstance(value, str) else to_json(value)
            changed.add(row)
    elif seed.suffix != ".csv" and draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            i = draw(st.integers(0, len(records) - 1))
            mutate(records[i], draw, LOG_HOSTILE, times=(1, 2))
            changed.add(i)
    raw = serialize(seed, records)
    damage = draw(st.lists(st.sampled_from(LINE_DAMAGE), max_size=2))
    for kind in damage:
        raw = damage_line(raw, kind, draw)
    form = draw(st.sampled_from(FILE_FORMS))
    raw, suffix = pack(raw, seed.suffix, form, draw)
    clean = (not damage and form in ("plain", "gzip", "zstd") and len(records) > 100
             and min(changed, default=100) >= 50)
    return Log(raw, suffix, clean, len(changed))


def damage_line(raw: bytes, kind: str, draw) -> bytes:
    lines = raw.split(b"\n")
    i = draw(st.integers(0, max(0, len(lines) - 1)))
    if kind == "crlf":
        return raw.replace(b"\n", b"\r\n")
    if kind == "cr":
        return raw.replace(b"\n", b"\r")
    if kind == "nul":
        lines[i] = lines[i][: len(lines[i]) // 2] + b"\x00" + lines[i][len(lines[i]) // 2:]
    elif kind == "bad-utf8":
        lines[i] = lines[i][:5] + draw(st.sampled_from([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80",
                                                         b"\x80"])) + lines[i][5:]
    elif kind == "bom":
        return b"\xef\xbb\xbf" + raw
    elif kind == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    elif kind == "dup-line":
        lines[i:i] = [lines[i]] * draw(st.integers(1, 50))
    elif kind == "blank-lines":
        lines[i:i] = [b"", b"  ", b"\t"]
    elif kind == "long-line":
        lines[i:i] = [b'{"id": "' + b"x" * 1_000_000 + b'"}']
    elif kind == "huge-line":  # past DuckDB's default largest JSON object (16 MiB)
        lines[i:i] = [b'{"model": "' + b"y" * (17 << 20) + b'"}']
    else:
        return damage_bytes(raw, draw)
    return b"\n".join(lines)


def pack(raw: bytes, suffix: str, form: str, draw) -> tuple[bytes, str]:
    """The file as written: plain, compressed, cut inside the compressed stream,
    empty, random bytes, or its first line alone."""
    if form == "empty":
        return b"", suffix
    if form == "binary":
        return draw(st.binary(min_size=1, max_size=2000)), suffix
    if form == "first-line":
        return raw.split(b"\n")[0], suffix
    if form.startswith("gzip"):
        packed, suffix = gzip.compress(raw), suffix + ".gz"
    elif form.startswith("zstd"):
        import pyarrow as pa

        packed, suffix = pa.compress(raw, codec="zstd", asbytes=True), suffix + ".zst"
    else:
        return raw, suffix
    if form.endswith("-cut"):
        packed = packed[: draw(st.integers(0, max(0, len(packed) - 1)))]
    return packed, suffix


@fuzz_settings(120)
@given(data=st.data())
@example(data=None)  # each seed as it is
def test_mutated_logs_through_the_api(sandbox, seeds, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("log")
    if data is None:
        for seed in seeds:
            path = folder / seed.name
            path.write_bytes(serialize(seed, list(seed.records)))
            outcome = sandbox.call("ingest_case", [str(path)], seed.task, None)
            check_api(outcome, seed.name)
            assert outcome["ingested"] == outcome["records"] > 0, (seed.name, outcome)
        return
    log = draw_log(data, seeds)
    path = folder / ("log" + log.suffix)
    path.write_bytes(log.data)
    task = data.draw(TASKS)
    outcome = sandbox.call("ingest_case", [str(path)], task, None)
    check_api(outcome, f"ingest({str(path)!r}, task={task!r})")
    if log.clean and task is None:
        # Bad records are counted and the rest ingested.
        what = f"{log.changed} bad records raised, not counted: {path}\n{outcome}"
        assert "error" not in outcome, what
        assert outcome["ingested"] >= outcome["records"] - log.changed, what


@fuzz_settings(25)
@given(data=st.data())
def test_mutated_logs_through_the_cli(sandbox, seeds, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("log")
    log = draw_log(data, seeds)
    path = folder / ("log" + log.suffix)
    path.write_bytes(log.data)
    argv = ["ingest", str(path), "-o", "fitted.yaml", "--json", "spend.json",
            "--report", "spend.html"]
    task = data.draw(TASKS)
    if task is not None:
        argv += ["--task", task]
    outcome = sandbox.call("cli_case", argv, str(folder), [str(folder / "spend.json")])
    check_cli(outcome, " ".join(argv))
    if outcome["rc"] == 0:  # what ingest fitted loads again
        check_cli(sandbox.call("cli_case", ["validate", "fitted.yaml"], str(folder)),
                  "validate fitted.yaml")


@pytest.mark.parametrize("name", ["many files, one a FIFO", "a secret in the URL",
                                  "a folder", "/dev/zero"])
def test_log_arguments_that_are_not_logs(sandbox, tmp_path, name):
    import os

    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    sample = str(SAMPLES[0])
    argv = {
        "many files, one a FIFO": [sample, str(fifo)],
        "a secret in the URL": [SECRET_URL],
        "a folder": [str(tmp_path)],
        "/dev/zero": ["/dev/zero"],
    }[name]
    check_cli(sandbox.call("cli_case", ["ingest", *argv], str(tmp_path)), name)
    check_api(sandbox.call("ingest_case", argv, None, None), name)
