"""Expression text (``.gs``, :mod:`graphstudio.io.gs`): what a person types, one assignment a
line. A file without a suffix, or a ``.txt``, is read as expression text too. It keeps the
expressions, values, parameters and dataset bindings; not positions or view settings."""

from __future__ import annotations

from pathlib import Path

from ...core.options import Option
from .. import gs
from ..document import Document, atomic_write_text
from . import FileFormat, register

HEADER = Option("header", str, "", label="Comment",
                help="text written as # comment lines at the top")


def read(path: Path) -> Document:
    return Document(gs.parse_file(path), {})


def write(path, graph, view, header: str = "") -> None:
    atomic_write_text(path, gs.write_text(graph, header))


register(FileFormat("gs", "Expression text", (".gs", ".txt", ""), read=read, write=write,
                    options=(HEADER,), keeps="expressions and values, not positions", order=0))
