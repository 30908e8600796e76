"""The training panel (Graph > Train…) as a person uses it: real buttons, a real background
thread, the event loop kept running while it trains."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer

from graphstudio.core.dataset import parse_csv
from graphstudio.io import open_document
from graphstudio.io.gs import parse_file, parse_text
from graphstudio.ui.training.train_panel import TrainPanel

from new_op import unbatchable  # noqa: F401  (the fixture)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SIEGEN = EXAMPLES / "siegen_fit_curve.gs"


@pytest.fixture
def panel(qtbot):
    p = TrainPanel()
    qtbot.addWidget(p)
    p.resize(360, 700)
    p.show()
    qtbot.waitExposed(p)  # as a person sees the panel before pressing Start
    yield p
    p.shutdown()  # never leave a training thread running past the test


def siegen_loss(params: dict[str, np.ndarray]) -> float:
    """Siegen's E = mean over the examples of (w2 · sigmoid(w1 x + b1) + b2 - y)², in numpy,
    straight from the CSV (not through the engine)."""
    ds = parse_csv((EXAMPLES / "data" / "siegen_curve.csv").read_text())
    x, y = ds.column("x"), ds.column("y")
    h = 1 / (1 + np.exp(-(np.outer(x, params["w1"]) + params["b1"])))
    return float(np.mean((h @ params["w2"] + params["b2"] - y) ** 2))


def load_siegen(panel):
    graph = open_document(SIEGEN).graph
    panel.set_graph(graph, EXAMPLES)
    return graph


def set_spin(qtbot, spin, text):
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    spin.interpretText()


def by_name(graph, values):
    return {graph.label(n): v for n, v in values.items()}


def test_the_event_loop_keeps_running_while_it_trains(qtbot, panel):
    load_siegen(panel)
    set_spin(qtbot, panel.steps, "100000")
    ticks, updates = [], []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(panel.state))
    timer.start(10)
    panel.preview.connect(lambda _values: updates.append(panel.state))
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    assert panel.state == "running"
    # a 10 ms timer keeps ticking and the curve keeps growing while the thread trains
    qtbot.waitUntil(lambda: ticks.count("running") >= 20 and updates.count("running") >= 3,
                    timeout=8000)
    timer.stop()
    assert 0 < len(panel.chart.points) < 100000
    qtbot.mouseClick(panel.stop_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=5000)


def test_the_loss_falls_and_keep_hands_over_the_trained_parameters(qtbot, panel):
    graph = load_siegen(panel)
    set_spin(qtbot, panel.steps, "300")
    set_spin(qtbot, panel.lr, "0.5")
    previews = []
    panel.preview.connect(previews.append)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=60000)  # a busy machine
    # one point per step on the curve, the progress bar full
    points = panel.chart.points
    assert [s for s, _ in points] == list(range(1, 301))
    assert panel.progress_bar.value() == 300
    # the first point is the loss at the file's parameters, computed here with numpy
    initial = {k: np.asarray(graph.value(graph.by_name(k))) for k in ("w1", "b1", "w2", "b2")}
    assert points[0][1] == pytest.approx(siegen_loss(initial), rel=1e-9)
    # the canvas was fed while training (throttled: a few previews, not one per step)
    assert 1 <= len(previews) < 300
    # Keep hands over parameters whose loss (numpy again) is far below the initial loss
    with qtbot.waitSignal(panel.apply_requested) as kept:
        qtbot.mouseClick(panel.keep_button, Qt.LeftButton)
    trained = by_name(graph, kept.args[0])
    assert set(trained) == {"w1", "b1", "w2", "b2"}
    assert siegen_loss(trained) < 0.25 * siegen_loss(initial)
    assert siegen_loss(trained) == pytest.approx(points[-1][1], rel=0.05)
    assert panel.state == "idle" and panel.start_button.isEnabled()


def test_pause_resume_and_stop(qtbot, panel):
    load_siegen(panel)
    set_spin(qtbot, panel.steps, "100000")
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(panel.chart.points) >= 3, timeout=5000)
    qtbot.mouseClick(panel.pause_button, Qt.LeftButton)
    assert panel.pause_button.text() == "Resume"
    qtbot.wait(150)  # the step in flight finishes and is reported
    held = len(panel.chart.points)
    qtbot.wait(250)
    assert len(panel.chart.points) == held  # nothing moves while paused
    assert panel.trainer.step_count == held
    qtbot.mouseClick(panel.pause_button, Qt.LeftButton)
    assert panel.pause_button.text() == "Pause"
    qtbot.waitUntil(lambda: len(panel.chart.points) > held, timeout=5000)
    qtbot.mouseClick(panel.stop_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=5000)
    assert panel.trainer.step_count < 100000
    assert "Stopped after" in panel.status.text()
    assert panel.keep_button.isEnabled() and panel.revert_button.isEnabled()
    assert not panel.stop_button.isEnabled()


def test_revert_hands_nothing_over(qtbot, panel):
    load_siegen(panel)
    set_spin(qtbot, panel.steps, "20")
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=5000)
    applied = []
    panel.apply_requested.connect(applied.append)
    with qtbot.waitSignal(panel.reverted):
        qtbot.mouseClick(panel.revert_button, Qt.LeftButton)
    assert applied == []
    assert panel.state == "idle" and not panel.keep_button.isEnabled()


def test_a_divergent_learning_rate_stops_with_a_message_and_finite_parameters(qtbot, panel):
    graph = load_siegen(panel)
    set_spin(qtbot, panel.steps, "500")
    set_spin(qtbot, panel.lr, "1000")
    previews = []
    panel.preview.connect(previews.append)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=5000)
    assert panel.problem.isVisible()
    assert "diverged" in panel.problem.text()
    assert panel.trainer.step_count < 500
    # what the canvas was shown and what Keep would set are finite numbers
    assert previews and all(np.all(np.isfinite(v)) for p in previews for v in p.values())
    with qtbot.waitSignal(panel.apply_requested) as kept:
        qtbot.mouseClick(panel.keep_button, Qt.LeftButton)
    values = by_name(graph, kept.args[0])
    assert all(np.all(np.isfinite(v)) for v in values.values())
    assert np.isfinite(siegen_loss(values))


def test_minibatch_steps_over_shuffled_batches(qtbot, panel):
    graph = open_document(EXAMPLES / "seoul_sgd_l2.gs").graph
    panel.set_graph(graph, EXAMPLES)
    set_spin(qtbot, panel.steps, "10")
    panel.batch_kind.setCurrentIndex(1)
    assert panel.batch_size.isEnabled()
    set_spin(qtbot, panel.batch_size, "8")
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=5000)
    t = panel.trainer
    assert t.batch_size == 8
    assert [len(r.batch) for r in t.history] == [8] * 10
    # 40 examples in batches of 8: every example once in each of the two epochs
    assert sorted(sum((r.batch for r in t.history[:5]), ())) == list(range(40))
    # epochs completed after each step: the fifth and the tenth step finish a pass
    assert [r.epoch for r in t.history] == [0] * 4 + [1] * 5 + [2]


def test_a_schedule_changes_the_learning_rate_after_the_given_step(qtbot, panel):
    load_siegen(panel)
    set_spin(qtbot, panel.steps, "6")
    set_spin(qtbot, panel.lr, "0.5")
    panel.schedule_kind.setCurrentIndex(1)
    # the field is too narrow for an explanation: the hint under it says what to type
    assert panel.schedule_hint.text() == "lr 0.5, then STEPS:RATE pairs"
    qtbot.keyClicks(panel.schedule_text, "3:0.2")
    assert panel.schedule_hint.text() == "lr 0.5, 0.2 after step 3"
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=5000)
    assert [r.lr for r in panel.trainer.history] == [0.5, 0.5, 0.5, 0.2, 0.2, 0.2]


def test_problems_are_shown_and_nothing_starts(qtbot, panel):
    panel.set_graph(parse_text("a = 2\nb = a * 3"), None)
    assert "Nothing to train" in panel.info.text()
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    assert panel.state == "idle"
    assert panel.problem.isVisible() and "nothing to train" in panel.problem.text()

    load_siegen(panel)
    panel.schedule_kind.setCurrentIndex(1)
    qtbot.keyClicks(panel.schedule_text, "thirty")
    assert "expected STEPS:RATE" in panel.schedule_hint.text()
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    assert panel.state == "idle"
    assert panel.problem.text().startswith("Schedule:")

    graph = parse_file(SIEGEN)  # its dataset path as the file says: relative, here not found
    panel.schedule_kind.setCurrentIndex(0)
    panel.set_graph(graph, EXAMPLES / "nowhere")
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    assert panel.state == "idle"
    assert "siegen_curve.csv: cannot find the dataset" in panel.problem.text()
    assert str(EXAMPLES / "nowhere" / "data" / "siegen_curve.csv") in panel.problem.text()
    assert panel.locate_button.isVisible()


def test_log_scale_shows_the_same_points(qtbot, panel):
    load_siegen(panel)
    set_spin(qtbot, panel.steps, "50")
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=5000)
    linear = panel.chart.shown_points()
    box = panel.log_scale
    qtbot.mouseClick(box, Qt.LeftButton, pos=box.rect().topLeft() + QPoint(8, box.height() // 2))
    assert panel.chart.log_scale
    assert panel.chart.y_axis.__class__.__name__ == "QLogValueAxis"
    assert panel.chart.shown_points() == linear  # all losses positive: nothing clamped


def test_the_panel_and_the_command_line_share_their_settings(qtbot, panel, tmp_path, capsys):
    """One TrainingSettings: the panel starts at the command line's defaults, and the same
    settings typed into the panel and given to ``graphstudio train`` train the same numbers."""
    from graphstudio.cli import main
    from graphstudio.core.train import TrainingSettings

    graph = load_siegen(panel)
    assert panel.settings() == TrainingSettings()
    set_spin(qtbot, panel.steps, "12")
    set_spin(qtbot, panel.lr, "0.3")
    qtbot.keyClicks(panel.batch_kind, "M")  # Minibatch
    set_spin(qtbot, panel.batch_size, "5")
    set_spin(qtbot, panel.seed, "7")
    settings = panel.settings()
    assert (settings.steps, settings.schedule.lr, settings.batch_size, settings.seed) == \
        (12, 0.3, 5, 7)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=60000)  # a busy machine
    with qtbot.waitSignal(panel.apply_requested) as kept:
        qtbot.mouseClick(panel.keep_button, Qt.LeftButton)
    out = tmp_path / "trained.json"
    assert main(["train", str(SIEGEN), "--steps", "12", "--lr", "0.3", "--batch", "5",
                 "--seed", "7", "-o", str(out)]) == 0
    back = open_document(out).graph
    for name, value in by_name(graph, kept.args[0]).items():
        np.testing.assert_allclose(back.value(back.by_name(name)), value, rtol=1e-12)


def test_the_panel_says_when_it_trains_one_example_at_a_time(qtbot, panel, tmp_path, unbatchable):
    (tmp_path / "d.csv").write_text("x,y\n1,2\n2,3\n-1,0.5\n")
    text = 'dataset("d.csv")\nx = data("x")\ny = data("y")\nw = param(0.5)\nL = (u - y) ** 2\n'
    for u, one_at_a_time in (("w * x + 1", False), ("spread(w * x)", True)):
        panel.set_graph(parse_text(text.replace("(u - y)", f"({u} - y)")), tmp_path)
        set_spin(qtbot, panel.steps, "5")
        messages, shown = [], []
        panel.message.connect(messages.append)
        panel.preview.connect(lambda _values: shown.append(panel.status.text()))
        qtbot.mouseClick(panel.start_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: panel.state == "finished", timeout=10000)
        steps = [s for s in shown if s.startswith("step ")]
        assert steps and all(("one example at a time" in s) == one_at_a_time for s in steps)
        assert ("one example at a time" in panel.status.toolTip()) == one_at_a_time
        if one_at_a_time:
            assert "spread has no rule for a batch" in panel.status.toolTip()
            assert any("one example at a time" in m for m in messages)
        qtbot.mouseClick(panel.revert_button, Qt.LeftButton)
        panel.message.disconnect()
        panel.preview.disconnect()
