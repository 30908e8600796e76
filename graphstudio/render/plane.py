"""Painting a network's output over its input plane (:mod:`graphstudio.core.plane`), as
TensorFlow Playground does: the output as a heat map behind the data points, with axes named
after the dataset's columns and a colour bar giving the scale.

* A **classifier**: the probability of class 1 from 0 (the theme's orange) through 0.5 (its
  zero colour) to 1 (its blue); the points of class 1 blue, the others orange (with more than
  two classes: class 1 against the rest); the **decision boundary** (probability 0.5) as a
  line.
* A **regression**: the predicted value on the diverging scale, symmetric around 0 and
  spanning both the predictions and the targets; each point coloured by its target on the
  same scale, so a point that matches its background is fitted.

The heat map is drawn a little paler than the points (:data:`BACKGROUND_STRENGTH`) and every
point has an outline in the theme's text colour, so points read on any background in the
light, dark and print themes. :func:`plane_image` draws one into a QImage (the Training
panel's *Save PNG…* and ``graphstudio train --plane``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from ..core.plane import RESOLUTION, Plane, PlaneGrid, contour
from .cells import heat_image
from .style import Theme, diverging

__all__ = ["PlaneScene", "plane_scene", "plane_title", "paint_plane", "plane_image", "overlay_key",
           "BACKGROUND_STRENGTH"]

#: the heat map's colours are this share of the full scale, the points' the full colour
BACKGROUND_STRENGTH = 0.75
POINT_RADIUS = 4.5
FONT_PX = 13


@dataclass(frozen=True)
class PlaneScene:
    """What a plane picture shows: the grid of the output, the data points (``points`` rows
    of x, y) and their ``targets`` (class labels or values), the ``kind`` of the output, the
    columns' names and a title."""

    grid: PlaneGrid
    points: np.ndarray
    targets: np.ndarray | None
    kind: str
    columns: tuple[str, str]
    title: str = ""

    @property
    def scale(self) -> float:
        """A regression's largest size on the colour scale (predictions and targets)."""
        values = [np.abs(self.grid.values[np.isfinite(self.grid.values)])]
        if self.targets is not None:
            values.append(np.abs(self.targets[np.isfinite(self.targets)]))
        top = max((float(v.max()) for v in values if v.size), default=0.0)
        return top or 1.0

    def levels(self, values: np.ndarray) -> np.ndarray:
        """Values on the diverging scale, -1 … 1."""
        if self.kind == "classification":
            return np.clip((np.asarray(values, dtype=float) - 0.5) * 2.0, -1.0, 1.0)
        return np.clip(np.asarray(values, dtype=float) / self.scale, -1.0, 1.0)

    def boundary(self):
        """The decision boundary's segments (a classifier), else none."""
        if self.kind != "classification":
            return []
        return contour(self.grid.values, 0.5, self.grid.xs, self.grid.ys)


def plane_title(plane: Plane) -> str:
    """What the picture shows: ``P(class 1), Y[1]`` for a classifier, ``yhat`` for a
    regression (the node, and its entry for a vector)."""
    setup = plane.setup
    name = plane.graph.label(setup.shown)
    name += f"[{setup.component}]" if setup.component is not None else ""
    return f"P(class 1), {name}" if setup.kind == "classification" else name


def plane_scene(plane: Plane, params=None, title: str = "",
                resolution: int = RESOLUTION) -> PlaneScene:
    """The picture of ``plane``'s output at the parameters ``params``."""
    return PlaneScene(plane.grid(params, resolution), plane.points, plane.targets,
                      plane.setup.kind, plane.setup.columns, title)


def _font(theme: Theme, px: int = FONT_PX, bold: bool = False) -> QFont:
    f = QFont(theme.font_family)
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def _tick(v: float) -> str:
    return f"{v:.3g}".replace("-", "−")


def overlay_key(scene: PlaneScene) -> tuple:
    """What the part of a picture over its heat map (``paint_plane(..., part="over")``)
    depends on besides the theme and size: equal keys, the same pixels (the points are told
    apart by identity: a plane's pictures all show its one array of points)."""
    scale = scene.scale if scene.kind != "classification" else None
    return (id(scene.points), id(scene.targets), scene.kind, scene.columns, scene.title,
            scene.grid.extent, scale)


def paint_plane(painter: QPainter, rect: QRectF, scene: PlaneScene, theme: Theme,
                part: str | None = None) -> QRectF:
    """Paint ``scene`` into ``rect``; returns the plot's rectangle (the heat map). ``part``
    "under": only the background, the heat map and the decision boundary; "over": only what
    lies on them (the points, the frame, the axes, the title and the colour bar), which
    :func:`overlay_key` says when to draw again."""
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, True)
    if part != "over":
        painter.fillRect(rect, QColor(theme.background))
    font = _font(theme)
    painter.setFont(font)
    fm = painter.fontMetrics()
    line = fm.height()
    x0, x1, y0, y1 = scene.grid.extent
    if scene.kind == "classification":
        ends = ("1", "0.5", "0")
    else:
        ends = (_tick(scene.scale), "0", _tick(-scene.scale))
    left = 1.6 * line + max(fm.horizontalAdvance(_tick(y)) for y in (y0, y1)) + 6
    right = 1.5 * line + max(fm.horizontalAdvance(e) for e in ends) + 8
    bottom, top = 2.4 * line, (1.5 * line if scene.title else 0.6 * line)
    plot = QRectF(rect.left() + left, rect.top() + top, max(10.0, rect.width() - left - right),
                  max(10.0, rect.height() - top - bottom))
    text = QColor(theme.text)

    def at(x: float, y: float) -> QPointF:
        return QPointF(plot.left() + (x - x0) / (x1 - x0) * plot.width(),
                       plot.bottom() - (y - y0) / (y1 - y0) * plot.height())

    if part != "over":
        _paint_output(painter, plot, scene, theme, text, at)
    if part != "under":
        _paint_over(painter, rect, plot, scene, theme, font, line, left, right, top, ends,
                    text, at)
    painter.restore()
    return plot


def _paint_output(painter: QPainter, plot: QRectF, scene: PlaneScene, theme: Theme,
                  text: QColor, at) -> None:
    """The heat map and the decision boundary."""
    # the heat map: grid row 0 is the bottom, an image's row 0 its top
    levels = scene.levels(scene.grid.values)[::-1] * BACKGROUND_STRENGTH
    painter.save()
    painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
    # each grid value is at a pixel's centre: the image spans half a cell beyond the extent
    nx, ny = len(scene.grid.xs), len(scene.grid.ys)
    dx, dy = plot.width() / (nx - 1), plot.height() / (ny - 1)
    painter.setClipRect(plot)
    painter.drawImage(QRectF(plot.left() - dx / 2, plot.top() - dy / 2, plot.width() + dx,
                             plot.height() + dy), heat_image(levels, theme))
    painter.restore()

    painter.setPen(QPen(text, 2.0))
    segments = scene.boundary()
    if segments:  # one call for the whole line (a picture is drawn many times a second)
        painter.drawLines([QLineF(at(*a), at(*b)) for a, b in segments])


def _paint_over(painter: QPainter, rect: QRectF, plot: QRectF, scene: PlaneScene,
                theme: Theme, font: QFont, line: float, left: float, right: float,
                top: float, ends: tuple[str, str, str], text: QColor, at) -> None:
    """The points, the frame, the axes, the title and the colour bar."""
    x0, x1, y0, y1 = scene.grid.extent
    # the points, on the full scale, with an outline that reads on any background
    if scene.targets is not None:
        point_levels = (np.where(scene.targets == 1, 1.0, -1.0) if scene.kind == "classification"
                        else scene.levels(scene.targets))
    else:
        point_levels = np.zeros(len(scene.points))
    painter.setPen(QPen(text, 1.2))
    brushes = {}  # a colour per level (a classifier's points have two)
    for (x, y), level in zip(scene.points.tolist(), point_levels.tolist()):
        brush = brushes.get(level)
        if brush is None:
            brush = brushes[level] = QColor(diverging(theme, level))
        painter.setBrush(brush)
        painter.drawEllipse(at(x, y), POINT_RADIUS, POINT_RADIUS)
    painter.setBrush(Qt.NoBrush)
    painter.setPen(QPen(QColor(theme.border), 1.0))
    painter.drawRect(plot)

    # axes: the ends and the column names
    painter.setPen(text)
    below = QRectF(plot.left(), plot.bottom() + 2, plot.width(), line)
    painter.drawText(below, Qt.AlignLeft | Qt.AlignTop, _tick(x0))
    painter.drawText(below, Qt.AlignRight | Qt.AlignTop, _tick(x1))
    painter.drawText(QRectF(plot.left(), plot.bottom() + line, plot.width(), line * 1.3),
                     Qt.AlignHCenter | Qt.AlignTop, scene.columns[0])
    beside = QRectF(rect.left(), plot.top(), left - 4, plot.height())
    painter.drawText(beside, Qt.AlignRight | Qt.AlignTop, _tick(y1))
    painter.drawText(beside, Qt.AlignRight | Qt.AlignBottom, _tick(y0))
    painter.save()
    painter.translate(rect.left() + line * 0.9, plot.center().y())
    painter.rotate(-90)
    painter.drawText(QRectF(-plot.height() / 2, -line, plot.height(), line * 1.3),
                     Qt.AlignHCenter | Qt.AlignBottom, scene.columns[1])
    painter.restore()
    if scene.title:
        painter.setFont(_font(theme, bold=True))
        painter.drawText(QRectF(plot.left(), rect.top(), plot.width(), top),
                         Qt.AlignLeft | Qt.AlignVCenter, scene.title)
        painter.setFont(font)

    # the colour bar
    bar = QRectF(plot.right() + 0.6 * line, plot.top(), 0.7 * line, plot.height())
    steps = np.linspace(1.0, -1.0, 64)[:, None]
    painter.drawImage(bar, heat_image(steps, theme))
    painter.setPen(QPen(QColor(theme.border), 1.0))
    painter.drawRect(bar)
    painter.setPen(text)
    for k, label in enumerate(ends):
        y = bar.top() + k * bar.height() / 2
        painter.drawText(QRectF(bar.right() + 3, y - line / 2, right, line),
                         Qt.AlignLeft | Qt.AlignVCenter, label)


def plane_image(scene: PlaneScene, theme: Theme, width: int = 520, height: int = 440) -> QImage:
    """``scene`` painted into a new image of ``width`` × ``height`` pixels."""
    image = QImage(width, height, QImage.Format_ARGB32)
    image.fill(QColor(theme.background))
    painter = QPainter(image)
    try:
        paint_plane(painter, QRectF(0, 0, width, height), scene, theme)
    finally:
        painter.end()
    return image
