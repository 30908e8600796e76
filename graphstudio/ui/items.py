"""The scene's items: one :class:`NodeItem` per node and one :class:`EdgeItem` per edge.

Items hold only what they draw (a :class:`~graphstudio.render.picture.NodeView`), never values
of their own; their ``paint`` calls :mod:`graphstudio.render.draw`, the same code the exporters
use. What a mouse does on a node:

* drag from the output dot (right side) to another node's argument port: connect;
* drag horizontally over an input's number: scrub its value (the graph updates while dragging);
* drag anywhere else: move (the scene records the move as one undo command on release);
* double-click the name or the number: edit it in place;
* rest the pointer on an array's cell: its index, value and gradient in a tooltip.

PySide6 calls Qt's virtual methods only under their exact camelCase names (``paint``,
``boundingRect``, ``mousePressEvent``...). No ``itemChange`` here: Qt calls it for every
change of every item (a dozen times per node added), and from Python that costs more than
the rest of adding a node.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QToolTip

from ..core.numbers import format_value
from ..render.detail import Overview, box_style
from ..render.draw import (EdgeDrawing, cell_under, edge_drawing, edge_label_rect, node_rect,
                           paint_edge_drawing, paint_node, row_rect)
from ..render.labels import MIDDLE_SPOT, LabelSpot
from ..render.picture import EdgeView, NodeView
from ..render.routing import output_point, port_point
from ..render.style import Theme
from .box_pixmap import BoxPixmap

__all__ = ["NodeItem", "EdgeItem", "OverviewItem", "HIT"]

HIT = 11.0  # how close (scene units) a press must be to a port or the output dot
# Qt's enums looked up once (a lookup through a class costs microseconds in PySide6, and
# opening a big graph makes thousands of items)
_NODE_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
_EDGE_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
_PIXMAP = QGraphicsItem.CacheMode.DeviceCoordinateCache
_NO_CACHE = QGraphicsItem.CacheMode.NoCache
# an edge's curve and bounds until it is routed, shared (each is replaced, never changed)
_NO_PATH = QPainterPath()
_NO_BOUNDS = QRectF()


def _bounds(rect: QRectF) -> QRectF:
    """What a node whose box is ``rect`` draws: the box, its ports and output dot, the halo."""
    return rect.adjusted(-24, -16, 14, 10)


def _dist(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())


class NodeItem(QGraphicsItem):
    """A node: a box centred on the item's position."""

    def __init__(self, node: int, view: NodeView, theme: Theme) -> None:
        super().__init__()
        self.node = node
        self.view = view
        self.theme = theme
        self.rect = self._fit = node_rect(view, (0.0, 0.0), theme)  # _fit: the box its text needs
        self._bounds = _bounds(self.rect)
        self.hover = False
        self.drop_port: int | None = None  # ringed while an edge is dragged over it
        self._drag: str | None = None
        self._scrub: tuple[float, float, float] | None = None  # (screen x, start value, step)
        self.setFlags(_NODE_FLAGS)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        # the box is kept as a pixmap in device pixels (sharp at every zoom and pixel ratio; Qt
        # draws it again when update() is called, as every change of look here does), so
        # repainting a region over unchanged boxes only copies pixels; while a number is
        # scrubbed, a box whose numbers change at every step is drawn directly (see set_view)
        self.setCacheMode(_PIXMAP)
        self._cached = True
        self._box: BoxPixmap | None = None  # the box without its numbers, while not cached
        self._node_tip: str | None = None  # made when first asked for (see toolTip)

    # ---- what it shows -------------------------------------------------------------------------

    def set_view(self, view: NodeView, theme: Theme, grow_only: bool = False) -> None:
        """Show ``view``. ``grow_only`` (while a number is scrubbed): the box keeps its size if
        the new text fits, so a number that loses a digit and gains it back does not resize the
        box (and reroute its edges) at every step of the drag; :meth:`fit` sizes it exactly."""
        old = self.view
        if view is old and theme is self.theme:
            return
        rect = self._fit = node_rect(view, (0.0, 0.0), theme)
        if grow_only:
            rect = rect.united(self.rect)  # both centred on the item's position
        # the scene reroutes and redraws what depends on the box, its ports and its look:
        # nothing, when only its numbers change (every node at every frame of a training run)
        changed = (theme is not self.theme or view.n_ports != old.n_ports
                   or box_style(view, theme) != box_style(old, theme))
        if rect != self.rect:
            self.prepareGeometryChange()
            self.rect = rect
            self._bounds = _bounds(rect)
            changed = True
        if grow_only and self._cached:  # a pixmap drawn and then copied at every step costs more
            self.setCacheMode(_NO_CACHE)  # (the box without its numbers is kept: paint)
            self._cached = False
        elif not grow_only and not self._cached:  # the numbers settle (a run's last frame)
            self._cache()
        self.view, self.theme = view, theme
        self._node_tip = None
        if self.hover:
            self.setToolTip(self.node_tip())
        if changed:
            self._changed()
        self.update()

    def fit(self) -> bool:
        """Size the box to its text again (after a scrub let it grow), cached again as a
        pixmap; whether its size changed."""
        if not self._cached:
            self._cache()
        if self._fit == self.rect:
            return False
        self.prepareGeometryChange()
        self.rect = self._fit
        self._bounds = _bounds(self.rect)
        self._changed()
        self.update()
        return True

    def _cache(self) -> None:
        self.setCacheMode(_PIXMAP)
        self._cached = True
        if self._box is not None:
            self._box.clear()

    def toolTip(self) -> str:  # noqa: N802 (Qt's name)
        """What the tooltip says: the cell or node under the pointer while it rests on the
        node, else the node's own tip. Qt shows what :meth:`setToolTip` was last given, which
        the hover events set; writing a tip for every node at every update would cost a
        scrub or a training frame more than measuring the node."""
        return super().toolTip() if self.hover else self.node_tip()

    def node_tip(self) -> str:
        """The node's own tip: its name, op, value, gradient and any error or warning."""
        if self._node_tip is None:
            self._node_tip = self._tooltip()
        return self._node_tip

    def _tooltip(self) -> str:
        v = self.view
        head = v.title or (v.symbol if v.kind == "op" else v.value_text)
        lines = [f"<b>{head}</b> ({v.op})"]
        if v.value is not None:
            lines.append(f"value: {format_value(v.value)}")
        if v.grad is not None:
            lines.append(f"gradient: {format_value(v.grad)}")
        elif v.grad_missing:
            lines.append(f"gradient: —<br>{v.grad_missing}")
        if v.error:
            lines.append(f"<span style='color:{self.theme.error}'>cannot compute: {v.error}</span>")
        elif v.warning:
            lines.append(f"<span style='color:{self.theme.warning}'>warning: {v.warning}</span>")
        if v.is_output:
            lines.append("the output (gradients are d output / d node)")
        return "<br>".join(line.replace("\n", "<br>") for line in lines)

    def cell_tooltip(self, pos: QPointF) -> str | None:
        """What the pointer at ``pos`` (item coordinates) is over in an array: the cell's
        index, its value and its gradient in full (``W[1, 0] = -0.4``, ``∇ = -0.463``)."""
        hit = cell_under(self.view, self.rect, self.theme, pos)
        if hit is None:
            return None
        _kind, index = hit
        v = self.view
        name = v.title or v.symbol or v.op
        where = f"{name}[{', '.join(str(i) for i in index)}]"
        lines = [f"<b>{where}</b> = {format_value(float(np.asarray(v.value)[index]), 8)}"]
        if v.grad_grid is not None:
            lines.append(f"<span style='color:{self.theme.grad}'>{v.grad_prefix.strip() or '∇'} "
                         f"= {format_value(float(np.asarray(v.grad)[index]), 8)}</span>")
        return "<br>".join(lines)

    def scene_rect(self) -> QRectF:
        return self.rect.translated(self.pos())

    def _changed(self) -> None:
        """Tell the scene: the box, the ports or the look changed (it reroutes and redraws
        what depends on them). Moves and selections are the scene's own doing: it knows."""
        scene = self.scene()
        if scene is not None and hasattr(scene, "node_changed"):
            scene.node_changed(self)

    def port_at(self, scene_pos: QPointF) -> int | None:
        """The argument port near ``scene_pos``, if any."""
        p = self.mapFromScene(scene_pos)
        best, best_d = None, HIT
        for k in range(self.view.n_ports):
            d = _dist(p, port_point(self.rect, k, self.view.n_ports))
            if d <= best_d:
                best, best_d = k, d
        return best

    def on_output(self, pos: QPointF) -> bool:
        return _dist(pos, output_point(self.rect)) <= HIT

    def scrubbable(self) -> bool:
        return self.view.kind in ("input", "param", "const") and isinstance(self.view.value, float)

    def on_value(self, pos: QPointF) -> bool:
        box = row_rect(self.view, self.rect, self.theme, "value")
        if box is None and self.view.kind == "const":
            box = row_rect(self.view, self.rect, self.theme, "header")
        return box is not None and box.adjusted(-4, -2, 4, 2).contains(pos)

    # ---- Qt overrides ----------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        return self._bounds  # (kept: Qt asks for it often, for every box when a graph opens)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.rect.adjusted(-HIT, 0, HIT, 0), 9, 9)
        return path

    def paint(self, painter, option, widget=None) -> None:
        if self._cached:  # Qt keeps the picture
            paint_node(painter, self.rect, self.view, self.theme, self.isSelected(), self.hover)
        else:  # the numbers change at every frame: only they are drawn anew
            if self._box is None:  # (made when first needed: most boxes never are)
                self._box = BoxPixmap()
            self._box.paint(painter, self.boundingRect(), self.rect, self.view, self.theme,
                            self.isSelected(), self.hover)
        if self.drop_port is not None:  # where a dragged edge would land
            painter.setPen(QPen(QColor(self.theme.selection), 2.5))
            painter.setBrush(Qt.NoBrush)
            painter.drawEllipse(port_point(self.rect, self.drop_port, self.view.n_ports), 9.0, 9.0)

    def set_drop_port(self, port: int | None) -> None:
        if port != self.drop_port:
            self.drop_port = port
            self.update()

    def hoverEnterEvent(self, event) -> None:
        self.hover = True
        self.setToolTip(self.node_tip())
        self.update()
        super().hoverEnterEvent(event)

    def hoverMoveEvent(self, event) -> None:
        pos = event.pos()
        tip = self.cell_tooltip(pos) or self.node_tip()
        if tip != super().toolTip():  # the cell under the pointer, live once the tip is up
            self.setToolTip(tip)
            if QToolTip.isVisible():
                QToolTip.showText(event.screenPos(), tip)
        if self.on_output(pos) or self.port_at(event.scenePos()) is not None:
            self.setCursor(Qt.CrossCursor)
        elif self.scrubbable() and self.on_value(pos):
            self.setCursor(Qt.SizeHorCursor)
        else:
            self.setCursor(Qt.ArrowCursor)
        super().hoverMoveEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self.hover = False
        self.update()
        super().hoverLeaveEvent(event)

    def mousePressEvent(self, event) -> None:
        scene = self.scene()
        if event.button() == Qt.LeftButton and scene is not None:
            if self.on_output(event.pos()):
                self._drag = "connect"
                scene.begin_connect(self, event.scenePos())
                event.accept()
                return
            port = self.port_at(event.scenePos())
            if port is not None:  # pick up the edge by its arrow, or drag back from a free port
                self._drag = "connect"
                parent = scene.doc.graph.parent_at(self.node, port)
                if parent is not None:
                    scene.begin_connect(scene.nodes[parent], event.scenePos(), (self.node, port))
                else:
                    scene.begin_reverse(self, port, event.scenePos())
                event.accept()
                return
            if self.scrubbable() and self.on_value(event.pos()):
                self._drag = "scrub"
                v0 = float(self.view.value)
                step = 10 ** math.floor(math.log10(max(abs(v0), 1.0))) / 20
                self._scrub = (event.screenPos().x(), v0, step)
                event.accept()
                return
        self._drag = None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        scene = self.scene()
        if self._drag == "connect":
            scene.update_connect(event.scenePos())
            return
        if self._drag == "scrub":
            x0, v0, step = self._scrub
            scene.scrub(self.node, _scrubbed(v0, event.screenPos().x() - x0, step))
            return
        super().mouseMoveEvent(event)  # moves this node and the selected ones
        if scene is not None and hasattr(scene, "nodes_dragged"):
            scene.nodes_dragged(self)

    def mouseReleaseEvent(self, event) -> None:
        scene = self.scene()
        drag, self._drag = self._drag, None
        if drag == "connect":
            scene.finish_connect(event.scenePos())
            return
        if drag == "scrub":
            x0, v0, step = self._scrub
            scene.finish_scrub(self.node, v0, _scrubbed(v0, event.screenPos().x() - x0, step))
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        kind = "value" if self.view.kind in ("input", "param", "const") and \
            (self.on_value(event.pos()) or not self.view.title) else "name"
        scene = self.scene()
        with scene.handling(self):
            scene.edit_requested.emit(self.node, kind)
        event.accept()

    def contextMenuEvent(self, event) -> None:
        if not self.isSelected():
            self.scene().clearSelection()
            self.setSelected(True)
        scene = self.scene()
        with scene.handling(self):
            scene.menu_requested.emit(self.node, event.screenPos())
        event.accept()


def _scrubbed(v0: float, dx: float, step: float) -> float:
    """The value after dragging ``dx`` pixels, rounded to the step's precision."""
    digits = max(0, -math.floor(math.log10(step)))
    return round(v0 + round(dx) * step, digits)


class EdgeItem(QGraphicsItem):
    """An edge: the curve from the parent's output to the child's argument port."""

    def __init__(self, src: NodeItem, dst: NodeItem, port: int, theme: Theme,
                 view: EdgeView | None = None) -> None:
        super().__init__()
        self.src, self.dst, self.port = src, dst, port
        # ``view``, if plain (no label, not highlighted: as most are); another needs set_view
        # (bounds, tooltip, stacking), which the scene calls once the edge is routed
        plain = view is not None and not view.label and not view.highlight
        self.view = view if plain else EdgeView(src.node, dst.node, port)
        self.theme = theme
        self.label_spot = MIDDLE_SPOT
        self.path = _NO_PATH
        self._bounds = _NO_BOUNDS
        self._drawings: dict = {}  # selected or not -> its EdgeDrawing, until the edge changes
        self.setFlags(_EDGE_FLAGS)  # at z 0, Qt's default

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.src.node, self.dst.node, self.port)

    def set_view(self, view: EdgeView, theme: Theme, spot: LabelSpot = MIDDLE_SPOT) -> None:
        if (view is self.view or view == self.view) and theme is self.theme \
                and spot == self.label_spot:
            return
        self.view, self.theme, self.label_spot = view, theme, spot
        self._drawings = {}
        # a highlighted edge (the step's) above the boxes too: on a short edge no spot for its
        # label may be clear of them (but for their titles), and the local derivative is what
        # the step is about
        self.setZValue(1.5 if view.highlight else 0)
        self._bound()
        self._changed()
        if view.label:
            self.setToolTip(view.label)

    def set_path(self, path: QPainterPath) -> None:
        """The curve from the scene's router (:class:`~graphstudio.render.router.EdgeRouter`)."""
        self.path = path
        self._drawings = {}
        if self.scene() is None:  # a new edge (the scene routes those of a graph it opens
            self._bounds = self._extent()  # before adding them): nothing to tell Qt or it
            return
        self._bound()
        self._changed()

    def _changed(self) -> None:
        scene = self.scene()
        if scene is not None and hasattr(scene, "edge_changed"):
            scene.edge_changed(self)

    def _bound(self) -> None:
        self.prepareGeometryChange()
        self._bounds = self._extent()
        self.update()

    def _extent(self) -> QRectF:
        """What the edge draws: its curve, arrow head and any label."""
        bounds = self.path.boundingRect().adjusted(-14, -14, 14, 14)
        box = edge_label_rect(self.path, self.view, self.theme, self.label_spot)
        if box is not None:
            bounds = bounds.united(box.adjusted(-2, -2, 2, 2))
        return bounds

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path)

    def _drawing(self) -> EdgeDrawing:
        selected = self.isSelected()  # a selected edge is drawn highlighted
        drawing = self._drawings.get(selected)
        if drawing is None:
            view = replace(self.view, highlight=True) if selected else self.view
            drawing = self._drawings[selected] = edge_drawing(self.path, view, self.theme,
                                                              self.label_spot)
        return drawing

    def paint(self, painter, option, widget=None) -> None:
        paint_edge_drawing(painter, self._drawing(), screen=True)

    def label_drawn(self) -> tuple[QRectF | None, QLineF | None]:
        """The box the edge's label is drawn in and the leader line that joins it to the curve
        (None: no label; a label on or beside its curve), in scene coordinates, as painted now."""
        drawing = self._drawing()
        box, leader = drawing.label_box, drawing.leader
        if box is not None:
            box = self.mapRectToScene(box)
        if leader is not None:
            leader = QLineF(self.mapToScene(leader.p1()), self.mapToScene(leader.p2()))
        return box, leader

    def contextMenuEvent(self, event) -> None:
        scene = self.scene()
        with scene.handling(self):
            scene.edge_menu_requested.emit(self.dst.node, self.port, event.screenPos())
        event.accept()


class OverviewItem(QGraphicsItem):
    """The whole graph drawn as an :class:`~graphstudio.render.detail.Overview` (boxes and
    curves, no text), in place of the node and edge items while the canvas is zoomed out too
    far for text (:meth:`~graphstudio.ui.scene.GraphScene.set_text_shown`). It is never hit by
    the mouse: clicks, drags and selections reach the node and edge items beneath, which stay
    in the scene without drawing anything."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.overview = Overview()
        self.theme = theme
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption)  # paint only what is exposed
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setZValue(-1)

    def boundingRect(self) -> QRectF:
        return QRectF(-1e6, -1e6, 2e6, 2e6)  # anywhere a node may be

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def paint(self, painter, option, widget=None) -> None:
        self.overview.paint(painter, self.theme, option.exposedRect)
