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


def _spots_trying_every_box(paths, rects, theme):
    """label_spots as it was first written: each spot of each label against every label
    placed before and every node (the reference the grid of boxes must agree with)."""
    from PySide6.QtGui import QPainterPathStroker

    from graphstudio.render.draw import BESIDE_SPOTS, LABEL_SPOTS, edge_label_rect

    placed = []
    stroker = QPainterPathStroker()
    stroker.setWidth(4)
    followed = [stroker.createStroke(p) for e, p in paths if e.highlight]

    def overlap(box):
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
        here = BESIDE_SPOTS if e.highlight else LABEL_SPOTS
        best = min(here, key=lambda at: (overlap(edge_label_rect(path, e, theme, at)), here.index(at)))
        placed.append(edge_label_rect(path, e, theme, best))
        spots[k] = best
    return spots


@pytest.mark.parametrize("seed", [0, 1])
def test_label_spots_are_those_of_trying_every_label_and_box(seed):
    """The labels' spots are found with a grid of boxes (trying every label placed and every
    node for each spot of each label took hours for 5,000 labelled edges): the same spots as
    trying them all, on a crowded layered graph with a step's highlighted path."""
    import random
    from dataclasses import replace

    from graphstudio.io.gs import parse_text
    from graphstudio.render.draw import label_spots

    rng = random.Random(seed)
    lines = [f"i{k} = {rng.uniform(-1, 1):.2f}" for k in range(6)]
    names = [f"i{k}" for k in range(6)]
    for k in range(60):
        a, b = rng.sample(names[-14:], 2)
        lines.append(f"n{k} = {rng.choice(['tanh(' + a + ' + ' + b + ')', a + ' * ' + b, 'sin(' + a + ')'])}")
        names.append(f"n{k}")
    lines.append("out = " + " + ".join(names[-8:]))
    g = parse_text("\n".join(lines) + "\n")
    ev = evaluate(g)
    pic = build_picture(g, ev, arrange(g, ev, LIGHT, edge_labels=True), edge_labels=True)
    rects = {n: node_rect(v, pic.positions[n], LIGHT) for n, v in pic.nodes.items()}
    paths = [(e, edge_path(rects[e.src], rects[e.dst], e.port, pic.nodes[e.dst].n_ports,
                           obstacles=list(rects.values()))) for e in pic.edges]
    paths = [(replace(e, highlight=True) if k % 17 == 0 else e, p) for k, (e, p) in enumerate(paths)]
    assert sum(1 for e, _p in paths if e.label) > 100
    want = _spots_trying_every_box(paths, rects, LIGHT)
    assert label_spots(paths, rects, LIGHT) == want
    assert len(set(want)) > 3  # crowded: many labels moved off the middle
