"""Training in the background: a QThread that drives :meth:`Trainer.run` and reports to the GUI.

The trainer (core, no Qt) does the work in this thread; the window keeps its own graph, because
the trainer works on a copy. Reports are *throttled*: a step of a small network takes a few
milliseconds, and a signal per step would flood the GUI's event queue. So the thread gathers
the ``(step, loss)`` points of the steps since its last report and sends them together with the
latest :class:`~graphstudio.core.train.StepRecord` at most every ``interval`` seconds
(:data:`REPORT_INTERVAL`, 30 times a second, so the curve moves smoothly), and at once when the
run pauses, stops or ends, so the curve never lags behind a paused run.

Pause, resume and stop are the trainer's own thread-safe calls, made from the GUI thread.

The GIL: training is Python code that never waits, and every Python callback of the GUI thread
(a slot, a paint, an event override) must take the GIL from it. CPython hands the GIL over only
every ``sys.getswitchinterval()`` seconds (5 ms by default), so a GUI thread making a few dozen
Python calls per event-loop turn could wait a fraction of a second each turn: the window would
stutter although it is never blocked. While a run is going the switch interval is therefore
:data:`SWITCH_INTERVAL` (1 ms), which costs the training little, and it is put
back when the last run ends. And the worker sleeps 2 ms every 20 ms (:data:`REST_EVERY`,
:data:`REST_FOR`): with many widgets alive (a full test session leaves hundreds) the GUI
thread, needing the GIL for many callbacks per event-loop turn, was seen frozen for a whole
run without these rests; with them a 10 ms timer turned 40 to 75 times a second in the window
while the 11-785 example trained (about 10% of the worker's time is spent resting).

Signals (queued to the GUI thread, since the QThread object lives there):

* ``progress(list[(step, loss)], StepRecord)``: the new points and the latest record (a
  point is ``(step, loss, held-out loss)`` when rows are held out);
* ``finished_run(str)``: ``"done"`` after every step, ``"stopped"`` when stopped early;
* ``failed(str, bool)``: a message, and whether the run diverged (the trainer's parameters
  are then back at the last finite-loss step).
"""

from __future__ import annotations

import sys
import threading
import time

from PySide6.QtCore import QThread, Signal

from ...core.train import Diverged, Trainer, TrainingError

__all__ = ["TrainingThread", "REPORT_INTERVAL", "SWITCH_INTERVAL"]

REPORT_INTERVAL = 1 / 30  # seconds between two reports to the GUI
SWITCH_INTERVAL = 0.001  # seconds, while any run is going (see the module docstring)
REST_EVERY, REST_FOR = 0.02, 0.002  # seconds: the worker sleeps 2 ms every 20 ms
_switch_lock = threading.Lock()
_runs = 0
_saved_interval = 0.005


def _run_begins() -> None:
    global _runs, _saved_interval
    with _switch_lock:
        if _runs == 0:
            _saved_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_saved_interval, SWITCH_INTERVAL))
        _runs += 1


def _run_ends() -> None:
    global _runs
    with _switch_lock:
        _runs -= 1
        if _runs == 0:
            sys.setswitchinterval(_saved_interval)

#: threads still running, so none is garbage-collected mid-run (Qt aborts when a running
#: QThread is destroyed); each removes itself when it ends
_ALIVE: set["TrainingThread"] = set()


class TrainingThread(QThread):
    progress = Signal(object, object)  # (list of (step, loss), StepRecord)
    finished_run = Signal(str)
    failed = Signal(str, bool)

    def __init__(self, trainer: Trainer, steps: int, interval: float = REPORT_INTERVAL,
                 parent=None) -> None:
        super().__init__(parent)
        self.trainer = trainer
        self.steps = steps
        self.interval = interval
        _ALIVE.add(self)
        self.finished.connect(lambda: _ALIVE.discard(self))

    def run(self) -> None:  # the Qt override, runs in the new thread
        _run_begins()
        try:
            self._train()
        finally:
            _run_ends()

    def _train(self) -> None:
        t = self.trainer
        points: list[tuple[int, float]] = []
        last = None
        sent = rested = time.monotonic()

        def flush() -> None:
            nonlocal sent
            if points:
                self.progress.emit(list(points), last)
                points.clear()
            sent = time.monotonic()

        try:
            for record in t.run(self.steps):
                points.append((record.step, record.loss) if record.held_out_loss is None
                              else (record.step, record.loss, record.held_out_loss))
                last = record
                if time.monotonic() - rested >= REST_EVERY:
                    time.sleep(REST_FOR)  # a turn for the GUI thread (module docstring)
                    rested = time.monotonic()
                if t.paused or t.stopped or time.monotonic() - sent >= self.interval:
                    flush()
        except Diverged as exc:
            flush()
            self.failed.emit(str(exc), True)
            return
        except TrainingError as exc:
            flush()
            self.failed.emit(str(exc), False)
            return
        except Exception as exc:  # never let a worker die silently: say what happened
            flush()
            self.failed.emit(f"training stopped by an unexpected error: {type(exc).__name__}: {exc}", False)
            return
        flush()
        self.finished_run.emit("stopped" if t.stopped else "done")

    def stop_and_wait(self, msecs: int = 5000) -> bool:
        """Stop the run (from the GUI thread) and wait for the thread to end."""
        self.trainer.stop()
        return self.wait(msecs)
