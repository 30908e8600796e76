"""Graph > Train: the training panel (a dock widget).

It trains the graph given to :meth:`TrainPanel.set_graph` (the document's graph and the folder
its dataset path is relative to) by gradient descent: steps, a learning rate and an optional
schedule (Siegen's "30 iterations with τ1, 20 more with τ2" is ``30:τ2`` after a first rate
τ1), full batch or minibatch with a batch size (Seoul's minibatch SGD), and a seed. Start runs
a :class:`~graphstudio.core.train.Trainer` on a copy of the graph in a
:class:`~.worker.TrainingThread`, so the window never freezes; Pause/Resume and Stop talk to the
trainer; a progress bar and a live loss curve (:class:`~.loss_chart.LossChart`) follow it.

The panel never changes the graph. It tells its host what to do through signals:

* ``preview(dict)``: values to *show* (not set) on the canvas while training, with each
  frame of the training thread (up to 25 a second, see :mod:`.worker`), to be drawn at once:
  every parameter at its current value and every input bound to the dataset at the first
  example's values, ``{node id: value}``;
* ``apply_requested(dict)``: Keep: set these parameters, as one undoable step;
* ``reverted()``: Revert (or a discarded run): show the graph's own values again;
* ``row_requested(int)``: show dataset row ``k`` (from 0) on the canvas: its forward and
  backward values (the host sets the data inputs to that row, as one undoable step); while
  training, the canvas previews that row too;
* ``running_changed(bool)``, ``message(str)`` (for a status bar).

*Hold out* sets a share of the rows aside (chosen by the seed, the same rows as
``graphstudio train --holdout``): the loss chart shows their loss as a second curve. Under
the chart, :class:`~.plane_view.PlaneView` draws the output over the input plane, following
the run.

A run that diverges stops with a message in the panel (never a canvas of NaN): the trainer
puts the parameters back to the last step whose loss was finite, and Keep keeps those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QFrame,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QSizePolicy, QSpinBox, QSplitter, QToolButton, QVBoxLayout,
                               QWidget)
from shiboken6 import isValid

from ...core.dataset import Dataset, DatasetError, DatasetNotFound, bound_inputs, load_for_graph
from ...core.graph import Graph
from ...core.train import (MAX_HOLDOUT, Schedule, StepRecord, Trainer, TrainingError,
                           TrainingSettings, parameters_of)
from .loss_chart import LossChart
from .plane_view import PlaneView
from .words import count
from .worker import TrainingThread, paint_now

__all__ = ["TrainPanel"]

IDLE, RUNNING, PAUSED, FINISHED = "idle", "running", "paused", "finished"
#: what the widgets show at first: the same defaults as ``graphstudio train``
DEFAULTS = TrainingSettings()
#: the minibatch size offered when Minibatch is chosen
MINIBATCH = 8


class TrainPanel(QWidget):
    preview = Signal(object)  # dict {node id: value}
    apply_requested = Signal(object)  # dict {node id: value}
    reverted = Signal()
    running_changed = Signal(bool)
    message = Signal(str)
    locate_requested = Signal()  # the dataset file cannot be found: ask where it is
    row_requested = Signal(int)  # show this dataset row (from 0) on the canvas

    def __init__(self, theme=None, parent=None) -> None:
        self._theme = theme
        super().__init__(parent)
        self.graph: Graph | None = None
        self.base_dir: Path | None = None
        self.trainer: Trainer | None = None
        self.dataset: Dataset | None = None
        self.thread: TrainingThread | None = None
        self.state = IDLE
        self.last: StepRecord | None = None
        self.result: dict[int, Any] | None = None  # the parameters Keep would apply
        self._example: dict[int, Any] = {}
        self._build()
        self._set_state(IDLE)

    # ---- widgets ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setObjectName("train-panel")
        self.info = QLabel("No graph")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.steps = QSpinBox()
        self.steps.setRange(1, 1_000_000)
        self.steps.setValue(DEFAULTS.steps)
        self.steps.setGroupSeparatorShown(True)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(0.00001, 1e6)
        self.lr.setValue(DEFAULTS.schedule.lr)
        self.lr.setSingleStep(0.01)
        self.lr.setToolTip("τ (Siegen) or ε (Seoul): θ ← θ − τ ∇E(θ)")
        self.schedule_kind = QComboBox()
        self.schedule_kind.addItems(["Constant", "Steps"])
        self.schedule_kind.setToolTip("Constant: the same rate every step. Steps: change the rate "
                                      "after given steps, as Siegen's \"30 iterations with τ1, "
                                      "20 more with τ2\"")
        self.schedule_text = QLineEdit()
        self.schedule_text.setPlaceholderText("30:0.05, 50:0.01")
        self.schedule_text.setToolTip("After step K use rate X: K:X pairs separated by commas.\n"
                                      "\"30 iterations with τ1, 20 more with τ2\" is a first rate τ1 "
                                      "and 30:τ2.")
        self.schedule_hint = QLabel()
        self.schedule_hint.setWordWrap(True)
        self.schedule_hint.setObjectName("hint")
        self.batch_kind = QComboBox()
        self.batch_kind.addItems(["Full batch", "Minibatch"])
        self.batch_kind.setToolTip("Full batch: every step averages the gradient over every "
                                   "example. Minibatch SGD: over a shuffled batch of examples.")
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 1_000_000)
        self.batch_size.setValue(DEFAULTS.batch_size or MINIBATCH)
        self.batch_size.setPrefix("size ")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(DEFAULTS.seed)
        self.seed.setToolTip("Seed of the minibatch shuffle: the same seed gives the same run")
        self.holdout = QSpinBox()
        self.holdout.setObjectName("holdout")
        self.holdout.setRange(0, round(MAX_HOLDOUT * 100))
        self.holdout.setValue(round(DEFAULTS.holdout * 100))
        self.holdout.setSuffix(" % of the rows")
        self.holdout.setSpecialValueText("none")
        self.holdout.setToolTip("Rows set aside (chosen by the seed) and never trained on; the "
                                "chart shows their loss beside the training loss")
        self.row = QSpinBox()
        self.row.setObjectName("canvas-row")
        self.row.setRange(1, 1)
        self.row.setPrefix("row ")
        self.row.setToolTip("The dataset row whose forward and backward values the canvas "
                            "shows (and the Steps panel steps through)")
        self.row.setEnabled(False)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        form.addRow("Steps", self.steps)
        form.addRow("Learning rate", self.lr)
        sched = QHBoxLayout()
        sched.addWidget(self.schedule_kind)
        sched.addWidget(self.schedule_text, 1)
        form.addRow("Schedule", sched)
        form.addRow("", self.schedule_hint)
        batch = QHBoxLayout()
        batch.addWidget(self.batch_kind)
        batch.addWidget(self.batch_size, 1)
        form.addRow("Batch", batch)
        form.addRow("Seed", self.seed)
        form.addRow("Hold out", self.holdout)
        form.addRow("Canvas shows", self.row)

        self.start_button = QPushButton("Start")
        self.start_button.setDefault(True)
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        run_row = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.stop_button):
            run_row.addWidget(b)

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")  # "step %v of %m" once a run starts
        self.status = QLabel(" ")
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        # its text changes with every report while training: wrapped within the panel's width
        # (a long line would widen the dock, squeezing the canvas) and two lines high from the
        # start, so a new text does not move the chart below it
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Minimum)
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing())
        self.status.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.chart = LossChart()
        self.chart.setMinimumHeight(160)  # shares the room with the plane (below)
        self.plane = PlaneView(self._theme)
        self.plane.message.connect(self.message)
        self.plane.dataset_changed.connect(self._dataset_changed)
        self.log_scale = QCheckBox("Log scale")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setObjectName("problem")
        self.problem.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.problem.setStyleSheet("QLabel#problem { color: #8a1c1c; background: #fdecea; "
                                   "border: 1px solid #f3b8b3; border-radius: 3px; padding: 5px; }")
        self.problem.hide()
        self.locate_button = QPushButton("Locate the Dataset…")
        self.locate_button.setObjectName("locate-dataset")
        self.locate_button.setToolTip("Choose the CSV file this graph's data inputs read")
        self.locate_button.hide()

        self.keep_button = QPushButton("Keep")
        self.keep_button.setToolTip("Set the trained parameters in the graph (one undoable step)")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Back to the parameters before training")
        result_row = QHBoxLayout()
        self.result_label = QLabel("Trained parameters:")
        result_row.addWidget(self.result_label)
        result_row.addStretch(1)
        result_row.addWidget(self.keep_button)
        result_row.addWidget(self.revert_button)

        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        line.setFrameShadow(QFrame.Sunken)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        # the settings fold away while a run goes, leaving the room to the pictures (a laptop's
        # screen has no room for the settings, the loss curve and the plane at once)
        self.settings_box = QWidget()
        self.settings_box.setObjectName("training-settings")
        self.settings_box.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)
        self.settings_toggle = QToolButton()
        self.settings_toggle.setObjectName("settings-toggle")
        self.settings_toggle.setText("Settings")
        self.settings_toggle.setCheckable(True)
        self.settings_toggle.setChecked(True)
        self.settings_toggle.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.settings_toggle.setAutoRaise(True)
        self.settings_toggle.setArrowType(Qt.DownArrow)
        self.settings_toggle.toggled.connect(self._show_settings)
        curve = QWidget()
        curve_layout = QVBoxLayout(curve)
        curve_layout.setContentsMargins(0, 0, 0, 0)
        curve_layout.addWidget(self.chart, 1)
        curve_layout.addWidget(self.log_scale)
        self.pictures = QSplitter(Qt.Vertical)
        self.pictures.setObjectName("training-pictures")
        self.pictures.setChildrenCollapsible(False)
        self.pictures.addWidget(curve)
        self.pictures.addWidget(self.plane)
        self.pictures.setStretchFactor(0, 0)  # the curve keeps its height, the plane grows
        self.pictures.setStretchFactor(1, 1)
        layout.addWidget(self.info)
        layout.addWidget(self.settings_toggle, 0, Qt.AlignLeft)
        layout.addWidget(self.settings_box)
        layout.addLayout(run_row)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addWidget(self.problem)
        layout.addWidget(self.locate_button, 0, Qt.AlignLeft)
        layout.addLayout(result_row)  # above the pictures: in view on a small screen
        layout.addWidget(line)
        layout.addWidget(self.pictures, 1)

        self.schedule_kind.currentIndexChanged.connect(self._schedule_changed)
        self.schedule_text.textChanged.connect(self._schedule_changed)
        self.lr.valueChanged.connect(self._schedule_changed)
        self.batch_kind.currentIndexChanged.connect(self._batch_changed)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.locate_button.clicked.connect(self.locate_requested)
        self.keep_button.clicked.connect(self.keep)
        self.revert_button.clicked.connect(self.revert)
        self.log_scale.toggled.connect(self.chart.set_log_scale)
        self.row.valueChanged.connect(self._row_changed)
        self._schedule_changed()
        self._batch_changed()

    def _show_settings(self, on: bool) -> None:
        self.settings_box.setVisible(on)
        self.settings_toggle.setArrowType(Qt.DownArrow if on else Qt.RightArrow)

    def _schedule_changed(self, *_args) -> None:
        steps = self.schedule_kind.currentIndex() == 1
        self.schedule_text.setEnabled(steps and self.state == IDLE)
        try:
            text = self.schedule().describe()
        except ValueError as exc:
            text = str(exc)
        if steps and not self.schedule_text.text().strip():  # the field is narrow: say how here
            text += ", then STEPS:RATE pairs"
        self.schedule_hint.setText(text)

    def _batch_changed(self, *_args) -> None:
        self.batch_size.setEnabled(self.batch_kind.currentIndex() == 1 and self.state == IDLE)

    def schedule(self) -> Schedule:
        """The schedule the settings describe; ValueError says what is wrong."""
        text = self.schedule_text.text() if self.schedule_kind.currentIndex() == 1 else ""
        return Schedule.parse(self.lr.value(), text)

    def settings(self) -> TrainingSettings:
        """What the widgets are set to; ValueError says what is wrong with the schedule."""
        batch = self.batch_size.value() if self.batch_kind.currentIndex() == 1 else None
        return TrainingSettings(self.steps.value(), self.schedule(), batch, self.seed.value(),
                                self.holdout.value() / 100)

    # ---- the host's interface ---------------------------------------------------------------------

    def set_graph(self, graph: Graph | None, base_dir: str | Path | None = None) -> None:
        """Train ``graph`` (its dataset path is relative to ``base_dir``). A run in progress
        on another graph (a file was opened) is stopped and discarded."""
        if self.graph is not None and graph is not self.graph and self.state != IDLE:
            self.discard()
        if graph is not self.graph:  # another document: the last run was about the old one
            self._forget_run()
        if self.state == IDLE:  # a problem shown was about the graph as it was
            self.clear_problem()
        self.graph = graph
        self.base_dir = Path(base_dir) if base_dir is not None else None
        self._show_info()
        if self.state == IDLE:  # a run's picture follows the run, not the document
            self.plane.set_graph(graph, self.base_dir)

    def _dataset_changed(self, rows: int) -> None:
        """The plane view read the graph's dataset (``rows`` rows, 0: none)."""
        self.row.blockSignals(True)
        self.row.setRange(1, max(1, rows))
        self.row.blockSignals(False)
        self.row.setEnabled(rows > 0 and self.state == IDLE)

    def _row_changed(self, value: int) -> None:
        if self.state == IDLE:
            self.row_requested.emit(value - 1)

    def shown_row(self) -> int:
        """The dataset row the canvas shows (from 0)."""
        return self.row.value() - 1

    def _show_info(self) -> None:
        g = self.graph
        if g is None:
            self.info.setText("No graph")
            return
        params = parameters_of(g)
        if not params:
            self.info.setText("Nothing to train: no parameters. Mark inputs as parameters with "
                              "param(...) in the expression bar, or build one with Graph > New Network.")
            return
        numbers = sum(int(np.size(g.value(n))) for n in params)
        names = ", ".join(g.label(n) for n in params[:8]) + (", …" if len(params) > 8 else "")
        loss = g.default_output()
        text = f"Trains {names} ({count(numbers, 'number')})"
        if loss is not None:
            text += f" on the loss {g.label(loss)}"
        data = g.meta.get("dataset")
        if data:
            text += f", over {Path(data).name}"
        elif not bound_inputs(g):
            text += ", one example (no dataset)"
        self.info.setText(text)
        self.info.setToolTip(f"dataset: {data}" if data else "")

    def is_running(self) -> bool:
        return self.state in (RUNNING, PAUSED)

    # ---- running ------------------------------------------------------------------------------------

    def _fail(self, text: str, locate: bool = False) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.locate_button.setVisible(locate)
        self.message.emit(text)

    def _forget_run(self) -> None:
        """No curve, progress or status of a run on another graph."""
        self.chart.reset(self.steps.value())
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")
        self.status.setText(" ")
        self.last = None

    def clear_problem(self) -> None:
        """The problem shown is gone (another graph, or the graph changed)."""
        self.problem.hide()
        self.locate_button.hide()

    def start(self) -> bool:
        """Start a run with the settings; a problem is shown in the panel and nothing starts."""
        if self.state != IDLE:
            return False
        self.clear_problem()
        if self.graph is None:
            self._fail("There is no graph to train.")
            return False
        try:
            settings = self.settings()
        except ValueError as exc:
            self._fail(f"Schedule: {exc}")
            return False
        try:
            self.dataset = load_for_graph(self.graph, self.base_dir)
            self.trainer = settings.trainer(self.graph, self.dataset)
        except DatasetNotFound as exc:
            self._fail(f"{exc}. Where is it?", locate=True)
            return False
        except (DatasetError, TrainingError) as exc:
            self._fail(str(exc))
            return False
        t = self.trainer
        self._example = {}
        if t.columns:
            row = min(self.shown_row(), t.n_examples + len(t.held_out) - 1)
            self._example = {n: values[row] for n, values in t.columns.items()}
        steps = settings.steps
        self.last = None
        self.result = None
        self.chart.reset(steps)
        self.progress_bar.setRange(0, steps)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("step %v of %m")
        batch_text = "full batch" if t.batch_size >= t.n_examples else f"batch {t.batch_size}"
        one_at_a_time = ", one example at a time" if t.batch_refusal else ""
        self.status.setText(f"{count(t.n_examples, 'example')}, {batch_text}{one_at_a_time}; "
                            f"initial loss {t.initial_loss:.6g}")
        self.status.setToolTip(f"Evaluated one example at a time, not the whole batch at "
                               f"once: {t.batch_refusal}" if t.batch_refusal else "")
        if t.held_out:
            self.status.setText(self.status.text() + f"; {count(len(t.held_out), 'row')} held "
                                f"out (loss {t.held_out_loss():.6g})")
        if t.batch_refusal:
            self.message.emit(f"Training one example at a time (slower): {t.batch_refusal}")
        self.thread = TrainingThread(t, steps)
        self.thread.progress.connect(self._on_progress)
        self.thread.finished_run.connect(self._on_finished)
        self.thread.failed.connect(self._on_failed)
        self._set_state(RUNNING)
        self.thread.start()
        return True

    def toggle_pause(self) -> None:
        if self.trainer is None:
            return
        if self.state == RUNNING:
            self.trainer.pause()
            self._set_state(PAUSED)
        elif self.state == PAUSED:
            self.trainer.resume()
            self._set_state(RUNNING)

    def stop(self) -> None:
        if self.trainer is not None and self.is_running():
            self.trainer.stop()  # the thread reports finished_run("stopped")

    def _on_progress(self, points: list, record: StepRecord) -> None:
        """A frame from the training thread: every view drawn now, while the thread waits
        (see :mod:`.worker`), then the thread is told to go on."""
        try:
            self._draw_frame(points, record)
        finally:
            if self.thread is not None:
                self.thread.frame_drawn()

    def _draw_frame(self, points: list, record: StepRecord) -> None:
        if self.trainer is None:
            return
        self.last = record
        self.chart.add_points(points)
        # QProgressBar repaints itself at once when its text changes (and the window shows it
        # then, on its own); without updates it is painted with the rest of the frame instead
        self.progress_bar.setUpdatesEnabled(False)
        self.progress_bar.setValue(record.step)
        self.progress_bar.setUpdatesEnabled(True)
        t = self.trainer
        epoch = f", {count(record.epoch, 'epoch')} done" if t.batch_size < t.n_examples else ""
        one_at_a_time = "; one example at a time" if t.batch_refusal else ""
        held = (f", held-out {record.held_out_loss:.6g}" if record.held_out_loss is not None
                else "")
        self.status.setText(f"step {record.step}: loss {record.loss:.6g}{held}, lr {record.lr:g}"
                            f"{epoch}, |∇| {record.grad_norm:.3g}{one_at_a_time}")
        self.plane.follow(record.params, now=t.paused or t.stopped)
        self.preview.emit(self._shown(record.params))
        paint_now()

    def _shown(self, params: dict[int, Any]) -> dict[int, Any]:
        return {**self._example, **params}

    def _finish(self, params: dict[int, Any] | None) -> None:
        if self.thread is not None:
            self.thread.wait()
            self.thread = None
        t = self.trainer
        steps = t.step_count if t is not None else 0
        self.result = params if steps > 0 else None
        if self.result is not None:
            self._set_state(FINISHED)  # first: the last picture is not a running one
            self.preview.emit(self._shown(self.result))
            self.plane.follow(self.result)
            self.plane.flush()
        else:
            self._set_state(IDLE)
            self.reverted.emit()

    def _on_finished(self, how: str) -> None:
        t = self.trainer
        if t is None:
            return
        params = t.parameters()
        try:
            final = f"; loss over every example {t.loss():.6g}" if t.step_count else ""
            if t.step_count and t.held_out:
                final = (f"; loss over the rows trained on {t.loss():.6g}, over the held-out "
                         f"rows {t.held_out_loss():.6g}")
        except TrainingError:
            final = ""
        what = "Stopped after" if how == "stopped" else "Done:"
        text = f"{what} {count(t.step_count, 'step')}{final}"
        self.status.setText(text)
        self.message.emit(text)
        self._finish(params)

    def _on_failed(self, text: str, diverged: bool) -> None:
        t = self.trainer
        if t is None:
            return
        self._fail(text)
        self.status.setText(f"Stopped at step {t.step_count + 1}" if diverged else "Stopped")
        self._finish(t.parameters())

    # ---- the result ----------------------------------------------------------------------------------

    def keep(self) -> None:
        """Ask the host to set the trained parameters (one undoable step)."""
        if self.state != FINISHED or self.result is None:
            return
        result = self.result
        self._reset()
        self.apply_requested.emit(result)
        self.message.emit("Kept the trained parameters (Edit > Undo puts the old ones back)")

    def revert(self) -> None:
        """Back to the parameters before training: the graph was never changed; stop showing
        the trained values."""
        if self.state != FINISHED:
            return
        self._reset()
        self.reverted.emit()
        self.message.emit("Reverted to the parameters before training")

    def discard(self) -> None:
        """Stop a run (waiting for its thread) and forget it and its result."""
        if self.thread is not None:
            self.thread.progress.disconnect(self._on_progress)
            self.thread.finished_run.disconnect(self._on_finished)
            self.thread.failed.disconnect(self._on_failed)
            self.thread.stop_and_wait()
            self.thread = None
        was = self.state != IDLE
        self._reset()
        if was:
            self.reverted.emit()

    shutdown = discard  # the application quits

    def stop_thread(self) -> None:
        """The window is destroyed: stop a run's thread and wait for it, touching no widget
        (a window torn down without closing, a script's at exit, deletes its widgets before
        it says it is destroyed)."""
        thread, self.thread = self.thread, None
        if thread is not None and isValid(thread):
            thread.stop_and_wait()

    def _reset(self) -> None:
        self.trainer = None
        self.result = None
        self._example = {}
        self._set_state(IDLE)
        self.plane.set_graph(self.graph, self.base_dir)  # the graph's own parameters again

    def _set_state(self, state: str) -> None:
        was_running = self.is_running()
        self.state = state
        idle = state == IDLE
        for w in (self.steps, self.lr, self.schedule_kind, self.batch_kind, self.seed,
                  self.holdout):
            w.setEnabled(idle)
        self.row.setEnabled(idle and self.row.maximum() > 1)
        self._schedule_changed()
        self._batch_changed()
        self.start_button.setEnabled(idle)
        self.start_button.setToolTip("Keep or Revert the trained parameters first"
                                     if state == FINISHED else "Train with these settings")
        self.pause_button.setEnabled(state in (RUNNING, PAUSED))
        self.pause_button.setText("Resume" if state == PAUSED else "Pause")
        self.stop_button.setEnabled(state in (RUNNING, PAUSED))
        self.keep_button.setEnabled(state == FINISHED)
        self.revert_button.setEnabled(state == FINISHED)
        self.result_label.setEnabled(state == FINISHED)
        if self.is_running() != was_running:
            # fold the settings away for the run, unfold them when it is over
            self.settings_toggle.setChecked(not self.is_running() and state != FINISHED)
            self.running_changed.emit(self.is_running())
        elif idle:
            self.settings_toggle.setChecked(True)
