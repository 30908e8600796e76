"""One gradient-descent iteration in the Steps panel: after the forward and the backward pass,
the update θ ← θ − τ·g of each parameter, with exactly old − τ·g as the new value; only shown
until Keep the Update, which is one undoable step."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from graphstudio.core.engine import evaluate
from graphstudio.core.numbers import format_worked
from graphstudio.ui.teaching.player import StepPlayer

from teaching_helpers import (lecture, main_window, menu_action, open_lecture,  # noqa: F401
                              requested, shown)


def last_step(qtbot, player):
    qtbot.mouseClick(player.last_button, Qt.LeftButton)


def test_the_update_steps_show_old_minus_tau_g(qtbot):
    graph, ev = lecture("seoul_mlp_l2")
    player = shown(qtbot, StepPlayer(), graph, ev)
    pictures = requested(player)
    assert player.update_box.isEnabled()
    qtbot.mouseClick(player.update_box, Qt.LeftButton)
    player.update_lr.selectAll()
    qtbot.keyClicks(player.update_lr, "0.25")
    player.update_lr.interpretText()
    last_step(qtbot, player)
    W, v = graph.by_name("W"), graph.by_name("v")
    # the Seoul slide's gradients, by hand: g = 2(ŷ - y), ∇v = g h + 2λv, ∇W = (g v ⊙ σ') xᵀ + 2λW
    x, y, lam = np.array([1.0, -1.0]), 0.5, 0.01
    Wv, vv = graph.value(W), graph.value(v)
    h = 1 / (1 + np.exp(-(Wv @ x)))
    g = 2 * (vv @ h - y)
    grad_v = g * h + 2 * lam * vv
    grad_W = np.outer(g * vv * h * (1 - h), x) + 2 * lam * Wv
    np.testing.assert_allclose(ev.grads[v], grad_v, rtol=1e-12)
    np.testing.assert_allclose(ev.grads[W], grad_W, rtol=1e-12)

    final = pictures[-1]
    assert final.meta["phase"] == "update" and final.meta["step"] == final.meta["of"] == 2
    new = final.meta["new"]
    assert np.array_equal(new[W], Wv - 0.25 * ev.grads[W])  # exactly θ − τ·g
    assert np.array_equal(new[v], vv - 0.25 * ev.grads[v])
    assert np.array_equal(final.nodes[v].value, new[v]) and final.nodes[v].highlight == "current"
    assert "θ ← θ − τ·g with τ = 0.25" in player.caption.text()
    rows = {r[0]: r for r in player.table_rows()}
    assert rows["v ←"][1] == format_worked(new[v])
    assert rows["v ←"][2] == f"τ·g = {format_worked(0.25 * ev.grads[v])}"
    assert rows["W ←"][3] == f"was {format_worked(Wv)}"
    # one step back: W updated, v not yet (its old value on its box)
    qtbot.mouseClick(player.back_button, Qt.LeftButton)
    assert np.array_equal(pictures[-1].nodes[v].value, vv)
    assert np.array_equal(pictures[-1].nodes[W].value, new[W])
    assert not player.keep_button.isEnabled()  # only at the last step


def test_a_number_parameter_shows_the_subtraction(qtbot):
    from graphstudio.io.gs import parse_text

    graph = parse_text("w = param(3)\nL = (w - 1) ** 2")
    player = shown(qtbot, StepPlayer(), graph, evaluate(graph))
    qtbot.mouseClick(player.update_box, Qt.LeftButton)  # τ = 0.1, the training default
    last_step(qtbot, player)
    # L = (w - 1)², dL/dw = 2(w - 1) = 4: w ← 3 − 0.1 × 4 = 2.6
    assert "w = 3 − 0.1 × 4 = 2.6" in player.caption.text()
    assert player.table_rows()[-1][1:] == ["2.6", "τ·g = 0.4", "3 − 0.4 = 2.6"]


def test_without_parameters_there_is_no_update(qtbot):
    graph, ev = lecture("bristol_lecture2")
    player = shown(qtbot, StepPlayer(), graph, ev)
    assert not player.update_box.isEnabled()


def test_keep_the_update_is_one_undoable_step(qtbot, main_window):
    open_lecture(qtbot, main_window, "seoul_mlp_l2")
    menu_action(main_window, "Graph", "Step Through").trigger()
    player = main_window.teaching.player
    qtbot.waitExposed(player)
    doc = main_window.document
    g = doc.graph
    v = g.by_name("v")
    before = np.array(g.value(v))
    grad = np.array(doc.evaluation.grads[v])
    qtbot.mouseClick(player.update_box, Qt.LeftButton)
    last_step(qtbot, player)
    assert np.array_equal(g.value(v), before)  # stepping changes nothing in the document
    assert main_window.canvas.step_mode
    qtbot.mouseClick(player.keep_button, Qt.LeftButton)
    assert np.array_equal(g.value(v), before - 0.1 * grad)
    assert doc.undo_stack.undoText().startswith("Gradient-descent update")
    doc.undo_stack.undo()
    assert np.array_equal(g.value(v), before)


def _type_number(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key_Return)


def test_the_update_uses_the_training_panel_s_learning_rate(qtbot, main_window):
    """One τ: a rate typed in the Training panel is the Steps panel's, and back, so the update
    shown is the one a training step with those settings makes."""
    open_lecture(qtbot, main_window, "seoul_mlp_l2")
    menu_action(main_window, "Graph", "Train…").trigger()
    train_lr = main_window.training.panel.lr
    step_lr = main_window.teaching.player.update_lr
    qtbot.waitExposed(train_lr)
    _type_number(qtbot, train_lr, "0.05")
    assert step_lr.value() == 0.05
    menu_action(main_window, "Graph", "Step Through").trigger()
    player = main_window.teaching.player
    qtbot.waitExposed(player)
    _type_number(qtbot, step_lr, "0.2")
    assert train_lr.value() == 0.2
    doc = main_window.document
    v = doc.graph.by_name("v")
    before, grad = np.array(doc.graph.value(v)), np.array(doc.evaluation.grads[v])
    qtbot.mouseClick(player.update_box, Qt.LeftButton)
    last_step(qtbot, player)
    qtbot.mouseClick(player.keep_button, Qt.LeftButton)
    assert np.array_equal(doc.graph.value(v), before - 0.2 * grad)
