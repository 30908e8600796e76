"""The file formats: one module each in this package, found by looking.

Every module here registers one :class:`FileFormat` when imported: the JSON document, the
``.gs`` expression text, GraphML and DOT. A format declares its suffixes, a reader and/or a
writer, and the options its writer takes. The registry
(:class:`~graphstudio.core.registry.Registry`) imports every module of the package the first
time it is asked, so a new format is one new file here; File > Open and File > Save As (their
filters), opening a file anywhere (:func:`graphstudio.io.open_document`), saving
(:func:`save_document`) and the command line's words are built from :func:`file_formats`.
A test or a plug-in can also :func:`register` a format (and :func:`unregister` it).

A reader is ``read(path) -> Document`` and raises a ``ValueError`` (``ParseError``,
``DocumentError``) whose message starts with the file's name and says where and what. A
writer is ``write(path, graph, view, **options)``: ``view`` holds the editor's view settings,
which only a ``complete`` format keeps; it writes atomically, so a failed save leaves the old
file as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ...core.dataset import embedded_text, express_path, is_embedded
from ...core.graph import Graph
from ...core.options import Option
from ...core.registry import Registry
from ..document import Document

__all__ = ["FileFormat", "register", "unregister", "file_formats", "readers", "writers",
           "reader_for", "writer_for", "save_document", "for_file", "dialog_filter", "suffix_list"]


@dataclass(frozen=True)
class FileFormat:
    """One file format (see the module docstring)."""

    name: str  # "json"
    title: str  # what the file dialogs list: "GraphStudio document"
    suffixes: tuple[str, ...]  # the first is the one proposed; "" reads files without one
    read: Callable[[Path], Document] | None = None
    write: Callable[..., None] | None = None
    options: tuple[Option, ...] = ()  # keywords the writer takes beyond (path, graph, view)
    complete: bool = False  # keeps everything the editor holds: Save writes it without asking
    keeps: str = ""  # what a file of this format keeps, when not everything
    order: int = 100  # place in lists


_REGISTRY: Registry[FileFormat] = Registry(__name__)
register = _REGISTRY.register
unregister = _REGISTRY.unregister


def file_formats() -> list[FileFormat]:
    """Every file format, in list order."""
    return _REGISTRY.all()


def readers() -> list[FileFormat]:
    return [f for f in file_formats() if f.read is not None]


def writers() -> list[FileFormat]:
    return [f for f in file_formats() if f.write is not None]


def _for(path: str | Path, formats: list[FileFormat]) -> FileFormat | None:
    suffix = Path(path).suffix.lower()
    return next((f for f in formats if suffix in f.suffixes), None)


def reader_for(path: str | Path) -> FileFormat | None:
    """The format that reads ``path``, by its suffix, or None."""
    return _for(path, readers())


def writer_for(path: str | Path) -> FileFormat | None:
    """The format that writes ``path``, by its suffix, or None."""
    return _for(path, writers())


def suffix_list(formats: list[FileFormat], joiner: str = "or") -> str:
    """``.json, .gs or .graphml``: the suffixes the formats are known by (their first ones)."""
    words = [f.suffixes[0] for f in formats]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def for_file(graph: Graph, folder: Path, embed_data: bool = False) -> Graph:
    """``graph`` as a file in ``folder`` names its dataset: an absolute path re-expressed
    relative to ``folder`` where it can be, or the CSV text carried inside. A copy when
    anything changes; the graph itself is left alone."""
    ref = graph.meta.get("dataset")
    if not ref:
        return graph
    if embed_data or is_embedded(graph):
        text = embedded_text(graph, None)
        if graph.meta.get("dataset_csv") == text and ref == Path(ref).name:
            return graph
        out = graph.copy()
        out.set_meta("dataset", Path(ref).name)
        out.set_meta("dataset_csv", text)
        return out
    if not Path(ref).is_absolute():
        return graph  # relative to a folder this graph does not know: written as it is
    named = express_path(ref, folder)
    if named == ref:
        return graph
    out = graph.copy()
    out.set_meta("dataset", named)
    return out


def dialog_filter(formats: list[FileFormat], everything: str = "Graphs") -> str:
    """A Qt file dialog filter: all the formats together first, then one entry each."""
    def patterns(fmt: FileFormat) -> list[str]:
        return [f"*{s}" for s in fmt.suffixes if s]

    both = [p for f in formats for p in patterns(f)]
    entries = [f"{everything} ({' '.join(both)})"] if len(formats) > 1 else []
    entries += [f"{f.title} ({' '.join(patterns(f))})" for f in formats]
    return ";;".join(entries)


def save_document(path: str | Path, graph: Graph, view: dict[str, Any] | None = None, *,
                  embed_data: bool = False, **options: Any) -> FileFormat:
    """Write ``graph`` to ``path`` in the format its suffix names (a name no format claims is
    written as the first complete format, the JSON document); returns the format used.
    The dataset is named relative to the file's folder where it can be
    (:func:`~graphstudio.core.dataset.express_path`); with ``embed_data`` (or when the graph
    already carries it) its CSV text goes inside the file. Raises ``OSError`` or
    ``ValueError`` (a format that cannot hold this graph, a dataset that cannot be read)."""
    fmt = writer_for(path) or next(f for f in writers() if f.complete)
    graph = for_file(graph, Path(path).parent, embed_data)
    known = {o.name: o for o in fmt.options}
    for name, value in options.items():
        if name not in known:
            raise ValueError(f"{fmt.title} files take no option {name!r}")
        known[name].check(value)
    fmt.write(Path(path), graph, dict(view or {}), **options)
    return fmt
