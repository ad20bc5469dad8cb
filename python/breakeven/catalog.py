"""The bundled pricing catalog: list prices per 1M tokens with source and date."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import pandas as pd


@lru_cache(maxsize=1)
def catalog_json() -> str:
    """The catalog file's text, as the engine reads it."""
    return resources.files("breakeven").joinpath("data/catalog.json").read_text("utf-8")


def catalog() -> dict:
    """The catalog as a dict: ``{"models": {name: {input, output, ...}}}``."""
    return json.loads(catalog_json())


def models_table() -> pd.DataFrame:
    """One row per catalog model, prices in USD per 1M tokens."""
    rows = []
    for name, m in catalog()["models"].items():
        rows.append(
            {
                "model": name,
                "provider": m.get("provider", ""),
                "input": m["input"],
                "cached_input": m.get("cached_input"),
                "output": m["output"],
                "cache_write_x": m.get("cache_write_multiplier", 1.0),
                "cache_min_tokens": m.get("cache_min_tokens", 1024),
                "cache_ttl_min": m.get("cache_ttl_minutes", 5),
                "batch_discount": m.get("batch_discount", 0.0),
                "as_of": m.get("as_of", ""),
            }
        )
    return pd.DataFrame(rows).set_index("model")
