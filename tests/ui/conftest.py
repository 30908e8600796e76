"""Fixtures for the editor's GUI tests: a shown main window (its own settings folder comes
from tests/conftest.py, as for every test)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture
def window(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from graphstudio.ui.main_window import DEFAULT_SIZE, MainWindow

    # a dialog nobody answers would hang the run: unless a test says otherwise, discard
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)

    w = MainWindow()
    # the size a desktop's screen lets it have (Qt's offscreen screen is only 800×800; the
    # default size on small screens is tested in test_readable_on_open.py)
    w.resize(*DEFAULT_SIZE)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.canvas.setFocus()
    yield w
    w.document.undo_stack.setClean()  # no "unsaved changes" question while tearing down
    w.close()
