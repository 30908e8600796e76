"""An index node in the editor: typed in the expression bar, its index shown on the canvas
and edited in the inspector (one undo step), a bad index refused or marked, never a crash."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from test_expression_bar import type_and_enter


def retype(field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key_Return)


def test_the_index_is_shown_and_edited_in_the_inspector(window):
    type_and_enter(window, "W = [[1, 2], [3, 4]]\nr = W[0, :]\nz = sum(r * r)")
    g = window.document.graph
    r, W = g.by_name("r"), g.by_name("W")
    assert window.scene.nodes[r].view.symbol == "[0, :]"
    window.scene.select([r])
    field = window.inspector.params
    assert field.isVisible() and field.text() == "[0, :]"
    assert window.inspector.form.labelForField(field).text() == "Index"
    retype(field, "[1, :]")
    ev = window.document.evaluation
    np.testing.assert_array_equal(ev.values[r], [3.0, 4.0])
    np.testing.assert_array_equal(ev.grads[W], [[0.0, 0.0], [6.0, 8.0]])
    assert window.scene.nodes[r].view.symbol == "[1, :]"
    window.document.undo_stack.undo()
    assert g.node(r).params[0] == 0 and field.text() == "[0, :]"
    # out of range: the node's error, shown in the inspector and on the canvas
    retype(field, "[2, :]")
    message = "index 2 is out of range for the 2 rows of a 2×2 matrix (0 to 1, or -2 to -1)"
    assert window.inspector.problem.text() == f"Cannot compute: {message}"
    assert window.scene.nodes[r].view.error == message
    # not an index at all: refused where it is typed, the graph unchanged
    count = window.document.undo_stack.count()
    retype(field, "[y]")
    assert window.inspector.problem.text().startswith(
        "Index: an index is a whole number written in the text, not a node such as 'y'")
    assert window.document.undo_stack.count() == count


def test_an_index_added_from_the_palette_picks_the_first_element(window):
    item = window.palette.item_for("index")
    assert item.parent().text(0) == "Vectors"
    rect = window.palette.visualItemRect(item)
    QTest.mouseClick(window.palette.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    g = window.document.graph
    (u,) = g.nodes()
    assert g.op(u) == "index" and g.node(u).params == (0,)
    assert window.scene.nodes[u].view.symbol == "[0]"
    window.scene.select([u])
    assert window.inspector.params.text() == "[0]"
