"""Training in the background: a QThread that drives :meth:`Trainer.run` and reports to the GUI.

The trainer (core, no Qt) does the work in this thread; the window keeps its own graph, because
the trainer works on a copy. The thread sets the pace of the pictures: it gathers the
``(step, loss)`` points of the steps since its last report and sends them with the latest
:class:`~graphstudio.core.train.StepRecord` as one *frame*, every :data:`FRAME_INTERVAL`
seconds (25 frames a second), and at once when the run pauses, stops or ends, so the curve
never lags behind a paused run. Every point reaches the GUI; only the pictures are coalesced.

A frame waits for the GUI. After sending one, the thread sleeps until the GUI says it has
drawn it (:meth:`TrainingThread.frame_drawn`), then trains until the next is due. Why:
training and drawing are both Python, and only one thread runs Python at a time (the GIL).
When both want it, CPython hands it over only every ``sys.getswitchinterval()`` seconds, and
the GUI thread, which goes back and forth between Qt and Python while it draws (every item's
paint is a Python call), waits for such turns: a canvas frame of about 30 ms of work took twice
that while the trainer ran, and the window drew about ten frames a second. Drawing while the
trainer sleeps takes the time it costs, and training between frames runs at full speed. The
trainer is never starved either: after a frame that took ``c`` seconds it trains at least
:data:`TRAIN_SHARE` ``× c`` before asking for the next, and at least ``c`` after a frame
slower than :data:`SLOW_FRAME` (a big graph draws fewer frames).

The GIL, between frames: the GUI thread still answers the mouse and paints small widgets
while the trainer runs, and each of those Python callbacks must take the GIL from it. While
a run is going the switch interval is therefore :data:`SWITCH_INTERVAL` (1 ms), which costs
the training little, and it is put back when the last run ends. And the worker sleeps 2 ms
every 20 ms (:data:`REST_EVERY`, :data:`REST_FOR`): with many widgets alive (a full test
session leaves hundreds) the GUI thread, needing the GIL for many callbacks per event-loop
turn, was seen frozen for a whole run without these rests.

Signals (queued to the GUI thread, since the QThread object lives there):

* ``progress(list[(step, loss)], StepRecord)``: the new points and the latest record (a
  point is ``(step, loss, held-out loss)`` when rows are held out); the receiver draws them
  and then calls :meth:`~TrainingThread.frame_drawn`;
* ``finished_run(str)``: ``"done"`` after every step, ``"stopped"`` when stopped early;
* ``failed(str, bool)``: a message, and whether the run diverged (the trainer's parameters
  are then back at the last finite-loss step).

Pause, resume and stop are the trainer's own thread-safe calls, made from the GUI thread;
:meth:`~TrainingThread.stop_and_wait` also wakes a thread waiting for a frame.
"""

from __future__ import annotations

import sys
import threading
import time

from PySide6.QtCore import QCoreApplication, QEvent, QThread, Signal

from ...core.train import Diverged, Trainer, TrainingError

__all__ = ["TrainingThread", "FRAME_INTERVAL", "SWITCH_INTERVAL", "paint_now"]

FRAME_INTERVAL = 1 / 25  # seconds between two frames (reports to the GUI)
#: after a frame that took c seconds, train at least TRAIN_SHARE * c before the next: a fifth
#: of the time at least goes to training when frames cost more than the interval leaves; and
#: after a frame slower than SLOW_FRAME (a big graph, which cannot be drawn 20 times a second
#: anyway), at least c: half of the time
TRAIN_SHARE = 0.25
SLOW_FRAME = 0.1
#: the longest a worker waits for the GUI to draw a frame; then it goes on (a receiver that
#: never answers slows a run down, it never stops it)
FRAME_WAIT = 2.0
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

    def __init__(self, trainer: Trainer, steps: int, interval: float = FRAME_INTERVAL,
                 parent=None) -> None:
        super().__init__(parent)
        self.trainer = trainer
        self.steps = steps
        self.interval = interval
        self._drawn = threading.Event()  # the GUI has drawn the last frame sent
        self.frames = 0  # frames sent and
        self.frame_seconds = 0.0  # the time spent waiting for them to be drawn (a benchmark's)
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
        due = rested = time.monotonic()  # when the next frame is due

        def flush(wait: bool) -> None:
            """Send the points gathered; with ``wait``, sleep until the GUI has drawn them."""
            nonlocal due, rested
            if points:
                sent = time.monotonic()
                self._drawn.clear()
                self.frames += 1
                self.progress.emit(list(points), last)
                points.clear()
                if wait:
                    self._drawn.wait(FRAME_WAIT)
                    done = rested = time.monotonic()
                    self.frame_seconds += done - sent
                    cost = done - sent
                    share = TRAIN_SHARE if cost <= SLOW_FRAME else 1.0
                    due = max(sent + self.interval, done + share * cost)
                    return
            due = time.monotonic() + self.interval

        try:
            for record in t.run(self.steps):
                points.append((record.step, record.loss) if record.held_out_loss is None
                              else (record.step, record.loss, record.held_out_loss))
                last = record
                now = time.monotonic()
                if now - rested >= REST_EVERY:
                    time.sleep(REST_FOR)  # a turn for the GUI thread (module docstring)
                    rested = time.monotonic()
                if t.paused or t.stopped:
                    flush(False)
                elif now >= due:
                    flush(True)
        except Diverged as exc:
            flush(False)
            self.failed.emit(str(exc), True)
            return
        except TrainingError as exc:
            flush(False)
            self.failed.emit(str(exc), False)
            return
        except Exception as exc:  # never let a worker die silently: say what happened
            flush(False)
            self.failed.emit(f"training stopped by an unexpected error: {type(exc).__name__}: {exc}", False)
            return
        flush(False)
        self.finished_run.emit("stopped" if t.stopped else "done")

    def frame_drawn(self) -> None:
        """The GUI has drawn the last frame sent: training goes on (from any thread)."""
        self._drawn.set()

    def stop_and_wait(self, msecs: int = 5000) -> bool:
        """Stop the run (from the GUI thread) and wait for the thread to end."""
        self.trainer.stop()
        self._drawn.set()  # a frame nobody will draw (the receiver is gone) holds nothing up
        return self.wait(msecs)


def paint_now() -> None:
    """Paint now, once, everything a frame changed (call it from the GUI thread, at the end of
    a frame, while the training thread waits). Qt puts a repaint off: a graphics scene marks
    its changed items and tells its views in a queued call, and a widget's update posts a
    request to its window. Those are delivered here instead of later, when they would wait for
    turns at Python's lock with the trainer; a widget's ``repaint()`` would paint it now, but
    the scene's queued call would then paint it a second time."""
    QCoreApplication.sendPostedEvents(None, QEvent.MetaCall)
    QCoreApplication.sendPostedEvents(None, QEvent.UpdateRequest)
