"""Mouse helpers for the GUI tests: where a node's ports are on the canvas, and a real drag."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from graphstudio.render.routing import output_point, port_point


def view_point(window, scene_point: QPointF) -> QPoint:
    return window.canvas.mapFromScene(scene_point)


def output_of(window, node: int) -> QPoint:
    item = window.scene.nodes[node]
    return view_point(window, item.mapToScene(output_point(item.rect)))


def port_of(window, node: int, port: int) -> QPoint:
    item = window.scene.nodes[node]
    return view_point(window, item.mapToScene(port_point(item.rect, port, item.view.n_ports)))


def drag(window, start: QPoint, end: QPoint, steps: int = 6) -> None:
    """Press at ``start``, move in steps, release at ``end`` (left button) on the canvas."""
    vp = window.canvas.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for k in range(1, steps + 1):
        p = start + (end - start) * (k / steps)
        QTest.mouseMove(vp, QPoint(round(p.x()), round(p.y())))
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, end)


def export_dialog(window, qtbot, example, format_text: str):
    """File > Export… on ``example``, the format list typed to ``format_text`` as a person
    would; returns the menu action and the dialog."""
    from graphstudio.ui.export_dialog import ExportDialog

    window.open_file(str(example), ask=False)
    action = next(a for a in window.menu("File").actions() if a.text().replace("&", "") == "Export…")
    action.trigger()
    shown = []  # the dialog just opened (one closed before may not be deleted yet)
    qtbot.waitUntil(lambda: bool(shown.extend(d for d in window.findChildren(ExportDialog)
                                              if d.isVisible()) or shown))
    dialog = shown[0]
    dialog.format.setFocus()
    qtbot.keyClicks(dialog.format, format_text)
    return action, dialog


def export_to(qtbot, dialog, out) -> None:
    """Type ``out`` as the dialog's file and press Export."""
    dialog.path.selectAll()
    qtbot.keyClick(dialog.path, Qt.Key_Delete)
    qtbot.keyClicks(dialog.path, str(out))
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
