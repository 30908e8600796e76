"""GraphML (``.graphml``): for graph tools such as networkx, Gephi and yEd.

Written through networkx (``generate_graphml``) with the attributes of
:mod:`graphstudio.io.nxgraph`: every node's name, op, value, gradient, position (``x``, ``y``,
which Gephi places nodes by) and every other saved field, each edge's port, and a ``label``
(``e = 8, ∇ 25``) that Gephi shows on the node and that yEd can show through Edit > Properties
Mapper (yEd's own ``y:`` drawing markup is not written: yEd lays the graph out itself).
GraphML attributes are scalars, so values are text in the ``.gs`` literal form, exact.

Read through networkx (``parse_graphml``) and :func:`~graphstudio.io.nxgraph.from_networkx`:
a file another tool wrote opens as far as it maps onto a computation graph, and what does not
map is said, node and attribute named (see there). Results in the file (an op's value, the
gradients, the labels) are ignored and computed again. Files are read up to the JSON document's
size limit.
"""

from __future__ import annotations

from pathlib import Path


from ...core.textfile import CannotRead, read_text
from ..document import MAX_BYTES, Document, DocumentError, atomic_write_text
from ..nxgraph import from_networkx, to_networkx
from . import FileFormat, register


def write(path, graph, view) -> None:
    import networkx as nx  # (imported here: ``eval`` imports every format, needing none)

    g = to_networkx(graph, text=True)
    atomic_write_text(path, "\n".join(nx.generate_graphml(g)) + "\n")


def read(path: Path) -> Document:
    try:
        text = read_text(path, MAX_BYTES)
    except CannotRead as exc:
        raise DocumentError(f"{path}: cannot read the file: {exc.reason}") from None
    import networkx as nx

    try:
        g = nx.parse_graphml(text, force_multigraph=True)
    except Exception as exc:  # noqa: BLE001 - networkx raises several kinds for malformed XML
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise DocumentError(f"{path}: not a readable GraphML file: {reason}") from None
    return from_networkx(g, str(path))


register(FileFormat("graphml", "GraphML", (".graphml",), read=read, write=write,
                    keeps="the graph with its values and gradients, not view settings",
                    order=2))
