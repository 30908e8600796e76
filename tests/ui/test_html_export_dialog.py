"""File > Export… offers the HTML step-through from the export registry and writes it."""

from __future__ import annotations

from pathlib import Path

from ui_helpers import export_dialog, export_to

BRISTOL = Path(__file__).resolve().parents[2] / "examples" / "bristol_lecture2.gs"


def test_file_export_writes_the_html_step_through(window, qtbot, tmp_path):
    export, dialog = export_dialog(window, qtbot, BRISTOL, "HTML")
    assert "HTML step-through" in export.statusTip()
    assert dialog.format.currentText() == "HTML step-through (one page for any browser)"
    assert dialog.path.text().endswith("bristol_lecture2.html")
    assert dialog.size_label.text() == "one page: the picture and every step, nothing fetched"
    out = tmp_path / "bristol.html"
    export_to(qtbot, dialog, out)
    assert not dialog.isVisible()
    text = out.read_text(encoding="utf-8")
    assert "∂a/∂f = 25 × 2 + 10 × 1 = 60" in text and "∇ 60" in text
