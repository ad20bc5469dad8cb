"""What every result shows, as data: a document of sections, each a title with
text, a table, a figure or preformatted text. Results build documents; the
renderers (terminal, HTML, notebook, Markdown, PDF) draw any section, knowing
nothing of what the numbers mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Table = tuple[list[str], list[list[str]]]  # header, rows: text, as shown


@dataclass(frozen=True)
class Section:
    """One part of a document.

    Attributes
    ----------
    title : str
        The heading.
    text : str
        Paragraphs, separated by blank lines (plain text: renderers escape it).
    table : Table or None
        A header and rows of text; the first column is the row's name.
    figure : callable or None
        Draws the section's chart (a matplotlib Figure) when a renderer needs it,
        so that the terminal never draws one.
    code : str or None
        Preformatted text shown as written (a scenario file).
    level : int
        2 for a section, 3 for a subsection.
    summary : bool
        Part of the short view: the terminal and a notebook's display.
    highlight : bool
        The one thing a reader must see (the recommendation).
    """

    title: str
    text: str = ""
    table: Table | None = None
    figure: Callable[[], object] | None = field(default=None, compare=False)
    code: str | None = None
    level: int = 2
    summary: bool = False
    highlight: bool = False

    @property
    def heading(self) -> int:
        """The heading's level in a file: 2 (a section) to 4."""
        return min(max(self.level, 2), 4)


@dataclass
class Document:
    """A result's content, ready for any renderer: ``str(doc)`` for the terminal,
    ``doc.write(path)`` for a file (html, md or pdf from the suffix), and the
    notebook display."""

    title: str
    sections: list[Section]
    subtitle: str = ""  # one line under the title: mode, paths, seed, version
    intro: str = ""  # what the document is about (files only, not the terminal)

    def __add__(self, other: Document) -> Document:
        return Document(self.title, [*self.sections, *other.sections], self.subtitle,
                        self.intro)

    def terminal(self, full: bool = False) -> str:
        """Text for the terminal: the summary sections, or every one."""
        from .terminal import render_terminal

        return render_terminal(self, full)

    def __str__(self) -> str:
        return self.terminal()

    def write(self, path, format: str | None = None, option: str = "output"):
        """Write the document as html, md or pdf (default from the suffix); return
        the path. ``option`` names the output in errors (``report``: --report)."""
        from .files import write_document

        return write_document(self, path, format, option)

    def _repr_html_(self) -> str:
        from .html import render_fragment

        return render_fragment(self)
