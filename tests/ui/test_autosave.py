"""Autosave and crash recovery, for real: the editor runs in its own process, is edited,
killed with SIGKILL, and the next start gives the work back."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from graphstudio.core.dataset import dataset_location
from graphstudio.ui import autosave
from graphstudio.ui.app import Editor
from graphstudio.ui.main_window import MainWindow
from graphstudio.ui.recovery import RecoveryDialog

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("drive_editor.py")

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """A private per-user data folder (XDG_DATA_HOME): no test touches the real one."""
    home = tmp_path / "xdg-data"
    home.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def autosave_folder(home: Path) -> Path:
    return home / "GraphStudio" / "GraphStudio" / "autosave"


class Editor_:
    """A ``graphstudio`` editor process driven by tests/ui/drive_editor.py."""

    def __init__(self, home: Path, tmp: Path, file, *args: str) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(home),
               "XDG_CONFIG_HOME": str(tmp / "xdg-config"), "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, str(DRIVER), str(file), *args], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def edited(self) -> dict:
        """What the editor shows after the scripted edit."""
        line = self.proc.stdout.readline()
        assert line.startswith("edited "), (line, self.proc.stderr.read() if self.proc.poll() is not None else "")
        return json.loads(line[len("edited "):])

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()


def wait_for(predicate, timeout: float = 30.0):
    """Poll until ``predicate()`` is true (a functional wait, generous for a busy machine)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("gave up waiting")


def answer_recovery(qtbot, button: str, untick: tuple[str, ...] = ()) -> list:
    """Answer the recovery dialog when it appears (it is modal: exec())."""
    seen = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, RecoveryDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append([dialog.list.item(i).text() for i in range(dialog.list.count())])
        for i in range(dialog.list.count()):
            item = dialog.list.item(i)
            if any(t in item.text() for t in untick):
                rect = dialog.list.visualItemRect(item)
                # the check box sits at the row's left edge
                qtbot.mouseClick(dialog.list.viewport(), Qt.LeftButton,
                                 pos=rect.topLeft() + type(rect.topLeft())(10, rect.height() // 2))
        qtbot.mouseClick(getattr(dialog, f"{button}_button"), Qt.LeftButton)

    QTimer.singleShot(0, answer)
    return seen


@pytest.fixture
def editor(qtbot, data_home, monkeypatch):
    """The in-process editor of the restart (the real startup: session, windows, recovery)."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    ed = Editor(crash_reports=False)
    yield ed
    for w in list(ed.windows):
        w.document.undo_stack.setClean()
        w.close()
    if ed.session is not None:
        ed.session.close()


def course_folder(tmp_path: Path) -> Path:
    """A lecturer's folder: the Siegen curve fit beside its data."""
    course = tmp_path / "course"
    (course / "data").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "siegen_fit_curve.gs", course / "fit.gs")
    shutil.copy(ROOT / "examples" / "data" / "siegen_curve.csv", course / "data" / "siegen_curve.csv")
    return course


def test_a_killed_editor_gives_the_work_back(qtbot, data_home, tmp_path, monkeypatch):
    course = course_folder(tmp_path)
    killed = Editor_(data_home, tmp_path, course / "fit.gs", "--type", "side = E * 3",
                     "--output", "E")
    seen = killed.edited()
    assert "side" in seen["positions"] and seen["output"] == "E"
    folder = autosave_folder(data_home)
    files = wait_for(lambda: sorted(folder.glob("*.doc*.json")), timeout=5)  # within 5 s
    assert len(files) == 1 and files[0].parent == folder  # not beside the user's file
    assert sorted(p.name for p in course.iterdir()) == ["data", "fit.gs"]
    killed.kill()

    # the autosave is an ordinary document: `graphstudio eval` reads it, dataset and all
    out = subprocess.run([sys.executable, "-m", "graphstudio", "eval", str(files[0])],
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert "side" in out.stdout and "data inputs show row 1" in out.stderr

    # the restart offers it back; Restore
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    ed = Editor(crash_reports=False)
    try:
        window = ed.new_window()
        qtbot.waitExposed(window)
        listed = answer_recovery(qtbot, "restore")
        restored = ed.offer_recovery()
        assert restored == [window]
        assert "fit.gs" in listed[0][0] and str(course / "fit.gs") in listed[0][0]
        doc = window.document
        g = doc.graph
        assert {g.label(n): list(g.position(n)) for n in g.names().values()} == seen["positions"]
        assert g.label(doc.evaluation.output) == "E" and g.output == g.by_name("E")
        assert doc.path == course / "fit.gs" and doc.modified and window.isWindowModified()
        assert dataset_location(g, doc.folder()) == course / "data" / "siegen_curve.csv"
        assert doc.evaluation.values[g.by_name("side")] == pytest.approx(3 * doc.evaluation.values[g.by_name("E")])
        # the crashed session's files are gone; the restored document is autosaved anew
        assert not any(p.name.startswith(files[0].name.split(".")[0]) for p in folder.iterdir())
        qtbot.waitUntil(lambda: bool(list(folder.glob(f"{ed.session.sid}.doc*.json"))), timeout=5000)
        # saving it removes its autosave, and writes where the user's file is
        assert window.save_to(course / "fit.json")
        assert not list(folder.glob("*.doc*.json"))
    finally:
        for w in list(ed.windows):
            w.document.undo_stack.setClean()
            w.close()
        ed.session.close()


def test_two_editors_never_touch_each_others_autosaves(qtbot, data_home, tmp_path, editor):
    first = Editor_(data_home, tmp_path, "-", "--type", "first = 1")
    second = Editor_(data_home, tmp_path, "-", "--type", "second = 2")
    first.edited(), second.edited()
    folder = autosave_folder(data_home)
    files = wait_for(lambda: (lambda f: f if len(f) == 2 else None)(sorted(folder.glob("*.doc*.json"))))
    names = [json.loads(f.read_text())["nodes"][0]["name"] for f in files]
    assert sorted(names) == ["first", "second"]
    # while they run, a third editor offers nothing of theirs and leaves their files alone
    window = editor.new_window()
    assert editor.offer_recovery() == [] and len(list(folder.glob("*.doc*.json"))) == 2
    first.kill()
    # the first is gone: only its document is offered; Discard All deletes it
    listed = answer_recovery(qtbot, "discard")
    assert editor.offer_recovery() == []
    assert len(listed[0]) == 1 and "Untitled" in listed[0][0]
    left = list(folder.glob("*.doc*.json"))
    assert [json.loads(f.read_text())["nodes"][0]["name"] for f in left] == ["second"]
    assert len(window.document.graph) == 0
    second.kill()
    # restored into the empty window
    answer_recovery(qtbot, "restore")
    assert editor.offer_recovery() == [window]
    assert "second" in window.document.graph.names() and window.document.path is None


def test_restoring_several_documents_opens_a_window_each(qtbot, data_home, tmp_path, editor):
    # three documents of 1, 2 and 4 nodes (the dialog lists their sizes)
    texts = ["n1 = 1", "n2 = exp(2)", "n4 = exp(3) * 4"]
    procs = [Editor_(data_home, tmp_path, "-", "--type", text) for text in texts]
    for p in procs:
        p.edited()
    folder = autosave_folder(data_home)
    wait_for(lambda: len(list(folder.glob("*.doc*.json"))) == 3)
    for p in procs:
        p.kill()
    window = editor.new_window()
    listed = answer_recovery(qtbot, "restore", untick=("2 nodes",))
    restored = editor.offer_recovery()
    assert len(listed[0]) == 3 and len(restored) == 2 and restored[0] is window
    assert sorted(n for w in restored for n in w.document.graph.names()) == ["n1", "n4"]
    assert all(w.document.modified and w.isVisible() for w in restored)
    assert not list(folder.glob("s*.doc*.json")) or all(  # the unticked one is discarded
        "n2" not in f.read_text() for f in folder.glob("*.doc*.json"))


def test_decide_later_keeps_the_documents_for_the_next_start(qtbot, data_home, tmp_path, editor):
    proc = Editor_(data_home, tmp_path, "-", "--type", "kept = 4")
    proc.edited()
    folder = autosave_folder(data_home)
    wait_for(lambda: list(folder.glob("*.doc*.json")))
    proc.kill()
    editor.new_window()
    answer_recovery(qtbot, "later")
    assert editor.offer_recovery() == []
    assert len(list(folder.glob("*.doc*.json"))) == 1
    answer_recovery(qtbot, "restore")
    assert "kept" in editor.offer_recovery()[0].document.graph.names()


def test_quit_and_discard_leaves_nothing_behind_and_prints_nothing(data_home, tmp_path):
    proc = Editor_(data_home, tmp_path, ROOT / "examples" / "grosse_csc311.gs",
                   "--type", "w = z * 2", "--quit-discard")
    proc.edited()
    assert proc.proc.wait(timeout=60) == 0
    err = proc.proc.stderr.read()
    proc.proc.stdout.close()
    proc.proc.stderr.close()
    # nothing but the offscreen platform's notes (no "RuntimeError: Signal source has been
    # deleted", no traceback)
    assert [line for line in err.splitlines() if "This plugin does not support" not in line] == []
    assert not list(autosave_folder(data_home).glob("*"))


def test_save_undo_and_discard_remove_the_autosave(qtbot, data_home, tmp_path, editor, monkeypatch):
    window = editor.new_window()
    qtbot.waitExposed(window)
    folder = editor.session.folder
    window.build_expression("a = 2\nb = a * a")
    qtbot.waitUntil(lambda: len(list(folder.glob("*.doc*.json"))) == 1, timeout=5000)
    files = list(folder.glob("*.doc*.json"))
    assert json.loads(files[0].read_text())["nodes"][0]["name"] == "a"
    window.document.undo_stack.undo()  # back to the saved (empty) state: nothing to recover
    assert not list(folder.glob("*.doc*.json"))
    window.build_expression("c = 3")
    qtbot.waitUntil(lambda: len(list(folder.glob("*.doc*.json"))) == 1, timeout=5000)
    assert window.save_to(tmp_path / "c.json")
    assert not list(folder.glob("*.doc*.json"))
    window.build_expression("d = c + 1")
    qtbot.waitUntil(lambda: len(list(folder.glob("*.doc*.json"))) == 1, timeout=5000)
    # a later edit is in the next write
    window.build_expression("e = d + 1")
    qtbot.waitUntil(lambda: "e" in [n["name"] for n in json.loads(
        next(folder.glob("*.doc*.json")).read_text())["nodes"]], timeout=5000)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    window.new_document()  # discarded
    assert not list(folder.glob("*.doc*.json"))
