"""Errors a user sees: each names the file, the line and the field path."""

from __future__ import annotations


class ScenarioError(ValueError):
    """An invalid scenario: ``file:line: field.path: what is allowed``.

    Attributes
    ----------
    source : str
        The scenario file, or ``<dict>`` for a scenario given as a mapping.
    line : int or None
        1-based line of the field (or of its nearest parent) in the file.
    path : str
        Field path such as ``workloads[1].input_tokens.p95``; empty for the file.
    reason : str
        What is wrong and what is allowed.
    """

    def __init__(self, source: str, line: int | None, path: str, reason: str):
        self.source = source
        self.line = line
        self.path = path
        self.reason = reason
        where = f"{source}:{line}" if line is not None else source
        text = f"{where}: {path}: {reason}" if path else f"{where}: {reason}"
        super().__init__(printable(text))


class OptionError(ValueError):
    """A run option out of bounds (``paths``, ``seed``, ``threads``, ...), or a run
    that does not fit the resources allowed (the memory budget, threads).

    Attributes
    ----------
    option : str
        The option's name as the Python API spells it.
    reason : str
        What is wrong and what is allowed.
    """

    def __init__(self, option: str, reason: str):
        self.option = option
        self.reason = reason
        super().__init__(printable(f"{option}: {reason}"))


def printable(text: str) -> str:
    """``text`` on one line with escapes shown, not sent to the terminal: a name
    holding a newline or an escape sequence cannot forge or garble a message."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class LogError(ValueError):
    """A log that cannot be read at all (not a log, unreadable, no usable field):
    ``file: what is wrong``. Bad records inside a log are counted, not raised.
    """

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(printable(f"{source}: {reason}"))
