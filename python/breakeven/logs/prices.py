"""Logged model names matched to the catalog, and the catalog price of a record."""

from __future__ import annotations

import re

from .. import _core
from ..catalog import CatalogFile, catalog_json

_DATE = re.compile(r"[-@](\d{4}-\d{2}-\d{2}|\d{8}|latest)$")

COST_MISMATCH = 0.05  # a logged cost this far from the list price is flagged


def catalog_prices(catalog: CatalogFile | None = None) -> dict[str, dict]:
    """The engine's resolved catalog: name -> prices per 1M tokens and defaults, of
    the catalog file ``catalog`` (``ingest --catalog``), else of the bundled one."""
    return _core.catalog_models(catalog.text if catalog else catalog_json())


def catalog_name(logged: str, names: set[str] | None = None) -> str | None:
    """The catalog model a logged name means: ``openai/gpt-5.5`` and
    ``claude-haiku-4-5-20251001`` match ``gpt-5.5`` and ``claude-haiku-4.5``."""
    names = names if names is not None else set(catalog_prices())
    name = logged.strip().lower().rsplit("/", 1)[-1]
    candidates = [name, _DATE.sub("", name)]
    for c in list(candidates):
        # vendors write versions with dots or dashes: 4-5 vs 4.5
        candidates.append(re.sub(r"(\d)-(\d)(?!\d)", r"\1.\2", c))
    for c in candidates:
        if c in names:
            return c
    return None


def token_prices(p: dict) -> tuple[float, float, float, float]:
    """USD per 1M tokens of uncached input, cache reads, cache writes and output
    under catalog model prices `p`; a model without a cached price bills cache
    reads as input."""
    cached = p["cached_input"] if p["cached_input"] > 0 else p["input"]
    return p["input"], cached, p["input"] * p["cache_write_multiplier"], p["output"]


def list_cost(p: dict, input_tokens, cached, cache_write, output):
    """List-price cost (USD) of tokens under prices `p`: numbers or numpy arrays;
    input_tokens count cache reads and writes too."""
    uncached, read, write, out = token_prices(p)
    return ((input_tokens - cached - cache_write) * uncached + cached * read
            + cache_write * write + output * out) / 1e6


def price_table(matched: dict[str, str | None], prices: dict[str, dict]):
    """One row per logged model that a catalog model prices: ``model`` and the USD
    per 1M tokens of each kind, as a DataFrame for SQL to join on."""
    import pandas as pd

    rows = [(m, *token_prices(prices[c])) for m, c in matched.items() if c]
    columns = ["model", *_PRICE_COLUMNS]
    return pd.DataFrame(rows, columns=columns).astype(
        {"model": str, **{c: float for c in _PRICE_COLUMNS}})


_PRICE_COLUMNS = ("price_uncached", "price_read", "price_write", "price_output")


def record_cost_sql() -> str:
    """The same cost as :func:`list_cost`, as SQL over a record's columns joined
    with the prices of :func:`price_table` (null for a model it lacks)."""
    return ("((input - cached - cache_write) * price_uncached + cached * price_read"
            " + cache_write * price_write + output * price_output) / 1e6")


def cache_tiers(p: dict) -> dict[float, float]:
    """The prompt-cache TTL tiers a catalog model (resolved prices ``p``, of
    whichever catalog priced the logs) sells: ``{ttl minutes: write multiplier}``,
    its default tier first (``cache_ttl_minutes`` and ``cache_write_multiplier``),
    then those of its ``cache_ttl_tiers``."""
    tiers = {float(p["cache_ttl_minutes"]): float(p["cache_write_multiplier"])}
    for t in p["cache_ttl_tiers"]:
        tiers.setdefault(float(t["ttl_minutes"]), float(t["write_multiplier"]))
    return tiers
