"""The plain rule for placing edge labels, as it was before the labels' neighbours were looked
up in a grid (graphstudio/render/box_grid.py): every spot of every label weighed against every
node and every label placed before. Kept to check that the faster rule places every label
at the same spot (tests/render/test_label_spots_reference.py)."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainterPathStroker

from graphstudio.render.labels import (BESIDE_SPOTS, CURVE_SPOTS, LabelSpot, apart_spots,
                                       edge_label_rect, leader_line)


def label_spots(paths, rects, theme, titles=None) -> list[LabelSpot]:
    placed: list[QRectF] = []
    title_of = titles or rects.__getitem__
    stroker = QPainterPathStroker()
    stroker.setWidth(4)
    followed = [stroker.createStroke(p) for e, p in paths if e.highlight]

    def overlap(box: QRectF) -> float:
        total = 0.0
        for other in placed + list(rects.values()):
            common = box.intersected(other)
            total += common.width() * common.height()
        return total + sum(box.width() * box.height() for f in followed if f.intersects(box))

    def covers_title(box: QRectF) -> bool:
        return any(box.intersects(r) and title_of(k) is not None and box.intersects(title_of(k))
                   for k, r in rects.items())

    def set_apart(path, e, clear):
        candidates = []
        for spot in apart_spots(path, e, theme):
            box = edge_label_rect(path, e, theme, spot)
            line = leader_line(path, box, spot)
            reach = QRectF(line.p1(), line.p2()).normalized().adjusted(-0.5, -0.5, 0.5, 0.5)
            if not any(reach.intersects(r) for r in rects.values()) and not covers_title(box):
                candidates.append(spot)
        if clear:
            candidates = [s for s in candidates if overlap(edge_label_rect(path, e, theme, s)) == 0]
        if not candidates:
            return None
        return min(candidates, key=lambda s: (overlap(edge_label_rect(path, e, theme, s)),
                                              candidates.index(s)))

    spots = [LabelSpot()] * len(paths)
    order = sorted((k for k, (e, _p) in enumerate(paths) if e.label),
                   key=lambda k: (round(paths[k][1].length()), k))
    for k in order:
        e, path = paths[k]
        spots_here = BESIDE_SPOTS if e.highlight else CURVE_SPOTS
        best = min(spots_here, key=lambda s: (overlap(edge_label_rect(path, e, theme, s)),
                                              spots_here.index(s)))
        box = edge_label_rect(path, e, theme, best)
        if any(box.intersects(r) for r in rects.values()):
            best = set_apart(path, e, not covers_title(box)) or best
        placed.append(edge_label_rect(path, e, theme, best))
        spots[k] = best
    return spots
