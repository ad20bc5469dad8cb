"""JSON Schemas of the scenario file and of every ``--json`` output, shipped in
``breakeven/data/schemas/`` (docs/schemas.md). They describe; the engine's parser
validates. Written by ``python -m breakeven.schemas_build``.
"""

from __future__ import annotations

import json
from importlib import resources

NAMES = ("scenario", "result", "report", "sensitivity", "threshold", "optimize", "sweep",
         "ingest", "backtest", "diff")
# A change that breaks readers of an output gets the next version (STYLE.md, 10).
OUTPUT_VERSIONS = {"report": 1, "sensitivity": 1, "threshold": 1, "optimize": 1,
                   "sweep": 1, "ingest": 1, "backtest": 1, "diff": 1}


def schema_id(name: str) -> str:
    """What an output's ``schema`` field holds: the schema's name and version."""
    return f"breakeven.{name}/{OUTPUT_VERSIONS[name]}"


def schema_text(name: str) -> str:
    """The schema ``name`` (one of :data:`NAMES`) as the file's text."""
    if name not in NAMES:
        raise ValueError(f"no schema named {name!r} (schemas: {', '.join(NAMES)})")
    return resources.files("breakeven").joinpath(f"data/schemas/{name}.json").read_text(
        "utf-8")


def schema(name: str) -> dict:
    """The schema ``name`` (one of :data:`NAMES`) as a dict."""
    return json.loads(schema_text(name))


def scenario_schema() -> dict:
    """The scenario file's schema as a dict (JSON Schema draft-07)."""
    return schema("scenario")
