"""The log formats breakeven reads, as their tools write them, and how each is
recognised. A format maps the canonical fields to dotted paths in a record; the
first path present wins.

Canonical fields: ``timestamp``, ``model``, ``provider`` (where the tool names
it), ``input_tokens`` (as the format counts them), ``cached_tokens`` (prompt-cache
reads), ``cache_write_tokens``, ``output_tokens``, ``reasoning_tokens`` (output
tokens spent on reasoning: part of ``output_tokens`` in every format here, so
priced as output and only shown apart), ``cost`` (USD, when the tool logs it),
``request_id``,
``session`` (a conversation or session id, where the tool keeps one) and
``previous_response_id`` (OpenAI Responses: the response this one continues; chains
of them are resolved to their first response, the conversation's id).
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIELDS = (
    "timestamp",
    "model",
    "provider",
    "input_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost",
    "request_id",
    "session",
    "previous_response_id",
)
REQUIRED = ("timestamp", "input_tokens", "output_tokens")


@dataclass(frozen=True)
class LogFormat:
    name: str
    description: str
    paths: dict[str, tuple[str, ...]]
    # Whether input_tokens counts cache reads and writes within it: OpenAI's
    # prompt/input tokens and OpenTelemetry's gen_ai.usage.input_tokens do (the
    # GenAI conventions: cache_read and cache_creation "SHOULD be included in
    # gen_ai.usage.input_tokens"); Anthropic's raw usage, Langfuse and the
    # Anthropic-shaped exports count them apart. records._total_input applies it.
    input_includes_cached: bool = True
    # Keys whose presence identifies the format (all must be present, dotted).
    signature: tuple[str, ...] = ()
    cannot_give: tuple[str, ...] = field(default_factory=tuple)


_TIMESTAMPS = ("timestamp", "created_at", "time", "ts", "start_time", "startTime")

FORMATS: dict[str, LogFormat] = {
    f.name: f
    for f in (
        LogFormat(
            "openai-chat",
            "OpenAI Chat Completions responses as apps log them",
            {
                "timestamp": ("created", *_TIMESTAMPS),
                "model": ("model",),
                "input_tokens": ("usage.prompt_tokens",),
                "cached_tokens": ("usage.prompt_tokens_details.cached_tokens",),
                "cache_write_tokens": (),
                "output_tokens": ("usage.completion_tokens",),
                "reasoning_tokens": ("usage.completion_tokens_details.reasoning_tokens",),
                "cost": ("cost", "cost_usd"),
                "request_id": ("id",),
            },
            signature=("usage.prompt_tokens", "usage.completion_tokens"),
        ),
        LogFormat(
            "openai-responses",
            "OpenAI Responses API responses as apps log them",
            {
                "timestamp": ("created_at", "created", *_TIMESTAMPS),
                "model": ("model",),
                "input_tokens": ("usage.input_tokens",),
                "cached_tokens": ("usage.input_tokens_details.cached_tokens",),
                "cache_write_tokens": (),
                "output_tokens": ("usage.output_tokens",),
                "reasoning_tokens": ("usage.output_tokens_details.reasoning_tokens",),
                "cost": ("cost", "cost_usd"),
                "request_id": ("id",),
                # The Conversations API's id where the response has one; else the
                # chain of previous_response_id.
                "session": ("conversation.id", "metadata.session_id"),
                "previous_response_id": ("previous_response_id",),
            },
            signature=("usage.input_tokens", "usage.output_tokens", "usage.input_tokens_details"),
        ),
        LogFormat(
            "anthropic",
            "Anthropic Messages responses as apps log them (cache tokens apart)",
            {
                "timestamp": _TIMESTAMPS,
                "model": ("model",),
                "input_tokens": ("usage.input_tokens",),
                "cached_tokens": ("usage.cache_read_input_tokens",),
                "cache_write_tokens": ("usage.cache_creation_input_tokens",),
                "output_tokens": ("usage.output_tokens",),
                "cost": ("cost", "cost_usd"),
                "request_id": ("id",),
            },
            input_includes_cached=False,
            signature=("usage.input_tokens", "usage.output_tokens"),
        ),
        LogFormat(
            "litellm",
            "LiteLLM proxy spend logs (LiteLLM_SpendLogs rows)",
            {
                "timestamp": ("startTime",),
                "model": ("model",),
                "input_tokens": ("prompt_tokens",),
                "cached_tokens": (
                    "metadata.usage_object.prompt_tokens_details.cached_tokens",
                    "metadata.additional_usage_values.prompt_tokens_details.cached_tokens",
                ),
                "cache_write_tokens": (),
                "output_tokens": ("completion_tokens",),
                "reasoning_tokens": (
                    "metadata.usage_object.completion_tokens_details.reasoning_tokens",),
                "cost": ("spend",),
                "request_id": ("request_id",),
                # The SpendLogs column (litellm_session_id of the request), or the
                # request's metadata where older proxies kept it.
                "session": ("session_id", "metadata.litellm_session_id",
                            "metadata.session_id"),
            },
            signature=("startTime", "spend", "prompt_tokens", "completion_tokens"),
        ),
        LogFormat(
            "langfuse",
            "Langfuse observation exports (cached input apart from input)",
            {
                "timestamp": ("startTime",),
                "model": ("model", "providedModelName"),
                "input_tokens": ("usageDetails.input",),
                "cached_tokens": (
                    "usageDetails.input_cached_tokens",
                    "usageDetails.cache_read_input_tokens",
                    "usageDetails.input_cache_read",
                ),
                "cache_write_tokens": (
                    "usageDetails.cache_creation_input_tokens",
                    "usageDetails.input_cache_creation",
                ),
                "output_tokens": ("usageDetails.output",),
                "cost": ("costDetails.total", "calculatedTotalCost"),
                "request_id": ("id",),
                "session": ("sessionId", "session_id"),
            },
            input_includes_cached=False,
            signature=("startTime", "usageDetails"),
        ),
        LogFormat(
            "otel",
            "OpenTelemetry GenAI spans (span.to_json(): attributes as a map)",
            {
                "timestamp": ("start_time", "startTimeUnixNano", "startTime"),
                # Each field: the GenAI conventions' current name first, then the
                # older ones instrumentations still emit (v1.36.0 and before).
                "model": ("attributes.gen_ai\\.request\\.model",
                          "attributes.gen_ai\\.response\\.model"),
                "provider": ("attributes.gen_ai\\.provider\\.name",
                             "attributes.gen_ai\\.system"),
                "input_tokens": ("attributes.gen_ai\\.usage\\.input_tokens",
                                 "attributes.gen_ai\\.usage\\.prompt_tokens"),
                "cached_tokens": ("attributes.gen_ai\\.usage\\.cache_read\\.input_tokens",
                                  "attributes.gen_ai\\.usage\\.cache_read_input_tokens"),
                "cache_write_tokens": (
                    "attributes.gen_ai\\.usage\\.cache_creation\\.input_tokens",
                    "attributes.gen_ai\\.usage\\.cache_creation_input_tokens"),
                "output_tokens": ("attributes.gen_ai\\.usage\\.output_tokens",
                                  "attributes.gen_ai\\.usage\\.completion_tokens"),
                "reasoning_tokens": (
                    "attributes.gen_ai\\.usage\\.reasoning\\.output_tokens",),
                "cost": (),
                "request_id": ("context.span_id", "spanId", "span_id"),
                "session": ("attributes.gen_ai\\.conversation\\.id",
                            "attributes.session\\.id"),
            },
            signature=("attributes",),
        ),
        LogFormat(
            "azure-trace",
            "Azure LLM inference trace (TIMESTAMP, ContextTokens, GeneratedTokens)",
            {
                "timestamp": ("TIMESTAMP",),
                "model": (),
                "input_tokens": ("ContextTokens",),
                "cached_tokens": (),
                "cache_write_tokens": (),
                "output_tokens": ("GeneratedTokens",),
                "cost": (),
                "request_id": (),
            },
            signature=("TIMESTAMP", "ContextTokens", "GeneratedTokens"),
            cannot_give=("model", "cached tokens", "cost"),
        ),
    )
}

# Checked in this order: the most specific signature first.
_DETECTION_ORDER = ("litellm", "langfuse", "azure-trace", "openai-responses",
                    "openai-chat", "anthropic", "otel")


def detect(keys: set[str]) -> LogFormat | None:
    """The format whose signature the record's dotted keys hold, or None."""
    for name in _DETECTION_ORDER:
        f = FORMATS[name]
        if all(k in keys or any(x.startswith(k + ".") for x in keys) for k in f.signature):
            return f
    return None


def custom(mapping: dict[str, str], base: LogFormat | None) -> LogFormat:
    """A format from ``--map FIELD=PATH`` pairs, over a detected one if any."""
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        from ..errors import OptionError

        raise OptionError(
            "map", f"unknown field {unknown[0]!r}; the fields are {', '.join(FIELDS)}"
        )
    paths = dict(base.paths) if base else {f: () for f in FIELDS}
    for k, v in mapping.items():
        paths[k] = (v,)
    return LogFormat(
        (base.name + "+map") if base else "mapped",
        "fields given with --map" + (f" over {base.name}" if base else ""),
        paths,
        input_includes_cached=base.input_includes_cached if base else True,
    )


def dotted_keys(record: dict, prefix: str = "") -> set[str]:
    """Every key path of a JSON record, dots inside keys escaped as ``\\.``."""
    keys = set()
    for k, v in record.items():
        path = prefix + str(k).replace(".", "\\.")
        keys.add(path)
        if isinstance(v, dict):
            keys |= dotted_keys(v, path + ".")
    return keys
