"""Trained parameters that are not kept yet are the user's work: File > New, Open or Quit asks
first. Keep puts them in the graph (then "Save the changes?" follows), Discard drops them,
Cancel leaves everything as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from test_dataset_flows import start_training

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "siegen_fit_curve.gs"
B = QMessageBox.StandardButton


def _answering(monkeypatch, *answers):
    """QMessageBox.question answering ``answers`` in turn; returns the titles it was asked."""
    asked, queue = [], list(answers)

    def question(_parent, title, *_a, **_k):
        asked.append(title)
        return queue.pop(0) if queue else B.Discard  # (the fixture closes the window after)

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


@pytest.fixture
def trained(window, qtbot):
    window.open_file(str(EXAMPLE), ask=False)
    panel = start_training(qtbot, window)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=20000)
    assert not window.document.modified  # trained, nothing in the graph yet
    return panel


def test_cancel_keeps_the_document_and_the_trained_parameters(window, qtbot, trained,
                                                              monkeypatch):
    asked = _answering(monkeypatch, B.Cancel)
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)  # File > New
    assert asked == ["Trained parameters not kept"]
    assert window.document.path == EXAMPLE and trained.state == "finished"
    assert trained.keep_button.isEnabled()


def test_keep_puts_them_in_the_graph_and_then_asks_to_save(window, qtbot, trained, monkeypatch):
    result = dict(trained.result)
    asked = _answering(monkeypatch, B.Yes, B.Cancel)
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    assert asked == ["Trained parameters not kept", "Unsaved changes"]
    assert window.document.path == EXAMPLE and window.document.modified
    g = window.document.graph
    for node, value in result.items():
        assert g.value(node) == pytest.approx(value)


def test_discard_drops_them_and_goes_on(window, qtbot, trained, monkeypatch):
    asked = _answering(monkeypatch, B.Discard)
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    assert asked == ["Trained parameters not kept"]
    assert window.document.path is None and len(window.document.graph) == 0
    assert trained.state == "idle"


def test_the_status_bar_says_whose_numbers_the_canvas_shows(window, qtbot, trained):
    """While the canvas previews the trained parameters, the status bar gives the output's
    trained value and says it is not kept; Revert brings back the document's."""
    from graphstudio.core.engine import evaluate
    from graphstudio.core.numbers import format_value

    g = window.document.graph.copy()
    for node, value in trained.result.items():
        g.set_value(node, value)
    out = window.document.evaluation.output
    trained_value = format_value(evaluate(g).values[out])
    kept_value = format_value(window.document.evaluation.values[out])
    assert trained_value != kept_value
    label = window.eval_label
    qtbot.waitUntil(lambda: "trained, not kept yet" in label.text())
    assert f"= {trained_value} (trained, not kept yet)" in label.text()
    qtbot.mouseClick(trained.revert_button, Qt.LeftButton)
    assert f"= {kept_value}" in label.text() and "trained" not in label.text()
