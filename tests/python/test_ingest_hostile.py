"""Ingest against hostile and careless input (issue 20): file names and fields
that would be SQL, inputs that would take unbounded memory, values that are not
numbers, and output that would leak a password or drive the terminal.

Cases that took gigabytes before their bound run in a subprocess under an address
space cap, so that a regression fails fast instead of eating the machine."""

from __future__ import annotations

import ast
import json
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from breakeven import ingest
from breakeven.cli import main

T0 = 1767607200  # 2026-01-05 10:00 UTC
MEMORY_CAP = 1536 * 2**20  # bytes of address space for a subprocess case


def record(i: int, task: str = "classify", model: str = "gpt-5.4-mini", **usage) -> dict:
    return {"id": f"chatcmpl-{i}", "created": T0 + 60 * i, "model": model,
            "usage": {"prompt_tokens": 1000, "completion_tokens": 10, **usage},
            "metadata": {"task": task}}


def write_jsonl(path: Path, records, end: str = "\n") -> Path:
    path.write_text("".join(json.dumps(r) + end for r in records))
    return path


def capped(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m breakeven ARGS`` with at most MEMORY_CAP of address space."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    return subprocess.run([sys.executable, "-m", "breakeven", *args], cwd=cwd,
                          preexec_fn=limit, capture_output=True, text=True, timeout=timeout)


def one_error_line(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for w in words:
        assert w in lines[0], (w, lines[0])


# 1. SQL injection ------------------------------------------------------------


LITELLM_CSV = ("request_id,startTime,model,spend,prompt_tokens,completion_tokens\n"
               + "".join(f"r{i},2026-01-05 10:{i:02d}:00,gpt-5.4-mini,0.001,1000,10\n"
                         for i in range(20)))


def test_a_file_named_like_sql_is_read_as_a_log_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text(LITELLM_CSV)
    # Before: read_csv('{path}') ran the COPY and wrote pwned.csv.
    evil = tmp_path / "x.csv')); copy (select 42 as answer) to ('pwned.csv'); --.csv"
    evil.write_text(LITELLM_CSV)
    usage = ingest(evil)
    assert usage.format == "litellm" and usage.ingested == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["x.csv", evil.name])


def test_file_names_are_not_globbed_or_expanded_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "a*.jsonl", [record(i) for i in range(3)])
    write_jsonl(tmp_path / "ab.jsonl", [record(10 + i) for i in range(4)])
    write_jsonl(tmp_path / "~x.jsonl", [record(20 + i) for i in range(5)])
    # The user's glob matches both files once; DuckDB globbed 'a*.jsonl' again.
    assert ingest("a*.jsonl").ingested == 7
    assert ingest("~x.jsonl").ingested == 5  # DuckDB read ~ as the home folder


class RecordingConnection:
    """A DuckDB connection that keeps the text of every statement."""

    def __init__(self, con, texts: list[str]):
        self._con, self._texts = con, texts

    def execute(self, sql, *args):
        self._texts.append(sql)
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_no_sql_text_holds_a_name_from_the_user_or_the_logs(tmp_path, monkeypatch):
    import duckdb

    texts: list[str] = []
    connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect",
                        lambda *a, **k: RecordingConnection(connect(*a, **k), texts))
    mark = "MARK'\""
    folder = tmp_path / f"logs{mark}"
    folder.mkdir()
    log = folder / f"app{mark}.jsonl"
    write_jsonl(log, [{**record(i, model=f"m{mark}{i % 3}"), f"when{mark}": T0 + 60 * i,
                       "meta": {f"task{mark}": f"t{mark}"}} for i in range(30)])
    usage = ingest(log, task=f"meta.task{mark}", mapping={"timestamp": f"when{mark}"})
    assert usage.ingested == 30 and usage.tasks == [f"t{mark}"]
    assert texts and not [t for t in texts if "MARK" in t]


def test_no_quoted_interpolation_in_the_logs_sql():
    """A value between quotes in an f-string ('{path}') is SQL built by hand: all
    values go in as parameters (logs/sql.py)."""
    found = []
    for path in sorted((REPO / "python" / "breakeven" / "logs").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            parts = node.values
            for before, value in zip(parts, parts[1:]):
                if (isinstance(value, ast.FormattedValue) and isinstance(before, ast.Constant)
                        and isinstance(before.value, str) and re.search(r"['\"]$", before.value)
                        and re.search(r"\b(select|from|read_csv|read_parquet|copy|when)\b",
                                      ast.unparse(node), re.IGNORECASE)):
                    found.append(f"{path.name}:{node.lineno}")
    assert not found


def test_the_postgres_table_is_an_identifier(monkeypatch, tmp_path):
    import psycopg
    from breakeven.logs.sources import _postgres_source

    statements = []

    class Context:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    class Copy(Context):
        def __iter__(self):
            return iter([b"request_id,startTime\n"])

    class Connection(Context):
        def cursor(self):
            return self

        def copy(self, statement):
            statements.append(statement)
            return Copy()

    monkeypatch.setattr(psycopg, "connect", lambda *a, **k: Connection())
    _postgres_source('postgresql://db/x#t"; drop table y; --', str(tmp_path))
    (statement,) = statements
    assert isinstance(statement, psycopg.sql.Composed)
    assert statement.as_string(None) == (
        'COPY (SELECT * FROM "t""; drop table y; --") TO STDOUT WITH (FORMAT csv, HEADER true)')


# 2. Memory and time without bound -------------------------------------------


def test_too_many_files_is_refused_before_reading(tmp_path):
    for i in range(1001):
        write_jsonl(tmp_path / f"{i:04d}.jsonl", [record(i)])
    r = capped(["ingest", "*.jsonl"], tmp_path, timeout=60)
    assert r.returncode == 2
    one_error_line(r.stderr, "more than 1,000 log files", "--max-files")


def test_too_many_models_is_refused_before_pricing(tmp_path):
    # Before: one SQL branch per model name (30,000 names: 4.9 GB, then OutOfMemory).
    write_jsonl(tmp_path / "app.jsonl", [record(i, model=f"model-{i}") for i in range(2001)])
    r = capped(["ingest", "app.jsonl", "--task", "metadata.task"], tmp_path)
    assert r.returncode == 2
    one_error_line(r.stderr, "2,001 distinct models, more than 2,000", "--max-names")
    assert main(["ingest", str(tmp_path / "app.jsonl"), "--task", "metadata.task",
                 "--max-names", "3000"]) == 0


def test_a_json_document_over_its_bound_is_refused_before_parsing(tmp_path):
    page = {"object": "page", "data": [{"start_time": T0, "end_time": T0 + 3600,
                                        "results": []}]}
    # Before: json.load of the whole document (a 400 MB array took 2.6 GB).
    (tmp_path / "usage.json").write_text(json.dumps([page]) + " " * 33_000_000)
    r = capped(["ingest", "usage.json"], tmp_path)
    assert r.returncode == 2
    one_error_line(r.stderr, "JSON documents are at most 32,000,000",
                   "MAX_DOCUMENT_BYTES")


def test_one_far_timestamp_is_a_bad_record_not_a_200_year_calendar(tmp_path):
    records = [record(i) for i in range(24 * 14)]
    for i, r in enumerate(records):
        r["created"] = T0 + 3600 * i + 7
    records[100]["created"] = 9.9e10  # the year 5107
    write_jsonl(tmp_path / "app.jsonl", records)
    # Before: a 200-year hourly calendar for the fit (7.8 GB).
    r = capped(["ingest", "app.jsonl", "-o", "fit.yaml", "--bootstrap", "0"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert re.search(r"bad timestamp +1 +app\.jsonl:101\n", r.stdout)
    assert "14.0 days from 2026-01-05T10:00" in r.stdout


def test_a_long_span_is_refused(tmp_path):
    log = write_jsonl(tmp_path / "app.jsonl", [record(0), {**record(1), "created": 1e9}])
    with pytest.raises(Exception, match="records span 8,884 days .*--max-days"):
        ingest(log)


def test_a_line_longer_than_the_bound_is_counted_at_its_line(tmp_path):
    # Before: DuckDB dropped a line longer than its buffer without counting it.
    with open(tmp_path / "app.jsonl", "w") as f:
        for i in range(5):
            f.write(json.dumps(record(i)) + "\n")
        f.write('{"id": "big", "pad": "' + "x" * 140_000_000 + '"}\n')
        for i in range(5, 10):
            f.write(json.dumps(record(i)) + "\n")
        f.write('{"id": "no timestamp"}\n')
    r = capped(["ingest", "app.jsonl"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "10 of 12 records" in r.stdout
    assert re.search(r"line longer than 2,000,000 bytes +1 +app\.jsonl:6\n", r.stdout)
    assert re.search(r"missing timestamp +1 +app\.jsonl:12\n", r.stdout)


# 3. Bad values are bad records, never tracebacks ----------------------------


def test_values_that_are_not_token_counts_or_times_are_counted(tmp_path):
    good = [record(i) for i in range(20)]
    bad = {
        3: ('{"id": "a", "created": %d, "model": "m", "usage": {"prompt_tokens": NaN, '
            '"completion_tokens": 1}}' % T0, "non-numeric tokens"),  # DuckDB reads NaN
        5: (json.dumps(record(100, prompt_tokens="NaN")), "non-numeric tokens"),
        7: (json.dumps(record(101, completion_tokens="Infinity")), "non-numeric tokens"),
        9: (json.dumps(record(102, prompt_tokens=1e308)), "too many tokens"),
        11: (json.dumps(record(103, completion_tokens=200_000_000)), "too many tokens"),
        13: (json.dumps({**record(104), "created": 1e300}), "bad timestamp"),
        15: (json.dumps({**record(105), "created": "9999-12-31T00:00:00Z"}), "bad timestamp"),
        17: (json.dumps({**record(106), "cost": "1e308"}), "bad cost"),
    }
    lines = [json.dumps(r) for r in good]
    for n, (text, _) in sorted(bad.items()):
        lines.insert(n - 1, text)
    lines.append('{"created": %d, "usage": {"prompt_tokens": 1, "completion_tokens": 1}, '
                 '"deep": %s%s}' % (T0, "[" * 1000, "]" * 1000))
    log = tmp_path / "app.jsonl"
    log.write_text("\n".join(lines) + "\n")
    usage = ingest(log)
    found = {p.kind: p.where for p in usage.problems}
    expected: dict[str, list[str]] = {}
    for n, (_, kind) in sorted(bad.items()):
        expected.setdefault(kind, []).append(f"{log}:{n}")
    assert found == expected
    assert usage.ingested == 21  # the deeply nested record is a record
    assert usage.hourly_table.input_tokens.max() < 1e8


def test_the_timestamp_unit_is_decided_per_file(tmp_path):
    seconds = [record(i) for i in range(30)]
    seconds[4]["created"] = 2e11  # seconds, the year 8307: not milliseconds of 1976
    usage = ingest(write_jsonl(tmp_path / "s.jsonl", seconds))
    assert [(p.kind, p.where) for p in usage.problems] == [
        ("bad timestamp", [f"{tmp_path / 's.jsonl'}:5"])]
    millis = [{**r, "created": r["created"] * 1000} for r in seconds if r["created"] < 2e11]
    usage = ingest(write_jsonl(tmp_path / "ms.jsonl", millis))
    assert usage.ingested == 29 and str(usage.start).startswith("2026-01-05 10:00")


def test_bad_usage_buckets_are_counted(tmp_path, capsys):
    ok = {"start_time": T0 - 7, "end_time": T0 - 7 + 3600, "results": [
        {"model": "gpt-5.4-mini", "num_model_requests": 5, "input_tokens": 500,
         "output_tokens": 50}]}
    buckets = [ok, "not a bucket", {**ok, "start_time": 1e999}, {**ok, "start_time": -5},
               {**ok, "start_time": 253402214400, "end_time": 253402218000}]
    page = json.dumps({"object": "page", "data": buckets}).replace("Infinity", "1e999")
    path = tmp_path / "usage.json"
    path.write_text(page)
    assert main(["ingest", str(path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"not a bucket object +1 +.*: page 1 bucket 2\n", out)
    assert re.search(rf"bad timestamp +3 +{re.escape(str(path))}: page 1 bucket 3, "
                     rf"{re.escape(str(path))}: page 1 bucket 4", out)


def test_a_daily_export_dated_9999_is_a_bad_row(tmp_path):
    path = tmp_path / "daily.csv"
    path.write_text("date,model,api_requests,prompt_tokens,completion_tokens,spend\n"
                    "2026-01-05,gpt-5.4-mini,10,1000,100,0.1\n"
                    "9999-12-31,gpt-5.4-mini,10,1000,100,0.1\n"
                    "2026-01-06,gpt-5.4-mini,10,1000,100,0.1\n")
    usage = ingest(path)
    assert usage.ingested == 2
    assert [(p.kind, p.where) for p in usage.problems] == [("bad timestamp", [f"{path}:row 2"])]


def test_a_csv_of_20000_columns_is_refused(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20000)) + "\n" + "1," * 19999 + "1\n")
    assert main(["ingest", str(path)]) == 2
    one_error_line(capsys.readouterr().err, "20,000 columns, more than 1,000")


@pytest.mark.parametrize("limit", ["foo", "0", "1e3", "8MB", "-1GB", "5TB"])
def test_memory_limit_is_a_size_with_a_unit_in_bounds(limit, capsys):
    log = REPO / "tests" / "data" / "logs" / "openai-chat.jsonl"
    assert main(["ingest", str(log), f"--memory-limit={limit}"]) == 2
    one_error_line(capsys.readouterr().err, "--memory-limit", "from 64MB to 1TB")


def test_bootstrap_and_backtest_options_are_bounded(tmp_path, capsys):
    records = [{**record(i), "created": T0 + 600 * i} for i in range(6 * 24 * 3)]
    days = write_jsonl(tmp_path / "days.jsonl", records)
    for n in ("-7", "1", "100000000"):
        r = capped(["ingest", "days.jsonl", "-o", "fit.yaml", "--bootstrap", n], tmp_path)
        assert r.returncode == 2
        one_error_line(r.stderr, "--bootstrap", "0 (no standard errors) or from 2 to 1,000")
    assert main(["backtest", str(days), "--train-days", "2", "--seed", "-1"]) == 2
    one_error_line(capsys.readouterr().err, "--seed", "from 0")
    # Fewer paths than parameter draws: each draw gets a path (the engine refused 0).
    assert main(["backtest", str(days), "--train-days", "2", "--paths", "10"]) == 0


# 4. Wrong or unsafe output ---------------------------------------------------


def test_secrets_in_urls_are_redacted():
    from breakeven.errors import redact

    assert redact("postgresql://me:s3cret@db:5432/x?sslmode=require&password=p2&a=b") == (
        "postgresql://me:***@db:5432/x?sslmode=require&password=***&a=b")
    assert redact("error: postgres://u:p@h/db#t: refused") == "error: postgres://u:***@h/db#t: refused"
    assert redact("logs/app.jsonl:12") == "logs/app.jsonl:12"


def test_a_database_password_is_never_printed(capsys):
    import psycopg  # noqa: F401  (the test extra has it: no skip)
    url = "postgresql://me:s3cret@127.0.0.1:1/litellm?password=t0psecret"
    assert main(["ingest", url]) == 2
    err = capsys.readouterr().err
    one_error_line(err, "127.0.0.1:1/litellm")
    assert "s3cret" not in err and "t0psecret" not in err


def test_crlf_and_stray_cr_logs_are_read(tmp_path):
    usage = ingest(write_jsonl(tmp_path / "crlf.jsonl", [record(i) for i in range(10)], "\r\n"))
    assert usage.ingested == 10 and not usage.problems
    text = "".join(json.dumps(record(i)) + "\n" for i in range(10))
    stray = tmp_path / "stray.jsonl"
    stray.write_text(text.replace('"model"', '\r"model"', 1))  # one CR inside line 1
    usage = ingest(stray)
    assert usage.ingested == 9 and usage.problems[0].kind == "not JSON"


def test_control_bytes_in_names_never_reach_the_terminal(tmp_path, capsys):
    names = ["\x1b[2J\x1b[31mred", "nul\x00byte", "bell\x07"]
    log = write_jsonl(tmp_path / "app.jsonl",
                      [record(i, task=names[i % 3]) for i in range(30)])
    assert main(["ingest", str(log), "--task", "metadata.task"]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out)
    assert "\\x1b[2J\\x1b[31mred" in out and "nul\\x00byte" in out


def test_a_mistyped_task_field_is_a_note_naming_the_fields(tmp_path, capsys):
    log = write_jsonl(tmp_path / "app.jsonl", [record(i) for i in range(10)])
    usage = ingest(log, task="metadata.tsk")
    (note,) = [n for n in usage.notes if n.startswith("--task")]
    assert "no such field in 10 of 10 records" in note and "metadata.task" in note
    assert main(["ingest", str(log), "--task", "metadata.tsk"]) == 0
    notes = capsys.readouterr().out.split("Notes\n=====\n\n", 1)[1]
    assert notes.startswith("--task metadata.tsk: no such field")
    assert not [n for n in ingest(log, task="metadata.task").notes if n.startswith("--task")]


def test_names_in_the_spend_html_are_escaped(tmp_path):
    log = write_jsonl(tmp_path / "app.jsonl",
                      [record(i, task="<script>alert(1)</script>") for i in range(30)])
    usage = ingest(log, task="metadata.task")
    page = tmp_path / "spend.html"
    usage.document().write(page)
    for html in (usage._repr_html_(), page.read_text()):
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Found by the fuzz tests (tests/python/test_fuzz_logs.py), each an exception that
# escaped or a log refused whole for one bad value.

@pytest.mark.parametrize("task", ["a..b", "metadata.", ".task"])
def test_a_task_path_with_an_empty_name_is_an_option_error(tmp_path, capsys, task):
    log = write_jsonl(tmp_path / "app.jsonl", [record(i) for i in range(5)])
    assert main(["ingest", str(log), "--task", task]) == 2  # was DuckDB's BinderException
    assert capsys.readouterr().err == (f"error: --task: must be field names joined by dots, "
                                       f"none empty (got {task!r})\n")


def test_a_csv_with_cr_line_ends_or_a_huge_first_field_is_read_or_refused_in_one_line(
        tmp_path, capsys):
    spend = (REPO / "tests/data/logs/litellm-spendlogs.csv").read_bytes()
    cr = tmp_path / "cr.csv"
    cr.write_bytes(spend.replace(b"\n", b"\r"))  # csv.Error escaped before
    assert ingest(cr).records == ingest(REPO / "tests/data/logs/litellm-spendlogs.csv").records
    huge = tmp_path / "huge.csv"
    huge.write_bytes(b'{"model": "' + b"y" * (1 << 24) + b'"}\n')
    assert main(["ingest", str(huge)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_one_cell_of_bad_utf8_in_a_csv_is_one_bad_record(tmp_path):
    rows = ["TIMESTAMP,ContextTokens,GeneratedTokens"] + [
        f"2023-11-16 18:{m:02d}:00.0000000,100,10" for m in range(60)]
    path = tmp_path / "trace.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode().replace(
        b"18:30:00.0000000,100,", b"18:30:00.0000000,\xff,", 1))
    usage = ingest(path)  # the whole log was refused
    assert (usage.records, usage.ingested) == (60, 59)
    assert [p.kind for p in usage.problems] == ["invalid UTF-8"]


def test_a_failing_backtest_is_one_line_with_its_notes_left_out(tmp_path, capsys):
    log = write_jsonl(tmp_path / "app.jsonl", [record(i) for i in range(5)])
    assert main(["backtest", str(log), "--task", "metadata.tsk", "--train-days", "1"]) == 2
    assert capsys.readouterr().err.startswith("error: --train-days:")


def test_an_odd_date_in_a_daily_export_is_a_bad_record_without_a_warning(tmp_path):
    import warnings

    daily = (REPO / "tests/data/logs/litellm-daily.csv").read_text()
    path = tmp_path / "daily.csv"
    path.write_text(daily.replace("2026-01-05", "the 5th", 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas warned, on stderr, for every such log
        usage = ingest(path)
    assert usage.records - usage.ingested == 1
