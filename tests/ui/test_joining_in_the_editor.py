"""reshape, concat and stack in the editor: typed in the expression bar, their parameter shown on
the canvas and edited in the inspector (one undo step), arguments that do not fit marked on the
node, and one more argument given to a join by dropping an edge on its body."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from test_editing import add_from_palette
from test_expression_bar import type_and_enter
from test_indexing_in_the_editor import retype
from ui_helpers import drag, output_of, port_of, view_point


def test_the_axis_and_the_shape_are_shown_and_edited_in_the_inspector(window):
    type_and_enter(window, "A = [[1, 2], [3, 4]]\nB = [[5], [6]]\nC = concat(A, B, axis=1)\n"
                           "r = reshape(C, [-1])\nz = sum(r * r)")
    g = window.document.graph
    C, r, B = g.by_name("C"), g.by_name("r"), g.by_name("B")
    assert window.scene.nodes[C].view.symbol == "concat axis 1"
    assert window.scene.nodes[r].view.symbol == "reshape [-1]"
    np.testing.assert_array_equal(window.document.evaluation.values[r], [1, 2, 5, 3, 4, 6])
    window.scene.select([C])
    field = window.inspector.params
    assert field.isVisible() and field.text() == "1"
    assert window.inspector.form.labelForField(field).text() == "Axis"
    # along axis 0 a 2×1 matrix does not fit under a 2×2 one: the node's error, shown
    retype(field, "0")
    message = ("argument 2 is a 2×1 matrix and argument 1 is a 2×2 matrix: joined along axis 0, "
               "their numbers of columns must match")
    assert window.inspector.problem.text() == f"Cannot compute: {message}"
    assert window.scene.nodes[C].view.error == message
    assert window.scene.nodes[C].view.symbol == "concat axis 0"
    window.document.undo_stack.undo()
    assert g.node(C).params == 1 and field.text() == "1"
    np.testing.assert_array_equal(window.document.evaluation.grads[B], [[10], [12]])
    # the shape: its own label, refused where it is typed when it is not a shape
    window.scene.select([r])
    assert window.inspector.form.labelForField(field).text() == "Shape"
    retype(field, "[2, 3]")
    assert window.document.evaluation.values[r].shape == (2, 3)
    assert window.scene.nodes[r].view.symbol == "reshape [2, 3]"
    count = window.document.undo_stack.count()
    retype(field, "[-1, -1]")
    assert window.inspector.problem.text() == (
        "Shape: at most one size of a shape may be -1 (the size that is left)")
    assert window.document.undo_stack.count() == count and g.node(r).params == (2, 3)


def test_an_edge_dropped_on_a_stack_gives_it_one_more_argument(window):
    a = add_from_palette(window, "input", QPoint(120, 80))
    b = add_from_palette(window, "input", QPoint(120, 200))
    c = add_from_palette(window, "input", QPoint(120, 320))
    s = add_from_palette(window, "stack", QPoint(420, 200))
    g = window.document.graph
    assert g.node(s).params == 0 and window.scene.nodes[s].view.n_ports == 2
    window.canvas.setFocus()
    drag(window, output_of(window, a), port_of(window, s, 0))
    drag(window, output_of(window, b), port_of(window, s, 1))
    assert g.parents(s) == [a, b]
    item = window.scene.nodes[s]
    body = view_point(window, item.mapToScene(item.rect.center()))
    drag(window, output_of(window, c), body)
    assert g.parents(s) == [a, b, c]
    assert window.scene.nodes[s].view.n_ports == 3
    assert window.document.evaluation.values[s].shape == (3,)
    window.document.undo_stack.undo()
    assert g.parents(s) == [a, b] and window.scene.nodes[s].view.n_ports == 2


def test_the_joins_are_in_the_palette_under_vectors(window):
    for op in ("reshape", "concat", "stack"):
        assert window.palette.item_for(op).parent().text(0) == "Vectors"
    item = window.palette.item_for("concat")
    rect = window.palette.visualItemRect(item)
    QTest.mouseClick(window.palette.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    (u,) = window.document.graph.nodes()
    assert window.scene.nodes[u].view.symbol == "concat axis 0"
    window.scene.select([u])
    assert window.inspector.params.text() == "0"
