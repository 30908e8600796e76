"""The chain-rule ledger (Grosse, CSC 311: dz/db = 7 × 1 + 2 × 1 = 9), its Jacobians for
arrays, and forward mode beside reverse mode."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from graphstudio.ui.teaching.ledger import LedgerPanel

from teaching_helpers import (canvas_click, lecture, main_window, menu_action,  # noqa: F401
                              open_lecture, requested, shown, type_expression)


def test_grosse_b_is_seven_times_one_plus_two_times_one(qtbot):
    graph, ev = lecture("grosse_csc311")
    panel = shown(qtbot, LedgerPanel(), graph, ev)
    panel.set_selected(graph.by_name("b"))
    assert panel.table_rows() == [["x", "∂x/∂b = 1", "7", "1", "7"],
                                  ["y", "∂y/∂b = 1", "2", "1", "2"]]
    assert panel.summary.text() == "dz/db = 7 × 1 + 2 × 1 = 9"
    assert "✓" in panel.agreement.text() and "9" in panel.agreement.text()
    # Grosse's dz/db as a formula: z = (a + b)(b + c) gives a + 2b + c = -1 + 6 + 4 = 9
    qtbot.waitUntil(panel.symbolic_line.isVisible)  # sympy works in the background
    assert panel.symbolic_line.text() == "symbolic: dz/db = a + 2·b + c = 9"


def test_the_output_and_a_product_node(qtbot):
    graph, ev = lecture("grosse_csc311")
    panel = shown(qtbot, LedgerPanel(), graph, ev)
    panel.set_selected(graph.by_name("x"))
    assert panel.table_rows() == [["z", "∂z/∂x = y", "1", "7", "7"]]
    assert panel.summary.text() == "dz/dx = 1 × 7 = 7"
    panel.set_selected(graph.by_name("z"))
    assert panel.table_rows() == []
    assert panel.summary.text() == "dz/dz = 1 (the output)"


def test_choosing_the_node_in_the_panel(qtbot):
    graph, ev = lecture("bristol_lecture2")
    panel = shown(qtbot, LedgerPanel(), graph, ev)
    combo = panel.node_combo
    combo.setFocus()
    # type-ahead in the combo box, as with the keyboard
    qtbot.keyClicks(combo, "f")
    assert combo.currentText() == "f"
    # Bristol: da/df = da/de · ∂e/∂f + da/dd · ∂d/∂f = 25 · g + 10 · 1 = 60
    assert panel.summary.text() == "da/df = 25 × 2 + 10 × 1 = 60"


def test_an_array_node_shows_its_jacobian_and_the_vector_jacobian_product(qtbot):
    graph, ev = lecture("cmu11785_relu_max")
    panel = shown(qtbot, LedgerPanel(), graph, ev)
    panel.set_selected(graph.by_name("W"))
    # y = max(relu(W x)) with W x = [0, -3, 2.5]: only the third unit passes, so
    # dy/dW = outer([0, 0, 1], x) = [[0, 0], [0, 0], [1, 2]]
    expected = np.outer([0.0, 0.0, 1.0], [1.0, 2.0])
    assert np.allclose(panel.led.total, expected)
    assert panel.details.isVisible()
    text = panel.details.toPlainText()
    assert "Jacobian" in text and "(3×6" in text
    # the Jacobian of W x by W: row i holds x in the columns of W's row i
    jac = np.zeros((3, 6))
    for i in range(3):
        jac[i, 2 * i:2 * i + 2] = [1.0, 2.0]
    assert np.allclose(panel.led.terms[0].local, jac)
    assert panel.table_rows()[0][3] == "J: 3×6"
    # the gradient backprop stored, on lines of its own below the sentence, rows aligned
    assert panel.agreement.text() == "✓ backprop stored dy/dW =\n[[0 0]\n [0 0]\n [1 2]]"


def test_constants_are_not_offered_they_get_no_gradient(qtbot):
    graph, ev = lecture("bristol_lecture2")
    panel = shown(qtbot, LedgerPanel(), graph, ev)
    const = next(n for n in graph.nodes() if graph.op(n) == "const")
    panel.set_selected(const)  # constants are not offered: the panel keeps its last node
    assert panel.node_combo.findData(const) == -1


def test_forward_mode_shows_d_node_d_input_on_every_node(qtbot, tmp_path):
    graph, ev = lecture("grosse_csc311")
    panel = shown(qtbot, LedgerPanel(), graph, ev)
    pictures = requested(panel)
    panel.forward_input.choose(graph.by_name("b"))
    qtbot.mouseClick(panel.forward_toggle, Qt.LeftButton)
    assert panel.forward_toggle.isChecked()
    picture = pictures[-1]
    shown_text = {graph.label(n): v.grad_prefix + v.grad_text for n, v in picture.nodes.items()}
    # d·/db by hand: a, c do not depend on b; x = a + b and y = b + c move one for one;
    # z = x·y moves by y·1 + x·1 = 7 + 2 = 9
    assert shown_text == {"a": "d/db = 0", "b": "d/db = 1", "c": "d/db = 0", "x": "d/db = 1",
                          "y": "d/db = 1", "z": "d/db = 9"}
    assert picture.caption.startswith("Forward mode")
    # drawn as "d/db = 9", not as a gradient "∇ d/db = 9"
    from export_support import svg_texts
    from graphstudio.render.export import export_picture
    texts = svg_texts(export_picture(picture, tmp_path / "forward.svg"))
    assert "d/db = 9" in texts and not any("∇" in t for t in texts)
    assert "dz/db = 9, reverse dz/db = 9" in panel.forward_check.text()
    panel.set_selected(graph.by_name("x"))
    assert panel.forward_node.text() == "forward mode: dx/db = 1\nreverse mode: dz/dx = 7"
    qtbot.mouseClick(panel.forward_toggle, Qt.LeftButton)
    assert pictures[-1] is None


def test_in_the_editor_clicking_a_node_explains_it(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "grosse_csc311")
    w.teaching.raise_panel("Ledger")
    b = w.document.graph.by_name("b")
    canvas_click(qtbot, w, b)
    assert w.selected_nodes() == [b]
    assert w.teaching.ledger.summary.text() == "dz/db = 7 × 1 + 2 × 1 = 9"


def test_nodes_made_while_the_ledger_is_hidden_are_offered_when_it_is_shown(qtbot, main_window):
    # a hidden ledger fills its node menu when it is shown, not at every evaluation
    w = main_window
    open_lecture(qtbot, w, "grosse_csc311")
    dock = w.teaching.docks["Ledger"]
    dock.hide()
    type_expression(qtbot, w, "q = z * 2")
    q = w.document.graph.by_name("q")
    canvas_click(qtbot, w, q)
    assert not w.teaching.ledger.isVisible()
    w.teaching.raise_panel("Ledger")
    ledger = w.teaching.ledger
    offered = [ledger.node_combo.itemText(i) for i in range(ledger.node_combo.count())]
    assert "q" in offered and ledger.node_combo.currentText() == "q"
    assert ledger.selected == q


def test_in_the_editor_forward_mode_stays_on_across_an_edit(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "grosse_csc311")
    graph = w.document.graph
    canvas_click(qtbot, w, graph.by_name("b"))
    act = menu_action(w, "Graph", "Forward Mode")
    act.trigger()
    assert act.isChecked() and w.canvas.step_mode
    z = w.scene.nodes[graph.by_name("z")].view
    assert z.grad_prefix + z.grad_text == "d/db = 9"
    type_expression(qtbot, w, "q = z * 2")
    q = graph.by_name("q")
    qtbot.waitUntil(lambda: w.canvas.step_mode)
    # back in forward mode, with the new node: dq/db = 2 · dz/db = 18
    assert w.scene.nodes[q].view.grad_prefix + w.scene.nodes[q].view.grad_text == "d/db = 18"
    act.trigger()
    assert not w.canvas.step_mode and not w.teaching.ledger.forward_toggle.isChecked()


def test_a_stopped_gradient_says_why_in_the_ledger(qtbot):
    graph, ev = lecture("d2l_detach")
    panel = shown(qtbot, LedgerPanel(), graph, ev)
    panel.set_selected(graph.by_name("y"))
    assert panel.table_rows()[0][:2] == ["u", "∂u/∂y = 0"]
    assert panel.summary.text().endswith(
        "via u: stop_gradient: ∂u/∂y taken as 0; the value passes, the gradient does not")
    panel.set_selected(graph.by_name("z"))
    assert "seed" not in panel.summary.text()
    assert "the backward pass starts with ones" in panel.agreement.text()


def test_a_panel_opened_from_view_panels_gets_the_room_its_tables_need(qtbot, main_window):
    # opened from View > Panels, the Ledger shares the Inspector's column, which was too
    # narrow for its five columns; it is widened as when the Graph menu opens it
    from graphstudio.ui.teaching import Teaching

    main_window.resize(1360, 860)  # a laptop's window
    open_lecture(qtbot, main_window, "seoul_mlp_l2")
    panels = menu_action(main_window, "View", "Panels").menu()
    ledger = next(a for a in panels.actions() if a.text() == "Ledger")
    inspector = next(d for d in main_window.findChildren(type(main_window.teaching.docks["Ledger"]))
                     if d.windowTitle() == "Inspector")
    assert inspector.width() < Teaching.PANEL_WIDTH  # the column it opens in
    ledger.trigger()
    dock = main_window.teaching.docks["Ledger"]
    qtbot.waitUntil(lambda: dock.isVisible() and dock.width() >= Teaching.PANEL_WIDTH)
