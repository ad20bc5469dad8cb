"""Reading a file a user names, within bounds decided before any byte is read.

Only regular files are read: a FIFO would block forever and a device such as
/dev/zero never ends (its ``st_size`` is 0, so a size check alone passes it). The
file is opened without blocking, its type taken from the open descriptor (no race
with a rename), and at most ``limit`` bytes are read.
"""

from __future__ import annotations

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
