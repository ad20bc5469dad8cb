"""Bad records are counted and reported with their first line numbers, and the rest
is ingested; a file that is not a log at all is an exit-2 error naming it."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import REPO

from breakeven.cli import main
from breakeven.errors import LogError
from breakeven import ingest


def record(i: int, **change) -> dict:
    r = {"id": f"chatcmpl-{i}", "created": 1767607200 + 60 * i, "model": "gpt-5.4-mini",
         "usage": {"prompt_tokens": 1000, "completion_tokens": 10,
                   "prompt_tokens_details": {"cached_tokens": 0}},
         "metadata": {"task": "classify"}}
    for k, v in change.items():
        if k in ("prompt_tokens", "completion_tokens"):
            r["usage"][k] = v
        elif k == "cached":
            r["usage"]["prompt_tokens_details"]["cached_tokens"] = v
        elif v is None:
            del r[k]
        else:
            r[k] = v
    return r


def bad_log() -> tuple[bytes, dict[str, list[int]]]:
    """100 good records and one of each problem, at known lines (1-based)."""
    lines = [json.dumps(record(i)).encode() for i in range(100)]
    bad = {
        "not JSON": (5, b'{"id": "x", "usage": {'),
        "missing timestamp": (12, json.dumps(record(200, created=None)).encode()),
        "bad timestamp": (20, json.dumps(record(201, created="yesterday")).encode()),
        "non-numeric tokens": (33, json.dumps(record(202, prompt_tokens="many")).encode()),
        "negative tokens": (41, json.dumps(record(203, completion_tokens=-4)).encode()),
        "cached tokens above input tokens": (47, json.dumps(record(204, cached=5000)).encode()),
        "duplicate request id": (58, json.dumps(record(3)).encode()),
        "invalid UTF-8": (66, json.dumps(record(205)).encode().replace(b"classify", b"cl\xffss")),
    }
    for _, (line, text) in sorted(bad.items(), key=lambda kv: kv[1][0]):
        lines.insert(line - 1, text)
    return b"\n".join(lines) + b"\n", {k: [v[0]] for k, v in bad.items()}


def test_each_problem_is_counted_at_its_line_and_the_rest_ingested(tmp_path):
    data, where = bad_log()
    log = tmp_path / "app.jsonl"
    log.write_bytes(data)
    usage = ingest(log, task="metadata.task")
    found = {p.kind: p for p in usage.problems}
    assert set(found) == set(where)
    for kind, lines in where.items():
        assert found[kind].count == 1
        assert found[kind].where == [f"{log}:{n}" for n in lines], kind
    assert usage.records == 108 and usage.ingested == 100
    assert usage.hourly_table.requests.sum() == 100


def test_only_the_first_ten_lines_are_listed(tmp_path):
    lines = [json.dumps(record(i, created="soon")) for i in range(25)]
    lines += [json.dumps(record(100 + i)) for i in range(5)]
    log = tmp_path / "app.jsonl"
    log.write_text("\n".join(lines) + "\n")
    usage = ingest(log)
    (problem,) = usage.problems
    assert problem.count == 25
    assert problem.where == [f"{log}:{n}" for n in range(1, 11)]


def test_truncated_gzip_keeps_the_lines_before_the_break(tmp_path):
    text = "".join(json.dumps(record(i)) + "\n" for i in range(20000))
    packed = gzip.compress(text.encode())
    log = tmp_path / "app.jsonl.gz"
    log.write_bytes(packed[: len(packed) // 2])
    usage = ingest(log)
    assert 0 < usage.ingested < 20000
    assert any("truncated gzip" in n for n in usage.notes)
    # every line that decompressed whole is there, in order
    assert usage.hourly_table.requests.sum() == usage.ingested


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"name: content-platform\nhorizon_months: 24\n",
    b'{"just": "json", "without": "usage"}\n',
])
def test_a_file_that_is_not_a_log_is_an_error_naming_it(tmp_path, content, capsys):
    log = tmp_path / "notes.jsonl"
    log.write_bytes(content)
    with pytest.raises(LogError, match="notes.jsonl"):
        ingest(log)
    assert main(["ingest", str(log)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "notes.jsonl" in err and "Traceback" not in err


def test_missing_file_and_empty_glob_are_errors(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "none.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "*.jsonl")]) == 2
    assert "no file matches" in capsys.readouterr().err


def test_bad_map_is_an_option_error(capsys):
    log = REPO / "tests" / "data" / "logs" / "openai-chat.jsonl"
    assert main(["ingest", str(log), "--map", "timestamp"]) == 2
    assert "--map" in capsys.readouterr().err
    assert main(["ingest", str(log), "--map", "colour=x"]) == 2
    assert "unknown field 'colour'" in capsys.readouterr().err


def test_a_broken_first_record_is_counted_not_taken_for_a_document(tmp_path):
    lines = ['{"id": "x", "usage": {'] + [json.dumps(record(i)) for i in range(5)]
    log = tmp_path / "app.jsonl"
    log.write_text("\n".join(lines) + "\n")
    usage = ingest(log)
    assert [(p.kind, p.where) for p in usage.problems] == [("not JSON", [f"{log}:1"])]
    assert usage.ingested == 5
