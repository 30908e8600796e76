"""The canvas's edge curves, kept in step with its node boxes by rerouting only the edges a
change can affect.

An :class:`EdgeRouter` is told when a node's box appears, moves, changes size or goes
(:meth:`~EdgeRouter.set_node`, :meth:`~EdgeRouter.remove_node`) and when an edge appears or
goes; :meth:`~EdgeRouter.update` then reroutes, all at once, the edges whose curve may have
changed and says which did. An edge's curve (:mod:`graphstudio.render.routing`) depends on

* its two ends' boxes (and the number of ports of the box it arrives at): a changed node
  reroutes its own edges;
* while its plain curve passes behind no box (the route is not ``blocked``), on the boxes it
  would pass behind: a box that moves or grows into the plain curve's hull may now be in the
  way;
* once it is routed around some box, on every box in the strip of x between its ends: any
  change there reroutes it.

So the curves after :meth:`~EdgeRouter.update` are exactly those of routing every edge from
scratch (the tests check it on random sequences of moves). When many boxes changed at once
(Arrange, opening a file) everything is rerouted in one batch.

No widgets here: boxes are QRectFs, curves :class:`~graphstudio.render.routing.Route`s.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF

from .routing import Obstacles, Route, _PAD, _route

__all__ = ["EdgeRouter"]

Edge = tuple[int, int, int]  # (src, dst, port)
_ALL_AT_ONCE = 0.125  # reroute everything when more than this share of the boxes changed


def _box(rect: QRectF) -> tuple[float, float, float, float]:
    return (rect.x(), rect.y(), rect.width(), rect.height())


def _hulls(cubics: list) -> np.ndarray:
    """Each cubic's control polygon's bounding box (left, top, right, bottom): the curve lies
    inside it."""
    c = np.array(cubics, dtype=float).reshape(-1, 8)
    xs, ys = c[:, 0::2], c[:, 1::2]
    return np.column_stack([xs.min(axis=1), ys.min(axis=1), xs.max(axis=1), ys.max(axis=1)])


class EdgeRouter:
    """Routes of the edges between node boxes, updated incrementally (see the module)."""

    def __init__(self) -> None:
        self._boxes: dict[int, tuple[float, float, float, float]] = {}  # x, y, width, height
        self._ports: dict[int, int] = {}
        self._edges: dict[int, set[Edge]] = {}  # node -> the edges at it
        self.routes: dict[Edge, Route] = {}
        self._changed: dict[int, tuple | None] = {}  # node -> its box before the changes
        self._pending: set[Edge] = set()  # edges to route whatever else changes
        self._obstacles: Obstacles | None = None

    @property
    def boxes(self) -> dict[int, tuple[float, float, float, float]]:
        """Each node's box as it was last told (x, y, width, height); do not change it."""
        return self._boxes

    def bounds(self, nodes=None) -> tuple[float, float, float, float] | None:
        """(left, top, right, bottom) around the boxes of ``nodes`` (default: all) and, for all,
        the control points of every curve (a curve lies within them), or None without boxes."""
        boxes = list(self._boxes.values()) if nodes is None else \
            [self._boxes[n] for n in nodes if n in self._boxes]
        if not boxes:
            return None
        b = np.array(boxes, dtype=float)
        left, top = b[:, 0].min(), b[:, 1].min()
        right, bottom = (b[:, 0] + b[:, 2]).max(), (b[:, 1] + b[:, 3]).max()
        if nodes is None and self.routes:
            p = np.array([c for r in self.routes.values() for c in r.cubics],
                         dtype=float).reshape(-1, 2)
            left, top = min(left, p[:, 0].min()), min(top, p[:, 1].min())
            right, bottom = max(right, p[:, 0].max()), max(bottom, p[:, 1].max())
        return float(left), float(top), float(right), float(bottom)

    # ---- being told --------------------------------------------------------------------------

    def set_node(self, node: int, rect: QRectF, n_ports: int) -> bool:
        """``node``'s box is ``rect`` (scene coordinates) with ``n_ports`` argument ports;
        whether that is a change (then :meth:`update` has work to do)."""
        box = _box(rect)
        old = self._boxes.get(node)
        if old == box:
            if self._ports.get(node) == n_ports:
                return False
            self._ports[node] = n_ports  # the ports moved: its incoming edges follow
            self._pending |= {e for e in self._edges.get(node, ()) if e[1] == node}
            return True
        self._changed.setdefault(node, old)
        self._boxes[node] = box
        self._ports[node] = n_ports
        self._edges.setdefault(node, set())
        return True

    def remove_node(self, node: int) -> None:
        if node in self._boxes:
            self._changed.setdefault(node, self._boxes[node])
            del self._boxes[node]
            self._ports.pop(node, None)
        if not self._edges.get(node):
            self._edges.pop(node, None)

    def add_edge(self, src: int, dst: int, port: int) -> None:
        edge = (src, dst, port)
        self._edges.setdefault(src, set()).add(edge)
        self._edges.setdefault(dst, set()).add(edge)
        self._pending.add(edge)

    def remove_edge(self, src: int, dst: int, port: int) -> None:
        edge = (src, dst, port)
        for n in (src, dst):
            self._edges.get(n, set()).discard(edge)
        self._pending.discard(edge)
        self.routes.pop(edge, None)

    # ---- rerouting ------------------------------------------------------------------------------

    def update(self) -> list[Edge]:
        """Reroute what the changes since the last update may affect; the edges whose route
        changed (new edges included)."""
        if not self._changed and not self._pending:
            return []
        if self._changed or self._obstacles is None:
            self._obstacles = self._build_obstacles()
        if len(self._changed) > _ALL_AT_ONCE * max(len(self._boxes), 1):
            todo = {e for edges in self._edges.values() for e in edges}
        else:
            todo = self._affected()
        self._changed.clear()
        self._pending.clear()
        return self._reroute(todo)

    def _build_obstacles(self) -> Obstacles:
        return Obstacles(np.array(list(self._boxes.values()), dtype=float).reshape(-1, 4))

    def _affected(self) -> set[Edge]:
        todo = set(self._pending)
        blocked = [(e, r.ends) for e, r in self.routes.items() if r.blocked]
        free = [e for e, r in self.routes.items() if not r.blocked]
        hull = _hulls([self.routes[e].cubics[0] for e in free])
        for node, old in self._changed.items():
            todo |= self._edges.get(node, set())
            for box in (old, self._boxes.get(node)):
                if box is None:
                    continue
                x, y, w, h = box
                left, right = x, x + w
                # routed edges: any box in the strip between the ends counts
                todo |= {e for e, (ax, _ay, bx, _by) in blocked if right > ax and left < bx}
            new = self._boxes.get(node)
            if new is not None and len(hull):
                # plain curves: a box now reaching into the curve's hull may be in its way
                x, y, w, h = new
                near = ((hull[:, 0] < x + w + _PAD) & (hull[:, 2] > x - _PAD)
                        & (hull[:, 1] < y + h + _PAD) & (hull[:, 3] > y - _PAD))
                todo |= {free[k] for k in np.flatnonzero(near)}
        return todo

    def _reroute(self, todo: set[Edge]) -> list[Edge]:
        edges = [e for e in todo if e[0] in self._boxes and e[1] in self._boxes]
        for e in todo.difference(edges):
            self.routes.pop(e, None)
        if not edges:
            return []
        src = np.array([self._boxes[e[0]] for e in edges], dtype=float)
        dst = np.array([self._boxes[e[1]] for e in edges], dtype=float)
        port = np.array([e[2] for e in edges], dtype=float)
        n_ports = np.array([self._ports[e[1]] for e in edges], dtype=float)
        changed = []
        for e, route in zip(edges, _route(src, dst, port, n_ports, self._obstacles)):
            if self.routes.get(e) != route:
                self.routes[e] = route
                changed.append(e)
        return changed
