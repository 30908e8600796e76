"""The file formats: one module each in this package, found by looking.

Every module here registers one :class:`FileFormat` when imported: the JSON document, the
``.gs`` expression text, GraphML and DOT. A format declares its suffixes, a reader and/or a
writer, and the options its writer takes. The registry
(:class:`~graphstudio.core.registry.Registry`) imports every module of the package the first
time it is asked, so a new format is one new file here; File > Open and File > Save As (their
filters), opening a file anywhere (:func:`graphstudio.io.open_document`), saving
(:func:`save_document`) and the command line's words are built from :func:`file_formats`.
A test or a plug-in can also :func:`register` a format (and :func:`unregister` it).

A file's format is found by its suffix, the longest that fits (``.nodelink.json`` before
``.json``). Formats may share a suffix: one that can tell its files from their content says so
with ``sniff(path) -> bool`` and is asked first (a networkx node-link file saved as ``.json``
opens as node-link, any other ``.json`` as a GraphStudio document); writing, the first format in
list order that claims the suffix writes it.

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
           "reader_for", "writer_for", "writer_named", "save_document", "for_file",
           "dialog_filter", "filter_format", "suffix_list"]


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
    sniff: Callable[[Path], bool] | None = None  # for a shared suffix: is this file one of ours?


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


def _claiming(path: str | Path, formats: list[FileFormat]) -> list[tuple[int, FileFormat]]:
    """The formats whose suffixes fit ``path``'s name, each with the length of the longest that
    fits (``""`` fits a name without a suffix)."""
    name = Path(path).name.lower()
    found = []
    for f in formats:
        fits = [len(s) for s in f.suffixes
                if (name.endswith(s) and len(name) > len(s) if s else not Path(name).suffix)]
        if fits:
            found.append((max(fits), f))
    return found


def reader_for(path: str | Path) -> FileFormat | None:
    """The format that reads ``path``: by the longest suffix that fits, and among formats that
    share it, one whose ``sniff`` recognises the file first; or None."""
    found = sorted(_claiming(path, readers()),
                   key=lambda lf: (-lf[0], lf[1].sniff is None, lf[1].order, lf[1].name))
    return next((f for _, f in found if f.sniff is None or f.sniff(Path(path))), None)


def writer_for(path: str | Path) -> FileFormat | None:
    """The format that writes ``path``, by the longest suffix that fits (then list order), or
    None."""
    found = sorted(_claiming(path, writers()), key=lambda lf: (-lf[0], lf[1].order, lf[1].name))
    return found[0][1] if found else None


def writer_named(name: str) -> FileFormat | None:
    """The format called ``name`` (``"graphml"``) if it writes files, else None."""
    fmt = _REGISTRY.get(name)
    return fmt if fmt is not None and fmt.write is not None else None


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

    both = list(dict.fromkeys(p for f in formats for p in patterns(f)))
    entries = [f"{everything} ({' '.join(both)})"] if len(formats) > 1 else []
    entries += [f"{f.title} ({' '.join(patterns(f))})" for f in formats]
    return ";;".join(entries)


def filter_format(formats: list[FileFormat], entry: str) -> FileFormat | None:
    """The format of one entry of :func:`dialog_filter` (what a file dialog says was chosen),
    or None for the entry of all of them."""
    return next((f for f in formats if entry.startswith(f"{f.title} (")), None)


def save_document(path: str | Path, graph: Graph, view: dict[str, Any] | None = None, *,
                  format: str | None = None, embed_data: bool = False,
                  **options: Any) -> FileFormat:
    """Write ``graph`` to ``path`` in ``format`` (a format's name), else in the format its
    suffix names (a name no format claims is written as the first complete format, the JSON
    document); returns the format used. The dataset is named relative to the file's folder
    where it can be (:func:`~graphstudio.core.dataset.express_path`); with ``embed_data`` (or
    when the graph already carries it) its CSV text goes inside the file. Raises ``OSError``
    or ``ValueError`` (an unknown format, one that cannot hold this graph, a dataset that
    cannot be read)."""
    if format is not None:
        fmt = writer_named(format)
        if fmt is None:
            raise ValueError(f"unknown file format {format!r}; formats: "
                             f"{', '.join(f.name for f in writers())}")
    else:
        fmt = writer_for(path) or next(f for f in writers() if f.complete)
    graph = for_file(graph, Path(path).parent, embed_data)
    known = {o.name: o for o in fmt.options}
    for name, value in options.items():
        if name not in known:
            raise ValueError(f"{fmt.title} files take no option {name!r}")
        known[name].check(value)
    fmt.write(Path(path), graph, dict(view or {}), **options)
    return fmt
