"""In the editor: an array output says what its backward pass seeds (canvas, status bar) and
takes a seed typed in the inspector; nodes named after ops and functions the text does not
call are built from the expression bar."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from test_expression_bar import type_and_enter


def test_an_array_output_shows_its_seed_and_takes_one_from_the_inspector(window):
    type_and_enter(window, "x = [0, 1, 2, 3]\ny = x * x")
    g = window.document.graph
    x, y = g.by_name("x"), g.by_name("y")
    assert window.scene.nodes[y].view.seed_text == "seed: sum of the elements"
    assert "seed: sum of the elements" in window.eval_label.text()
    window.scene.select([y])
    field = window.inspector.seed
    assert field.isVisible() and field.text() == ""
    assert field.placeholderText() == "sum of the elements"
    field.setFocus()
    QTest.keyClicks(field, "[0, 1, 0, 0]")
    QTest.keyClick(field, Qt.Key_Return)
    ev = window.document.evaluation
    np.testing.assert_array_equal(ev.grads[x], [0.0, 2.0, 0.0, 0.0])
    assert window.scene.nodes[y].view.seed_text == "seed: [0 1 0 0]"
    assert "seed: [0 1 0 0]" in window.eval_label.text()
    # a seed that does not fit is the output's warning, and the gradients go
    field.selectAll()
    QTest.keyClicks(field, "[1 0]")
    QTest.keyClick(field, Qt.Key_Return)
    assert "the seed [1 0] is a vector of 2" in window.inspector.problem.text()
    assert window.document.evaluation.grads[x] is None
    # an empty field goes back to the sum, and every change is one undo step
    field.selectAll()
    QTest.keyClick(field, Qt.Key_Delete)
    QTest.keyClick(field, Qt.Key_Return)
    assert g.node(y).seed is None
    np.testing.assert_array_equal(window.document.evaluation.grads[x], [0.0, 2.0, 4.0, 6.0])
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    np.testing.assert_array_equal(g.node(y).seed, [0.0, 1.0, 0.0, 0.0])
    # the seed row belongs to an array output: not on the input
    window.scene.select([x])
    assert not window.inspector.seed.isVisible()


def test_nodes_named_after_ops_and_uncalled_functions(window):
    type_and_enter(window, "x = 3\ny = -4\nmul = x * y\nsum = mul + 2")
    g = window.document.graph
    assert window.document.evaluation.values[g.by_name("sum")] == -10.0
    assert window.scene.nodes[g.by_name("mul")].view.title == "mul"
    # calling sum() now would make the name both: refused where the call is, nothing changes
    count = len(g)
    type_and_enter(window, "v = [1, 2]\nt = sum(v)")
    status = window.expression_bar.status
    assert status.isVisible()
    assert "'sum' names a node of the graph, so it cannot be called here" in status.text()
    assert len(g) == count
