"""The canvas's incremental edge router (render/router.py) keeps every edge's curve equal to
routing all edges from scratch, after any sequence of moves, size changes, new and removed
nodes and edges, and port changes; and it reroutes only the edges a change can affect."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRectF

from graphstudio.render.router import EdgeRouter
from graphstudio.render.routing import route_edges


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def grid(columns: int, rows: int) -> dict[int, QRectF]:
    """Boxes in columns, as a layered layout puts them."""
    return {c * rows + r: QRectF(c * 200.0, r * 90.0, 92.0, 56.0)
            for c in range(columns) for r in range(rows)}


def from_scratch(boxes, ports, edges):
    todo = [e for e in edges if e[0] in boxes and e[1] in boxes]
    routes = route_edges(boxes, [(s, d, p, ports[d]) for s, d, p in todo])
    return dict(zip(todo, routes))


class Model:
    """The boxes and edges as they are, told to a router as they change."""

    def __init__(self, boxes, edges):
        self.boxes = dict(boxes)
        self.ports = {n: 2 for n in boxes}
        self.edges = set()
        self.router = EdgeRouter()
        for n, r in self.boxes.items():
            self.router.set_node(n, r, 2)
        for e in edges:
            self.add_edge(e)
        self.router.update()

    def set_box(self, n, rect):
        self.boxes[n] = rect
        self.router.set_node(n, rect, self.ports[n])

    def set_ports(self, n, k):
        self.ports[n] = k
        self.router.set_node(n, self.boxes[n], k)

    def add_edge(self, e):
        self.edges.add(e)
        self.router.add_edge(*e)

    def remove_edge(self, e):
        self.edges.discard(e)
        self.router.remove_edge(*e)

    def remove_node(self, n):
        for e in [e for e in self.edges if n in e[:2]]:
            self.remove_edge(e)
        del self.boxes[n]
        self.router.remove_node(n)

    def check(self):
        before = dict(self.router.routes)
        changed = self.router.update()
        expected = from_scratch(self.boxes, self.ports, self.edges)
        assert self.router.routes == expected
        # what it says changed is exactly what changed
        assert set(changed) == {e for e, r in expected.items() if before.get(e) != r}


def test_a_box_moved_into_an_edge_reroutes_that_edge_only():
    boxes = grid(3, 4)
    edges = {(0, 8, 0), (1, 9, 0), (2, 10, 0), (3, 11, 0), (4, 8, 1)}
    m = Model(boxes, edges)
    assert any(r.blocked is False for r in m.router.routes.values())
    # node 5 (middle column) moves onto the straight line between 0 and 8: (0, 8) is in its way
    m.set_box(5, QRectF(200.0, 0.0, 92.0, 56.0).translated(0, -5))
    changed = m.router.update()
    assert (0, 8, 0) in changed
    assert m.router.routes[(0, 8, 0)].blocked
    assert m.router.routes == from_scratch(m.boxes, m.ports, m.edges)


def test_a_move_far_from_every_edge_reroutes_nothing():
    boxes = grid(3, 4)
    m = Model(boxes, {(0, 8, 0), (1, 9, 0)})
    m.set_box(7, QRectF(200.0, 2000.0, 92.0, 56.0))  # far below, out of every edge's way
    assert m.router.update() == []
    m.set_box(11, QRectF(400.0, 290.0, 120.0, 56.0))  # grows, nothing goes through it
    assert m.router.update() == []


def test_only_the_edges_at_a_node_whose_ports_changed_are_rerouted():
    m = Model(grid(2, 3), {(0, 3, 0), (1, 4, 0), (2, 5, 0)})
    m.set_ports(4, 3)
    assert m.router.update() == [(1, 4, 0)]


actions = st.lists(st.tuples(st.sampled_from(["move", "resize", "ports", "add", "remove",
                                              "connect", "disconnect", "many"]),
                             st.integers(0, 10**6), st.floats(-250, 250), st.floats(-250, 250)),
                   min_size=1, max_size=25)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_incremental_routing_equals_routing_from_scratch(steps):
    boxes = grid(4, 4)
    edges = {(c * 4 + r, (c + 1) * 4 + (r + k) % 4, k % 2)
             for c in range(3) for r in range(4) for k in (0, 1)}
    edges |= {(0, 12, 1), (1, 14, 0), (4, 15, 1)}  # edges skipping columns: routed
    m = Model(boxes, edges)
    m.check()
    next_id = 100
    for kind, pick, dx, dy in steps:
        nodes = sorted(m.boxes)
        n = nodes[pick % len(nodes)]
        if kind == "move":
            m.set_box(n, m.boxes[n].translated(dx, dy))
        elif kind == "resize":
            r = m.boxes[n]
            m.set_box(n, QRectF(r.x(), r.y(), max(20.0, r.width() + dx / 4), max(20.0, r.height() + dy / 4)))
        elif kind == "ports":
            m.set_ports(n, 1 + pick % 3)
        elif kind == "add":
            m.boxes[next_id] = QRectF(300 + dx, 150 + dy, 92.0, 56.0)
            m.ports[next_id] = 2
            m.router.set_node(next_id, m.boxes[next_id], 2)
            next_id += 1
        elif kind == "remove" and len(nodes) > 3:
            m.remove_node(n)
        elif kind == "connect":
            d = nodes[(pick // 7) % len(nodes)]
            if d != n:
                m.add_edge((n, d, pick % 2))
        elif kind == "disconnect" and m.edges:
            m.remove_edge(sorted(m.edges)[pick % len(m.edges)])
        elif kind == "many":  # Arrange: every box moves at once
            for k in nodes:
                m.set_box(k, m.boxes[k].translated(dy / 3, dx / 3))
        if pick % 3 == 0:  # several changes between two updates, sometimes
            m.check()
    m.check()
