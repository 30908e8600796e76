"""File > Export… and File > Export Steps… in the real main window, driven like a person does:
the menu action, typing a path, choosing from the combo boxes, clicking Export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from export_support import pdf_pages, png_pixels, svg_texts

pytest.importorskip("pytestqt")

from graphstudio.ui.export_dialog import ExportDialog  # noqa: E402
from graphstudio.ui.main_window import MainWindow  # noqa: E402

BRISTOL = Path(__file__).resolve().parent.parent / "examples" / "bristol_lecture2.gs"


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.open_file(str(BRISTOL), ask=False)
    yield w
    w.document.undo_stack.setClean()


def _action(window, text: str):
    file_menu = window.menu("File")
    matches = [a for a in file_menu.actions() if a.text().replace("&", "") == text]
    assert len(matches) == 1, [a.text() for a in file_menu.actions()]
    return matches[0]


def _open(qtbot, window, text: str) -> ExportDialog:
    _action(window, text).trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def _type_path(qtbot, dialog: ExportDialog, path: Path) -> None:
    dialog.path.selectAll()
    qtbot.keyClick(dialog.path, Qt.Key_Delete)
    qtbot.keyClicks(dialog.path, str(path))


def _choose(qtbot, combo, text: str) -> None:
    """Pick an entry the way a keyboard user does: focus the combo and type its first letters."""
    combo.setFocus()
    qtbot.keyClicks(combo, text)
    assert combo.currentText().lower().startswith(text.lower())


def test_menu_has_export_items_after_save_before_quit(window):
    texts = [a.text().replace("&", "") for a in window.menu("File").actions() if not a.isSeparator()]
    assert texts.index("Save As…") < texts.index("Export…") < texts.index("Export Steps…") \
        < texts.index("Quit")


def test_export_svg_from_the_dialog(qtbot, window, tmp_path):
    dialog = _open(qtbot, window, "Export…")
    _choose(qtbot, dialog.format, "SVG")
    out = tmp_path / "bristol.svg"
    _type_path(qtbot, dialog, out)
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert not dialog.isVisible()
    texts = svg_texts(out)
    assert "150" in texts and "∇ 60" in texts and "∇ 100" in texts  # a = 150, da/df = 60, da/dg = 100
    assert str(out) in window.statusBar().currentMessage()


def test_png_size_shown_is_the_size_written(qtbot, window, tmp_path):
    dialog = _open(qtbot, window, "Export…")
    _choose(qtbot, dialog.format, "PNG")
    dialog.scale.selectAll()
    qtbot.keyClicks(dialog.scale, "1")
    dialog.options["dpi"].selectAll()
    qtbot.keyClicks(dialog.options["dpi"], "192")
    w, h = (int(v) for v in dialog.size_label.text().split(" pixels")[0].split(" × "))
    out = tmp_path / "b.png"
    _type_path(qtbot, dialog, out)
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert png_pixels(out).shape[:2] == (h, w)


def test_no_gradients_checkbox(qtbot, window, tmp_path):
    dialog = _open(qtbot, window, "Export…")
    _choose(qtbot, dialog.format, "SVG")
    assert dialog.show_grad.isChecked()  # the document's view shows gradients
    box = dialog.show_grad
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))  # on the tick box
    assert not box.isChecked()
    out = tmp_path / "plain.svg"
    _type_path(qtbot, dialog, out)
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert not any("∇" in t for t in svg_texts(out))


def test_a_missing_folder_is_shown_and_the_dialog_stays(qtbot, window, tmp_path):
    dialog = _open(qtbot, window, "Export…")
    _type_path(qtbot, dialog, tmp_path / "missing" / "g.png")
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert dialog.isVisible()
    assert dialog.error.isVisible() and "does not exist" in dialog.error.text()
    assert not (tmp_path / "missing").exists()


def test_export_steps_into_one_pdf(qtbot, window, tmp_path):
    dialog = _open(qtbot, window, "Export Steps…")
    assert dialog.steps.isChecked()
    _choose(qtbot, dialog.format, "PDF")
    out = tmp_path / "steps.pdf"
    _type_path(qtbot, dialog, out)
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert pdf_pages(out) == 9 + 7  # Bristol: 9 nodes forward, 7 gradients backward


def test_the_dialog_and_the_command_line_share_their_settings(qtbot, window, tmp_path):
    """One ExportSettings: the same choices in the dialog and on the command line write the
    same picture (of the same saved document, so both draw the same positions)."""
    from graphstudio.cli import main
    from graphstudio.render.export import ExportSettings

    saved = tmp_path / "bristol.json"
    assert window.save_to(saved)
    dialog = _open(qtbot, window, "Export…")
    assert dialog.settings() == ExportSettings.from_view(window.document.view, format="png",
                                                         options={"dpi": 192,
                                                                  "transparent": False})
    _choose(qtbot, dialog.format, "PNG")
    dialog.scale.selectAll()
    qtbot.keyClicks(dialog.scale, "1.5")
    dialog.options["dpi"].selectAll()
    qtbot.keyClicks(dialog.options["dpi"], "96")
    for box in (dialog.edge_labels, dialog.options["transparent"]):
        qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))
    from_dialog = tmp_path / "dialog.png"
    _type_path(qtbot, dialog, from_dialog)
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert not dialog.isVisible()
    from_cli = tmp_path / "cli.png"
    assert main(["export", str(saved), "-o", str(from_cli), "--scale", "1.5", "--dpi", "96",
                 "--edge-labels", "--transparent"]) == 0
    a, b = png_pixels(from_dialog), png_pixels(from_cli)
    assert a.shape == b.shape and (a == b).all()
    assert a[0, 0, 3] == 0  # transparent, as asked
