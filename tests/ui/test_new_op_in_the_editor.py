"""An op registered in a fixture (``hinge``, tests/new_op.py) is offered by the editor like
every built-in op: in its palette group, in the quick search and in the inspector's op list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from new_op import hinge  # noqa: F401  (the fixture)


def test_the_palette_offers_a_registered_op_in_its_group_and_a_click_adds_it(hinge, window):
    item = window.palette.item_for("hinge")
    assert item is not None
    assert item.parent().text(0) == "Losses" and item.toolTip(0) == "hinge loss max(0, 1 − x)"
    rect = window.palette.visualItemRect(item)
    QTest.mouseClick(window.palette.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    g = window.document.graph
    (n,) = g.nodes()
    assert g.op(n) == "hinge"
    assert window.scene.nodes[n].view.symbol == "hinge"


def test_the_quick_search_finds_a_registered_op(hinge, window):
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key_Tab)
    QTest.keyClicks(window.quick_search.edit, "hing")
    QTest.keyClick(window.quick_search.edit, Qt.Key_Return)
    g = window.document.graph
    assert [g.op(n) for n in g.nodes()] == ["hinge"]


def test_a_registered_op_computes_in_the_editor_from_typed_text(hinge, window):
    edit = window.expression_bar.edit
    edit.setFocus()
    QTest.keyClicks(edit, "y = hinge(x)")
    QTest.keyClick(edit, Qt.Key_Return)
    g = window.document.graph
    ev = window.document.evaluation
    # a new input starts at 1: exactly at the kink, where backprop takes the subgradient 0
    assert ev.values[g.by_name("y")] == 0.0 and ev.grads[g.by_name("x")] == 0.0
    combo = window.inspector.op
    assert combo.findData("hinge") >= 0
