"""Every edit as an undoable command (QUndoCommand), all in one file.

Each command changes the model (the core graph) and nothing else; the scene follows the model's
announcements. A command runs inside :meth:`GraphDocument.batch`, so one edit is one evaluation.

Commands that add nodes (paste, duplicate, build from an expression) are computed on a *copy* of
the graph first (:func:`diff_command`): parse or paste into the copy, then record what is new.
The copy hands out node ids the real graph has not used, so redo restores exactly the same ids.

:meth:`GraphDocument.push` runs a command once before recording it, so an edit the model refuses
(a cycle, an occupied port, a duplicate name) raises :class:`GraphError` and records nothing.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from PySide6.QtGui import QUndoCommand

from ..core.backward import GRADS_META
from ..core.graph import Graph, GraphError
from ..core.merge import merge_into
from ..core.node import Node
from ..core.ops import OPS, call_arities, reserved_name
from ..io.document import DocumentError, from_json, to_json
from ..io.gs import calls, parse_text
from .document import GraphDocument

__all__ = [
    "Command", "AddNodesCommand", "RemoveNodesCommand", "ConnectCommand", "DisconnectCommand",
    "ReconnectCommand",
    "MoveCommand", "ArrangeCommand", "RenameCommand", "SetValueCommand", "SetOpCommand",
    "SetOutputCommand", "SetAttrCommand", "SetDatasetCommand", "add_node_command",
    "diff_command", "kept_output", "build_command", "clipboard_graph", "paste_command",
    "copy_text",
    "new_input_name",
]

MOVE_ID = 1  # consecutive moves of the same nodes merge
VALUE_ID = 2  # consecutive spin-box steps of one value merge


class Command(QUndoCommand):
    """Base: ``apply``/``revert`` change the graph inside one batch (one evaluation)."""

    def __init__(self, doc: GraphDocument, text: str) -> None:
        super().__init__(text)
        self.doc = doc
        self.done = False  # set by GraphDocument.push after the first, checked run

    @property
    def graph(self) -> Graph:
        return self.doc.graph

    def redo(self) -> None:
        if self.done:
            self.done = False
            return
        with self.doc.batch():
            self.apply()

    def undo(self) -> None:
        with self.doc.batch():
            self.revert()

    def apply(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def revert(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


# ---- node records: what it takes to bring a node back ---------------------------------------

#: a node as it was: its id and its (immutable) record
Saved = tuple[int, Node]


def saved_nodes(graph: Graph, nodes) -> list[Saved]:
    """``nodes`` with their records, in their order of assignment."""
    return [(n, graph.node(n)) for n in graph.in_order(nodes)]


def restore(graph: Graph, records: list[Saved], edges: list[tuple[int, int, int]]) -> None:
    """Put back the nodes of ``records`` with their ids, then the ``edges`` that are missing."""
    for node_id, record in records:
        graph.restore(node_id, record)
    for src, dst, port in edges:
        if graph.parent_at(dst, port) is None:
            graph.connect(src, dst, port)


class AddNodesCommand(Command):
    """Add nodes (with their edges, also to existing nodes) and move existing nodes. With
    ``keep`` (a node id), that node is made the chosen output, so that the new nodes do not
    take the output over (see :func:`kept_output`); :attr:`note` then says so."""

    def __init__(self, doc, text, records: list[Saved], edges, moves=None,
                 keep: int | None = None, groups=None,
                 meta: dict[str, tuple[Any, Any]] | None = None, ungroup=None) -> None:
        super().__init__(doc, text)
        self.groups = groups or {}  # new groups of the new nodes, by id
        self.ungroup = ungroup or {}  # groups it opens (the new nodes use their inner nodes)
        self.records = records
        self.edges = edges
        self.moves: dict[int, tuple[tuple, tuple]] = moves or {}
        self.nodes = [n for n, _record in records]
        self.keep = keep
        self.old_output = doc.graph.output
        self.meta = meta or {}  # graph settings it changes: key -> (old, new)
        self.note = ""

    def apply(self) -> None:
        restore(self.graph, self.records, self.edges)
        for gid, group in self.groups.items():
            self.graph.restore_group(gid, group)
        for gid in self.ungroup:
            self.graph.remove_group(gid)
        for n, (_old, new) in self.moves.items():
            self.graph.set_position(n, new)
        if self.keep is not None:
            self.graph.set_output(self.keep)
        for key, (_old, new) in self.meta.items():
            self.graph.set_meta(key, new)

    def revert(self) -> None:
        for key, (old, _new) in self.meta.items():
            self.graph.set_meta(key, old)
        for gid in self.groups:
            self.graph.remove_group(gid)
        if self.keep is not None:
            self.graph.set_output(self.old_output)
        for n in reversed(self.nodes):
            self.graph.remove_node(n)
        for gid, group in self.ungroup.items():
            self.graph.restore_group(gid, group)
        for n, (old, _new) in self.moves.items():
            if old is not None:
                self.graph.set_position(n, old)


class RemoveNodesCommand(Command):
    """Delete nodes and every edge touching them."""

    def __init__(self, doc, nodes) -> None:
        nodes = list(dict.fromkeys(nodes))
        label = doc.graph.label(nodes[0]) if len(nodes) == 1 else f"{len(nodes)} nodes"
        super().__init__(doc, f"Delete {label}")
        g = doc.graph
        self.records = saved_nodes(g, nodes)
        self.edges = list(dict.fromkeys(e for n in nodes for e in g.in_edges(n) + g.out_edges(n)))
        self.output = g.output if g.output in nodes else None
        touched = {g.group_of(n) for n in nodes} - {None}
        self.groups = {gid: g.groups()[gid] for gid in touched}  # as they were

    def apply(self) -> None:
        for n, _record in self.records:
            self.graph.remove_node(n)

    def revert(self) -> None:
        restore(self.graph, self.records, self.edges)
        for gid, group in self.groups.items():
            if gid in self.graph.groups():
                self.graph.remove_group(gid)
            self.graph.restore_group(gid, group)
        if self.output is not None:
            self.graph.set_output(self.output)


class ConnectCommand(Command):
    def __init__(self, doc, src: int, dst: int, port: int) -> None:
        g = doc.graph
        super().__init__(doc, f"Connect {g.label(src)} → {g.label(dst)}")
        self.src, self.dst, self.port = src, dst, port

    def apply(self) -> None:
        self.graph.connect(self.src, self.dst, self.port)

    def revert(self) -> None:
        self.graph.disconnect(self.dst, self.port)


class DisconnectCommand(Command):
    def __init__(self, doc, dst: int, port: int) -> None:
        g = doc.graph
        self.src = g.parent_at(dst, port)
        if self.src is None:
            raise GraphError(f"argument {port + 1} of {g.label(dst)} is not connected")
        super().__init__(doc, f"Disconnect {g.label(self.src)} → {g.label(dst)}")
        self.dst, self.port = dst, port

    def apply(self) -> None:
        self.graph.disconnect(self.dst, self.port)

    def revert(self) -> None:
        self.graph.connect(self.src, self.dst, self.port)


class ReconnectCommand(Command):
    """Move an edge's child end from argument ``old`` = (dst, port) to ``new`` = (dst, port);
    if the model refuses the new place, the edge stays where it was."""

    def __init__(self, doc, src: int, old: tuple[int, int], new: tuple[int, int]) -> None:
        g = doc.graph
        super().__init__(doc, f"Reconnect {g.label(src)} → {g.label(new[0])}")
        self.src, self.old, self.new = src, old, new

    def _move(self, a: tuple[int, int], b: tuple[int, int]) -> None:
        self.graph.disconnect(*a)
        try:
            self.graph.connect(self.src, *b)
        except GraphError:
            self.graph.connect(self.src, *a)
            raise

    def apply(self) -> None:
        self._move(self.old, self.new)

    def revert(self) -> None:
        self._move(self.new, self.old)


class MoveCommand(Command):
    """Move nodes; consecutive moves of the same set of nodes merge into one undo step."""

    def __init__(self, doc, moves: dict[int, tuple[tuple, tuple]], text: str = "") -> None:
        super().__init__(doc, text or ("Move " + (doc.graph.label(next(iter(moves)))
                                                   if len(moves) == 1 else f"{len(moves)} nodes")))
        self.moves = dict(moves)

    def id(self) -> int:
        return MOVE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, MoveCommand) or other.id() != self.id() or \
                set(other.moves) != set(self.moves):
            return False
        self.moves = {n: (self.moves[n][0], other.moves[n][1]) for n in self.moves}
        return True

    def apply(self) -> None:
        for n, (_old, new) in self.moves.items():
            self.graph.set_position(n, new)

    def revert(self) -> None:
        for n, (old, _new) in self.moves.items():
            if old is not None:
                self.graph.set_position(n, old)


class ArrangeCommand(MoveCommand):
    """Graph > Arrange: a layered layout of every node (never merged with moves); also the
    columns spread apart to make room for the edge labels (``text``)."""

    def __init__(self, doc, positions: dict[int, tuple[float, float]],
                 text: str = "Arrange") -> None:
        g = doc.graph
        super().__init__(doc, {n: (g.position(n), p) for n, p in positions.items()}, text)

    def id(self) -> int:
        return -1


class RenameCommand(Command):
    def __init__(self, doc, node: int, name: str | None) -> None:
        super().__init__(doc, f"Rename {doc.graph.label(node)} to {name or '(no name)'}")
        self.node, self.old, self.new = node, doc.graph.name(node), name

    def apply(self) -> None:
        self.graph.rename(self.node, self.new)

    def revert(self) -> None:
        self.graph.rename(self.node, self.old)


class SetValueCommand(Command):
    """Set a leaf's value. With ``merge`` (a spin box stepping), consecutive sets of the same
    node merge into one undo step."""

    def __init__(self, doc, node: int, value: Any, old: Any = None, *, has_old: bool = False,
                 merge: bool = False) -> None:
        super().__init__(doc, f"Set {doc.graph.label(node)}")
        self.node = node
        self.old = old if has_old else doc.graph.value(node)
        self.new = value
        self.merge = merge

    def id(self) -> int:
        return VALUE_ID if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if isinstance(other, SetValueCommand) and other.merge and other.node == self.node:
            self.new = other.new
            return True
        return False

    def apply(self) -> None:
        self.graph.set_value(self.node, self.new)

    def revert(self) -> None:
        self.graph.set_value(self.node, self.old)


class SetOpCommand(Command):
    """Change a node's op; arguments the new op has no port for are disconnected (and come
    back on undo), as does a leaf's value."""

    def __init__(self, doc, node: int, op: str) -> None:
        g = doc.graph
        super().__init__(doc, f"Change {g.label(node)} to {op}")
        self.node, self.op = node, op
        self.old_op = g.op(node)
        self.old_value = g.value(node)
        self.edges = g.in_edges(node)

    def apply(self) -> None:
        self.graph.set_op(self.node, self.op)

    def revert(self) -> None:
        self.graph.set_op(self.node, self.old_op)
        if self.graph.is_leaf(self.node):
            self.graph.set_value(self.node, self.old_value)
        restore(self.graph, [], self.edges)


class SetOutputCommand(Command):
    def __init__(self, doc, node: int | None) -> None:
        super().__init__(doc, f"Set output {doc.graph.label(node)}" if node is not None else "Default output")
        self.node, self.old = node, doc.graph.output

    def apply(self) -> None:
        self.graph.set_output(self.node)

    def revert(self) -> None:
        self.graph.set_output(self.old)


class SetAttrCommand(Command):
    def __init__(self, doc, node: int, attr: str, value: Any) -> None:
        super().__init__(doc, f"Set {attr} of {doc.graph.label(node)}")
        self.node, self.attr, self.value = node, attr, value
        self.old = getattr(doc.graph.node(node), attr)

    def apply(self) -> None:
        self.graph.set_attr(self.node, self.attr, self.value)

    def revert(self) -> None:
        self.graph.set_attr(self.node, self.attr, self.old)


class SetDatasetCommand(Command):
    """Use another dataset file (the one the user located): the graph's ``dataset`` setting
    and the values its data inputs show (the first row), undone together."""

    def __init__(self, doc, path: str, values: dict[int, Any]) -> None:
        super().__init__(doc, "Locate the dataset")
        self.path, self.values = path, values
        self.old_path = doc.graph.meta.get("dataset")
        self.old_values = {n: doc.graph.value(n) for n in values}

    def apply(self) -> None:
        self.graph.set_meta("dataset", self.path)
        for n, v in self.values.items():
            self.graph.set_value(n, v)

    def revert(self) -> None:
        self.graph.set_meta("dataset", self.old_path)
        for n, v in self.old_values.items():
            self.graph.set_value(n, v)


# ---- commands computed on a copy ---------------------------------------------------------------


def kept_output(graph: Graph, new: Graph) -> int | None:
    """The output to keep when ``graph`` becomes ``new`` (nodes added), or None when nothing
    needs keeping. The output the user sees stays the output until the user changes it: a
    stray new sink (a pasted node, an input from the palette, a side expression typed in the
    bar) would otherwise become the default output and turn every real gradient to 0. An
    output chosen explicitly stays by itself; a new end of the computation (the old output
    feeds it, as ``w = z * 2`` after ``z``) takes over, as the default rule says; and while
    the output is still a lone input (a graph being started) there is nothing to keep."""
    if graph.output is not None:
        return None
    before = graph.default_output()
    if before is None or graph.is_leaf(before):
        return None
    after = new.default_output()
    if after == before or (after is not None and before in new.ancestors(after)):
        return None
    return before


def diff_command(doc: GraphDocument, new: Graph, text: str,
                 keep_output: bool = True) -> AddNodesCommand:
    """The command turning ``doc.graph`` into ``new``, a copy with nodes added (and maybe
    existing nodes moved); unless ``keep_output`` is false, the output stays the output
    (:func:`kept_output`), and :attr:`AddNodesCommand.note` says how to change it."""
    g = doc.graph
    added = [n for n in new.nodes() if n not in g]
    records = saved_nodes(new, added)
    edges = [e for e in new.edges() if e[0] in added or e[1] in added]
    moves = {n: (g.position(n), new.position(n)) for n in g.nodes()
             if new.position(n) is not None and new.position(n) != g.position(n)}
    keep = kept_output(g, new) if keep_output else None
    groups = {gid: group for gid, group in new.groups().items() if gid not in g.groups()}
    # the grad(y, x) calls the new nodes came from, so that .gs text writes them as calls
    meta = ({GRADS_META: (g.meta.get(GRADS_META), new.meta.get(GRADS_META))}
            if new.meta.get(GRADS_META) != g.meta.get(GRADS_META) else None)
    ungroup = {gid: group for gid, group in g.groups().items() if gid not in new.groups()}
    cmd = AddNodesCommand(doc, text, records, edges, moves, keep, groups, meta, ungroup)
    if keep is not None:
        newcomer = new.default_output()
        what = new.label(newcomer) if newcomer is not None else "the new node"
        cmd.note = (f"{g.label(keep)} stays the output; to differentiate {what} instead, "
                    f"right-click it and choose Set as Output")
    return cmd


def new_input_name(graph: Graph, used: set[str] | None = None) -> str:
    """The first free name among a, b, c, ... z, then x1, x2, ..."""
    taken = set(graph.names()) | (used or set())
    for c in "abcdefghijklmnopqrstuvwxyz":
        if c not in taken:
            return c
    k = 1
    while f"x{k}" in taken:
        k += 1
    return f"x{k}"


def add_node_command(doc: GraphDocument, op: str, pos: tuple[float, float]) -> AddNodesCommand:
    """A new node of kind ``op`` at ``pos``: an input gets the next free name and value 1."""
    new = doc.graph.copy()
    if op == "input":
        new.add_input(new_input_name(new), 1.0, pos=pos)
    elif op == "const":
        new.add_const(1.0, pos=pos)
    else:
        new.add_node(op, pos=pos)
    what = "input" if op == "input" else OPS[op].symbol if op in OPS else op
    return diff_command(doc, new, f"Add {what}")


def free_names(text: str, graph: Graph) -> list[str]:
    """Names an expression uses that nothing defines (they become new inputs), in order; not
    the names it calls, nor a function's name used without a call."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    targets = {t.id for stmt in tree.body if isinstance(stmt, ast.Assign)
               for t in stmt.targets if isinstance(t, ast.Name)}
    # a def's own names (its parameters and locals) are not the graph's
    defs = [stmt for stmt in tree.body if isinstance(stmt, ast.FunctionDef)]
    inside = {id(n) for d in defs for n in ast.walk(d)}
    known = targets | set(graph.names()) | {d.name for d in defs}
    called = calls(tree)
    functions = {id(c.func) for c in ast.walk(tree) if isinstance(c, ast.Call)}
    uses = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Name)
                   and isinstance(n.ctx, ast.Load) and id(n) not in functions
                   and id(n) not in inside),
                  key=lambda n: (n.lineno, n.col_offset))  # in the order of the text
    names = [n.id for n in uses]
    # a function's name used bare (``z = exp + 1``) is more likely a slip than a new input:
    # the parser then says to call it
    return list(dict.fromkeys(n for n in names if n not in known
                              and not reserved_name(n, called) and not call_arities(n)))


def build_command(doc: GraphDocument, text: str, layout) -> tuple[AddNodesCommand, list[str]]:
    """Build ``text`` (one expression or several ``.gs`` lines) into the document: names that
    exist are reused, unknown names become new inputs with value 1; then ``layout(graph)``
    gives every node its position. Raises :class:`~graphstudio.io.gs.ParseError`."""
    new = doc.graph.copy()
    created = free_names(text, new)
    for name in created:
        new.add_input(name, 1.0)
    parse_text(text, "expression", graph=new)
    for n, p in layout(new).items():
        new.set_position(n, p)
    return diff_command(doc, new, "Build from expression"), created


def copy_text(graph: Graph, nodes: list[int]) -> str:
    """The selected nodes and the edges among them as a JSON document (for the clipboard)."""
    return json.dumps(to_json(graph.subgraph(nodes)))


def clipboard_graph(text: str) -> Graph:
    """The nodes a copy put on the clipboard (a JSON document); raises DocumentError."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON; nested too deeply; a 5,000-digit number
        raise DocumentError("the clipboard does not hold GraphStudio nodes") from None
    return from_json(data, "clipboard").graph


def paste_command(doc: GraphDocument, text: str, offset: tuple[float, float] = (30.0, 30.0),
                  label: str = "Paste") -> AddNodesCommand:
    """Paste a JSON document's nodes as new nodes (fresh ids; a name already used gets a
    suffix), shifted by ``offset``. Raises DocumentError for text that is not a document."""
    src = clipboard_graph(text)
    new = doc.graph.copy()
    merge_into(new, src, offset)
    return diff_command(doc, new, label)
