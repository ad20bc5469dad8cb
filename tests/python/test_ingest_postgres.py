"""LiteLLM's spend logs read straight from a real PostgreSQL server: the test starts
one from Debian's packages in a temporary folder, creates LiteLLM_SpendLogs as
LiteLLM's schema does, loads rows and ingests them through a postgresql:// URL."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from breakeven.cli import main
from breakeven import ingest

# LiteLLM's schema.prisma, model LiteLLM_SpendLogs, as `prisma db push` creates it
# (the columns a spend log row has; newer LiteLLM versions add a few more).
SPEND_LOGS = '''
CREATE TABLE "LiteLLM_SpendLogs" (
    "request_id" TEXT NOT NULL,
    "call_type" TEXT NOT NULL,
    "api_key" TEXT NOT NULL DEFAULT '',
    "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "startTime" TIMESTAMP(3) NOT NULL,
    "endTime" TIMESTAMP(3) NOT NULL,
    "completionStartTime" TIMESTAMP(3),
    "model" TEXT NOT NULL DEFAULT '',
    "model_id" TEXT DEFAULT '',
    "model_group" TEXT DEFAULT '',
    "custom_llm_provider" TEXT DEFAULT '',
    "api_base" TEXT DEFAULT '',
    "user" TEXT DEFAULT '',
    "metadata" JSONB DEFAULT '{}',
    "cache_hit" TEXT DEFAULT '',
    "cache_key" TEXT DEFAULT '',
    "request_tags" JSONB DEFAULT '[]',
    "team_id" TEXT,
    "end_user" TEXT,
    "requester_ip_address" TEXT,
    "messages" JSONB DEFAULT '{}',
    "response" JSONB DEFAULT '{}',
    "session_id" TEXT,
    "status" TEXT,
    "proxy_server_request" JSONB DEFAULT '{}',
    CONSTRAINT "LiteLLM_SpendLogs_pkey" PRIMARY KEY ("request_id")
);
'''


def _bin(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    assert initdb and pg_ctl, "PostgreSQL server binaries (Debian: postgresql) are missing"
    # Not under pytest's tmp folder: the server's user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="breakeven-pg-"))
    data = folder / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(folder, 0o777)
    port = _free_port()
    subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "breakeven"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-w", "-l", str(data / "log"), "-o",
                    f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    url = f"postgresql://breakeven@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        for _ in range(50):
            try:
                conn = psycopg.connect(url)
                break
            except psycopg.OperationalError:
                time.sleep(0.1)
        with conn, conn.cursor() as cur:
            cur.execute(SPEND_LOGS)
            rows = []
            for i in range(300):
                task = ("classify", "summarize", "qa")[i % 3]
                model = "gpt-5.4-mini" if task != "qa" else "claude-haiku-4.5"
                rows.append((f"chatcmpl-{i}", "acompletion", 0.001 * (i % 7), 1000 + i, 950 + i,
                             50, f"2026-01-05 {10 + i // 100}:{i % 60:02d}:00",
                             f"2026-01-05 {10 + i // 100}:{i % 60:02d}:02", model,
                             f'{{"usage_object": {{"prompt_tokens_details": '
                             f'{{"cached_tokens": {512 if task == "classify" else 0}}}}}}}',
                             f'["env:prod", "taskName:{task}"]'))
            cur.executemany(
                'INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, spend, total_tokens, '
                'prompt_tokens, completion_tokens, "startTime", "endTime", model, metadata, '
                "request_tags) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        yield url
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_spend_logs_are_read_from_the_proxy_database(postgres):
    usage = ingest(postgres, task="taskName:")
    assert usage.format == "litellm"
    t = usage.hourly_table.groupby("task")[["requests", "input_tokens", "cached_tokens",
                                            "output_tokens", "cost"]].sum()
    assert dict(t.requests) == {"classify": 100, "summarize": 100, "qa": 100}
    assert t.loc["classify", "cached_tokens"] == 100 * 512
    assert t.input_tokens.sum() == sum(950 + i for i in range(300))
    assert t.output_tokens.sum() == 300 * 50
    assert t.cost.sum() == pytest.approx(sum(0.001 * (i % 7) for i in range(300)))
    assert sorted(usage.hourly_table.hour.dt.hour.unique()) == [10, 11, 12]


def test_an_unreachable_database_is_an_error_naming_it(capsys):
    port = _free_port()
    assert main(["ingest", f"postgresql://nobody@127.0.0.1:{port}/litellm"]) == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}/litellm" in err and "Traceback" not in err
