"""The step-through player: the forward pass node by node, then the backward pass.

Each step is one :func:`~graphstudio.render.picture.step_pictures` picture (the node being
computed and the edges it uses highlighted, numbers appearing as they are computed), shown on
the canvas, with the lectures' ``grad_table`` beside it filling in row by row: a row per node
as the forward pass reaches it (its value), then its gradient as the backward pass reaches it,
written as the sum it is, ``Σ upstream × local``.

A new evaluation (any edit, or scrubbing an input) makes the steps stale: the player leaves
step mode and the canvas goes back to the live view.

For a graph with parameters, *then update θ ← θ − τ·g* adds one gradient-descent update of
the example shown as the last steps (:func:`~graphstudio.render.picture.update_pictures`): each
parameter in turn shows its new value, and the table its old value, ``τ·g`` and the new
value. The update is only shown: *Keep the Update* (at the last step) asks the host to set
the new values, as one undoable step (``values_requested``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton,
                               QSlider, QStyle, QToolButton, QVBoxLayout, QWidget)

from ...core.engine import Step, backward_steps, forward_steps
from ...core.groups import gate_steps
from ...core.train import TrainingSettings
from ...render.picture import Picture, grad_sum_text, step_pictures, update_pictures
from .common import TeachingPanel, cell, d, make_table, note_label, positions, unbroken_rows

__all__ = ["StepPlayer", "grad_sum_text"]

IDLE_TEXT = "Press Play or Next to step through the forward pass, then the backward pass."


class StepPlayer(TeachingPanel):
    """First / back / play / next / last, a speed slider, the caption and the grad_table."""

    COLUMNS = ["node", "value", "grad", "= Σ upstream\n× local"]  # two lines: a narrow column
    values_requested = Signal(object, str)  # {node: value}, the undo text: Keep the Update

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pictures: list[Picture] = []
        self.steps: list[Step] = []
        self.index = -1  # the step shown, -1 when not stepping
        self._rows: dict[int, int] = {}
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)

        def button(icon: QStyle.StandardPixmap, name: str, tip: str, slot) -> QToolButton:
            b = QToolButton()
            b.setIcon(self.style().standardIcon(icon))
            b.setText(name)
            b.setToolTip(tip)
            b.setAccessibleName(name)
            b.clicked.connect(slot)
            return b

        P = QStyle.StandardPixmap
        self.first_button = button(P.SP_MediaSkipBackward, "First", "First step (Home)", self.first)
        self.back_button = button(P.SP_MediaSeekBackward, "Back", "Previous step (←)", self.back)
        self.play_button = button(P.SP_MediaPlay, "Play", "Play / pause (Space)", self.toggle_play)
        self.next_button = button(P.SP_MediaSeekForward, "Next", "Next step (→)", self.next)
        self.last_button = button(P.SP_MediaSkipForward, "Last", "Last step (End)", self.last)
        self.stop_button = button(P.SP_MediaStop, "Stop",
                                  "Leave step mode: back to the live values (Esc)", self.stop)
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setRange(1, 16)  # half-steps per second: 0.5 to 8 steps a second
        self.speed.setValue(3)
        self.speed.setToolTip("Playing speed")
        self.speed.setMinimumWidth(80)
        self.speed_label = QLabel()
        wide = self.speed_label.fontMetrics().horizontalAdvance("0.5 steps/s ")
        self.speed_label.setMinimumWidth(wide)
        self.speed.valueChanged.connect(self._speed_changed)
        self._speed_changed(self.speed.value())

        controls = QHBoxLayout()
        controls.setSpacing(2)
        for b in (self.first_button, self.back_button, self.play_button, self.next_button,
                  self.last_button, self.stop_button):
            controls.addWidget(b)
        controls.addSpacing(8)
        controls.addWidget(QLabel("Speed"))
        controls.addWidget(self.speed, 1)
        controls.addWidget(self.speed_label)
        self.update_box = QCheckBox("then update θ ← θ − τ·g, τ")
        self.update_box.setObjectName("step-update")
        self.update_box.setToolTip("After the backward pass, one gradient-descent step on this "
                                   "example: each parameter's new value, shown (not set)")
        self.update_lr = QDoubleSpinBox()
        self.update_lr.setObjectName("step-update-lr")
        self.update_lr.setDecimals(5)
        self.update_lr.setRange(0.00001, 1e6)
        self.update_lr.setValue(TrainingSettings().schedule.lr)
        self.update_lr.setToolTip("The learning rate τ of the update")
        self.keep_button = QPushButton("Keep the Update")
        self.keep_button.setToolTip("Set the parameters to their updated values (one undoable "
                                    "step)")
        self.keep_button.clicked.connect(self.keep_update)
        update_row = QHBoxLayout()
        update_row.addWidget(self.update_box)
        update_row.addWidget(self.update_lr)
        update_row.addStretch(1)
        update_row.addWidget(self.keep_button)
        self.update_box.toggled.connect(self._update_changed)
        self.update_lr.valueChanged.connect(self._update_changed)
        self.caption = note_label(IDLE_TEXT)
        self.caption.setMinimumHeight(self.caption.fontMetrics().height() * 2 + 4)
        self.table = make_table(self.COLUMNS, stretch=(1, 2, 3))  # arrays and sums
        self.table.setToolTip("Click a row to go to its step: the node's forward step, or its "
                              "backward step from its grad")
        self.table.cellClicked.connect(self._cell_clicked)
        self._row_steps: list[tuple[int, str]] = []  # each row's (node, phase)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(update_row)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        for key, slot in ((Qt.Key_Right, self.next), (Qt.Key_Left, self.back),
                          (Qt.Key_Home, self.first), (Qt.Key_End, self.last),
                          (Qt.Key_Space, self.toggle_play), (Qt.Key_Escape, self.stop)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._update_buttons()

    # ---- state -------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.index >= 0

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def context_changed(self) -> None:
        """New numbers: the steps are stale, so step mode ends."""
        self.stop()
        has = self._has_params()
        self.update_box.setEnabled(has)
        self.update_lr.setEnabled(has)

    def _has_params(self) -> bool:
        g = self.graph
        return g is not None and any(g.node(n).trainable for n in g.inputs())

    def _update_changed(self, *_args) -> None:
        """Other update steps: the steps are made again (from the first, if stepping)."""
        was = self.active
        self.stop()
        if was:
            self.go(0)

    def release(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.timer.stop()
        self.index = -1
        self.pictures, self.steps = [], []
        self.table.setRowCount(0)
        self._rows = {}
        self._row_steps = []
        self.caption.setText(IDLE_TEXT)
        self._update_buttons()

    def _prepare(self) -> bool:
        if self.pictures:
            return True
        if not self.has_context():
            self.caption.setText("Nothing to step through: the graph is empty.")
            return False
        ev = self.ev
        # a collapsed group is one step, as in the pictures (core/groups.py)
        self.steps = gate_steps(self.graph, ev, forward_steps(ev) + backward_steps(ev))
        where = positions(self.graph)
        self.pictures = step_pictures(self.graph, ev, where, edge_labels=True)
        if self.update_box.isChecked() and self._has_params() and ev.output is not None:
            self.pictures += update_pictures(self.graph, ev, where, self.update_lr.value())
        return bool(self.pictures)

    def update_values(self) -> dict | None:
        """The parameters' new values, once every update step has been shown (else None)."""
        if not self.active or self.index != len(self.pictures) - 1:
            return None
        last = self.pictures[self.index].meta
        return dict(last["new"]) if last.get("phase") == "update" else None

    def keep_update(self) -> None:
        values = self.update_values()
        if values:
            self.values_requested.emit(values, f"Gradient-descent update, τ = {self.update_lr.value():g}")

    # ---- controls ----------------------------------------------------------------------------

    def go(self, k: int) -> None:
        """Show step ``k`` (0-based) on the canvas and the grad_table as it stands then."""
        if not self._prepare():
            return
        k = max(0, min(k, len(self.pictures) - 1))
        self.index = k
        picture = self.pictures[k]
        self.caption.setText(f"Step {k + 1} of {len(self.pictures)}.  {picture.caption}")
        self._fill_table(k)
        self._update_buttons()
        self.picture_requested.emit(picture)

    def first(self) -> None:
        self.go(0)

    def last(self) -> None:
        self.pause()
        if self._prepare():
            self.go(len(self.pictures) - 1)

    def next(self) -> None:
        self.go(self.index + 1)

    def back(self) -> None:
        self.pause()
        self.go(self.index - 1 if self.active else 0)

    def play(self) -> None:
        if not self._prepare():
            return
        if not self.active or self.index >= len(self.pictures) - 1:
            self.go(0)
        self.timer.start()
        self._update_buttons()

    def pause(self) -> None:
        self.timer.stop()
        self._update_buttons()

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def stop(self) -> None:
        """Leave step mode: the canvas shows the live values again."""
        was = self.active
        self._reset()
        if was:
            self.picture_requested.emit(None)

    def _tick(self) -> None:
        if self.index >= len(self.pictures) - 1:
            self.pause()
            return
        self.go(self.index + 1)
        if self.index >= len(self.pictures) - 1:
            self.pause()

    def _speed_changed(self, value: int) -> None:
        per_second = value / 2
        self.timer.setInterval(round(1000 / per_second))
        self.speed_label.setText(f"{per_second:g} steps/s")

    def _update_buttons(self) -> None:
        n = len(self.pictures)
        self.back_button.setEnabled(self.index > 0)
        self.first_button.setEnabled(self.index != 0)
        self.next_button.setEnabled(not self.active or self.index < n - 1)
        self.last_button.setEnabled(not self.active or self.index < n - 1)
        self.stop_button.setEnabled(self.active)
        self.keep_button.setEnabled(self.update_values() is not None)
        P = QStyle.StandardPixmap
        self.play_button.setIcon(self.style().standardIcon(P.SP_MediaPause if self.playing
                                                           else P.SP_MediaPlay))
        self.play_button.setText("Pause" if self.playing else "Play")

    # ---- the grad_table ----------------------------------------------------------------------

    def _fill_table(self, k: int) -> None:
        """Rows for the forward steps up to ``k``, grads for the backward steps up to ``k``."""
        graph, ev = self.graph, self.ev
        out_label = graph.label(ev.output) if ev.output is not None else "?"
        self.table.setHorizontalHeaderItem(2, cell(
            f"grad = {d(out_label, '·')}", tip="grad_table[u_j] = Σ over the children u_i of u_j "
                                               "of grad_table[u_i] · ∂u_i/∂u_j"))
        self.table.setRowCount(0)
        self._rows = {}
        self._row_steps = []
        current = self.pictures[k].meta["row"].node
        for picture in self.pictures[:k + 1]:  # the rows the steps write (render.picture)
            entry = picture.meta["row"]
            if entry.phase == "update":  # a row of its own: old − τ·g = new
                row = self.table.rowCount()
                self.table.insertRow(row)
                self._rows[entry.node] = row
                self._row_steps.append((entry.node, "update"))
                self.table.setItem(row, 0, cell(f"{entry.name} ←", tip=entry.how))
                self.table.setItem(row, 1, cell(unbroken_rows(entry.value), mono=True,
                                                tip="the new value"))
                self.table.setItem(row, 2, cell(unbroken_rows(f"τ·g = {entry.grad}"), mono=True))
                self.table.setItem(row, 3, cell(entry.sum, mono=True, tip=entry.how))
            elif entry.phase == "forward":
                row = self.table.rowCount()
                self.table.insertRow(row)
                self._rows[entry.node] = row
                self._row_steps.append((entry.node, "forward"))
                self.table.setItem(row, 0, cell(entry.name, tip=entry.how))  # (u3 = sin(u2)...)
                self.table.setItem(row, 1, cell(unbroken_rows(entry.value), mono=True,
                                                tip=entry.how))
                self.table.setItem(row, 2, cell("", mono=True))
                self.table.setItem(row, 3, cell(""))
            else:
                row = self._rows.get(entry.node)
                if row is None:
                    continue
                self.table.setItem(row, 2, cell(unbroken_rows(entry.grad), mono=True))
                self.table.setItem(row, 3, cell(entry.sum, mono=True))
        self.table.shared_widths.fit()
        row = self._rows.get(current)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollToItem(self.table.item(row, 0))

    def _cell_clicked(self, row: int, column: int) -> None:
        """A row clicked: the step that wrote what was clicked (a node's value or name: its
        forward step; its grad or sum: its backward step, if it has one)."""
        if not 0 <= row < len(self._row_steps):
            return
        node, phase = self._row_steps[row]
        wanted = ("backward", phase) if phase == "forward" and column >= 2 else (phase,)
        metas = [p.meta["row"] for p in self.pictures]
        for kind in wanted:
            k = next((i for i, m in enumerate(metas) if m.node == node and m.phase == kind), None)
            if k is not None:
                self.pause()
                self.go(k)
                return

    # ---- reading (for tests and the integration) ---------------------------------------------

    def table_rows(self) -> list[list[str]]:
        return [[(self.table.item(r, c).text() if self.table.item(r, c) else "")
                 for c in range(self.table.columnCount())] for r in range(self.table.rowCount())]
