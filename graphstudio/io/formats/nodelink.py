"""networkx node-link JSON (``.nodelink.json``): what ``networkx.node_link_data`` writes and
``networkx.node_link_graph`` reads, and what D3's force layouts draw.

::

    {"directed": true, "multigraph": true, "graph": {"output": "a"},
     "nodes": [{"id": "f", "label": "f = 4, ∇ 60", "op": "input", "name": "f", "value": 4.0,
                "grad": 60.0, "x": 0.0, "y": 0.0}, ...],
     "edges": [{"source": "f", "target": "e", "key": 0, "port": 0}, ...]}

The node and edge attributes are those of :mod:`graphstudio.io.nxgraph` (values as numbers and
nested lists, exact; results written for other tools and computed again on reading). Edges are
under ``"edges"``, networkx's name since 3.4 (``nx.node_link_graph(data, edges="edges")``);
a file with ``"links"`` (D3, older networkx) reads too.

**Why ``.nodelink.json``.** A GraphStudio document is ``.json`` too, and the two hold different
things (the document keeps the view settings, node-link keeps what other tools read), so the
name says which one a file is, and Save As and ``graphstudio convert`` pick the format by it
(``--format nodelink`` writes node-link under any name). Reading, the content decides: a
``.json`` file that has no ``format_version`` but has ``nodes`` and ``edges`` or ``links``
(what networkx users save as ``graph.json``) opens as node-link; any other ``.json`` as a
GraphStudio document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


from ...core.textfile import CannotRead, read_text
from ..document import MAX_BYTES, Document, DocumentError, atomic_write_text, parse_json
from ..nxgraph import from_networkx, to_networkx
from . import FileFormat, register


def to_node_link(graph) -> dict[str, Any]:
    """The node-link data of ``graph`` (as ``networkx.node_link_data(..., edges="edges")``
    gives it for :func:`~graphstudio.io.nxgraph.to_networkx`'s graph)."""
    g = to_networkx(graph)
    return {"directed": True, "multigraph": True, "graph": dict(g.graph),
            "nodes": [{"id": n, **attrs} for n, attrs in g.nodes(data=True)],
            "edges": [{"source": s, "target": t, "key": k, **attrs}
                      for s, t, k, attrs in g.edges(keys=True, data=True)]}


def write(path, graph, view) -> None:
    atomic_write_text(path, json.dumps(to_node_link(graph), indent=1, ensure_ascii=False) + "\n")


def _text(path: Path) -> str:
    try:
        return read_text(path, MAX_BYTES)
    except CannotRead as exc:
        raise DocumentError(f"{path}: cannot read the file: {exc.reason}") from None


def sniff(path: Path) -> bool:
    """A node-link file, not a GraphStudio document (which always has a format_version)."""
    try:
        text = _text(path)
    except DocumentError:
        return False  # the document reader says why it cannot be read
    return ('"format_version"' not in text and '"nodes"' in text
            and ('"edges"' in text or '"links"' in text))


def _hashable(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def read(path: Path) -> Document:
    source = str(path)
    data = parse_json(_text(path), source)
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise DocumentError(f"{source}: not a node-link graph (expected an object with a list "
                            "'nodes')")
    key = "edges" if "edges" in data else "links"
    edges = data.get(key, [])
    if not isinstance(edges, list):
        raise DocumentError(f"{source}: '{key}' must be a list")
    import networkx as nx  # (imported here: ``eval`` imports every format, needing none)

    g = nx.MultiDiGraph() if data.get("directed", True) is not False else nx.MultiGraph()
    attrs = data.get("graph") or {}
    if not isinstance(attrs, dict):
        raise DocumentError(f"{source}: 'graph' must be an object")
    g.graph.update(attrs)
    for i, node in enumerate(data["nodes"]):
        if not isinstance(node, dict) or not _hashable(node.get("id")):
            raise DocumentError(f"{source}: nodes[{i}]: expected an object with an 'id' (text or "
                                "a number)")
        if node["id"] in g:
            raise DocumentError(f"{source}: nodes[{i}]: the id {node['id']!r} is used twice")
        g.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
    for i, edge in enumerate(edges):
        if not isinstance(edge, dict):
            raise DocumentError(f"{source}: {key}[{i}]: expected an object")
        for end in ("source", "target"):
            if not _hashable(edge.get(end)) or edge[end] not in g:
                raise DocumentError(f"{source}: {key}[{i}]: {end} {str(edge.get(end))[:40]!r} "
                                    "is not the id of a node")
        g.add_edge(edge["source"], edge["target"],
                   **{k: v for k, v in edge.items() if k not in ("source", "target", "key")})
    return from_networkx(g, source)


register(FileFormat("nodelink", "networkx node-link JSON", (".nodelink.json", ".json"),
                    read=read, write=write, sniff=sniff,
                    keeps="the graph with its values and gradients, not view settings",
                    order=4))
