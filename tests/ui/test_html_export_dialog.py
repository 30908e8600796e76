"""File > Export… offers the HTML step-through from the export registry and writes it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from graphstudio.ui.export_dialog import ExportDialog

BRISTOL = Path(__file__).resolve().parents[2] / "examples" / "bristol_lecture2.gs"


def test_file_export_writes_the_html_step_through(window, qtbot, tmp_path):
    window.open_file(str(BRISTOL), ask=False)
    export = next(a for a in window.menu("File").actions() if a.text().replace("&", "") == "Export…")
    assert "HTML step-through" in export.statusTip()
    export.trigger()
    dialog = window.findChild(ExportDialog)
    qtbot.waitUntil(dialog.isVisible)
    dialog.format.setFocus()
    qtbot.keyClicks(dialog.format, "HTML")
    assert dialog.format.currentText() == "HTML step-through (one page for any browser)"
    assert dialog.path.text().endswith("bristol_lecture2.html")
    assert dialog.size_label.text() == "one page: the picture and every step, nothing fetched"
    out = tmp_path / "bristol.html"
    dialog.path.selectAll()
    qtbot.keyClick(dialog.path, Qt.Key_Delete)
    qtbot.keyClicks(dialog.path, str(out))
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert not dialog.isVisible()
    text = out.read_text(encoding="utf-8")
    assert "∂a/∂f = 25 × 2 + 10 × 1 = 60" in text and "∇ 60" in text
