"""Reading a text file with one short reason when it cannot be read, for messages that read
``FILE: cannot read the file: REASON`` in every format (``.gs``, ``.json``, ``.csv``)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CannotRead", "read_text"]


class CannotRead(OSError):
    """The file cannot be read; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_text(path: str | Path) -> str:
    """The file's text (UTF-8, with or without the byte-order mark some editors write);
    raises :class:`CannotRead`."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CannotRead(exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) from None
