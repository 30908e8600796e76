"""Live evaluation and the extension points: errors marked, output chosen, op changed in the
inspector, step mode left on edit, extensions installed."""

from __future__ import annotations

import pytest

from graphstudio.core.engine import evaluate, forward_steps
from graphstudio.render.picture import step_pictures


def test_a_node_that_cannot_be_computed_is_marked_and_the_rest_still_computes(window):
    window.build_expression("a = [1, 2]\nb = [1, 2, 3]\nc = a + b\nk = 2\nm = k * 3")
    g = window.document.graph
    c = window.scene.nodes[g.by_name("c")]
    assert c.view.error and "cannot compute" in c.toolTip()
    reason = "shape mismatch: add of shapes (2,) and (3,)"
    assert reason in c.toolTip()
    assert f"c: {reason}" in window.statusBar().currentMessage()
    assert window.scene.nodes[g.by_name("m")].view.value_text == "6"
    window.scene.select([g.by_name("c")])
    assert window.inspector.problem.text() == f"Cannot compute: {reason}"


def test_set_as_output_changes_the_gradients(window):
    window.build_expression("x = 3\ny = x * x\nz = y + x")
    g = window.document.graph
    x = g.by_name("x")
    assert window.document.evaluation.grads[x] == 7.0  # dz/dx = 2x + 1
    window.scene.select([g.by_name("y")])
    window.act_output.trigger()
    assert window.document.evaluation.grads[x] == 6.0  # dy/dx = 2x
    assert window.scene.nodes[g.by_name("y")].view.is_output
    window.document.undo_stack.undo()
    assert window.document.evaluation.grads[x] == 7.0


def test_inspector_changes_the_op_undoably(window):
    window.build_expression("a = 5\nb = 2\nz = a - b")
    g = window.document.graph
    z = g.by_name("z")
    window.scene.select([z])
    combo = window.inspector.op
    combo.setCurrentIndex(combo.findData("div"))
    combo.activated.emit(combo.currentIndex())
    assert g.op(z) == "div" and window.document.evaluation.values[z] == 2.5
    window.document.undo_stack.undo()
    assert g.op(z) == "sub" and window.document.evaluation.values[z] == 3.0


def test_step_mode_shows_a_given_picture_until_the_graph_is_edited(window):
    window.build_expression("a = 2\nb = a * 3")
    g = window.document.graph
    ev = window.document.evaluation
    positions = {n: g.position(n) for n in g.nodes()}
    first = step_pictures(g, ev, positions)[0]
    window.canvas.show_picture(first)
    assert window.canvas.step_mode
    b = window.scene.nodes[g.by_name("b")]
    assert b.view.value_text == "?"  # not computed yet in step 1
    assert len(forward_steps(evaluate(g))) >= 2
    window.scene.select([g.by_name("a")])
    window.inspector.spin.setValue(4.0)  # an edit leaves step mode
    assert not window.canvas.step_mode
    assert b.view.value_text == "12"


def test_extensions_are_installed_at_startup(qtbot, monkeypatch):
    import sys
    import types

    from graphstudio.ui import extensions
    from graphstudio.ui.main_window import MainWindow

    module = types.ModuleType("gs_test_extension")
    seen = []

    def install(window):
        seen.append(window)
        window.menu("Graph").addAction("Teaching thing")
        window.add_panel("Ledger", __import__("PySide6.QtWidgets", fromlist=["QLabel"]).QLabel("x"))

    module.install = install
    monkeypatch.setitem(sys.modules, "gs_test_extension", module)
    monkeypatch.setattr(extensions, "EXTENSIONS", ["gs_test_extension"])
    w = MainWindow()
    qtbot.addWidget(w)
    assert seen == [w]
    assert "Teaching thing" in [a.text() for a in w.menu("Graph").actions()]
    assert any(a.text() == "Ledger" for a in w._panels_menu.actions())


def test_history_dock_lists_the_edits(window):
    window.build_expression("a = 1\nz = a * 2")
    window.act_history.trigger()
    assert window.history_dock.isVisible()
    model = window.history.model()
    texts = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "Build from expression" in texts


def test_dark_theme_and_hidden_gradients(window):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QWidget

    window.build_expression("a = 3\nz = a * a")
    g = window.document.graph
    light_window = QWidget.palette(window).color(QPalette.Window).lightness()  # .palette is the op palette
    window.theme_actions["dark"].trigger()
    item = window.scene.nodes[g.by_name("a")]
    assert item.theme.name == "dark" and window.document.view["theme"] == "dark"
    # the panels follow the canvas: a dark window and dark text fields, light text
    pal = window.inspector.palette()
    assert pal.color(QPalette.Window).lightness() < 100 < light_window
    assert pal.color(QPalette.Text).lightness() > 150
    assert item.view.grad_text == "6"
    window.act_grad.trigger()  # View > Show Gradients off
    assert item.view.grad_text == ""
    window.act_labels.trigger()
    edge = next(iter(window.scene.edges.values()))
    assert edge.view.label.startswith("∂z/∂a")


def test_in_the_dark_theme_a_disabled_button_looks_disabled(window, qtbot):
    # Pause before a run, Keep and Revert during one: on the dark panels their text and face
    # once looked nearly as bright as an enabled button's
    from PySide6.QtWidgets import QPushButton

    window.theme_actions["dark"].trigger()
    window.show()
    qtbot.waitExposed(window)

    def contrast(enabled: bool) -> int:
        button = QPushButton("Revert", window.inspector)
        button.setEnabled(enabled)
        button.resize(120, 32)
        image = button.grab().toImage()
        lightness = [image.pixelColor(x, y).lightness()
                     for x in range(10, 110) for y in range(8, 24)]
        button.deleteLater()
        return max(lightness) - min(lightness)

    assert contrast(False) < 0.5 * contrast(True)


def test_double_click_on_a_number_sets_the_value(window):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit

    from graphstudio.render.draw import row_rect
    from ui_helpers import view_point

    window.build_expression("a = 3\nz = a * a")
    g = window.document.graph
    item = window.scene.nodes[g.by_name("a")]
    spot = view_point(window, item.mapToScene(row_rect(item.view, item.rect, item.theme, "value").center()))
    QTest.mouseDClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, spot)
    editor = window.canvas.findChild(QLineEdit, "inline-value")
    assert editor is not None and editor.text() == "3"
    editor.selectAll()
    QTest.keyClicks(editor, "-0.5")
    QTest.keyClick(editor, Qt.Key_Return)
    assert window.document.evaluation.values[g.by_name("z")] == 0.25
    QTest.mouseDClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, spot)
    editor = window.canvas.findChild(QLineEdit, "inline-value")
    editor.selectAll()
    QTest.keyClicks(editor, "abc")
    QTest.keyClick(editor, Qt.Key_Return)
    assert "not a number" in window.statusBar().currentMessage()
    assert g.value(g.by_name("a")) == -0.5


def test_array_input_edited_in_the_inspector(window):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.build_expression("v = [1, 2]\ns = sum(v * v)")
    g = window.document.graph
    window.scene.select([g.by_name("v")])
    field = window.inspector.array
    assert field.isVisible() and field.text() == "[1, 2]"
    field.selectAll()
    QTest.keyClicks(field, "[1 -2 3]")  # as numpy prints it
    QTest.keyClick(field, Qt.Key_Return)
    ev = window.document.evaluation
    assert ev.values[g.by_name("s")] == 14.0  # 1 + 4 + 9
    assert list(ev.grads[g.by_name("v")]) == [2.0, -4.0, 6.0]  # d sum(v²)/dv = 2v
    assert window.scene.nodes[g.by_name("v")].view.shape == (3,)


def test_spin_box_steps_are_one_undo_step(window):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.build_expression("x = 1\ny = x * 10")
    g = window.document.graph
    window.scene.select([g.by_name("x")])
    spin = window.inspector.spin
    count = window.document.undo_stack.count()
    spin.setFocus()
    for _ in range(3):
        QTest.keyClick(spin, Qt.Key_Up)  # steps of 0.1
    assert abs(window.document.evaluation.values[g.by_name("y")] - 13.0) < 1e-9
    assert window.document.undo_stack.count() == count + 1
    window.document.undo_stack.undo()
    assert window.document.evaluation.values[g.by_name("y")] == 10.0


def contrast(a, b) -> float:
    """WCAG's contrast ratio of two QColors (4.5 is the least for body text)."""
    def lum(c):
        ch = [x / 255 for x in (c.red(), c.green(), c.blue())]
        ch = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["Light", "Dark"])
def test_the_inspectors_hints_are_readable_in_either_theme(window, theme):
    import re

    from PySide6.QtGui import QColor, QPalette

    next(a for a in window.theme_actions.values() if a.text().replace("&", "") == theme).trigger()
    heading = window.inspector.heading
    colour = QColor(re.search(r'color:(#[0-9a-f]{6})', heading.text()).group(1))
    background = heading.palette().color(QPalette.Window)
    assert contrast(colour, background) >= 4.5, (theme, colour.name(), background.name())
