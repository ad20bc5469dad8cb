"""LiteLLM's price table (``model_prices_and_context_window.json``) read into the
catalog format: prices per token become prices per 1M tokens, cache prices become
the engine's multipliers, and whatever the catalog cannot hold is counted and
reported, never guessed (docs/model.md, "Catalog sync").

What is mapped, per text model (``mode`` chat, responses or completion):

- ``input_cost_per_token``, ``output_cost_per_token`` -> ``input``, ``output``
  (x 1e6); a model lacking either is skipped;
- ``cache_read_input_token_cost`` -> ``cached_input``;
- ``cache_creation_input_token_cost`` -> ``cache_write_multiplier`` (over input);
- ``cache_creation_input_token_cost_above_1hr`` -> a 60-minute tier of
  ``cache_ttl_tiers`` (its write multiplier over input);
- ``input_cost_per_token_batches`` / ``output_cost_per_token_batches`` ->
  ``batch_discount`` (one for both; where their discounts differ the smaller is
  kept and the difference reported);
- ``prompt_cache_min_tokens`` -> ``cache_min_tokens``;
- ``max_input_tokens`` -> ``max_input_tokens``;
- ``litellm_provider`` -> ``provider``; ``source`` -> the entry's ``source``.

The ``*_above_NNNk_tokens`` long-context prices are written into the entry's
``notes`` and counted as not mapped: the catalog format has no field that prices
them. Every other field is counted by name in the summary.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import _core
from .catalog import catalog
from .errors import ScenarioError
from .files import UnreadableFile, read_text

# The real file is about 1.6 MB (2026); a file far larger is not a price table.
MAX_LITELLM_BYTES = 64 * 1024 * 1024
PER_MILLION = 1e6
TEXT_MODES = ("chat", "responses", "completion")  # LiteLLM's modes that bill tokens
LONG_CONTEXT = re.compile(r"^(?P<price>.+)_above_(?P<k>\d+)k_tokens$")
ONE_HOUR_WRITE = "cache_creation_input_token_cost_above_1hr"
ONE_HOUR_TTL_MINUTES = 60
# Fields read into the catalog entry (mode only selects text models).
MAPPED = (
    "input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
    "cache_creation_input_token_cost", ONE_HOUR_WRITE, "input_cost_per_token_batches",
    "output_cost_per_token_batches", "prompt_cache_min_tokens", "max_input_tokens",
    "litellm_provider", "source", "mode",
)
# A mapped field an imported model lacks, reported by what the catalog then uses.
ABSENT_MEANS = {
    "cache_read_input_token_cost": "no cached price (cache reads billed as input)",
    "cache_creation_input_token_cost": "the engine's default write multiplier (1)",
    "input_cost_per_token_batches": "no batch discount",
    "prompt_cache_min_tokens": "the engine's default minimum cacheable prompt",
    "max_input_tokens": "no context window listed",
    "litellm_provider": "no provider",
}


@dataclass
class LiteLLMImport:
    """A catalog (``catalog``, the engine's format) and what the import left out:
    ``skipped`` (reason -> LiteLLM entries), ``left_out`` (field -> imported
    models carrying it), ``absent`` (mapped field -> imported models lacking it),
    ``long_context`` (models whose long-context prices went into notes only) and
    ``remarks`` (per-model lines, e.g. batch discounts that differ)."""

    source: str
    catalog: dict
    skipped: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)
    absent: Counter = field(default_factory=Counter)
    long_context: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    @property
    def models(self) -> dict:
        return self.catalog["models"]

    def summary(self) -> dict:
        """What was mapped and what was not, as plain data (``--json``)."""
        return {
            "source": self.source,
            "imported": len(self.models),
            "skipped": dict(sorted(self.skipped.items())),
            "absent": {f: {"models": n, "means": ABSENT_MEANS[f]}
                       for f, n in sorted(self.absent.items())},
            "not_mapped": dict(self.left_out.most_common()),
            "long_context_in_notes_only": self.long_context,
            "remarks": self.remarks,
        }

    def lines(self) -> list[str]:
        """The summary for the terminal."""
        out = [f"{len(self.models):,} models imported from {self.source}"]
        for reason, n in sorted(self.skipped.items()):
            out.append(f"  skipped {n:,}: {reason}")
        for f, n in sorted(self.absent.items()):
            out.append(f"  {n:,} lack {f}: {ABSENT_MEANS[f]}")
        if self.long_context:
            out.append(f"  {len(self.long_context):,} have long-context prices "
                       "(*_above_NNNk_tokens): kept in notes, not priced by the catalog")
        prices = [(f, n) for f, n in self.left_out.most_common() if _is_price(f)]
        others = sorted(f for f in self.left_out if not _is_price(f))
        if prices:
            out.append("  prices not mapped (models carrying them):")
            out += [f"    {f}: {n:,}" for f, n in prices]
        if others:
            out.append(f"  {len(others)} other fields not mapped (capabilities, limits, "
                       f"endpoints; --json lists them): {', '.join(others[:6])}"
                       + (", ..." if len(others) > 6 else ""))
        out += [f"  {r}" for r in self.remarks]
        return out


def _is_price(key: str) -> bool:
    """A LiteLLM field that prices something (costs, uplifts, long-context tiers)."""
    return any(word in key for word in ("cost", "price", "uplift", "_above_"))


def read_litellm(path: str | Path) -> dict:
    """The parsed file: a mapping of model name -> entry, within MAX_LITELLM_BYTES."""
    source = str(path)
    try:
        text = read_text(path, MAX_LITELLM_BYTES, "LiteLLM price files")
    except UnreadableFile as e:
        raise ScenarioError(source, None, "", e.reason) from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise ScenarioError(source, e.lineno, "", f"not JSON: {e.msg}") from None
    except ValueError as e:
        raise ScenarioError(source, None, "", f"not JSON: {e}") from None
    if not isinstance(data, dict):
        raise ScenarioError(source, 1, "", "must be a JSON object of model name -> "
                            f"prices (got {type(data).__name__})")
    return data


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def import_litellm(path: str | Path, as_of: str, providers: list[str] | None = None
                   ) -> LiteLLMImport:
    """The catalog LiteLLM's file ``path`` gives: its text models (of
    ``providers`` only, if given), each dated ``as_of``; GPU offers and the price
    trend are the bundled catalog's (LiteLLM has none). The catalog is validated by
    the engine as the bundled one is."""
    source = str(path)
    data = read_litellm(path)
    bundled = catalog()
    out = LiteLLMImport(source, {
        "version": 1, "currency": "USD", "unit": "per 1M tokens", "models": {},
        "price_trend_assumption": bundled["price_trend_assumption"],
        "gpu_offers": bundled["gpu_offers"]})
    wanted = set(providers or ())
    for name, entry in data.items():
        reason = _skip_reason(entry, wanted)
        if reason:
            out.skipped[reason] += 1
            continue
        out.models[name] = _model(name, entry, source, as_of, out)
    limit = _core.LIMITS["max_models"]
    if len(out.models) > limit:
        raise ScenarioError(source, None, "", f"{len(out.models):,} text models; a catalog "
                            f"holds at most {limit:,}: choose some with --provider")
    if not out.models:
        raise ScenarioError(source, None, "", "no text model with input and output prices "
                            f"(skipped: {dict(out.skipped)})")
    try:
        _core.catalog_models(json.dumps(out.catalog))
    except _core.ScenarioError as e:
        where, reason = e.args
        raise ScenarioError(source, None, where.removeprefix("catalog."), reason) from None
    return out


def _skip_reason(entry, wanted: set[str]) -> str | None:
    if not isinstance(entry, dict):
        return "not a mapping of fields"
    mode = entry.get("mode")
    if mode not in TEXT_MODES:
        return (f"mode not {', '.join(TEXT_MODES)} (embeddings, images, audio, "
                "LiteLLM's sample_spec, or no mode)")
    if wanted and entry.get("litellm_provider") not in wanted:
        return "provider not chosen (--provider)"
    if "input_cost_per_token" not in entry or "output_cost_per_token" not in entry:
        return "no input_cost_per_token or output_cost_per_token"
    return None


def _number(entry: dict, key: str, name: str, source: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value < 0:
        raise ScenarioError(source, None, f"{name}.{key}", "must be a number >= 0 "
                            f"(got {json.dumps(value)[:60]})")
    return float(value)


def _text(entry: dict, key: str, name: str, source: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise ScenarioError(source, None, f"{name}.{key}",
                            f"must be text (got {json.dumps(value)[:60]})")
    return value


def per_million(per_token: float) -> float:
    """USD per token -> USD per 1M tokens, to 12 significant digits (3e-06 * 1e6
    is 2.9999999999999996 in binary)."""
    return _round(per_token * PER_MILLION)


def _round(x: float) -> float:
    return float(f"{x:.12g}")


def _model(name: str, entry: dict, source: str, as_of: str, out: LiteLLMImport) -> dict:
    def num(key):
        return _number(entry, key, name, source)

    inp, outp = num("input_cost_per_token"), num("output_cost_per_token")
    m: dict = {}
    provider = _text(entry, "litellm_provider", name, source)
    if provider:
        m["provider"] = provider
    m["input"], m["output"] = per_million(inp), per_million(outp)
    cached = num("cache_read_input_token_cost")
    if cached is not None:
        m["cached_input"] = per_million(cached)
    write, write_hour = num("cache_creation_input_token_cost"), num(ONE_HOUR_WRITE)
    for key, price in (("cache_creation_input_token_cost", write), (ONE_HOUR_WRITE, write_hour)):
        if price is not None and inp == 0:
            out.remarks.append(f"{name}: {key} not mapped (input price 0: no multiplier)")
    if write is not None and inp > 0:
        m["cache_write_multiplier"] = _round(write / inp)
    if write_hour is not None and inp > 0:
        m["cache_ttl_tiers"] = [{"ttl_minutes": ONE_HOUR_TTL_MINUTES,
                                 "write_multiplier": _round(write_hour / inp)}]
    discount = _batch_discount(name, inp, outp, num("input_cost_per_token_batches"),
                               num("output_cost_per_token_batches"), out)
    if discount is not None:
        m["batch_discount"] = discount
    min_tokens = num("prompt_cache_min_tokens")
    if min_tokens is not None:
        m["cache_min_tokens"] = min_tokens
    window = num("max_input_tokens")
    if window is not None:
        m["max_input_tokens"] = window
    origin = _text(entry, "source", name, source)
    m["source"] = (f"LiteLLM model_prices_and_context_window.json ({Path(source).name})"
                   + (f"; LiteLLM's source: {origin}" if origin else ""))
    m["as_of"] = as_of
    long_context = _long_context(entry, name, source)
    if long_context:
        m["notes"] = long_context
        out.long_context.append(name)
    for key in entry:
        if key not in MAPPED:
            out.left_out[key] += 1
    for key in ABSENT_MEANS:
        if entry.get(key) is None:
            out.absent[key] += 1
    return m


def _batch_discount(name, inp, outp, batch_in, batch_out, out) -> float | None:
    """1 - batch price / list price; one discount for input and output, the
    smaller where the two differ (never understating a batch's cost)."""
    off = {}
    for side, price, batch in (("input", inp, batch_in), ("output", outp, batch_out)):
        if batch is not None and price > 0:
            off[side] = _round(1 - batch / price)
    if not off:
        return None
    if len(off) == 1:
        side = next(iter(off))
        out.remarks.append(f"{name}: batch price for {side} only ({off[side]:.0%} off), "
                           "used for both")
    elif not math.isclose(off["input"], off["output"], abs_tol=1e-9):
        out.remarks.append(f"{name}: batch discounts differ (input {off['input']:.1%}, "
                           f"output {off['output']:.1%}): the smaller used for both")
    if min(off.values()) < 0:
        out.remarks.append(f"{name}: batch price above the list price: no batch discount")
        return None
    return min(off.values())


def _long_context(entry: dict, name: str, source: str) -> str:
    """The entry's ``*_above_NNNk_tokens`` prices per 1M tokens, as a note."""
    tiers: dict[int, list[str]] = {}
    for key in sorted(entry):
        match = LONG_CONTEXT.match(key)
        if match:
            price = _number(entry, key, name, source)
            if price is not None:
                tiers.setdefault(int(match["k"]), []).append(
                    f"{match['price']} {per_million(price):g}")
    return "; ".join(f"long-context prices above {k}k input tokens, per 1M tokens "
                     f"(not priced by the catalog): {', '.join(v)}"
                     for k, v in sorted(tiers.items()))
