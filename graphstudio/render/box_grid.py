"""Boxes filed by the cells of a coarse grid, so that the boxes a box may overlap are found
among its neighbours rather than among all of them.

:func:`~graphstudio.render.draw.label_spots` weighs each spot for an edge's label against
every node and every label already placed; over all of them that is quadratic (half a minute
for the labels of a 1,000-node graph). Two boxes that share no cell of the grid cannot overlap,
so only the boxes filed under the cells a box covers need to be looked at. They are handed
back in the order they were added, so that sums over them are the same floating-point sums
as over the whole list (the boxes left out add exactly nothing).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF

#: a cell's side, in scene units: about one box (a node is 60-200 units wide, a label 60-120)
CELL = 96.0


class BoxGrid:
    """Boxes (``QRectF``) filed under every grid cell they cover."""

    def __init__(self, boxes=()) -> None:
        self._cells: dict[tuple[int, int], list[int]] = {}
        self._boxes: list[QRectF] = []
        for box in boxes:
            self.add(box)

    def __len__(self) -> int:
        return len(self._boxes)

    @staticmethod
    def _cells_of(box: QRectF):
        x0, x1 = math.floor(box.left() / CELL), math.floor(box.right() / CELL)
        y0, y1 = math.floor(box.top() / CELL), math.floor(box.bottom() / CELL)
        return ((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))

    def add(self, box: QRectF) -> None:
        index = len(self._boxes)
        self._boxes.append(box)
        for cell in self._cells_of(box):
            self._cells.setdefault(cell, []).append(index)

    def near(self, box: QRectF) -> list[QRectF]:
        """The boxes sharing a grid cell with ``box`` (every box that can overlap it, and
        a few that do not), in the order they were added."""
        boxes = self._boxes
        return [boxes[k] for k in self.near_indices(box)]

    def hit(self, box: QRectF) -> bool:
        """Whether ``box`` overlaps any of the boxes (sooner than through :meth:`near`: in no
        order, and done at the first)."""
        boxes, cells = self._boxes, self._cells
        for cell in self._cells_of(box):
            for k in cells.get(cell, ()):
                if box.intersects(boxes[k]):
                    return True
        return False

    def near_indices(self, box: QRectF) -> list[int]:
        """Where in the order they were added the boxes :meth:`near` gives are."""
        found: set[int] = set()
        cells = self._cells
        for cell in self._cells_of(box):
            found.update(cells.get(cell, ()))
        return sorted(found)
