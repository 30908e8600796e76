"""Saving a graph from the Python API: the file's suffix picks the format, from the file
format registry (:mod:`graphstudio.io.formats`), as File > Save As does."""

from __future__ import annotations

from pathlib import Path

from ..core.graph import Graph

__all__ = ["save"]


def save(graph: Graph, path: Path) -> Path:
    """Write ``graph`` to ``path`` in the format its suffix names (``.json``, ``.gs``,
    ``.graphml``...); a suffix no format writes is a ``ValueError`` listing those that do
    (the editor's Save would write JSON under any name; a script is better told)."""
    from ..io.formats import save_document, suffix_list, writer_for, writers

    if writer_for(path) is None:
        suffix = path.suffix.lower()
        raise ValueError(f"{path}: cannot tell the format from "
                         f"{suffix or 'a name without a suffix'!r}; save as "
                         f"{suffix_list(writers())} (pictures: graph.export)")
    save_document(path, graph)
    return path
