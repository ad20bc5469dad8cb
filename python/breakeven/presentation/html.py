"""Documents as HTML: one self-contained file (inline styles, charts as inline
PNG, no scripts, nothing fetched), or a fragment for a notebook's display. Every
text is escaped: a name cannot inject markup."""

from __future__ import annotations

import base64
import io
from html import escape
from typing import TYPE_CHECKING

from .text import paragraphs

if TYPE_CHECKING:
    from .document import Document, Section, Table


STYLE = """
body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em;
       margin-top: 2em; }
.highlight { background: #eef6fb; border-left: 4px solid #0072B2; padding: 0.8em 1em;
       font-size: 1.1em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.3em 0.6em; text-align: right; }
th { background: #f6f6f6; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; } .note { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
"""


def html_table(table: Table) -> str:
    header, rows = table
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure_png(fig, dpi: int = 110) -> str:
    """A matplotlib Figure as a data URI."""
    from ..plots import drawing

    buf = io.BytesIO()
    with drawing():
        fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _section(s: Section) -> list[str]:
    h = s.heading
    out = [f"<h{h}>{escape(s.title)}</h{h}>"]
    css = " class='highlight'" if s.highlight else ""
    out += [f"<p{css}>{escape(p)}</p>" for p in paragraphs(s.text)]
    if s.figure is not None:
        fig = s.figure()
        if fig is not None:
            out.append(f'<img src="{figure_png(fig)}" alt="{escape(s.title)}">')
    if s.table is not None:
        out.append(html_table(s.table))
    if s.code is not None:
        out.append(f"<pre>{escape(s.code)}</pre>")
    return out


def render_html(doc: Document) -> str:
    """The whole document as one HTML file."""
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(doc.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(doc.title)}</h1>",
    ]
    if doc.subtitle:
        out.append(f"<p class='note'>{escape(doc.subtitle)}</p>")
    out += [f"<p>{escape(p)}</p>" for p in paragraphs(doc.intro)]
    for s in doc.sections:
        out += _section(s)
    out.append("</body></html>")
    return "\n".join(out)


def render_fragment(doc: Document) -> str:
    """The summary sections as a notebook's rich display (charts smaller)."""
    out = [f"<div><b>{escape(doc.title)}</b>"]
    if doc.subtitle:
        out.append(f"<br>{escape(doc.subtitle)}")
    for s in doc.sections:
        if s.summary:
            out += _section(s)
    out.append("</div>")
    return "".join(out)
