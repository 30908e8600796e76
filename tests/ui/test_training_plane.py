"""The Training panel's Playground view, driven as a person does: the output over the input
plane (its numbers equal the graph evaluated at those points), the held-out curve (its numbers
equal the loss by hand on those rows), Save PNG, and the row the canvas shows."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage

from graphstudio.core.dataset import load_for_graph
from graphstudio.core.engine import evaluate
from graphstudio.core.plane import Plane
from graphstudio.core.train import held_out_rows
from graphstudio.io import open_document

from test_training_panel import panel, set_spin  # noqa: F401  (the fixture, shared)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEOUL = EXAMPLES / "seoul_sgd_l2.gs"
CLASSIFY = EXAMPLES / "cmu11785_classify.gs"


def at_point(graph, plane, x, y, params=None):
    """The shown node at (x, y) by the engine, one example, with ``params`` set."""
    g = graph.copy()
    for n, v in (params or {}).items():
        g.set_value(n, v)
    for n, cols in plane.setup.feeds.items():
        g.set_value(n, float((x, y)[cols[0]]) if len(cols) == 1 else np.array([x, y]))
    v = evaluate(g).values[plane.setup.shown]
    return v[plane.setup.component] if plane.setup.component is not None else v


def seoul_loss(graph, ds, params, rows):
    W, v = params[graph.by_name("W")], params[graph.by_name("v")]
    x = np.column_stack([ds.column("x1"), ds.column("x2")])[list(rows)]
    y = ds.column("y")[list(rows)]
    yhat = (1 / (1 + np.exp(-(x @ W.T)))) @ v
    return float(np.mean((yhat - y) ** 2) + 0.001 * (np.sum(W ** 2) + np.sum(v ** 2)))


def train(qtbot, panel, steps, lr, holdout=None):
    set_spin(qtbot, panel.steps, str(steps))
    set_spin(qtbot, panel.lr, str(lr))
    if holdout is not None:
        set_spin(qtbot, panel.holdout, str(holdout))
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=30000)


def test_the_plane_shows_the_graph_before_training(qtbot, panel):
    graph = open_document(CLASSIFY).graph
    panel.set_graph(graph, EXAMPLES)
    view = panel.plane
    assert view.canvas.isVisible() and not view.why.isVisible()
    grid = view.values()
    plane = Plane(graph, load_for_graph(graph, EXAMPLES))
    for i, j in [(0, 0), (20, 31), (47, 47)]:
        assert grid.values[i, j] == pytest.approx(at_point(graph, plane, grid.xs[j], grid.ys[i]), rel=1e-12)
    qtbot.waitUntil(lambda: view.canvas.paints >= 1)  # painted when the event loop runs


def test_training_moves_the_plane_and_ends_at_the_trained_output(qtbot, panel):
    graph = open_document(CLASSIFY).graph
    panel.set_graph(graph, EXAMPLES)
    before = panel.plane.values().values.copy()
    paints = panel.plane.canvas.paints
    train(qtbot, panel, 150, 0.5)
    assert not panel.settings_box.isVisible()  # folded away for the run's pictures
    grid = panel.plane.values()
    assert not np.allclose(grid.values, before)
    assert panel.plane.canvas.paints > paints
    plane = Plane(graph, load_for_graph(graph, EXAMPLES))
    for i, j in [(3, 4), (40, 10), (25, 25)]:
        want = at_point(graph, plane, grid.xs[j], grid.ys[i], panel.result)
        assert grid.values[i, j] == pytest.approx(want, rel=1e-12)
    # Revert: the graph's own parameters again, and the settings back
    qtbot.mouseClick(panel.revert_button, Qt.LeftButton)
    np.testing.assert_allclose(panel.plane.values().values, before, rtol=1e-12)
    assert panel.settings_box.isVisible()


def test_held_out_curve_equals_the_loss_by_hand_on_those_rows(qtbot, panel):
    graph = open_document(SEOUL).graph
    ds = load_for_graph(graph, EXAMPLES)
    panel.set_graph(graph, EXAMPLES)
    set_spin(qtbot, panel.seed, "5")
    train(qtbot, panel, 40, 0.5, holdout=25)
    rows = held_out_rows(len(ds), 0.25, seed=5)
    t = panel.trainer
    assert t.held_out == rows and t.n_examples == len(ds) - len(rows)
    chart = panel.chart
    assert len(chart.held_points) == 40 and chart.chart().legend().isVisible()
    assert [s for s, _v in chart.held_points] == list(range(1, 41))
    # the first point is at the initial parameters, the last at those before the last update
    initial = {n: graph.value(n) for n in t.param_nodes}
    assert chart.held_points[0][1] == pytest.approx(seoul_loss(graph, ds, initial, rows), rel=1e-10)
    last_start = t.history[-2].params
    assert chart.held_points[-1][1] == pytest.approx(seoul_loss(graph, ds, last_start, rows), rel=1e-10)
    assert chart.shown_points(held=True)[-1][1] == pytest.approx(chart.held_points[-1][1])
    assert "held-out rows" in panel.status.text()


def test_no_holdout_no_second_curve(qtbot, panel):
    panel.set_graph(open_document(SEOUL).graph, EXAMPLES)
    train(qtbot, panel, 10, 0.5)
    assert panel.chart.held_points == [] and not panel.chart.chart().legend().isVisible()


def test_save_png_writes_the_picture(qtbot, panel, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    panel.set_graph(open_document(SEOUL).graph, EXAMPLES)
    out = tmp_path / "seoul plane"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PNG image (*.png)"))
    messages = []
    panel.message.connect(messages.append)
    qtbot.mouseClick(panel.plane.save_button, Qt.LeftButton)
    image = QImage(str(out) + ".png")
    assert not image.isNull() and image.width() >= 400
    assert messages and "Saved" in messages[-1]


def test_no_plane_says_why_in_the_panel(qtbot, panel):
    panel.set_graph(open_document(EXAMPLES / "siegen_fit_curve.gs").graph, EXAMPLES)
    assert panel.plane.why.isVisible() and not panel.plane.canvas.isVisible()
    assert "needs two input columns; this network reads 1 (x)" in panel.plane.why.text()
    assert not panel.plane.save_button.isEnabled()


@pytest.fixture
def window(qtbot, tmp_path):
    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(tmp_path))
    from graphstudio.ui.main_window import MainWindow

    w = MainWindow()
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.training.panel.shutdown()
    w.document.undo_stack.setClean()
    w.close()
    w.deleteLater()


def test_the_row_spin_box_shows_that_row_on_the_canvas(qtbot, window):
    assert window.open_file(str(SEOUL), ask=False)
    window.training.show_panel()
    panel = window.training.panel
    qtbot.waitUntil(lambda: panel.row.isEnabled(), timeout=5000)
    assert panel.row.maximum() == 40
    ds = load_for_graph(window.document.graph, EXAMPLES)
    g = window.document.graph
    x = g.by_name("x")
    set_spin(qtbot, panel.row, "7")
    want = np.array([ds.column("x1")[6], ds.column("x2")[6]])
    np.testing.assert_array_equal(g.value(x), want)
    assert g.value(g.by_name("y")) == ds.column("y")[6]
    # the canvas's evaluation is that row's forward and backward pass
    ev = window.document.evaluation
    assert ev.values[g.by_name("x")].tolist() == want.tolist()
    window.document.undo_stack.undo()
    np.testing.assert_array_equal(g.value(x), [ds.column("x1")[0], ds.column("x2")[0]])


def test_the_canvas_shows_the_picture_of_its_scene_as_it_changes(qtbot, panel):
    # the picture is kept between paints (a frame repaints the panel around it), and drawn
    # anew for a new scene: what the widget shows is always its scene painted now
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QPainter

    from graphstudio.render.plane import paint_plane

    graph = open_document(CLASSIFY).graph
    panel.set_graph(graph, EXAMPLES)
    canvas = panel.plane.canvas
    theme = panel.plane.theme()

    def pixels(img):
        img = img.convertToFormat(QImage.Format_ARGB32)
        raw = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
        return raw[:, :img.width() * 4].reshape(img.height(), img.width(), 4).astype(int)

    def shown():
        return pixels(canvas.grab().toImage())

    def painted(scene=None):  # a scene painted now into an image of the canvas's size
        img = QImage(canvas.width(), canvas.height(), QImage.Format_ARGB32_Premultiplied)
        img.fill(QColor(theme.background))
        painter = QPainter(img)
        paint_plane(painter, QRectF(img.rect()), scene or canvas.scene, theme)
        painter.end()
        return pixels(img)

    def same(a, b):  # what lies over the heat map is copied from a picture of its own:
        # compositing an antialiased edge rounds a step or two apart, on a few pixels
        diff = np.abs(a - b).max(axis=2)
        return diff.max() <= 2 and (diff > 1).sum() <= 6

    first, before = shown(), canvas.scene
    assert same(first, painted())
    assert (shown() == first).all()  # painted again from the picture kept
    train(qtbot, panel, 150, 0.5)  # the settings fold away: the canvas is taller, too
    now = shown()
    assert same(now, painted()) and not same(now, painted(before))
