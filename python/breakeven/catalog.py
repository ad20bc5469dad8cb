"""The pricing catalog: the bundled one (list prices per 1M tokens and GPU offers,
with source and date), or a catalog file a scenario names (``catalog:``,
``--catalog``); and the bundled serving catalog of open models on GPUs
(serving.json)."""

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


@lru_cache(maxsize=1)
def serving_json() -> str:
    """The serving catalog file's text, as the engine reads it."""
    return resources.files("breakeven").joinpath("data/serving.json").read_text("utf-8")


def serving_rows() -> list[dict]:
    """The serving catalog resolved at the engine's default concurrency: one row
    per measured entry and per model x GPU without one (``basis: estimate``)."""
    return json.loads(_core.serving_rows(serving_json()))


def serving_table():
    """``serving_rows()`` as a DataFrame: GPUs per replica from the memory fit,
    per-GPU prefill and decode tokens/s, whether measured or a roofline estimate,
    source and date."""
    import pandas as pd

    return pd.DataFrame(serving_rows())


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
                  "as of"], offers), summary=True),
        serving_section()])


def serving_section():
    """The serving catalog as ``breakeven models`` prints it."""
    from .presentation import Section

    rows, sources = [], []
    for r in serving_rows():
        measured = r["basis"] == "measured"
        if measured and r["source"] not in sources:
            sources.append(r["source"])
        fits = r["gpus_per_replica"] is not None
        rows.append([r["model"], r["gpu"], r["precision"], r["engine"] or "-",
                     r["basis"] if r["basis"] == "measured" else "ESTIMATE",
                     str(r["gpus_per_replica"]) if fits else "over 8",
                     f"{r['memory_gb']:,.0f}",
                     f"{r['prefill_tokens_per_s']:,.0f}" if fits else "-",
                     f"{r['decode_tokens_per_s']:,.0f}" if fits else "-",
                     f"[{sources.index(r['source']) + 1}]" if measured else "roofline",
                     r["as_of"]])
    text = (
        "A cluster's serving: MODEL/GPU/PRECISION[/ENGINE] fills in its rates. Tokens/s "
        "per GPU, for requests of 1,000 input and 1,000 output tokens at 64 in flight per "
        "replica; GPUs per replica from the "
        "memory fit (GB: weights + KV cache). ESTIMATE rows are a roofline from the GPU's "
        "FLOPs and memory bandwidth, not a measurement (docs/model.md 'Serving catalog "
        "and memory fit'). Sources: "
        + "; ".join(f"[{i}] {s}" for i, s in enumerate(sources, 1))
        + "; roofline: the GPU's datasheet and the model's config "
          "(python/breakeven/data/serving.json).")
    return Section("Serving", text,
                   (["model", "gpu", "precision", "engine", "basis", "GPUs/replica", "GB",
                     "prefill/GPU", "decode/GPU", "source", "as of"], rows), summary=True)


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
