"""The computation graph: variables ``u_i = f_i(parents)`` on a networkx ``MultiDiGraph``.

Every node is a variable, as the lectures define it:

* an **input** (a leaf with a value, a Python float or a numpy array), optionally trainable;
* a **constant** (a leaf with a value that gets no gradient, such as the ``2`` in ``e + 2``);
* an **op** node, the registry op (:mod:`graphstudio.core.ops`) applied to its parents.

Edges run parent -> child and carry the argument position as the edge's key (the port), so
``a - b`` is not ``b - a`` and ``x * x`` is two parallel edges. (Their attribute dicts stay
empty: a million edges take 120 MB less than with the port written there again.)
The graph stays acyclic: :meth:`Graph.connect` refuses an edge that would close a cycle.

Each node is one immutable :class:`~graphstudio.core.node.Node` record (``graph.node(n)``).
The graph is the only writer: its attributes are read-only from outside (``graph.output``,
``graph.meta``, a read-only networkx view ``graph.g`` for core algorithms), and every change
goes through a method here that announces it to the listeners (``graph.subscribe(fn)``) as an
event object (:mod:`graphstudio.core.events`); the Qt scene follows these announcements, and
nothing in this module knows about Qt. Results of evaluation are *not* stored here (see
:mod:`graphstudio.core.engine`).

>>> g = Graph()
>>> a = g.add_input("a", 2.0)
>>> z = g.add_op("mul", [a, a], name="z")
>>> g.parents(z)
[0, 0]
"""

from __future__ import annotations

import keyword
import threading
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np

from .events import (EdgeAdded, EdgeRemoved, GraphEvent, GroupChanged, MetaChanged, NodeAdded,
                     NodeChanged, NodeMoved, NodeRemoved, NodesAdded, OutputChanged, ValueChanged)
from .groups import Group, group_problem
from .node import FIELDS, SETTABLE_FIELDS, Node, new_node, new_op_node
from .numbers import format_value
from .ops import LEAF_KINDS, NUMBER_WORDS, OPS, Value, arity_words, get_op, reserved_name

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Graph", "GraphError", "GraphState", "Bulk", "as_value"]


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


def _frozen_value(value: Any) -> Value:
    """A value as a node keeps it: :func:`as_value`, and an array is a read-only copy, so
    neither the caller nor anyone reading the node can change it behind the model's back."""
    v = as_value(value)
    if isinstance(v, np.ndarray):
        if v.flags.writeable or v.base is not None:
            v = v.copy()
        v.flags.writeable = False
    return v


def _field_value(field: str, value: Any) -> Any:
    """A settable field's value as the record keeps it (lists of columns become tuples)."""
    if field == "source":
        return None if value is None else (int(value[0]), int(value[1]))
    if field not in SETTABLE_FIELDS:
        raise GraphError(f"a node has no field {field!r}")
    if field == "data" and isinstance(value, list):
        return tuple(value)
    if field == "seed":
        return _frozen_value(value)
    return value


def _params_for(op: str, value: Any) -> Any:
    """The ``params`` a node of kind ``op`` holds for ``value``: checked against the op's kind
    of parameter (its default for None); None for an op without parameters."""
    kind = None if op in LEAF_KINDS else get_op(op).params
    if kind is None:
        if value is not None:
            raise GraphError(f"{op} takes no parameter")
        return None
    if value is None:
        return kind.default
    problem = kind.check(value)
    if problem:
        raise GraphError(problem)
    return value


Listener = Callable[[GraphEvent], None]


_STRUCTURE_LOCK = threading.Lock()  # see Graph._g


class _LeafAdders:
    """``add_input`` and ``add_const``, for a graph and a bulk alike (each has ``add_node``)."""

    def add_input(self, name: str | None, value: Any = 0.0, **fields: Any) -> int:
        return self.add_node("input", name=name, value=value, **fields)

    def add_const(self, value: Any, **fields: Any) -> int:
        return self.add_node("const", value=value, **fields)


class Graph(_LeafAdders):
    """A computation graph. Node ids are ints, stable for the life of the graph."""

    def __init__(self) -> None:
        self._nx: nx.MultiDiGraph | None = None  # the structure, made when first read (read
        # it as _g); the nodes' attributes are in _records
        #: nodes and edges added in bulk and not yet in networkx (see _g), or None
        self._pending: tuple[list[int], list[tuple[int, int, int]]] | None = None
        self._records: dict[int, Node] = {}
        self._next_id = 0
        self._next_seq = 0  # order of assignment, for the default output
        self._structure_version = 0  # see structure_version
        #: facts read off the structure (parents, ancestors), by kind and node, valid for
        #: the structure version they were found at (see _kept)
        self._kept_facts: tuple[int, dict[str, dict]] = (-1, {})
        self._names: dict[str, int] = {}
        self._listeners: list[Listener] = []
        self._output: int | None = None  # the chosen output; None = default
        self._meta: dict[str, Any] = {}
        self._groups: dict[int, Group] = {}  # see core/groups.py
        self._group_of: dict[int, int] = {}  # member node -> its group
        self._next_group = 0

    @property
    def output(self) -> int | None:
        """The chosen output node (None: the default, see :meth:`default_output`);
        change it with :meth:`set_output`."""
        return self._output

    @property
    def meta(self) -> Mapping[str, Any]:
        """Graph-wide settings read from a file (read-only; change them with
        :meth:`set_meta`), e.g. ``meta["dataset"]``: the CSV file (a path relative to the
        graph's file) whose columns the ``data`` inputs are bound to."""
        return MappingProxyType(self._meta)

    @property
    def structure_version(self) -> int:
        """A number that changes whenever a node or an edge is added or removed or a node's op
        changes, and only then: what the engine caches a compiled graph by (a new value, a
        name or a move leaves it alone)."""
        return self._structure_version

    @property
    def _g(self) -> nx.MultiDiGraph:
        """The networkx structure, with every node and edge added so far.

        Nodes added in bulk (:meth:`bulk`) go into networkx when it is first asked for, not
        when they are added: ``graphstudio eval`` of a file reads it into a graph, compiles
        and evaluates it from the records and the edge list (:meth:`edge_list`), and never
        needs networkx's dicts, which would take half its time and memory on a large graph."""
        if self._pending is None and self._nx is not None:
            return self._nx
        with _STRUCTURE_LOCK:  # two threads asking first must not both build it, nor may one
            # read it half built: the pending list is dropped only once networkx has it all
            if self._nx is None:
                import networkx as nx  # (imported here: ``eval`` of a file needs none of it)

                self._nx = nx.MultiDiGraph()
            pending = self._pending
            if pending is not None:
                nodes, edges = pending
                self._nx.add_nodes_from(nodes)
                add_edge = self._nx.add_edge  # (networkx's add_edges_from calls it per edge)
                for s, d, p in edges:
                    add_edge(s, d, p)
                self._pending = None
        return self._nx

    def edge_list(self) -> list[tuple[int, int, int]] | None:
        """Every edge as ``(parent, child, port)`` in the order they were added, when the
        graph was built in bulk and nothing else has read its structure yet (networkx does not
        hold it yet); else None (read :meth:`edges` or :attr:`g`). The graph's own list: read
        it, never change it."""
        pending = self._pending
        return pending[1] if pending is not None and not self._nx else None  # (None or empty)

    @property
    def g(self) -> nx.MultiDiGraph:
        """The structure as a read-only networkx view, for core algorithms (ancestors,
        descendants); node attributes are not in it (see :meth:`node`)."""
        return self._g.copy(as_view=True)

    # ---- change announcements -------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event)`` after every change, with a
        :class:`~graphstudio.core.events.GraphEvent`."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, event: GraphEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    # ---- building ---------------------------------------------------------------------------

    def add_node(
        self,
        op: str,
        *,
        name: str | None = None,
        value: Any = None,
        pos: tuple[float, float] | None = None,
        node_id: int | None = None,
        **fields: Any,
    ) -> int:
        """Add a node of kind ``op`` (``"input"``, ``"const"`` or a registry op name); other
        :class:`~graphstudio.core.node.Node` fields (``trainable``, ``data``...) by keyword."""
        record = _new_record(op, name, value, pos, self._next_seq, fields)
        self._next_seq += 1
        return self._insert(record, node_id)

    def restore(self, node_id: int, record: Node) -> None:
        """Put back a node exactly as ``record`` has it, under its old id and order of
        assignment (undoing a delete, or applying nodes built on a copy)."""
        # keep the order counter ahead of the record's, as for ids: a node added later must
        # come after it (a tie would make the order depend on the order of insertion)
        self._next_seq = max(record.seq + 1, self._next_seq)
        self._insert(record, node_id)

    def _insert(self, record: Node, node_id: int | None) -> int:
        if record.name is not None:
            self._check_name(record.name)
        if node_id is None:
            node_id = self._next_id
            self._next_id += 1
        else:
            if node_id in self._g:
                raise GraphError(f"node id {node_id} is already used")
            # keep the counter ahead of explicit ids (documents loaded from disk)
            self._next_id = max(node_id + 1, self._next_id)
        self._g.add_node(node_id)
        self._structure_version += 1
        self._records[node_id] = record
        if record.name is not None:
            self._names[record.name] = node_id
        if self._listeners:
            self._emit(NodeAdded(node_id))
        return node_id

    def add_op(self, op: str, args: Iterable[int], name: str | None = None, **fields: Any) -> int:
        """Add op node ``op(args...)``, wired port by port. A new child cannot close a cycle."""
        args = list(args)
        _check_args(op, args, self._records)
        node = self.add_node(op, name=name, **fields)
        for port, a in enumerate(args):
            self._g.add_edge(a, node, key=port)
            self._structure_version += 1  # (a listener may have read the new node's parents)
            if self._listeners:
                self._emit(EdgeAdded(a, node, port))
        return node

    def bulk(self) -> "Bulk":
        """Add many nodes and their edges in one go, for readers and builders of large graphs:
        ``with graph.bulk() as b: x = b.add_input("x", 1.0); b.add_op("sin", [x])``. The
        graph gets them, with one networkx call for the nodes and one for the edges and one
        :class:`~graphstudio.core.events.NodesAdded`, when the ``with`` block ends, and not at
        all if it raises. The nodes, ids, edges and records are exactly those the same calls
        on the graph itself would make."""
        return Bulk(self)

    def connect(self, src: int, dst: int, port: int) -> None:
        """Feed ``src`` into argument ``port`` of ``dst``; refuses cycles and occupied ports."""
        for n in (src, dst):
            if n not in self._g:
                raise GraphError(f"no node {n}")
        kind = self._records[dst].op
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
        from networkx import has_path

        if src == dst or has_path(self._g, dst, src):
            raise GraphError(
                f"connecting {self.label(src)} to {self.label(dst)} would close a cycle: "
                f"{self.label(src)} already depends on {self.label(dst)}"
            )
        self._g.add_edge(src, dst, key=port)
        self._structure_version += 1
        self._emit(EdgeAdded(src, dst, port))

    def disconnect(self, dst: int, port: int) -> int | None:
        """Remove the edge into argument ``port`` of ``dst``; returns its source."""
        src = self.parent_at(dst, port)
        if src is None:
            return None
        self._g.remove_edge(src, dst, key=port)
        self._structure_version += 1
        self._emit(EdgeRemoved(src, dst, port))
        return src

    def remove_node(self, node: int) -> None:
        if node not in self._g:
            raise GraphError(f"no node {node}")
        for src, dst, port in list(self.in_edges(node)) + list(self.out_edges(node)):
            self._g.remove_edge(src, dst, key=port)
            self._structure_version += 1
            self._emit(EdgeRemoved(src, dst, port))
        name = self._records[node].name
        if name is not None:
            self._names.pop(name, None)
        if node in self._group_of:
            self._leave_group(node)
        self._g.remove_node(node)
        self._structure_version += 1
        del self._records[node]
        if self._output == node:
            self._output = None
        self._emit(NodeRemoved(node))

    # ---- editing attributes -----------------------------------------------------------------

    def _record(self, node: int) -> Node:
        try:
            return self._records[node]
        except KeyError:
            raise GraphError(f"no node {node}") from None

    def set_value(self, node: int, value: Any) -> None:
        record = self._record(node)
        if record.op not in LEAF_KINDS:
            raise GraphError(f"{self.label(node)} is computed by {record.op}; it has no value to set")
        self._records[node] = record._replace(value=_frozen_value(value))
        self._emit(ValueChanged(node))

    def rename(self, node: int, name: str | None) -> None:
        record = self._record(node)
        old = record.name
        if name == old:
            return
        if name is not None:
            self._check_name(name)
        if old is not None:
            self._names.pop(old, None)
        self._records[node] = record._replace(name=name)
        if name is not None:
            self._names[name] = node
        self._emit(NodeChanged(node, ("name",)))

    def set_op(self, node: int, op: str) -> None:
        """Change a node's op; arguments beyond the new op's arity are disconnected first."""
        self._record(node)
        if op not in LEAF_KINDS:
            entry = get_op(op)
            for src, dst, port in list(self.in_edges(node)):
                if port >= max(entry.arity):
                    self.disconnect(node, port)
        else:
            for _src, _dst, port in list(self.in_edges(node)):
                self.disconnect(node, port)
        record = self._records[node]
        if op in LEAF_KINDS:
            value = 0.0 if record.value is None else record.value
        else:
            value = None
        params = record.params if record.op == op else _params_for(op, None)
        self._records[node] = record._replace(op=op, value=value, params=params)
        self._structure_version += 1
        self._emit(NodeChanged(node, ("op", "value", "params")))

    def set_position(self, node: int, pos: tuple[float, float]) -> None:
        record = self._record(node)
        self._records[node] = record._replace(pos=(float(pos[0]), float(pos[1])))
        self._emit(NodeMoved(node))

    def set_attr(self, node: int, attr: str, value: Any) -> None:
        """Set one of the other fields (``trainable``, ``data``, ``onehot``, ``equals``,
        ``params``, ``seed``, ``source``); the name, op, value and position have their own
        setters. A parameter must be of the kind the node's op takes."""
        if attr not in SETTABLE_FIELDS:
            raise GraphError(f"{attr!r} is not a field set_attr changes "
                             f"(those are {', '.join(SETTABLE_FIELDS)})")
        record = self._record(node)
        value = _field_value(attr, value)
        if attr == "params":
            value = _params_for(record.op, value)
            self._structure_version += 1  # the compiled program holds the op with its params
        self._records[node] = record._replace(**{attr: value})
        self._emit(NodeChanged(node, (attr,)))

    def set_output(self, node: int | None) -> None:
        if node is not None and node not in self._g:
            raise GraphError(f"no node {node}")
        self._output = node
        self._emit(OutputChanged(node))

    def set_meta(self, key: str, value: Any) -> None:
        """Set a graph-wide setting (``"dataset"``...); None removes it."""
        if value is None:
            if key not in self._meta:
                return
            del self._meta[key]
        else:
            if self._meta.get(key) == value:
                return
            self._meta[key] = value
        self._emit(MetaChanged(key))

    # ---- groups (core/groups.py) ----------------------------------------------------------

    def add_group(self, name: str, members: Iterable[int], *, collapsed: bool = True,
                  function: str | None = None, params: Iterable[str] = (),
                  args: Iterable[int] = (), group_id: int | None = None) -> int:
        """Make ``members`` a group (refused, with the reason, when they are not one value
        computed from outside: :func:`~graphstudio.core.groups.group_problem`)."""
        members = frozenset(members)
        problem = group_problem(self, members)
        if problem:
            raise GraphError(problem)
        if not isinstance(name, str) or not name.strip():
            raise GraphError("a group needs a name")
        if group_id is None:
            group_id = self._next_group
        elif group_id in self._groups:
            raise GraphError(f"group id {group_id} is already used")
        self._next_group = max(self._next_group, group_id + 1)
        self._groups[group_id] = Group(name, members, bool(collapsed), function, tuple(params),
                                       tuple(args))
        for n in members:
            self._group_of[n] = group_id
        self._emit(GroupChanged(group_id))
        return group_id

    def set_group(self, group_id: int, *, name: str | None = None,
                  collapsed: bool | None = None, function: str | None = None) -> None:
        """Rename a group (and its function, for a group a call made), or collapse or expand
        it."""
        group = self.group(group_id)
        changes: dict[str, Any] = {}
        if name is not None:
            if not name.strip():
                raise GraphError("a group needs a name")
            changes["name"] = name
        if function is not None:
            changes["function"] = function
        if collapsed is not None:
            changes["collapsed"] = bool(collapsed)
        self._groups[group_id] = group._replace(**changes)
        self._emit(GroupChanged(group_id))

    def remove_group(self, group_id: int) -> None:
        """Ungroup: the nodes stay, the group goes."""
        group = self.group(group_id)
        for n in group.members:
            self._group_of.pop(n, None)
        del self._groups[group_id]
        self._emit(GroupChanged(group_id))

    def _leave_group(self, node: int) -> None:
        """A removed node leaves its group; a group left with no op node goes."""
        group_id = self._group_of.pop(node)
        group = self._groups[group_id]
        members = group.members - {node}
        if not any(self._records[n].op not in LEAF_KINDS for n in members if n != node):
            for n in members:
                self._group_of.pop(n, None)
            del self._groups[group_id]
        else:
            self._groups[group_id] = group._replace(members=members)
        self._emit(GroupChanged(group_id))

    def groups(self) -> Mapping[int, Group]:
        """Every group by id, read-only."""
        return MappingProxyType(self._groups)

    def group(self, group_id: int) -> Group:
        try:
            return self._groups[group_id]
        except KeyError:
            raise GraphError(f"no group {group_id}") from None

    def group_of(self, node: int) -> int | None:
        """The group ``node`` is in, or None."""
        return self._group_of.get(node)

    def _check_name(self, name: str) -> None:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise GraphError(f"{name!r} is not a valid name: use letters, digits and _")
        if name in NUMBER_WORDS:
            raise GraphError(f"{name!r} is a number in the .gs format; choose another name")
        if reserved_name(name):
            raise GraphError(f"{name!r} is a word of the expression format; choose another name")
        if name in self._names:
            raise GraphError(f"the name {name!r} is already used")

    def name_problem(self, name: str) -> str | None:
        """Why ``name`` cannot name a new node (not an identifier, a word of the format, taken),
        or None when it can."""
        try:
            self._check_name(name)
        except GraphError as exc:
            return str(exc)
        return None

    # ---- reading ----------------------------------------------------------------------------

    def __contains__(self, node: object) -> bool:
        return node in self._records

    def __len__(self) -> int:
        return len(self._records)

    def nodes(self) -> list[int]:
        return list(self._g.nodes)

    def node(self, node: int) -> Node:
        """The node's record (immutable: change it through the graph's setters)."""
        return self._record(node)

    def records(self) -> Mapping[int, Node]:
        """Every node's record by id, read-only (the engine's compiler reads it in one pass)."""
        return MappingProxyType(self._records)

    def op(self, node: int) -> str:
        return self._record(node).op

    def name(self, node: int) -> str | None:
        return self._record(node).name

    def value(self, node: int) -> Value:
        return self._record(node).value

    def position(self, node: int) -> tuple[float, float] | None:
        return self._record(node).pos

    def is_leaf(self, node: int) -> bool:
        return self._record(node).op in LEAF_KINDS

    def by_name(self, name: str) -> int:
        try:
            return self._names[name]
        except KeyError:
            raise GraphError(f"no node named {name!r}") from None

    def find(self, name_or_id: str | int) -> int:
        """A node by name, or by id written as a number or ``u<id>``."""
        if isinstance(name_or_id, int):
            if name_or_id in self._records:
                return name_or_id
            raise GraphError(f"no node {name_or_id}")
        if name_or_id in self._names:
            return self._names[name_or_id]
        text = name_or_id[1:] if name_or_id.startswith("u") else name_or_id
        if text.isdigit() and int(text) in self._records:
            return int(text)
        raise GraphError(f"no node named {name_or_id!r}")

    def names(self) -> dict[str, int]:
        return dict(self._names)

    def label(self, node: int) -> str:
        """The display name: the node's name, the value of a constant, else ``u<id>``."""
        record = self._record(node)
        if record.name is not None:
            return record.name
        if record.op == "const":
            return format_value(record.value)
        return f"u{node}"

    def in_edges(self, node: int) -> list[tuple[int, int, int]]:
        return [(s, d, k) for s, d, k in self._g.in_edges(node, keys=True)]

    def out_edges(self, node: int) -> list[tuple[int, int, int]]:
        return [(s, d, k) for s, d, k in self._g.out_edges(node, keys=True)]

    def edges(self) -> list[tuple[int, int, int]]:
        """Every edge as ``(parent, child, port)``. Kept until the structure changes: opening a
        graph in the editor asks for them half a dozen times (the layout, the items, the
        group layer), and networkx takes 15 ms to list 7,500 of them."""
        kept = self._kept("edges")
        found = kept.get("all")
        if found is None:
            found = kept["all"] = [(s, d, k) for s, d, k in self._g.edges(keys=True)]
        return list(found)

    def parent_at(self, node: int, port: int) -> int | None:
        for src, _dst, key in self._g.in_edges(node, keys=True):
            if key == port:
                return src
        return None

    def parents(self, node: int) -> list[int | None]:
        """Parents by port; ``None`` where a port of the op is not connected. Kept until the
        structure changes (the canvas asks it of every node at every frame of a training run)."""
        kept = self._kept("parents")
        record = self._record(node)
        hit = kept.get(node)
        if hit is None and _asked_many(kept, self._records):
            self._find_all_parents(kept)
            hit = kept.get(node)
        if hit is not None and hit[0] is record:  # (a record is replaced when its op changes)
            return list(hit[1])
        if record.op in LEAF_KINDS:
            found = ()
        else:
            by_port = {k: s for s, _d, k in self._g.in_edges(node, keys=True)}
            count = max(max(by_port, default=-1) + 1, min(get_op(record.op).arity))
            found = tuple(by_port.get(p) for p in range(count))
        kept[node] = (record, found)
        return list(found)

    def _find_all_parents(self, kept: dict) -> None:
        """Every node's parents by port into ``kept`` (as :meth:`parents` keeps them), from one
        pass over the edge list, once many have been asked for (see :func:`_asked_many`):
        networkx answered node by node (40 ms for 5,000 nodes). A node of an op the registry
        does not know is left to :meth:`parents`, which says so when asked about it."""
        edges = self.edge_list()
        by_child: dict[int, dict[int, int]] = {}
        for src, dst, port in self.edges() if edges is None else edges:
            by_child.setdefault(dst, {})[port] = src  # (a port takes one edge: see connect)
        for n, record in self._records.items():
            if record.op in LEAF_KINDS:
                kept[n] = (record, ())
                continue
            entry = OPS.get(record.op)
            if entry is None:
                continue
            by_port = by_child.get(n, {})
            count = max(max(by_port, default=-1) + 1, min(entry.arity))
            kept[n] = (record, tuple(by_port.get(p) for p in range(count)))

    def _kept(self, kind: str) -> dict:
        """The facts of ``kind`` found so far about the structure as it is now, by node: one
        home for what is worth keeping until a node or an edge is added or removed."""
        version, facts = self._kept_facts
        if version != self._structure_version:
            version, facts = self._kept_facts = (self._structure_version, {})
        found = facts.get(kind)
        if found is None:
            found = facts[kind] = {}
        return found

    def children(self, node: int) -> list[int]:
        """The nodes ``node`` feeds, each once, in the order of its out-edges. Kept until the
        structure changes; once many have been asked for (see :func:`_asked_many`), the rest
        are found in one pass over :meth:`edges` (which lists a node's out-edges together,
        in networkx's order)."""
        kept = self._kept("children")
        found = kept.get(node)
        if found is None:
            if _asked_many(kept, self._records):
                kids: dict[int, dict[int, None]] = {n: {} for n in self._records}
                for src, dst, _port in self.edges():
                    kids[src][dst] = None
                kept.update((n, list(k)) for n, k in kids.items())
                found = kept.get(node)
            if found is None:
                found = kept[node] = list(dict.fromkeys(d for _s, d in self._g.out_edges(node)))
        return list(found)

    def ancestors(self, node: int) -> set[int]:
        """Every node ``node`` depends on (not itself)."""
        from networkx import ancestors

        return ancestors(self._g, node)

    def feeding(self, node: int) -> frozenset[int]:
        """``node`` and every node it depends on: the nodes with a path to it, whose gradient
        of it means something. Kept until the structure changes (the canvas asks it of the
        output at every evaluation)."""
        kept = self._kept("feeding")
        found = kept.get(node)
        if found is None:
            found = kept[node] = frozenset(self.ancestors(node) | {node})
        return found

    def descendants(self, node: int) -> set[int]:
        """Every node that depends on ``node`` (not itself)."""
        from networkx import descendants

        return descendants(self._g, node)

    def sinks(self) -> list[int]:
        """Op nodes that feed nothing."""
        records = self._records
        edges = self.edge_list()
        if edges is not None:  # (without putting the structure into networkx)
            fed = {s for s, _d, _p in edges}
            return [n for n, r in records.items() if n not in fed and r.op not in LEAF_KINDS]
        return [n for n, nbrs in self._g.adjacency() if not nbrs and records[n].op not in LEAF_KINDS]

    def inputs(self) -> list[int]:
        """Input nodes (not constants), in assignment order."""
        records = self._records
        ins = [n for n, r in records.items() if r.op == "input"]
        return sorted(ins, key=lambda n: records[n].seq)

    def in_order(self, nodes: Iterable[int] | None = None) -> list[int]:
        """``nodes`` (default: every node) in the order they were assigned."""
        records = self._records
        return sorted(records if nodes is None else nodes, key=lambda n: records[n].seq)

    def topological_order(self) -> list[int]:
        """Nodes with every parent before its children; iterative, ties by assignment order.

        Graphs are usually built parents first, so assignment order is already topological;
        that is checked in one linear pass (it is then exactly the lexicographical order),
        and only a graph wired against assignment order pays for the general sort."""
        records = self._records
        order = list(records)
        seqs = [r.seq for r in records.values()]
        if seqs != sorted(seqs):  # (most graphs hold them in order already)
            order.sort(key=lambda n: records[n].seq)
        rank = {n: i for i, n in enumerate(order)}
        edges = self.edge_list()
        if edges is not None:  # (without putting the structure into networkx)
            if all(rank[s] < rank[d] for s, d, _p in edges):
                return order
        pred = self._g._pred  # the raw dict: the public view costs a call per lookup
        for n in order:
            r = rank[n]
            for p in pred[n]:
                if rank[p] >= r:
                    from networkx import lexicographical_topological_sort

                    return list(lexicographical_topological_sort(
                        self._g, key=lambda m: records[m].seq))
        return order

    def default_output(self) -> int | None:
        """The chosen output; else the only sink; else the last assigned name."""
        if self._output is not None and self._output in self._records:
            return self._output
        sinks = self.sinks()
        records = self._records
        if len(sinks) == 1:
            return sinks[0]
        named = [n for n, r in records.items() if r.name is not None]
        if named:
            return max(named, key=lambda n: records[n].seq)
        if sinks:
            return max(sinks, key=lambda n: records[n].seq)
        return None

    def copy(self) -> "Graph":
        """An independent copy with the same ids (listeners are not copied; the records are
        shared, which is safe because they cannot change)."""
        other = Graph()
        other._nx = self._g.copy()
        other._records = dict(self._records)
        other._names = dict(self._names)
        other._next_id = self._next_id
        other._next_seq = self._next_seq
        other._output = self._output
        other._meta = dict(self._meta)
        other._groups = dict(self._groups)
        other._group_of = dict(self._group_of)
        other._next_group = self._next_group
        return other

    def snapshot(self) -> "GraphState":
        """What :meth:`revert_to` needs to bring the graph back to how it is now (cheap: the
        records are immutable, so they are shared)."""
        return GraphState(dict(self._records), frozenset(self.edges()), self._output,
                          dict(self._meta), dict(self._groups))

    def revert_to(self, state: "GraphState") -> None:
        """Bring the graph back to ``state`` in place (after an edit that failed half-way),
        changing only what differs and announcing each change, as any edit does."""
        saved = state.records
        for src, dst, port in self.edges():
            if (src, dst, port) not in state.edges:
                self.disconnect(dst, port)
        for n in self.nodes():
            if n not in saved:
                self.remove_node(n)
        for n in self.nodes():  # free the names that move, so that none is "already used"
            if self._records[n].name is not None and self._records[n].name != saved[n].name:
                self.rename(n, None)
        for n, record in saved.items():
            if n not in self._records:
                self.restore(n, record)
                continue
            current = self._records[n]
            if current is record:
                continue
            changed = tuple(f for f in FIELDS if f not in ("value", "pos") and
                            getattr(current, f) != getattr(record, f))
            if record.name is not None and current.name != record.name:
                self._names[record.name] = n
            self._records[n] = record
            if current.value is not record.value:
                self._emit(ValueChanged(n))
            if current.pos != record.pos:
                self._emit(NodeMoved(n))
            if changed:
                self._emit(NodeChanged(n, changed))
        for src, dst, port in state.edges - set(self.edges()):
            self.connect(src, dst, port)
        if self._output != state.output:
            self.set_output(state.output)
        for key in set(self._meta) | set(state.meta):
            self.set_meta(key, state.meta.get(key))
        for gid in list(self._groups):
            if self._groups[gid] != state.groups.get(gid):
                self.remove_group(gid)
        for gid, group in state.groups.items():
            if gid not in self._groups:
                self.restore_group(gid, group)

    def restore_group(self, group_id: int, group: Group) -> None:
        """Put back a group exactly as it was, under its old id (undo): its members must be in
        the graph and in no other group."""
        if group_id in self._groups:
            raise GraphError(f"group id {group_id} is already used")
        for n in group.members:
            if n not in self._records or self._group_of.get(n, group_id) != group_id:
                raise GraphError(f"cannot restore the group {group.name}: node {n} is not free")
        self._groups[group_id] = group
        for n in group.members:
            self._group_of[n] = group_id
        self._next_group = max(self._next_group, group_id + 1)
        self._emit(GroupChanged(group_id))

    def subgraph(self, nodes: Iterable[int]) -> "Graph":
        """A copy holding only ``nodes`` and the edges among them, with the same ids, the
        same settings (``meta``) and no chosen output."""
        keep = set(nodes)
        sub = self.copy()
        for gid, group in self._groups.items():  # a group is kept whole or not at all
            if not group.members <= keep:
                sub.remove_group(gid)
        for n in self.nodes():
            if n not in keep:
                sub.remove_node(n)
        sub._output = None
        return sub


@dataclass(frozen=True)
class GraphState:
    """A graph's content at one moment (see :meth:`Graph.snapshot`)."""

    records: dict[int, Node]
    edges: frozenset[tuple[int, int, int]]
    output: int | None
    meta: dict[str, Any]
    groups: dict[int, Group] = field(default_factory=dict)


def _asked_many(kept: dict, records: dict) -> bool:
    """Whether the structure's facts of a kind have been asked of an eighth of the nodes
    since it last changed: then whoever asks (the layout, the views, the canvas's items) is
    going through all of them, and one pass over every edge finds the rest for less than
    asking networkx node by node; an edit asks of a few nodes, and a pass after each edit
    would cost more than it saves."""
    return len(kept) * 8 > len(records)


def _new_record(op: str, name: str | None, value: Any, pos: tuple[float, float] | None,
                seq: int, fields: dict[str, Any]) -> Node:
    """A new node's record, its op and fields checked (the name is the graph's to check).
    (Readers make a record a node, so this is kept short for the common cases.)"""
    if fields:
        fields = {f: _field_value(f, v) for f, v in fields.items()}
    if op in LEAF_KINDS:
        value = value if type(value) is float else _frozen_value(value)
    else:
        if op not in OPS:
            get_op(op)  # the message
        value = None
    fields = _with_params(op, fields)
    return new_node(op, name, value, None if pos is None else (float(pos[0]), float(pos[1])),
                    seq, fields)


def _with_params(op: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with the ``params`` a node of kind ``op`` holds (checked, or the op's
    default when none is given); unchanged for an op without parameters that is given none."""
    given = fields.get("params") if fields else None
    if given is None and (op in LEAF_KINDS or OPS[op].params is None):
        return fields
    return {**(fields or {}), "params": _params_for(op, given)}


def _check_args(op: str, args: list[int], known: Mapping[int, Node],
                also: Mapping[int, Node] | None = None) -> None:
    """Refuse an op node of the wrong number of arguments, or of arguments that are not nodes
    (of ``known`` or ``also``)."""
    entry = get_op(op)
    if len(args) not in entry.arity:
        raise GraphError(f"{op} takes {arity_words(entry.arity)}, not {len(args)}")
    for a in args:
        if a not in known and (also is None or a not in also):
            raise GraphError(f"no node {a}")


class Bulk(_LeafAdders):
    """Nodes and edges on their way into a graph in one go (see :meth:`Graph.bulk`).

    Its methods are the graph's building methods (``add_node``, ``add_input``, ``add_const``,
    ``add_op``), with the same checks and the same ids, plus ``rename`` and ``set_attr`` for the
    nodes it adds and ``node``/``by_name`` to read them back. Nothing reaches the graph, and
    nobody hears of it, until :meth:`commit` (the end of the ``with`` block); the graph must
    not be changed in the meantime."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._start = (graph._next_id, graph._next_seq)
        self._next_id, self._next_seq = self._start
        self._records: dict[int, Node] = {}  # the new nodes, in order
        self._edges: list[tuple[int, int, int]] = []  # (parent, child, port), in order
        self._names: dict[str, int] = {}
        self._done = False
        self._parent_index: dict[int, list] = {}  # child -> parents by port, for parents()
        self._indexed = 0  # how many of _edges the index holds

    def __enter__(self) -> "Bulk":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.commit()
        self._done = True

    def __len__(self) -> int:
        return len(self._records)

    def add_node(self, op: str, *, name: str | None = None, value: Any = None,
                 pos: tuple[float, float] | None = None, **fields: Any) -> int:
        return self._add(_new_record(op, name, value, pos, self._next_seq, fields))

    def _add(self, record: Node) -> int:
        node = self._next_id
        if record.name is not None:
            self._check_name(record.name)
            self._names[record.name] = node
        self._next_id += 1
        self._next_seq += 1
        self._records[node] = record
        return node

    def add_op(self, op: str, args: Iterable[int], name: str | None = None, **fields: Any) -> int:
        # Readers call this once a node, so the checks are made in line and _check_args is
        # only asked for the message.
        args = list(args)
        records, old = self._records, self._graph._records
        entry = OPS.get(op)
        if entry is None or len(args) not in entry.arity:
            _check_args(op, args, records, old)
        for a in args:
            if a not in records and a not in old:
                _check_args(op, args, records, old)
        if fields:
            fields = {f: _field_value(f, v) for f, v in fields.items()}
        if entry.params is not None or fields:
            fields = _with_params(op, fields)
        node = self._add(new_node(op, name, None, None, self._next_seq, fields))
        edges = self._edges
        for port, a in enumerate(args):
            edges.append((a, node, port))
        return node

    def add_read_op(self, op: str, args: list[int], source: tuple[int, int]) -> int:
        """``add_op(op, args, source=source)`` for a reader of text, which makes a node a
        token: the same node, without the keyword arguments' general path (an op with a
        parameter, or arguments that do not fit, take that path and its messages)."""
        entry = OPS.get(op)
        records = self._records
        if entry is None or entry.params is not None or len(args) not in entry.arity:
            return self.add_op(op, args, source=source)
        for a in args:
            if a not in records and a not in self._graph._records:
                return self.add_op(op, args, source=source)
        node = self._next_id
        self._next_id = node + 1
        if type(source) is not tuple or type(source[0]) is not int or type(source[1]) is not int:
            source = (int(source[0]), int(source[1]))
        records[node] = new_op_node(op, self._next_seq, source)
        self._next_seq += 1
        if len(args) == 1:
            self._edges.append((args[0], node, 0))
        else:
            self._edges.extend([(a, node, port) for port, a in enumerate(args)])
        return node

    def node(self, node: int) -> Node:
        record = self._records.get(node)
        return record if record is not None else self._graph.node(node)

    def by_name(self, name: str) -> int:
        node = self._names.get(name)
        return node if node is not None else self._graph.by_name(name)

    def parents(self, node: int) -> list[int | None]:
        """The node's parents by port (None where unconnected), new nodes and old alike."""
        if node not in self._records:
            return self._graph.parents(node)
        index = self._parent_index
        for parent, child, port in self._edges[self._indexed:]:  # the edges added since
            ports = index.setdefault(child, [])
            ports.extend([None] * (port + 1 - len(ports)))
            ports[port] = parent
        self._indexed = len(self._edges)
        entry = OPS.get(self._records[node].op)
        ports = list(index.get(node, []))
        need = min(entry.arity) if entry is not None else 0
        return ports + [None] * (need - len(ports))

    def __contains__(self, node: object) -> bool:
        return node in self._records or node in self._graph

    def all_nodes(self) -> list[int]:
        """The graph's nodes and the new ones."""
        return self._graph.nodes() + list(self._records)

    def rename(self, node: int, name: str | None) -> None:
        record = self._new(node)
        if name == record.name:
            return
        if name is not None:
            self._check_name(name)
        if record.name is not None:
            del self._names[record.name]
        if name is not None:
            self._names[name] = node
        self._records[node] = record._replace(name=name)

    def set_attr(self, node: int, attr: str, value: Any) -> None:
        if attr not in SETTABLE_FIELDS:
            raise GraphError(f"{attr!r} is not a field set_attr changes "
                             f"(those are {', '.join(SETTABLE_FIELDS)})")
        self._records[node] = self._new(node)._replace(**{attr: _field_value(attr, value)})

    def _new(self, node: int) -> Node:
        try:
            return self._records[node]
        except KeyError:
            raise GraphError(f"node {node} was not added in this bulk") from None

    def _check_name(self, name: str) -> None:
        self._graph._check_name(name)
        if name in self._names:
            raise GraphError(f"the name {name!r} is already used")

    def commit(self) -> list[int]:
        """Put the nodes and edges into the graph and announce them; returns the new ids."""
        graph = self._graph
        if self._done:
            raise GraphError("this bulk has already ended")
        if (graph._next_id, graph._next_seq) != self._start or any(
                name in graph._names for name in self._names):
            raise GraphError("the graph changed while nodes were being added in bulk")
        self._done = True
        nodes = list(self._records)
        if graph._pending is None:  # (networkx gets them when first asked: see Graph._g)
            graph._pending = (nodes, self._edges)
        else:
            graph._pending[0].extend(nodes)
            graph._pending[1].extend(self._edges)
        graph._records.update(self._records)
        graph._names.update(self._names)
        graph._next_id, graph._next_seq = self._next_id, self._next_seq
        graph._structure_version += 1
        if graph._listeners and nodes:
            graph._emit(NodesAdded(tuple(nodes), tuple(self._edges)))
        return nodes

