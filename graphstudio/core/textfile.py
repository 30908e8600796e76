"""Reading a text file with one short reason when it cannot be read, for messages that read
``FILE: cannot read the file: REASON`` in every format (``.gs``, ``.json``, ``.csv``), and
quoting what was read in those messages without echoing the whole file.

Only regular files are read, and only up to a size limit: a device such as ``/dev/zero``
never ends, a pipe blocks until someone writes to it, and a file of gigabytes would be read
into memory before any check could look at it.
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CannotRead", "read_text", "read_bytes", "quote", "size_text"]


class CannotRead(OSError):
    """The file cannot be read; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def size_text(n: int) -> str:
    """A number of bytes for a message: ``512 bytes``, ``2.5 MB``."""
    if n < 1000:
        return f"{n} bytes"
    for unit in ("kB", "MB", "GB", "TB"):
        n /= 1000
        if n < 1000 or unit == "TB":
            return f"{n:.3g} {unit}"
    raise AssertionError("unreachable")


def read_text(path: str | Path, limit: int | None = None) -> str:
    """The file's text (UTF-8, with or without the byte-order mark some editors write);
    raises :class:`CannotRead` for anything but a regular file of at most ``limit`` bytes."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CannotRead(f"not UTF-8 text (byte {exc.start + 1})") from None


def read_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """The file's bytes; raises :class:`CannotRead` for anything but a regular file of at most
    ``limit`` bytes."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise CannotRead("it is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise CannotRead("not a regular file (a device, a pipe or a socket)")
        if limit is not None and info.st_size > limit:
            raise CannotRead(f"the file is {size_text(info.st_size)}; at most "
                             f"{size_text(limit)} is read")
        # O_NONBLOCK: should the name have become a pipe since the check, open() must not wait
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(limit + 1) if limit is not None else fh.read()
        if limit is not None and len(data) > limit:
            raise CannotRead(f"the file is larger than {size_text(limit)}, the most that is read")
        return data
    except CannotRead:
        raise
    except ValueError as exc:  # a NUL character in the name
        raise CannotRead(f"the file name is not valid ({exc})") from None
    except OSError as exc:
        raise CannotRead(exc.strerror or str(exc)) from None


def quote(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut to about ``limit`` characters (saying how long it
    was), so that a file's content is never echoed whole."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"
