"""One mapping from what a command raises to an exit status and one line on
stderr: 0 success, 2 bad input, 1 internal error, 130 interrupted."""

from __future__ import annotations

import sys

from .. import _core
from ..errors import LogError, OptionError, ScenarioError, shown

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_FAILED_CHECK = 1  # `breakeven check`: an expectation or comparison failed
MAX_MESSAGE = 2000  # characters of an error line; a longer one is cut

# DuckDB's errors that say the input is at fault (a file it cannot read or
# convert, or more memory than the limit allows), not breakeven.
_DUCKDB_INPUT_ERRORS = {"InvalidInputException", "ConversionException", "IOException",
                        "OutOfMemoryException", "OutOfRangeException"}


def one_line(message: str) -> str:
    """``message`` with secrets redacted and control bytes (newlines too) escaped,
    at most MAX_MESSAGE characters: whatever an error holds, one readable line."""
    line = shown(message)
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE - 1] + "…"


def _text(e: BaseException) -> str:
    """The first line of an exception's message: some (DuckDB's) run on for lines."""
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def option_message(option: str, reason: str, flags: dict[str, str]) -> str:
    """``error: --flag: reason`` where the option is one of the command's flags
    (``flags``: API name -> flag), else ``error: option: reason`` (a field of a
    sweep file, say, is no flag)."""
    return f"error: {flags.get(option, option)}: {reason}"


def failure(e: BaseException, flags: dict[str, str]) -> tuple[int, str]:
    """The exit status and the one-line message for an exception out of a command."""
    if isinstance(e, (ScenarioError, LogError)):
        return EXIT_INPUT, f"error: {e}"
    if isinstance(e, (OptionError, _core.OptionError)):
        option, reason = (e.option, e.reason) if isinstance(e, OptionError) else e.args
        return EXIT_INPUT, option_message(option, reason, flags)
    if isinstance(e, _core.ScenarioError):
        field, reason = e.args
        return EXIT_INPUT, f"error: {field}: {reason}"
    if isinstance(e, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(e, BrokenPipeError):  # `breakeven models | head`: not an error
        sys.stderr.close()
        return EXIT_OK, ""
    if isinstance(e, OSError):
        return EXIT_INPUT, f"error: {_text(e)}"
    if isinstance(e, MemoryError):
        return EXIT_INPUT, "error: out of memory; use fewer paths or a smaller input"
    if isinstance(e, RecursionError):
        return EXIT_INPUT, "error: the input nests too deeply to process"
    if isinstance(e, OverflowError):
        return EXIT_INPUT, f"error: a number in the input is too large ({_text(e)})"
    if type(e).__module__.split(".")[0] in ("duckdb", "_duckdb"):
        if type(e).__name__ == "OutOfMemoryException":
            return EXIT_INPUT, ("error: the logs need more memory than --memory-limit "
                                f"allows; raise it ({_text(e)})")
        if type(e).__name__ in _DUCKDB_INPUT_ERRORS:
            return EXIT_INPUT, f"error: the logs cannot be read ({_text(e)})"
    return EXIT_INTERNAL, (f"internal error: {type(e).__name__}: {_text(e)} (please report it "
                           "with the input; BREAKEVEN_TRACEBACK=1 shows where)")
