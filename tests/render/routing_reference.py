"""The edge routing as first written: every sample point of every curve tested against every
box, in plain Python. The fast routing (render/routing.py, with its grid of boxes and numpy)
must give the same curves; tests/render/test_routing_index.py compares the two."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

from graphstudio.render.routing import PORT_RADIUS, ROUTE_CLEARANCE, output_point, port_point

_SAMPLES = 24
_MAX_DETOURS = 6


def _ends(src_rect, dst_rect, port, n_ports):
    a = output_point(src_rect)
    b = port_point(dst_rect, port, n_ports)
    return QPointF(a.x() + PORT_RADIUS, a.y()), QPointF(b.x() - PORT_RADIUS, b.y())


def _s_curve(a, b, dx):
    return (a, QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)


def _cubic_point(c, t):
    u = 1 - t
    w0, w1, w2, w3 = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    p0, p1, p2, p3 = c
    return (w0 * p0.x() + w1 * p1.x() + w2 * p2.x() + w3 * p3.x(),
            w0 * p0.y() + w1 * p1.y() + w2 * p2.y() + w3 * p3.y())


def _hits(cubics, boxes):
    out = []
    for box in boxes:
        l, t, r, btm = box.left(), box.top(), box.right(), box.bottom()
        for c in cubics:
            if any(l < x < r and t < y < btm
                   for x, y in (_cubic_point(c, k / _SAMPLES) for k in range(_SAMPLES + 1))):
                out.append(box)
                break
    return out


def _detour(a, b, blockers, boxes):
    spans = []
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
        merged = []
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
    cubics = []
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


def reference_edge_path(src_rect: QRectF, dst_rect: QRectF, port: int, n_ports: int,
                        obstacles=()) -> QPainterPath:
    a, b = _ends(src_rect, dst_rect, port, n_ports)
    plain = [_s_curve(a, b, max(40.0, abs(b.x() - a.x()) * 0.5))]
    cubics = plain
    if obstacles and b.x() > a.x():
        pad = ROUTE_CLEARANCE - 2
        boxes = [r.adjusted(-pad, -pad, pad, pad) for r in obstacles
                 if r.right() > a.x() and r.left() < b.x() and r != src_rect and r != dst_rect]
        blockers = _hits(plain, boxes)
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
