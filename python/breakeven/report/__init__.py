"""A run's report: ``write_report(result, path)`` in html, md, pdf or json. It
only renders: decision sections (``--with sensitivity``) come computed, as
documents to append."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..constants import DEFAULT_MAX_UNSERVED
from ..constants import REPORT_FORMATS as FORMATS
from ..files import open_output
from ..presentation import Document, document_format
from ..schemas import schema_id
from .content import ReportContent, build_content
from .sections import run_document

__all__ = ["FORMATS", "ReportContent", "build_content", "run_document", "write_report"]


def write_report(result, path: str | os.PathLike, format: str | None = None,
                 extra: tuple[Document, ...] = (),
                 max_unserved: float = DEFAULT_MAX_UNSERVED) -> Path:
    """Write one self-contained report file for ``result``, with the documents in
    ``extra`` appended (decision sections); return its path. The recommendation
    passes over plans leaving more than ``max_unserved`` of requests not served."""
    fmt = document_format(path, format, FORMATS)
    content = build_content(result, max_unserved)
    doc = run_document(result, content)
    for more in extra:
        doc = doc + more
    path = Path(path)
    if fmt != "json":
        return doc.write(path, fmt)
    data = {
        "schema": schema_id("report"),
        "recommendation": content.recommendation,
        "result": result.as_dict(band_sources=True),
        "assumptions": content.assumptions,
        "sections": [{"title": s.title, "text": s.text,
                      "table": None if s.table is None else
                      {"header": s.table[0], "rows": s.table[1]}}
                     for s in doc.sections if s.text or s.table is not None],
    }
    with open_output(path, "output") as f:
        f.write(json.dumps(data, indent=1) + "\n")
    return path
