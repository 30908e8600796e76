"""Networks and training inside the editor's window: the menu items, the undo stack, and the
canvas following a run (the ``graphstudio.ui.training`` extension)."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer

from graphstudio.ui import extensions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SIEGEN = EXAMPLES / "siegen_fit_curve.gs"
PARAMS = ("w1", "b1", "w2", "b2")


@pytest.fixture
def window(qtbot, tmp_path):
    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(tmp_path))
    from graphstudio.ui.main_window import MainWindow

    w = MainWindow()  # closed below, after marking it saved (qtbot.addWidget would close it
    w.show()          # first, and the unsaved-changes question would wait for an answer)
    qtbot.waitExposed(w)
    yield w
    w.training.panel.shutdown()
    w.document.undo_stack.setClean()  # no "unsaved changes" question while tearing down
    w.close()
    w.deleteLater()


def action(window, text):
    found = [a for a in window.menu("Graph").actions() if a.text().replace("&", "") == text]
    assert found, f"Graph > {text} is missing"
    return found[0]


def values(window, names=PARAMS):
    g = window.document.graph
    return {n: np.array(g.value(g.by_name(n)), dtype=float) for n in names}


def same(a, b):
    return all(np.array_equal(a[k], b[k]) for k in a)


def train(qtbot, window, steps, lr):
    action(window, "Train…").trigger()
    panel = window.training.panel
    assert window.training.dock.isVisible()
    qtbot.waitExposed(panel)
    for spin, text in ((panel.steps, str(steps)), (panel.lr, str(lr))):
        spin.selectAll()
        qtbot.keyClicks(spin, text)
        spin.interpretText()
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    return panel


def test_the_extension_is_installed():
    assert "graphstudio.ui.training" in extensions.EXTENSIONS


def test_new_network_into_an_empty_graph_is_one_undo_step(qtbot, window):
    action(window, "New Network…").trigger()
    dialog = window.training.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.dataset_box.setCurrentIndex(dialog.dataset_box.findText("siegen_curve.csv"))
    qtbot.mouseClick(dialog.build_button, Qt.LeftButton)
    g = window.document.graph
    assert {"x", "t", "W1", "b1", "W2", "b2", "z1", "h1", "z2", "L"} <= set(g.names())
    assert g.label(window.document.evaluation.output) == "L"
    assert g.meta["dataset"].endswith("siegen_curve.csv")
    stack = window.document.undo_stack
    assert stack.count() == 1
    stack.undo()
    assert len(window.document.graph) == 0 and "dataset" not in window.document.graph.meta
    stack.redo()
    assert "W1" in window.document.graph.names()


def test_new_network_beside_an_existing_graph(qtbot, window):
    bar = window.expression_bar.edit
    qtbot.keyClicks(bar, "W1 = 2 * 3")
    qtbot.keyClick(bar, Qt.Key_Return)
    g = window.document.graph
    assert set(g.names()) == {"W1"}
    right = max(g.position(n)[0] for n in g.nodes())
    action(window, "New Network…").trigger()
    dialog = window.training.dialog
    assert dialog.into_current.isEnabled()
    dialog.dataset_box.setCurrentIndex(dialog.dataset_box.findText("seoul_plane.csv"))
    qtbot.mouseClick(dialog.into_current, Qt.LeftButton, pos=QPoint(8, dialog.into_current.height() // 2))
    qtbot.mouseClick(dialog.build_button, Qt.LeftButton)
    names = set(g.names())
    # the name already taken gets a suffix; the old node is untouched
    assert {"W1", "W1_2", "b1", "W2", "L"} <= names
    assert g.op(g.by_name("W1")) == "mul"
    assert all(g.position(g.by_name(n))[0] > right for n in ("W1_2", "b1", "L"))
    assert g.label(g.output) == "L"
    window.document.undo_stack.undo()
    assert set(g.names()) == {"W1"} and "dataset" not in g.meta


def test_the_window_stays_alive_and_the_canvas_follows_the_run(qtbot, window):
    assert window.open_file(SIEGEN, ask=False)
    before = values(window)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(window.training.panel.state))
    timer.start(10)
    panel = train(qtbot, window, 100000, 0.5)
    # the event loop runs and the canvas shows the current parameters while the thread trains
    qtbot.waitUntil(lambda: ticks.count("running") >= 20 and window.canvas.step_mode, timeout=30000)
    timer.stop()
    g = window.document.graph
    w1 = g.by_name("w1")
    qtbot.waitUntil(lambda: not np.array_equal(window.scene.nodes[w1].view.value, before["w1"]),
                    timeout=30000)
    assert same(values(window), before)  # the document itself is untouched
    qtbot.mouseClick(panel.stop_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=30000)


def test_keep_sets_the_trained_parameters_in_one_undoable_step(qtbot, window):
    assert window.open_file(SIEGEN, ask=False)
    before = values(window)
    panel = train(qtbot, window, 200, 0.5)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=60000)  # a busy machine
    assert len(panel.chart.points) == 200
    # the canvas shows the trained parameters; the document still holds the file's
    trained = {window.document.graph.label(n): v for n, v in panel.result.items()}
    qtbot.waitUntil(lambda: window.canvas.step_mode, timeout=30000)
    qtbot.waitUntil(lambda: np.array_equal(
        window.scene.nodes[window.document.graph.by_name("w1")].view.value, trained["w1"]), timeout=30000)
    assert same(values(window), before)
    shown_loss = window.scene.picture.nodes[window.document.graph.by_name("E")].value
    assert np.isfinite(shown_loss)

    qtbot.mouseClick(panel.keep_button, Qt.LeftButton)
    assert not window.canvas.step_mode
    assert same(values(window), {k: np.asarray(v, dtype=float) for k, v in trained.items()})
    stack = window.document.undo_stack
    assert stack.count() == 1 and window.isWindowModified()
    stack.undo()
    assert same(values(window), before)
    stack.redo()
    assert not same(values(window), before)


def test_revert_leaves_the_graph_as_it_was(qtbot, window):
    assert window.open_file(SIEGEN, ask=False)
    before = values(window)
    panel = train(qtbot, window, 30, 0.5)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=60000)  # a busy machine
    qtbot.waitUntil(lambda: window.canvas.step_mode, timeout=30000)
    qtbot.mouseClick(panel.revert_button, Qt.LeftButton)
    assert not window.canvas.step_mode
    assert same(values(window), before)
    assert window.document.undo_stack.count() == 0
    w1 = window.document.graph.by_name("w1")
    assert np.array_equal(window.scene.nodes[w1].view.value, before["w1"])


def test_divergence_stops_with_a_message_and_no_nan_on_the_canvas(qtbot, window):
    assert window.open_file(SIEGEN, ask=False)
    panel = train(qtbot, window, 500, 1000)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=60000)  # a busy machine
    assert "diverged" in panel.problem.text() and panel.problem.isVisible()
    qtbot.waitUntil(lambda: window.canvas.step_mode, timeout=30000)
    qtbot.wait(250)  # the last coalesced preview
    for view in window.scene.picture.nodes.values():
        if view.value is not None:
            assert np.all(np.isfinite(view.value)), view.title
    qtbot.mouseClick(panel.keep_button, Qt.LeftButton)
    assert all(np.all(np.isfinite(v)) for v in values(window).values())


def test_opening_another_file_discards_a_run(qtbot, window):
    assert window.open_file(SIEGEN, ask=False)
    panel = train(qtbot, window, 100000, 0.1)
    qtbot.waitUntil(lambda: len(panel.chart.points) > 0, timeout=30000)
    assert window.open_file(EXAMPLES / "seoul_sgd_l2.gs", ask=False)
    assert panel.state == "idle" and panel.thread is None
    assert not window.canvas.step_mode
    assert "W" in panel.info.text() and "over seoul_plane.csv" in panel.info.text()


def test_the_status_line_neither_widens_the_panel_nor_moves_the_curve(qtbot, window):
    assert window.open_file(SIEGEN, ask=False)
    action(window, "Train…").trigger()
    panel = window.training.panel
    qtbot.waitExposed(panel)
    panel.batch_kind.setFocus()
    qtbot.keyClick(panel.batch_kind, Qt.Key_Down)  # Minibatch: the status counts epochs too
    assert panel.batch_kind.currentText() == "Minibatch"
    width = window.training.dock.width()
    panel = train(qtbot, window, 100000, 0.5)
    qtbot.waitUntil(lambda: panel.status.text().startswith("step "), timeout=20000)
    chart_top, first = panel.chart.y(), panel.status.text()
    qtbot.waitUntil(lambda: panel.status.text() != first, timeout=20000)
    assert "epochs done" in panel.status.text() and "|∇|" in panel.status.text()
    assert window.training.dock.width() == width
    assert panel.chart.y() == chart_top
    qtbot.mouseClick(panel.stop_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=5000)


def test_an_edit_during_a_run_shows_in_the_next_frame(qtbot, window):
    from graphstudio.ui.commands import RenameCommand

    assert window.open_file(SIEGEN, ask=False)
    panel = train(qtbot, window, 100000, 0.5)
    qtbot.waitUntil(lambda: window.canvas.step_mode and panel.last is not None, timeout=30000)
    qtbot.mouseClick(panel.pause_button, Qt.LeftButton)
    g = window.document.graph
    w1 = g.by_name("w1")
    assert window.scene.nodes[w1].view.title == "w1"
    window.document.push(RenameCommand(window.document, w1, "weights"))
    qtbot.mouseClick(panel.pause_button, Qt.LeftButton)  # Resume: the run's frames go on
    step = panel.last.step
    qtbot.waitUntil(lambda: panel.last.step > step and window.canvas.step_mode, timeout=30000)
    # the canvas still shows the run (trained values) under the new name
    qtbot.waitUntil(lambda: window.scene.nodes[w1].view.title == "weights", timeout=30000)
    assert not np.array_equal(window.scene.nodes[w1].view.value, g.value(w1))
    qtbot.mouseClick(panel.stop_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=30000)


def test_boxes_only_grow_while_a_run_goes_and_fit_its_last_picture(qtbot, window):
    from graphstudio.render.draw import node_rect

    assert window.open_file(EXAMPLES / "seoul_sgd_l2.gs", ask=False)
    widths = []  # each frame's box widths, read after the canvas has drawn the frame
    window.training.panel.preview.connect(
        lambda _values: widths.append({n: i.rect.width() for n, i in window.scene.nodes.items()}))
    panel = train(qtbot, window, 100000, 0.5)
    qtbot.waitUntil(lambda: len(widths) >= 15, timeout=30000)
    qtbot.mouseClick(panel.stop_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=30000)
    running = widths[:15]
    for n in running[0]:  # steady boxes: a number that loses a digit leaves its box as it is
        assert all(a[n] <= b[n] for a, b in zip(running, running[1:])), window.document.graph.label(n)
    # the run's last picture: every box fits what it shows, no wider
    for item in window.scene.nodes.values():
        assert item.rect == node_rect(item.view, (0.0, 0.0), item.theme)


def test_a_growing_picture_keeps_a_box_wide_until_a_fitted_one_comes(qtbot, window):
    from graphstudio.core.engine import evaluate
    from graphstudio.render.draw import node_rect
    from graphstudio.render.picture import build_picture

    assert window.open_file(SIEGEN, ask=False)
    g = window.document.graph
    w1, scene = g.by_name("w1"), window.scene
    positions = {n: (i.pos().x(), i.pos().y()) for n, i in scene.nodes.items()}

    def picture(value):
        copy = g.copy()
        copy.set_value(w1, np.full(np.shape(g.value(w1)), value))
        return build_picture(copy, evaluate(copy), positions)

    scene.show_picture(picture(0.5), grow_only=True)  # wide numbers (its gradients)
    wide = scene.nodes[w1].rect
    scene.show_picture(picture(-123.456), grow_only=True)  # narrower: the box stays as wide
    grown = scene.nodes[w1].rect
    assert grown.contains(wide)
    scene.show_picture(picture(-123.456))  # a fitted picture: the box fits its numbers
    item = scene.nodes[w1]
    assert item.rect == node_rect(item.view, (0.0, 0.0), item.theme)
    assert item.rect.width() < grown.width()


def test_a_window_torn_down_during_a_run_stops_its_thread(qtbot, tmp_path):
    """A window deleted without closing (a script's at exit) while it trains: its training
    thread is stopped and waited for, and nothing touches the widgets already gone."""
    import shiboken6

    from graphstudio.ui.main_window import MainWindow

    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(tmp_path))
    w = MainWindow()
    w.show()
    qtbot.waitExposed(w)
    assert w.open_file(SIEGEN, ask=False)
    panel = train(qtbot, w, 100000, 0.1)
    qtbot.waitUntil(lambda: len(panel.chart.points) > 0, timeout=30000)
    thread = panel.thread
    assert thread.isRunning()
    w.document.undo_stack.setClean()
    shiboken6.delete(w)  # the C++ window and its widgets go at once, as at exit
    assert thread.isFinished()
