"""One presentation layer: every result (run, sensitivity, threshold, optimize,
sweep, ingest, backtest) gives a :class:`Document` of :class:`Section` s, and one
renderer per format draws any of them: the terminal (``terminal.py``), HTML and
the notebook display (``html.py``), Markdown (``markdown.py``) and PDF
(``pdf.py``). ``Document.write(path)`` picks the format from the file's suffix.
"""

from __future__ import annotations

from .document import Document, Section, Table
from .files import FORMATS, document_format, write_document

__all__ = ["FORMATS", "Document", "Section", "Table", "document_format", "write_document"]
