"""Saving a graph from the Python API: the file's suffix picks the format."""

from __future__ import annotations

from pathlib import Path

from ..core.graph import Graph

__all__ = ["save", "SAVE_SUFFIXES"]

#: what :func:`save` writes, by suffix
SAVE_SUFFIXES = (".json", ".gs")


def save(graph: Graph, path: Path) -> Path:
    """Write ``graph`` to ``path`` (atomically) as a ``.json`` document or ``.gs`` text."""
    from ..io.document import atomic_write_text, save as save_json
    from ..io.gs import write_text

    suffix = path.suffix.lower()
    if suffix == ".json":
        save_json(path, graph)
    elif suffix == ".gs":
        atomic_write_text(path, write_text(graph))
    else:
        raise ValueError(f"{path}: cannot tell the format from {suffix or 'a name without a suffix'!r}; "
                         f"save as {' or '.join(SAVE_SUFFIXES)} (pictures: graph.export)")
    return path
