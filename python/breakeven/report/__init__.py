"""Break-even reports: ``write_report(result, path, format)`` in html, md, pdf or json."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..constants import DEFAULT_MAX_UNSERVED
from ..constants import REPORT_FORMATS as FORMATS
from ..errors import OptionError
from .content import ReportContent, build_content

__all__ = ["FORMATS", "ReportContent", "build_content", "report_format", "write_report"]


def report_format(path: str | os.PathLike, format: str | None = None) -> str:
    """The format asked for, or the one the file name's suffix implies."""
    if format is not None:
        return format
    suffix = Path(path).suffix.lstrip(".").lower()
    return {"htm": "html", "markdown": "md"}.get(
        suffix, suffix if suffix in FORMATS else "html"
    )


def write_report(
    result, path: str | os.PathLike, format: str | None = None, sections=(),
    max_unserved: float = DEFAULT_MAX_UNSERVED,
) -> Path:
    """Write one self-contained report file for ``result``; return its path.
    ``sections`` adds decision sections: ``"sensitivity"``, ``"threshold"``; the
    recommendation passes over plans leaving more than ``max_unserved`` of requests
    not served."""
    from .decisions import SECTIONS, decision_sections

    fmt = report_format(path, format)
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise OptionError("with", f"unknown section {unknown[0]!r} (sections: {', '.join(SECTIONS)})")
    content = build_content(result, max_unserved)
    content.decisions = decision_sections(result, sections)
    path = Path(path)
    # Renderers are imported when used: the PDF one pulls in matplotlib.
    if fmt == "pdf":
        from .pdf import render_pdf

        render_pdf(content, result, path)
    elif fmt == "html":
        from .html import render_html

        path.write_text(render_html(content, result), encoding="utf-8")
    elif fmt == "md":
        from .markdown import render_markdown

        path.write_text(render_markdown(content), encoding="utf-8")
    else:
        doc = {
            "recommendation": content.recommendation,
            "result": result.as_dict(),
            "assumptions": content.assumptions,
            "decisions": [{"title": d.title, "text": d.text} for d in content.decisions],
        }
        path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return path
