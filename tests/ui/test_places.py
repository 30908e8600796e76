"""Sensible places: Save and Export start in the user's folder, never inside the installed
package; a shipped example is a template; the Export dialog remembers its folder and choices,
and choosing another format changes only the suffix."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from graphstudio.examples import examples_dir
from graphstudio.ui.export_dialog import ExportDialog


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A home folder of our own, with a Documents folder."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    return home


def example_action(window, stem: str):
    return next(a for a in window.examples_menu.actions() if Path(a.data()).stem == stem)


def file_action(window, text: str):
    return next(a for a in window.menu("File").actions() if a.text().replace("&", "") == text)


def answer_save(monkeypatch, target: Path) -> list:
    asked = []
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: asked.append(a[2]) or (str(target), ""))
    return asked


def choose(qtbot, combo, text: str) -> None:
    """Pick from a combo box as a keyboard user does: focus it and type the first letters
    (after the pause that ends the previous keyboard search)."""
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    combo.setFocus()
    qtbot.keyClicks(combo, text)
    assert combo.currentText().startswith(text)


def open_export(qtbot, window) -> ExportDialog:
    file_action(window, "Export…").trigger()
    dialog = [d for d in window.findChildren(ExportDialog) if d.isVisible()][-1]
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_a_shipped_example_is_a_template_saved_where_the_user_chooses(qtbot, window, home,
                                                                       tmp_path, monkeypatch):
    before = sorted(p.name for p in examples_dir().iterdir())
    example_action(window, "grosse_csc311").trigger()
    window.build_expression("w = z * 2")
    work = tmp_path / "work"
    work.mkdir()
    asked = answer_save(monkeypatch, work / "mine.json")
    window.act_save.trigger()  # Save, not Save As: it still asks where
    assert len(asked) == 1
    assert Path(asked[0]).parent == home / "Documents" and Path(asked[0]).name == "grosse_csc311.json"
    assert (work / "mine.json").exists() and window.document.path == work / "mine.json"
    # the next template starts in the folder used last
    example_action(window, "bristol_lecture2").trigger()
    window.act_save_as.trigger()
    assert Path(asked[1]).parent == work
    assert sorted(p.name for p in examples_dir().iterdir()) == before  # nothing written there


def test_saving_a_users_json_writes_it_without_asking(qtbot, window, home, tmp_path, monkeypatch):
    mine = tmp_path / "mine.json"
    window.build_expression("a = 1\nb = a * 3")
    assert window.save_to(mine)
    window.build_expression("c = b + 1")
    asked = answer_save(monkeypatch, tmp_path / "never.json")
    window.act_save.trigger()
    assert asked == [] and '"c"' in mine.read_text() and not window.document.modified


def test_export_starts_outside_the_package_and_remembers_its_folder_and_choices(
        qtbot, window, home, tmp_path):
    example_action(window, "bristol_lecture2").trigger()
    dialog = open_export(qtbot, window)
    proposed = Path(dialog.path.text())
    assert proposed.parent == home / "Documents" and proposed.name.startswith("bristol_lecture2")
    assert examples_dir() not in proposed.parents
    # a typed path keeps its folder and name when the format changes: only the suffix follows
    slides = tmp_path / "slides"
    slides.mkdir()
    dialog.path.selectAll()
    qtbot.keyClicks(dialog.path, str(slides / "figure1.png"))
    choose(qtbot, dialog.format, "SVG")
    assert dialog.path.text() == str(slides / "figure1.svg")
    qtbot.mouseClick(dialog.edge_labels, Qt.LeftButton)  # ticked
    assert dialog.edge_labels.isChecked()
    choose(qtbot, dialog.format, "PDF")
    assert dialog.edge_labels.isChecked() and dialog.path.text() == str(slides / "figure1.pdf")
    choose(qtbot, dialog.format, "SVG")
    dialog.scale.selectAll()
    qtbot.keyClicks(dialog.scale, "2")
    dialog.scale.interpretText()
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert (slides / "figure1.svg").exists() and not dialog.isVisible()
    # the next export of this document: the same folder, format and choices
    again = open_export(qtbot, window)
    assert Path(again.path.text()) == slides / "bristol_lecture2.svg"
    assert again.current_format() == "svg" and again.scale.value() == 2.0
    assert again.edge_labels.isChecked()
    again.reject()
    # another document of the user's own: its own folder, with the choices remembered
    mine = tmp_path / "mine" / "g.json"
    mine.parent.mkdir()
    window.build_expression("q = 3")
    assert window.save_to(mine)
    third = open_export(qtbot, window)
    assert Path(third.path.text()) == mine.parent / "g.svg" and third.edge_labels.isChecked()
    third.reject()
