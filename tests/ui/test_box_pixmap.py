"""While its numbers change at every frame (a scrub, a training run), a box is copied from a
picture of it without its numbers and the numbers are drawn on it (graphstudio/ui/box_pixmap.py):
that looks as the box drawn directly does, at any zoom and offset, the numbers are the new
ones, and a box whose look changes is drawn anew (a unit's box is kept as two pictures, its
response drawn between them). While a run trains, Qt keeps the edges as pictures (but a
weight's link, which changes with every frame); after it, the boxes are cached by Qt again
and the edges drawn directly."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

from graphstudio.core.dataset import load_csv, set_row
from graphstudio.core.engine import evaluate
from graphstudio.core.networks import NetworkSpec, build_network
from graphstudio.examples import examples_dir
from graphstudio.io.gs import write_text
from graphstudio.render.draw import node_rect, paint_node
from graphstudio.render.picture import build_picture
from graphstudio.render.style import THEMES
from graphstudio.ui.box_pixmap import BoxPixmap

from test_training_panel import set_spin

CSV = examples_dir() / "data" / "two_blobs.csv"
THEME = THEMES["light"]


def network():
    g = build_network(NetworkSpec((2, 3, 2), loss="softmax_ce", form="scalar", dataset=str(CSV)))
    set_row(g, load_csv(CSV), 0)
    return g


def views():
    g = network()
    picture = build_picture(g, evaluate(g), {n: (0.0, 0.0) for n in g.nodes()})
    return g, picture.nodes


def image(draw, scale: float, dx: float, dy: float) -> QImage:
    img = QImage(420, 260, QImage.Format_ARGB32_Premultiplied)
    img.fill(Qt.white)
    p = QPainter(img)
    p.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    p.translate(dx, dy)
    p.scale(scale, scale)
    draw(p)
    p.end()
    return img


def other_digits(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "3456789012"))


def pixels(img: QImage) -> np.ndarray:
    raw = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return raw[:, :img.width() * 4].reshape(img.height(), img.width(), 4).astype(int)


def differing(a: QImage, b: QImage, tolerance: int = 3) -> int:
    """How many pixels differ by more than ``tolerance`` in a channel (compositing an
    antialiased edge from a picture may round one step apart from drawing it directly)."""
    return int((np.abs(pixels(a) - pixels(b)).max(axis=2) > tolerance).sum())


@pytest.mark.parametrize("scale, dx, dy", [(1.0, 120.0, 80.0), (0.69, 150.3, 90.7),
                                           (2.0, 210.5, 130.25)])
def test_a_box_from_its_picture_looks_as_the_box_drawn_directly(qtbot, scale, dx, dy):
    g, nodes = views()
    for name in ("w1_1_2", "z1_2", "L"):  # a weight, a sum, the output (thick border)
        view = nodes[g.by_name(name)]
        rect = node_rect(view, (0.0, 0.0), THEME)
        bounds = rect.adjusted(-24, -16, 14, 10)  # as NodeItem.boundingRect
        box = BoxPixmap()
        direct = image(lambda p: paint_node(p, rect, view, THEME), scale, dx, dy)
        copied = image(lambda p: box.paint(p, bounds, rect, view, THEME, False, False),
                       scale, dx, dy)
        assert differing(direct, copied) <= 4, name
        # the same box with other numbers as long (its picture kept): the new ones are drawn
        other = replace(view, value_text=other_digits(view.value_text),
                        grad_text=other_digits(view.grad_text))
        direct = image(lambda p: paint_node(p, rect, other, THEME), scale, dx, dy)
        copied = image(lambda p: box.paint(p, bounds, rect, other, THEME, False, False),
                       scale, dx, dy)
        assert differing(direct, copied) <= 4, name
        # selected: another look, drawn anew
        direct = image(lambda p: paint_node(p, rect, other, THEME, selected=True), scale, dx, dy)
        copied = image(lambda p: box.paint(p, bounds, rect, other, THEME, True, False),
                       scale, dx, dy)
        assert differing(direct, copied) <= 4, name
        # moved by part of a pixel (a scroll), or zoomed: drawn anew, sharp where it is now
        for s2, dx2, dy2 in ((scale, dx + 0.5, dy + 0.25), (scale * 1.25, dx, dy)):
            direct = image(lambda p: paint_node(p, rect, other, THEME, selected=True), s2, dx2, dy2)
            copied = image(lambda p: box.paint(p, bounds, rect, other, THEME, True, False),
                           s2, dx2, dy2)
            assert differing(direct, copied) <= 4, name


@pytest.mark.parametrize("scale, dx, dy", [(1.0, 120.0, 80.0), (0.69, 150.3, 90.7)])
def test_a_unit_s_box_from_its_two_pictures_looks_as_the_box_drawn_directly(qtbot, scale,
                                                                            dx, dy):
    # a hidden unit shows its response behind its text: the box is kept as what lies under
    # the response and what lies on it, and the response (new at every frame) drawn between
    g, nodes = views()
    rng = np.random.default_rng(3)
    for name, selected in (("h1_1", False), ("h1_2", True)):
        base = nodes[g.by_name(name)]
        rect = node_rect(base, (0.0, 0.0), THEME)
        bounds = rect.adjusted(-24, -16, 14, 10)
        box = BoxPixmap()
        first = None
        for k in range(3):  # new responses and numbers, the same pictures of the box
            levels = rng.uniform(-1.0, 1.0, (20, 20))
            view = replace(base, thumbnail=levels,
                           value_text=base.value_text if k == 0 else other_digits(base.value_text))
            direct = image(lambda p: paint_node(p, rect, view, THEME, selected=selected),
                           scale, dx, dy)
            copied = image(lambda p: box.paint(p, bounds, rect, view, THEME, selected, False),
                           scale, dx, dy)
            assert differing(direct, copied) <= 4, (name, k)
            if first is None:
                first = copied
            else:  # the response drawn is the view's: it shows
                assert differing(first, copied) > 200, (name, k)


def test_the_numbers_drawn_are_the_views(qtbot):
    g, nodes = views()
    view = nodes[g.by_name("z1_1")]
    rect = node_rect(view, (0.0, 0.0), THEME)
    bounds = rect.adjusted(-24, -16, 14, 10)
    box = BoxPixmap()
    one = image(lambda p: box.paint(p, bounds, rect, view, THEME, False, False), 1.0, 100, 80)
    other = replace(view, value_text=other_digits(view.value_text))
    two = image(lambda p: box.paint(p, bounds, rect, other, THEME, False, False), 1.0, 100, 80)
    assert differing(one, two) > 20


def network_file(tmp_path):
    path = tmp_path / "net.gs"
    path.write_text(write_text(network()))
    return path


def test_boxes_are_cached_by_qt_again_after_a_run(qtbot, window, tmp_path):
    assert window.open_file(network_file(tmp_path), ask=False)
    items = list(window.scene.nodes.values())
    assert all(i.cacheMode() == QGraphicsItem.DeviceCoordinateCache for i in items)
    window.training.show_panel()
    panel = window.training.panel
    set_spin(qtbot, panel.steps, "1000000")
    seen = []  # whether, at a frame of the run, the boxes were drawn without Qt's cache
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.trainer is not None and panel.trainer.step_count > 20,
                    timeout=20000)
    qtbot.waitUntil(lambda: window.scene.fixed is not None, timeout=5000)
    seen.append(sum(i.cacheMode() == QGraphicsItem.NoCache for i in items))
    edges = list(window.scene.edges.values())  # their curves stay: Qt keeps them as pictures
    weights = [e for e in edges if e.view.weight is not None]  # but a weight's link changes
    assert 0 < len(weights) < len(edges)
    assert all(e.cacheMode() == QGraphicsItem.DeviceCoordinateCache for e in edges
               if e.view.weight is None)
    assert all(e.cacheMode() == QGraphicsItem.NoCache for e in weights)
    qtbot.mouseClick(panel.stop_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=20000)
    qtbot.wait(50)
    assert seen[0] > len(items) // 2  # the numbers change: drawn directly, box from a picture
    # the run's last picture fits the boxes, and Qt keeps each as a picture again
    assert all(i.cacheMode() == QGraphicsItem.DeviceCoordinateCache for i in items)
    assert all(e.cacheMode() == QGraphicsItem.NoCache for e in edges)  # as when editing
    window.canvas.viewport().repaint()  # and it still paints
    qtbot.mouseClick(panel.revert_button, Qt.LeftButton)
    assert all(i.cacheMode() == QGraphicsItem.DeviceCoordinateCache for i in items)


def test_a_box_in_a_rotated_view_is_drawn_directly(qtbot):
    g, nodes = views()
    view = nodes[g.by_name("z1_1")]
    rect = node_rect(view, (0.0, 0.0), THEME)
    box = BoxPixmap()

    def rotated(draw):
        def go(p):
            p.rotate(10)
            draw(p)
        return go

    direct = image(rotated(lambda p: paint_node(p, rect, view, THEME)), 1.0, 150, 80)
    copied = image(rotated(lambda p: box.paint(p, rect.adjusted(-24, -16, 14, 10), rect, view,
                                               THEME, False, False)), 1.0, 150, 80)
    assert direct == copied  # drawn directly: the same pixels


def test_while_it_trains_the_canvas_in_its_window_shows_each_box_where_it_is(qtbot, window,
                                                                              tmp_path):
    # painted inside the window (the canvas is not at the window's corner), each box and its
    # numbers are where the canvas alone draws them
    from PySide6.QtCore import QPoint, QRect

    assert window.open_file(network_file(tmp_path), ask=False)
    window.training.show_panel()
    panel = window.training.panel
    set_spin(qtbot, panel.steps, "1000000")
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.trainer is not None and panel.trainer.step_count > 20,
                    timeout=20000)
    qtbot.mouseClick(panel.pause_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "paused", timeout=5000)
    qtbot.wait(100)
    items = list(window.scene.nodes.values())
    assert sum(i.cacheMode() == QGraphicsItem.NoCache for i in items) > len(items) // 2
    viewport = window.canvas.viewport()
    corner = viewport.mapTo(window, QPoint(0, 0))
    assert corner.x() > 50 and corner.y() > 50
    in_window = window.grab().toImage().copy(QRect(corner, viewport.size()))
    alone = viewport.grab().toImage()
    in_window = in_window.convertToFormat(QImage.Format_ARGB32_Premultiplied)
    alone = alone.convertToFormat(QImage.Format_ARGB32_Premultiplied)
    assert in_window.size() == alone.size()
    assert differing(in_window, alone) <= 20
    qtbot.mouseClick(panel.stop_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=20000)


def test_on_a_screen_of_two_pixels_a_point_the_box_is_as_sharp_and_where_it_is(qtbot):
    g, nodes = views()
    view = nodes[g.by_name("z1_2")]
    rect = node_rect(view, (0.0, 0.0), THEME)
    box = BoxPixmap()

    def hidpi(draw) -> QImage:
        img = QImage(840, 520, QImage.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(2.0)
        img.fill(Qt.white)
        p = QPainter(img)
        p.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        p.translate(130.25, 70.5)
        p.scale(0.8, 0.8)
        draw(p)
        p.end()
        return img

    direct = hidpi(lambda p: paint_node(p, rect, view, THEME))
    copied = hidpi(lambda p: box.paint(p, rect.adjusted(-24, -16, 14, 10), rect, view, THEME,
                                       False, False))
    assert differing(direct, copied) <= 4
