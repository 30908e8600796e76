"""Fast routing gives the curves of the straightforward routing (tests/render/
routing_reference.py: every sample point against every box), on random boxes in columns as a
layered layout makes them, with duplicates, edges running backwards and boxes on the curve's
ends; and the grid of boxes finds exactly the boxes a brute-force search finds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRectF

from graphstudio.render.box_index import BoxIndex
from graphstudio.render.routing import edge_path, route_edges
from routing_reference import reference_edge_path


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def elements(path) -> list[tuple[float, float]]:
    return [(path.elementAt(k).x, path.elementAt(k).y) for k in range(path.elementCount())]


box = st.builds(lambda col, dx, y, w, h: QRectF(col * 160 + dx, y, w, h),
                st.integers(0, 5), st.floats(-30, 30), st.floats(-300, 300),
                st.sampled_from([60.0, 92.0, 92.0, 130.5]), st.sampled_from([40.0, 56.0, 80.0]))
layout = st.lists(box, min_size=2, max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout, st.data())
def test_routes_equal_the_reference_routing(boxes, data):
    if data.draw(st.booleans()):
        boxes = boxes + [QRectF(boxes[0])]  # two boxes in the same place
    edges = []
    for _ in range(6):
        s = data.draw(st.integers(0, len(boxes) - 1))
        d = data.draw(st.integers(0, len(boxes) - 1).filter(lambda k: k != s))
        n = data.draw(st.integers(1, 3))
        edges.append((s, d, data.draw(st.integers(0, n - 1)), n))
    rects = dict(enumerate(boxes))
    routes = route_edges(rects, edges)
    for (s, d, port, n), route in zip(edges, routes):
        expected = elements(reference_edge_path(boxes[s], boxes[d], port, n, boxes))
        assert elements(route.path()) == expected
        assert elements(edge_path(boxes[s], boxes[d], port, n, boxes)) == expected


def test_the_reference_comparison_covers_routed_edges():
    """Not only plain curves: a column in the way is routed around by both."""
    src, dst = QRectF(0, 0, 92, 56), QRectF(500, 0, 92, 56)
    boxes = [src, dst, QRectF(250, -10, 92, 56), QRectF(250, -90, 92, 56), QRectF(250, 60, 92, 56)]
    path = edge_path(src, dst, 0, 1, boxes)
    assert path.elementCount() > 4
    assert elements(path) == elements(reference_edge_path(src, dst, 0, 1, boxes))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(-500, 500), st.floats(-500, 500), st.floats(0.5, 300),
                          st.floats(0.5, 200)), min_size=0, max_size=40),
       st.lists(st.tuples(st.floats(-600, 600), st.floats(-600, 600)), min_size=1, max_size=40),
       st.floats(-600, 600), st.floats(0, 600))
def test_the_grid_finds_what_a_search_of_every_box_finds(rows, points, lo, width):
    boxes = np.array([(x, y, x + w, y + h) for x, y, w, h in rows], dtype=float).reshape(-1, 4)
    index = BoxIndex(boxes)
    xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    point, hit = index.points_in_boxes(xs, ys)
    found = set(zip(point.tolist(), hit.tolist()))
    expected = {(i, k) for i, (x, y) in enumerate(points) for k, (l, t, r, b) in enumerate(boxes)
                if l < x < r and t < y < b}
    assert found == expected
    hi = lo + width
    assert index.in_strip(lo, hi).tolist() == [k for k, (l, _t, r, _b) in enumerate(boxes)
                                                if r > lo and l < hi]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-500, 500), st.floats(-500, 500), st.floats(0.5, 300),
                          st.floats(0.5, 200)), min_size=1, max_size=30),
       st.lists(st.tuples(st.floats(-600, 600), st.floats(-600, 600)), min_size=1, max_size=40),
       st.sampled_from([1e5, 3e6, 1e9]))
def test_boxes_spread_far_apart_get_larger_cells_and_the_same_answers(rows, points, far):
    """A box dragged far away would need a grid of billions of cells: the grid takes larger
    cells and stays small, and finds what a search of every box finds; points that are not
    finite, or outside every box's reach, are in none."""
    rows = rows + [(far, -far, 90.0, 40.0)]
    boxes = np.array([(x, y, x + w, y + h) for x, y, w, h in rows], dtype=float)
    index = BoxIndex(boxes)
    assert index._ncols * index._nrows <= (1 << 20) + len(boxes)
    points = points + [(far + 45.0, -far + 20.0), (float("nan"), 0.0), (float("inf"), 5.0),
                       (-far, far)]
    xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    point, hit = index.points_in_boxes(xs, ys)
    expected = [(i, k) for i, (x, y) in enumerate(points) for k, (l, t, r, b) in enumerate(boxes)
                if l < x < r and t < y < b]
    assert list(zip(point.tolist(), hit.tolist())) == expected  # by point, then by box
    assert (len(points) - 4, len(boxes) - 1) in expected
