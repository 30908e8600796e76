"""Where an edge's label (its local derivative) goes: shared by the canvas and the exporters.

A label sits on its edge's curve, at the first of a few points along it (:data:`LABEL_SPOTS`)
where its box overlaps no node box and no label placed before; a highlighted edge's label (the
path a backward step follows) sits beside the curve instead, so the path stays visible (a
selected edge, drawn highlighted, keeps its label where it was placed). Where no point along
the curve has room (a short edge between two boxes close together, its label wider than the
gap), the spot overlapping least is taken, unless that overlaps a box: a highlighted label,
drawn over the boxes, would hide the box's name or numbers; another, drawn under them, would
be hidden. Then the label is *set apart*, in the nearest place around the curve clear of every
box, label and followed path, joined to the curve by a leader line (:func:`apart_spots`,
:func:`leader_line`); where no such place is near, it stays on the curve unless it covers a
box's title (its name), which no label ever does. A spot is a :class:`LabelSpot`: on the
curve, beside it, or apart.
"""

from __future__ import annotations

import math
from typing import Callable, Hashable, NamedTuple

from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QPainterPath, QPainterPathStroker

from .box_grid import BoxGrid
from .fonts import fonts
from .picture import EdgeView
from .style import Theme

__all__ = ["LabelSpot", "MIDDLE_SPOT", "LABEL_SPOTS", "CURVE_SPOTS", "BESIDE_SPOTS", "label_size",
           "edge_label_rect", "leader_line", "apart_spots", "label_spots"]

LABEL_SPOTS = (0.5, 0.38, 0.62, 0.28, 0.72, 0.44, 0.56, 0.2, 0.8)  # where along an edge its label
# may sit, best first (the last ones for long routed edges, whose middle may be crowded)
#: a label set apart: the points along the curve it may hang from, best first; how far its
#: box's near side may be from that point (scene units), nearest first; and the directions
#: from the point, above and below first (the room beside a short edge is mostly there)
APART_FROM = LABEL_SPOTS[:3]
APART_GAPS = (4.0, 10.0, 18.0, 28.0, 40.0, 56.0, 76.0, 100.0, 130.0, 170.0)
APART_DIRECTIONS = ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1))


class LabelSpot(NamedTuple):
    """Where an edge's label sits. ``at`` (0 to 1) is the point along the curve it belongs
    to: the box is centred on the curve there (``side`` 0), or touches the curve there from
    beside (``side`` 1: above it, or right of a steep one; -1: below or left). ``apart``: the
    centre of a box set apart from the curve instead, joined to it at ``at`` by a leader line
    (:func:`leader_line`)."""

    at: float = 0.5
    side: int = 0
    apart: tuple[float, float] | None = None


MIDDLE_SPOT = LabelSpot()
#: the spots of a label on its curve, and of a highlighted edge's label: each of those on one
#: side of the curve, then the other
CURVE_SPOTS = tuple(LabelSpot(at) for at in LABEL_SPOTS)
BESIDE_SPOTS = tuple(LabelSpot(at, side) for at in LABEL_SPOTS for side in (1, -1))


def label_size(edge: EdgeView, theme: Theme) -> tuple[float, float]:
    """Width and height of the box around ``edge``'s label, as it is drawn (a highlighted
    label is written in the same font as the others)."""
    fm = fonts(theme).fm["edge"]
    return fm.horizontalAdvance(edge.label) + 10, fm.height() + 4


def edge_label_rect(path: QPainterPath, edge: EdgeView, theme: Theme,
                    spot: LabelSpot = MIDDLE_SPOT) -> QRectF | None:
    """The box of an edge's label at ``spot`` (by default on the middle of the curve), or
    None without a label."""
    if not edge.label:
        return None
    w, h = label_size(edge, theme)
    if spot.apart is not None:
        x, y = spot.apart
        return QRectF(x - w / 2, y - h / 2, w, h)
    mid = path.pointAtPercent(spot.at)
    if spot.side:
        mid = _beside(mid, path.angleAtPercent(spot.at), w, h, spot.side)
    return QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)


def _beside(point: QPointF, angle: float, w: float, h: float, side: float) -> QPointF:
    """The centre of a ``w`` × ``h`` box that touches the curve through ``point`` (heading
    ``angle`` degrees there) without covering it: above (``side`` 1) or below (-1) a curve that
    runs more across than up or down, else right or left of it; as far off as the curve's
    slope needs over the box."""
    a = math.radians(angle)
    dx, dy = abs(math.cos(a)), abs(math.sin(a))
    gap = 3.0
    if dx >= dy:
        return QPointF(point.x(), point.y() - side * (h / 2 + gap + dy / dx * w / 2))
    return QPointF(point.x() + side * (w / 2 + gap + dx / dy * h / 2), point.y())


def leader_line(path: QPainterPath, box: QRectF, spot: LabelSpot) -> QLineF | None:
    """The line from the curve (at ``spot.at``) to the nearest point of the label's ``box``, for
    a label set apart; None for one on or beside its curve."""
    if spot.apart is None:
        return None
    return _leader(path.pointAtPercent(spot.at), box)


def _leader(p: QPointF, box: QRectF) -> QLineF:
    near = QPointF(min(max(p.x(), box.left()), box.right()),
                   min(max(p.y(), box.top()), box.bottom()))
    return QLineF(p, near)


def apart_spots(path: QPainterPath, edge: EdgeView, theme: Theme):
    """The spots for ``edge``'s label set apart from its curve, nearest first: a box beside
    each of the points :data:`APART_FROM` along the curve, in each of
    :data:`APART_DIRECTIONS`, its near side :data:`APART_GAPS` away from the point."""
    w, h = label_size(edge, theme)
    points = [(at, path.pointAtPercent(at)) for at in APART_FROM]
    for gap in APART_GAPS:
        for at, p in points:
            for dx, dy in APART_DIRECTIONS:
                yield LabelSpot(at, apart=(p.x() + dx * (w / 2 + gap), p.y() + dy * (h / 2 + gap)))


def _segment_box(line: QLineF) -> QRectF:
    """The box around a leader line (half a unit wider each way, so a straight one has an
    area): a box it does not reach, the line does not cross."""
    return QRectF(line.p1(), line.p2()).normalized().adjusted(-0.5, -0.5, 0.5, 0.5)


def label_spots(paths: list[tuple[EdgeView, QPainterPath]], rects: dict[Hashable, QRectF],
                theme: Theme,
                titles: Callable[[Hashable], QRectF | None] | None = None) -> list[LabelSpot]:
    """For each edge, where its label sits: the first of :data:`CURVE_SPOTS` (a highlighted
    edge: :data:`BESIDE_SPOTS`) whose box overlaps no label placed before and no box of
    ``rects``; failing that, the spot overlapping least. If that overlaps a box (a highlighted
    label is drawn over the boxes and hides part of one, another under them and is partly
    hidden), the label is set apart (:func:`apart_spots`): at the first spot clear of every
    box, label and followed path whose leader line crosses no box, if there is one; if there
    is none and the spot on the curve covers a box's title (``titles``: the rect of a box's
    title, its name, by the box's key in ``rects``; by default the whole box), at the one that
    covers no title and overlaps least. Shorter edges are placed first (a long routed edge has
    room to move its label along)."""
    keys = list(rects)
    title_of = titles or rects.__getitem__
    placed = BoxGrid()
    nodes = BoxGrid(rects.values())
    stroker = QPainterPathStroker()
    stroker.setWidth(4)
    followed = [stroker.createStroke(p) for e, p in paths if e.highlight]

    def overlap(box: QRectF) -> float:
        total = 0.0
        # the labels placed, then the nodes: of each, only those that can overlap (BoxGrid)
        for other in placed.near(box) + nodes.near(box):
            common = box.intersected(other)
            total += common.width() * common.height()
        # a label over the path a step follows hides it: worse than overlapping a box
        return total + sum(box.width() * box.height() for f in followed if f.intersects(box))

    def covers_title(box: QRectF) -> bool:
        for k in nodes.near_indices(box):
            if box.intersects(rects[keys[k]]):
                title = title_of(keys[k])
                if title is not None and box.intersects(title):
                    return True
        return False

    def best_spot(path: QPainterPath, e: EdgeView, spots_here) -> LabelSpot:
        """The first spot overlapping nothing, else the one overlapping least."""
        best, least = spots_here[0], math.inf
        for spot in spots_here:
            area = overlap(edge_label_rect(path, e, theme, spot))
            if area < least:
                best, least = spot, area
                if area == 0.0:
                    break  # no later spot comes before it
        return best

    def set_apart(path: QPainterPath, e: EdgeView, clear: bool) -> LabelSpot | None:
        """The first spot apart clear of everything, else (unless ``clear``) the one covering
        no title that overlaps least; None if there is none."""
        best, least = None, math.inf
        anchors = {at: path.pointAtPercent(at) for at in APART_FROM}
        for spot in apart_spots(path, e, theme):
            box = edge_label_rect(path, e, theme, spot)
            if nodes.hit(box) and (clear or covers_title(box)):
                continue  # (most spots in a crowded graph: the cheapest test first)
            if nodes.hit(_segment_box(_leader(anchors[spot.at], box))):
                continue  # the leader line would cross a box
            if clear and placed.hit(box):
                continue  # (as its overlap would say, sooner)
            area = overlap(box)
            if area == 0.0:
                return spot
            if area < least and not clear:
                best, least = spot, area
        return best

    spots = [MIDDLE_SPOT] * len(paths)
    # short edges first: they have little room, a long (routed) edge can move its label further
    order = sorted((k for k, (e, _p) in enumerate(paths) if e.label),
                   key=lambda k: (round(paths[k][1].length()), k))
    for k in order:
        e, path = paths[k]
        spot = best_spot(path, e, BESIDE_SPOTS if e.highlight else CURVE_SPOTS)
        box = edge_label_rect(path, e, theme, spot)
        if nodes.hit(box):  # hiding part of a box, or hidden by one
            spot = set_apart(path, e, clear=not covers_title(box)) or spot
            box = edge_label_rect(path, e, theme, spot)
        placed.add(box)
        spots[k] = spot
    return spots
