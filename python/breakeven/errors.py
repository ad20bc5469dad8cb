"""Errors a user sees: each names the file, the line and the field path."""

from __future__ import annotations

import re


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
        super().__init__(shown(text))


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
        super().__init__(shown(f"{option}: {reason}"))


def printable(text: str) -> str:
    """``text`` on one line with escapes shown, not sent to the terminal: a name
    holding a newline or an escape sequence cannot forge or garble a message."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# A password in a URL's user info (postgresql://user:secret@host) or in a
# key=value pair of a URL query or libpq connection string (password=secret).
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:)[^\s/]*(@)")
_KEY_PASSWORD = re.compile(r"(\b(?:password|passwd|pwd|secret|token|api_key|apikey)=)"
                           r"[^&\s;'\"]*", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every password in a URL or connection string replaced by
    ``***``: an error message, a note or a report never shows a secret."""
    text = _URL_PASSWORD.sub(r"\1***\2", text)
    return _KEY_PASSWORD.sub(r"\1***", text)


def shown(text: str) -> str:
    """A message as the user sees it: secrets redacted, control bytes escaped."""
    return printable(redact(text))


class LogError(ValueError):
    """A log that cannot be read at all (not a log, unreadable, no usable field):
    ``file: what is wrong``. Bad records inside a log are counted, not raised.
    """

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(shown(f"{source}: {reason}"))
