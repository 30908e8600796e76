"""A node's box kept as a picture while only its numbers change.

While a number is scrubbed or a run trains, a box's value and gradient change at every frame,
so Qt's cache of the whole item (``DeviceCoordinateCache``) would be drawn anew at every frame
and is turned off (:meth:`~graphstudio.ui.items.NodeItem.set_view`). The rest of the box (its
fill, border, header, ports: :func:`~graphstudio.render.draw.box_key` says what) stays the
same, and drawing it is most of what painting a box costs. :class:`BoxPixmap` keeps it as a
pixmap in device pixels, made again when the box's look, the zoom or the item's offset within
a pixel changes; a frame copies it and draws the numbers on it
(:func:`~graphstudio.render.draw.paint_node_body`). A box with a unit's response behind its
text (which changes with the numbers) is kept as two pixmaps, what lies under the response
and what lies on it, and the response is drawn between them
(:func:`~graphstudio.render.draw.paint_thumbnail`). A box in a view that rotates or shears is
drawn directly.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPixmap, QTransform

from ..render.draw import box_key, paint_node, paint_node_body, paint_thumbnail
from ..render.picture import NodeView
from ..render.style import Theme

__all__ = ["BoxPixmap"]

_SCALING = QTransform.TransformationType.TxScale  # no rotation or shear up to this type
_IDENTITY = QTransform()  # setWorldTransform copies it


class BoxPixmap:
    """One node's box without its numbers, in device pixels (see the module docstring)."""

    def __init__(self) -> None:
        self._key: tuple | None = None  # what the pictures show (box_key, the response or not)
        self._pixmap: QPixmap | None = None  # the box (with a unit's response: under it)
        self._over: QPixmap | None = None  # with a unit's response: what lies on it
        # where they were last placed: the painter's transform and pixel ratio, the item's
        # bounds, and the pictures' top-left corner then
        self._placed: tuple | None = None
        self._corner = QPointF()
        self._pixels: tuple | None = None  # the pictures' zoom and offset within a pixel

    def paint(self, painter: QPainter, bounds: QRectF, rect: QRectF, view: NodeView,
              theme: Theme, selected: bool, hover: bool) -> None:
        """Paint the node drawn in ``rect`` (item coordinates; ``bounds`` holds all it draws)."""
        world = painter.worldTransform()
        placed = (world, painter.device().devicePixelRatioF(), bounds)
        if placed != self._placed and not self._place(*placed):
            paint_node(painter, rect, view, theme, selected, hover)  # rotated or sheared
            return
        thumbnail = view.thumbnail is not None
        key = (box_key(view, rect, theme, selected, hover), thumbnail, self._pixels)
        if key != self._key:
            self._draw(painter, rect, view, theme, selected, hover, thumbnail)
            self._key = key
        painter.save()
        painter.setWorldTransform(_IDENTITY)
        painter.drawPixmap(self._corner, self._pixmap)
        if thumbnail:
            painter.setWorldTransform(world)
            paint_thumbnail(painter, rect, view, theme, selected, hover)
            painter.setWorldTransform(_IDENTITY)
            painter.drawPixmap(self._corner, self._over)
        painter.setWorldTransform(world)
        paint_node_body(painter, rect, view, theme, keep_state=False)
        painter.restore()

    def _place(self, world: QTransform, ratio: float, bounds: QRectF) -> bool:
        """Work out where the pictures go for a painter with this transform and pixel ratio
        (False: it rotates or shears, and the box is drawn directly)."""
        # item to device pixels of the widget (the painter's device transform would add where
        # the widget sits in its window, which a transform reset takes away)
        t = world * QTransform.fromScale(ratio, ratio) if ratio != 1.0 else world
        if t.type().value > _SCALING.value:
            return False
        device = t.mapRect(bounds)
        x, y = math.floor(device.left()), math.floor(device.top())
        self._placed = (world, ratio, bounds)
        self._corner = QPointF(x / ratio, y / ratio)
        # the same box at another zoom, or shifted by part of a pixel, is drawn anew
        self._pixels = (t.m11(), t.m22(), round(t.dx() - x, 3), round(t.dy() - y, 3), ratio,
                        math.ceil(device.right()) - x + 1, math.ceil(device.bottom()) - y + 1)
        return True

    def _draw(self, painter: QPainter, rect: QRectF, view: NodeView, theme: Theme,
              selected: bool, hover: bool, thumbnail: bool) -> None:
        m11, m22, dx, dy, ratio, width, height = self._pixels
        at = QTransform(m11, 0, 0, m22, dx, dy)
        hints = painter.renderHints()

        def picture(**part) -> QPixmap:
            pixmap = QPixmap(width, height)
            pixmap.fill(Qt.transparent)
            p = QPainter(pixmap)
            try:
                p.setRenderHints(hints)
                p.setTransform(at)
                paint_node(p, rect, view, theme, selected, hover, body=False, **part)
            finally:
                p.end()
            pixmap.setDevicePixelRatio(ratio)
            return pixmap

        if thumbnail:
            self._pixmap, self._over = picture(part="under"), picture(part="over")
        else:
            self._pixmap, self._over = picture(), None

    def clear(self) -> None:
        """Forget the pictures (the item is cached by Qt again)."""
        self._key = self._pixmap = self._over = self._placed = self._pixels = None
