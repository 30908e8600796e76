"""Node boxes in a uniform grid, so that routing an edge looks only at the boxes near it.

Routing asks two things of the boxes: which of them hold one of these points (the samples of
a curve), and which of them lie in this strip of x (the columns a detour crosses). A
:class:`BoxIndex` answers both without testing every box: each box is listed in the grid cells
it covers, so a point only meets the boxes of its cell; and the boxes are also kept sorted by
their left side, so a strip only meets the boxes that start before it ends.

Plain numpy, no Qt: boxes are rows ``(left, top, right, bottom)``.

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
_ROW = np.int64(1) << 32  # a cell's key is column * _ROW + row, both shifted to be positive
_SHIFT = np.int64(1) << 31


def _cell(v: np.ndarray) -> np.ndarray:
    return np.floor(v / CELL).astype(np.int64)


def _key(col: np.ndarray, row: np.ndarray) -> np.ndarray:
    return (col + _SHIFT) * _ROW + (row + _SHIFT)


class BoxIndex:
    """Boxes ``(left, top, right, bottom)`` (a sequence of 4-tuples or an (n, 4) array), found
    by point and by strip. Box ``i`` is row ``i`` of :attr:`boxes`."""

    def __init__(self, boxes: Sequence[Sequence[float]] | np.ndarray) -> None:
        self.boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        left, top, right, bottom = self.boxes.T
        # the grid: one (cell, box) pair per cell a box covers, sorted by cell
        c0, c1 = _cell(left), _cell(right)
        r0, r1 = _cell(top), _cell(bottom)
        ncols, nrows = c1 - c0 + 1, r1 - r0 + 1
        per_box = ncols * nrows
        box = np.repeat(np.arange(len(self.boxes)), per_box)
        k = np.arange(per_box.sum()) - np.repeat(np.cumsum(per_box) - per_box, per_box)
        col = c0[box] + k // nrows[box]
        row = r0[box] + k % nrows[box]
        keys = _key(col, row)
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._cell_box = box[order]
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
        keys = _key(_cell(xs), _cell(ys))
        lo = np.searchsorted(self._keys, keys, side="left")
        hi = np.searchsorted(self._keys, keys, side="right")
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            return empty, empty
        point = np.repeat(np.arange(len(xs)), counts)
        k = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        box = self._cell_box[np.repeat(lo, counts) + k]
        b = self.boxes[box]
        px, py = xs[point], ys[point]
        inside = (b[:, 0] < px) & (px < b[:, 2]) & (b[:, 1] < py) & (py < b[:, 3])
        return point[inside], box[inside]

    def in_strip(self, lo_x: float, hi_x: float) -> np.ndarray:
        """The boxes reaching into the open strip ``lo_x < x < hi_x`` (right side past
        ``lo_x``, left side before ``hi_x``), by index, in ascending order."""
        start = np.searchsorted(self._lefts, lo_x - self._widest, side="left")
        stop = np.searchsorted(self._lefts, hi_x, side="left")
        candidates = self._by_left[start:stop]
        hit = candidates[self.boxes[candidates, 2] > lo_x]
        return np.sort(hit)
