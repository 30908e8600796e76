"""GraphStudio graphs as networkx graphs and back: what GraphML and node-link JSON share.

Other graph tools (networkx, Gephi, yEd, D3) see a GraphStudio graph as a directed multigraph
whose nodes and edges carry plain attributes:

=============  ===============================================================================
node id        the node's name, or ``#7`` for an unnamed node (names are identifiers, so the
               two never clash)
``label``      what the node shows, ``e = 8, ∇ 25`` (Gephi and yEd show a ``label``)
``op``         ``input``, ``const`` or an op of the registry (``mul``)
``name``       the name, ``""`` for an unnamed node
``value``      the node's value: a leaf's own, an op's as the forward pass computed it
``grad``       d output / d node, as the backward pass computed it
``x``, ``y``   the position on the canvas (pixels, y downwards)
others         every other saved field that is set (``trainable``, ``data``, ``seed``...)
edge ``port``  the argument the edge feeds, from 0 (``a - b``: ``a`` is 0); the multigraph key
graph          ``output`` (the id of the output, when one is chosen), ``dataset`` (and
               ``dataset_csv`` when the data travels inside), and
               ``grad_of``, the id of the node the gradients are of (a result)
=============  ===============================================================================

**Results are written, not read.** An op's ``value``, every ``grad`` and the ``label`` are
what the two passes computed, written so that other tools show the numbers; a reader ignores
them and computes them again from the graph, so a file edited elsewhere never shows stale
numbers (and a round trip gives every value and gradient back, because the model is kept).

**Exact numbers.** GraphML attributes are scalars, so there a value is text in the ``.gs``
literal form (``3``, ``0.1``, ``[[1, 2], [-3, 4]]``, ``nan``); node-link JSON holds numbers and
nested lists (non-finite numbers as the strings ``"nan"``, ``"inf"``, ``"-inf"``, as the JSON
document writes them).

**Files other tools wrote** are read as far as they map, with a located message for what does
not: an undirected graph, a node with arguments but no ``op``, an op GraphStudio does not know,
a value that is not a number are errors naming the node and the attribute; attributes
GraphStudio has no use for (a colour, a weight, yEd's shapes) are listed in the document's
notes and left out. A node without ``name`` takes its ``label`` as its name when that is a free,
valid name (yEd and Gephi keep names there), else its id when that is one (networkx), else none.
Edges without ``port`` feed their node's arguments in the file's order.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any, Callable, Hashable

from ..core.dataset import dataset_name_problem
from ..core.engine import Evaluation, evaluate
from ..core.graph import Graph
from ..core.numbers import format_literal, format_value
from ..core.ops import LEAF_KINDS, OPS
from ..core.node import SAVED_FIELDS
from .document import (MAX_COORD, VALUE_FIELDS, Document, DocumentError, add_node_json,
                       connect_json, jsonable, node_json)

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["to_networkx", "from_networkx", "node_key", "node_label"]

#: node attributes written for other tools to show, recomputed on reading (an op's value too)
RESULTS = ("label", "grad")


def node_key(graph: Graph, node: int) -> str:
    """The node's id in another tool: its name, or ``#7`` when it has none."""
    name = graph.node(node).name
    return name if name is not None else f"#{node}"


def node_label(graph: Graph, ev: Evaluation | None, node: int) -> str:
    """``e = 8, ∇ 25``: the name (or how the canvas calls the node), its value and gradient;
    a constant's value alone."""
    value = ev.values.get(node) if ev is not None else graph.node(node).value
    if graph.op(node) == "const":
        return format_value(value)
    text = f"{graph.label(node)} = {format_value(value)}"
    grad = ev.grads.get(node) if ev is not None else None
    return text + (f", ∇ {format_value(grad)}" if grad is not None else "")


def _encode(value: Any, text: bool) -> Any:
    """A value for a file: ``.gs`` literal text (``text``) or JSON data."""
    return format_literal(value) if text else jsonable(value)


def to_networkx(graph: Graph, ev: Evaluation | None = None, *, text: bool = False) -> nx.MultiDiGraph:
    """``graph`` as a networkx multigraph with the attributes of the module docstring,
    annotated with ``ev`` (evaluated here when not given). With ``text`` every attribute is a
    scalar (GraphML): values as literal text, lists of columns as JSON text."""
    ev = ev if ev is not None else evaluate(graph)
    import networkx as nx  # (imported here: ``eval`` imports every format, needing none)

    g = nx.MultiDiGraph()
    if graph.output is not None:
        g.graph["output"] = node_key(graph, graph.output)
    if graph.meta.get("dataset"):
        g.graph["dataset"] = graph.meta["dataset"]
    if graph.meta.get("dataset_csv") is not None:
        g.graph["dataset_csv"] = graph.meta["dataset_csv"]
    if ev.output is not None:
        g.graph["grad_of"] = node_key(graph, ev.output)
    for n in graph.in_order():
        record = graph.node(n)
        attrs: dict[str, Any] = {"label": node_label(graph, ev, n), "op": record.op,
                                 "name": record.name or ""}
        value = record.value if record.is_leaf else ev.values.get(n)
        if value is not None:
            attrs["value"] = _encode(value, text)
        if ev.grads.get(n) is not None:
            attrs["grad"] = _encode(ev.grads[n], text)
        if record.pos is not None:
            attrs["x"], attrs["y"] = float(record.pos[0]), float(record.pos[1])
        for key, field in node_json(graph, n).items():  # every other saved field that is set
            if key in ("id", "op", "name", "value", "pos"):
                continue
            if key in VALUE_FIELDS:
                field = _encode(getattr(record, key), text)
            elif text and isinstance(field, list):
                field = json.dumps(field)
            attrs[key] = field
        g.add_node(node_key(graph, n), **attrs)
    for s, d, p in sorted(graph.edges(), key=lambda e: (e[1], e[2])):
        g.add_edge(node_key(graph, s), node_key(graph, d), key=p, port=p)
    return g


# ---- reading --------------------------------------------------------------------------------------

_WORDS = re.compile(r'(?<!["\w])-?(?:nan|inf)(?![\w"])')


def _decode_value(value: Any, at: str) -> Any:
    """A value as a file holds it (a number, a list, or text: ``3``, ``[1, 2]``, ``nan``, JSON
    as older GraphStudio wrote it) as JSON data for the document's checks."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(_WORDS.sub(lambda m: f'"{m.group(0)}"', value.strip()))
    except (json.JSONDecodeError, RecursionError, ValueError):
        raise DocumentError(f"{at}: expected a number or a list of numbers, found "
                            f"{value[:40]!r}") from None


def _number(value: Any, at: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not abs(number) <= MAX_COORD:
        raise DocumentError(f"{at}: expected a number within ±{MAX_COORD:,.0f}, found "
                            f"{str(value)[:40]!r}")
    return number


def _where(source: str, what: str) -> Callable[[str | None], str]:
    return lambda attr=None: f"{source}: {what}" + (f", attribute {attr!r}" if attr else "")


def _node_item(i: int, attrs: dict[str, Any], at: Callable[[str | None], str],
               has_parents: bool, ignored: Counter) -> dict[str, Any]:
    """The document's JSON object for one node read from another tool's attributes."""
    op = attrs.get("op")
    if op is None:
        if has_parents:
            raise DocumentError(f"{at(None)}: it has arguments (edges into it) but no attribute "
                                "'op', so GraphStudio cannot tell what it computes (add op: "
                                "add, mul, tanh...)")
        op = "input"
    item: dict[str, Any] = {"id": i, "op": op}
    for key, value in attrs.items():
        if key in ("op", "name") or key in RESULTS:
            continue
        if key == "value" and op not in LEAF_KINDS:  # an op's value is a result
            continue
        if key in VALUE_FIELDS or key == "pos":  # pos: GraphStudio 0.x wrote [x, y] as JSON
            item[key] = _decode_value(value, at(key))
        elif key in ("x", "y"):
            pass
        elif key in SAVED_FIELDS:
            is_list = isinstance(value, str) and value.startswith("[")  # columns as JSON text
            item[key] = _decode_value(value, at(key)) if is_list else value
        else:
            ignored[f"node attribute {key}"] += 1
    if "x" in attrs and "y" in attrs:
        item["pos"] = [_number(attrs["x"], at("x")), _number(attrs["y"], at("y"))]
    return item


def _name_for(graph: Graph, key: Hashable, attrs: dict[str, Any]) -> str | None:
    """A node's name: its ``name`` attribute, else a free valid name from its label or id."""
    if "name" in attrs:
        return attrs["name"] or None
    for candidate in (attrs.get("label"), key):
        if isinstance(candidate, str) and graph.name_problem(candidate) is None:
            return candidate
    return None


def from_networkx(g: nx.Graph, source: str) -> Document:
    """The graph another tool (or GraphStudio) wrote, read as the module docstring says.
    Raises :class:`DocumentError` naming the node or edge and the attribute."""
    if not g.is_directed():
        raise DocumentError(f"{source}: the graph is undirected; a computation graph's edges run "
                            "from each argument to the op that uses it")
    graph = Graph()
    ids: dict[Hashable, int] = {}
    ignored: Counter = Counter()
    notes: list[str] = []
    parents = {n for _, n in g.edges()}
    for i, (key, attrs) in enumerate(g.nodes(data=True)):
        label = attrs.get("label")
        shown = f" (label {label[:40]!r})" if "name" not in attrs and isinstance(label, str) \
            and label != key else ""
        at = _where(source, f"node {key!r}{shown}")
        item = _node_item(i, attrs, at, key in parents, ignored)
        name = _name_for(graph, key, attrs)
        if name is not None:
            item["name"] = name
        add_node_json(graph, item, at)
        ids[key] = i
    _connect(graph, g, ids, source, ignored, notes)
    _graph_attributes(graph, g, ids, source, ignored, notes)
    missing = [graph.label(n) for n in graph.in_order() if graph.op(n) == "input"
               and graph.node(n).value is None and graph.node(n).data is None]
    if missing:
        notes.append(f"no value in the file for {_few(missing)}: give them one in the editor")
    if ignored:
        notes.append("left out what GraphStudio does not use: " + ", ".join(
            f"{what} ({count}×)" for what, count in sorted(ignored.items())))
    return Document(graph, {}, notes)


def _connect(graph: Graph, g: nx.Graph, ids: dict, source: str, ignored: Counter,
             notes: list[str]) -> None:
    taken: dict[int, set[int]] = {}
    guessed: set[int] = set()
    # into each node in the order the file gives them (networkx keeps it per target)
    edges = [(u, v, d) for node in g for u, v, d in g.in_edges(node, data=True)]
    for u, v, attrs in edges:
        at = _where(source, f"edge {u!r} → {v!r}")
        dst = ids[v]
        port = attrs.get("port")
        if port is None:
            port = min(set(range(len(taken.get(dst, ())) + 1)) - taken.get(dst, set()))
            guessed.add(dst)
        elif isinstance(port, bool) or not isinstance(port, int):
            raise DocumentError(f"{at('port')}: expected a whole number (0 for the first "
                                f"argument), found {str(port)[:40]!r}")
        taken.setdefault(dst, set()).add(port)
        for other in attrs:
            if other != "port" and other not in RESULTS:
                ignored[f"edge attribute {other}"] += 1
        connect_json(graph, {"src": ids[u], "dst": dst, "port": port}, at)
    ordered = [graph.label(n) for n in sorted(guessed)
               if len(graph.parents(n)) > 1 and not OPS[graph.op(n)].commutative]
    if ordered:
        notes.append(f"edges into {_few(ordered)} have no port: their arguments are taken in the "
                     "file's order")


def _graph_attributes(graph: Graph, g: nx.Graph, ids: dict, source: str, ignored: Counter,
                      notes: list[str]) -> None:
    for key, value in g.graph.items():
        if key == "output":
            match = next((k for k in ids if str(k) == str(value)), None)
            if match is None:
                notes.append(f"the output {str(value)[:40]!r} is not a node: the default output "
                             "is differentiated")
            else:
                graph.set_output(ids[match])
        elif key == "dataset":
            problem = (dataset_name_problem(value) if isinstance(value, str) and value
                       else "expected a file name")
            if problem:
                raise DocumentError(f"{source}: graph attribute 'dataset': {problem}")
            graph.set_meta("dataset", value)
        elif key == "dataset_csv":
            if not isinstance(value, str):
                raise DocumentError(f"{source}: graph attribute 'dataset_csv': expected the CSV "
                                    "text of the dataset")
            graph.set_meta("dataset_csv", value)
        elif key not in ("grad_of", "node_default", "edge_default"):  # a result; networkx's own
            ignored[f"graph attribute {key}"] += 1


def _few(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
