"""Documents as Markdown, with every character a name or a description holds shown
as written (escaped), and charts as PNG files beside the Markdown file."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .text import paragraphs

if TYPE_CHECKING:
    from .document import Document, Section, Table


# Characters that Markdown (CommonMark, and GitHub's tables, strikethrough and math)
# would read as markup: a name or description such as ``[x](javascript:...)``,
# ``*bold*``, ``_it_`` or ``$x$`` is shown as written, never as a link, emphasis or
# math. Left as they are, for a readable file: ``_`` inside a word (CommonMark never
# reads it as emphasis) and ``$`` before a digit (money: math cannot open or close
# there).
_MARKUP = re.compile(r"([\\`*\[\]|~#!]|\$(?!\d)|(?<![^\W_])_|_(?![^\W_]))")


def escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKUP.sub(r"\\\1", text)


def markdown_table(table: Table) -> str:
    header, rows = table
    lines = ["| " + " | ".join(map(escape, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(escape, r)) + " |" for r in rows]
    return "\n".join(lines)


def _fence(code: str) -> str:
    """A fence longer than any run of backticks in ``code``."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code.rstrip()}\n{fence}"


def _section(s: Section, save_figure: Callable[[object, str], str] | None) -> list[str]:
    out = [f"{'#' * s.heading} {escape(s.title)}"]
    out += [("> " if s.highlight else "") + escape(p) for p in paragraphs(s.text)]
    if s.figure is not None and save_figure is not None:
        fig = s.figure()
        if fig is not None:
            out.append(f"![{escape(s.title)}]({save_figure(fig, s.title)})")
    if s.table is not None:
        out.append(markdown_table(s.table))
    if s.code is not None:
        out.append(_fence(s.code))
    return out


def render_markdown(doc: Document,
                    save_figure: Callable[[object, str], str] | None = None) -> str:
    """The document as Markdown; ``save_figure(fig, title)`` writes a chart and
    returns the link to it (without it, charts are left out)."""
    parts = [f"# {escape(doc.title)}"]
    if doc.subtitle:
        parts.append(escape(doc.subtitle))
    parts += [escape(p) for p in paragraphs(doc.intro)]
    for s in doc.sections:
        parts += _section(s, save_figure)
    return "\n\n".join(parts) + "\n"
