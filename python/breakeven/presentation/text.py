"""Text as every renderer splits it."""

from __future__ import annotations


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text: blank lines separate them; each on one line."""
    return [p.replace("\n", " ") for p in text.split("\n\n") if p.strip()]
