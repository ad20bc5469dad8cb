"""Writing a document to a file in the format its name (or ``format``) asks for."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OptionError
from ..files import open_output

if TYPE_CHECKING:
    from .document import Document


FORMATS = ("html", "md", "pdf")
_SUFFIXES = {"html": "html", "htm": "html", "md": "md", "markdown": "md", "pdf": "pdf"}


def document_format(path: str | os.PathLike, format: str | None = None,
                    formats: tuple[str, ...] = FORMATS, option: str = "format") -> str:
    """The format asked for, or the one the file's suffix names (html for a name
    without a suffix); a suffix that names no format is an error, not HTML under
    another name."""
    if format is None:
        suffix = Path(path).suffix.lstrip(".").lower()
        format = _SUFFIXES.get(suffix, suffix) if suffix else "html"
        if format not in formats:
            raise OptionError(option, f"{path}: .{suffix} names no format: a report is "
                              f".{', .'.join(formats)} (from the file name)")
    if format not in formats:
        raise OptionError("format", f"must be one of {', '.join(formats)} (got {format!r})")
    return format


def write_document(doc: Document, path: str | os.PathLike, format: str | None = None,
                   option: str = "output") -> Path:
    """Write ``doc`` as html, md or pdf; a Markdown file's charts are written beside
    it as ``NAME-1.png``, ``NAME-2.png``, ... Returns the path."""
    path = Path(path)
    fmt = document_format(path, format, option=option)
    if fmt == "pdf":
        from .pdf import render_pdf

        with open_output(path, option, binary=True) as f:
            render_pdf(doc, f)
        return path
    if fmt == "html":
        from .html import render_html

        text = render_html(doc)
    else:
        from .markdown import render_markdown

        text = render_markdown(doc, _figure_writer(path, option))
    with open_output(path, option) as f:
        f.write(text)
    return path


def _figure_writer(path: Path, option: str):
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem)  # a link that needs no escaping
    count = 0

    def save(fig, title: str) -> str:
        nonlocal count
        count += 1
        name = f"{stem}-{count}.png"
        from ..plots import drawing

        with open_output(path.parent / name, option, binary=True) as f, drawing():
            fig.savefig(f, format="png", dpi=110)
        return name

    return save
