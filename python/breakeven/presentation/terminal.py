"""Documents as plain text for the terminal: headings, wrapped paragraphs and
aligned tables; charts are left to the files (``--plot``, reports)."""

from __future__ import annotations

import re
import shutil
import textwrap
from typing import TYPE_CHECKING

from ..errors import printable
from .text import paragraphs

if TYPE_CHECKING:
    from .document import Document, Section


_NUMBER = re.compile(r"[<>+-]?-?\$?\d")


def render_text(header: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """A plain-text table with aligned columns; ``right`` are the right-aligned
    ones (default: the columns whose cells are all numbers, or blank or "-")."""
    if right is None:
        right = {i for i in range(1, len(header))
                 if all(_NUMBER.match(r[i]) or r[i] in ("", "-") for r in rows)}
    cells = [[printable(c) for c in r] for r in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _paragraphs(text: str, width: int) -> list[str]:
    return [textwrap.fill(printable(p), width) for p in paragraphs(text)]


def _section(s: Section, width: int) -> str:
    title = printable(s.title)
    blocks = [title + "\n" + ("=" if s.level <= 2 else "-") * min(len(title), width)]
    blocks += _paragraphs(s.text, width)
    if s.table is not None:
        blocks.append(render_text(*s.table))
    if s.code is not None:
        blocks.append("\n".join(printable(line) for line in s.code.rstrip("\n").splitlines()))
    return "\n\n".join(blocks)


def _has_text(s: Section) -> bool:
    """A section the terminal can show: a chart with its caption is left to files."""
    return s.table is not None or s.code is not None or (bool(s.text.strip())
                                                          and s.figure is None)


def render_terminal(doc: Document, full: bool = False) -> str:
    """The document's summary sections (or all of them) as text."""
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    head = printable(doc.title) + ("\n" + printable(doc.subtitle) if doc.subtitle else "")
    return "\n\n".join([head, *(_section(s, width) for s in doc.sections
                                  if (full or s.summary) and _has_text(s))])
