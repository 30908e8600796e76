"""Where edges run: the ports on a node's box and the curve from one node's output to another's
argument port, routed around the boxes in between.

A plain edge is one cubic that leaves the output and arrives at the port horizontally. When
other nodes' boxes are given as obstacles and the plain curve would pass behind one, the edge
is routed instead: it crosses each column of boxes in the way horizontally, through the free
gap (above, below or between the boxes) nearest the straight line between its ends. A few
rounds (no recursion) add the columns the detour itself runs into. The canvas and every
exporter draw edges with :func:`route_edges` (or :func:`edge_path` for one edge), so a routed
edge looks the same everywhere.

What an edge's curve depends on, which the canvas uses to reroute only the edges a change can
affect (:mod:`graphstudio.render.router`): its two ends' boxes; and the boxes in the strip of x
between its ends, of which only those its plain curve passes behind matter while it passes
behind none (:attr:`Route.blocked` is False), and all of them once it is routed around some.

Speed: the boxes are kept in a :class:`~graphstudio.render.box_index.BoxIndex`, so a curve is
tested only against the boxes near its sample points, and the plain curves of many edges are
tested at once with numpy. The answers are those of testing every sample point of every curve
against every box.

Only QtCore/QtGui geometry here (points, rectangles, painter paths); no painting.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

from .box_index import BoxIndex

__all__ = ["port_point", "output_point", "edge_path", "route_edges", "Obstacles", "Route",
           "PORT_RADIUS", "PORT_SPACING", "ROUTE_CLEARANCE"]

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
_PAD = ROUTE_CLEARANCE - 2  # a box counts as hit a little outside its border
_SAMPLES = 24  # points tested per cubic segment when looking for a box in the way
_MAX_DETOURS = 6  # rounds of "add the columns still in the way and route again"
# the cubic's Bernstein weights at the sample points t = k / _SAMPLES
_T = np.arange(_SAMPLES + 1) / _SAMPLES
_U = 1 - _T
_WEIGHTS = (_U * _U * _U, 3 * _U * _U * _T, 3 * _U * _T * _T, _T * _T * _T)

Cubic = tuple[float, float, float, float, float, float, float, float]  # x0 y0 x1 y1 x2 y2 x3 y3


def _xywh(rects: Sequence[QRectF]) -> np.ndarray:
    return np.array([(r.x(), r.y(), r.width(), r.height()) for r in rects], dtype=float).reshape(-1, 4)


class Obstacles:
    """Node boxes as routing sees them: ``rects`` (QRectFs, or an (n, 4) array of x, y, width,
    height), each padded by the clearance in a :class:`BoxIndex`; the boxes as given are kept
    too, to take the strip between an edge's ends and to leave out the edge's own two boxes."""

    def __init__(self, rects: Sequence[QRectF] | np.ndarray) -> None:
        xywh = rects if isinstance(rects, np.ndarray) else _xywh(rects)
        x, y, w, h = xywh.T
        #: the boxes as given: left, top, right, bottom (as QRectF computes them)
        self.raw = np.column_stack([x, y, x + w, y + h])
        px, py = x + -_PAD, y + -_PAD  # QRectF.adjusted(-pad, -pad, pad, pad), to the bit
        self.index = BoxIndex(np.column_stack([px, py, px + (w + _PAD + _PAD), py + (h + _PAD + _PAD)]))
        self.padded = self.index.boxes
        self._columns: dict[tuple[float, float], tuple[float, float, list[float]]] = {}

    def __len__(self) -> int:
        return len(self.raw)

    @cached_property
    def sides(self) -> list[tuple[float, float]]:
        """Each padded box's left and right side (for the detours' columns)."""
        return [tuple(lr) for lr in self.padded[:, [0, 2]].tolist()]

    def _allowed(self, boxes: np.ndarray, lo_x: np.ndarray, hi_x: np.ndarray,
                 own: np.ndarray) -> np.ndarray:
        """Which ``boxes`` an edge from ``lo_x`` to ``hi_x`` whose own boxes are ``own`` (rows of
        8: source then destination, left top right bottom) is routed around: those reaching into
        the strip between its ends, other than boxes equal to its own two."""
        raw = self.raw[boxes]
        return ((raw[:, 2] > lo_x) & (raw[:, 0] < hi_x)
                & ~(raw == own[:, :4]).all(axis=1) & ~(raw == own[:, 4:]).all(axis=1))

    def column(self, left: float, right: float) -> tuple[float, float, list[float]]:
        """The column of boxes (padded) reaching into ``left < x < right``: its left and right
        side (at least ``left`` and ``right``) and where an edge may cross it, sorted: above
        it, below it, and halfway across each gap between its boxes wide enough for an edge.
        Kept: the edges blocked by one box all ask for its column. (A column holds a few
        dozen boxes: plain Python goes through them faster than numpy's calls begin.)"""
        key = (left, right)
        found = self._columns.get(key)
        if found is None:
            rows = self._rows
            column = [rows[k] for k in self.index.in_strip(left, right).tolist()]
            # the boxes from the top down, merged where less than an edge's room apart: a box
            # starts a new run when its top is that far below every bottom above it
            column.sort(key=itemgetter(1, 3))  # by top, then bottom
            lowest = column[0][3]
            spots = [column[0][1] - ROUTE_CLEARANCE]
            for _left, top, _right, bottom in column[1:]:
                if top > lowest + 2 * ROUTE_CLEARANCE:
                    spots.append((lowest + top) / 2)
                if bottom > lowest:
                    lowest = bottom
            spots.append(lowest + ROUTE_CLEARANCE)
            found = self._columns[key] = (min(left, *map(itemgetter(0), column)),
                                          max(right, *map(itemgetter(2), column)), sorted(spots))
        return found

    @cached_property
    def _rows(self) -> list[list[float]]:
        """The padded boxes as lists of floats (left, top, right, bottom)."""
        return self.padded.tolist()

    def hits(self, cubics: np.ndarray, edge_of: np.ndarray, lo_x: np.ndarray, hi_x: np.ndarray,
             own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(edge, box) pairs, unique: box is one that edge ``edge_of[i]`` of ``cubics[i]`` is
        routed around and some sample point of that cubic falls inside it (padded)."""
        xs, ys = _sample(cubics)
        point, box = self.index.points_in_boxes(xs, ys)
        edge = edge_of[point // (_SAMPLES + 1)]
        keep = self._allowed(box, lo_x[edge], hi_x[edge], own[edge])
        pairs = np.unique(edge[keep] * len(self.raw) + box[keep])
        return pairs // len(self.raw), pairs % len(self.raw)


def _sample(cubics: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sample points of each cubic (rows of 8 numbers): two (n, _SAMPLES + 1) arrays."""
    c = cubics.reshape(-1, 8)
    w0, w1, w2, w3 = _WEIGHTS
    xs = w0 * c[:, 0:1] + w1 * c[:, 2:3] + w2 * c[:, 4:5] + w3 * c[:, 6:7]
    ys = w0 * c[:, 1:2] + w1 * c[:, 3:4] + w2 * c[:, 5:6] + w3 * c[:, 7:8]
    return xs, ys


@dataclass(frozen=True)
class Route:
    """An edge's curve: ``cubics`` from the output to the port, each (x0, y0, x1, y1, x2, y2,
    x3, y3). ``blocked``: some box was in the plain curve's way, so the curve depends on every
    box in the strip between its ends (else only on boxes its plain curve would cross)."""

    cubics: tuple[Cubic, ...]
    blocked: bool = False

    @property
    def ends(self) -> tuple[float, float, float, float]:
        """``(ax, ay, bx, by)``: where the curve starts (at the output) and ends (at the port)."""
        first, last = self.cubics[0], self.cubics[-1]
        return first[0], first[1], last[6], last[7]

    def path(self) -> QPainterPath:
        first = self.cubics[0]
        path = QPainterPath(QPointF(first[0], first[1]))
        for c in self.cubics:
            path.cubicTo(c[2], c[3], c[4], c[5], c[6], c[7])
        return path


def _ends(src: np.ndarray, dst: np.ndarray, port: np.ndarray, n_ports: np.ndarray) -> tuple:
    """Where each edge starts and ends (the rims of the output dot and of the port circle), as
    :func:`output_point` and :func:`port_point` compute them; boxes as x, y, width, height."""
    ax = src[:, 0] + src[:, 2] + PORT_RADIUS
    ay = src[:, 1] + src[:, 3] / 2
    n = np.maximum(n_ports, 1).astype(float)
    cy = dst[:, 1] + dst[:, 3] / 2
    many = n > 1
    span = np.minimum(dst[:, 3] - 16, PORT_SPACING * (n - 1) * 1.4)
    spread = cy - span / 2 + span * port / np.where(many, n - 1, 1.0)
    by = np.where(many, spread, cy)
    bx = dst[:, 0] - PORT_RADIUS
    return ax, ay, bx, by


def route_edges(rects: dict[int, QRectF], edges: Sequence[tuple[int, int, int, int]],
                obstacles: Obstacles | None = None) -> list[Route]:
    """The route of each edge ``(src, dst, port, n_ports)`` between the boxes ``rects`` (by
    node), around ``obstacles`` (default: every box of ``rects``; empty: no routing)."""
    if not edges:
        return []
    if obstacles is None:
        obstacles = Obstacles(list(rects.values()))
    boxes = {n: (r.x(), r.y(), r.width(), r.height()) for n, r in rects.items()}
    src = np.array([boxes[e[0]] for e in edges], dtype=float)
    dst = np.array([boxes[e[1]] for e in edges], dtype=float)
    port = np.array([e[2] for e in edges], dtype=float)
    n_ports = np.array([e[3] for e in edges], dtype=float)
    return _route(src, dst, port, n_ports, obstacles)


def _route(src: np.ndarray, dst: np.ndarray, port: np.ndarray, n_ports: np.ndarray,
           obstacles: Obstacles) -> list[Route]:
    ax, ay, bx, by = _ends(src, dst, port, n_ports)
    dx = np.maximum(40.0, np.abs(bx - ax) * 0.5)
    plain = np.column_stack([ax, ay, ax + dx, ay, bx - dx, by, bx, by])
    own = np.column_stack([src[:, 0], src[:, 1], src[:, 0] + src[:, 2], src[:, 1] + src[:, 3],
                           dst[:, 0], dst[:, 1], dst[:, 0] + dst[:, 2], dst[:, 1] + dst[:, 3]])
    blockers: dict[int, set[int]] = {}
    forward = np.flatnonzero(bx > ax)
    if len(obstacles) and len(forward):
        edge, box = obstacles.hits(plain[forward], forward, ax, bx, own)
        for e, b in zip(edge.tolist(), box.tolist()):
            blockers.setdefault(e, set()).add(b)
    cubics: list[tuple[Cubic, ...]] = [(tuple(row),) for row in plain.tolist()]
    _around(cubics, blockers, ax.tolist(), ay.tolist(), bx.tolist(), by.tolist(), own, obstacles)
    return [Route(c, blocked=e in blockers) for e, c in enumerate(cubics)]


def _around(cubics: list[tuple[Cubic, ...]], blockers: dict[int, set[int]], ax: list[float],
            ay: list[float], bx: list[float], by: list[float], own: np.ndarray,
            obstacles: Obstacles) -> None:
    """The curves (into ``cubics``) of the edges whose plain curve passes behind some of
    ``blockers`` (by edge): detours, a round at a time, until no box is in the way (or the
    detour does not fit: then the plain curve). Each round tests the detours of every edge
    still routing at once."""
    blockers = {e: set(b) for e, b in blockers.items()}
    active = sorted(blockers)
    lo, hi = np.array(ax), np.array(bx)
    sides = obstacles.sides
    for _round in range(_MAX_DETOURS):
        routed = {}
        for e in active:
            detour = _detour(ax[e], ay[e], bx[e], by[e],
                             sorted([sides[b] for b in blockers[e]]), obstacles)
            if detour is not None:
                cubics[e] = routed[e] = detour
        if not routed:
            return
        edge_of = np.array([e for e, d in routed.items() for _c in d])
        edge, hit = obstacles.hits(np.array([c for d in routed.values() for c in d]), edge_of,
                                   lo, hi, own)
        more: dict[int, set[int]] = {}
        for e, b in zip(edge.tolist(), hit.tolist()):
            if b not in blockers[e]:
                more.setdefault(e, set()).add(b)
        for e, boxes in more.items():
            blockers[e] |= boxes
        active = sorted(more)


def _detour(ax: float, ay: float, bx: float, by: float, blocking: list[tuple[float, float]],
            obstacles: Obstacles) -> tuple[Cubic, ...] | None:
    """Curves from ``a`` to ``b`` that cross each column holding a ``blocking`` box (its left
    and right sides, padded, in order) horizontally, in the free gap of that column nearest
    the straight line from ``a`` to ``b``; None when the columns do not fit between the ends
    (an edge running backwards keeps its plain curve).

    A column is every box reaching into the blocking boxes' x range, wherever it is in y: a
    box outside the strip between the ends cannot reach into a column that fits between
    them, so the strip need not be asked."""
    if blocking[0][0] < ax + 12 or max(right for _left, right in blocking) > bx - 12:
        return None  # (a column reaches at least as far as its boxes: it would not fit either)
    spans: list[list[float]] = []  # x ranges of the blocking columns, merged where they overlap
    for left, right in blocking:
        if spans and left <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], right)
        else:
            spans.append([left, right])
    runs: list[tuple[float, float, float]] = []  # (left, right, y) of each column's crossing
    for left, right in spans:
        left, right, spots = obstacles.column(left, right)
        if left < ax + 12 or right > bx - 12:
            return None
        cx = (left + right) / 2
        line_y = ay + (by - ay) * (cx - ax) / (bx - ax)
        k = bisect_left(spots, line_y)  # the nearest spot is next to where the line passes
        if k == 0:
            y = spots[0]
        elif k == len(spots):
            y = spots[-1]
        else:  # the nearer, the upper one on a tie
            above, below = spots[k - 1], spots[k]
            y = above if abs(above - line_y) <= abs(below - line_y) else below
        if runs and left < runs[-1][1] + 12:
            return None
        runs.append((left, right, y))
    cubics: list[Cubic] = []
    hx, hy = ax, ay
    for left, right, y in runs:
        dx = (left - hx) * 0.5  # an S from here into the column's gap, then straight across
        cubics.append((hx, hy, hx + dx, hy, left - dx, y, left, y))
        third = (right - left) / 3
        cubics.append((left, y, left + third, y, right - third, y, right, y))
        hx, hy = right, y
    dx = (bx - hx) * 0.5
    cubics.append((hx, hy, hx + dx, hy, bx - dx, by, bx, by))
    return tuple(cubics)


def edge_path(src_rect: QRectF, dst_rect: QRectF, port: int, n_ports: int,
              obstacles: Sequence[QRectF] | Obstacles = ()) -> QPainterPath:
    """A smooth curve from ``src``'s output to ``dst``'s argument ``port``; it ends at the
    port circle's rim, where the arrow head goes, arriving horizontally.

    With ``obstacles`` (other nodes' boxes; the two ends' own boxes are ignored), a curve that
    would pass behind a box is routed around it instead: it crosses each column in the way
    horizontally through the gap above, below or between its boxes nearest the straight line.
    A few rounds (no recursion) add columns the detour itself runs into."""
    if not isinstance(obstacles, Obstacles):
        obstacles = Obstacles(list(obstacles))
    return route_edges({0: src_rect, 1: dst_rect}, [(0, 1, port, n_ports)], obstacles)[0].path()
