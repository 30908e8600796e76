"""File > Open on the files that broke the readers (issue 9's fuzzing findings): each shows a
message box naming the file and what is wrong, and the open document stays as it was."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

BAD_FILES = {
    "huge_integer.gs": ("a = " + "9" * 400 + "\n", "bad/huge_integer.gs:1:5: an integer of 400"),
    "minus_signs.gs": ("a = " + "-" * 10_000 + "1\n", "bad/minus_signs.gs:1:1: expression nested"),
    "onehot.gs": ('dataset("d.csv")\nt = data("y", onehot=1e9)\n', "bad/onehot.gs:2:22: onehot="),
    # deeper than Python's JSON reader goes (3.11 stops at about 1,000 levels, 3.13 at
    # about 10,000; a shallower list is read, and is then "not a GraphStudio document")
    "deep.json": ("[" * 100_000 + "]" * 100_000, "bad/deep.json:1:500: lists or objects nested"),
    "op_list.json": (json.dumps({"format_version": 1, "nodes": [{"id": 0, "op": ["input"]}],
                                 "edges": []}), "bad/op_list.json: nodes[0].op: expected"),
    "nul.json": (json.dumps({"format_version": 1, "nodes": [], "edges": [],
                             "dataset": "a\x00b"}), "bad/nul.json: dataset: the file name"),
    "digits.json": ('{"format_version": 1, "nodes": [], "edges": [], "x": ' + "1" * 5000 + "}",
                    "bad/digits.json:1:"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_file_open_of_a_bad_file_shows_a_message_box(window, qtbot, monkeypatch, tmp_path, name):
    text, expected = BAD_FILES[name]
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    window.build_expression("keep = 7")
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(folder / name), ""))
    seen: list[str] = []

    def answer_the_box():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, answer_the_box)
            return
        seen.append(box.text())
        ok = box.findChild(QDialogButtonBox).buttons()[0]
        qtbot.mouseClick(ok, Qt.LeftButton)

    QTimer.singleShot(0, answer_the_box)
    qtbot.keyClick(window, Qt.Key_O, Qt.ControlModifier)  # File > Open…
    qtbot.waitUntil(lambda: bool(seen))
    assert len(seen) == 1
    assert seen[0].startswith(f"{tmp_path}/{expected}"), seen[0]
    assert len(seen[0]) < 400
    assert "keep" in window.document.graph.names()
