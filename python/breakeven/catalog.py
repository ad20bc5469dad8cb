"""The pricing catalog: the bundled one (list prices per 1M tokens with source and
date), or a catalog file a scenario names (``catalog:``, ``--catalog``)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import _core
from ._yaml import LineMap, load_yaml, read_text


@lru_cache(maxsize=1)
def catalog_json() -> str:
    """The catalog file's text, as the engine reads it."""
    return resources.files("breakeven").joinpath("data/catalog.json").read_text("utf-8")


def catalog() -> dict:
    """The catalog as a dict: ``{"models": {name: {input, output, ...}}}``."""
    return json.loads(catalog_json())


@dataclass(frozen=True)
class CatalogFile:
    """A catalog read from a file (JSON or YAML, the bundled catalog's format) and
    validated by the engine: ``text`` is what the engine reads, ``lines`` where
    each field is, for errors."""

    path: Path
    text: str
    lines: LineMap

    def error(self, field: str, reason: str):
        """The engine's error at ``catalog.FIELD`` as one naming this file."""
        return self.lines.error(field.removeprefix("catalog").removeprefix("."), reason)


def read_catalog(path: str | os.PathLike) -> CatalogFile:
    """The catalog file at ``path``, read within the scenario file's limits
    (``_yaml.MAX_FILE_BYTES``, MAX_VALUES) and
    validated like the bundled catalog (a ScenarioError names the file, line and
    field)."""
    path = Path(path)
    data, lines = load_yaml(read_text(path, "catalog files"), str(path))
    if not isinstance(data, dict):
        raise lines.error("", "a catalog must be a mapping with models: (the format of "
                              "breakeven's bundled catalog.json)")
    found = CatalogFile(path, json.dumps(data), lines)
    try:
        _core.catalog_models(found.text)
    except _core.ScenarioError as e:
        raise found.error(*e.args) from None
    return found


def models_table():
    """One row per catalog model, prices in USD per 1M tokens (a DataFrame); the
    defaults of fields a model leaves out are the engine's.
    """
    import pandas as pd

    written = catalog()["models"]
    rows = []
    for name, m in _core.catalog_models(catalog_json()).items():
        rows.append(
            {
                "model": name,
                "provider": written[name].get("provider", ""),
                "input": m["input"],
                "cached_input": m["cached_input"],
                "output": m["output"],
                "cache_write_x": m["cache_write_multiplier"],
                "cache_min_tokens": m["cache_min_tokens"],
                "cache_ttl_min": m["cache_ttl_minutes"],
                "cache_ttl_tiers": [t["ttl_minutes"] for t in m["cache_ttl_tiers"]],
                "batch_discount": m["batch_discount"],
                "as_of": m["as_of"],
            }
        )
    return pd.DataFrame(rows).set_index("model")


def catalog_document(found: CatalogFile | None = None):
    """The catalog as ``breakeven models`` prints it: model prices and GPU offers
    (the bundled catalog's, or those of the catalog file ``found``)."""
    from .formatting import cache_tiers
    from .presentation import Document, Section

    def price(x) -> str:
        return "-" if x is None else f"{x:.3f}"

    def window(tokens) -> str:
        return "-" if tokens is None else f"{tokens:,.0f}"

    text = found.text if found else catalog_json()
    written = json.loads(text)
    models = [[name, written["models"][name].get("provider", ""), price(m["input"]),
               price(m["cached_input"]), f"{m['output']:.2f}",
               cache_tiers(m), f"{int(m['cache_min_tokens']):,}",
               f"{m['batch_discount']:.0%}",
               window(written["models"][name].get("max_input_tokens")), m["as_of"] or "-"]
              for name, m in _core.catalog_models(text).items()]
    offers = [[name, o.get("gpu", ""), o.get("provider", ""), f"{o['on_demand']:.2f}",
               price(o.get("committed")),
               f"{o.get('term_months', 12)} mo" if o.get("committed") else "-",
               price(o.get("spot")), o.get("as_of", "")]
              for name, o in written.get("gpu_offers", {}).items()]
    title = f"The catalog {found.path}" if found else "The bundled catalog"
    return Document(title, [
        Section("Models", "USD per 1M tokens; a scenario's models: overrides them by name.",
                (["model", "provider", "input", "cached", "output", "cache TTL, write x",
                  "min cache", "batch off", "context", "as of"], models), summary=True),
        Section("GPU offers", "USD per GPU-hour; a cluster names one with offer:.",
                (["offer", "gpu", "provider", "on-demand", "committed", "term", "spot",
                  "as of"], offers), summary=True)])


def gpu_offers_table():
    """One row per catalog GPU offer, USD per GPU-hour (a DataFrame): what a
    cluster's ``offer:`` fills in (on-demand, committed and spot prices).
    """
    import pandas as pd

    rows = [
        {
            "offer": name,
            "gpu": o.get("gpu", ""),
            "provider": o.get("provider", ""),
            "on_demand": o["on_demand"],
            "committed": o.get("committed"),
            "term_months": o.get("term_months", 12) if o.get("committed") else None,
            "spot": o.get("spot"),
            "as_of": o.get("as_of", ""),
        }
        for name, o in catalog().get("gpu_offers", {}).items()
    ]
    return pd.DataFrame(rows).set_index("offer")
