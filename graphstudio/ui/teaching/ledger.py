"""The chain-rule ledger of the selected node, and forward mode beside it.

For the selected node ``u`` the ledger writes out how backprop assembled ``d out / d u``: one
line per successor, ``upstream × local derivative = contribution``, then their sum, as Grosse's
slides do for ``dz/db = 7 × 1 + 2 × 1 = 9``. For an array node each line is a vector-Jacobian
product; the Jacobians are written out as matrices when they are small.

Forward mode (a toggle with a chosen input ``x``) computes ``d node / d x`` for every node,
shows it on the canvas in place of the gradients (the caption says so), and sets it here beside
reverse mode, with the check that both give the same ``d out / d x``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QCheckBox, QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit,
                               QVBoxLayout, QWidget)

from ...core.explain import ExplainError, ForwardMode, Ledger, forward_mode, ledger
from ...core.numbers import format_array_in_full, format_worked
from ...render.picture import Picture, build_picture
from .common import (RIGHT, WRONG, NodeCombo, TeachingPanel, cell, d, fit_height, is_scalar,
                     make_table, mono_font, note_label, positions, say, scrolling)
from .symbolic import Formulas, formulas_or_reason, pretty_line, worker

__all__ = ["LedgerPanel", "ledger_sum_text", "forward_picture"]


def _is(value: str, sign: str = " = ") -> str:
    """`` = 3`` after a name; a matrix (lines of its own) starts on the next line, so its
    rows stay aligned."""
    return f"{sign.rstrip()}\n{value}" if "\n" in value else f"{sign}{value}"


def ledger_sum_text(led: Ledger) -> str:
    """``dz/db = 7 × 1 + 2 × 1 = 9`` (scalars), or the sum of vector-Jacobian products."""
    lhs = d(led.output_label, led.label)
    if not led.terms:
        return f"{lhs} = {format_worked(led.total)}" + (" (the output)" if led.node == led.output else "")
    if all(is_scalar(t.upstream) and is_scalar(t.local) for t in led.terms):
        parts = " + ".join(f"{format_worked(t.upstream)} × {format_worked(t.local)}" for t in led.terms)
        return f"{lhs} = {parts} = {format_worked(led.total)}"
    via = ", ".join(t.child_label for t in led.terms)
    return f"{lhs} = Σ over {via} of upstream · Jacobian =\n{full(led.total)}"


def forward_picture(graph, ev, fm: ForwardMode) -> Picture:
    """The live picture with every node's gradient replaced by ``d node / d input``."""
    picture = build_picture(graph, ev, positions(graph))
    name = graph.label(fm.input)
    nodes = {}
    for n, view in picture.nodes.items():
        t = fm.tangents.get(n)
        nodes[n] = replace(view, grad=t, grad_text="" if t is None else format_worked(t),
                           grad_prefix=f"d/d{name} = ", highlight="current" if n == fm.input else None)
    picture.nodes = nodes
    picture.caption = (f"Forward mode: each node shows d node/d{name} (not its gradient); "
                       f"at the output d{graph.label(fm.output)}/d{name} = {format_worked(fm.forward)}")
    picture.meta = {"mode": "forward", "input": fm.input}
    return picture


def full(value) -> str:
    """Every element of a (small) array, rows on their own lines."""
    if value is None:
        return "(too large to show)"
    if is_scalar(value):
        return format_worked(value)
    return format_array_in_full(value)


def compact(value) -> str:
    """A table cell: a number, a short vector, else the array's shape."""
    if value is None or is_scalar(value):
        return format_worked(value)
    arr = np.asarray(value)
    text = full(arr)
    if arr.ndim == 1 and len(text) <= 16:
        return text
    return f"{arr.shape[0]}-vector" if arr.ndim == 1 else f"{'×'.join(map(str, arr.shape))} array"


class LedgerPanel(TeachingPanel):
    """Node choice (follows the canvas), the ledger table, its sum, Jacobians, forward mode."""

    persistent = True  # forward mode stays on across edits

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._nodes_stale = False  # the node menu waits for the panel to be shown
        self.led: Ledger | None = None
        self.fm: ForwardMode | None = None
        self._waiting_formulas = False
        worker().ready.connect(self._derived)
        self.node_combo = NodeCombo()
        self.node_combo.setToolTip("The node whose gradient to explain (or select it on the "
                                   "canvas)")
        self.node_combo.currentIndexChanged.connect(self._combo_changed)
        top = QHBoxLayout()
        top.addWidget(QLabel("Node"))
        top.addWidget(self.node_combo, 1)
        self.title = QLabel("Select a node to see how its gradient was assembled.")
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.title.setWordWrap(True)
        self.table = make_table(["successor", "local derivative", "upstream", "× local",
                                 "= contribution"], stretch=1)
        self.summary = note_label()
        self.summary.setFont(mono_font(1))
        self.agreement = note_label()
        self.symbolic_line = note_label()
        self.symbolic_line.setFont(mono_font())
        self.details = QPlainTextEdit()  # the Jacobians and products in full (arrays)
        self.details.setReadOnly(True)
        self.details.setFont(mono_font())
        self.details.setLineWrapMode(QPlainTextEdit.NoWrap)

        self.forward_box = QGroupBox("Forward mode")
        self.forward_toggle = QCheckBox("Show d node / d")
        self.forward_toggle.setToolTip("Show on every node its derivative with respect to the "
                                       "chosen input, computed in forward mode")
        self.forward_input = NodeCombo()
        self.forward_toggle.toggled.connect(self._forward_toggled)
        self.forward_input.currentIndexChanged.connect(self._forward_input_changed)
        self.forward_node = note_label()
        self.forward_node.setFont(mono_font())
        self.forward_check = note_label()
        row = QHBoxLayout()
        row.addWidget(self.forward_toggle)
        row.addWidget(self.forward_input, 1)
        box = QVBoxLayout(self.forward_box)
        box.addLayout(row)
        box.addWidget(self.forward_node)
        box.addWidget(self.forward_check)

        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 4, 0)
        inner.addWidget(self.title)
        inner.addWidget(self.table)
        inner.addWidget(self.summary)
        inner.addWidget(self.agreement)
        inner.addWidget(self.symbolic_line)
        inner.addWidget(self.details)
        inner.addWidget(self.forward_box)
        inner.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scrolling(body), 1)
        self.details.hide()
        self.symbolic_line.hide()

    # ---- context -----------------------------------------------------------------------------

    def context_changed(self) -> None:
        graph = self.graph
        if self.isVisible():
            self._fill_nodes()
        else:  # a scrub evaluates a big graph many times a second: its names wait for a look
            self._nodes_stale = True
        self.forward_input.fill(graph, graph.inputs())
        if self.forward_toggle.isChecked():
            self._compute_forward()
            self.picture_requested.emit(self.current_picture())

    def _fill_nodes(self) -> None:
        """The node menu: every node the ledger can explain, the selected one chosen."""
        self._nodes_stale = False
        graph, selected = self.graph, self.selected  # (a new menu may choose another first)
        explainable = [n for n in (self.ev.program.order if self.ev else graph.nodes())
                       if graph.op(n) != "const"]
        self.node_combo.fill(graph, explainable)
        if selected is not None:
            self.node_combo.choose(selected)

    def showEvent(self, event) -> None:
        if self._nodes_stale and self.graph is not None:
            self._fill_nodes()
        super().showEvent(event)  # which refreshes the ledger, from the node chosen

    def selection_changed(self) -> None:
        if self.selected is not None:
            self.node_combo.choose(self.selected)
        self._schedule()

    def _combo_changed(self, _i: int) -> None:
        node = self.node_combo.node()
        if node is not None:
            self.selected = node
        self._schedule()

    def release(self) -> None:
        pass  # forward mode stays checked; the router shows its picture again after an edit

    def current_picture(self) -> Picture | None:
        if not self.forward_toggle.isChecked() or self.fm is None:
            return None
        return forward_picture(self.graph, self.ev, self.fm)

    # ---- forward mode ------------------------------------------------------------------------

    def _compute_forward(self) -> None:
        self.fm = None
        x = self.forward_input.node()
        if x is None or not self.has_context():
            self.forward_check.setText("No input to differentiate by.")
            return
        try:
            self.fm = forward_mode(self.ev, x)
        except ExplainError as exc:
            self.forward_check.setText(str(exc))

    def _forward_toggled(self, on: bool) -> None:
        if on:
            self._compute_forward()
            self.picture_requested.emit(self.current_picture())
        else:
            self.fm = None
            self.picture_requested.emit(None)
        self._schedule()

    def _forward_input_changed(self, _i: int) -> None:
        if self.forward_toggle.isChecked():
            self._compute_forward()
            self.picture_requested.emit(self.current_picture())
            self._schedule()

    def set_forward(self, on: bool, input: int | None = None) -> None:
        """Turn forward mode on (with respect to ``input``) or off, as the menu does."""
        if input is not None:
            self.forward_input.choose(input)
        self.forward_toggle.setChecked(on)

    # ---- showing -----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.table.setRowCount(0)
        fit_height(self.table, 6)
        self.summary.setText("")
        self.agreement.setText("")
        self.details.hide()
        self.symbolic_line.hide()
        self._show_forward()
        node = self.node_combo.node()
        if not self.has_context() or node is None:
            self.led = None
            self.title.setText("Select a node to see how its gradient was assembled.")
            return
        try:
            led = ledger(self.ev, node)
        except ExplainError as exc:
            self.led = None
            self.title.setText(str(exc))
            return
        self.led = led
        out = led.output_label
        self.title.setText(f"How {d(out, led.label)} was assembled: for each successor, "
                           f"upstream × local derivative")
        self.table.horizontalHeaderItem(2).setToolTip(f"{d(out, '·')} of the successor")
        arrays = False
        for t in led.terms:
            row = self.table.rowCount()
            self.table.insertRow(row)
            scalar = is_scalar(t.upstream) and is_scalar(t.local)
            arrays |= not scalar
            if scalar:
                local = format_worked(t.local)
            else:
                shape = "×".join(map(str, np.shape(t.local)))
                local = "J (large)" if t.local is None else f"J: {shape}"
            self.table.setItem(row, 0, cell(t.child_label))
            self.table.setItem(row, 1, cell(t.formula, mono=True))
            self.table.setItem(row, 2, cell(compact(t.upstream), mono=True, tip=format_worked(t.upstream)))
            self.table.setItem(row, 3, cell(local, mono=True))
            self.table.setItem(row, 4, cell(compact(t.contribution), mono=True,
                                            tip=format_worked(t.contribution)))
        notes = [f"via {t.child_label}: {t.note}" for t in led.terms if t.note]
        self.summary.setText("\n".join([ledger_sum_text(led)] + notes))
        if led.agrees:
            say(self.agreement, (led.note + "  " if led.note else "")
                + f"{RIGHT} backprop stored {d(out, led.label)}{_is(format_worked(led.grad))}",
                ok=True)
        else:
            stored = format_worked(led.grad)
            say(self.agreement, f"{WRONG} backprop stored{_is(stored, ' ')}"
                                + ("\n" if "\n" in stored else ", ")
                                + f"the terms sum to{_is(format_worked(led.total), ' ')}", ok=False)
        fit_height(self.table, 6)
        if arrays:
            self._show_jacobians(led)
        self._show_symbolic(node)

    def _show_jacobians(self, led: Ledger) -> None:
        parts = []
        for t in led.terms:
            parts.append(f"via {t.child_label}:  {t.formula}")
            parts.append(f"  upstream {d(led.output_label, t.child_label)} =\n"
                         + _indent(full(t.upstream)))
            if t.local is not None:
                rows, cols = np.shape(t.local)
                parts.append(f"  Jacobian ∂{t.child_label}/∂{led.label} ({rows}×{cols}: rows "
                             f"{t.child_label}'s elements, columns {led.label}'s) =\n"
                             + _indent(full(t.local)))
            else:
                parts.append("  Jacobian too large to show; the vector-Jacobian product is "
                             "computed without it")
            parts.append("  upstream · Jacobian = contribution =\n" + _indent(full(t.contribution)))
            parts.append("")
        text = "\n".join(parts).rstrip()
        self.details.setPlainText(text)
        lines = min(text.count("\n") + 1, 24)
        spacing = self.details.fontMetrics().lineSpacing()
        self.details.setFixedHeight(lines * spacing + 2 * self.details.frameWidth() + 12
                                    + self.details.horizontalScrollBar().sizeHint().height())
        self.details.show()

    def _show_symbolic(self, node: int) -> None:
        """The symbolic gradient of an input, for scalar graphs."""
        if self.graph.op(node) != "input":
            return
        result = formulas_or_reason(self.graph, self.ev)
        if result is None:  # being derived: shown when ready
            self._waiting_formulas = True
            return
        self._waiting_formulas = False
        sym = result if isinstance(result, Formulas) else None
        if sym is None or node not in sym.gradients or isinstance(sym.gradients[node], np.ndarray):
            return  # (an array's formulas are in the Formulas panel)
        value = sym.value(node)
        lhs = d(self.graph.label(sym.output), self.graph.label(node))
        self.symbolic_line.setText(f"symbolic: {lhs} = {pretty_line(sym.gradients[node])} = "
                                   f"{format_worked(value)}")
        self.symbolic_line.show()

    def _derived(self) -> None:
        if self._waiting_formulas:
            self._schedule()

    def _show_forward(self) -> None:
        fm = self.fm
        on = self.forward_toggle.isChecked()
        self.forward_node.setVisible(on)
        if not on:
            say(self.forward_check, "Forward mode pushes d·/dx from one input to the output, one "
                                    "pass per input; reverse mode (above) gives every input's "
                                    "gradient in one backward pass.")
            return
        if fm is None or not self.has_context():
            return
        graph = self.graph
        x, out = graph.label(fm.input), graph.label(fm.output)
        node = self.node_combo.node()
        lines = []
        if node is not None and node in fm.tangents:
            name = graph.label(node)
            lines.append(f"forward mode: d{name}/d{x} = {format_worked(fm.tangents[node])}")
            grad = self.ev.grads.get(node)
            if grad is not None:
                lines.append(f"reverse mode: d{out}/d{name} = {format_worked(grad)}")
        self.forward_node.setText("\n".join(lines))
        ok = fm.agrees
        say(self.forward_check,
            f"{RIGHT if ok else WRONG} at the output: forward d{out}/d{x} = {format_worked(fm.forward)}, "
            f"reverse d{out}/d{x} = {format_worked(fm.reverse)}: " + ("they agree" if ok else "they differ"),
            ok=ok)

    # ---- reading -----------------------------------------------------------------------------

    def table_rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]


def _indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line for line in text.splitlines())
