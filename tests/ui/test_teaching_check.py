"""Gradient check: relu at 0 is a mismatch named a kink; smooth graphs agree."""

from __future__ import annotations

from PySide6.QtCore import Qt

from graphstudio.ui.teaching.check import CheckPanel
from graphstudio.ui.teaching.common import BAD

from teaching_helpers import (graph_of, lecture, main_window, menu_action, requested,  # noqa: F401
                              shown)

RELU_AT_0 = "x = 0\nh = relu(x)\ny = 3 * h"


def test_relu_at_zero_is_a_mismatch_named_kink(qtbot):
    graph, ev = graph_of(RELU_AT_0)
    panel = shown(qtbot, CheckPanel(), graph, ev)
    pictures = requested(panel)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    [row] = panel.table_rows()
    name, backprop, numeric, rel_error, verdict, note = row
    # backprop takes relu'(0) = 0; the central difference (3·h − 0) / 2h = 1.5
    assert (name, backprop, numeric, verdict) == ("x", "0", "1.5", "✗ kink")
    assert float(rel_error) > 0.5
    assert note.startswith("kink: h = relu(x) at 0")
    assert panel.table.item(0, 4).foreground().color() == BAD
    assert "1 mismatch (x)" in panel.summary.text()
    x, h = graph.by_name("x"), graph.by_name("h")
    marked = pictures[-1]
    assert marked.nodes[x].error and "kink" in marked.nodes[x].error
    assert marked.nodes[h].warning  # the kink itself
    assert marked.nodes[graph.by_name("y")].error is None


def test_a_smooth_graph_agrees(qtbot):
    graph, ev = lecture("grosse_csc311")
    panel = shown(qtbot, CheckPanel(), graph, ev)
    pictures = requested(panel)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    rows = panel.table_rows()
    assert [r[0] for r in rows] == ["a", "b", "c"]
    assert [r[1] for r in rows] == ["7", "9", "2"]
    assert all(r[4] == "✓ ok" for r in rows)
    assert "all 3 gradients of z agree" in panel.summary.text()
    assert pictures == []  # nothing to mark on the canvas


def test_one_gradient_is_one_gradient(qtbot):
    graph, ev = lecture("d2l_nonscalar_backward")  # y = x * x, x = [0, 1, 2, 3]
    panel = shown(qtbot, CheckPanel(), graph, ev)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    assert [r[:2] for r in panel.table_rows()] == [["x", "[0 2 4 6]"]]
    assert panel.summary.text() == ("✓ the gradient of y by x agrees with the central "
                                     "difference")


def test_the_check_follows_an_edit(qtbot):
    graph, ev = graph_of(RELU_AT_0)
    panel = shown(qtbot, CheckPanel(), graph, ev)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    graph.set_value(graph.by_name("x"), 1.0)  # away from the kink: relu' = 1, dy/dx = 3
    from graphstudio.core.engine import evaluate

    panel.set_context(graph, evaluate(graph))
    qtbot.waitUntil(lambda: panel.table_rows()[0][4] == "✓ ok", timeout=20000)
    assert panel.table_rows()[0][1] == "3"


def test_in_the_editor_check_gradients_marks_the_mismatch_on_the_canvas(qtbot, main_window,
                                                                       tmp_path):
    w = main_window
    path = tmp_path / "kink.gs"
    path.write_text(RELU_AT_0 + "\n")
    assert w.open_file(path, ask=False)
    menu_action(w, "Graph", "Check Gradients").trigger()
    assert w.teaching.docks["Check"].isVisible()
    x = w.document.graph.by_name("x")
    assert w.canvas.step_mode
    assert "kink" in w.scene.nodes[x].view.error
    assert "mismatch at x" in w.statusBar().currentMessage()
