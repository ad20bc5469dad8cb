"""Turn Mooncake's FAST'25 synthetic trace into OpenAI chat-completion logs.

``breakeven ingest`` reads them (breakeven/logs/mooncake.py has the rules)::

    python tools/mooncake_logs.py TRACE -o mooncake.jsonl
    breakeven ingest mooncake.jsonl --task metadata.task \
        --session metadata.conversation_id --prefix-hashes metadata.hash_ids

where TRACE is ../shared/data/mooncake-fast25-synthetic/synthetic_trace.jsonl.
"""

from __future__ import annotations

import argparse

from breakeven.logs.mooncake import MODEL, TASK, write_mooncake_logs


def main() -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("trace", help="synthetic_trace.jsonl (timestamp, input_length, "
                   "output_length, hash_ids)")
    p.add_argument("-o", "--output", required=True, help="the JSONL logs to write")
    p.add_argument("--model", default=MODEL)
    p.add_argument("--task", default=TASK)
    p.add_argument("--ttl-minutes", type=float, default=5.0,
                   help="the cache TTL of the logged cached tokens (default 5)")
    p.add_argument("--min-tokens", type=float, default=1024,
                   help="the provider's minimum cacheable prompt (default 1024)")
    args = p.parse_args()
    n = write_mooncake_logs(args.trace, args.output, model=args.model, task=args.task,
                            ttl_minutes=args.ttl_minutes, min_tokens=args.min_tokens)
    print(f"{n:,} records written to {args.output}")


if __name__ == "__main__":
    main()
