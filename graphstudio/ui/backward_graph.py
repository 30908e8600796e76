"""Graph > Show Backward Graph: the gradients of the output as more nodes of the graph.

The backward pass is built out of ordinary nodes (symbol-to-symbol differentiation,
:mod:`graphstudio.core.backward`): for the output and every input it depends on, the adjoint
``d out / d node`` of each named node becomes a node named ``dz_dx`` (for output ``z`` and node
``x``). The new nodes are laid out in layers to the right of the forward graph, and added as one
undoable step; *in a New Document* puts the forward graph and its backward graph, laid out
together, in a new untitled document instead. Either way they evaluate, step, explain and
export like any other nodes, and Show Backward Graph on the result differentiates again.
"""

from __future__ import annotations

from PySide6.QtGui import QAction

from ..core.backward import GradError, backward_graph
from ..core.engine import evaluate
from ..core.groups import group_problem
from ..core.graph import Graph, GraphError
from ..render.draw import COLUMN_GAP, ROW_GAP, arrange, node_sizes
from ..render.layout import layered_layout
from ..render.picture import build_picture
from .commands import AddNodesCommand, diff_command, saved_nodes

#: the room between the forward graph and the backward graph beside it, in scene units
GAP = 120.0


class BackwardGraph:
    """The two actions of the Graph menu and what they do."""

    def __init__(self, window) -> None:
        self.window = window
        menu = window.menu("Graph")
        menu.addSeparator()
        self.act_beside = QAction("Show &Backward Graph", window)
        self.act_beside.setStatusTip("Add the backward pass as nodes, to the right of the "
                                     "forward graph: the gradients of the output, computed "
                                     "by ordinary ops")
        self.act_beside.triggered.connect(lambda: self.show(new_document=False))
        self.act_new = QAction("Show Backward Graph in a &New Document", window)
        self.act_new.setStatusTip("A new document with the forward graph and its backward pass")
        self.act_new.triggered.connect(lambda: self.show(new_document=True))
        menu.addActions([self.act_beside, self.act_new])

    def show(self, new_document: bool) -> bool:
        """Build the backward graph of the document's output; False (with the reason in the
        status bar) when there is none to build."""
        w = self.window
        doc = w.document
        graph = doc.graph
        out = graph.default_output()
        if out is None:
            return self._say("There is no output to differentiate yet")
        copy = graph.copy()
        try:
            built = backward_graph(copy, out)
        except GradError as exc:
            return self._say(f"Cannot build the backward graph: {exc}")
        if not built.nodes:
            return self._say("The backward graph is already there")
        opened = open_groups(copy)
        _lay_out(graph, copy, built.nodes, w.scene.theme)
        if new_document:
            if not w.new_document():
                return False
            doc = w.document
            cmd = AddNodesCommand(doc, "Show Backward Graph", saved_nodes(copy, copy.nodes()),
                                  copy.edges(), keep=out, groups=dict(copy.groups()))
        else:
            cmd = diff_command(doc, copy, "Show Backward Graph", keep_output=False)
            cmd.keep = out  # the gradients' nodes never take the output over
        try:
            doc.push(cmd)
        except GraphError as exc:
            return self._say(f"Cannot add the backward graph: {exc}")
        w.scene.select(built.nodes)
        w.canvas.show_graph()
        _bring_into_view(w, built.nodes)
        names = ", ".join(copy.label(built.grads[x]) for x in list(built.grads)[:4])
        more = "…" if len(built.grads) > 4 else ""
        groups = f"; opened the group {', '.join(opened)}, whose inner values it uses" \
            if opened else ""
        w.statusBar().showMessage(f"Built the backward graph: {len(built.nodes)} nodes, "
                                  f"{names}{more}{groups}", 10000)
        return True

    def _say(self, message: str) -> bool:
        self.window.statusBar().showMessage(message, 10000)
        return False


def open_groups(graph: Graph) -> list[str]:
    """Ungroup the groups the backward graph uses the inside of (the sigmoid gate's
    ``(1 - f) f`` uses its output f, and ``exp(-z)`` inside it): a group is one value computed
    from outside, which they no longer are. Returns their names."""
    opened = []
    for gid, group in list(graph.groups().items()):
        if group_problem(graph, group.members) is not None:
            graph.remove_group(gid)
            opened.append(group.name)
    return opened


def _lay_out(graph: Graph, copy: Graph, new: list[int], theme) -> None:
    """Lay the new nodes out in layers of their own (the adjoints nearest the output first),
    to the right of the forward graph's boxes as they stand (laid out first if they are not).
    Positions are boxes' centres."""
    sizes = node_sizes(build_picture(copy, evaluate(copy), {}), theme)
    old = [n for n in graph.nodes() if n not in new]
    if any(graph.position(n) is None for n in old):
        for n, p in arrange(graph, evaluate(graph), theme).items():
            copy.set_position(n, p)
    backward = layered_layout(copy.subgraph(new), COLUMN_GAP, ROW_GAP,
                              sizes={n: sizes[n] for n in new})
    left = min(backward[n][0] - sizes[n][0] / 2 for n in new)
    top = min(backward[n][1] - sizes[n][1] / 2 for n in new)
    if old:
        dx = max(copy.position(n)[0] + sizes[n][0] / 2 for n in old) + GAP - left
        dy = min(copy.position(n)[1] - sizes[n][1] / 2 for n in old) - top
    else:
        dx = dy = 0.0
    for n in new:
        x, y = backward[n]
        copy.set_position(n, (x + dx, y + dy))


def _bring_into_view(window, nodes: list[int]) -> None:
    """When the whole graph does not fit at a readable zoom, show where the new nodes start."""
    canvas = window.canvas
    items = [window.scene.nodes[n] for n in nodes if n in window.scene.nodes]
    if not items:
        return
    shown = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    box = items[0].sceneBoundingRect()
    for item in items[1:]:
        box = box.united(item.sceneBoundingRect())
    if not shown.contains(box):
        canvas.centerOn(min(box.left() + shown.width() / 2, box.center().x()), box.center().y())


def install(window) -> BackwardGraph:
    window.backward_graph = BackwardGraph(window)
    return window.backward_graph
