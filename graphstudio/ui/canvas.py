"""The canvas: a QGraphicsScene that follows the document, and the QGraphicsView showing it.

:class:`GraphScene` keeps one item per node and per edge. It listens to the document: the
model's announcements add and remove items, and every evaluation rebuilds the
:class:`~graphstudio.render.picture.Picture` (what each node shows) and hands each item its part.
Edits made with the mouse (move, connect, scrub) go back to the document as undo commands.

:class:`Canvas` is the view: wheel zoom around the cursor, pan with the middle button or with
space + drag, rubber-band selection with a left drag on empty canvas, fit to view, an optional
grid, drops from the palette, Tab or double-click on empty canvas for the quick search, and
:meth:`Canvas.show_picture` to show a given picture (a step of a pass) instead of the live one
until the graph is edited.
"""

from __future__ import annotations

import ast
import json
import math
import re

import numpy as np

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QGraphicsPathItem, QGraphicsScene, QGraphicsView, QLineEdit,
                               QToolTip, QWidget)

from ..core.graph import GraphError, format_value
from ..core.ops import OPS
from ..render.draw import arrange, label_spots, output_point, port_point, row_rect
from ..render.picture import NodeView, Picture, build_picture
from ..render.style import THEMES, Theme
from .commands import (ConnectCommand, DisconnectCommand, MoveCommand, ReconnectCommand,
                       RenameCommand, SetValueCommand, add_node_command)
from .document import GraphDocument
from .items import EdgeItem, NodeItem

__all__ = ["GraphScene", "Canvas", "OP_MIME", "parse_value", "value_text"]

OP_MIME = "application/x-graphstudio-op"
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
GRID = 24.0


def parse_value(text: str):
    """A number, or a list of numbers as JSON (``[1, -2.5]``) or as numpy prints it
    (``[1 -2.5]``), typed by the user; nothing is evaluated."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    commas = re.sub(r"(?<=[\d\].])\s+(?=[-+\d\[.])", ", ", text)
    try:
        value = ast.literal_eval(commas)  # literals only: nothing is run
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError(f"{text!r} is not a number or a list of numbers such as [1, -2.5]") from None
    if not isinstance(value, list):
        raise ValueError(f"{text!r} is not a number or a list of numbers")
    try:
        return np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("every row must have the same length and hold only numbers") from None


def value_text(value) -> str:
    """A value as the user types it: ``2.5`` or ``[[1, 2], [3, 4]]`` (all digits kept)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format_value(value, 12)

    def plain(x):
        return [plain(v) for v in x] if isinstance(x, list) else (int(x) if float(x).is_integer() else x)

    return json.dumps(plain(np.asarray(value).tolist()))


def _provisional(graph, node: int) -> NodeView:
    """What a node shows before the next evaluation (its items exist at once)."""
    data = graph.data(node)
    op = data["op"]
    kind = "op" if op not in ("input", "const") else ("param" if data.get("trainable") else op)
    ports = len(graph.parents(node)) if kind == "op" else 0
    value = data.get("value")
    return NodeView(node, data["name"] or "", OPS[op].symbol if kind == "op" else "", kind, op,
                    value, None, format_value(value) if value is not None else "", "",
                    (), ports)


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
        self.setSceneRect(-20000, -20000, 40000, 40000)
        self.setItemIndexMethod(QGraphicsScene.NoIndex)
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
        item = NodeItem(n, _provisional(g, n), self.theme)
        pos = g.position(n) or (0.0, 0.0)
        item.setPos(pos[0], pos[1])
        self.addItem(item)
        self.nodes[n] = item

    def _add_edge(self, src: int, dst: int, port: int) -> None:
        dst_item = self.nodes[dst]
        if port >= dst_item.view.n_ports:
            dst_item.set_view(_provisional(self.doc.graph, dst), self.theme)
        item = EdgeItem(self.nodes[src], dst_item, port, self.theme)
        self.addItem(item)
        self.edges[(src, dst, port)] = item

    def _on_event(self, event: str, details: dict) -> None:
        g = self.doc.graph
        if event == "node_added":
            self._add_node(details["node"])
        elif event == "node_removed":
            item = self.nodes.pop(details["node"], None)
            if item is not None:
                self.removeItem(item)
        elif event == "edge_added":
            self._add_edge(details["src"], details["dst"], details["port"])
        elif event == "edge_removed":
            item = self.edges.pop((details["src"], details["dst"], details["port"]), None)
            if item is not None:
                item.detach()
                self.removeItem(item)
        elif event == "node_moved":
            item = self.nodes.get(details["node"])
            pos = g.position(details["node"])
            if item is not None and pos is not None and (item.pos().x(), item.pos().y()) != pos:
                item.setPos(pos[0], pos[1])

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
        src, to, detach = self._from, self._to, self._detach
        self._from = self._to = self._detach = None
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
            hit = self.target_at(pos, exclude=src)
            if hit is None:
                if detach is not None:  # an edge picked up and dropped on nothing: removed
                    self.doc.push(DisconnectCommand(self.doc, *detach))
                else:
                    self.message.emit("Drop the edge on an argument port (the circles on a "
                                      "node's left side) to connect", pos)
                return
            item, port = hit
            if port is None:  # dropped on the body: the first free argument
                free = [k for k, p in enumerate(self.doc.graph.parents(item.node)) if p is None]
                port = free[0] if free else 0
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


class Canvas(QGraphicsView):
    """The view of a :class:`GraphScene`. Signals: ``message(str)`` for the status bar,
    ``quick_search_requested(QPointF)`` (a scene position), ``zoom_changed(float)``."""

    message = Signal(str)
    quick_search_requested = Signal(QPointF)
    zoom_changed = Signal(float)

    def __init__(self, doc: GraphDocument, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.graph_scene = GraphScene(doc, self)
        self.setScene(self.graph_scene)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing
                            | QPainter.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.BoundingRectViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._pan: QPointF | None = None
        self._space = False
        self._editor: QLineEdit | None = None
        self.graph_scene.message.connect(self._show_message)
        self.graph_scene.edit_requested.connect(self.edit_in_place)
        doc.view_changed.connect(lambda _key: self.viewport().update())

    # ---- extension point -----------------------------------------------------------------------

    def show_picture(self, picture: Picture | None) -> None:
        """Show ``picture`` (e.g. one step of a pass) instead of the live evaluation, until the
        graph is edited or ``show_picture(None)`` is called."""
        self.graph_scene.show_picture(picture)

    @property
    def step_mode(self) -> bool:
        return self.graph_scene.fixed is not None

    # ---- zoom and pan ----------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, at=None) -> None:
        """Zoom to ``factor``, keeping the scene point under viewport position ``at`` (default:
        the centre of the view) where it is."""
        target = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        if at is None:
            at = self.viewport().rect().center()
        before = self.mapToScene(at)
        old = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.scale(target / self.zoom(), target / self.zoom())
        moved = self.mapToScene(at) - before
        self.translate(moved.x(), moved.y())
        self.setTransformationAnchor(old)
        self.zoom_changed.emit(self.zoom())

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / 1.25)

    def zoom_reset(self) -> None:
        self.set_zoom(1.0)

    def fit(self) -> None:
        """Fit every node in the view (never magnified past 1.6×)."""
        items = list(self.graph_scene.nodes.values()) + list(self.graph_scene.edges.values())
        if not items:
            self.resetTransform()
            self.centerOn(0, 0)
            return
        bounds = QRectF()
        for item in items:
            bounds = bounds.united(item.sceneBoundingRect())
        bounds.adjust(-30, -30, 30, 30)
        self.fitInView(bounds, Qt.KeepAspectRatio)
        if self.zoom() > 1.6:
            self.set_zoom(1.6)
        self.centerOn(bounds.center())
        self.zoom_changed.emit(self.zoom())

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta == 0:
            return
        self.set_zoom(self.zoom() * math.pow(1.0015, delta), event.position().toPoint())
        event.accept()

    def mousePressEvent(self, event) -> None:
        for popup in self.viewport().findChildren(QWidget, "quick-search"):
            popup.hide()
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space):
            self._pan = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan is not None:
            delta = event.position() - self._pan
            self._pan = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan is not None:
            self._pan = None
            self.viewport().setCursor(Qt.OpenHandCursor if self._space else Qt.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.itemAt(event.position().toPoint()) is None and event.button() == Qt.LeftButton:
            self.quick_search_requested.emit(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def event(self, event) -> bool:
        # Tab would move the focus to the next widget; on the canvas it opens the quick search.
        if event.type() == event.Type.KeyPress and event.key() == Qt.Key_Tab:
            self.quick_search_requested.emit(self.cursor_scene_pos())
            return True
        return super().event(event)

    def cursor_scene_pos(self) -> QPointF:
        """Where the mouse is, if over the canvas; else the centre of the view."""
        p = self.viewport().mapFromGlobal(self.cursor().pos())
        if self.viewport().rect().contains(p):
            return self.mapToScene(p)
        return self.mapToScene(self.viewport().rect().center())

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(Qt.ArrowCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    # ---- background ------------------------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        theme = self.graph_scene.theme
        painter.fillRect(rect, QColor(theme.background))
        if not self.doc.view.get("grid", True) or self.zoom() < 0.3:
            return
        painter.setPen(QPen(QColor(theme.grid), 0))
        left = math.floor(rect.left() / GRID) * GRID
        top = math.floor(rect.top() / GRID) * GRID
        x = left
        lines = []
        while x < rect.right():
            lines.append(QLineF(x, rect.top(), x, rect.bottom()))
            x += GRID
        y = top
        while y < rect.bottom():
            lines.append(QLineF(rect.left(), y, rect.right(), y))
            y += GRID
        painter.drawLines(lines)

    # ---- drops from the palette ----------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(OP_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(OP_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if event.mimeData().hasFormat(OP_MIME):
            op = bytes(event.mimeData().data(OP_MIME)).decode()
            pos = self.mapToScene(event.position().toPoint())
            self.add_node(op, pos)
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    def add_node(self, op: str, pos: QPointF | None = None) -> int | None:
        """Add a node of kind ``op`` at ``pos`` (default: the centre of the view); it becomes
        the selection. Returns its id."""
        if pos is None:
            pos = self.mapToScene(self.viewport().rect().center())
        cmd = add_node_command(self.doc, op, (round(pos.x()), round(pos.y())))
        self.doc.push(cmd)
        self.graph_scene.select(cmd.nodes)
        self.setFocus()
        return cmd.nodes[0] if cmd.nodes else None

    def arrange(self) -> dict[int, tuple[float, float]]:
        """Layered positions for the whole graph, from how its nodes are drawn now."""
        return arrange(self.doc.graph, self.doc.evaluation, self.graph_scene.theme,
                       self.doc.view.get("edge_labels", False))

    # ---- messages and editing in place ------------------------------------------------------------

    def _show_message(self, text: str, scene_pos: QPointF) -> None:
        self.message.emit(text)
        where = self.viewport().mapToGlobal(self.mapFromScene(scene_pos))
        QToolTip.showText(where, text, self.viewport())

    def edit_in_place(self, node: int, kind: str) -> QLineEdit | None:
        """A line edit over the node's name (``kind="name"``) or number (``"value"``); Enter
        commits through an undo command, Escape or leaving it cancels."""
        item = self.graph_scene.nodes.get(node)
        if item is None:
            return None
        self._close_editor()
        g = self.doc.graph
        if kind == "value" and not g.is_leaf(node):
            kind = "name"
        row = row_rect(item.view, item.rect, item.theme, "value" if kind == "value" else "header")
        if row is None:
            row = row_rect(item.view, item.rect, item.theme, "header")
        box = item.mapRectToScene(row.adjusted(-4, -2, 4, 2))
        rect = self.mapFromScene(box).boundingRect()
        editor = QLineEdit(self.viewport())
        editor.setObjectName(f"inline-{kind}")
        editor.setText(g.name(node) or "" if kind == "name" else value_text(g.value(node)))
        editor.setGeometry(rect.x(), rect.y(), max(rect.width(), 110), max(rect.height(), 26))
        editor.selectAll()
        editor.show()
        editor.setFocus()

        def commit() -> None:
            if self._editor is not editor:
                return
            text = editor.text().strip()
            self._close_editor()
            try:
                if kind == "name":
                    name = text or None
                    if name != g.name(node):
                        self.doc.push(RenameCommand(self.doc, node, name))
                else:
                    self.doc.push(SetValueCommand(self.doc, node, parse_value(text)))
            except (GraphError, ValueError) as exc:
                self._show_message(str(exc), box.center())

        editor.editingFinished.connect(commit)  # Enter, or clicking elsewhere; Escape cancels
        editor.installEventFilter(self)
        self._editor = editor
        return editor

    def eventFilter(self, obj, event) -> bool:
        if obj is self._editor and event.type() == event.Type.KeyPress and event.key() == Qt.Key_Escape:
            self._close_editor()
            return True
        return super().eventFilter(obj, event)

    def _close_editor(self) -> None:
        editor, self._editor = self._editor, None
        if editor is not None:
            editor.setObjectName("")  # gone: findChild must not find it before it is deleted
            editor.hide()
            editor.deleteLater()
            self.setFocus()
