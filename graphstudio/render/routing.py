"""Where edges run: the ports on a node's box and the curve from one node's output to another's
argument port, routed around the boxes in between.

A plain edge is one cubic that leaves the output and arrives at the port horizontally. When
other nodes' boxes are given as obstacles and the plain curve would pass behind one, the edge
is routed instead: it crosses each column of boxes in the way horizontally, through the free
gap (above, below or between the boxes) nearest the straight line between its ends. A few
rounds (no recursion) add the columns the detour itself runs into. The canvas and every
exporter draw edges with :func:`edge_path`, so a routed edge looks the same everywhere.

Only QtCore/QtGui geometry here (points, rectangles, painter paths); no painting.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

__all__ = ["port_point", "output_point", "edge_path", "PORT_RADIUS", "PORT_SPACING",
           "ROUTE_CLEARANCE"]

PORT_RADIUS = 5.0
PORT_SPACING = 20.0  # between argument ports, at the most


def port_point(rect: QRectF, port: int, n_ports: int) -> QPointF:
    """Argument ``port`` on the left side, ports spread top to bottom."""
    n = max(n_ports, 1)
    if n == 1:
        y = rect.center().y()
    else:
        span = min(rect.height() - 16, PORT_SPACING * (n - 1) * 1.4)
        y = rect.center().y() - span / 2 + span * port / (n - 1)
    return QPointF(rect.left(), y)


def output_point(rect: QRectF) -> QPointF:
    """The output on the right side, halfway down."""
    return QPointF(rect.right(), rect.center().y())


ROUTE_CLEARANCE = 8.0  # how far a routed edge keeps from the boxes it goes around
_SAMPLES = 24  # points tested per cubic segment when looking for a box in the way
_MAX_DETOURS = 6  # rounds of "add the columns still in the way and route again"

_Cubic = tuple[QPointF, QPointF, QPointF, QPointF]


def _ends(src_rect: QRectF, dst_rect: QRectF, port: int, n_ports: int) -> tuple[QPointF, QPointF]:
    a = output_point(src_rect)
    b = port_point(dst_rect, port, n_ports)
    return QPointF(a.x() + PORT_RADIUS, a.y()), QPointF(b.x() - PORT_RADIUS, b.y())


def _s_curve(a: QPointF, b: QPointF, dx: float) -> _Cubic:
    """A cubic leaving ``a`` and arriving at ``b`` horizontally."""
    return (a, QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)


def _cubic_point(c: _Cubic, t: float) -> tuple[float, float]:
    u = 1 - t
    w0, w1, w2, w3 = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    p0, p1, p2, p3 = c
    return (w0 * p0.x() + w1 * p1.x() + w2 * p2.x() + w3 * p3.x(),
            w0 * p0.y() + w1 * p1.y() + w2 * p2.y() + w3 * p3.y())


def _hits(cubics: list[_Cubic], boxes: list[QRectF]) -> list[QRectF]:
    """The boxes some sampled point of the curves falls into."""
    out = []
    for box in boxes:
        l, t, r, btm = box.left(), box.top(), box.right(), box.bottom()
        for c in cubics:
            xs = [p.x() for p in c]
            ys = [p.y() for p in c]
            if max(xs) < l or min(xs) > r or max(ys) < t or min(ys) > btm:
                continue  # the control polygon's hull misses the box: so does the curve
            if any(l < x < r and t < y < btm
                   for x, y in (_cubic_point(c, k / _SAMPLES) for k in range(_SAMPLES + 1))):
                out.append(box)
                break
    return out


def _detour(a: QPointF, b: QPointF, blockers: list[QRectF], boxes: list[QRectF]) -> list[_Cubic] | None:
    """Curves from ``a`` to ``b`` that cross each column holding a blocker horizontally, in the
    free gap of that column nearest the straight line from ``a`` to ``b``; None when the
    columns do not fit between the ends (an edge running backwards keeps its plain curve)."""
    spans: list[list[float]] = []  # x ranges of the blocking columns, merged where they overlap
    for r in sorted(blockers, key=lambda r: r.left()):
        if spans and r.left() <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], r.right())
        else:
            spans.append([r.left(), r.right()])
    runs = []
    for left, right in spans:
        column = [r for r in boxes if r.right() > left and r.left() < right]
        left = min([left] + [r.left() for r in column])
        right = max([right] + [r.right() for r in column])
        if left < a.x() + 12 or right > b.x() - 12:
            return None
        cx = (left + right) / 2
        line_y = a.y() + (b.y() - a.y()) * (cx - a.x()) / (b.x() - a.x())
        intervals = sorted((r.top(), r.bottom()) for r in column)
        merged: list[list[float]] = []
        for top, bottom in intervals:
            if merged and top <= merged[-1][1] + 2 * ROUTE_CLEARANCE:
                merged[-1][1] = max(merged[-1][1], bottom)
            else:
                merged.append([top, bottom])
        spots = [merged[0][0] - ROUTE_CLEARANCE, merged[-1][1] + ROUTE_CLEARANCE]
        spots += [(m[1] + n[0]) / 2 for m, n in zip(merged, merged[1:])]
        y = min(spots, key=lambda v: (abs(v - line_y), v))
        if runs and left < runs[-1][1].x() + 12:
            return None
        runs.append((QPointF(left, y), QPointF(right, y)))
    cubics: list[_Cubic] = []
    here = a
    for start, end in runs + [(b, None)]:
        cubics.append(_s_curve(here, start, (start.x() - here.x()) * 0.5))
        if end is None:
            break
        third = (end.x() - start.x()) / 3
        cubics.append((start, QPointF(start.x() + third, start.y()),
                       QPointF(end.x() - third, end.y()), end))
        here = end
    return cubics


def edge_path(src_rect: QRectF, dst_rect: QRectF, port: int, n_ports: int,
              obstacles: Sequence[QRectF] = ()) -> QPainterPath:
    """A smooth curve from ``src``'s output to ``dst``'s argument ``port``; it ends at the
    port circle's rim, where the arrow head goes, arriving horizontally.

    With ``obstacles`` (other nodes' boxes; the two ends' own boxes are ignored), a curve that
    would pass behind a box is routed around it instead: it crosses each column in the way
    horizontally through the gap above, below or between its boxes nearest the straight line.
    A few rounds (no recursion) add columns the detour itself runs into."""
    a, b = _ends(src_rect, dst_rect, port, n_ports)
    plain = [_s_curve(a, b, max(40.0, abs(b.x() - a.x()) * 0.5))]
    cubics = plain
    if obstacles and b.x() > a.x():
        pad = ROUTE_CLEARANCE - 2  # a box counts as hit a little outside its border
        lo_x, hi_x = a.x(), b.x()
        lo_y, hi_y = min(a.y(), b.y()), max(a.y(), b.y())
        boxes = [r.adjusted(-pad, -pad, pad, pad) for r in obstacles
                 if r.right() > lo_x and r.left() < hi_x
                 and r != src_rect and r != dst_rect]
        near = [r for r in boxes if r.bottom() > lo_y - 1 and r.top() < hi_y + 1]
        blockers = _hits(plain, near)
        for _round in range(_MAX_DETOURS):
            if not blockers:
                break
            routed = _detour(a, b, blockers, boxes)
            if routed is None:
                break
            cubics = routed
            more = [r for r in _hits(routed, boxes) if r not in blockers]
            if not more:
                break
            blockers += more
    path = QPainterPath(cubics[0][0])
    for _a, c1, c2, end in cubics:
        path.cubicTo(c1, c2, end)
    return path
