"""The computation graph: variables ``u_i = f_i(parents)`` on a networkx ``MultiDiGraph``.

Every node is a variable, as the lectures define it:

* an **input** (a leaf with a value, a Python float or a numpy array), optionally trainable;
* a **constant** (a leaf with a value that gets no gradient, such as the ``2`` in ``e + 2``);
* an **op** node, the registry op (:mod:`graphstudio.core.ops`) applied to its parents.

Edges run parent -> child and carry the argument position as both the edge key and the
``port`` attribute, so ``a - b`` is not ``b - a`` and ``x * x`` is two parallel edges.
The graph stays acyclic: :meth:`Graph.connect` refuses an edge that would close a cycle.

The graph announces every change to its listeners (``graph.subscribe(fn)``), with an event
name and keyword details; the Qt scene follows these announcements, and nothing in this module
knows about Qt. Results of evaluation are *not* stored here (see :mod:`graphstudio.core.engine`).

>>> g = Graph()
>>> a = g.add_input("a", 2.0)
>>> z = g.add_op("mul", [a, a], name="z")
>>> g.parents(z)
[0, 0]
"""

from __future__ import annotations

import itertools
import keyword
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import networkx as nx
import numpy as np

from .numbers import format_value
from .ops import LEAF_KINDS, NUMBER_WORDS, Value, get_op, reserved_name

__all__ = ["Graph", "GraphError", "GraphState", "as_value"]


class GraphError(ValueError):
    """An edit the graph refuses (a cycle, an occupied port, a duplicate name...)."""


def as_value(value: Any) -> Value:
    """Normalise a value: a Python float for scalars, a float64 numpy array otherwise."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        value = float(value)
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return float(arr)
    return arr


Listener = Callable[..., None]


class Graph:
    """A computation graph. Node ids are ints, stable for the life of the graph."""

    def __init__(self) -> None:
        self.g = nx.MultiDiGraph()
        self._ids = itertools.count()
        self._seq = itertools.count()  # order of assignment, for the default output
        self._names: dict[str, int] = {}
        self._listeners: list[Listener] = []
        self.output: int | None = None  # the chosen output; None = default
        #: Graph-wide settings read from a file, e.g. ``meta["dataset"]``: the CSV file (a path
        #: relative to the graph's file) whose columns the ``data`` inputs are bound to.
        self.meta: dict[str, Any] = {}

    # ---- change announcements -------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event, **details)`` after every change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, event: str, **details: Any) -> None:
        for listener in list(self._listeners):
            listener(event, **details)

    # ---- building ---------------------------------------------------------------------------

    def add_node(
        self,
        op: str,
        *,
        name: str | None = None,
        value: Any = None,
        pos: tuple[float, float] | None = None,
        node_id: int | None = None,
        **attrs: Any,
    ) -> int:
        """Add a node of kind ``op`` (``"input"``, ``"const"`` or a registry op name)."""
        if op not in LEAF_KINDS:
            get_op(op)
        if name is not None:
            self._check_name(name)
        if node_id is None:
            node_id = next(self._ids)
        else:
            if node_id in self.g:
                raise GraphError(f"node id {node_id} is already used")
            # keep the counter ahead of explicit ids (documents loaded from disk)
            self._ids = itertools.count(max(node_id + 1, next(self._ids)))
        data = {"op": op, "name": name, "seq": next(self._seq), **attrs}
        if op in LEAF_KINDS:
            data["value"] = as_value(value)
        if pos is not None:
            data["pos"] = (float(pos[0]), float(pos[1]))
        self.g.add_node(node_id, **data)
        if name is not None:
            self._names[name] = node_id
        self._emit("node_added", node=node_id)
        return node_id

    def add_input(self, name: str | None, value: Any = 0.0, **attrs: Any) -> int:
        return self.add_node("input", name=name, value=value, **attrs)

    def add_const(self, value: Any, **attrs: Any) -> int:
        return self.add_node("const", value=value, **attrs)

    def add_op(self, op: str, args: Iterable[int], name: str | None = None, **attrs: Any) -> int:
        """Add op node ``op(args...)``, wired port by port. A new child cannot close a cycle."""
        args = list(args)
        entry = get_op(op)
        if len(args) not in entry.arity:
            raise GraphError(f"{op} takes {_arity_text(entry.arity)}, not {len(args)}")
        for a in args:
            if a not in self.g:
                raise GraphError(f"no node {a}")
        node = self.add_node(op, name=name, **attrs)
        for port, a in enumerate(args):
            self.g.add_edge(a, node, key=port, port=port)
            self._emit("edge_added", src=a, dst=node, port=port)
        return node

    def connect(self, src: int, dst: int, port: int) -> None:
        """Feed ``src`` into argument ``port`` of ``dst``; refuses cycles and occupied ports."""
        for n in (src, dst):
            if n not in self.g:
                raise GraphError(f"no node {n}")
        kind = self.g.nodes[dst]["op"]
        if kind in LEAF_KINDS:
            raise GraphError(f"{self.label(dst)} is an {kind} and takes no arguments")
        arity = get_op(kind).arity
        if port < 0 or port >= max(arity):
            raise GraphError(f"{self.label(dst)} ({kind}) has no argument {port + 1}")
        if self.parent_at(dst, port) is not None:
            raise GraphError(
                f"argument {port + 1} of {self.label(dst)} is already connected to "
                f"{self.label(self.parent_at(dst, port))}"
            )
        if src == dst or nx.has_path(self.g, dst, src):
            raise GraphError(
                f"connecting {self.label(src)} to {self.label(dst)} would close a cycle: "
                f"{self.label(src)} already depends on {self.label(dst)}"
            )
        self.g.add_edge(src, dst, key=port, port=port)
        self._emit("edge_added", src=src, dst=dst, port=port)

    def disconnect(self, dst: int, port: int) -> int | None:
        """Remove the edge into argument ``port`` of ``dst``; returns its source."""
        src = self.parent_at(dst, port)
        if src is None:
            return None
        self.g.remove_edge(src, dst, key=port)
        self._emit("edge_removed", src=src, dst=dst, port=port)
        return src

    def remove_node(self, node: int) -> None:
        if node not in self.g:
            raise GraphError(f"no node {node}")
        for src, dst, port in list(self.in_edges(node)) + list(self.out_edges(node)):
            self.g.remove_edge(src, dst, key=port)
            self._emit("edge_removed", src=src, dst=dst, port=port)
        name = self.g.nodes[node]["name"]
        if name is not None:
            self._names.pop(name, None)
        self.g.remove_node(node)
        if self.output == node:
            self.output = None
        self._emit("node_removed", node=node)

    # ---- editing attributes -----------------------------------------------------------------

    def set_value(self, node: int, value: Any) -> None:
        if self.g.nodes[node]["op"] not in LEAF_KINDS:
            raise GraphError(f"{self.label(node)} is computed by {self.op(node)}; it has no value to set")
        self.g.nodes[node]["value"] = as_value(value)
        self._emit("value_changed", node=node)

    def rename(self, node: int, name: str | None) -> None:
        old = self.g.nodes[node]["name"]
        if name == old:
            return
        if name is not None:
            self._check_name(name)
        if old is not None:
            self._names.pop(old, None)
        self.g.nodes[node]["name"] = name
        if name is not None:
            self._names[name] = node
        self._emit("node_changed", node=node, attr="name")

    def set_op(self, node: int, op: str) -> None:
        """Change a node's op; arguments beyond the new op's arity are disconnected first."""
        if op not in LEAF_KINDS:
            entry = get_op(op)
            for src, dst, port in list(self.in_edges(node)):
                if port >= max(entry.arity):
                    self.disconnect(node, port)
        else:
            for _src, _dst, port in list(self.in_edges(node)):
                self.disconnect(node, port)
        data = self.g.nodes[node]
        data["op"] = op
        if op in LEAF_KINDS:
            data.setdefault("value", 0.0)
            if data["value"] is None:
                data["value"] = 0.0
        else:
            data.pop("value", None)
        self._emit("node_changed", node=node, attr="op")

    def set_position(self, node: int, pos: tuple[float, float]) -> None:
        self.g.nodes[node]["pos"] = (float(pos[0]), float(pos[1]))
        self._emit("node_moved", node=node)

    def set_attr(self, node: int, attr: str, value: Any) -> None:
        """Set another attribute (``trainable``, ``data``...)."""
        self.g.nodes[node][attr] = value
        self._emit("node_changed", node=node, attr=attr)

    def set_output(self, node: int | None) -> None:
        if node is not None and node not in self.g:
            raise GraphError(f"no node {node}")
        self.output = node
        self._emit("output_changed", node=node)

    def _check_name(self, name: str) -> None:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise GraphError(f"{name!r} is not a valid name: use letters, digits and _")
        if name in NUMBER_WORDS:
            raise GraphError(f"{name!r} is a number in the .gs format; choose another name")
        if reserved_name(name):
            raise GraphError(f"{name!r} is the name of a function; choose another name")
        if name in self._names:
            raise GraphError(f"the name {name!r} is already used")

    # ---- reading ----------------------------------------------------------------------------

    def __contains__(self, node: object) -> bool:
        return node in self.g

    def __len__(self) -> int:
        return self.g.number_of_nodes()

    def nodes(self) -> list[int]:
        return list(self.g.nodes)

    def data(self, node: int) -> dict:
        return self.g.nodes[node]

    def op(self, node: int) -> str:
        return self.g.nodes[node]["op"]

    def name(self, node: int) -> str | None:
        return self.g.nodes[node]["name"]

    def value(self, node: int) -> Value:
        return self.g.nodes[node].get("value")

    def position(self, node: int) -> tuple[float, float] | None:
        return self.g.nodes[node].get("pos")

    def is_leaf(self, node: int) -> bool:
        return self.g.nodes[node]["op"] in LEAF_KINDS

    def by_name(self, name: str) -> int:
        try:
            return self._names[name]
        except KeyError:
            raise GraphError(f"no node named {name!r}") from None

    def find(self, name_or_id: str | int) -> int:
        """A node by name, or by id written as a number or ``u<id>``."""
        if isinstance(name_or_id, int):
            if name_or_id in self.g:
                return name_or_id
            raise GraphError(f"no node {name_or_id}")
        if name_or_id in self._names:
            return self._names[name_or_id]
        text = name_or_id[1:] if name_or_id.startswith("u") else name_or_id
        if text.isdigit() and int(text) in self.g:
            return int(text)
        raise GraphError(f"no node named {name_or_id!r}")

    def names(self) -> dict[str, int]:
        return dict(self._names)

    def label(self, node: int) -> str:
        """The display name: the node's name, the value of a constant, else ``u<id>``."""
        data = self.g.nodes[node]
        if data["name"] is not None:
            return data["name"]
        if data["op"] == "const":
            return format_value(data.get("value"))
        return f"u{node}"

    def in_edges(self, node: int) -> list[tuple[int, int, int]]:
        return [(s, d, k) for s, d, k in self.g.in_edges(node, keys=True)]

    def out_edges(self, node: int) -> list[tuple[int, int, int]]:
        return [(s, d, k) for s, d, k in self.g.out_edges(node, keys=True)]

    def edges(self) -> list[tuple[int, int, int]]:
        """Every edge as ``(parent, child, port)``."""
        return [(s, d, k) for s, d, k in self.g.edges(keys=True)]

    def parent_at(self, node: int, port: int) -> int | None:
        for src, _dst, key in self.g.in_edges(node, keys=True):
            if key == port:
                return src
        return None

    def parents(self, node: int) -> list[int | None]:
        """Parents by port; ``None`` where a port of the op is not connected."""
        data = self.g.nodes[node]
        if data["op"] in LEAF_KINDS:
            return []
        by_port = {k: s for s, _d, k in self.g.in_edges(node, keys=True)}
        arity = get_op(data["op"]).arity
        count = max(by_port, default=-1) + 1
        count = max(count, min(arity))
        return [by_port.get(p) for p in range(count)]

    def children(self, node: int) -> list[int]:
        return list(dict.fromkeys(d for _s, d in self.g.out_edges(node)))

    def sinks(self) -> list[int]:
        """Op nodes that feed nothing."""
        nodes = self.g.nodes
        return [n for n, nbrs in self.g.adjacency() if not nbrs and nodes[n]["op"] not in LEAF_KINDS]

    def inputs(self) -> list[int]:
        """Input nodes (not constants), in assignment order."""
        ins = [n for n, d in self.g.nodes(data=True) if d["op"] == "input"]
        return sorted(ins, key=lambda n: self.g.nodes[n]["seq"])

    def topological_order(self) -> list[int]:
        """Nodes with every parent before its children; iterative, ties by assignment order.

        Graphs are usually built parents first, so assignment order is already topological;
        that is checked in one linear pass (it is then exactly the lexicographical order),
        and only a graph wired against assignment order pays for the general sort."""
        data = self.g._node  # the raw dict: the public view costs a call per lookup
        order = sorted(data, key=lambda n: data[n]["seq"])
        rank = {n: i for i, n in enumerate(order)}
        pred = self.g._pred
        for n in order:
            r = rank[n]
            for p in pred[n]:
                if rank[p] >= r:
                    return list(nx.lexicographical_topological_sort(
                        self.g, key=lambda m: data[m]["seq"]))
        return order

    def default_output(self) -> int | None:
        """The chosen output; else the only sink; else the last assigned name."""
        if self.output is not None and self.output in self.g:
            return self.output
        sinks = self.sinks()
        if len(sinks) == 1:
            return sinks[0]
        named = [n for n, d in self.g.nodes(data=True) if d["name"] is not None]
        if named:
            return max(named, key=lambda n: self.g.nodes[n]["seq"])
        if sinks:
            return max(sinks, key=lambda n: self.g.nodes[n]["seq"])
        return None

    def copy(self) -> "Graph":
        """An independent copy with the same ids (listeners are not copied)."""
        other = Graph()
        other.g = self.g.copy()
        for n in other.g.nodes:
            d = other.g.nodes[n]
            if isinstance(d.get("value"), np.ndarray):
                d["value"] = d["value"].copy()
        other._names = dict(self._names)
        top = max(self.g.nodes, default=-1) + 1
        other._ids = itertools.count(max(top, _peek(self, "_ids")))
        other._seq = itertools.count(_peek(self, "_seq"))
        other.output = self.output
        other.meta = dict(self.meta)
        return other

    def state(self) -> "GraphState":
        """What :meth:`restore` needs to bring the graph back to how it is now (cheap: the
        node dictionaries are copied, values are shared, since edits replace them)."""
        return GraphState({n: dict(d) for n, d in self.g.nodes(data=True)}, set(self.edges()),
                          self.output, dict(self.meta))

    def restore(self, state: "GraphState") -> None:
        """Bring the graph back to ``state`` in place, changing only what differs, through the
        same methods as any edit, so that every listener hears of each change."""
        for src, dst, port in self.edges():
            if (src, dst, port) not in state.edges:
                self.disconnect(dst, port)
        for n in self.nodes():
            if n not in state.nodes:
                self.remove_node(n)
        for n in self.nodes():  # free the names that move, so none is "already used"
            if self.name(n) is not None and self.name(n) != state.nodes[n]["name"]:
                self.rename(n, None)
        for n, saved in state.nodes.items():
            rest = {k: v for k, v in saved.items() if k not in ("op", "name", "value", "pos", "seq")}
            if n not in self.g:
                self.add_node(saved["op"], name=saved["name"], value=saved.get("value"),
                              pos=saved.get("pos"), node_id=n, **rest)
                self.g.nodes[n]["seq"] = saved["seq"]
                continue
            data = self.g.nodes[n]
            if data["op"] != saved["op"]:
                self.set_op(n, saved["op"])
            if data["name"] != saved["name"]:
                self.rename(n, saved["name"])
            if saved["op"] in LEAF_KINDS and data.get("value") is not saved.get("value"):
                self.set_value(n, saved.get("value"))
            if saved.get("pos") is not None and data.get("pos") != saved["pos"]:
                self.set_position(n, saved["pos"])
            elif saved.get("pos") is None and "pos" in data:
                del data["pos"]
                self._emit("node_moved", node=n)
            for key in set(data) - {"op", "name", "value", "pos", "seq"} | set(rest):
                if key not in rest:
                    del data[key]
                    self._emit("node_changed", node=n, attr=key)
                elif data.get(key) != rest[key]:
                    self.set_attr(n, key, rest[key])
            data["seq"] = saved["seq"]
        for src, dst, port in state.edges - set(self.edges()):
            self.connect(src, dst, port)
        if self.output != state.output:
            self.set_output(state.output)
        self.meta.clear()
        self.meta.update(state.meta)


@dataclass(frozen=True)
class GraphState:
    """A graph's content at one moment (see :meth:`Graph.state`)."""

    nodes: dict[int, dict]
    edges: set[tuple[int, int, int]]
    output: int | None
    meta: dict


def _peek(graph: Graph, attr: str) -> int:
    """Read an itertools counter without advancing it."""
    counter = getattr(graph, attr)
    value = next(counter)
    setattr(graph, attr, itertools.count(value))
    return value


def _arity_text(arity: tuple[int, ...]) -> str:
    words = " or ".join(str(a) for a in arity)
    return f"{words} argument" + ("" if arity == (1,) else "s")
