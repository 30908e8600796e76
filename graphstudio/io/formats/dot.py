"""Graphviz DOT (``.dot``, :mod:`graphstudio.io.interop`), written only: the graph left to
right with each node labelled with its value and gradient, for ``dot -Tsvg``."""

from __future__ import annotations

from ...core.engine import evaluate
from .. import interop
from ..document import atomic_write_text
from . import FileFormat, register


def write(path, graph, view) -> None:
    atomic_write_text(path, interop.to_dot(graph, evaluate(graph)))


register(FileFormat("dot", "Graphviz DOT", (".dot", ".gv"), write=write,
                    keeps="a drawing of the graph, which GraphStudio does not read back", order=3))
