"""Quiz mode on Grosse's graph: the gradients are hidden, typed answers are marked."""

from __future__ import annotations

from PySide6.QtCore import Qt

from graphstudio.ui.teaching.quiz import QuizPanel

from teaching_helpers import (canvas_click, click_row, lecture, main_window,  # noqa: F401
                              menu_action, open_lecture, requested, shown)


def answer(qtbot, panel, graph, name: str, text: str) -> None:
    edit = panel.edits[graph.by_name(name)]
    edit.setFocus()
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key_Return)


def test_a_right_and_a_wrong_gradient(qtbot):
    graph, ev = lecture("grosse_csc311")
    panel = shown(qtbot, QuizPanel(), graph, ev)
    pictures = requested(panel)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    assert panel.on
    hidden = pictures[-1]
    assert all(v.grad_text == "?" for v in hidden.nodes.values())
    assert all(v.value_text for v in hidden.nodes.values())  # the values stay

    b, a = graph.by_name("b"), graph.by_name("a")
    answer(qtbot, panel, graph, "b", "7*1 + 2*1")  # Grosse: dz/db = 9
    answer(qtbot, panel, graph, "a", "8")  # dz/da = dz/dx = y = 7
    assert panel.mark_text(b) == "✓ right"
    assert panel.mark_text(a) == "✗ wrong"
    assert panel.score.text() == "1 of 6 gradients right"
    picture = pictures[-1]
    assert picture.nodes[b].grad_text == "7*1 + 2*1 ✓"
    assert picture.nodes[a].grad_text == "8 ✗"
    assert "1 of 6 right" in picture.caption

    answer(qtbot, panel, graph, "c", "two")
    assert panel.mark_text(graph.by_name("c")).startswith("✗ not a number")

    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    assert not panel.on and pictures[-1] is None


def test_hiding_the_values(qtbot):
    graph, ev = lecture("grosse_csc311")
    panel = shown(qtbot, QuizPanel(), graph, ev)
    pictures = requested(panel)
    qtbot.mouseClick(panel.hide_value, Qt.LeftButton)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    # only the computed nodes are asked; x = a + b = 2, y = b + c = 7, z = x·y = 14
    assert sorted(graph.label(n) for n in panel.targets) == ["x", "y", "z"]
    assert pictures[-1].nodes[graph.by_name("a")].value_text == "-1"
    assert pictures[-1].nodes[graph.by_name("z")].value_text == "?"
    answer(qtbot, panel, graph, "x", "2")
    answer(qtbot, panel, graph, "z", "15")
    assert panel.mark_text(graph.by_name("x")) == "✓ right"
    assert panel.mark_text(graph.by_name("z")) == "✗ wrong"


def test_the_hint_is_the_ledger_without_the_answer(qtbot):
    graph, ev = lecture("grosse_csc311")
    panel = shown(qtbot, QuizPanel(), graph, ev)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    row = list(panel.targets).index(graph.by_name("b"))
    click_row(qtbot, panel.table, row, 0)
    qtbot.mouseClick(panel.hint_button, Qt.LeftButton)
    hint = panel.hint.text()
    assert hint.startswith("dz/db = dz/dx × ∂x/∂b + dz/dy × ∂y/∂b")
    assert "∂x/∂b = 1" in hint and "9" not in hint
    answer(qtbot, panel, graph, "x", "7")  # found dz/dx: the hint now uses the number
    click_row(qtbot, panel.table, row, 0)
    qtbot.mouseClick(panel.hint_button, Qt.LeftButton)
    assert panel.hint.text().startswith("dz/db = 7 × ∂x/∂b + dz/dy × ∂y/∂b")


def test_in_the_editor_the_quiz_hides_the_panels_that_give_answers_away(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "grosse_csc311")
    assert w.inspector_dock.isVisible()
    act = menu_action(w, "Graph", "Quiz")
    act.trigger()
    assert w.teaching.quiz.on and w.canvas.step_mode
    assert not w.inspector_dock.isVisible()
    z = w.document.graph.by_name("z")
    assert w.scene.nodes[z].view.grad_text == "?"
    act.trigger()
    assert not w.teaching.quiz.on and not w.canvas.step_mode
    assert w.inspector_dock.isVisible()
    assert w.scene.nodes[z].view.grad_text == "1"


def test_in_the_editor_clicking_a_node_then_typing_answers_it(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "grosse_csc311")
    menu_action(w, "Graph", "Quiz").trigger()
    quiz = w.teaching.quiz
    graph = w.document.graph
    y = graph.by_name("y")
    canvas_click(qtbot, w, y)
    edit = quiz.edits[y]
    assert edit.hasFocus()
    qtbot.keyClicks(edit, "2")  # Grosse: dz/dy = x = 2
    qtbot.keyClick(edit, Qt.Key_Return)
    assert quiz.mark_text(y) == "✓ right"
    assert w.scene.nodes[y].view.grad_text == "2 ✓"


def test_hidden_numbers_of_an_array_are_not_drawn_in_its_cells(qtbot):
    """An array is drawn as cells from its numbers: hiding the gradient (or the value) hides
    the cells too, the shape badge stays."""
    graph, ev = lecture("cmu11785_relu_max")
    panel = shown(qtbot, QuizPanel(), graph, ev)
    pictures = requested(panel)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    W = pictures[-1].nodes[graph.by_name("W")]
    assert W.grad_text == "?" and W.grad_grid is None and W.value_grid is not None
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.mouseClick(panel.hide_value, Qt.LeftButton)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    z = pictures[-1].nodes[graph.by_name("z")]
    assert z.value_text == "?" and z.value_grid is None and z.grad_grid is None
    assert z.badge == "3"
