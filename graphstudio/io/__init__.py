"""Reading and writing graphs: the JSON document (``.json``), expression text (``.gs``), GraphML,
networkx node-link JSON and DOT, each a module of the format registry
:mod:`graphstudio.io.formats`. Open a file of any of them with :func:`open_document`."""

from __future__ import annotations

from pathlib import Path

from ..core.dataset import DatasetError, load_for_graph, set_row
from .document import Document
from .formats import reader_for, readers, suffix_list, writer_for

__all__ = ["open_document", "OpenError"]


class OpenError(ValueError):
    """A file that cannot be opened as a graph; the message says where and why."""


def open_document(path: str | Path) -> Document:
    """Open a file of any readable format (by its suffix) as a :class:`Document`; raises
    :class:`OpenError`."""
    path = Path(path)
    if not path.exists():
        raise OpenError(f"{path}: no such file")
    if path.is_dir():
        raise OpenError(f"{path}: is a folder, not a file")
    fmt = reader_for(path)
    written = writer_for(path)
    if fmt is None and written is not None:
        raise OpenError(f"{path}: GraphStudio writes {written.title} files ({written.keeps}) but "
                        f"does not read them; it opens {suffix_list(readers(), 'and')} files")
    if fmt is None:
        raise OpenError(f"{path}: unknown file type {path.suffix.lower()!r}; GraphStudio opens "
                        f"{suffix_list(readers(), 'and')} files")
    try:
        doc = fmt.read(path)
    except ValueError as exc:  # ParseError, DocumentError: located, one line
        raise OpenError(str(exc)) from None
    _show_first_example(doc, path)
    return doc


def _show_first_example(doc: Document, path: Path) -> None:
    """Give inputs bound to dataset columns the values of the dataset's first row, so a
    training graph opens showing one real example rather than zeros. A dataset that cannot be
    read does not stop the graph from opening: the reason is kept in ``doc.notes``."""
    if not doc.graph.meta.get("dataset"):
        return
    try:
        ds = load_for_graph(doc.graph, path.parent)
        if ds is not None and len(ds):
            set_row(doc.graph, ds, 0)
            doc.notes.append(f"data inputs show row 1 of {doc.graph.meta['dataset']} ({len(ds)} rows)")
    except DatasetError as exc:
        doc.notes.append(f"dataset not loaded: {exc}")
