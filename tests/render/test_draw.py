"""Drawing pictures with QPainter (render/draw.py): sizes follow the text, ports sit where
edges attach, bounds hold everything drawn, and the drawing shows up in an image."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath

from graphstudio.core.engine import evaluate
from graphstudio.io.gs import parse_text
from graphstudio.render.draw import (_arrival, arrange, edge_drawing, node_rect, output_point,
                                     paint_edge_drawing, paint_picture, picture_bounds, port_point)
from graphstudio.render.picture import EdgeView, build_picture, step_pictures
from graphstudio.render.routing import edge_path
from graphstudio.render.style import THEMES

LIGHT = THEMES["light"]


@pytest.fixture(autouse=True)
def app(qapp):  # pytest-qt's QApplication (fonts need one)
    return qapp


def picture(text: str, **kw):
    g = parse_text(text)
    ev = evaluate(g)
    return g, build_picture(g, ev, arrange(g, ev, LIGHT), **kw)


def render(pic, theme=LIGHT) -> QImage:
    b = picture_bounds(pic, theme)
    img = QImage(int(b.width()), int(b.height()), QImage.Format_ARGB32)
    img.fill(QColor(theme.background))
    p = QPainter(img)
    p.translate(-b.left(), -b.top())
    paint_picture(p, pic, theme)
    p.end()
    return img


def test_node_grows_with_its_text():
    _g, pic = picture("a = 1\nlong_name_of_a_variable = 2\nz = a * long_name_of_a_variable")
    g = _g
    short = node_rect(pic.nodes[g.by_name("a")], (0, 0), LIGHT)
    long = node_rect(pic.nodes[g.by_name("long_name_of_a_variable")], (0, 0), LIGHT)
    assert long.width() > short.width() + 50
    assert short.center().x() == pytest.approx(0) and short.center().y() == pytest.approx(0)


def test_ports_left_top_to_bottom_output_right_and_edges_join_them():
    r = QRectF(0, 0, 100, 60)
    p0, p1 = port_point(r, 0, 2), port_point(r, 1, 2)
    assert p0.x() == p1.x() == 0 and p0.y() < p1.y()
    assert output_point(r).x() == 100
    src = QRectF(-300, 0, 100, 60)
    path = edge_path(src, r, 1, 2)
    start, end = path.pointAtPercent(0), path.pointAtPercent(1)
    assert start.x() == pytest.approx(-200, abs=6) and start.y() == pytest.approx(30)
    assert end.x() == pytest.approx(0, abs=6) and end.y() == pytest.approx(p1.y())


def test_bounds_hold_nodes_labels_and_caption():
    g, pic = picture("f = 4\ng = 2\ne = f * g", edge_labels=True)
    b = picture_bounds(pic, LIGHT, margin=0)
    for n, v in pic.nodes.items():
        assert b.contains(node_rect(v, pic.positions[n], LIGHT))
    steps = step_pictures(g, evaluate(g), pic.positions)
    captioned = picture_bounds(steps[0], LIGHT, margin=0)
    assert captioned.top() < b.top() - 10  # the caption sits above the nodes


def test_drawing_shows_values_and_gradients_in_their_colours():
    _g, pic = picture("a = -1\nb = 3\nc = 4\nz = (a + b) * (b + c)")
    img = render(pic)
    colours = {QColor(img.pixel(x, y)).name() for x in range(img.width()) for y in range(0, img.height(), 2)}
    assert LIGHT.grad in colours  # gradient text in its own colour
    assert LIGHT.output_border in colours  # the output's border
    assert LIGHT.input_fill in colours


def test_big_arrays_become_heat_maps_and_small_ones_numbers():
    g, pic = picture("W = " + str(np.arange(40.0).reshape(5, 8).tolist()) + "\nv = [1, 2]\ns = sum(W)")
    big = node_rect(pic.nodes[g.by_name("W")], (0, 0), LIGHT)
    assert big.width() < 260  # a heat map, not 40 numbers in a row
    img = render(pic)
    assert img.width() > 100


def test_error_nodes_are_marked():
    g, pic = picture("a = [1, 2]\nb = [1, 2, 3]\nc = a + b")
    c = pic.nodes[g.by_name("c")]
    assert c.error
    img = render(pic)
    colours = {QColor(img.pixel(x, y)).name() for x in range(img.width()) for y in range(img.height())}
    assert LIGHT.error in colours


def test_a_steps_labels_leave_the_path_it_follows_visible():
    """In every backward step of the lecture graph (edge labels on) the highlighted path is
    drawn in its colour all along: its own label sits beside it, and no other label covers it."""
    from PySide6.QtGui import QPainterPathStroker

    from graphstudio.render.draw import edge_label_rect, label_spots
    from graphstudio.render.routing import edge_path

    g = parse_text("a = -1\nb = 3\nc = 4\nx = a + b\ny = b + c\nz = x * y")
    ev = evaluate(g)
    steps = [p for p in step_pictures(g, ev, arrange(g, ev, LIGHT, edge_labels=True),
                                      edge_labels=True) if p.meta["phase"] == "backward"]
    checked = 0
    for pic in steps:
        rects = {n: node_rect(v, pic.positions[n], LIGHT) for n, v in pic.nodes.items()}
        paths = [(e, edge_path(rects[e.src], rects[e.dst], e.port, pic.nodes[e.dst].n_ports,
                               list(rects.values()))) for e in pic.edges]
        spots = label_spots(paths, rects, LIGHT)
        boxes = [edge_label_rect(p, e, LIGHT, at) for (e, p), at in zip(paths, spots)]
        img = render(pic)
        b = picture_bounds(pic, LIGHT)
        used = QColor(LIGHT.used)
        stroker = QPainterPathStroker()
        stroker.setWidth(3)
        for e, path in paths:
            if not e.highlight:
                continue
            assert not any(box is not None and stroker.createStroke(path).intersects(box)
                           for box in boxes)  # no label box on the followed path
            for k in range(1, 10):  # and its colour shows all along it
                pt = path.pointAtPercent(k / 10) - b.topLeft()
                near = [QColor(img.pixel(int(pt.x()) + dx, int(pt.y()) + dy))
                        for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
                assert any(abs(c.red() - used.red()) + abs(c.green() - used.green())
                           + abs(c.blue() - used.blue()) < 60 for c in near), (pic.caption, k)
                checked += 1
    assert checked > 20


def test_an_arrow_head_points_the_way_its_curve_arrives_as_qt_measures_it():
    # the head is placed from the last control point; Qt's own angleAtPercent is the reference
    rng = random.Random(3)
    for _ in range(200):
        path = QPainterPath(QPointF(rng.uniform(-300, 300), rng.uniform(-300, 300)))
        for _ in range(rng.randint(1, 4)):
            path.cubicTo(*(QPointF(rng.uniform(-300, 300), rng.uniform(-300, 300)) for _ in range(3)))
        tip, direction = _arrival(path)
        angle = math.radians(path.angleAtPercent(1.0))
        assert (direction.x(), direction.y()) == pytest.approx((math.cos(angle), -math.sin(angle)), abs=1e-9)
        assert (tip.x(), tip.y()) == pytest.approx((path.pointAtPercent(1.0).x(), path.pointAtPercent(1.0).y()))
    # a curve whose last control point sits on its end: the head still points along the curve
    path = QPainterPath(QPointF(0, 0))
    path.cubicTo(QPointF(50, 0), QPointF(100, 50), QPointF(100, 50))
    tip, direction = _arrival(path)
    angle = math.radians(path.angleAtPercent(1.0))
    assert (direction.x(), direction.y()) == pytest.approx((math.cos(angle), -math.sin(angle)), abs=1e-9)


def _edge_image(drawing, scale: float, screen: bool) -> np.ndarray:
    img = QImage(int(420 * scale), int(260 * scale), QImage.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.scale(scale, scale)
    paint_edge_drawing(p, drawing, screen=screen)
    p.end()
    bits = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return bits[:, :img.width() * 4].reshape(img.height(), img.width(), 4)[:, :, :3].astype(int)


@pytest.mark.parametrize("highlight", [False, True])
@pytest.mark.parametrize("scale", [1.0, 1.5, 3.0])
def test_on_screen_a_wide_edge_is_stroked_in_straight_pieces_that_look_like_the_curve(scale, highlight):
    # the canvas strokes a curve whose pen is wider than a pixel as short straight lines (Qt
    # fills a wide curve's outline ten times slower); the pixels must be those of the curve
    path = QPainterPath(QPointF(10, 20))
    path.cubicTo(QPointF(200, 20), QPointF(150, 240), QPointF(400, 230))
    drawing = edge_drawing(path, EdgeView(0, 1, 0, highlight=highlight), LIGHT)
    curve = _edge_image(drawing, scale, screen=False)
    pieces = _edge_image(drawing, scale, screen=True)
    assert drawing.pieces and drawing.pieces[0] == scale  # drawn in pieces, kept for this scale
    ink = 255 * 3 - curve.sum(axis=2)
    ink_pieces = 255 * 3 - pieces.sum(axis=2)
    assert abs(ink_pieces.sum() - ink.sum()) < 0.05 * ink.sum()  # as thick
    differ = np.abs(curve - pieces).max(axis=2) > 60
    assert differ.sum() < 0.01 * (ink > 60).sum()  # in the same places


def test_a_thin_pen_and_a_drawing_for_a_file_are_stroked_as_the_curve():
    path = QPainterPath(QPointF(10, 20))
    path.cubicTo(QPointF(200, 20), QPointF(150, 240), QPointF(400, 230))
    drawing = edge_drawing(path, EdgeView(0, 1, 0), LIGHT)
    _edge_image(drawing, 0.5, screen=True)  # 1.6 units at half size: under a pixel
    _edge_image(drawing, 2.0, screen=False)  # an export: no pieces (SVG and PDF keep curves)
    assert not drawing.pieces


@pytest.mark.parametrize("weight, colour", [(0.9, "#0877bd"), (-0.9, "#f59322")])
def test_a_weight_edge_is_stroked_in_its_signs_colour_not_only_its_head(weight, colour):
    # Playground's links: blue for a positive weight, orange for a negative one, along the
    # whole line (the pen once came from a cache keyed by the plain edge colour, and only the
    # arrow head showed the sign)
    path = QPainterPath(QPointF(10, 50))
    path.lineTo(QPointF(390, 50))
    image = _edge_image(edge_drawing(path, EdgeView(0, 1, 0, weight=weight), LIGHT), 1.0,
                        screen=True)
    b, g, r = image[50, 100]  # a third of the way along, far from the head (ARGB32: B, G, R)
    want = QColor(colour)
    alpha = 0.35 + 0.65 * 0.9  # a strong weight: nearly opaque over the white background
    for got, channel in zip((r, g, b), (want.red(), want.green(), want.blue())):
        assert abs(got - (alpha * channel + (1 - alpha) * 255)) <= 3
