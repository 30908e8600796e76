"""File formats: expression text (``.gs``), the JSON document (``.json``), GraphML/DOT interop."""

from __future__ import annotations

from pathlib import Path

from .document import Document, DocumentError, load
from .gs import ParseError, parse_file

__all__ = ["open_document", "OpenError", "SUFFIXES"]

SUFFIXES = (".gs", ".json")


class OpenError(ValueError):
    """A file that cannot be opened as a graph; the message says where and why."""


def open_document(path: str | Path) -> Document:
    """Open a ``.gs`` or ``.json`` file as a :class:`Document`; raises :class:`OpenError`."""
    path = Path(path)
    if not path.exists():
        raise OpenError(f"{path}: no such file")
    if path.is_dir():
        raise OpenError(f"{path}: is a folder, not a file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return load(path)
        if suffix in (".gs", ".txt", ""):
            return Document(parse_file(path), {})
    except (ParseError, DocumentError) as exc:
        raise OpenError(str(exc)) from None
    raise OpenError(f"{path}: unknown file type {suffix!r}; GraphStudio opens .gs and .json files")
