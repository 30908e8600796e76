"""A node's box kept as a picture while only its numbers change.

While a number is scrubbed or a run trains, a box's value and gradient change at every frame,
so Qt's cache of the whole item (``DeviceCoordinateCache``) would be drawn anew at every frame
and is turned off (:meth:`~graphstudio.ui.items.NodeItem.set_view`). The rest of the box (its
fill, border, header, ports: :func:`~graphstudio.render.draw.box_key` says what) stays the
same, and drawing it is most of what painting a box costs. :class:`BoxPixmap` keeps it as a
pixmap in device pixels, made again when the box's look, the zoom or the item's offset within
a pixel changes; a frame copies it and draws the numbers on it
(:func:`~graphstudio.render.draw.paint_node_body`). A box with a unit's response behind its
text (which changes with the numbers), or in a view that rotates or shears, is drawn directly.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPixmap, QTransform

from ..render.draw import box_key, paint_node, paint_node_body
from ..render.picture import NodeView
from ..render.style import Theme

__all__ = ["BoxPixmap"]

_SCALING = QTransform.TransformationType.TxScale.value  # no rotation or shear up to this type


class BoxPixmap:
    """One node's box without its numbers, in device pixels (see the module docstring)."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._pixmap: QPixmap | None = None

    def paint(self, painter: QPainter, bounds: QRectF, rect: QRectF, view: NodeView,
              theme: Theme, selected: bool, hover: bool) -> None:
        """Paint the node drawn in ``rect`` (item coordinates; ``bounds`` holds all it draws)."""
        # item to device pixels of the widget (the painter's device transform would add where
        # the widget sits in its window, which a transform reset below does not take away)
        ratio = painter.device().devicePixelRatioF()
        t = painter.worldTransform()
        if ratio != 1.0:
            t = t * QTransform.fromScale(ratio, ratio)
        key = box_key(view, rect, theme, selected, hover)
        if key is None or t.type().value > _SCALING:
            paint_node(painter, rect, view, theme, selected, hover)
            return
        device = t.mapRect(bounds)
        x, y = math.floor(device.left()), math.floor(device.top())
        # the same box at another zoom, or shifted by part of a pixel, is drawn anew
        key = (key, t.m11(), t.m22(), round(t.dx() - x, 3), round(t.dy() - y, 3), ratio)
        if key != self._key:
            pixmap = QPixmap(math.ceil(device.right()) - x + 1, math.ceil(device.bottom()) - y + 1)
            pixmap.fill(Qt.transparent)
            p = QPainter(pixmap)
            try:
                p.setRenderHints(painter.renderHints())
                p.setTransform(QTransform(t.m11(), 0, 0, t.m22(), t.dx() - x, t.dy() - y))
                paint_node(p, rect, view, theme, selected, hover, body=False)
            finally:
                p.end()
            pixmap.setDevicePixelRatio(ratio)
            self._key, self._pixmap = key, pixmap
        painter.save()
        painter.setWorldTransform(QTransform())
        painter.drawPixmap(QPointF(x / ratio, y / ratio), self._pixmap)
        painter.restore()
        paint_node_body(painter, rect, view, theme)

    def clear(self) -> None:
        """Forget the picture (the item is cached by Qt again)."""
        self._key = self._pixmap = None
