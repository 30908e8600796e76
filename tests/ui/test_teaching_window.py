"""The teaching views inside the editor: menus, docks, who owns the canvas picture, and every
lecture example stepped through to the end."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from graphstudio.core.engine import evaluate
from graphstudio.core.groups import hidden_members
from graphstudio.examples import example_files
from graphstudio.io.gs import parse_file
from graphstudio.ui.teaching.player import StepPlayer

from teaching_helpers import main_window, menu_action, open_lecture, shown  # noqa: F401


def test_menus_and_panels(main_window):
    w = main_window
    for text in ("Step Through", "Check Gradients", "Sum over Paths", "Symbolic Gradients",
                 "Forward Mode", "Quiz"):
        menu_action(w, "Graph", text)
    assert menu_action(w, "View", "Forward Mode") is menu_action(w, "Graph", "Forward Mode")
    assert set(w.teaching.docks) == {"Steps", "Ledger", "Paths", "Formulas", "Check", "Quiz"}
    panels_menu = [a.text() for a in w.menuBar().actions()]
    assert "&Graph" in panels_menu
    menu_action(w, "Graph", "Sum over Paths").trigger()
    assert w.teaching.docks["Paths"].isVisible()


def test_stopping_a_step_through_returns_to_the_quiz(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "grosse_csc311")
    z = w.document.graph.by_name("z")
    menu_action(w, "Graph", "Quiz").trigger()
    assert w.scene.nodes[z].view.grad_text == "?"
    menu_action(w, "Graph", "Step Through").trigger()
    assert w.scene.picture is w.teaching.player.pictures[0]
    qtbot.mouseClick(w.teaching.player.stop_button, Qt.LeftButton)
    assert w.canvas.step_mode and w.scene.nodes[z].view.grad_text == "?"  # the quiz again
    menu_action(w, "Graph", "Quiz").trigger()
    assert not w.canvas.step_mode and w.scene.nodes[z].view.grad_text == "1"


def test_opening_another_file_leaves_step_mode_and_explains_the_new_graph(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "bristol_lecture2")
    menu_action(w, "Graph", "Step Through").trigger()
    assert w.canvas.step_mode
    open_lecture(qtbot, w, "grosse_csc311")
    assert not w.canvas.step_mode and not w.teaching.player.active
    w.teaching.raise_panel("Ledger")
    combo = w.teaching.ledger.node_combo
    assert sorted(combo.itemText(i) for i in range(combo.count())) == ["a", "b", "c", "x", "y", "z"]


def test_keyboard_steps_in_the_player(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "grosse_csc311")
    player = w.teaching.player
    menu_action(w, "Graph", "Step Through").trigger()
    player.table.setFocus()
    qtbot.keyClick(player.table, Qt.Key_End)
    assert player.index == len(player.pictures) - 1
    qtbot.keyClick(player.table, Qt.Key_Left)
    assert player.index == len(player.pictures) - 2
    qtbot.keyClick(player.table, Qt.Key_Escape)
    assert not player.active and not w.canvas.step_mode


@pytest.mark.parametrize("path", [p for p in example_files() if p.suffix == ".gs"],
                         ids=lambda p: p.stem)
def test_every_example_steps_to_the_engines_gradients(qtbot, path):
    graph = parse_file(path)
    ev = evaluate(graph)
    player = shown(qtbot, StepPlayer(), graph, ev)
    qtbot.mouseClick(player.last_button, Qt.LeftButton)
    table = player.table_rows()
    hidden = hidden_members(graph)  # a collapsed group (a .gs def's call) is one step, its gate
    assert len(table) == len(graph) - len(hidden)  # one row per node shown
    rows = {r[0]: r for r in table}
    # the backward pass steps through the nodes that reach the output; a grad(z, v) example's
    # gradient nodes, beside its output z, do not (the engine gives them 0)
    reach = graph.ancestors(ev.output) | {ev.output}
    for n in graph.nodes():
        label, grad = graph.label(n), ev.grads.get(n)
        if graph.op(n) == "const" or grad is None or n in hidden or n not in reach:
            continue
        shown_grad = rows[label][2]
        assert shown_grad, f"{label} has no gradient in the table"
        if isinstance(grad, float):
            assert float(shown_grad) == pytest.approx(grad, rel=1e-3, abs=1e-9)


def test_moving_a_node_leaves_step_mode_cleanly(qtbot, main_window):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    w = main_window
    open_lecture(qtbot, w, "grosse_csc311")
    menu_action(w, "Graph", "Step Through").trigger()
    player = w.teaching.player
    qtbot.mouseClick(player.next_button, Qt.LeftButton)
    assert w.canvas.step_mode and player.active
    z = w.document.graph.by_name("z")
    before = w.document.graph.position(z)
    item = w.scene.nodes[z]
    start = w.canvas.mapFromScene(item.sceneBoundingRect().center())
    end = start + QPoint(0, 90)
    vp = w.canvas.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for k in range(1, 7):
        QTest.mouseMove(vp, start + (end - start) * (k / 6))
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, end)
    assert w.document.graph.position(z) != before  # the node moved (an undoable edit)
    assert not w.canvas.step_mode
    assert not player.active and player.table_rows() == []
    assert "step" not in w.statusBar().currentMessage().lower()


def test_f5_steps_through(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "grosse_csc311")
    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, Qt.Key_F5)
    assert w.teaching.player.active and w.canvas.step_mode
