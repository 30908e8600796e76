"""GraphML (``.graphml``, :mod:`graphstudio.io.interop`): for graph tools such as yEd, Gephi
and networkx; it keeps the nodes with every saved field and the edges with their ports, and
is read back through the JSON document's checks."""

from __future__ import annotations

from .. import interop
from . import FileFormat, register


def write(path, graph, view) -> None:
    interop.write_graphml(graph, path)


register(FileFormat("graphml", "GraphML", (".graphml",), read=interop.read_graphml, write=write,
                    keeps="the graph, not view settings", order=2))
