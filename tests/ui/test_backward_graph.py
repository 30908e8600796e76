"""Graph > Show Backward Graph: the gradients as nodes beside the forward graph, or in a new
document, as one undoable step; the new nodes compute the backward pass's numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def choose(window, qtbot, text: str) -> None:
    """Open the Graph menu and click the entry ``text``, as a person does."""
    menu = window.menu("Graph")
    action = next(a for a in menu.actions() if a.text() == text)
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    QTest.mouseClick(menu, Qt.LeftButton, Qt.NoModifier, menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=3000)


def boxes(window, nodes):
    items = [window.scene.nodes[n] for n in nodes]
    return [i.mapRectToScene(i.rect) for i in items]  # the boxes, not their port dots


def test_the_backward_graph_of_grosse_stands_beside_it_and_undoes_in_one_step(window, qtbot):
    assert window.open_file(EXAMPLES / "grosse_csc311.gs", ask=False)
    g = window.document.graph
    forward = set(g.nodes())
    grads = {name: window.document.evaluation.grads[g.by_name(name)] for name in "abc"}
    choose(window, qtbot, "Show &Backward Graph")
    new = [n for n in g.nodes() if n not in forward]
    assert new
    ev = window.document.evaluation
    # the slide's numbers, now computed by nodes: dz/da = 7, dz/db = 9, dz/dc = 2
    assert {name: ev.values[g.by_name(f"dz_d{name}")] for name in "abc"} == grads == {
        "a": 7.0, "b": 9.0, "c": 2.0}
    assert g.name(g.default_output()) == "z"  # still the output
    right = max(r.right() for r in boxes(window, forward))
    assert all(r.left() > right for r in boxes(window, new)), "to the right of the forward graph"
    shown = boxes(window, new)
    assert not any(a.intersects(b) for i, a in enumerate(shown) for b in shown[i + 1:])
    QTest.keyClick(window.canvas, Qt.Key_Z, Qt.ControlModifier)  # one step undoes it all
    assert set(g.nodes()) == forward
    QTest.keyClick(window.canvas, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.document.evaluation.values[g.by_name("dz_db")] == 9.0


def test_a_second_time_says_it_is_already_there(window, qtbot):
    assert window.open_file(EXAMPLES / "grosse_csc311.gs", ask=False)
    choose(window, qtbot, "Show &Backward Graph")
    count = len(window.document.graph.nodes())
    choose(window, qtbot, "Show &Backward Graph")
    assert len(window.document.graph.nodes()) == count
    assert "already there" in window.statusBar().currentMessage()


def test_in_a_new_document_the_forward_and_backward_graph_are_laid_out_together(window, qtbot):
    assert window.open_file(EXAMPLES / "seoul_mlp_l2.gs", ask=False)
    old = window.document
    grad_w = old.evaluation.grads[old.graph.by_name("W")]
    choose(window, qtbot, "Show Backward Graph in a &New Document")
    doc = window.document
    assert doc.path is None  # untitled
    g = doc.graph
    assert g.name(g.default_output()) == "J"
    # Seoul's grad_W J = grad_a J x^T + 2 lambda W, as a node
    assert doc.evaluation.values[g.by_name("dJ_dW")] == pytest.approx(grad_w, abs=1e-12)
    shown = boxes(window, g.nodes())
    assert not any(a.intersects(b) for i, a in enumerate(shown) for b in shown[i + 1:])


def test_a_graph_with_nothing_to_differentiate_says_why(window, qtbot):
    edit = window.expression_bar.edit
    edit.setFocus()
    QTest.keyClicks(edit, "x = 2")
    QTest.keyClick(edit, Qt.Key_Return)
    count = len(window.document.graph.nodes())
    choose(window, qtbot, "Show &Backward Graph")
    assert len(window.document.graph.nodes()) == count
    assert window.statusBar().currentMessage()


def test_grad_typed_in_the_expression_bar_is_saved_as_the_call(window, qtbot, tmp_path):
    edit = window.expression_bar.edit
    edit.setFocus()
    for line in ("x = 0.5", "y = tanh(x)"):  # Shift+Enter: another line
        QTest.keyClicks(edit, line)
        QTest.keyClick(edit, Qt.Key_Return, Qt.ShiftModifier)
    QTest.keyClicks(edit, "d2y = grad(grad(y, x), x)")
    QTest.keyClick(edit, Qt.Key_Return)
    g = window.document.graph
    assert window.document.evaluation.values[g.by_name("d2y")] == pytest.approx(-0.72686198, abs=1e-8)
    from graphstudio.io.gs import write_text

    assert "d2y = grad(grad(y, x), x)" in write_text(g)
    QTest.keyClick(window.canvas, Qt.Key_Z, Qt.ControlModifier)  # undone with its nodes
    assert "grad" not in write_text(g) and "d2y" not in g.names()


def test_the_output_stays_the_output_when_it_feeds_its_own_gradient(window, qtbot):
    # the sigmoid gate's local derivative is (1 - f) f: the output f feeds the backward graph
    assert window.open_file(EXAMPLES / "cs231n_sigmoid_gate.gs", ask=False)
    g = window.document.graph
    choose(window, qtbot, "Show &Backward Graph")
    assert g.name(g.default_output()) == "f"
    ev = window.document.evaluation
    assert ev.values[g.by_name("df_dx0")] == pytest.approx(0.39322386648)  # CS231n: 0.39
    assert ev.grads[g.by_name("x0")] == pytest.approx(0.39322386648)
    # its inner values are the backward graph's: the gate is opened, in the same step
    assert g.groups() == {} and "opened the group sigmoid_gate" in window.statusBar().currentMessage()
    QTest.keyClick(window.canvas, Qt.Key_Z, Qt.ControlModifier)
    assert [grp.name for grp in g.groups().values()] == ["sigmoid_gate"]
