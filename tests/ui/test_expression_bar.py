"""Typing into the expression bar builds the graph, reusing names, with errors shown in place."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest


def type_and_enter(window, text: str) -> None:
    edit = window.expression_bar.edit
    edit.setFocus()
    edit.clear()
    lines = text.split("\n")
    for k, line in enumerate(lines):
        QTest.keyClicks(edit, line)
        if k < len(lines) - 1:
            QTest.keyClick(edit, Qt.Key_Return, Qt.ShiftModifier)
    QTest.keyClick(edit, Qt.Key_Return)


def test_grosse_expression_builds_with_the_lecture_numbers(window):
    # Grosse CSC 311: z = (a + b) * (b + c) at a = -1, b = 3, c = 4 gives z = 14,
    # dz/da = 7, dz/db = 9, dz/dc = 2 (worked by hand on the slides)
    type_and_enter(window, "a = -1\nb = 3\nc = 4\nz = (a + b) * (b + c)")
    g = window.document.graph
    ev = window.document.evaluation
    z = g.by_name("z")
    assert ev.values[z] == 14.0
    assert [ev.grads[g.by_name(n)] for n in "abc"] == [7.0, 9.0, 2.0]
    shown = window.scene.nodes[z].view
    assert (shown.value_text, shown.grad_text) == ("14", "1")
    assert window.scene.nodes[g.by_name("b")].view.grad_text == "9"
    # laid out: inputs left of the output, no two boxes overlapping
    rects = [item.scene_rect() for item in window.scene.nodes.values()]
    assert all(not r1.intersects(r2) for i, r1 in enumerate(rects) for r2 in rects[i + 1:])
    assert window.scene.nodes[g.by_name("a")].pos().x() < window.scene.nodes[z].pos().x()


def test_unknown_names_become_inputs_and_existing_names_are_reused(window):
    type_and_enter(window, "z = (a + b) * (b + c)")
    g = window.document.graph
    assert {"a", "b", "c", "z"} <= set(g.names())
    assert window.document.evaluation.values[g.by_name("z")] == 4.0  # inputs start at 1
    a = g.by_name("a")
    type_and_enter(window, "w = a * 3")
    assert g.parents(g.by_name("w"))[0] == a  # the same a, not a new one
    assert window.document.evaluation.values[g.by_name("w")] == 3.0
    window.document.undo_stack.undo()
    assert "w" not in g.names() and "z" in g.names()


def test_errors_are_shown_with_line_and_column_and_change_nothing(window):
    type_and_enter(window, "a = 2\nz = a +* 3")
    status = window.expression_bar.status
    assert status.isVisible()
    assert status.text().startswith("line 2, column")
    assert len(window.document.graph) == 0
    type_and_enter(window, "z = exp(a).real")
    assert "attribute access" in status.text()
    assert len(window.document.graph) == 0
    type_and_enter(window, "q = 1\nq = 2")
    assert "assigned twice" in status.text()


def test_build_into_a_new_document(window):
    type_and_enter(window, "x = 2\ny = x * x")
    window.expression_bar.new_doc.setChecked(True)
    type_and_enter(window, "t = 3\nu = t + t")
    g = window.document.graph
    assert set(g.names()) == {"t", "u"}
    assert window.document.evaluation.values[g.by_name("u")] == 6.0


def _luminance(color) -> float:
    """WCAG 2 relative luminance of a QColor."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return (0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF()))


def _contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_messages_are_readable_on_either_theme(window, theme):
    window.theme_actions[theme].trigger()  # View > Theme
    status = window.expression_bar.status
    back = window.expression_bar.palette().color(QPalette.Window)
    type_and_enter(window, "z = a +* 3")
    error = QColor(status.styleSheet().removeprefix("color: "))
    type_and_enter(window, "z = a * 3")
    done = QColor(status.styleSheet().removeprefix("color: "))
    assert error.isValid() and done.isValid() and error != done
    assert _contrast(error, back) >= 4.5 and _contrast(done, back) >= 4.5
