"""Painting an array's :class:`~graphstudio.render.arrays.Grid` with QPainter: cells with
their numbers on the theme's diverging colours, or a heat map when the array is large; the
size a grid takes; which cell is under a point (the canvas shows that cell's number).

:func:`paint_heat_map` paints any 2-D array of numbers as a heat map into a rectangle, for
thumbnails (a hidden unit's response over the input plane, in a training view).

Sizes are scene units, as in :mod:`graphstudio.render.draw`.
"""

from __future__ import annotations

import weakref
from functools import lru_cache

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from .arrays import Grid
from .fonts import fonts
from .style import Theme, diverging, ink_on, mix

__all__ = ["grid_size", "paint_grid", "cell_at", "column_widths", "paint_heat_map", "heat_image",
           "HEAT_MAX", "HEAT_CELL"]

CELL_PAD = 4.0  # left and right of a cell's number
MIN_CELL_W = 26.0
HEAT_CELL = 14.0  # the largest heat-map cell
HEAT_MAX = 140.0  # a heat map fits in a square of this side


def _row_height(theme: Theme) -> float:
    return round(fonts(theme).fm["cell"].height() + 4)


def column_widths(grids, theme: Theme) -> list[float]:
    """The width of each column, shared by ``grids`` of as many columns (a value and its
    gradient: each gradient cell sits right under its value's cell)."""
    grids = [g for g in grids if g is not None]
    widths = [0.0] * grids[0].cols
    for grid in grids:
        if grid.heat:
            mine = [_heat_cell(grid)[0]] * grid.cols
        else:
            fm = fonts(theme).fm["cell"]
            mine = [max(MIN_CELL_W, max(fm.horizontalAdvance(grid.texts[r][c]) for r in range(grid.rows))
                        + 2 * CELL_PAD) for c in range(grid.cols)]
        widths = [max(a, b) for a, b in zip(widths, mine)]
    return widths


def _heat_cell(grid: Grid) -> tuple[float, float]:
    """Width and height of a heat map's cell: as big as fits in HEAT_MAX, square unless the
    array is one column (a vector) or one row, which keep a full cell across."""
    cell = max(1.0, min(HEAT_CELL, HEAT_MAX / grid.cols, HEAT_MAX / grid.rows))
    return (HEAT_CELL if grid.cols == 1 else cell), (HEAT_CELL if grid.rows == 1 else cell)


def _row_heights(grid: Grid, theme: Theme) -> float:
    return _heat_cell(grid)[1] if grid.heat else _row_height(theme)


def grid_size(grid: Grid, theme: Theme, widths: list[float] | None = None) -> tuple[float, float]:
    """Width and height of the drawn grid (with the columns ``widths``, by default its own)."""
    widths = widths or column_widths([grid], theme)
    return sum(widths), _row_heights(grid, theme) * grid.rows


def cell_at(grid: Grid, theme: Theme, origin: QPointF, point: QPointF,
            widths: list[float] | None = None) -> tuple[int, int] | None:
    """The (row, column) of the cell under ``point`` in a grid drawn at ``origin``, or None."""
    x, y = point.x() - origin.x(), point.y() - origin.y()
    h = _row_heights(grid, theme)
    if x < 0 or y < 0 or y >= h * grid.rows:
        return None
    for c, w in enumerate(widths or column_widths([grid], theme)):
        if x < w:
            return int(y // h), c
        x -= w
    return None


def _frame(theme: Theme, gradient: bool) -> QColor:
    return QColor(theme.grad if gradient else theme.muted)


@lru_cache(maxsize=2048)
def _cell_colours(fill: str) -> tuple[QColor, QColor]:
    """A cell's fill and the ink its number is written in, parsed once (a scale has a few
    hundred colours at most)."""
    return QColor(fill), QColor(ink_on(fill))


def _fills(grid: Grid, theme: Theme) -> list[list[str]]:
    """Each cell's colour on the diverging scale, worked out once per grid and theme."""
    held = _grid_fills.get(grid)
    if held is None or held[0] is not theme:
        held = (theme, [[diverging(theme, float(x)) for x in row] for row in grid.levels.tolist()])
        _grid_fills[grid] = held
    return held[1]


_grid_fills: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # grid -> (theme, fills)
_RIGHT = Qt.AlignRight | Qt.AlignVCenter  # combined once: in Python it costs as much as a cell


def paint_grid(painter: QPainter, origin: QPointF, grid: Grid, theme: Theme,
               gradient: bool = False, widths: list[float] | None = None) -> None:
    """Draw ``grid`` with its top-left corner at ``origin`` (columns ``widths`` wide, by
    default its own): coloured cells with their numbers, or a heat map, framed in the muted
    colour (the gradient's colour for a gradient)."""
    widths = widths or column_widths([grid], theme)
    w, h = grid_size(grid, theme, widths)
    box = QRectF(origin.x(), origin.y(), w, h)
    painter.save()
    if grid.heat:
        paint_heat_map(painter, box, grid.levels, theme, levels=True)
    else:
        f = fonts(theme)
        rh = _row_height(theme)
        painter.setFont(f.cell)
        line = QColor(mix(theme.zero, theme.border, 0.45))
        y = origin.y()
        for fills, texts in zip(_fills(grid, theme), grid.texts):
            x = origin.x()
            for fill, text, cw in zip(fills, texts, widths):
                colour, ink = _cell_colours(fill)
                painter.fillRect(QRectF(x, y, cw, rh), colour)
                painter.setPen(ink)
                painter.drawText(QRectF(x + CELL_PAD, y, cw - 2 * CELL_PAD, rh), _RIGHT, text)
                x += cw
            y += rh
        painter.setPen(QPen(line, 0.8))
        x = origin.x()
        for cw in widths[:-1]:
            x += cw
            painter.drawLine(QPointF(x, box.top()), QPointF(x, box.bottom()))
        for r in range(1, grid.rows):
            painter.drawLine(QPointF(box.left(), box.top() + r * rh),
                             QPointF(box.right(), box.top() + r * rh))
    painter.setBrush(Qt.NoBrush)
    painter.setPen(QPen(_frame(theme, gradient), 1.2))
    painter.drawRect(box)
    painter.restore()


@lru_cache(maxsize=16)
def _bgr(colour: str) -> np.ndarray:
    """``#rrggbb`` as blue, green, red floats (the order of QImage's 32-bit pixels in
    memory), parsed once."""
    bgr = np.array([int(colour[i:i + 2], 16) for i in (5, 3, 1)], dtype=float)
    bgr.setflags(write=False)
    return bgr


def heat_image(levels: np.ndarray, theme: Theme) -> QImage:
    """One pixel per entry of the 2-D array ``levels`` (-1 … 1, NaN for not a number), coloured
    on the theme's diverging scale."""
    levels = np.atleast_2d(np.asarray(levels, dtype=float))
    rows, cols = levels.shape
    finite = np.isfinite(levels)
    t = np.clip(np.where(finite, levels, 0.0), -1.0, 1.0)
    zero, neg, pos = _bgr(theme.zero), _bgr(theme.negative), _bgr(theme.positive)
    a = np.abs(t)[..., None]
    end = np.where((t < 0)[..., None], neg, pos)
    # QImage's 32-bit ARGB is BGRA in memory: the colours are worked out in that order
    out = np.empty((rows, cols, 4), dtype=np.uint8)
    out[..., :3] = np.round(zero + (end - zero) * a).astype(np.uint8)
    out[..., 3] = 255
    if not finite.all():
        out[~finite, :3] = _bgr(theme.muted).astype(np.uint8)
    # every pixel opaque, so its premultiplied colours are its colours: the format a painter
    # draws without converting the image first (a canvas draws thumbnails scaled at every frame)
    return QImage(out.data, cols, rows, cols * 4, QImage.Format_ARGB32_Premultiplied).copy()


def paint_heat_map(painter: QPainter, rect: QRectF, values, theme: Theme, *,
                   levels: bool = False, smooth: bool = False) -> None:
    """Paint the 2-D array ``values`` into ``rect`` as a heat map on the theme's diverging
    colours, scaled so that the largest size is the full colour (``levels=True``: the values
    are already -1 … 1). Cells stay sharp unless ``smooth`` (a response over a plane)."""
    arr = np.atleast_2d(np.asarray(values, dtype=float))
    if not levels:
        finite = np.isfinite(arr)
        scale = float(np.abs(arr[finite]).max()) if finite.any() else 0.0
        arr = np.where(finite, arr / (scale or 1.0), np.nan)
    painter.save()
    painter.setRenderHint(QPainter.SmoothPixmapTransform, smooth)
    painter.drawImage(rect, heat_image(arr, theme))
    painter.restore()
