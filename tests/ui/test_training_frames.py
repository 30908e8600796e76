"""The training thread sends its steps to the window a frame at a time and trains on only once
the window has drawn the frame (graphstudio/ui/training/worker.py): every step reaches the
window, none is trained past an undrawn frame, and Stop ends a thread that waits for one."""

from pathlib import Path

from graphstudio.core.dataset import load_for_graph
from graphstudio.core.train import Schedule, Trainer
from graphstudio.io.gs import parse_file
from graphstudio.ui.training.worker import TrainingThread

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
