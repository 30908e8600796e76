"""Editing by hand on the canvas: palette, connecting ports, refusals, moving, deleting, undo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui_helpers import drag, output_of, port_of, view_point


def add_from_palette(window, op: str, at: QPoint) -> int:
    """Drop the palette's drag data for ``op`` on the canvas at ``at`` (viewport coordinates)."""
    palette = window.palette
    mime = palette.mimeData([palette.item_for(op)])
    vp = window.canvas.viewport()
    before = set(window.document.graph.nodes())
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent

    QApplication.sendEvent(vp, _drag_event(QDragEnterEvent, at, mime))
    QApplication.sendEvent(vp, _drag_event(QDragMoveEvent, at, mime))
    drop = QDropEvent(QPointF(at), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(vp, drop)
    (new,) = set(window.document.graph.nodes()) - before
    return new


def _drag_event(kind, at: QPoint, mime):
    """A drag event of ``kind`` at ``at``: PySide6 6.12 takes the point as a QPointF (and warns
    that the QPoint form is deprecated), 6.11, which Python 3.11 keeps, only as a QPoint."""
    try:
        return kind(QPointF(at), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    except TypeError:
        return kind(at, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)


def build(window, text: str) -> None:
    edit = window.expression_bar.edit
    edit.setFocus()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key_Return)


def test_palette_drop_adds_the_node_where_it_is_dropped(window):
    at = QPoint(200, 150)
    n = add_from_palette(window, "mul", at)
    g = window.document.graph
    assert g.op(n) == "mul"
    expected = window.canvas.mapToScene(at)
    assert g.position(n) == (round(expected.x()), round(expected.y()))
    assert window.scene.nodes[n].view.symbol == "×"


def test_palette_click_adds_at_the_view_centre(window, qtbot):
    item = window.palette.item_for("exp")
    rect = window.palette.visualItemRect(item)
    QTest.mouseClick(window.palette.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    ops = [window.document.graph.op(n) for n in window.document.graph.nodes()]
    assert ops == ["exp"]


def test_drag_from_output_to_port_connects_and_evaluates(window):
    a = add_from_palette(window, "input", QPoint(120, 100))
    b = add_from_palette(window, "input", QPoint(120, 300))
    s = add_from_palette(window, "sub", QPoint(420, 200))
    g = window.document.graph
    window.canvas.setFocus()
    drag(window, output_of(window, a), port_of(window, s, 0))
    drag(window, output_of(window, b), port_of(window, s, 1))
    assert g.parents(s) == [a, b]
    # inputs start at 1: a - b = 0; set a = 5 in the inspector to see the difference
    window.scene.select([a])
    spin = window.inspector.spin
    spin.setValue(5.0)
    assert window.document.evaluation.values[s] == 4.0  # 5 - 1
    assert window.scene.nodes[s].view.value_text == "4"
    assert window.document.evaluation.grads[b] == -1.0


def test_refused_cycle_shows_the_models_message(window):
    build(window, "y = exp(x)")
    g = window.document.graph
    x, y = g.by_name("x"), g.by_name("y")
    z = add_from_palette(window, "mul", QPoint(600, 80))
    drag(window, output_of(window, y), port_of(window, z, 0))
    assert g.parents(z)[0] == y
    # z's output into exp's only port, which is occupied: refused
    drag(window, output_of(window, z), port_of(window, y, 0))
    assert "already connected" in window.statusBar().currentMessage()
    # and x <- z would close a cycle... x is an input; use a second op to make one
    w = add_from_palette(window, "neg", QPoint(600, 300))
    drag(window, output_of(window, z), port_of(window, w, 0))
    drag(window, output_of(window, w), port_of(window, z, 1))
    message = window.statusBar().currentMessage()
    assert "cycle" in message and g.parent_at(z, 1) is None
    assert x in g


def test_move_merges_into_one_undo_step_and_undo_redo_by_keyboard(window):
    build(window, "z = a * 2")
    g = window.document.graph
    z = g.by_name("z")
    start = g.position(z)
    steps_before = window.document.undo_stack.count()
    item = window.scene.nodes[z]
    centre = view_point(window, item.mapToScene(item.rect.topLeft() + QPointF(40, 12)))
    drag(window, centre, centre + QPoint(60, 0))
    centre2 = view_point(window, item.mapToScene(item.rect.topLeft() + QPointF(40, 12)))
    drag(window, centre2, centre2 + QPoint(0, 50))
    moved = g.position(z)
    assert moved != start
    assert window.document.undo_stack.count() == steps_before + 1  # two drags, one step
    window.canvas.setFocus()
    QTest.keySequence(window, QKeySequence.StandardKey.Undo)
    assert g.position(z) == start
    QTest.keySequence(window, QKeySequence.StandardKey.Redo)
    assert g.position(z) == moved


def test_delete_key_removes_the_selection_and_undo_brings_it_back(window):
    build(window, "z = (a + b) * (b + c)")
    g = window.document.graph
    b = g.by_name("b")
    window.scene.select([b])
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key_Delete)
    assert b not in g
    assert window.document.evaluation.errors  # the sums lost an argument: marked, not crashed
    QTest.keySequence(window, QKeySequence.StandardKey.Undo)
    assert g.by_name("b") == b
    assert window.document.evaluation.values[g.by_name("z")] == 4.0  # (1 + 1) * (1 + 1)
    window.scene.select([g.by_name("a")])
    QTest.keyClick(window.canvas, Qt.Key_Backspace)
    assert "a" not in g.names()


def test_scrubbing_an_input_updates_the_graph_and_is_one_undo_step(window):
    build(window, "z = x * x")
    g = window.document.graph
    x, z = g.by_name("x"), g.by_name("z")
    count = window.document.undo_stack.count()
    item = window.scene.nodes[x]
    from graphstudio.render.draw import row_rect

    row = row_rect(item.view, item.rect, item.theme, "value")
    start = view_point(window, item.mapToScene(row.center()))
    vp = window.canvas.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    seen = []
    for dx in (10, 20, 40):
        QTest.mouseMove(vp, start + QPoint(dx, 0))
        seen.append(window.document.evaluation.values[z])
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + QPoint(40, 0))
    value = g.value(x)
    assert value > 1.0 and seen[-1] == value * value  # updated while dragging
    assert len(set(seen)) == 3
    assert window.document.undo_stack.count() == count + 1
    window.document.undo_stack.undo()
    assert g.value(x) == 1.0 and window.document.evaluation.values[z] == 1.0


def test_double_click_renames_in_place(window):
    build(window, "z = a + 1")
    g = window.document.graph
    z = g.by_name("z")
    item = window.scene.nodes[z]
    from graphstudio.render.draw import row_rect

    head = view_point(window, item.mapToScene(row_rect(item.view, item.rect, item.theme, "header").center()))
    QTest.mouseDClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, head)
    editor = window.canvas.findChild(type(window.inspector.name), "inline-name")
    assert editor is not None and editor.text() == "z"
    editor.selectAll()
    QTest.keyClicks(editor, "loss")
    QTest.keyClick(editor, Qt.Key_Return)
    assert g.name(z) == "loss"


def test_quick_search_adds_mul_with_tab(window):
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key_Tab)
    assert window.quick_search.isVisible()
    QTest.keyClicks(window.quick_search.edit, "mul")
    QTest.keyClick(window.quick_search.edit, Qt.Key_Return)
    g = window.document.graph
    assert [g.op(n) for n in g.nodes()] == ["mul"]


def test_copy_paste_and_duplicate(window):
    build(window, "y = 2 * x")
    g = window.document.graph
    y = g.by_name("y")
    window.scene.select([g.by_name("x"), y] + [n for n in g.nodes() if g.op(n) == "const"])
    window.canvas.setFocus()
    QTest.keySequence(window, QKeySequence.StandardKey.Copy)
    QTest.keySequence(window, QKeySequence.StandardKey.Paste)
    assert {"x_2", "y_2"} <= set(g.names())
    assert window.document.evaluation.values[g.by_name("y_2")] == 2.0
    window.scene.select([y])
    QTest.keySequence(window, QKeySequence("Ctrl+D"))
    assert "y_3" in g.names()


def test_wheel_zooms_around_the_cursor(window):
    build(window, "z = a * b")
    canvas = window.canvas
    at = QPoint(300, 200)
    before = canvas.mapToScene(at)
    zoom = canvas.zoom()
    from PySide6.QtGui import QWheelEvent

    vp = canvas.viewport()
    event = QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), QPoint(0, 0), QPoint(0, 240),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(vp, event)
    assert canvas.zoom() > zoom * 1.3
    after = canvas.mapToScene(at)
    assert abs(after.x() - before.x()) < 2 and abs(after.y() - before.y()) < 2


def test_arrange_lays_out_and_is_undoable(window):
    build(window, "z = (a + b) * c")
    g = window.document.graph
    a = g.by_name("a")
    item = window.scene.nodes[a]
    centre = view_point(window, item.mapToScene(item.rect.topLeft() + QPointF(30, 12)))
    drag(window, centre, centre + QPoint(250, 120))
    moved = g.position(a)
    window.act_arrange.trigger()
    arranged = g.position(a)
    assert arranged != moved
    assert arranged[0] < g.position(g.by_name("z"))[0]
    window.document.undo_stack.undo()
    assert g.position(a) == moved


def test_selected_edge_is_disconnected_with_delete(window):
    build(window, "z = exp(a)")
    g = window.document.graph
    z, a = g.by_name("z"), g.by_name("a")
    edge = window.scene.edges[(a, z, 0)]
    window.scene.clearSelection()
    edge.setSelected(True)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key_Delete)
    assert g.parents(z) == [None] and a in g and z in g
    assert window.scene.nodes[z].view.error  # exp lost its argument: marked
    window.document.undo_stack.undo()
    assert g.parents(z) == [a]


def test_pick_up_an_edge_by_its_arrow_to_move_or_remove_it(window):
    window.build_expression("a = 2\nb = 5\nz = a - b")
    g = window.document.graph
    a, b, z = g.by_name("a"), g.by_name("b"), g.by_name("z")
    w = add_from_palette(window, "neg", QPoint(80, 60))
    # pull a's edge off z's first port and drop it on neg's port: z loses it, w gets it
    drag(window, port_of(window, z, 0), port_of(window, w, 0))
    assert g.parents(w) == [a] and g.parents(z) == [None, b]
    assert window.document.evaluation.values[w] == -2.0
    # pick up b's edge and drop it on empty canvas: removed
    drag(window, port_of(window, z, 1), QPoint(5, 5))
    assert g.parents(z) == [None, None]
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert g.parents(z) == [a, b] and g.parents(w) == [None]


def test_drag_back_from_a_free_port_to_a_node(window):
    build(window, "x = 3")
    g = window.document.graph
    x = g.by_name("x")
    e = add_from_palette(window, "exp", QPoint(500, 300))
    item = window.scene.nodes[x]
    drag(window, port_of(window, e, 0), view_point(window, item.mapToScene(item.rect.center())))
    assert g.parents(e) == [x]


def test_double_click_on_empty_canvas_opens_the_quick_search_there(window):
    at = QPoint(250, 180)
    QTest.mouseDClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, at)
    assert window.quick_search.isVisible()
    QTest.keyClicks(window.quick_search.edit, "sigm")
    QTest.keyClick(window.quick_search.edit, Qt.Key_Return)
    g = window.document.graph
    (n,) = g.nodes()
    assert g.op(n) == "sigmoid"
    expected = window.canvas.mapToScene(at)
    assert g.position(n) == (round(expected.x()), round(expected.y()))
    assert not window.quick_search.isVisible()


def test_the_port_under_a_dragged_edge_is_ringed_and_leaves_refuse(window):
    window.build_expression("a = 1\nb = 2\nz = a * b")
    g = window.document.graph
    a, b, z = g.by_name("a"), g.by_name("b"), g.by_name("z")
    m = add_from_palette(window, "sub", QPoint(620, 60))
    vp = window.canvas.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, output_of(window, z))
    QTest.mouseMove(vp, port_of(window, m, 1) + QPoint(0, -3))
    QTest.mouseMove(vp, port_of(window, m, 1))
    assert window.scene.nodes[m].drop_port == 1
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, port_of(window, m, 1))
    assert window.scene.nodes[m].drop_port is None
    assert g.parents(m) == [None, z]
    item = window.scene.nodes[b]
    drag(window, output_of(window, z), view_point(window, item.mapToScene(item.rect.center())))
    assert "takes no arguments" in window.statusBar().currentMessage()
    assert g.parents(b) == [] and a in g


def test_pasting_a_onehot_data_input_keeps_its_binding(window, tmp_path):
    """The pasted node is the copied node's whole record: a ``data("label", onehot=3)`` input
    used to come back as a plain input (the paste listed the fields it carried, and missed
    ``onehot``)."""
    path = tmp_path / "labels.gs"
    path.write_text('t = data("label", onehot=3)\nW = param([[0.5, -0.5, 1]])\nz = W @ t\n')
    assert window.open_file(path, ask=False)
    g = window.document.graph
    t = g.by_name("t")
    item = window.scene.nodes[t]
    QTest.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier,
                     view_point(window, item.sceneBoundingRect().center()))
    assert window.scene.selected_nodes() == [t]
    QTest.keySequence(window, QKeySequence.StandardKey.Copy)
    QTest.keySequence(window, QKeySequence.StandardKey.Paste)
    pasted = g.node(g.by_name("t_2"))
    assert (pasted.op, pasted.data, pasted.onehot, pasted.equals) == ("input", "label", 3, None)
    assert window.scene.selected_nodes() == [g.by_name("t_2")]
    # and it survives a save and a reload
    saved = tmp_path / "labels.json"
    assert window.save_to(saved)
    assert window.open_file(saved, ask=False)
    back = window.document.graph
    assert back.node(back.by_name("t_2")).onehot == 3
    assert back.node(back.by_name("t_2")).data == "label"


def _label_boxes_clear(window) -> bool:
    """No edge label's box overlaps a node's box or another label's."""
    scene = window.scene
    boxes = [e.label_drawn()[0] for e in scene.edges.values()]
    boxes = [b for b in boxes if b is not None]
    nodes = [i.scene_rect() for i in scene.nodes.values()]
    assert boxes  # the labels are shown
    return not any(b.intersects(r) for b in boxes for r in nodes) and \
        not any(a.intersects(b) for k, a in enumerate(boxes) for b in boxes[k + 1:])


def test_edge_labels_find_their_spots_again_after_arrange_and_a_move(window):
    # each label was left at the spot it had before the boxes moved: under a box or on
    # another label
    import pathlib

    example = pathlib.Path(__file__).parents[2] / "examples" / "grosse_csc311.gs"
    window.open_file(str(example), ask=False)
    window.act_labels.trigger()  # the lecture's own positions leave no room for every label
    window.act_arrange.trigger()
    QApplication.processEvents()
    assert _label_boxes_clear(window)
    # a box dragged down, away from the others: when the drag ends, its labels move clear
    g = window.document.graph
    x = window.scene.nodes[g.by_name("x")]
    before = g.position(g.by_name("x"))
    start = view_point(window, x.mapToScene(x.rect.topLeft() + QPointF(30, 12)))
    drag(window, start, start + QPoint(0, 120))
    QApplication.processEvents()
    assert g.position(g.by_name("x"))[1] > before[1] and _label_boxes_clear(window)


def test_fit_to_view_and_scrolling_reach_a_node_far_beyond_the_default_area(window, qtbot):
    # the scene's area was fixed at 40,000 units square: the bottom of a 5,000-node network
    # laid out in columns (56,000 units tall) could neither be fitted in view nor scrolled to
    from graphstudio.ui.commands import MoveCommand
    from graphstudio.ui.scene import DEFAULT_AREA

    build(window, "b = a * 2")
    g, doc, scene = window.document.graph, window.document, window.scene
    b = g.by_name("b")
    doc.push(MoveCommand(doc, {b: (g.position(b), (300.0, 60000.0))}))
    qtbot.waitUntil(lambda: scene.nodes[b].scene_rect().top() > 50000)
    window.act_fit.trigger()
    seen = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert seen.contains(scene.nodes[b].scene_rect())
    assert seen.contains(scene.nodes[g.by_name("a")].scene_rect())
    window.canvas.set_zoom(1.0)
    window.canvas.centerOn(scene.nodes[b])  # scrolled down to it at full size
    seen = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert seen.contains(scene.nodes[b].scene_rect().center())
    doc.undo_stack.undo()  # b back near a: the area stays (it never jumps under the view) ...
    window.act_new.trigger()  # ... until another graph is shown
    assert window.scene.sceneRect() == DEFAULT_AREA


def test_turning_edge_labels_on_spreads_the_columns_apart_to_make_room_for_them(window, qtbot):
    # the lecture's own drawing leaves no room between its columns: the labels sat under the
    # boxes and on each other until Graph > Arrange, which threw the drawing away
    import pathlib

    example = pathlib.Path(__file__).parents[2] / "examples" / "grosse_csc311.gs"
    window.open_file(str(example), ask=False)
    g, stack = window.document.graph, window.document.undo_stack
    window.resize(900, 600)
    QApplication.processEvents()
    window.canvas.fit()  # the drawing fills the view
    assert window.canvas.graph_in_view()
    before = {g.label(n): g.position(n) for n in g.nodes()}
    qtbot.mouseClick(window.toolbar.widgetForAction(window.act_labels), Qt.LeftButton)
    QApplication.processEvents()
    assert window.act_labels.isChecked() and _label_boxes_clear(window)
    after = {g.label(n): g.position(n) for n in g.nodes()}
    assert all(after[n][1] == before[n][1] for n in after)  # every box at its height
    shift = {n: after[n][0] - before[n][0] for n in after}
    assert shift["a"] == shift["b"] == shift["c"] == 0.0  # the first column stays,
    assert 0.0 < shift["x"] == shift["y"] < shift["z"]  # the others move right, each as one
    assert window.canvas.graph_in_view()  # the whole graph was in sight, and stays so
    assert stack.undoText() == "Make Room for Edge Labels"
    assert "moved right" in window.statusBar().currentMessage()
    stack.undo()  # the drawing back as it was; the labels stay on
    assert {g.label(n): g.position(n) for n in g.nodes()} == before
    assert window.act_labels.isChecked()
    stack.redo()
    count = stack.count()
    window.act_labels.trigger()  # off and on again: the room is there, nothing moves
    window.act_labels.trigger()
    assert {g.label(n): g.position(n) for n in g.nodes()} == after and stack.count() == count
