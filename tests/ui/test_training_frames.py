"""The training thread sends its steps to the window a frame at a time and trains on only once
the window has drawn the frame (graphstudio/ui/training/worker.py): every step reaches the
window, none is trained past an undrawn frame, and Stop ends a thread that waits for one."""

from pathlib import Path

import pytest

from graphstudio.core.dataset import load_for_graph
from graphstudio.core.train import Schedule, Trainer
from graphstudio.io.gs import parse_file
from graphstudio.ui.training.worker import TrainingThread, training_time

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def siegen_trainer() -> Trainer:
    graph = parse_file(EXAMPLES / "siegen_fit_curve.gs")
    return Trainer(graph, load_for_graph(graph, EXAMPLES), schedule=Schedule(0.5))


def test_the_thread_trains_on_only_when_the_window_has_drawn_the_frame(qtbot):
    trainer = siegen_trainer()
    thread = TrainingThread(trainer, 100000)
    frames = []  # a receiver that draws nothing and never says it has
    thread.progress.connect(lambda points, record: frames.append((points, record)))
    thread.start()
    try:
        qtbot.waitUntil(lambda: len(frames) == 1, timeout=10000)
        qtbot.wait(300)
        assert len(frames) == 1  # no second frame: the thread waits
        points, record = frames[0]
        assert trainer.step_count == record.step  # and trains no further meanwhile
        assert [p[0] for p in points] == list(range(1, record.step + 1))
        assert points[-1][1] == record.loss

        thread.frame_drawn()
        qtbot.waitUntil(lambda: len(frames) == 2, timeout=10000)
        points, later = frames[1]
        # the next frame carries every step since the last one, none lost or repeated
        assert [p[0] for p in points] == list(range(record.step + 1, later.step + 1))
        assert trainer.step_count == later.step
    finally:
        # Stop while the thread waits for the second frame to be drawn: it ends
        assert thread.stop_and_wait(10000)
    assert thread.isFinished()
    assert trainer.step_count == frames[-1][1].step


def test_the_trainer_keeps_a_share_of_the_time_between_frames():
    # a lecture example's frame (about 32 ms on a busy machine): a quarter as long trains
    assert training_time(0.032) == pytest.approx(0.008)
    # a big graph's frame of 2 s: about as long again goes to training (2 - 0.75 * 0.1)
    assert training_time(2.0) == pytest.approx(1.925)
    # and the two rules meet at 0.1 s, so a frame's cost never makes the share jump
    assert training_time(0.1) == pytest.approx(0.025)
