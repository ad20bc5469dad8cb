"""Logged model names matched to the catalog, and the catalog price of a record."""

from __future__ import annotations

import re

from .. import _core
from ..catalog import catalog_json

_DATE = re.compile(r"[-@](\d{4}-\d{2}-\d{2}|\d{8}|latest)$")


def catalog_prices() -> dict[str, dict]:
    """The engine's resolved catalog: name -> prices per 1M tokens and defaults."""
    return _core.catalog_models(catalog_json())


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


def record_cost_sql(p: dict) -> str:
    """SQL for one record's list-price cost (USD) under catalog model prices `p`:
    uncached input, cache reads and cache writes each at their price."""
    return (
        f"((input - cached - cache_write) * {p['input']} + cached * {p['cached_input']}"
        f" + cache_write * {p['input'] * p['cache_write_multiplier']}"
        f" + output * {p['output']}) / 1e6"
    )
