"""The JSON document (``.json``): everything the editor holds (:mod:`graphstudio.io.document`)."""

from __future__ import annotations

from .. import document
from . import FileFormat, register


def write(path, graph, view) -> None:
    document.save(path, graph, view)


register(FileFormat("json", "GraphStudio document", (".json",), read=document.load, write=write,
                    complete=True, order=1))
