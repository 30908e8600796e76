"""An exception inside the editor shows a report and keeps the document (no silent traceback)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QToolButton

from graphstudio.ui import crash


def toolbar_button(window, action) -> QToolButton:
    return next(b for b in window.findChildren(QToolButton) if b.defaultAction() is action)


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_shows_a_report_autosaves_and_keeps_the_document(window, qtbot, monkeypatch):
    window.build_expression("a = 2\nb = a * 3")
    before = sorted(window.document.graph.names())
    saved = []

    def broken(*_args, **_kwargs):
        raise RuntimeError("the layout fell over")

    monkeypatch.setattr("graphstudio.ui.main_window.ArrangeCommand", broken)
    old = sys.excepthook
    reporter = crash.install(lambda: saved.append(True))
    try:
        qtbot.mouseClick(toolbar_button(window, window.act_arrange), Qt.LeftButton)
        qtbot.waitUntil(lambda: reporter.box is not None and reporter.box.isVisible())
        box = reporter.box
        assert "RuntimeError: the layout fell over" in box.text()
        assert "document is kept" in box.informativeText()
        assert "broken" in box.detailedText()  # the traceback, for a bug report
        assert saved == [True]
        # a second error while the report is open is counted in it, not a second dialog
        qtbot.mouseClick(toolbar_button(window, window.act_arrange), Qt.LeftButton)
        assert "2 errors so far" in box.informativeText() and saved == [True, True]
        assert len([w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()]) == 1
        qtbot.mouseClick(box.button(QMessageBox.Ok), Qt.LeftButton)
        qtbot.waitUntil(lambda: reporter.box is None)
    finally:
        sys.excepthook = old
    # the editor goes on, with the document as it was
    assert sorted(window.document.graph.names()) == before and window.document.modified
    assert window.build_expression("c = b + 1")
