"""Arrays as the lectures write them: a vector is a column of cells, a matrix a grid.

:func:`array_grid` turns a value into a :class:`Grid`: its rows and columns as drawn (a vector
of n is a column of n cells, as ``x`` in ``W x``; a matrix is its own grid; an array of more
dimensions is its last axis across, the others stacked), each cell's number in 3 or 4
significant digits, and each cell's *level*, the number divided by the largest size in the
array (-1 … 1), which a theme turns into a colour on a diverging scale
(:func:`graphstudio.render.style.diverging`): orange below zero, blue above, as TensorFlow
Playground colours its weights. An array with more than :data:`MAX_CELLS` rows or columns is a
*heat map*: colours only, the numbers under the pointer and in the inspector.

:func:`shape_badge` is the badge a node shows for its shape (``3`` for a vector of 3, ``3×2``
for a matrix).

No Qt here: the painter (:mod:`graphstudio.render.draw`) and the TikZ writer
(:mod:`graphstudio.render.tikz`) both draw from a Grid.

>>> g = array_grid([1.0, -0.5, 0.25])
>>> (g.rows, g.cols, g.heat), g.texts
((3, 1, False), (('1',), ('-0.5',), ('0.25',)))
>>> g.levels[:, 0].tolist()
[1.0, -0.5, 0.25]
>>> array_grid(np.arange(-3.0, 9.0)).range_text  # a heat map: 12 rows
'-3 … 8'
>>> shape_badge((3, 2)), shape_badge((4,))
('3×2', '4')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.numbers import format_value

__all__ = ["Grid", "array_grid", "shape_badge", "cell_text", "MAX_CELLS", "grid_shape"]

#: an array with more rows or columns than this is drawn as a heat map (no numbers)
MAX_CELLS = 8
#: a cell's number is at most this many characters when 4 digits would be longer (3 then)
CELL_CHARS = 5


@dataclass(frozen=True, eq=False)
class Grid:
    """An array as drawn: ``rows`` × ``cols`` cells, each with a ``level`` in -1 … 1 (NaN for
    a value that is not finite) and, unless it is a heat map, its number as text."""

    rows: int
    cols: int
    levels: np.ndarray  # rows × cols, value / scale
    texts: tuple[tuple[str, ...], ...] | None  # None: a heat map
    scale: float  # the largest finite size in the array (0 when all are 0)
    values: np.ndarray  # rows × cols, the numbers themselves
    shape: tuple[int, ...]  # the array's own shape

    @property
    def heat(self) -> bool:
        return self.texts is None

    @property
    def range_text(self) -> str:
        """What a heat map writes under its colours, since it shows no numbers: the smallest
        and the largest finite value (``-1.2 … 0.95``), ``all 0`` when they are equal, ``""``
        for a grid of numbers or one with no finite value."""
        finite = self.values[np.isfinite(self.values)]
        if not self.heat or finite.size == 0:
            return ""
        lo, hi = cell_text(finite.min()), cell_text(finite.max())
        return f"all {lo}" if lo == hi else f"{lo} … {hi}"

    def value_at(self, row: int, col: int) -> float:
        return float(self.values[row, col])

    def index_of(self, row: int, col: int) -> tuple[int, ...]:
        """The index into the array of the cell at ``row``, ``col``: ``(2,)`` in a vector,
        ``(1, 0)`` in a matrix."""
        return tuple(int(i) for i in np.unravel_index(row * self.cols + col, self.shape))


def grid_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """Rows and columns as drawn: a vector is a column, more dimensions stack their rows."""
    if len(shape) == 1:
        return int(shape[0]), 1
    return int(np.prod(shape[:-1])), int(shape[-1])


def cell_text(x: float) -> str:
    """A cell's number: 4 significant digits when that is short (``1.5``, ``-2.25``), else 3
    (``0.121``, ``-0.00858``), ``nan``/``inf`` as words."""
    text = format_value(float(x), 4)
    return text if len(text) <= CELL_CHARS else format_value(float(x), 3)


def array_grid(value, max_cells: int = MAX_CELLS) -> Grid | None:
    """The grid of an array value, or None for a number, no value or an empty array."""
    if value is None or isinstance(value, (float, int)):
        return None
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0 or arr.size == 0:
        return None
    rows, cols = grid_shape(arr.shape)
    cells = arr.reshape(rows, cols)
    finite = np.isfinite(cells)
    scale = float(np.abs(cells[finite]).max()) if finite.any() else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        levels = np.where(finite, cells / (scale or 1.0), np.nan)
    # an infinite value is as far out as the scale goes
    levels = np.where(np.isposinf(cells), 1.0, np.where(np.isneginf(cells), -1.0, levels))
    texts = None
    if rows <= max_cells and cols <= max_cells:
        texts = tuple(tuple(cell_text(x) for x in row) for row in cells)
    return Grid(rows, cols, levels, texts, scale, cells, tuple(arr.shape))


def shape_badge(shape: tuple[int, ...]) -> str:
    """``3`` for a vector of 3, ``3×2`` for a 3×2 matrix, ``""`` for a number."""
    return "×".join(str(s) for s in shape)
