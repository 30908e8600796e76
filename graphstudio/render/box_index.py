"""Node boxes in a uniform grid, so that routing an edge looks only at the boxes near it.

Routing asks two things of the boxes: which of them hold one of these points (the samples of
a curve), and which of them lie in this strip of x (the columns a detour crosses). A
:class:`BoxIndex` answers both without testing every box: each box is listed in the grid cells
it covers, so a point only meets the boxes of its cell; and the boxes are also kept sorted by
their left side, so a strip only meets the boxes that start before it ends.

The grid is dense, a row of cells after another over the boxes' extent, so a point finds its
cell's boxes by arithmetic and two lookups (a search of the cells' sorted keys took most of
the time of testing the curves of 5,000 nodes). Its cells are :data:`CELL` units square, or
twice, four times... that when the boxes spread so far (a node dragged far away) that so many
cells would take too much memory. The answers do not depend on the cell: a point strictly
inside a box is in one of the cells the box covers, whatever their size.

Plain numpy, no Qt: boxes are rows ``(left, top, right, bottom)``; a box with a coordinate
that is not a finite number holds no point.

>>> index = BoxIndex([(0, 0, 100, 50), (300, 0, 400, 50)])
>>> index.points_in_boxes([50.0, 200.0, 350.0], [25.0, 25.0, 25.0])
(array([0, 2]), array([0, 1]))
>>> index.in_strip(90.0, 310.0).tolist()
[0, 1]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["BoxIndex"]

CELL = 64.0  # about a node box's height: a box covers a few cells, a cell holds a few boxes
#: at most this many cells, beyond one per (box, cell) pair: larger cells beyond it
_MAX_CELLS = 1 << 20


def _cell(v: np.ndarray, size: float) -> np.ndarray:
    return np.floor(v / size).astype(np.int64)


class BoxIndex:
    """Boxes ``(left, top, right, bottom)`` (a sequence of 4-tuples or an (n, 4) array), found
    by point and by strip. Box ``i`` is row ``i`` of :attr:`boxes`."""

    def __init__(self, boxes: Sequence[Sequence[float]] | np.ndarray) -> None:
        self.boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        left, top, right, bottom = self._sides = tuple(np.ascontiguousarray(self.boxes.T))
        # the grid: one (cell, box) pair per cell a box covers, sorted by cell
        placed = np.flatnonzero(np.isfinite(self.boxes).all(axis=1))
        size, col0, row0, ncols, nrows = CELL, 0, 0, 0, 0
        if len(placed):
            lo_x, lo_y = left[placed].min(), top[placed].min()
            hi_x, hi_y = right[placed].max(), bottom[placed].max()
            while ((hi_x - lo_x) / size + 2) * ((hi_y - lo_y) / size + 2) > _MAX_CELLS + len(placed):
                size *= 2
            c0, c1 = _cell(left[placed], size), _cell(right[placed], size)
            r0, r1 = _cell(top[placed], size), _cell(bottom[placed], size)
            col0, row0 = int(c0.min()), int(r0.min())
            ncols, nrows = int(c1.max()) - col0 + 1, int(r1.max()) - row0 + 1
            spans, heights = c1 - c0 + 1, r1 - r0 + 1
            per_box = spans * heights
            box = np.repeat(placed, per_box)
            k = np.arange(per_box.sum()) - np.repeat(np.cumsum(per_box) - per_box, per_box)
            first = (c0 - col0) * nrows + (r0 - row0)
            mine = np.repeat(np.arange(len(placed)), per_box)
            cell = first[mine] + (k // heights[mine]) * nrows + k % heights[mine]
            order = np.argsort(cell, kind="stable")
            self._cell_box = box[order]
            counts = np.bincount(cell, minlength=ncols * nrows + 1)  # (and an empty cell last)
        else:
            self._cell_box = np.zeros(0, dtype=np.int64)
            counts = np.zeros(1, dtype=np.int64)
        self._size, self._col0, self._row0, self._ncols, self._nrows = size, col0, row0, ncols, nrows
        #: where each cell's boxes start in _cell_box (cell: column * nrows + row), and end
        self._starts = np.concatenate(([0], np.cumsum(counts)))
        # the strip: boxes sorted by their left side, and how far a box reaches right of it
        self._by_left = np.argsort(left, kind="stable")
        self._lefts = left[self._by_left]
        self._widest = float((right - left).max()) if len(self.boxes) else 0.0

    def __len__(self) -> int:
        return len(self.boxes)

    def points_in_boxes(self, xs, ys) -> tuple[np.ndarray, np.ndarray]:
        """Every (point, box) pair where the box holds the point strictly inside (a point on a
        border is outside): two arrays of indices, by point."""
        xs = np.asarray(xs, dtype=float).ravel()
        ys = np.asarray(ys, dtype=float).ravel()
        empty = np.zeros(0, dtype=np.int64)
        if not len(self.boxes) or not len(xs):
            return empty, empty
        with np.errstate(invalid="ignore"):  # (a point that is not finite is in no cell)
            col = _cell(xs, self._size) - self._col0
            row = _cell(ys, self._size) - self._row0
        inside = (col >= 0) & (col < self._ncols) & (row >= 0) & (row < self._nrows)
        cell = np.where(inside, col * self._nrows + row, self._ncols * self._nrows)
        lo = self._starts[cell]
        counts = self._starts[cell + 1] - lo
        total = int(counts.sum())
        if total == 0:
            return empty, empty
        point = np.repeat(np.arange(len(xs)), counts)
        k = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        box = self._cell_box.take(np.repeat(lo, counts) + k)
        # (each side as its own array, and take: a few times faster than rows of 4 indexed)
        left, top, right, bottom = self._sides
        px, py = xs.take(point), ys.take(point)
        inside = ((left.take(box) < px) & (px < right.take(box))
                  & (top.take(box) < py) & (py < bottom.take(box)))
        return point[inside], box[inside]

    def in_strip(self, lo_x: float, hi_x: float) -> np.ndarray:
        """The boxes reaching into the open strip ``lo_x < x < hi_x`` (right side past
        ``lo_x``, left side before ``hi_x``), by index, in ascending order."""
        start = self._lefts.searchsorted(lo_x - self._widest, side="left")
        stop = self._lefts.searchsorted(hi_x, side="left")
        candidates = self._by_left[start:stop]
        hit = candidates[self._sides[2].take(candidates) > lo_x]
        hit.sort()
        return hit
