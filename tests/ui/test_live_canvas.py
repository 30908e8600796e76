"""The canvas stays live on big graphs because it redoes only what changed: a scrub gives new
views (and measures them) only to the nodes whose numbers changed and reroutes no edge when no
box changed size; a moved node reroutes only the edges it can affect; zoomed out too far for
text, the canvas draws the overview (boxes and curves) instead of the items, which can still be
dragged. Counted, not timed (speed: benchmarks/editor.py)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import graphstudio.ui.items as items_module
from graphstudio.render.detail import TEXT_ZOOM
from graphstudio.render.draw import node_rect, row_rect
from graphstudio.render.picture import build_picture
from graphstudio.render.routing import PORT_RADIUS, port_point
from ui_helpers import drag, view_point


def build(window, text: str) -> None:
    assert window.build_expression(text)


def scrub(window, node: int, dxs=(10, 20, 40)) -> None:
    """Drag over ``node``'s number with the mouse, as a person scrubs it."""
    item = window.scene.nodes[node]
    row = row_rect(item.view, item.rect, item.theme, "value")
    start = view_point(window, item.mapToScene(row.center()))
    vp = window.canvas.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for dx in dxs:
        QTest.mouseMove(vp, start + QPoint(dx, 0))
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + QPoint(dxs[-1], 0))


def press_on_number(window, node: int):
    """Press the mouse on ``node``'s number (the start of a scrub); the viewport and the point."""
    item = window.scene.nodes[node]
    row = row_rect(item.view, item.rect, item.theme, "value")
    start = view_point(window, item.mapToScene(row.center()))
    vp = window.canvas.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    return vp, start


@pytest.fixture
def measured(monkeypatch):
    """The nodes whose box is measured (node_rect called for their view)."""
    seen: list[int] = []
    real = items_module.node_rect

    def spy(view, center, theme):
        seen.append(view.node)
        return real(view, center, theme)

    monkeypatch.setattr(items_module, "node_rect", spy)
    return seen


def texts(view):
    return (view.title, view.value_text, view.grad_text, view.error, view.warning, view.seed_text)


def test_a_scrub_gives_new_views_only_to_the_nodes_whose_numbers_changed(window, measured):
    # c and z depend on a; b and d do not, and no gradient changes (z is linear in a)
    build(window, "a = 1\nb = 2\nc = a * 3\nd = b + 4\nz = c + d")
    window.canvas.zoom_reset()
    g = window.document.graph
    a, b, c, d, z = (g.by_name(n) for n in "abcdz")
    scene = window.scene
    paths = {key: item.path for key, item in scene.edges.items()}
    views = {n: item.view for n, item in scene.nodes.items()}
    measured.clear()
    scrub(window, a)
    assert g.value(a) != 1.0
    assert set(measured) <= {a, c, z} and {a, c, z} <= set(measured)
    assert scene.nodes[b].view is views[b] and scene.nodes[d].view is views[d]
    # no box changed size: every edge keeps its curve (no rerouting)
    assert all(scene.edges[key].path is path for key, path in paths.items())
    # what is shown equals a picture built from scratch
    picture = build_picture(g, window.document.evaluation, {})
    for n, item in scene.nodes.items():
        assert texts(item.view) == texts(picture.nodes[n])


def test_after_a_change_of_structure_every_view_is_built_again(window, measured):
    build(window, "a = 1\nb = a * 2")
    measured.clear()
    build(window, "c = b + 1")
    g = window.document.graph
    assert {g.by_name("a"), g.by_name("b"), g.by_name("c")} <= set(measured)
    picture = build_picture(g, window.document.evaluation, {})
    for n, item in window.scene.nodes.items():
        assert texts(item.view) == texts(picture.nodes[n])


def test_moving_a_node_reroutes_only_the_edges_it_can_affect(window):
    # two chains, the second far below the first
    build(window, "a = 1\nb = a * 2\nc = b + 1")
    build(window, "p = 3\nq = p * 2\nr = q + 1")
    g = window.document.graph
    scene = window.scene
    for name in "pqr":
        n = g.by_name(name)
        pos = g.position(n)
        g.set_position(n, (pos[0], pos[1] + 1500))
    scene.route_edges()
    window.canvas.zoom_reset()
    window.canvas.centerOn(scene.nodes[g.by_name("b")])
    before = {key: item.path for key, item in scene.edges.items()}
    b = g.by_name("b")
    y0 = g.position(b)[1]
    item = scene.nodes[b]
    grab = view_point(window, item.mapToScene(row_rect(item.view, item.rect, item.theme, "header").center()))
    drag(window, grab, grab + QPoint(0, 60))
    assert g.position(b)[1] == pytest.approx(y0 + 60, abs=2)
    at_b = [key for key in scene.edges if b in key[:2]]
    assert len(at_b) == 3 and all(scene.edges[k].path is not before[k] for k in at_b)  # a, 2, c
    far = [key for key in scene.edges if g.by_name("q") in key[:2]]
    assert len(far) == 3 and all(scene.edges[k].path is before[k] for k in far)


def fill_pixels(window, colour: str) -> int:
    image = window.canvas.viewport().grab().toImage()
    target = QColor(colour).rgb()
    return sum(image.pixel(x, y) == target for x in range(0, image.width(), 3)
               for y in range(0, image.height(), 3))


def text_pixels(window, theme) -> int:
    """How many pixels of the canvas have the colour of the boxes' names."""
    image = window.canvas.viewport().grab().toImage()
    target = QColor(theme.text).rgb()
    return sum(image.pixel(x, y) == target for x in range(image.width())
               for y in range(image.height()))


def test_zoomed_out_the_canvas_draws_boxes_without_text_and_nodes_still_move(window, monkeypatch):
    build(window, "\n".join(["x0 = 0.5"] + [f"x{k} = tanh(x{k - 1}) + {k}" for k in range(1, 12)]))
    canvas, scene = window.canvas, window.scene
    painted: list[int] = []
    real = items_module.paint_node
    monkeypatch.setattr(items_module, "paint_node",
                        lambda painter, rect, view, *a: (painted.append(view.node), real(painter, rect, view, *a)))
    canvas.zoom_reset()
    canvas.centerOn(scene.nodes[window.document.graph.by_name("x0")])  # the input, in the middle
    assert scene.text_shown
    canvas.viewport().grab()
    assert painted  # in full: every node paints itself, text included
    # zoom out with the wheel, as a person does, until text would be too small to read
    centre = QPointF(canvas.viewport().rect().center())
    for _ in range(20):
        if canvas.zoom() < TEXT_ZOOM:
            break
        wheel = QWheelEvent(centre, QPointF(canvas.viewport().mapToGlobal(centre.toPoint())),
                            QPoint(0, 0), QPoint(0, -120), Qt.NoButton, Qt.NoModifier,
                            Qt.NoScrollPhase, False)
        QApplication.sendEvent(canvas.viewport(), wheel)
    assert not scene.text_shown
    painted.clear()
    theme = scene.theme
    assert fill_pixels(window, theme.input_fill) > 0  # the input's box is drawn, by the overview
    assert painted == []  # ... and no node drew itself (no text)
    # a node can still be dragged at this zoom
    g = window.document.graph
    x0 = g.by_name("x0")
    item = scene.nodes[x0]
    before = g.position(x0)
    start = view_point(window, item.mapToScene(item.rect.center()))
    drag(window, start, start + QPoint(0, 40))
    after = g.position(x0)
    assert after[1] > before[1] + 40  # 40 pixels at a zoom under 0.5: more than 40 units
    assert text_pixels(window, theme) == 0
    canvas.zoom_reset()
    assert scene.text_shown  # the boxes' text is drawn again (from each box's cached picture
    assert text_pixels(window, theme) > 0  # when nothing in it changed meanwhile)


def test_while_a_number_is_scrubbed_boxes_grow_but_do_not_shrink_until_the_drag_ends(window):
    # b's number gains a digit at a = 1.05 (-0.09817) and loses it at a = 1.1 (-0.1029)
    build(window, "a = 1\nb = a * -0.0935")
    window.canvas.zoom_reset()
    g = window.document.graph
    a, b = g.by_name("a"), g.by_name("b")
    scene = window.scene
    narrow = scene.nodes[b].rect.width()
    vp, start = press_on_number(window, a)
    QTest.mouseMove(vp, start + QPoint(1, 0))  # a = 1.05
    assert scene.nodes[b].view.value_text == "-0.09817"
    wide = scene.nodes[b].rect.width()
    assert wide > narrow
    QTest.mouseMove(vp, start + QPoint(2, 0))  # a = 1.1: b's text is as short as at first
    assert scene.nodes[b].view.value_text == "-0.1029"
    assert node_rect(scene.nodes[b].view, (0, 0), scene.theme).width() == narrow
    assert scene.nodes[b].rect.width() == wide  # no shrinking (and rerouting) mid-drag
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + QPoint(2, 0))
    assert g.value(a) == pytest.approx(1.1)
    assert scene.nodes[b].rect.width() == narrow  # the drag is over: the box fits its text
    # ... and the edge into b reaches b's port as it is now
    end = scene.edges[(a, b, 0)].path.pointAtPercent(1.0)
    port = scene.nodes[b].mapToScene(port_point(scene.nodes[b].rect, 0, 2))
    assert end.x() == pytest.approx(port.x() - PORT_RADIUS) and end.y() == pytest.approx(port.y())


def test_nodes_out_of_sight_catch_up_when_a_scrub_pauses_and_when_it_ends(window, qtbot):
    from graphstudio.ui.commands import MoveCommand
    from graphstudio.ui.scene import CATCH_UP_MS

    build(window, "a = 1\nb = a * 3\nfar = b + 1")
    g = window.document.graph
    a, b, far = (g.by_name(n) for n in ("a", "b", "far"))
    doc, scene = window.document, window.scene
    doc.push(MoveCommand(doc, {far: (g.position(far), (5000.0, 3000.0))}))
    window.canvas.zoom_reset()
    window.canvas.centerOn(scene.nodes[a])
    vp, start = press_on_number(window, a)
    QTest.mouseMove(vp, start + QPoint(20, 0))
    value = g.value(a)
    assert value != 1.0
    assert scene.nodes[b].view.value_text == f"{3 * value:g}"  # in sight: at once
    assert scene.nodes[far].view.value_text == "4"  # out of sight: not yet
    # the drag pauses (CATCH_UP_MS; longer on a busy machine): it catches up
    qtbot.waitUntil(lambda: scene.nodes[far].view.value_text == f"{3 * value + 1:g}",
                    timeout=CATCH_UP_MS + 3000)
    QTest.mouseMove(vp, start + QPoint(40, 0))
    assert scene.nodes[far].view.value_text == f"{3 * value + 1:g}"  # behind again
    window.canvas.centerOn(scene.nodes[far])  # it comes into sight: up to date at once
    assert scene.nodes[far].view.value_text == f"{3 * g.value(a) + 1:g}"
    window.canvas.centerOn(scene.nodes[a])
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + QPoint(40, 0))
    assert g.value(a) != value
    picture = build_picture(g, doc.evaluation, {})
    for n, node_item in scene.nodes.items():  # the drag is over: every node shows the end
        assert texts(node_item.view) == texts(picture.nodes[n])


@pytest.fixture
def pictures_built(monkeypatch):
    """How many times a live picture of the whole graph is made (by the layout or the scene)."""
    import graphstudio.render.picture as picture_module
    import graphstudio.ui.scene as scene_module

    made: list[int] = []
    real = picture_module.build_picture

    def spy(*args, **kw):
        made.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(picture_module, "build_picture", spy)
    monkeypatch.setattr(scene_module, "build_picture", spy)
    return made


def test_a_file_without_positions_is_shown_with_the_picture_its_layout_measured(
        window, tmp_path, pictures_built):
    path = tmp_path / "chain.gs"
    path.write_text("a = 1.5\nb = 2\nc = a * b\nd = sin(c) + a\n", encoding="utf-8")
    assert window.open_file(str(path), ask=False)
    assert len(pictures_built) == 1  # laid out and shown from one picture
    g = window.document.graph
    fresh = build_picture(g, window.document.evaluation, {})
    assert {n: texts(i.view) for n, i in window.scene.nodes.items()} == \
        {n: texts(v) for n, v in fresh.nodes.items()}
    assert window.scene.nodes[g.by_name("d")].view.grad_text  # gradients shown


def test_a_picture_made_for_other_view_settings_is_not_shown(window, tmp_path, pictures_built):
    # the layout measures boxes with their gradients; a document that hides them is shown
    # from a picture of its own
    path = tmp_path / "no_grads.json"
    path.write_text(json.dumps({
        "format_version": 1, "app": "graphstudio",
        "nodes": [{"id": 0, "op": "input", "name": "a", "value": 1.0},
                  {"id": 1, "op": "const", "name": None, "value": 2.0},
                  {"id": 2, "op": "mul", "name": "b"}],
        "edges": [{"src": 0, "dst": 2, "port": 0}, {"src": 1, "dst": 2, "port": 1}],
        "output": None, "view": {"show_grad": False}}), encoding="utf-8")
    assert window.open_file(str(path), ask=False)
    assert len(pictures_built) == 2
    assert all(item.view.grad_text == "" for item in window.scene.nodes.values())


@pytest.fixture
def placed(monkeypatch) -> list[int]:
    """The number of edges of each placement of the canvas's edge labels, from now on."""
    import graphstudio.ui.scene as scene_module

    calls: list[int] = []
    real = scene_module.label_spots

    def spy(paths, *args):
        calls.append(len(paths))
        return real(paths, *args)

    monkeypatch.setattr(scene_module, "label_spots", spy)
    return calls


def test_with_edge_labels_a_scrub_updates_them_in_place_and_places_them_when_it_ends(
        window, placed):
    # weighing every label's spots against every box on each mouse move made a scrub with
    # labels shown take a third of a second on a 100-node graph
    build(window, "a = 1\nb = a * a\nc = b * 3\nd = sin(c) + b")
    window.act_labels.trigger()
    g = window.document.graph
    a, b = g.by_name("a"), g.by_name("b")
    scene = window.scene
    assert placed and scene.edges[(a, b, 0)].view.label.endswith("= 1")  # ∂b/∂a = a = 1
    placed.clear()
    vp, start = press_on_number(window, a)
    QTest.mouseMove(vp, start + QPoint(20, 0))
    label = scene.edges[(a, b, 0)].view.label
    assert g.value(a) != 1 and not label.endswith("= 1")  # the label's number follows...
    assert placed == []  # ... where it is
    assert labels_now(window) == labels_anew(window)  # every label, down to d
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + QPoint(20, 0))
    assert placed  # let go: the labels find their spots for the boxes as they are now
    window.document.undo_stack.undo()  # and an undo brings back the labels of a = 1
    assert g.value(a) == 1 and labels_now(window) == labels_anew(window)
    assert scene.edges[(a, b, 0)].view.label.endswith("= 1")


def labels_now(window) -> dict:
    return {key: item.view.label for key, item in window.scene.edges.items()}


def labels_anew(window) -> dict:
    """Every edge's label in a picture built from nothing for the graph as it is now."""
    doc = window.document
    picture = build_picture(doc.graph, doc.evaluation, {}, edge_labels=True)
    return {(e.src, e.dst, e.port): e.label for e in picture.edges}


def test_letting_go_of_a_scrub_places_the_labels_once(window, placed):
    # the new value's labels and the boxes fitted to their text again each placed every
    # label: twice the search, the first for boxes about to shrink
    build(window, "a = 1\nb = a * a\nc = b * 3\nd = sin(c) + b")
    window.act_labels.trigger()
    a = window.document.graph.by_name("a")
    scene = window.scene
    vp, start = press_on_number(window, a)
    QTest.mouseMove(vp, start + QPoint(400, 0))  # a large a: the boxes grow with its numbers
    widths = {n: item.rect.width() for n, item in scene.nodes.items()}
    QTest.mouseMove(vp, start + QPoint(20, 0))  # and back: they stay grown while dragging
    placed.clear()
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + QPoint(20, 0))
    assert any(item.rect.width() < widths[n] for n, item in scene.nodes.items())  # refitted
    assert placed == [len(scene.edges)]  # every label placed, once
    assert labels_now(window) == labels_anew(window)
