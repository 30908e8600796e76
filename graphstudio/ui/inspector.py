"""The inspector: the selected node's name, op, value and trainable flag, editable (and an
op's static parameter, such as an index's ``[0, :]``; on the output, the seed the backward pass
starts from), and its computed value, gradient and problems, read-only. Every edit goes through an undo command; the
panel redraws from the document after each edit and evaluation (it holds no values itself).
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget)

from ..core.graph import GraphError
from ..core.numbers import format_array_in_full, format_editable, format_value
from ..core.ops import OPS
from ..render.picture import no_gradient
from .values import parse_value
from .commands import RenameCommand, SetAttrCommand, SetOpCommand, SetValueCommand
from .document import GraphDocument

__all__ = ["Inspector"]

HINTS = """<p>Select a node to see and edit it.</p>
<p style="color:{muted}"><b>Add</b> a node: click or drag an op in the palette, or press
<b>Tab</b> on the canvas and type (mul, exp, input).<br><br>
<b>Connect</b>: drag from a node's output dot ● (right) to an argument port ○ (left).<br><br>
<b>Change an input</b>: drag left and right over its number, or double-click it.<br><br>
<b>Type</b> <code>z = (a + b) * (b + c)</code> in the bar above the canvas and press Enter.</p>"""


def muted(palette: QPalette) -> QColor:
    """Secondary text that stays readable on the panel's own background, light or dark: two
    thirds of the way from the background to the text colour (a fixed grey that is quiet on
    white is nearly invisible on the dark theme's panels)."""
    text, back = palette.color(QPalette.WindowText), palette.color(QPalette.Window)

    def mix(a: int, b: int) -> int:
        return round(b + (a - b) * 0.67)

    return QColor(mix(text.red(), back.red()), mix(text.green(), back.green()),
                  mix(text.blue(), back.blue()))


def _in_full(value) -> str:
    """A number in 8 digits; an array with every element (the canvas shows a large one as a
    heat map), its shape first."""
    if value is None or isinstance(value, float):
        return format_value(value, 8)
    shape = " × ".join(str(s) for s in np.shape(value))
    return f"{shape}:\n{format_array_in_full(value, 8)}"


class NumberBox(QDoubleSpinBox):
    """A spin box that writes numbers as the canvas does (``3``, ``-0.25``), not ``3.000000``."""

    def textFromValue(self, value: float) -> str:
        return format_value(value, 10)


class Inspector(QWidget):
    def hints(self) -> str:
        """What the panel says when no node is selected, in colours of the current theme."""
        return HINTS.replace("{muted}", muted(self.palette()).name())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange and hasattr(self, "heading") \
                and "<b>Add</b>" in self.heading.text():
            self.heading.setText(self.hints())

    def __init__(self, doc: GraphDocument, scene, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.scene = scene
        self.node: int | None = None
        self._updating = False
        self.heading = QLabel(self.hints())
        self.heading.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("(unnamed)")
        self.op = QComboBox()
        self.op.addItem("input", "input")
        self.op.addItem("constant", "const")
        for name, op in OPS.items():
            self.op.addItem(f"{name}  {op.symbol}" if op.symbol != name else name, name)
        self.spin = NumberBox()
        self.spin.setRange(-1e12, 1e12)
        self.spin.setDecimals(6)
        self.spin.setSingleStep(0.1)
        self.spin.setKeyboardTracking(False)
        self.array = QLineEdit()
        self.array.setPlaceholderText("[1, 2] or [[1, 2], [3, 4]]")
        self.trainable = QCheckBox("trainable (a parameter)")
        self.params = QLineEdit()  # an op's static parameter, as written: [0, :], [2, 3]
        self.seed = QLineEdit()
        self.seed.setPlaceholderText("sum of the elements")
        self.seed.setToolTip("The upstream gradient the backward pass starts from at this "
                             "output: empty for ones (the gradient of the sum of its elements), "
                             "or numbers of its shape such as [1, 0, 0]")
        mono = QFont("DejaVu Sans Mono")
        self.value_view = QPlainTextEdit()
        self.value_view.setReadOnly(True)
        self.value_view.setFont(mono)
        self.value_view.setMaximumHeight(120)
        self.grad_view = QPlainTextEdit()
        self.grad_view.setReadOnly(True)
        self.grad_view.setFont(mono)
        self.grad_view.setMaximumHeight(120)
        for view in (self.value_view, self.grad_view):  # a matrix's row stays one line
            view.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #d62728")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Op", self.op)
        form.addRow("Index", self.params)
        form.addRow("Value", self.spin)
        form.addRow("Value", self.array)
        form.addRow("", self.trainable)
        form.addRow("Seed", self.seed)
        form.addRow("Computed", self.value_view)
        form.addRow("Gradient ∇", self.grad_view)
        self.form = form
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.name.editingFinished.connect(self._rename)
        self.op.activated.connect(self._change_op)
        self.spin.valueChanged.connect(self._set_scalar)
        self.array.editingFinished.connect(self._set_array)
        self.trainable.toggled.connect(self._set_trainable)
        self.seed.editingFinished.connect(self._set_seed)
        self.params.editingFinished.connect(self._set_params)
        scene.selectionChanged.connect(self._selection)
        doc.evaluated.connect(lambda _ev: self.refresh())
        doc.changed.connect(self.refresh)
        doc.replaced.connect(self._selection)
        self.refresh()

    def _selection(self) -> None:
        try:
            nodes = self.scene.selected_nodes()
        except RuntimeError:  # the scene is gone (closing)
            return
        self.node = nodes[0] if len(nodes) == 1 else None
        self.refresh()

    def _row(self, widget: QWidget, visible: bool) -> None:
        widget.setVisible(visible)
        label = self.form.labelForField(widget)
        if label is not None:
            label.setVisible(visible)

    def refresh(self) -> None:
        g = self.doc.graph
        if self.node is not None and self.node not in g:
            self.node = None
        n = self.node
        editors = (self.name, self.op, self.params, self.spin, self.array, self.trainable,
                   self.seed, self.value_view, self.grad_view)
        if n is None:
            for w in editors:
                self._row(w, False)
            count = len(self.scene.selected_nodes())
            self.heading.setText(f"{count} nodes selected." if count > 1 else self.hints())
            self.problem.clear()
            return
        self._updating = True
        try:
            record = g.node(n)
            ev = self.doc.evaluation
            leaf = g.is_leaf(n)
            value = g.value(n)
            scalar = leaf and isinstance(value, float)
            heading = f"<b>{g.label(n)}</b> — node {n}"
            gid = g.group_of(n)
            if gid is not None:  # in a group (core/groups.py): say which, and how to open it
                group = g.groups()[gid]
                heading += (f"<br>in the group <b>{html.escape(group.name)}</b>, "
                            + ("collapsed: double-click it to open it" if group.collapsed
                               else "expanded: double-click inside its frame to close it"))
            self.heading.setText(heading)
            self._row(self.name, True)
            if not self.name.hasFocus():
                self.name.setText(record.name or "")
            self._row(self.op, True)
            self.op.setCurrentIndex(max(0, self.op.findData(record.op)))
            kind = None if leaf else OPS[record.op].params
            self._row(self.params, kind is not None)
            if kind is not None:
                label = self.form.labelForField(self.params)
                label.setText(kind.name.split(" ", 1)[-1].capitalize())  # "an index": Index
                self.params.setPlaceholderText(kind.example)
                if not self.params.isModified():  # not while a new index is being typed
                    self.params.setText(kind.text(record.params))
            self._row(self.spin, scalar)
            if scalar and not self.spin.hasFocus():
                self.spin.setValue(value)
            self._row(self.array, leaf and not scalar)
            if leaf and not scalar and not self.array.hasFocus():
                self.array.setText(format_editable(value))
            self._row(self.trainable, record.op == "input")
            self.trainable.setChecked(record.trainable)
            # the seed matters where the node is the output: shown for an array output, or
            # wherever one was set
            seeded = record.seed is not None or (
                ev is not None and ev.output == n and not isinstance(ev.values.get(n), float))
            self._row(self.seed, seeded)
            if seeded and not self.seed.isModified():
                self.seed.setText("" if record.seed is None else format_editable(record.seed))
            self._row(self.value_view, True)
            self._row(self.grad_view, True)
            self.value_view.setPlainText(_in_full(ev.values.get(n)) if ev else "")
            missing = no_gradient(g, ev)
            self.grad_view.setPlainText(f"—\n{missing}" if missing else
                                        _in_full(ev.grads.get(n)) if ev else "")
            err = ev.errors.get(n) if ev else None
            self.problem.setText(("Cannot compute: " if err.fatal else "Warning: ") + err.message
                                 if err is not None else "")
        finally:
            self._updating = False

    # ---- edits -------------------------------------------------------------------------------------

    def _push(self, command_factory) -> None:
        if self._updating or self.node is None:
            return
        try:
            self.doc.push(command_factory())
        except (GraphError, ValueError) as exc:
            self.problem.setText(str(exc))
            self.refresh_later()

    def refresh_later(self) -> None:
        problem = self.problem.text()
        QTimer.singleShot(0, lambda: (self.refresh(), self.problem.setText(problem)))

    def _rename(self) -> None:
        if self.node is None or self._updating:
            return
        name = self.name.text().strip() or None
        if name != self.doc.graph.name(self.node):
            self._push(lambda: RenameCommand(self.doc, self.node, name))

    def _change_op(self, index: int) -> None:
        op = self.op.itemData(index)
        if self.node is not None and op != self.doc.graph.op(self.node):
            self._push(lambda: SetOpCommand(self.doc, self.node, op))

    def _set_scalar(self, value: float) -> None:
        if self.node is not None and self.doc.graph.value(self.node) != value:
            self._push(lambda: SetValueCommand(self.doc, self.node, float(value), merge=True))

    def _set_array(self) -> None:
        if self.node is None or self._updating:
            return
        text = self.array.text()
        self._push(lambda: SetValueCommand(self.doc, self.node, parse_value(text)))

    def _set_params(self) -> None:
        if self.node is None or self._updating:
            return
        record = self.doc.graph.node(self.node)
        kind = OPS[record.op].params if record.op in OPS else None
        if kind is None:
            return
        try:
            value = kind.parse(self.params.text())
        except ValueError as exc:
            self.problem.setText(f"{kind.name.split(' ', 1)[-1].capitalize()}: {exc}")
            return
        self.params.setModified(False)
        if value != record.params:
            self._push(lambda: SetAttrCommand(self.doc, self.node, "params", value))

    def _set_seed(self) -> None:
        if self.node is None or self._updating:
            return
        text = self.seed.text().strip()
        try:
            value = parse_value(text) if text else None
        except ValueError as exc:
            self.problem.setText(f"Seed: {exc}")
            return
        self.seed.setModified(False)
        old = self.doc.graph.node(self.node).seed
        if value is None and old is None:
            return
        if value is not None and old is not None and np.array_equal(value, old):
            return
        self._push(lambda: SetAttrCommand(self.doc, self.node, "seed", value))

    def _set_trainable(self, on: bool) -> None:
        if self.node is not None and self.doc.graph.node(self.node).trainable != on:
            self._push(lambda: SetAttrCommand(self.doc, self.node, "trainable", on))
