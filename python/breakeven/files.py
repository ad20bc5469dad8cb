"""Reading and writing the files a user names, without ever waiting forever.

Only regular files are read: a FIFO would block forever and a device such as
/dev/zero never ends (its ``st_size`` is 0, so a size check alone passes it). The
file is opened without blocking, its type taken from the open descriptor (no race
with a rename), and at most ``limit`` bytes are read.

An output may be a pipe (``--json /dev/stdout | jq``) or a device, but a FIFO that no
process reads would block the write forever: outputs are opened without blocking,
so that one is an error at once.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat


class UnreadableFile(Exception):
    """A file refused before reading, or that could not be read: ``reason`` says
    why, in words for the user (the caller adds the file's name)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


_KINDS = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "is a device, not a regular file"),
    (stat.S_ISBLK, "is a device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def _refusal(mode: int) -> str | None:
    for is_kind, reason in _KINDS:
        if is_kind(mode):
            return reason
    return None if stat.S_ISREG(mode) else "is not a regular file"


def _open(path: str | os.PathLike) -> int:
    try:
        return os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableFile("no such file") from None
    except IsADirectoryError:
        raise UnreadableFile("is a folder, not a file") from None
    except ValueError:  # os.open's own check
        raise UnreadableFile("the name holds a NUL byte") from None
    except OSError as e:
        raise UnreadableFile(f"cannot read: {e.strerror}") from None


def regular_file_size(path: str | os.PathLike) -> int:
    """The size of ``path`` in bytes if it is a regular file one can open."""
    fd = _open(path)
    try:
        st = os.fstat(fd)
    finally:
        os.close(fd)
    reason = _refusal(st.st_mode)
    if reason:
        raise UnreadableFile(reason)
    return st.st_size


def read_regular(path: str | os.PathLike, limit: int, what: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes (``what``
    names the kind of file in the message, e.g. "scenario files")."""
    fd = _open(path)
    try:
        st = os.fstat(fd)
        reason = _refusal(st.st_mode)
        if reason:
            raise UnreadableFile(reason)
        if st.st_size > limit:
            raise UnreadableFile(f"the file has {st.st_size:,} bytes; {what} are at most "
                                 f"{limit:,}")
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            block = os.read(fd, min(1 << 20, limit + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
        if size > limit:  # grew while we read
            raise UnreadableFile(f"the file has more than {limit:,} bytes; {what} are at "
                                 f"most {limit:,}")
        return b"".join(chunks)
    except OSError as e:
        raise UnreadableFile(f"cannot read: {e.strerror}") from None
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike, limit: int, what: str,
              encoding: str = "utf-8") -> str:
    """:func:`read_regular`'s bytes decoded; text that is not ``encoding`` is an
    UnreadableFile naming the byte."""
    raw = read_regular(path, limit, what)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise UnreadableFile(f"not UTF-8 text ({e.reason} at byte {e.start})") from None


@contextlib.contextmanager
def open_output(path: str | os.PathLike, option: str, binary: bool = False):
    """``path`` opened for writing (created or truncated) for the output that
    ``option`` names (``json``, ``output``, ``plot``, ...), as a context manager.
    An OptionError names the option and the file when the folder is missing, the
    path is a folder or a FIFO that no process reads, or a write fails (a full
    disk, /dev/full)."""
    from .errors import OptionError

    flags = (os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK
             | getattr(os, "O_CLOEXEC", 0))
    try:
        fd = os.open(path, flags, 0o666)
    except ValueError:
        raise OptionError(option, f"{path}: the name holds a NUL byte") from None
    except FileNotFoundError:
        folder = os.path.dirname(os.fspath(path)) or "."
        raise OptionError(option, f"{path}: the folder {folder} does not exist") from None
    except IsADirectoryError:
        raise OptionError(option, f"{path}: is a folder, not a file") from None
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise OptionError(option, f"{path}: is a pipe that no process reads") from None
        raise OptionError(option, f"{path}: cannot write: {e.strerror}") from None
    os.set_blocking(fd, True)
    try:
        with os.fdopen(fd, "wb" if binary else "w",
                       **({} if binary else {"encoding": "utf-8"})) as f:
            yield f
    except OSError as e:
        raise OptionError(option, f"{path}: cannot write: {e.strerror or e}") from None


def check_output(path: str | os.PathLike, option: str) -> None:
    """Before the work: an OptionError naming ``option`` when ``path`` cannot be
    an output (its folder is missing, it is a folder, or its name holds a NUL
    byte). Whether a pipe has a reader is known only on opening it."""
    from .errors import OptionError

    text = os.fspath(path)
    if "\0" in text:
        raise OptionError(option, f"{path}: the name holds a NUL byte")
    if os.path.isdir(text):
        raise OptionError(option, f"{path}: is a folder, not a file")
    folder = os.path.dirname(text) or "."
    if not os.path.isdir(folder):
        raise OptionError(option, f"{path}: the folder {folder} does not exist")
