"""Honest numbers and nothing stale: no gradient where the output has none, the output stays
the one the user had, new nodes in free space, and messages that follow the document."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from ui_helpers import drag, output_of, port_of

ROOT = Path(__file__).resolve().parents[2]
GROSSE = ROOT / "examples" / "grosse_csc311.gs"


def type_expression(window, text: str) -> None:
    edit = window.expression_bar.edit
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key_Return)


def click_palette(window, op: str) -> int:
    before = set(window.document.graph.nodes())
    item = window.palette.item_for(op)
    rect = window.palette.visualItemRect(item)
    QTest.mouseClick(window.palette.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    (new,) = set(window.document.graph.nodes()) - before
    return new


def grads_shown(window) -> dict[str, str]:
    g = window.document.graph
    return {g.label(n): i.view.grad_text for n, i in window.scene.nodes.items() if g.name(n)}


def boxes_overlap(window) -> bool:
    rects = [i.scene_rect() for i in window.scene.nodes.values()]
    return any(a.intersects(b) for k, a in enumerate(rects) for b in rects[k + 1:])


def test_no_gradient_is_shown_when_the_output_has_no_value(window, qtbot):
    assert window.open_file(GROSSE)
    g = window.document.graph
    z, y = g.by_name("z"), g.by_name("y")
    assert grads_shown(window)["a"] == "7"
    # delete the edge y -> z: select it and press Delete
    edge = window.scene.edges[(y, z, 1)]
    window.scene.clearSelection()
    edge.setSelected(True)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key_Delete)
    assert window.scene.nodes[z].view.value is None and "z = —" in window.eval_label.text()
    shown = grads_shown(window)
    assert set(shown.values()) == {"—"}, shown  # never ∇ 0
    tip = window.scene.nodes[g.by_name("a")].toolTip()
    assert "no gradient: the output z has no value because argument 2 of z" in tip
    window.scene.select([g.by_name("b")])
    assert window.inspector.grad_view.toPlainText().startswith("—\nno gradient: the output z")
    window.document.undo_stack.undo()
    assert grads_shown(window)["a"] == "7"


def test_new_sinks_do_not_take_the_output_over(window, qtbot):
    assert window.open_file(GROSSE)
    g = window.document.graph
    z = g.by_name("z")
    before = grads_shown(window)
    # a side expression
    type_expression(window, "q = 5 * 2")
    assert g.label(window.document.evaluation.output) == "z"
    assert {k: v for k, v in grads_shown(window).items() if k in before} == before
    message = window.statusBar().currentMessage()
    assert "z stays the output" in message and "q" in message and "Set as Output" in message
    # an input from the palette
    click_palette(window, "input")
    assert g.label(window.document.evaluation.output) == "z"
    # a pasted node
    window.scene.select([g.by_name("a")])
    window.canvas.setFocus()
    QTest.keySequence(window, QKeySequence.StandardKey.Copy)
    QTest.keySequence(window, QKeySequence.StandardKey.Paste)
    assert "a_2" in g.names() and g.label(window.document.evaluation.output) == "z"
    assert grads_shown(window)["a"] == "7" and grads_shown(window)["b"] == "9"
    # undo puts back the default output the file had
    stack = window.document.undo_stack
    while stack.canUndo():
        stack.undo()
    assert g.output is None and window.document.evaluation.output == z


def test_a_new_end_of_the_computation_takes_over(window):
    assert window.open_file(GROSSE)
    type_expression(window, "w = z * 2")
    g = window.document.graph
    assert g.label(window.document.evaluation.output) == "w"
    assert grads_shown(window)["a"] == "14"
    # the user's choice stays until the user changes it
    window.scene.select([g.by_name("z")])
    window.act_output.trigger()
    type_expression(window, "v = w + 1")
    assert g.label(window.document.evaluation.output) == "z"


def test_new_and_pasted_nodes_land_in_free_space_near_the_cursor(window, qtbot):
    canvas = window.canvas
    vp = canvas.viewport()
    QTest.mouseMove(vp, QPoint(300, 200))
    first = click_palette(window, "input")
    second = click_palette(window, "input")
    g = window.document.graph
    assert not boxes_overlap(window)
    near = canvas.mapToScene(QPoint(300, 200))
    for n in (first, second):
        x, y = g.position(n)
        assert abs(x - near.x()) < 200 and abs(y - near.y()) < 200  # near the cursor
    window.scene.select([first, second])
    QTest.keySequence(window, QKeySequence.StandardKey.Copy)
    for _ in range(3):
        QTest.keySequence(window, QKeySequence.StandardKey.Paste)
    QTest.keySequence(window, QKeySequence("Ctrl+D"))
    assert len(g) == 10 and not boxes_overlap(window)


def test_a_fixed_problem_leaves_the_status_bar(window, qtbot):
    add = click_palette(window, "add")
    assert "argument 1 of" in window.statusBar().currentMessage()
    a = click_palette(window, "input")
    b = click_palette(window, "input")
    window.canvas.setFocus()
    drag(window, output_of(window, a), port_of(window, add, 0))
    assert "argument 2 of" in window.statusBar().currentMessage()
    drag(window, output_of(window, b), port_of(window, add, 1))
    assert "not connected" not in window.statusBar().currentMessage()
    assert window.document.evaluation.values[add] == 2.0


def test_the_expression_bars_error_goes_with_its_document(window):
    type_expression(window, "z = (a +")
    status = window.expression_bar.status
    assert status.isVisible() and "line 1" in status.text()
    window.act_new.trigger()
    assert not status.isVisible() and status.text() == ""
    type_expression(window, "z = (a +")
    assert status.isVisible()
    QTest.keyClicks(window.expression_bar.edit, " b)")  # the text the error was about changed
    assert not status.isVisible()


def test_the_training_panel_forgets_the_last_documents_run(window, qtbot):
    assert window.open_file(ROOT / "examples" / "siegen_fit_curve.gs")
    panel = window.training.panel
    window.training.act_train.trigger()
    panel.steps.selectAll()
    QTest.keyClicks(panel.steps, "20")
    panel.steps.interpretText()
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=60000)
    qtbot.mouseClick(panel.revert_button, Qt.LeftButton)
    assert len(panel.chart.points) == 20 and "Done" in panel.status.text()
    assert window.open_file(GROSSE)
    assert panel.chart.points == [] and panel.status.text().strip() == ""
    assert panel.progress_bar.value() == 0


def test_a_node_with_no_path_to_the_output_shows_no_gradient(window, qtbot):
    # Seoul's backward graph: grad(z, v) adds nodes computing dz/dv beside z; none of them
    # feeds z, so "∇ 0" on each said nothing and hid the point (dz_dv equals ∇v)
    assert window.open_file(ROOT / "examples" / "seoul_backward_graph.gs")
    g = window.document.graph
    shown = grads_shown(window)
    assert shown["dz_dv"] == "" and shown["z"] == "1"
    assert shown["v"] == window.scene.nodes[g.by_name("dz_dv")].view.value_text == "0.4744"
    unnamed = [i.view.grad_text for n, i in window.scene.nodes.items()
               if not g.name(n) and not g.is_leaf(n)]
    assert unnamed and all(t == "" for t in unnamed)
    # dz_dv made the output: its nodes get gradients (v's is d²z/dv², with z = sin(w) w²
    # and w = tanh(v): 1.0775 at v = 0.5, by sympy), z none
    window.scene.select([g.by_name("dz_dv")])
    window.act_output.trigger()
    shown = grads_shown(window)
    assert shown["z"] == "" and shown["dz_dv"] == "1" and shown["v"] == "1.078"
    window.document.undo_stack.undo()  # back: z the output again
    assert grads_shown(window)["dz_dv"] == "" and grads_shown(window)["z"] == "1"
