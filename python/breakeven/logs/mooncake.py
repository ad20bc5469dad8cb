"""Mooncake's FAST'25 synthetic trace as OpenAI chat-completion logs (for tests,
demos and ``tools/mooncake_logs.py``): each request with its time, tokens, the
cached tokens a 5-minute prefix cache gives it (cache_replay.py), a conversation
id found from the block hashes, and the hashes themselves.

**Conversations from hashes.** A hash stands for its whole prefix. A later turn of
a conversation re-sends the turn before it: all of that turn's whole blocks (its
last block, partly filled, changes as the turn grows), then its own. So request B
continues request A when B holds A's last whole block at the same place; of the
earlier requests B can continue, the one with the deepest such block (the latest
among equals). A request that continues none starts a conversation, even when it
shares leading blocks with earlier ones: a prefix shared without holding a whole
earlier prompt is a prompt common to conversations (a system prompt, a document),
not history. A request of under one whole block cannot be continued (no block of
it is re-sent as is).

In this trace (3,993 requests over 17 minutes) that gives 2,538 conversations:
2,229 of one turn, turns up to 24; most later turns re-send a long document with
a new last block, so prompts hardly grow between turns.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .cache_replay import DEFAULT_BLOCK_TOKENS, replay

T0 = 1767607200  # 2026-01-05 10:00 UTC: hour 0 of the logs
MODEL = "gpt-5.4-mini"
TASK = "chat"


def read_trace(path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def conversation_ids(rows: list[dict], block_tokens: int = DEFAULT_BLOCK_TOKENS,
                     shared: bool = False) -> list[int]:
    """Each request's conversation (0, 1, ... in order of first turns), by the rule
    in this module's doc; ``rows`` in time order. With ``shared``, a request that
    shares any leading block with an earlier one joins the conversation of the one
    it shares the most with (the latest among equals): reuse of a common document
    counts as turns, with its own gaps, instead of as a prefix shared by all."""
    last: dict[int, int] = {}  # a hash -> the latest request whose last whole block it is
    conv: list[int] = []
    n = 0
    for j, r in enumerate(rows):
        h = r["hash_ids"]
        c = None
        for pos in range(len(h) - 1, -1, -1):
            if h[pos] in last:
                c = conv[last[h[pos]]]
                break
        if c is None:
            c, n = n, n + 1
        conv.append(c)
        whole = min(int(r["input_length"]) // block_tokens, len(h))
        for pos in range(0 if shared else max(whole - 1, 0), whole):
            last[h[pos]] = j
    return conv


def mooncake_records(rows: list[dict], ttl_minutes: float = 5.0, min_tokens: float = 1024,
                     block_tokens: int = DEFAULT_BLOCK_TOKENS, model: str = MODEL,
                     task: str = TASK, start: float = T0, shared: bool = False) -> list[dict]:
    """The trace's requests as OpenAI chat-completion records (``shared``: see
    :func:`conversation_ids`)."""
    ts = np.array([r["timestamp"] for r in rows], dtype=float) / 1000.0
    inputs = [int(r["input_length"]) for r in rows]
    cached = replay(ts, inputs, [r["hash_ids"] for r in rows], (ttl_minutes,),
                    block_tokens, min_tokens)[:, 0]
    conv = conversation_ids(rows, block_tokens, shared)
    out = []
    for i, r in enumerate(rows):
        out.append({
            "id": f"chatcmpl-mooncake-{i}",
            "object": "chat.completion",
            "created": round(start + ts[i], 3),
            "model": model,
            "usage": {"prompt_tokens": inputs[i], "completion_tokens": int(r["output_length"]),
                      "total_tokens": inputs[i] + int(r["output_length"]),
                      "prompt_tokens_details": {"cached_tokens": int(cached[i])}},
            "metadata": {"task": task, "conversation_id": f"conv-{conv[i]}",
                         "hash_ids": r["hash_ids"]},
        })
    return out


def write_mooncake_logs(trace, output, **options) -> int:
    """Write the trace at ``trace`` as JSONL at ``output``; the number of records."""
    records = mooncake_records(read_trace(trace), **options)
    Path(output).write_text("".join(json.dumps(r, separators=(",", ":")) + "\n"
                                    for r in records), encoding="utf-8")
    return len(records)
