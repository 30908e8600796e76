"""Level of detail: how the canvas draws a graph whose text would be too small to read.

Below :data:`TEXT_ZOOM` (a node's numbers would be under about 7 pixels high) the canvas
draws the graph as an :class:`Overview`: each node its box only (the fill and border
:func:`~graphstudio.render.draw.paint_node` gives it, the output's and a failed node's border,
the selection), each edge its curve only (no arrow head, no label), in lines one pixel wide
however far out the view is zoomed. The graph then reads as structure, columns of boxes and the
edges between them, and it is drawn in a few batched calls rather than one call per item, so
thousands of nodes repaint in milliseconds. From :data:`TEXT_ZOOM` up every item draws itself
in full; the exporters always draw in full.

Only QtGui painting here, as in :mod:`graphstudio.render.draw`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from .draw import _fill
from .picture import NodeView
from .style import Theme

__all__ = ["TEXT_ZOOM", "show_text", "BoxStyle", "box_style", "Overview"]

TEXT_ZOOM = 0.5  # below this scale the canvas draws the overview

BoxStyle = tuple[str, str, float, str | None]  # fill, border, border width, halo (or None)


def show_text(scale: float) -> bool:
    """Whether text is legible at ``scale`` (screen pixels per scene unit)."""
    return scale >= TEXT_ZOOM


def box_style(view: NodeView, theme: Theme, selected: bool = False) -> BoxStyle:
    """How a node's box looks without its text: as :func:`~graphstudio.render.draw.paint_node`
    fills and outlines it, with a halo when it is selected or the current step."""
    if selected:
        border, width = theme.selection, 2.0
    elif view.error:
        border, width = theme.error, 2.0
    elif view.is_output:
        border, width = theme.output_border, 2.0
    else:
        border, width = theme.border, 1.0
    halo = theme.selection if selected else theme.highlight if view.highlight == "current" else None
    return (_fill(view, theme), border, width, halo)


@lru_cache(maxsize=64)
def _pen(colour: str, width: float) -> QPen:
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)  # in screen pixels: visible at any zoom
    return pen


@lru_cache(maxsize=64)
def _colour(colour: str, alpha: int = 255) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


class Overview:
    """A graph as boxes and curves, drawn in batches: the boxes of one style together, the
    curves as one path. Told of every box and curve as it changes; the batches are made again
    on the next paint after a change."""

    def __init__(self) -> None:
        self._boxes: dict[int, tuple[QRectF, BoxStyle]] = {}
        self._curves: dict[object, tuple[QPainterPath, bool]] = {}
        self._by_style: dict[BoxStyle, tuple[list[QRectF], np.ndarray]] | None = None
        self._paths: dict[bool, QPainterPath] | None = None

    def set_box(self, node: int, rect: QRectF, style: BoxStyle) -> bool:
        """Whether this changed what is drawn."""
        if self._boxes.get(node) == (rect, style):
            return False
        self._boxes[node] = (rect, style)
        self._by_style = None
        return True

    def remove_box(self, node: int) -> None:
        if self._boxes.pop(node, None) is not None:
            self._by_style = None

    def set_curve(self, key, path: QPainterPath, highlight: bool = False) -> bool:
        """Whether this changed what is drawn."""
        if self._curves.get(key, (None, None)) == (path, highlight):
            return False
        self._curves[key] = (path, highlight)
        self._paths = None
        return True

    def remove_curve(self, key) -> None:
        if self._curves.pop(key, None) is not None:
            self._paths = None

    def _batches(self) -> None:
        if self._by_style is None:
            groups: dict[BoxStyle, list[QRectF]] = {}
            for rect, style in self._boxes.values():
                groups.setdefault(style, []).append(rect)
            self._by_style = {
                style: (rects, np.array([(r.left(), r.top(), r.right(), r.bottom()) for r in rects]))
                for style, rects in groups.items()}
        if self._paths is None:
            self._paths = {False: QPainterPath(), True: QPainterPath()}
            for path, highlight in self._curves.values():
                self._paths[highlight].addPath(path)

    @staticmethod
    def _shown(rects: list[QRectF], ltrb: np.ndarray, exposed: QRectF | None) -> list[QRectF]:
        if exposed is None:
            return rects
        m = 10.0  # the border and the halo
        keep = np.flatnonzero((ltrb[:, 2] > exposed.left() - m) & (ltrb[:, 0] < exposed.right() + m)
                              & (ltrb[:, 3] > exposed.top() - m) & (ltrb[:, 1] < exposed.bottom() + m))
        return [rects[k] for k in keep.tolist()]

    def paint(self, painter: QPainter, theme: Theme, exposed: QRectF | None = None) -> None:
        """Curves, then boxes (only those reaching into ``exposed``, when given)."""
        self._batches()
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setBrush(Qt.NoBrush)
        for highlight, path in self._paths.items():
            if not path.isEmpty():
                painter.setPen(_pen(theme.used if highlight else theme.edge, 1.5 if highlight else 1.0))
                painter.drawPath(path)
        shown = {style: self._shown(rects, ltrb, exposed)
                 for style, (rects, ltrb) in self._by_style.items()}
        painter.setPen(Qt.NoPen)
        for (_body, _border, _width, halo), rects in shown.items():
            if halo is not None:  # under every box
                painter.setBrush(_colour(halo, 110))
                for r in rects:
                    painter.drawRoundedRect(r.adjusted(-8, -8, 8, 8), 12, 12)
        for (fill, border, width, _halo), rects in shown.items():
            painter.setPen(_pen(border, width))
            painter.setBrush(_colour(fill))
            for r in rects:
                painter.drawRoundedRect(r, 9.0, 9.0)
        painter.restore()
