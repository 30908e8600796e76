"""The scene: the document's graph as items, following the model.

:class:`GraphScene` keeps one item per node and per edge. It listens to the document: the
model's announcements add and remove items, and every evaluation updates the
:class:`~graphstudio.render.picture.Picture` (what each node shows) and hands each item its part.
Edits made with the mouse (move, connect, scrub) go back to the document as undo commands.
:meth:`GraphScene.show_picture` shows a given picture (a step of a pass) instead of the live one
until the graph is edited.

Only what changed is redone, so a scrub stays live on big graphs: after an evaluation that
follows value changes only (a scrub, a typed number), only the nodes whose value, gradient or
error changed get a new view (and are measured and repainted again; a node a collapsed group
hides gives its gate a new view, for the gate's local derivatives); the edges are rerouted
only where a box moved or changed size, and then only those a change can affect
(:class:`~graphstudio.render.router.EdgeRouter`). Any other change (structure, names, view
settings, a step picture) rebuilds every view. Zoomed out too far for text, the canvas has the
scene draw its :class:`~graphstudio.ui.items.OverviewItem` (boxes and curves, batched) instead
of the items (:meth:`GraphScene.set_text_shown`).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene

from ..core.engine import Evaluation
from ..core.events import (EdgeAdded, EdgeRemoved, GraphEvent, NodeAdded, NodeMoved, NodeRemoved,
                           ValueChanged)
from ..core.graph import GraphError
from ..core.groups import gates, hidden_members
from ..core.ops import get_op
from ..render.detail import Overview, box_style
from ..render.draw import label_spots, node_rect, row_rect
from ..render.groups import gate_view
from ..render.labels import MIDDLE_SPOT
from ..render.picture import (EdgeView, NodeView, Picture, build_picture, edge_view, no_gradient,
                              node_view)
from ..render.router import EdgeRouter
from ..render.routing import output_point, port_point
from ..render.style import THEMES, Theme
from .commands import (ConnectCommand, DisconnectCommand, MoveCommand, ReconnectCommand,
                       SetValueCommand)
from .document import GraphDocument
from .items import EdgeItem, NodeItem, OverviewItem

__all__ = ["GraphScene", "SPOT_STEP"]

SPOT_STEP = 24.0  # the grid new nodes are placed on when their first spot is taken
CATCH_UP_MS = 150  # a scrub that pauses this long brings the nodes out of sight up to date
CATCH_UP_CHUNK = 200  # nodes brought up to date at a time after that
IN_SIGHT_MARGIN = 60.0  # scene units around the visible area that count as in sight
#: the scene's area at least (scene units; a small graph can be panned about in it), and the
#: room kept around a graph that reaches beyond it
DEFAULT_AREA = QRectF(-20000, -20000, 40000, 40000)
SCENE_MARGIN = 2000.0
EDGES_KEPT = 1000  # the most edges kept as pictures while a run trains (see _keep_edges)
_CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache
_NOT_CACHED = QGraphicsItem.CacheMode.NoCache


def results_changed(old: Evaluation, new: Evaluation, nodes) -> list[int]:
    """The ``nodes`` whose value, gradient or error differ between two evaluations of the same
    graph, and the output (its seed is shown beside it)."""
    ov, og, oe = old.values, old.grads, old.errors
    nv, ng, ne = new.values, new.grads, new.errors
    out = []
    for n in nodes:
        if not (_same(ov.get(n), nv.get(n)) and _same(og.get(n), ng.get(n))
                and oe.get(n) == ne.get(n)) or n == new.output:
            out.append(n)
    return out


def _same(a, b) -> bool:
    if a is b:
        return True
    if isinstance(a, float) and isinstance(b, float):
        return a == b
    return type(a) is type(b) and isinstance(a, np.ndarray) and np.array_equal(a, b)


class GraphScene(QGraphicsScene):
    """The document's graph as items. Signals: ``message(str, QPointF)`` (a refused edit or a
    hint, at a scene position), ``edit_requested(node, "name"|"value")``,
    ``menu_requested(node, QPoint)``, ``edge_menu_requested(dst, port, QPoint)``,
    ``step_mode_changed(bool)``."""

    message = Signal(str, QPointF)
    edit_requested = Signal(int, str)
    menu_requested = Signal(int, object)
    edge_menu_requested = Signal(int, int, object)
    step_mode_changed = Signal(bool)

    def __init__(self, doc: GraphDocument, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.nodes: dict[int, NodeItem] = {}
        self.edges: dict[tuple[int, int, int], EdgeItem] = {}
        self.picture: Picture | None = None  # what is shown now
        self.fixed: Picture | None = None  # a picture shown instead of the live one
        self._fixed_grow_only = False  # its boxes only grow (see show_picture)
        self._edge_cache = _NOT_CACHED  # how the edges are drawn (see _keep_edges)
        #: turns the live picture into the one shown (the training view's unit responses,
        #: ``graphstudio.ui.training.network_view``), or None; the live picture is then built
        #: whole at every change
        self.decorate = None
        self._rubber: QGraphicsPathItem | None = None
        self._from: NodeItem | None = None  # dragging an edge out of this node's output
        self._to: tuple[NodeItem, int] | None = None  # ... or back from this free port
        self._detach: tuple[int, int] | None = None  # the edge picked up, as (dst, port)
        self._handling: list[QGraphicsItem] = []  # items whose event handler runs (see rebuild)
        self.router = EdgeRouter()  # the edges' curves, following the node boxes
        self.overview = OverviewItem(self.theme)  # drawn instead of the items when zoomed out
        self.overview.setVisible(False)
        self.addItem(self.overview)
        self._text_shown = True
        self._offered: tuple | None = None  # see offer_picture
        self._shown: Evaluation | None = None  # the evaluation the live picture shows
        self._stale = True  # every view must be rebuilt (not only those whose results changed)
        self._scrubbing = False  # a number is being dragged: boxes grow but do not shrink
        #: nodes out of sight whose results changed during a scrub and whose items still show
        #: older numbers; they catch up when the drag pauses or ends, or the view moves
        self._behind: set[int] = set()
        #: inside :meth:`_labels_placed_once`: whether the labels were asked to find their spots
        self._labels_wanted: bool | None = None
        self._catch_up = QTimer(self)
        self._catch_up.setSingleShot(True)
        self._catch_up.timeout.connect(self._catch_up_some)
        self._reroute = QTimer(self)  # node moves (undo, arrange...) reroute once, afterwards
        self._reroute.setSingleShot(True)
        self._reroute.setInterval(0)
        self._reroute.timeout.connect(self.route_edges)
        self.setSceneRect(DEFAULT_AREA)
        #: the model's announcements the items follow (the rest reach them by evaluation)
        self._handlers = {NodeAdded: self._node_added, NodeRemoved: self._node_removed,
                          EdgeAdded: self._edge_added, EdgeRemoved: self._edge_removed,
                          NodeMoved: self._node_moved}
        doc.graph_event.connect(self._on_event)
        doc.evaluated.connect(self.refresh)
        doc.replaced.connect(self.rebuild)
        doc.changed.connect(self._leave_step_mode)
        doc.view_changed.connect(self._view_changed)
        self._selected: set = set()
        self.selectionChanged.connect(self._selection_changed)
        #: called with each picture before the items show it, and the nodes whose views alone
        #: changed (None: anything may have; ui/groups_ui.py's GroupLayer hides a collapsed
        #: group's inner items and adds its gate's edges)
        self.before_show: list = []
        self.rebuild()

    @property
    def theme(self) -> Theme:
        return THEMES.get(self.doc.view.get("theme", "light"), THEMES["light"])

    # ---- following the model ----------------------------------------------------------------

    def rebuild(self) -> None:
        """Items for every node and edge of the document's graph."""
        self.fixed = None
        self._edge_cache = _NOT_CACHED  # the new edges are drawn directly
        self.setSceneRect(DEFAULT_AREA)  # a smaller graph than the last one: no empty reaches
        self._drop_items()
        self.router = EdgeRouter()
        self.overview.overview = Overview()
        g = self.doc.graph
        offered, self._offered = self._offered, None
        if offered is not None and offered[0] is g and offered[2] == self._picture_options():
            picture = offered[1]
            self._stale = False
            self._shown = self.doc.evaluation
        else:
            picture = self._live_picture()  # each node's view made and measured once
        theme = self.theme
        self._add_nodes(picture, theme)
        views = {(e.src, e.dst, e.port): e for e in picture.edges}
        edges = [(key, self._edge_item(*key, theme, views.get(key))) for key in g.edges()]
        if not g.groups():  # (with groups: once the group layer has hidden what they hide)
            self.route_edges(settled=False)  # the curves set before the items join the scene
            # (cheaper); the scene settles once below, its labels placed by _show
        overview = self.overview.overview
        for key, item in edges:  # as edge_changed does (a new item is not selected)
            self.addItem(item)
            overview.set_curve(key, item.path, item.view.highlight)
        self._show(picture)
        self._settle(labels=False)  # (_show placed the labels)

    def _drop_items(self) -> None:
        """Take every node's and edge's item out of the scene, and delete them. Deleting an item
        takes it out of the scene in C++; ``removeItem`` asks Python about each item three
        times (the change of scene, before and after, and its bounds), and then Python
        deletes it anyway: for the 12,500 items of a 5,000-node graph, 0.17 s against 0.1 s.
        An item whose event handler is running (a menu of its own that opened another graph),
        or that has the mouse, is only taken out: Qt still uses it when the handler returns."""
        items = list(self.nodes.values()) + list(self.edges.values())
        self.nodes.clear()
        self.edges.clear()
        self._selected = set()
        self.clearSelection()  # (once: Qt announces each selected item it loses)
        keep = {id(item) for item in self._handling + [self.mouseGrabberItem()]}
        for item in items:
            if id(item) in keep:
                self.removeItem(item)
            else:
                shiboken6.delete(item)

    @contextmanager
    def handling(self, item: QGraphicsItem):
        """While ``item`` handles an event that may lead anywhere (its menu, a double-click):
        a new graph shown meanwhile does not delete it (see :meth:`_drop_items`)."""
        self._handling.append(item)
        try:
            yield
        finally:
            self._handling.remove(item)

    def offer_picture(self, graph, picture: Picture, *, show_grad: bool = True,
                      edge_labels: bool = False) -> None:
        """``picture`` of ``graph``, made with its results and these options, before the
        document shows ``graph`` (opening a file without positions lays it out from such a
        picture): the next :meth:`rebuild` shows it instead of making and measuring every
        node's view again, if the document's graph and view settings are still those."""
        self._offered = (graph, picture, (show_grad, edge_labels))

    def _picture_options(self) -> tuple:
        """What the live picture is made with besides the graph and its results (see
        :meth:`_live_picture`); a decorated picture is never offered one."""
        view = self.doc.view
        if self.decorate is not None:
            return ()
        return (view.get("show_grad", True), view.get("edge_labels", False))

    def _add_nodes(self, picture: Picture, theme: Theme) -> None:
        """Items for all the graph's nodes, shown as in ``picture`` (a node a collapsed group
        hides has no view there: it gets one of its own). As :meth:`_add_node` for each, with
        what :meth:`node_changed` does for a new item done in line (it is not selected, and
        the caller routes the edges): 5,000 nodes are added in a single pass."""
        g = self.doc.graph
        nodes, router, overview = self.nodes, self.router, self.overview.overview
        views = picture.nodes
        no_contents = not self._text_shown
        for n in g.nodes():
            view = views.get(n) or node_view(g, n)
            item = NodeItem(n, view, theme)
            x, y = g.position(n) or (0.0, 0.0)
            item.setPos(x, y)
            if no_contents:
                item.setFlag(QGraphicsItem.ItemHasNoContents)
            self.addItem(item)
            nodes[n] = item
            rect = item.rect.translated(x, y)  # (its scene_rect)
            router.set_node(n, rect, view.n_ports)
            overview.set_box(n, rect, box_style(view, theme))
        self._overview_changed()

    def _add_node(self, n: int, view: NodeView | None = None, theme: Theme | None = None) -> None:
        g = self.doc.graph
        item = NodeItem(n, view or node_view(g, n), theme or self.theme)
        pos = g.position(n) or (0.0, 0.0)
        item.setPos(pos[0], pos[1])
        if not self._text_shown:
            item.setFlag(QGraphicsItem.ItemHasNoContents)
        self.addItem(item)
        self.nodes[n] = item
        self.node_changed(item)

    def _add_edge(self, src: int, dst: int, port: int) -> None:
        self.addItem(self._edge_item(src, dst, port, self.theme))
        self._reroute.start()

    def _edge_item(self, src: int, dst: int, port: int, theme: Theme,
                   view: EdgeView | None = None) -> EdgeItem:
        """A new item for the edge (showing ``view``, if given), known to the router (routed
        at its next update), not yet in the scene."""
        dst_item = self.nodes[dst]
        if port >= dst_item.view.n_ports:
            dst_item.set_view(node_view(self.doc.graph, dst), theme)
        item = EdgeItem(self.nodes[src], dst_item, port, theme, view)
        if not self._text_shown:
            item.setFlag(QGraphicsItem.ItemHasNoContents)
        self.edges[(src, dst, port)] = item
        self.router.add_edge(src, dst, port)
        return item

    def _on_event(self, event: GraphEvent) -> None:
        if not isinstance(event, (ValueChanged, NodeMoved)):
            self._stale = True  # names, ops, structure: every view is built anew
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _view_changed(self, _key: str) -> None:
        self._stale = True
        self.refresh()

    def _node_added(self, event: NodeAdded) -> None:
        self._add_node(event.node)

    def _node_removed(self, event: NodeRemoved) -> None:
        item = self.nodes.pop(event.node, None)
        if item is not None:
            self.removeItem(item)
        self.router.remove_node(event.node)
        self.overview.overview.remove_box(event.node)
        self._overview_changed()
        self._reroute.start()

    def _edge_added(self, event: EdgeAdded) -> None:
        self._add_edge(event.src, event.dst, event.port)

    def _edge_removed(self, event: EdgeRemoved) -> None:
        item = self.edges.pop((event.src, event.dst, event.port), None)
        if item is not None:
            self.removeItem(item)
        self.router.remove_edge(event.src, event.dst, event.port)
        self.overview.overview.remove_curve((event.src, event.dst, event.port))
        self._overview_changed()

    def _node_moved(self, event: NodeMoved) -> None:
        item = self.nodes.get(event.node)
        pos = self.doc.graph.position(event.node)
        if item is not None and pos is not None and (item.pos().x(), item.pos().y()) != pos:
            item.setPos(pos[0], pos[1])
            self.node_changed(item)

    def nodes_dragged(self, grabbed: NodeItem) -> None:
        """The mouse moved ``grabbed`` and the selected nodes: their edges follow now."""
        for item in {grabbed, *self.selectedItems()}:
            if isinstance(item, NodeItem):
                self.node_changed(item)
        self.route_edges(settled=False)

    def boxes(self, graph, nodes=None) -> QRectF:
        """The box around ``graph``'s nodes (all, or ``nodes``) as they would be drawn at their
        positions (a node without one at the origin): for placing what is not yet on the
        scene (a paste, a new node)."""
        box = QRectF()
        for n in (graph.nodes() if nodes is None else nodes):
            box = box.united(node_rect(node_view(graph, n), graph.position(n) or (0.0, 0.0),
                                       self.theme))
        return box

    def free_spot(self, center: QPointF, size, margin: float = 18.0) -> QPointF:
        """The centre nearest ``center`` (on a grid of ``SPOT_STEP``) where a box of ``size``
        overlaps no node's box, with ``margin`` around: new and pasted nodes land in free
        space near where the user is, never on top of other nodes."""
        taken = [r.adjusted(-margin, -margin, margin, margin) for r in (i.scene_rect() for i in self.nodes.values())]
        w, h = size.width(), size.height()

        def free(c: QPointF) -> bool:
            box = QRectF(c.x() - w / 2, c.y() - h / 2, w, h)
            return not any(box.intersects(r) for r in taken)

        for ring in range(0, 60):
            ring_spots = [QPointF(center.x() + dx * SPOT_STEP, center.y() + dy * SPOT_STEP)
                          for dx in range(-ring, ring + 1) for dy in range(-ring, ring + 1)
                          if max(abs(dx), abs(dy)) == ring]
            ring_spots.sort(key=lambda c: (c.x() - center.x()) ** 2 + (c.y() - center.y()) ** 2)
            for spot in ring_spots:
                if free(spot):
                    return spot
        return center

    def _selection_changed(self) -> None:
        """The overview shows the selection: tell it which items changed."""
        now = set(self.selectedItems())
        for item in now.symmetric_difference(self._selected):
            if isinstance(item, NodeItem):
                self.node_changed(item)
            elif isinstance(item, EdgeItem):
                self.edge_changed(item)
        self._selected = now

    def node_changed(self, item: NodeItem) -> None:
        """``item`` moved, its box or ports changed, or how it looks: its edges and any edge it
        may now be in the way of (or out of) are rerouted once the current change is over, and
        the overview follows."""
        if self.nodes.get(item.node) is not item:
            return
        rect = item.scene_rect()
        if self.router.set_node(item.node, rect, item.view.n_ports):
            self._reroute.start()
        style = box_style(item.view, item.theme, item.isSelected())
        if self.overview.overview.set_box(item.node, rect, style):
            self._overview_changed()

    def edge_changed(self, item: EdgeItem) -> None:
        """``item``'s curve, or whether it is highlighted, changed: the overview follows."""
        if self.edges.get(item.key) is item:
            highlight = item.view.highlight or item.isSelected()
            if self.overview.overview.set_curve(item.key, item.path, highlight):
                self._overview_changed()

    def _overview_changed(self) -> None:
        if not self._text_shown:
            self.overview.update()

    def set_text_shown(self, shown: bool) -> None:
        """Draw every node and edge in full (``True``), or the graph as an overview of boxes and
        curves (``False``: the canvas is zoomed out too far for text; see
        :mod:`graphstudio.render.detail`). The items stay, without drawing: they are still
        clicked, dragged and selected."""
        if shown == self._text_shown:
            return
        self._text_shown = shown
        for item in list(self.nodes.values()) + list(self.edges.values()):
            item.setFlag(QGraphicsItem.ItemHasNoContents, not shown)
        self.overview.setVisible(not shown)

    @property
    def text_shown(self) -> bool:
        return self._text_shown

    def route_edges(self, settled: bool = True) -> int:
        """Reroute now the edges the node changes since the last time may affect (see
        :class:`~graphstudio.render.router.EdgeRouter`); the number of edges whose curve
        changed. ``settled``: the change is over (Arrange, a move, an undo, new nodes), and
        if curves changed the scene follows (:meth:`_settle`); a drag in progress passes
        False (every label's spot weighed again on each mouse move is too slow on a large
        graph) and the scene follows when it ends, as does :meth:`_show`, which places the
        labels itself."""
        self._reroute.stop()
        changed = self.router.update()
        for key in changed:
            item = self.edges.get(key)
            if item is not None:
                item.set_path(self.router.routes[key].path())
        if settled and changed:
            self._settle(labels=True)
        return len(changed)

    def take_in(self, area: QRectF) -> None:
        """Make the scene's area (what the views scroll and fit over) reach ``area`` and a
        margin around it; it only grows, until another graph is shown."""
        m = SCENE_MARGIN
        area = area.adjusted(-m, -m, m, m)
        if not self.sceneRect().contains(area):
            self.setSceneRect(self.sceneRect().united(area))

    def _settle(self, labels: bool) -> None:
        """Boxes and curves have stopped moving: the scene's area takes in the whole graph
        (the view scrolls and fits over that area only, and a graph of thousands of nodes
        reaches far beyond the default), and with ``labels`` the edge labels shown find
        their spots again."""
        bounds = self.router.bounds(self.router.boxes)  # the boxes: the curves run between
        if bounds is not None:
            left, top, right, bottom = bounds
            self.take_in(QRectF(left, top, right - left, bottom - top))
        if labels and self.doc.view.get("edge_labels", False):
            self._place_labels()

    def refresh(self, *_args) -> None:
        """Show the latest evaluation (or the fixed picture): on every item after a change of
        structure or settings, else on the items whose results changed."""
        doc = self.doc
        if self.fixed is not None:
            self._show(self.fixed, grow_only=self._fixed_grow_only)
            self._stale = True  # leaving step mode shows the live picture anew
            self._shown = None
        elif self._stale or self.picture is None or self.decorate is not None \
                or (doc.view.get("edge_labels", False) and doc.graph.groups()) \
                or self._shown is None or doc.evaluation is None \
                or self._no_gradient(doc.graph, doc.evaluation):
            self._show(self._live_picture())
        else:
            nodes = self._as_shown(results_changed(self._shown, doc.evaluation, self.nodes))
            self._shown = doc.evaluation
            if self._scrubbing:  # what is out of sight waits (see catch_up)
                later = self._out_of_sight(nodes)
                nodes = [n for n in nodes if n not in later]
                self._behind = self._behind.difference(nodes) | later
                if later:
                    self._catch_up.start(CATCH_UP_MS)
            self._update_views(nodes)

    def catch_up(self, most: int | None = None) -> None:
        """Bring the nodes a scrub left behind (out of sight) up to date: all of them, or
        ``most`` of them."""
        self._catch_up.stop()
        behind = list(self._behind)[:most]
        self._behind.difference_update(behind)
        if behind and not self._stale and self.picture is not None and self.fixed is None:
            self._update_views([n for n in behind if n in self.nodes])

    def _catch_up_some(self) -> None:
        """The scrub paused: catch up a few nodes at a time, so that a big graph still answers
        the mouse at once when the drag goes on."""
        self.catch_up(CATCH_UP_CHUNK)
        if self._behind:
            self._catch_up.start(0)

    def _as_shown(self, nodes: list[int]) -> list[int]:
        """``nodes`` as the picture shows them: a node a collapsed group hides stands for the
        group's gate, whose local derivatives it changes."""
        graph = self.doc.graph
        hidden = hidden_members(graph) if graph.groups() else {}
        if not hidden:
            return nodes
        gate_of = {gid: out for out, gid in gates(graph).items()}
        shown = [n for n in nodes if n not in hidden]
        return shown + sorted({gate_of[hidden[n]] for n in nodes if n in hidden} - set(shown))

    def _update_views(self, nodes: list[int]) -> None:
        """New views for ``nodes`` (none of them hidden by a group) from the document's
        evaluation, and the items shown them."""
        doc, picture = self.doc, self.picture
        graph, ev = doc.graph, doc.evaluation
        show_grad = doc.view.get("show_grad", True)
        group_of = gates(graph) if graph.groups() else {}  # the gates, by their output node
        for n in nodes:
            old = picture.nodes.get(n)
            view = node_view(graph, n, ev, show_grad=show_grad,
                             style=old.style if old is not None else "box")
            if n in group_of:
                view = gate_view(graph, ev, group_of[n], view)
            picture.nodes[n] = view
        self._show(picture, nodes, grow_only=self._scrubbing)
        if doc.view.get("edge_labels", False):
            self._relabel(nodes)

    def _relabel(self, nodes: list[int]) -> None:
        """New labels for the edges whose local derivative may have changed with ``nodes``'
        results: the edges into them and into their children. While a number is dragged the
        labels keep their spots; otherwise (a number typed, an undo) every label finds its
        spot again, as their sizes changed."""
        doc, picture = self.doc, self.picture
        graph, ev = doc.graph, doc.evaluation
        heads = set(nodes)
        for n in nodes:
            heads.update(graph.children(n))
        index = {(e.src, e.dst, e.port): k for k, e in enumerate(picture.edges)}
        for d in heads:
            for key in graph.in_edges(d):
                item, k = self.edges.get(key), index.get(key)
                if item is None or k is None:
                    continue
                picture.edges[k] = view = edge_view(graph, ev, *key, edge_labels=True)
                item.set_view(view, self.theme, item.label_spot)
        if not self._scrubbing:
            self._place_labels()

    def _out_of_sight(self, nodes: list[int]) -> set[int]:
        """Those of ``nodes`` that no view shows now: outside every view's visible area, or
        drawn as boxes without text (zoomed out) with a border that stays as it is (a node
        that fails or recovers shows it at once)."""
        sight = QRectF()
        for view in self.views():
            sight = sight.united(view.mapToScene(view.viewport().rect()).boundingRect())
        m = IN_SIGHT_MARGIN
        left, top = sight.left() - m, sight.top() - m
        right, bottom = sight.right() + m, sight.bottom() + m
        errors = self.doc.evaluation.errors
        boxes = self.router.boxes  # each shown node's box (read here, not asked of its item)
        out = set()
        for n in nodes:
            item = self.nodes.get(n)
            if item is None:
                continue
            err = errors.get(n)
            if bool(item.view.error) != (err is not None and err.fatal):
                continue
            box = boxes.get(n)
            if not self._text_shown or box is None or box[0] > right or box[1] > bottom \
                    or box[0] + box[2] < left or box[1] + box[3] < top:
                out.add(n)
        return out

    def _no_gradient(self, graph, ev) -> bool:
        """The output has no value now, or had none in the picture shown: every node's gradient
        line changes (a dash or a number again, see ``no_gradient``), so all are redrawn."""
        return no_gradient(graph, ev) is not None or any(
            v.grad_missing for v in self.picture.nodes.values())

    def _live_picture(self) -> Picture:
        """The document's picture, built anew."""
        doc = self.doc
        positions = {n: (i.pos().x(), i.pos().y()) for n, i in self.nodes.items()}
        picture = build_picture(doc.graph, doc.evaluation, positions,
                                show_grad=doc.view.get("show_grad", True),
                                edge_labels=doc.view.get("edge_labels", False))
        if self.decorate is not None:
            picture = self.decorate(picture)
        self._stale = False
        self._shown = doc.evaluation
        return picture

    def _show(self, picture: Picture, nodes: list[int] | None = None,
              grow_only: bool = False) -> None:
        """Hand the items their part of ``picture``: every node and edge, or only ``nodes``
        (the edges show no numbers then), their boxes only growing with ``grow_only``."""
        theme = self.theme
        self.picture = picture
        self.overview.theme = theme
        if nodes is None:
            self._behind.clear()
        for hook in self.before_show:
            hook(picture, nodes)
        for n in picture.nodes if nodes is None else nodes:
            item = self.nodes.get(n)
            if item is not None:
                item.set_view(picture.nodes[n], theme, grow_only)
        self.route_edges(settled=False)
        if nodes is not None:
            return
        items = [(e, self.edges.get((e.src, e.dst, e.port))) for e in picture.edges]
        # while a number is dragged the labels stay where they are (their numbers change, not
        # their curves); they find their spots again when it is let go
        self._place_labels([(e, i) for e, i in items if i is not None], keep=self._scrubbing)
        self.update()

    def _place_labels(self, items: list[tuple[EdgeView, EdgeItem]] | None = None,
                      keep: bool = False) -> None:
        """Give each edge its view (``items``: the picture's, else the views the items show)
        and its label the spot along its curve clear of boxes and other labels, or set apart
        from it clear of the boxes' titles (:func:`~graphstudio.render.labels.label_spots`),
        from the curves as they are now; or, with ``keep``, the spot it has."""
        if items is None:
            items = [(i.view, i) for i in self.edges.values()]
        if self._labels_wanted is not None and not keep:
            self._labels_wanted, keep = True, True  # placed once, when the change is over
        spots = [MIDDLE_SPOT] * len(items)
        if keep:
            spots = [item.label_spot for _e, item in items]
        elif any(e.label for e, _ in items):
            # what a collapsed group hides is not drawn: no label keeps clear of it
            nodes, theme = self.nodes, self.theme
            rects = {n: i.scene_rect() for n, i in nodes.items() if i.isVisible()}
            shown = [k for k, (_e, item) in enumerate(items) if item.isVisible()]
            found = label_spots([(items[k][0], items[k][1].path) for k in shown], rects, theme,
                                lambda n: row_rect(nodes[n].view, rects[n], theme, "header"))
            spots = [item.label_spot for _e, item in items]
            for k, spot in zip(shown, found):
                spots[k] = spot
        for (e, item), at in zip(items, spots):
            item.set_view(e, self.theme, at)

    def set_decorate(self, decorate) -> None:
        """Show the live picture through ``decorate`` (see :attr:`decorate`), or as it is."""
        self.decorate = decorate
        self._stale = True
        self.refresh()

    # ---- step mode ------------------------------------------------------------------------------

    def show_picture(self, picture: Picture | None, grow_only: bool = False) -> None:
        """Show ``picture`` instead of the live one (None: the live one again); ``grow_only``
        (a training run's frames): boxes grow to fit new numbers but do not shrink, so they
        neither twitch nor reroute their edges at every frame."""
        was = self.fixed is not None
        self.fixed = picture
        self._fixed_grow_only = grow_only and picture is not None
        self._keep_edges(self._fixed_grow_only)
        self.refresh()
        if was != (picture is not None):
            self.step_mode_changed.emit(picture is not None)

    def _keep_edges(self, on: bool) -> None:
        """While a run's frames change the numbers, the curves stay: Qt keeps each edge as a
        picture in device pixels (an edge whose weight changes is drawn anew), rather than
        every edge being drawn again under the boxes repainted at every frame. Only on a
        graph of at most :data:`EDGES_KEPT` edges (the pictures of a big one would outgrow
        Qt's cache of them). A weight's link, whose colour and width change at every frame,
        is drawn directly (a picture of it made anew at every frame costs more)."""
        mode = _CACHED if on and len(self.edges) <= EDGES_KEPT else _NOT_CACHED
        if mode != self._edge_cache:
            self._edge_cache = mode
            for item in self.edges.values():
                item.setCacheMode(mode if item.view.weight is None else _NOT_CACHED)

    def _leave_step_mode(self) -> None:
        if self.fixed is not None:
            self.show_picture(None)

    # ---- selection ---------------------------------------------------------------------------------

    def selected_nodes(self) -> list[int]:
        return [i.node for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list[tuple[int, int, int]]:
        return [i.key for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select(self, nodes) -> None:
        self.clearSelection()
        for n in nodes:
            if n in self.nodes:
                self.nodes[n].setSelected(True)

    # ---- connecting by dragging ---------------------------------------------------------------------

    def begin_connect(self, item: NodeItem, pos: QPointF,
                      detach: tuple[int, int] | None = None) -> None:
        """Start dragging an edge out of ``item``'s output; with ``detach`` = (dst, port) the
        drag picked up that existing edge by its arrow end."""
        self._from, self._to, self._detach = item, None, detach
        self._start_rubber(pos)

    def begin_reverse(self, item: NodeItem, port: int, pos: QPointF) -> None:
        """Start dragging from a free argument port back to some node's output."""
        self._from, self._to, self._detach = None, (item, port), None
        self._start_rubber(pos)

    def _start_rubber(self, pos: QPointF) -> None:
        self._rubber = QGraphicsPathItem()
        self._rubber.setPen(QPen(QColor(self.theme.selection), 2.0, Qt.DashLine))
        self._rubber.setZValue(5)
        self.addItem(self._rubber)
        self.update_connect(pos)

    def update_connect(self, pos: QPointF) -> None:
        if self._rubber is None:
            return
        if self._from is not None:
            a, b = self._from.mapToScene(output_point(self._from.rect)), pos
        else:
            item, port = self._to
            a, b = pos, item.mapToScene(port_point(item.rect, port, item.view.n_ports))
        dx = max(40.0, abs(b.x() - a.x()) * 0.5)
        path = QPainterPath(a)
        path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
        self._rubber.setPath(path)
        target = self._drop_target(pos) if self._from is not None else None
        for item in self.nodes.values():
            item.set_drop_port(target[1] if target is not None and target[0] is item else None)

    def _drop_target(self, pos: QPointF) -> tuple[NodeItem, int] | None:
        """The node and argument port a dragged edge would connect to if dropped at ``pos``."""
        hit = self.target_at(pos, exclude=self._from)
        if hit is None or hit[0].view.n_ports == 0:
            return None
        item, port = hit
        if port is None:  # over the body: the first free argument, or one more (concat)
            g = self.doc.graph
            parents = g.parents(item.node)
            free = [k for k, p in enumerate(parents) if p is None]
            more = len(parents) < max(get_op(g.op(item.node)).arity)
            port = free[0] if free else len(parents) if more else 0
        return item, port

    def target_at(self, pos: QPointF, exclude: NodeItem | None = None) -> tuple[NodeItem, int | None] | None:
        """The node under ``pos`` (or with a port near it) and the port, if one is near."""
        probe = QRectF(pos.x() - 14, pos.y() - 14, 28, 28)
        for item in self.items(probe):
            if isinstance(item, NodeItem) and item is not exclude:
                port = item.port_at(pos)
                if port is not None or item.scene_rect().contains(pos):
                    return item, port
        return None

    def finish_connect(self, pos: QPointF) -> None:
        target = self._drop_target(pos) if self._from is not None else None
        src, to, detach = self._from, self._to, self._detach
        self._from = self._to = self._detach = None
        for item in self.nodes.values():
            item.set_drop_port(None)
        if self._rubber is not None:
            self.removeItem(self._rubber)
            self._rubber = None
        try:
            if to is not None:  # dragged from a free port: onto the node that feeds it
                hit = self.target_at(pos, exclude=to[0])
                if hit is None:
                    self.message.emit("Drop on the node that should feed this argument", pos)
                    return
                self.doc.push(ConnectCommand(self.doc, hit[0].node, to[0].node, to[1]))
                return
            if src is None:
                return
            if target is None:
                hit = self.target_at(pos, exclude=src)
                if detach is not None:  # an edge picked up and dropped on nothing: removed
                    self.doc.push(DisconnectCommand(self.doc, *detach))
                elif hit is not None:  # a leaf: let the model say why not
                    self.doc.push(ConnectCommand(self.doc, src.node, hit[0].node, 0))
                else:
                    self.message.emit("Drop the edge on an argument port (the circles on a "
                                      "node's left side) to connect", pos)
                return
            item, port = target
            if detach is None:
                self.doc.push(ConnectCommand(self.doc, src.node, item.node, port))
            elif detach != (item.node, port):
                self.doc.push(ReconnectCommand(self.doc, src.node, detach, (item.node, port)))
        except GraphError as exc:
            self.message.emit(str(exc), pos)

    # ---- scrubbing ----------------------------------------------------------------------------------

    def scrub(self, node: int, value: float) -> None:
        """Set ``node`` to ``value`` while its number is dragged; boxes only grow meanwhile."""
        self._leave_step_mode()
        self._scrubbing = True
        self.doc.scrub(node, value)

    def finish_scrub(self, node: int, old: float, new: float) -> None:
        """The drag is over: one undo step, and every box fits its text again; the edge labels
        find their spots once, for the boxes and curves as they are then (the new value's
        labels and the boxes fitted each ask for it)."""
        self.catch_up()
        self._scrubbing = False
        with self._labels_placed_once():
            if new != old:
                self.doc.push(SetValueCommand(self.doc, node, new, old, has_old=True))
            if any([item.fit() for item in self.nodes.values()]):
                self.route_edges()

    @contextmanager
    def _labels_placed_once(self):
        """The edge labels asked to find their spots (:meth:`_place_labels`) while inside keep
        theirs meanwhile, and find them once at the end (each search weighs every label)."""
        self._labels_wanted = False
        try:
            yield
        finally:
            wanted, self._labels_wanted = self._labels_wanted, None
            if wanted:
                self._place_labels()

    # ---- moves: one command per drag ------------------------------------------------------------------

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        g = self.doc.graph
        moves = {}
        for item in self.selectedItems():
            if not isinstance(item, NodeItem):
                continue
            n = item.node
            new = (item.pos().x(), item.pos().y())
            old = g.position(n)
            if old != new:
                moves[n] = (old, new)
        if moves:
            self.doc.push(MoveCommand(self.doc, moves))
        if not self.route_edges() and moves:
            self._settle(labels=True)  # the curves followed the drag: the rest follows now
