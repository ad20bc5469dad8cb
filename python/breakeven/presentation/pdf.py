"""Documents as PDF, drawn with matplotlib alone (no browser needed): text, tables
and charts flow down A4 landscape pages in the document's order; a long table
continues on the next page."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

import matplotlib.image
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ..plots import drawing, plain
from .text import paragraphs

if TYPE_CHECKING:
    from .document import Document, Section


A4_LANDSCAPE = (11.69, 8.27)
TOP, BOTTOM, LEFT = 0.94, 0.05, 0.05
CODE_WIDTH = 170  # characters of 7-point monospace across the page
FIGURE_DPI = 200


def _line_height(points: float) -> float:
    """A line of text of this size, as a fraction of the page's height."""
    return points * 1.45 / 72 / A4_LANDSCAPE[1]


def _figure_size(fig) -> tuple[float, float]:
    """A chart's width and height on the page (fractions): its own size, shrunk to
    fit the page's width and height."""
    w_in, h_in = fig.get_size_inches()
    scale = min(1.0, (1 - 2 * LEFT) * A4_LANDSCAPE[0] / w_in,
                (TOP - BOTTOM) * A4_LANDSCAPE[1] / h_in)
    return w_in * scale / A4_LANDSCAPE[0], h_in * scale / A4_LANDSCAPE[1]


class _Pages:
    """Text pages being filled top to bottom; charts go out as their own pages."""

    def __init__(self, pdf: PdfPages, title: str):
        self.pdf, self.title = pdf, title
        self.page: Figure | None = None
        self.y = TOP

    def _new_page(self) -> None:
        self.flush()
        self.page = Figure(figsize=A4_LANDSCAPE)
        self.page.text(LEFT, 0.975, plain(self.title), fontsize=7, color="#777777")
        self.y = TOP

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` fits on this one."""
        if self.page is None or self.y - height < BOTTOM:
            self._new_page()

    def text(self, text: str, size: float, **style) -> None:
        for line in text.split("\n"):
            self.room(_line_height(size))
            self.page.text(LEFT, self.y, plain(line), fontsize=size, va="top", **style)
            self.y -= _line_height(size)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        # Columns as wide as their longest cell; the font as large as lets the
        # widest row fit the page (at most 7 points, at least 4.5).
        chars = [max(len(r[i]) for r in [header, *rows]) + 2 for i in range(len(header))]
        page_points = (1 - 2 * LEFT) * A4_LANDSCAPE[0] * 72
        size = max(4.5, min(7.0, page_points / (0.6 * sum(chars))))
        widths = [c / sum(chars) for c in chars]
        row_h = _line_height(size) * 1.3
        rows = rows or [["" for _ in header]]
        while rows:
            self.room(3 * row_h)
            fits = max(1, int((self.y - BOTTOM) / row_h) - 1)
            chunk, rows = rows[:fits], rows[fits:]
            height = row_h * (len(chunk) + 1)
            ax = self.page.add_axes((LEFT, self.y - height, 1 - 2 * LEFT, height))
            ax.axis("off")
            table = ax.table(cellText=[[plain(c) for c in r] for r in chunk],
                             colLabels=[plain(h) for h in header], loc="upper left",
                             cellLoc="right", bbox=(0, 0, 1, 1))
            table.auto_set_font_size(False)
            table.set_fontsize(size)
            for (row, col), cell in table.get_celld().items():
                cell.set_linewidth(0.3)
                cell.set_width(widths[col])
                cell.PAD = 0.02
                if col == 0:
                    cell.set_text_props(ha="left")
                    cell._loc = "left"
                if row == 0:
                    cell.set_facecolor("#f0f0f0")
            self.y -= height + row_h

    def figure(self, fig) -> None:
        """A chart in the flow of the page, at most the page's width and its own
        size, on a new page when less than its height is left (as an image at
        FIGURE_DPI: one page may hold a chart under its text)."""
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=FIGURE_DPI)
        buf.seek(0)
        image = matplotlib.image.imread(buf)
        width, height = _figure_size(fig)
        self.room(height)
        ax = self.page.add_axes((LEFT, self.y - height, width, height))
        ax.imshow(image, interpolation="antialiased")
        ax.axis("off")
        self.y -= height + _line_height(8)

    def flush(self) -> None:
        if self.page is not None:
            self.pdf.savefig(self.page)
            self.page = None


def _section(pages: _Pages, s: Section) -> None:
    size = 14 if s.level <= 2 else 11
    fig = s.figure() if s.figure is not None else None
    width = 120 if s.highlight else 150
    wrapped = [textwrap.fill(p, width) for p in paragraphs(s.text)]
    text_size = 10 if s.highlight else 8.5
    # The heading stays with what follows it: its text and the first rows of its
    # table, or its chart.
    lines = sum(p.count("\n") + 1 for p in wrapped)
    need = _line_height(size) * 1.4 + lines * _line_height(text_size)
    need += _figure_size(fig)[1] if fig is not None else 4 * _line_height(7)
    pages.room(min(need, TOP - BOTTOM))
    pages.y -= _line_height(size) * 0.4
    pages.text(s.title, size, weight="bold")
    for p in wrapped:
        pages.text(p, text_size, color="#0b4f7a" if s.highlight else "#222222")
        pages.y -= _line_height(4)
    if s.table is not None:
        pages.table(*s.table)
    if s.code is not None:
        lines = s.code.rstrip("\n").expandtabs(4).split("\n")
        pages.text("\n".join(textwrap.fill(line, CODE_WIDTH, subsequent_indent="  ") or ""
                             for line in lines), 7, family="monospace")
    if fig is not None:
        pages.figure(fig)


def render_pdf(doc: Document, path) -> None:
    with PdfPages(path, metadata={"Title": doc.title}) as pdf, drawing():
        pages = _Pages(pdf, doc.title)
        pages.room(1.0)
        pages.text(doc.title, 18, weight="bold")
        if doc.subtitle:
            pages.text(doc.subtitle, 9, color="#555555")
        for p in paragraphs(doc.intro):
            pages.text(textwrap.fill(p, 150), 8.5)
        for s in doc.sections:
            _section(pages, s)
        pages.flush()
