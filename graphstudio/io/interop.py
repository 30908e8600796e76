"""GraphML and DOT interop.

GraphML goes through networkx (``write_graphml``/``read_graphml``). GraphML attributes are
scalars, so values and positions travel as JSON text and are checked on the way back in
through the JSON document's validation (:func:`graphstudio.io.document.from_json`): a GraphML
file is never trusted more than a document.

DOT is written as plain text (networkx's DOT support needs pydot or pygraphviz, which is a
large dependency for a few lines of output); each node is labelled with its name, op, value
and gradient so Graphviz users get the annotated graph.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from ..core.engine import Evaluation
from ..core.graph import Graph
from ..core.numbers import format_value
from .document import Document, DocumentError, atomic_write_text, from_json, to_json

__all__ = ["write_graphml", "read_graphml", "to_dot"]


def write_graphml(graph: Graph, path: str | Path) -> None:
    doc = to_json(graph)
    g = nx.MultiDiGraph()
    for key in ("dataset", "dataset_csv"):
        if doc.get(key) is not None:
            g.graph[key] = doc[key]
    if doc.get("output") is not None:
        g.graph["output"] = doc["output"]
    for item in doc["nodes"]:
        data = item.get("data") or ""
        g.add_node(item["id"], op=item["op"], name=item["name"] or "",
                   value=json.dumps(item.get("value")), pos=json.dumps(item.get("pos")),
                   trainable=bool(item.get("trainable", False)),
                   data=data if isinstance(data, str) else json.dumps(data),  # a list of columns
                   **{k: item[k] for k in ("onehot", "equals") if k in item})
    for e in doc["edges"]:
        g.add_edge(e["src"], e["dst"], key=e["port"], port=e["port"])
    atomic_write_text(path, "\n".join(nx.generate_graphml(g)) + "\n")


def read_graphml(path: str | Path) -> Document:
    try:
        g = nx.read_graphml(str(path), force_multigraph=True)
    except Exception as exc:  # networkx raises several kinds for malformed XML
        raise DocumentError(f"{path}: not a readable GraphML file: {exc}") from None
    ids = {}
    nodes = []
    for i, (n, d) in enumerate(g.nodes(data=True)):
        ids[n] = i
        try:
            value = json.loads(d.get("value", "null"))
            pos = json.loads(d.get("pos", "null"))
        except json.JSONDecodeError:
            raise DocumentError(f"{path}: node {n}: value or pos is not valid JSON") from None
        item = {"id": i, "op": d.get("op", "input"), "name": d.get("name") or None,
                "value": value, "trainable": bool(d.get("trainable", False))}
        if pos is not None:
            item["pos"] = pos
        if d.get("data"):
            item["data"] = d["data"]
            if d["data"].startswith("["):  # a list of columns, as JSON text
                try:
                    item["data"] = json.loads(d["data"])
                except json.JSONDecodeError:
                    raise DocumentError(f"{path}: node {n}: data is not valid JSON") from None
            for key in ("onehot", "equals"):
                if key in d:
                    item[key] = d[key]
        nodes.append(item)
    edges = [{"src": ids[s], "dst": ids[t], "port": int(d.get("port", k))}
             for s, t, k, d in g.edges(keys=True, data=True)]
    doc = {"format_version": 1, "nodes": nodes, "edges": edges}
    for key in ("dataset", "dataset_csv"):
        if g.graph.get(key) is not None:
            doc[key] = g.graph[key]
    if str(g.graph.get("output")) in ids:
        doc["output"] = ids[str(g.graph["output"])]
    return from_json(doc, str(path))


def _dot_text(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(graph: Graph, ev: Evaluation | None = None) -> str:
    """The graph in Graphviz DOT, left to right, nodes labelled with value and gradient."""
    lines = ["digraph graphstudio {", "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="DejaVu Sans"];']
    for n in graph.topological_order():
        record = graph.node(n)
        parts = [graph.label(n)]
        if not record.is_leaf:
            parts.append(record.op)
        value = ev.values.get(n) if ev else record.value
        if value is not None:
            parts.append(f"= {format_value(value)}")
        if ev is not None and ev.grads.get(n) is not None:
            parts.append(f"grad {format_value(ev.grads[n])}")
        label = "\\n".join(_dot_text(p) for p in parts)  # DOT's own line break escape
        lines.append(f'  n{n} [label="{label}"];')
    for s, t, p in graph.edges():
        lines.append(f'  n{s} -> n{t} [headlabel="{p + 1}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


