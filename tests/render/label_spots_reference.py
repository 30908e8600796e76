"""The plain rule for placing edge labels, as it was before the labels' neighbours were looked
up in a grid (graphstudio/render/box_grid.py): every spot of every label weighed against every
node and every label placed before. Kept to check that the faster rule places every label
at the same spot (tests/render/test_label_spots_reference.py)."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainterPathStroker

from graphstudio.render.draw import BESIDE_SPOTS, LABEL_SPOTS, edge_label_rect


def label_spots(paths, rects, theme) -> list[float]:
    placed: list[QRectF] = []
    stroker = QPainterPathStroker()
    stroker.setWidth(4)
    followed = [stroker.createStroke(p) for e, p in paths if e.highlight]

    def overlap(box: QRectF) -> float:
        total = 0.0
        for other in placed + list(rects.values()):
            common = box.intersected(other)
            total += common.width() * common.height()
        return total + sum(box.width() * box.height() for f in followed if f.intersects(box))

    spots = [0.5] * len(paths)
    order = sorted((k for k, (e, _p) in enumerate(paths) if e.label),
                   key=lambda k: (round(paths[k][1].length()), k))
    for k in order:
        e, path = paths[k]
        spots_here = BESIDE_SPOTS if e.highlight else LABEL_SPOTS
        best = min(spots_here, key=lambda at: (overlap(edge_label_rect(path, e, theme, at)),
                                                spots_here.index(at)))
        placed.append(edge_label_rect(path, e, theme, best))
        spots[k] = best
    return spots
