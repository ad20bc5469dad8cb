"""Caching as real traffic has it (issue 22): conversation ids read from each log
format, Responses chains, the prefix cache replayed over block hashes, Mooncake's
trace turned into logs and fitted, the fit's determinism, and hostile hash fields.
Expected values are worked out by hand or computed directly from the trace."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import numpy as np
import pytest
from breakeven import ingest
from breakeven.cli import main
from breakeven.logs.cache_replay import MAX_BLOCKS_PER_REQUEST, replay
from breakeven.logs.conversations import GAP_PROBS, HORIZON_S, HORIZON_SHARE
from breakeven.logs.mooncake import conversation_ids, mooncake_records, read_trace
from conftest import REPO

T0 = 1767607200  # 2026-01-05 10:00 UTC
TRACE = REPO.parent / "shared" / "data" / "mooncake-fast25-synthetic" / "synthetic_trace.jsonl"


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


# Three conversations: (offset s, session, prompt tokens). Growth between consecutive
# turns: a: +900, +1100; b: +500; c: one turn. Mean growth (900 + 1100 + 500) / 3.
TURNS = [(0, "a", 1000), (30, "b", 2000), (60, "a", 1900), (90, "b", 2500),
         (180, "a", 3000), (400, "c", 1200)]
GROWTH = (900 + 1100 + 500) / 3


def check_three(usage, task):
    c = usage.conversations[task]
    assert (c.conversations, c.requests, c.growth_pairs) == (3, 6, 3)
    assert c.history_tokens_per_turn == pytest.approx(GROWTH)


def test_otel_conversation_id(tmp_path):
    spans = [{"name": "chat", "context": {"span_id": f"0x{i:04x}"},
              "start_time": f"2026-01-05T10:{t // 60:02d}:{t % 60:02d}.000000Z",
              "attributes": {"gen_ai.request.model": "gpt-5.4-mini",
                             "gen_ai.usage.input_tokens": n, "gen_ai.usage.output_tokens": 10,
                             "gen_ai.conversation.id": s}}
             for i, (t, s, n) in enumerate(TURNS)]
    usage = ingest(write_jsonl(tmp_path / "otel.jsonl", spans))
    assert usage.format == "otel" and usage.session_field.startswith("attributes.gen_ai")
    check_three(usage, "gpt-5.4-mini")


def test_langfuse_session_id(tmp_path):
    obs = [{"id": f"o{i}", "type": "GENERATION", "startTime": T0 + t, "model": "gpt-5.4-mini",
            "sessionId": s, "usageDetails": {"input": n, "output": 10}}
           for i, (t, s, n) in enumerate(TURNS)]
    usage = ingest(write_jsonl(tmp_path / "langfuse.jsonl", obs))
    assert usage.format == "langfuse"
    check_three(usage, "gpt-5.4-mini")


def test_litellm_session_id_column_and_metadata(tmp_path):
    path = tmp_path / "spend.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["request_id", "startTime", "model", "spend", "prompt_tokens",
                    "completion_tokens", "session_id", "metadata"])
        for i, (t, s, n) in enumerate(TURNS):
            w.writerow([f"r{i}", f"2026-01-05 10:{t // 60:02d}:{t % 60:02d}", "gpt-5.4-mini",
                        0.001, n, 10, s, "{}"])
    usage = ingest(path)
    assert usage.format == "litellm"
    check_three(usage, "gpt-5.4-mini")
    # Older proxies: litellm_session_id inside the metadata JSON.
    rows = [{"request_id": f"r{i}", "startTime": T0 + t, "model": "gpt-5.4-mini",
             "spend": 0.001, "prompt_tokens": n, "completion_tokens": 10,
             "metadata": {"litellm_session_id": s}} for i, (t, s, n) in enumerate(TURNS)]
    check_three(ingest(write_jsonl(tmp_path / "spend.jsonl", rows)), "gpt-5.4-mini")


def responses(chain: list[tuple[str, str | None]]) -> list[dict]:
    return [{"id": rid, "object": "response", "created_at": T0 + 10 * i,
             "model": "gpt-5.4-mini", "previous_response_id": prev,
             "usage": {"input_tokens": 1000 + 100 * i, "output_tokens": 10,
                       "input_tokens_details": {"cached_tokens": 0}}}
            for i, (rid, prev) in enumerate(chain)]


def test_previous_response_id_chains_resolve_to_their_first_response(tmp_path):
    chain = [("r1", None), ("r2", "r1"), ("r4", None), ("r3", "r2"), ("r5", "r4"),
             # the first response of this one is not in the logs: its id names it
             ("r6", "resp_gone"), ("r7", "r6"), ("r8", None)]
    usage = ingest(write_jsonl(tmp_path / "responses.jsonl", responses(chain)))
    assert usage.format == "openai-responses"
    assert usage.session_field == "previous_response_id chains"
    c = usage.conversations["gpt-5.4-mini"]
    # {r1, r2, r3}, {r4, r5}, {r6, r7}, {r8}
    assert (c.conversations, c.requests, c.growth_pairs) == (4, 8, 4)


def test_a_long_chain_is_one_conversation(tmp_path):
    chain = [("r0", None)] + [(f"r{i}", f"r{i - 1}") for i in range(1, 300)]
    c = ingest(write_jsonl(tmp_path / "long.jsonl", responses(chain))).conversations
    assert (c["gpt-5.4-mini"].conversations, c["gpt-5.4-mini"].growth_pairs) == (1, 299)
    assert c["gpt-5.4-mini"].history_tokens_per_turn == 100


def test_session_from_any_field(tmp_path):
    recs = [{"id": f"c{i}", "created": T0 + t, "model": "gpt-5.4-mini",
             "usage": {"prompt_tokens": n, "completion_tokens": 10},
             "meta": {"chat.id": s}} for i, (t, s, n) in enumerate(TURNS)]
    path = write_jsonl(tmp_path / "chat.jsonl", recs)
    usage = ingest(path, session="meta.chat\\.id")
    check_three(usage, "gpt-5.4-mini")
    assert usage.session_field == "meta.chat.id"
    assert ingest(path).conversations == {}  # openai-chat has no session field of its own


# -- the replay --------------------------------------------------------------------


def test_replay_closed_forms():
    hashes = [[1, 2, 3, 4], [1, 2, 3, 9]]
    # Three leading blocks shared within the TTL: 3 x 512 cached.
    assert replay([0, 60], [2000, 2000], hashes)[1].tolist() == [1536] * 3
    # 400 s apart: past 5 min, within 1 h and 24 h.
    assert replay([0, 400], [2000, 2000], hashes)[1].tolist() == [0, 1536, 1536]
    # Two blocks shared, 1,024 tokens, but the second prompt is 1,000 tokens: at most
    # its input, then under the 1,024-token minimum: none.
    assert replay([0, 60], [1000, 1000], [[1, 2], [1, 2]])[1].tolist() == [0, 0, 0]
    # Each use refreshes: 0, 200 s and 400 s all hit at 5 min; the whole prompt (the
    # blocks cover 2,048 tokens, the prompt is 2,000).
    r = replay([0, 200, 400], [2000] * 3, [[1, 2, 3, 4]] * 3)
    assert r[:, 0].tolist() == [0, 2000, 2000]
    # A run stops at its first block not alive: block 3 was last used at 0 (entry 2
    # of the second request is new), so the third request reads blocks 1-2 only.
    r = replay([0, 250, 400], [2000] * 3, [[1, 2, 3, 4], [1, 2, 7], [1, 2, 3, 4]])
    assert r[:, 0].tolist() == [0, 1024, 1024]
    assert r[:, 1].tolist() == [0, 1024, 2000]
    # Block size and minimum are parameters.
    assert replay([0, 1], [300, 300], [[5, 6, 7]] * 2, (5,), block_tokens=100,
                  min_tokens=0)[1, 0] == 300


def test_replay_is_fast():
    rng = np.random.default_rng(0)
    roots = rng.integers(0, 300, 4000)
    hashes = [[int(r) * 1000 + j for j in range(100)] for r in roots]
    ts = np.sort(rng.uniform(0, 3600, 4000))
    start = time.perf_counter()
    cached = replay(ts, [51_200] * 4000, hashes)
    assert time.perf_counter() - start < 1.0
    # With one cache for all, every request after its root's first is a full hit at
    # 24 h: 300 roots (at most) miss.
    assert (cached[:, 2] == 0).sum() == len(set(roots.tolist()))


def test_ingest_replay_matches_the_function_and_prices_each_tier(tmp_path):
    recs = []
    for i, (t, hs) in enumerate([(0, [1, 2, 3, 4]), (60, [1, 2, 3, 9]), (1000, [1, 2, 3, 4]),
                                 (5000, [1, 2, 3, 4, 5])]):
        recs.append({"id": f"m{i}", "created_at": T0 + t, "model": "claude-haiku-4-5",
                     "usage": {"input_tokens": 4500 if i < 3 else 5000, "output_tokens": 10},
                     "blocks": hs})
    usage = ingest(write_jsonl(tmp_path / "a.jsonl", recs), prefix_hashes="blocks",
                   block_tokens=1024)
    r = usage.cache_replay.set_index("ttl_minutes")
    inputs = [4500, 4500, 4500, 5000]
    direct = replay([0, 60, 1000, 5000], inputs, [x["blocks"] for x in recs],
                    block_tokens=1024, min_tokens=4096)
    # claude-haiku-4.5's minimum is 4,096 tokens: the 3-block hit (3,072) is under it.
    assert direct.sum(0).tolist() == [0, 4096, 4096 + 4096]
    assert r.cached_tokens.tolist() == direct.sum(0).tolist()
    # Haiku: input $1, cache reads $0.10, output $5 per 1M; writes 1.25x at 5 min,
    # 2x at 1 h; the catalog sells no 24 h tier.
    written_5 = sum(inputs)
    assert r.loc[5.0, "cost"] == pytest.approx((written_5 * 1.25 + 40 * 5) / 1e6)
    written_60 = sum(inputs) - 4096
    assert r.loc[60.0, "cost"] == pytest.approx(
        (written_60 * 2.0 + 4096 * 0.1 + 40 * 5) / 1e6)
    assert np.isnan(r.loc[1440.0, "cost"])


# -- Mooncake ------------------------------------------------------------------------


def test_conversation_rule_on_a_tiny_trace():
    rows = [{"timestamp": 0, "input_length": 1300, "output_length": 1, "hash_ids": [1, 2, 3]},
            # holds request 0's last whole block (2) at its place: its next turn
            {"timestamp": 10, "input_length": 2000, "output_length": 1, "hash_ids": [1, 2, 7, 8]},
            # shares block 1 only: a prompt common to conversations, a new one
            {"timestamp": 20, "input_length": 900, "output_length": 1, "hash_ids": [1, 9]},
            # same prompt as request 1 again: it continues that conversation
            {"timestamp": 30, "input_length": 2000, "output_length": 1, "hash_ids": [1, 2, 7, 8]},
            # under one whole block: nothing of request 2 is re-sent as is
            {"timestamp": 40, "input_length": 100, "output_length": 1, "hash_ids": [11]},
            {"timestamp": 50, "input_length": 700, "output_length": 1, "hash_ids": [12, 13]}]
    assert conversation_ids(rows) == [0, 0, 1, 0, 2, 3]


@pytest.fixture(scope="module")
def mooncake(tmp_path_factory):
    rows = read_trace(TRACE)
    path = write_jsonl(tmp_path_factory.mktemp("mooncake") / "mooncake.jsonl",
                       mooncake_records(rows))
    usage = ingest(path, task="metadata.task", session="metadata.conversation_id",
                   prefix_hashes="metadata.hash_ids")
    return rows, usage


def test_mooncake_logs_hold_the_trace(mooncake):
    rows, usage = mooncake
    assert usage.format == "openai-chat" and usage.ingested == len(rows) == 3993
    inputs = np.array([r["input_length"] for r in rows], dtype=float)
    cached = replay([r["timestamp"] / 1000 for r in rows], inputs,
                    [r["hash_ids"] for r in rows])
    t = usage.spend().iloc[0]
    assert t.input_tokens == inputs.sum() and t.cached_tokens == cached[:, 0].sum()
    r = usage.cache_replay.set_index("ttl_minutes")
    assert r.cached_tokens.tolist() == cached.sum(0).tolist()
    shares = (cached.sum(0) / inputs.sum()).round(3).tolist()
    assert shares == [0.595, 0.651, 0.651]  # 17 minutes of trace: 1 h = 24 h
    assert r.loc[5.0, "cost"] == pytest.approx(t.cost)  # the logs' cached tokens are 5 min


def test_mooncake_conversations_match_the_trace(mooncake):
    rows, usage = mooncake
    c = usage.conversations["chat"]
    conv = conversation_ids(rows)
    ts = np.array([r["timestamp"] for r in rows]) / 1000
    inputs = [r["input_length"] for r in rows]
    t0, t1 = ts.min(), ts.max()
    h = min(HORIZON_S, HORIZON_SHARE * (t1 - t0))
    turns: dict[int, list[int]] = {}
    for i, k in enumerate(conv):
        turns.setdefault(k, []).append(i)
    assert c.conversations == len(turns) == 2538
    growth = [inputs[b] - inputs[a] for idx in turns.values() for a, b in zip(idx, idx[1:])]
    assert c.growth_pairs == len(growth) == 3993 - 2538
    assert c.history_tokens_per_turn == pytest.approx(np.mean(growth))
    gaps = [ts[b] - ts[a] for idx in turns.values() for a, b in zip(idx, idx[1:])
            if ts[a] <= t1 - h]
    within = np.array([g for g in gaps if g <= h])
    assert c.gaps == len(gaps)
    assert c.gap_p50_minutes == pytest.approx(np.quantile(within, 0.5) / 60, abs=1e-6)
    assert c.gap_cdf[-1][1] == pytest.approx(len(within) / len(gaps), abs=1e-6)
    q = np.quantile(within, GAP_PROBS) / 60
    assert [x for x, _ in c.gap_cdf] == pytest.approx(q, rel=1e-3)
    # Turns: Kaplan-Meier over conversations begun H after the start, from the
    # turns at least H before the end.
    n, d = {}, {}
    for idx in turns.values():
        if ts[idx[0]] < t0 + h:
            continue
        for k, i in enumerate(idx, start=1):
            if ts[i] <= t1 - h:
                n[k] = n.get(k, 0) + 1
                d[k] = d.get(k, 0) + (k == len(idx))
    survive, cdf = 1.0, {}
    for k in sorted(n):
        survive *= 1 - d[k] / n[k]
        cdf[k] = 1 - survive
    for k, share in c.turns_cdf[:-1]:
        assert share == pytest.approx(cdf[k], abs=1e-4)
    assert c.turns_cdf[0] == [1, round(cdf[1], 4)]
    # No prompt is common to conversations' first turns (each begins its own tree).
    assert c.prefix_tokens == 0 and c.prefix_source == "hashes"


# -- determinism and what the YAML says -------------------------------------------------


def support_logs(n: int = 400, days: int = 3, seed: int = 1) -> list[dict]:
    """Conversations: a 1,536-token system prompt, +900 tokens a turn, turns
    geometric (mean 3), gaps lognormal (median 2 min); a 5-minute cache gives the
    cached tokens a provider logs."""
    rng = np.random.default_rng(seed)
    turns = []
    for c in range(n):
        t = T0 + rng.uniform(0, days * 86400)
        for k in range(1, rng.geometric(1 / 3) + 1):
            if k > 1:
                t += rng.lognormal(np.log(120), 1.0)
            turns.append((t, c, k, 1536 + (k - 1) * 900 + int(rng.integers(200, 600))))
    turns.sort()
    last: dict[int, float] = {}
    prefix_at = -1e18
    out = []
    for i, (t, c, k, prompt) in enumerate(turns):
        cached = 1536 if t - prefix_at <= 300 else 0
        if k > 1 and t - last[c] <= 300:
            cached = 1536 + (k - 2) * 900
        last[c], prefix_at = t, t
        out.append({"id": f"chatcmpl-{i}", "created": round(t, 3), "model": "gpt-5.4-mini",
                    "usage": {"prompt_tokens": prompt, "completion_tokens": 100,
                              "prompt_tokens_details": {"cached_tokens": cached}},
                    "metadata": {"task": "support", "session_id": f"s{c}"}})
    return out


def test_the_same_logs_give_byte_identical_yaml(tmp_path):
    path = write_jsonl(tmp_path / "support.jsonl", support_logs())
    texts = []
    for _ in range(2):
        for session in (None, "metadata.session_id"):
            usage = ingest(path, task="metadata.task", session=session)
            texts.append(usage.fit(bootstrap=2).fit_report.yaml)
    assert texts[0] == texts[2] and texts[1] == texts[3]
    assert "prefix_tokens" in texts[0] and "conversation:" in texts[1]


def test_the_fitted_conversation_block(tmp_path):
    from breakeven.logs.fitted_scenario import engine_reads_conversations

    path = write_jsonl(tmp_path / "support.jsonl", support_logs(n=800))
    usage = ingest(path, task="metadata.task", session="metadata.session_id")
    scenario = usage.fit(bootstrap=0)
    c = usage.conversations["support"]
    assert c.mean_turns == pytest.approx(3.0, rel=0.15)
    assert c.history_tokens_per_turn == pytest.approx(900, abs=40)
    assert c.gap_p50_minutes == pytest.approx(2.0, rel=0.15)
    # The shared prefix from the first turns' cached tokens: the system prompt.
    assert c.prefix_source == "cached tokens" and c.prefix_tokens == 1536
    yaml_text = scenario.fit_report.yaml
    assert ("median of cached tokens of the first turns that read the cache: 1,536 "
            in yaml_text)
    # Calibrated to the logs: the fitted scenario reads from cache what they did.
    fit = scenario.fit_report.cache_fits["support"]
    assert fit.ttl_minutes == 5 and abs(fit.fitted_share - fit.logged_share) <= 0.02
    if engine_reads_conversations():
        import yaml

        wl = yaml.safe_load(yaml_text)["workloads"][0]
        assert wl["conversation"].pop("tokens_per_read") > 0
        assert wl["conversation"] == c.block()
        assert c.block()["turns"]["cdf"][-1][1] == 1.0
        assert "\n    conversation:  # 800 conversations" in yaml_text
    else:
        assert "\n    # conversation:  # 800 conversations" in yaml_text


def test_what_caching_evidence_the_yaml_states(tmp_path):
    path = write_jsonl(tmp_path / "support.jsonl", support_logs())
    text = ingest(path, task="metadata.task").fit(bootstrap=0).fit_report.yaml
    assert "logs cannot tell how the TTL changes the hit rate" in text
    plain = [{"when": r["created"], "in": r["usage"]["prompt_tokens"], "out": 100}
             for r in support_logs()]
    path = write_jsonl(tmp_path / "plain.jsonl", plain)
    usage = ingest(path, mapping={"timestamp": "when", "input_tokens": "in",
                                  "output_tokens": "out"})
    text = usage.fit(bootstrap=0).fit_report.yaml
    assert "caching cannot be estimated" in text


# -- hostile hash fields ---------------------------------------------------------------


@pytest.mark.parametrize("value, words", [
    ("abc", ["must be a list of block hashes"]),
    ({"a": 1}, ["must be a list of block hashes"]),
    ([1, 2.5, 3], ["hashes must be integers"]),
    ([1, "2", 3], ["hashes must be integers"]),
    ([1, 2**70], ["hashes must be integers"]),
    (list(range(MAX_BLOCKS_PER_REQUEST + 1)), ["100,001 blocks, more than 100,000",
                                                "MAX_BLOCKS_PER_REQUEST"]),
])
def test_a_bad_hash_field_is_one_line_naming_file_line_and_field(tmp_path, capsys, value,
                                                                  words):
    recs = [{"id": f"c{i}", "created": T0 + 60 * i, "model": "gpt-5.4-mini",
             "usage": {"prompt_tokens": 2000, "completion_tokens": 10},
             "h": [1, 2, 3]} for i in range(5)]
    recs[3]["h"] = value
    path = write_jsonl(tmp_path / "app.jsonl", recs)
    assert main(["ingest", str(path), "--prefix-hashes", "h"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {path}:4: --prefix-hashes h: "), err
    for w in words:
        assert w in err[0]


def test_block_tokens_is_bounded(tmp_path, capsys):
    path = write_jsonl(tmp_path / "app.jsonl", [{"created": T0, "usage": {
        "prompt_tokens": 1, "completion_tokens": 1}}])
    assert main(["ingest", str(path), "--block-tokens", "0"]) == 2
    assert "--block-tokens: must be a whole number from 1" in capsys.readouterr().err


def test_the_json_with_replay_and_conversations_validates(mooncake):
    import jsonschema
    from breakeven import schemas
    from breakeven.logs.spend import spend_summary

    doc = json.loads(json.dumps(spend_summary(mooncake[1])))
    errors = [e.message for e in jsonschema.Draft7Validator(
        schemas.schema("ingest")).iter_errors(doc)]
    assert errors == []
    assert [r["ttl_minutes"] for r in doc["cache_replay"]] == [5, 60, 1440]
    assert doc["conversations"][0]["conversations"] == 2538


def test_exact_quantiles_are_numpy_s():
    import duckdb
    import pandas as pd
    from breakeven.logs.quantiles import quantiles

    rng = np.random.default_rng(3)
    x = np.r_[rng.integers(0, 5000, 3001), np.full(500, 77)].astype(float)
    g = rng.choice(["a", "b"], len(x))
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"g": g, "x": x}))
    probs = (0.0, 0.05, 0.5, 0.95, 0.999, 1.0)
    got = quantiles(con, "select * from t", "x", probs, group="g")
    for name in ("a", "b"):
        assert got[name] == np.quantile(x[g == name], probs).tolist()
