"""Reading and writing graphs: the JSON document (``.json``), expression text (``.gs``), GraphML,
networkx node-link JSON and DOT, each a module of the format registry
:mod:`graphstudio.io.formats`. Open a file of any of them with :func:`open_document`."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:  # (pathlib, the formats and the datasets are imported where a file is
    # opened: ``graphstudio eval`` reads most .gs files without them, see io/gs_program.py,
    # and any module of this package imports this one first)
    from pathlib import Path

    from .document import Document

__all__ = ["open_document", "OpenError"]


class OpenError(ValueError):
    """A file that cannot be opened as a graph; the message says where and why."""


def open_document(path: str | Path) -> Document:
    """Open a file of any readable format (by its suffix) as a :class:`Document`; raises
    :class:`OpenError`."""
    from pathlib import Path

    from .formats import reader_for, readers, suffix_list, writer_for

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
    """Find the dataset the file names (its path is relative to the file's folder; a copied
    folder or a moved file is looked for beside it, see
    :func:`~graphstudio.core.dataset.find_dataset`) and hold it as an absolute path, so the
    document keeps its data wherever it is saved next. Then give inputs bound to dataset
    columns the values of its first row, so a training graph opens showing one real example
    rather than zeros. A dataset that cannot be found or read does not stop the graph from
    opening: the reason is kept in ``doc.notes``."""
    graph = doc.graph
    ref = graph.meta.get("dataset")
    if not ref:
        return
    from ..core.dataset import (DatasetError, DatasetNotFound, dataset_candidates, find_dataset,
                                is_embedded, load_for_graph, set_row)

    if not is_embedded(graph):
        try:
            found = find_dataset(ref, path.parent)
        except DatasetNotFound as exc:
            graph.set_meta("dataset", exc.looked[0].as_posix())
            doc.notes.append(f"dataset not loaded: {exc}")
            return
        graph.set_meta("dataset", found.as_posix())
        if found != dataset_candidates(ref, path.parent)[0]:
            doc.notes.append(f"{ref} is not there; using {found}")
    try:
        ds = load_for_graph(graph, path.parent)
        if ds is not None and len(ds):
            set_row(graph, ds, 0)
            doc.notes.append(f"data inputs show row 1 of {ref} ({len(ds)} rows)")
    except DatasetError as exc:
        doc.notes.append(f"dataset not loaded: {exc}")
