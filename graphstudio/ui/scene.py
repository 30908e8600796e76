"""The scene: the document's graph as items, following the model.

:class:`GraphScene` keeps one item per node and per edge. It listens to the document: the
model's announcements add and remove items, and every evaluation rebuilds the
:class:`~graphstudio.render.picture.Picture` (what each node shows) and hands each item its part.
Edits made with the mouse (move, connect, scrub) go back to the document as undo commands.
:meth:`GraphScene.show_picture` shows a given picture (a step of a pass) instead of the live one
until the graph is edited.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from ..core.events import EdgeAdded, EdgeRemoved, GraphEvent, NodeAdded, NodeMoved, NodeRemoved
from ..core.graph import GraphError
from ..render.draw import label_spots, node_rect
from ..render.picture import Picture, build_picture, node_view
from ..render.routing import output_point, port_point
from ..render.style import THEMES, Theme
from .commands import (ConnectCommand, DisconnectCommand, MoveCommand, ReconnectCommand,
                       SetValueCommand)
from .document import GraphDocument
from .items import EdgeItem, NodeItem

__all__ = ["GraphScene", "SPOT_STEP"]

SPOT_STEP = 24.0  # the grid new nodes are placed on when their first spot is taken


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
        self._rubber: QGraphicsPathItem | None = None
        self._from: NodeItem | None = None  # dragging an edge out of this node's output
        self._to: tuple[NodeItem, int] | None = None  # ... or back from this free port
        self._detach: tuple[int, int] | None = None  # the edge picked up, as (dst, port)
        self._routed: list[QRectF] = []  # the node boxes the edges were last routed around
        self._reroute = QTimer(self)  # node moves (undo, arrange...) reroute once, afterwards
        self._reroute.setSingleShot(True)
        self._reroute.setInterval(0)
        self._reroute.timeout.connect(self.route_edges)
        self.setSceneRect(-20000, -20000, 40000, 40000)
        #: the model's announcements the items follow (the rest reach them by evaluation)
        self._handlers = {NodeAdded: self._node_added, NodeRemoved: self._node_removed,
                          EdgeAdded: self._edge_added, EdgeRemoved: self._edge_removed,
                          NodeMoved: self._node_moved}
        doc.graph_event.connect(self._on_event)
        doc.evaluated.connect(self.refresh)
        doc.replaced.connect(self.rebuild)
        doc.changed.connect(self._leave_step_mode)
        doc.view_changed.connect(lambda _key: self.refresh())
        self.rebuild()

    @property
    def theme(self) -> Theme:
        return THEMES.get(self.doc.view.get("theme", "light"), THEMES["light"])

    # ---- following the model ----------------------------------------------------------------

    def rebuild(self) -> None:
        """Items for every node and edge of the document's graph."""
        self.fixed = None
        for item in list(self.nodes.values()) + list(self.edges.values()):
            self.removeItem(item)
        self.nodes.clear()
        self.edges.clear()
        g = self.doc.graph
        for n in g.nodes():
            self._add_node(n)
        for e in g.edges():
            self._add_edge(*e)
        self.refresh()

    def _add_node(self, n: int) -> None:
        g = self.doc.graph
        item = NodeItem(n, node_view(g, n), self.theme)
        pos = g.position(n) or (0.0, 0.0)
        item.setPos(pos[0], pos[1])
        self.addItem(item)
        self.nodes[n] = item

    def _add_edge(self, src: int, dst: int, port: int) -> None:
        dst_item = self.nodes[dst]
        if port >= dst_item.view.n_ports:
            dst_item.set_view(node_view(self.doc.graph, dst), self.theme)
        item = EdgeItem(self.nodes[src], dst_item, port, self.theme)
        self.addItem(item)
        item.update_path()  # now around the scene's boxes
        self.edges[(src, dst, port)] = item

    def _on_event(self, event: GraphEvent) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _node_added(self, event: NodeAdded) -> None:
        self._add_node(event.node)

    def _node_removed(self, event: NodeRemoved) -> None:
        item = self.nodes.pop(event.node, None)
        if item is not None:
            self.removeItem(item)

    def _edge_added(self, event: EdgeAdded) -> None:
        self._add_edge(event.src, event.dst, event.port)

    def _edge_removed(self, event: EdgeRemoved) -> None:
        item = self.edges.pop((event.src, event.dst, event.port), None)
        if item is not None:
            item.detach()
            self.removeItem(item)

    def _node_moved(self, event: NodeMoved) -> None:
        item = self.nodes.get(event.node)
        pos = self.doc.graph.position(event.node)
        if item is not None and pos is not None and (item.pos().x(), item.pos().y()) != pos:
            item.setPos(pos[0], pos[1])
        self._reroute.start()

    def node_rects(self) -> list[QRectF]:
        """Every node's box in scene coordinates: what edges are routed around."""
        return [i.scene_rect() for i in self.nodes.values()]

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
        taken = [r.adjusted(-margin, -margin, margin, margin) for r in self.node_rects()]
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

    def route_edges(self, force: bool = True) -> None:
        """Recompute every edge's curve around the current node boxes (a moved node may now sit
        in the way of edges it has nothing to do with); without ``force`` only if a box moved
        or changed size since the last time."""
        rects = self.node_rects()
        if not force and rects == self._routed:
            return
        self._routed = rects
        self._reroute.stop()
        for item in self.edges.values():
            item.update_path(rects)

    def refresh(self, *_args) -> None:
        """Show the latest evaluation (or the fixed picture) on every item."""
        doc, theme = self.doc, self.theme
        if self.fixed is not None:
            picture = self.fixed
        else:
            positions = {n: (i.pos().x(), i.pos().y()) for n, i in self.nodes.items()}
            picture = build_picture(doc.graph, doc.evaluation, positions,
                                    show_grad=doc.view.get("show_grad", True),
                                    edge_labels=doc.view.get("edge_labels", False))
        self.picture = picture
        for n, view in picture.nodes.items():
            if n in self.nodes:
                self.nodes[n].set_view(view, theme)
        self.route_edges(force=False)
        items = [(e, self.edges.get((e.src, e.dst, e.port))) for e in picture.edges]
        items = [(e, i) for e, i in items if i is not None]
        spots = [0.5] * len(items)
        if any(e.label for e, _ in items):
            rects = {n: i.scene_rect() for n, i in self.nodes.items()}
            spots = label_spots([(e, i.path) for e, i in items], rects, theme)
        for (e, item), at in zip(items, spots):
            item.set_view(e, theme, at)
        self.update()

    # ---- step mode ------------------------------------------------------------------------------

    def show_picture(self, picture: Picture | None) -> None:
        was = self.fixed is not None
        self.fixed = picture
        self.refresh()
        if was != (picture is not None):
            self.step_mode_changed.emit(picture is not None)

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
        if port is None:  # over the body: the first free argument
            free = [k for k, p in enumerate(self.doc.graph.parents(item.node)) if p is None]
            port = free[0] if free else 0
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
        self._leave_step_mode()
        self.doc.scrub(node, value)

    def finish_scrub(self, node: int, old: float, new: float) -> None:
        if new == old:
            return
        self.doc.push(SetValueCommand(self.doc, node, new, old, has_old=True))

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
            self.route_edges()
