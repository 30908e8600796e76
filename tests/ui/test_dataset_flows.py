"""Documents keep their data in the editor: New Network trains before it is saved, Save As to
another folder (or with the data inside) keeps the link, and a missing CSV is located."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QMessageBox, QPushButton

from graphstudio.io import open_document
from graphstudio.ui.save_dialog import SaveAsDialog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def course(tmp_path) -> Path:
    folder = tmp_path / "course"
    (folder / "data").mkdir(parents=True)
    shutil.copy(EXAMPLES / "siegen_fit_curve.gs", folder / "fit.gs")
    shutil.copy(EXAMPLES / "data" / "siegen_curve.csv", folder / "data" / "siegen_curve.csv")
    return folder


def graph_action(window, text):
    return next(a for a in window.menu("Graph").actions() if a.text().replace("&", "") == text)


def start_training(qtbot, window, steps=5):
    graph_action(window, "Train…").trigger()
    panel = window.training.panel
    qtbot.waitExposed(panel)
    panel.steps.selectAll()
    qtbot.keyClicks(panel.steps, str(steps))
    panel.steps.interpretText()
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    return panel


def finish(qtbot, panel):
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=20000)
    qtbot.mouseClick(panel.revert_button, Qt.LeftButton)


def save_as_answering(qtbot, window, path: Path, embed: bool | None = None) -> list:
    """File > Save As, typing ``path`` into the dialog (and ticking the embed box)."""
    seen = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SaveAsDialog):
            QTimer.singleShot(20, answer)
            return
        box = dialog.findChild(QCheckBox, "embed-data")
        seen.append((dialog.directory().absolutePath(), box.text(), box.isChecked()))
        if embed is not None and box.isChecked() != embed:
            qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        # the dialog reads its folder in the background, then selects the proposed name
        qtbot.waitUntil(lambda: bool(name.text()))
        qtbot.wait(300)
        name.setText(str(path))  # as pasted: typing would open the completer's popup
        qtbot.keyClick(name, Qt.Key_Return)

    QTimer.singleShot(0, answer)
    assert window.save_as()
    return seen


def test_a_new_network_in_a_new_document_trains_before_it_is_saved(qtbot, window, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # nowhere near the data: the old bug resolved it from here
    assert window.open_file(EXAMPLES / "grosse_csc311.gs")
    graph_action(window, "New Network…").trigger()
    dialog = window.training.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.dataset_box.setCurrentIndex(dialog.dataset_box.findText("seoul_plane.csv"))
    qtbot.mouseClick(dialog.into_new, Qt.LeftButton, pos=QPoint(8, dialog.into_new.height() // 2))
    qtbot.mouseClick(dialog.build_button, Qt.LeftButton)
    assert window.document.path is None and "L" in window.document.graph.names()
    panel = start_training(qtbot, window)
    assert not panel.problem.isVisible(), panel.problem.text()
    finish(qtbot, panel)


def test_save_as_to_another_folder_keeps_the_dataset(qtbot, window, course, tmp_path):
    assert window.open_file(course / "fit.gs")
    target = tmp_path / "elsewhere" / "fit.json"
    target.parent.mkdir()
    seen = save_as_answering(qtbot, window, target, embed=False)
    assert seen[0][0] == str(course)  # starts in the document's own folder
    assert "siegen_curve.csv" in seen[0][1] and not seen[0][2]
    saved = json.loads(target.read_text())
    assert saved["dataset"] == "../course/data/siegen_curve.csv" and "dataset_csv" not in saved
    assert window.document.path == target
    panel = start_training(qtbot, window)  # still finds it
    assert not panel.problem.isVisible(), panel.problem.text()
    finish(qtbot, panel)
    reopened = open_document(target)
    assert reopened.graph.meta["dataset"] == (course / "data" / "siegen_curve.csv").as_posix()


def test_save_as_can_carry_the_dataset_inside(qtbot, window, course, tmp_path):
    assert window.open_file(course / "fit.gs")
    target = tmp_path / "send" / "fit.json"
    target.parent.mkdir()
    save_as_answering(qtbot, window, target, embed=True)
    saved = json.loads(target.read_text())
    assert saved["dataset"] == "siegen_curve.csv"
    assert saved["dataset_csv"] == (course / "data" / "siegen_curve.csv").read_text()
    shutil.rmtree(course)  # the one file is all it needs
    assert window.open_file(target)
    panel = start_training(qtbot, window)
    assert not panel.problem.isVisible(), panel.problem.text()
    finish(qtbot, panel)
    # saving it again: the box says the data already travels inside
    seen = save_as_answering(qtbot, window, tmp_path / "send" / "again.json")
    assert seen[0][2] is True
    assert "dataset_csv" in json.loads((tmp_path / "send" / "again.json").read_text())


def test_a_missing_dataset_is_located_from_the_message_and_from_the_training_panel(
        qtbot, window, course, tmp_path, monkeypatch):
    moved = tmp_path / "moved" / "curve.csv"
    moved.parent.mkdir()
    shutil.move(course / "data" / "siegen_curve.csv", moved)
    assert window.open_file(course / "fit.gs")
    box = window.findChild(QMessageBox, "dataset-missing")
    qtbot.waitUntil(box.isVisible)
    text = box.informativeText()
    assert str(course / "data" / "siegen_curve.csv") in text and str(course / "siegen_curve.csv") in text
    # not now: the training panel says the same and offers the same
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Not Now"), Qt.LeftButton)
    panel = start_training(qtbot, window)
    assert panel.problem.isVisible() and "cannot find the dataset" in panel.problem.text()
    assert str(course / "data" / "siegen_curve.csv") in panel.problem.text()
    assert panel.locate_button.isVisible()
    asked = []
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName",
                        lambda *a, **k: asked.append(a[1:3]) or (str(moved), ""))
    qtbot.mouseClick(panel.locate_button, Qt.LeftButton)
    assert asked and asked[0][0] == "Locate siegen_curve.csv"
    g = window.document.graph
    assert g.meta["dataset"] == moved.as_posix() and window.document.modified
    assert g.value(g.by_name("x")) != 0.0  # the data inputs show the first row
    assert not panel.problem.isVisible() and not panel.locate_button.isVisible()
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    finish(qtbot, panel)
    window.document.undo_stack.undo()  # locating is one undoable step
    assert g.meta["dataset"] == (course / "data" / "siegen_curve.csv").as_posix()
    # saved, the document names the located file relative to itself
    assert window.document.undo_stack.redo() is None
    assert window.save_to(course / "fit.json")
    assert json.loads((course / "fit.json").read_text())["dataset"] == "../moved/curve.csv"


def test_locating_a_file_that_does_not_fit_says_why(qtbot, window, course, tmp_path, monkeypatch):
    (course / "data" / "siegen_curve.csv").unlink()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    errors = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: errors.append(a[2]))
    assert window.open_file(course / "fit.gs")
    box = window.findChild(QMessageBox, "dataset-missing")
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(wrong), ""))
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Locate…"), Qt.LeftButton)
    assert errors and "no column 'x'" in errors[0]
    assert not window.document.modified
