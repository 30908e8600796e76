"""Edges go around node boxes in their way (render/draw.py ``edge_path(..., obstacles=)``): a
skipping edge no longer passes behind the node between its ends, an edge with nothing in the
way keeps its plain curve, and every edge still arrives horizontally at its port."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF

from graphstudio.core.engine import evaluate
from graphstudio.io.gs import parse_text
from graphstudio.render.draw import PORT_RADIUS, arrange, node_rect, port_point
from graphstudio.render.routing import edge_path
from graphstudio.render.picture import build_picture
from graphstudio.render.style import THEMES

LIGHT = THEMES["light"]
SKIP = "a = 1\nb = 2\nc = a - b\nd = c / a"


@pytest.fixture(autouse=True)
def app(qapp):  # fonts need a QApplication
    return qapp


def layered(text: str):
    g = parse_text(text)
    ev = evaluate(g)
    pic = build_picture(g, ev, arrange(g, ev, LIGHT))
    rects = {n: node_rect(v, pic.positions[n], LIGHT) for n, v in pic.nodes.items()}
    return g, pic, rects


def samples(path, n: int = 400) -> list[QPointF]:
    return [path.pointAtPercent(k / n) for k in range(n + 1)]


def inside(rect: QRectF, points, margin: float = 3.0) -> list[QPointF]:
    box = rect.adjusted(-margin, -margin, margin, margin)
    return [p for p in points if box.contains(p)]


def elements(path) -> list[tuple[float, float]]:
    return [(path.elementAt(k).x, path.elementAt(k).y) for k in range(path.elementCount())]


def test_a_skipping_edge_goes_around_the_node_between_its_ends():
    g, pic, rects = layered(SKIP)
    a, c, d = g.by_name("a"), g.by_name("c"), g.by_name("d")
    plain = edge_path(rects[a], rects[d], 1, 2)
    assert inside(rects[c], samples(plain)), "the plain curve should pass behind c (the layout changed?)"
    routed = edge_path(rects[a], rects[d], 1, 2, obstacles=list(rects.values()))
    assert not inside(rects[c], samples(routed))
    for n in (g.by_name("b"),):
        assert not inside(rects[n], samples(routed))
    # still from a's output to d's second port, arriving horizontally (the arrow points right)
    start, end = routed.pointAtPercent(0), routed.pointAtPercent(1)
    assert start.x() == pytest.approx(rects[a].right() + PORT_RADIUS)
    assert start.y() == pytest.approx(rects[a].center().y())
    port = port_point(rects[d], 1, 2)
    assert end.x() == pytest.approx(port.x() - PORT_RADIUS) and end.y() == pytest.approx(port.y())
    assert routed.angleAtPercent(1.0) == pytest.approx(0.0, abs=1e-6)
    assert routed.angleAtPercent(0.0) == pytest.approx(0.0, abs=1e-6)


def test_edges_with_nothing_in_the_way_keep_their_plain_curve():
    g, pic, rects = layered(SKIP)
    obstacles = list(rects.values())
    for e in pic.edges:
        if (e.src, e.dst) == (g.by_name("a"), g.by_name("d")):
            continue
        n_ports = pic.nodes[e.dst].n_ports
        plain = edge_path(rects[e.src], rects[e.dst], e.port, n_ports)
        routed = edge_path(rects[e.src], rects[e.dst], e.port, n_ports, obstacles=obstacles)
        assert elements(routed) == elements(plain)


def test_blockers_in_several_columns_and_a_stacked_column_are_all_cleared():
    src = QRectF(0, 0, 100, 60)
    dst = QRectF(800, 0, 100, 60)
    col1 = [QRectF(250, -10, 100, 80), QRectF(250, -130, 100, 80)]  # a box right above the blocker
    col2 = [QRectF(500, 20, 120, 60)]
    boxes = [src, dst] + col1 + col2
    path = edge_path(src, dst, 0, 1, obstacles=boxes)
    points = samples(path)
    for box in col1 + col2:
        assert not inside(box, points)
    # the detour stays near the straight line: below the blockers, not above the whole stack
    assert max(p.y() for p in points) < 80 + 20 and min(p.y() for p in points) > -20
    assert path.angleAtPercent(1.0) == pytest.approx(0.0, abs=1e-6)
    end = path.pointAtPercent(1)
    assert end.x() == pytest.approx(800 - PORT_RADIUS) and end.y() == pytest.approx(30)


def test_the_gap_between_two_stacked_boxes_is_used_when_it_is_nearest():
    src = QRectF(0, 100, 100, 60)
    dst = QRectF(700, 100, 100, 60)
    upper, lower = QRectF(300, 40, 100, 60), QRectF(300, 150, 100, 60)  # gap 100..150, line at 130
    path = edge_path(src, dst, 0, 1, obstacles=[upper, lower])
    points = samples(path)
    assert not inside(upper, points) and not inside(lower, points)
    crossing = [p.y() for p in points if 300 <= p.x() <= 400]
    assert crossing and all(100 < y < 150 for y in crossing)


def test_a_backward_edge_keeps_its_plain_curve():
    src = QRectF(600, 0, 100, 60)
    dst = QRectF(0, 0, 100, 60)
    middle = QRectF(300, 0, 100, 60)
    assert elements(edge_path(src, dst, 0, 1, obstacles=[middle])) == \
        elements(edge_path(src, dst, 0, 1))


def test_labels_of_a_routed_lecture_graph_do_not_overlap():
    from graphstudio.examples import examples_dir
    from graphstudio.io.gs import parse_file
    from graphstudio.render.draw import edge_label_rect, label_spots

    g = parse_file(examples_dir() / "seoul_sgd_l2.gs")
    ev = evaluate(g)
    pic = build_picture(g, ev, arrange(g, ev, LIGHT, edge_labels=True), edge_labels=True)
    rects = {n: node_rect(v, pic.positions[n], LIGHT) for n, v in pic.nodes.items()}
    paths = [(e, edge_path(rects[e.src], rects[e.dst], e.port, pic.nodes[e.dst].n_ports,
                           obstacles=list(rects.values()))) for e in pic.edges]
    boxes = [edge_label_rect(p, e, LIGHT, at)
             for (e, p), at in zip(paths, label_spots(paths, rects, LIGHT))]
    boxes = [b for b in boxes if b is not None]
    assert len(boxes) > 15  # (edges into constant exponents have no label)
    for i, b in enumerate(boxes):
        for other in boxes[i + 1:]:
            common = b.intersected(other)
            assert common.width() * common.height() < 1.0
