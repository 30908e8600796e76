"""The canvas: the QGraphicsView showing a :class:`~graphstudio.ui.scene.GraphScene`.

Wheel zoom around the cursor, pan with the middle button or with space + drag, rubber-band
selection with a left drag on empty canvas, fit to view, an optional grid, drops from the
palette, Tab or double-click on empty canvas for the quick search, editing a name or a number in
place, and :meth:`Canvas.show_picture` to show a given picture (a step of a pass) instead of the
live one until the graph is edited.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsView, QLineEdit, QToolTip, QWidget

from ..core.graph import Graph, GraphError
from ..core.numbers import format_editable
from ..render.detail import show_text
from ..render.draw import arrange, row_rect
from ..render.fonts import SMALLEST
from ..render.picture import Picture
from .commands import RenameCommand, SetValueCommand, add_node_command
from .document import GraphDocument
from .scene import GraphScene
from .values import parse_value

__all__ = ["Canvas", "OP_MIME", "readable_zoom", "READABLE_PX"]

OP_MIME = "application/x-graphstudio-op"
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
GRID = 24.0
FIT_MARGIN = 20.0  # around the graph when it is fitted to the view
ITEM_MARGIN = 24.0  # the most a node item draws outside its box (ports, port numbers, the output dot)
#: the height on screen (pixels) of the smallest text when a graph opens (see show_graph)
READABLE_PX = 9.0


def readable_zoom() -> float:
    """The zoom at which the smallest text drawn (:data:`graphstudio.render.fonts.SMALLEST`
    pixels at 100 %) is :data:`READABLE_PX` pixels high on screen."""
    return READABLE_PX / SMALLEST


def _lone(op: str) -> Graph:
    """A graph of one new node of kind ``op``, as the canvas would add it (to measure it)."""
    g = Graph()
    if op == "input":
        g.add_input("x1", 1.0)
    elif op == "const":
        g.add_const(1.0)
    else:
        g.add_node(op)
    return g


class Canvas(QGraphicsView):
    """The view of a :class:`GraphScene`. Signals: ``message(str)`` for the status bar,
    ``quick_search_requested(QPointF)`` (a scene position), ``zoom_changed(float)``,
    ``menu_requested(QPointF, QPoint)`` (a right click on empty canvas)."""

    message = Signal(str)
    quick_search_requested = Signal(QPointF)
    zoom_changed = Signal(float)
    menu_requested = Signal(QPointF, object)  # empty canvas: scene position, screen position

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
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        # the grid is drawn once per zoom and scroll, not under every repaint of the boxes (a
        # training run repaints them many times a second); the view settings (grid, theme)
        # and another document's may change it
        self.setCacheMode(QGraphicsView.CacheBackground)
        doc.view_changed.connect(lambda _key: self.resetCachedContent())
        doc.replaced.connect(self.resetCachedContent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._pan: QPointF | None = None
        self._space = False
        self._editor: QLineEdit | None = None
        self._key_handlers: list = []
        self.graph_scene.message.connect(self._show_message)
        self.graph_scene.edit_requested.connect(self.edit_in_place)
        doc.view_changed.connect(lambda _key: self.viewport().update())
        self.zoom_changed.connect(lambda zoom: self.graph_scene.set_text_shown(show_text(zoom)))
        # nodes a scrub left out of sight are brought up to date when they may come into sight
        self.zoom_changed.connect(lambda _zoom: self.graph_scene.catch_up())
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.valueChanged.connect(lambda _value: self.graph_scene.catch_up())

    # ---- extension point -----------------------------------------------------------------------

    def show_picture(self, picture: Picture | None) -> None:
        """Show ``picture`` (e.g. one step of a pass) instead of the live evaluation, until the
        graph is edited or ``show_picture(None)`` is called. The node the step is about is
        scrolled into view."""
        self.graph_scene.show_picture(picture)
        self.keep_in_view()

    def focus_node(self) -> int | None:
        """The node the canvas is about: the step's current node, else the one selected."""
        fixed = self.graph_scene.fixed
        if fixed is not None:
            current = [n for n, v in fixed.nodes.items() if v.highlight == "current"]
            if current:
                return current[0]
        selected = self.graph_scene.selected_nodes()
        return selected[0] if len(selected) == 1 else None

    def keep_in_view(self) -> None:
        """Scroll the focus node (:meth:`focus_node`) into view, if it is out of it."""
        node = self.focus_node()
        item = self.graph_scene.nodes.get(node) if node is not None else None
        if item is None:
            return
        rect = item.sceneBoundingRect()
        size, room = self.mapFromScene(rect).boundingRect().size(), self.viewport().size()
        if size.width() > room.width() or size.height() > room.height():
            self.centerOn(item)  # larger than the view: its middle at least
            return
        # a margin around it where there is room for one (Qt's would push it out the far side)
        self.ensureVisible(rect, min(30, (room.width() - size.width()) // 2),
                           min(30, (room.height() - size.height()) // 2))

    def resizeEvent(self, event) -> None:
        """A panel opened or closed beside the canvas: a graph that was wholly in view is
        fitted again, else the node the canvas is about stays in view."""
        old = event.oldSize()
        bounds = self._graph_bounds()
        if bounds is not None:  # the graph itself, without the margin fit() leaves
            bounds = bounds.adjusted(FIT_MARGIN, FIT_MARGIN, -FIT_MARGIN, -FIT_MARGIN)
        whole = old.isValid() and bounds is not None and self.mapToScene(
            QRect(0, 0, old.width(), old.height())).boundingRect().contains(bounds)
        super().resizeEvent(event)
        if bounds is None:
            return
        if whole and not self.mapToScene(self.viewport().rect()).boundingRect().contains(bounds):
            self.fit()
        else:
            self.keep_in_view()

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

    def _graph_bounds(self) -> QRectF | None:
        # the router holds every box and curve: asking Qt for each item's scene bounding
        # rectangle calls back into Python for every item (a sixth of opening 5,000 nodes)
        bounds = self.graph_scene.router.bounds()
        if bounds is None:
            return None
        left, top, right, bottom = bounds
        m = FIT_MARGIN + ITEM_MARGIN  # and the ports, outside the boxes
        return QRectF(left - m, top - m, right - left + 2 * m, bottom - top + 2 * m)

    def graph_in_view(self) -> bool:
        """Whether every node is in sight."""
        bounds = self._graph_bounds()
        seen = self.mapToScene(self.viewport().rect()).boundingRect()
        return bounds is None or seen.contains(bounds)

    def fit(self) -> None:
        """Fit every node in the view (never magnified past 1.6×)."""
        self._fit(self._graph_bounds())
        self.zoom_changed.emit(self.zoom())

    def _fit(self, bounds: QRectF | None) -> None:
        """Fit ``bounds`` in the view as :meth:`fit` does, without announcing the zoom."""
        if bounds is None:
            self.resetTransform()
            self.centerOn(0, 0)
            return
        self.graph_scene.take_in(bounds)  # (a move may not have reached the scene's area yet)
        self.fitInView(bounds, Qt.KeepAspectRatio)
        if self.zoom() > 1.6:
            self._scale_to(1.6)
        self.centerOn(bounds.center())

    def _scale_to(self, factor: float) -> None:
        """Zoom to ``factor`` (within the limits) about any point, without announcing it: the
        caller centres the view and announces the zoom."""
        target = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        self.scale(target / self.zoom(), target / self.zoom())

    def show_graph(self) -> None:
        """The view a graph opens in: fitted as :meth:`fit` does, but never smaller than
        :func:`readable_zoom`, at which the smallest text drawn is :data:`READABLE_PX` pixels
        high. A graph too big to fit at that zoom shows its left part (the inputs, where it
        is read from), centred on the nodes there; Fit to View still shows all of it. The
        zoom is announced once, as it ends up (a big graph is not drawn as boxes first)."""
        bounds = self._graph_bounds()
        self._fit(bounds)
        if bounds is None or self.zoom() >= readable_zoom() - 1e-9:
            self.zoom_changed.emit(self.zoom())
            return
        self._scale_to(readable_zoom())
        self.zoom_changed.emit(self.zoom())
        view = self.mapToScene(self.viewport().rect()).boundingRect()
        right = bounds.left() + view.width()
        router = self.graph_scene.router  # the nodes that fit from the left edge: centred on them
        shown = router.bounds([n for n, (x, _y, w, _h) in router.boxes.items() if x + w <= right])
        middle = (shown[1] + shown[3]) / 2 if shown is not None else bounds.center().y()
        self.centerOn(bounds.left() + view.width() / 2, middle)

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

    def contextMenuEvent(self, event) -> None:
        if self.itemAt(event.pos()) is None:
            self.menu_requested.emit(self.mapToScene(event.pos()), event.globalPos())
            event.accept()
            return
        super().contextMenuEvent(event)

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

    def add_key_handler(self, handler) -> None:
        """``handler(key) -> bool`` sees the canvas's key presses first (the step-through uses
        the arrow keys while a step is shown); True means it took the key."""
        self._key_handlers.append(handler)

    def keyPressEvent(self, event) -> None:
        if event.modifiers() == Qt.NoModifier and any(h(event.key()) for h in self._key_handlers):
            event.accept()
            return
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
        """Add a node of kind ``op`` at ``pos`` (default: where the mouse is over the canvas,
        else the centre of the view), moved to the nearest free space; it becomes the
        selection. Returns its id."""
        if pos is None:
            pos = self.cursor_scene_pos()
        size = self.graph_scene.boxes(_lone(op)).size()
        spot = self.graph_scene.free_spot(pos, size)
        cmd = add_node_command(self.doc, op, (round(spot.x()), round(spot.y())))
        self.doc.push(cmd)
        self.graph_scene.select(cmd.nodes)
        if cmd.note:
            self.message.emit(cmd.note)
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
        editor.setText(g.name(node) or "" if kind == "name" else format_editable(g.value(node)))
        # the text as large as the node's at this zoom (readable at 40%, not tiny at 300%)
        font = editor.font()
        font.setPixelSize(max(10, min(64, round(rect.height() * 0.62))))
        editor.setFont(font)
        height = max(rect.height(), editor.fontMetrics().height() + 8)
        width = max(rect.width(), editor.fontMetrics().horizontalAdvance("M" * 8))
        editor.setGeometry(rect.x(), rect.y() + (rect.height() - height) // 2, width, height)
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
