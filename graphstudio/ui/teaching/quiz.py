"""Quiz mode: the gradients (or the values) are hidden and the student finds them.

The canvas shows the graph with the hidden numbers replaced by ``?``; the student types an
answer per node in the table (a number or arithmetic such as ``7*1 + 2*1``; nothing typed is
executed) and each is marked right or wrong (:func:`~graphstudio.core.explain.grade`), the
canvas showing the typed answer with its mark. The hint for a node is its ledger line written
with the names of the quantities, the numbers filled in only where the student has already
found them (and the local derivatives, which the graph gives).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QRadioButton, QVBoxLayout, QWidget)

from ...core.explain import ExplainError, QuizAnswer, grade, ledger, quiz_targets
from ...core.numbers import format_worked
from ...render.picture import Picture, build_picture
from .common import (BAD, GOOD, RIGHT, WRONG, TeachingPanel, cell, d, is_scalar, fit_height,
                     make_table, note_label, op_text, positions, say)

__all__ = ["QuizPanel"]


class QuizPanel(TeachingPanel):
    """Hide gradients or values, a table of answers, marks, a score and hints."""

    persistent = True  # the quiz stays on the canvas across edits

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on = False
        self.targets: dict = {}
        self.answers: dict[int, str] = {}  # typed text by node, kept across re-evaluations
        self.marks: dict[int, QuizAnswer] = {}
        self.edits: dict[int, QLineEdit] = {}
        self.hide_grad = QRadioButton("gradients")
        self.hide_value = QRadioButton("values")
        self.hide_grad.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.hide_grad)
        group.addButton(self.hide_value)
        self.hide_grad.toggled.connect(self._hide_changed)
        self.start_button = QPushButton("Start Quiz")
        self.start_button.setCheckable(True)
        self.start_button.toggled.connect(self.set_on)
        top = QHBoxLayout()
        top.addWidget(QLabel("Hide the"))
        top.addWidget(self.hide_grad)
        top.addWidget(self.hide_value)
        top.addStretch(1)
        top.addWidget(self.start_button)
        self.score = note_label("Start the quiz, then type your numbers into the table.")
        self.table = make_table(["node", "shown", "your answer", "mark"], stretch=3)
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.hint_button = QPushButton("Hint")
        self.hint_button.setToolTip("The chain-rule ledger of the selected node")
        self.hint_button.clicked.connect(self.show_hint)
        self.hint = note_label()
        hint_row = QHBoxLayout()
        hint_row.addWidget(self.hint_button, 0, Qt.AlignTop)
        hint_row.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.score)
        layout.addWidget(self.table)
        layout.addLayout(hint_row)
        layout.addStretch(1)
        self._update_enabled()

    @property
    def hide(self) -> str:
        return "grad" if self.hide_grad.isChecked() else "value"

    # ---- on and off --------------------------------------------------------------------------

    def set_on(self, on: bool) -> None:
        """Start or end the quiz (as the Start Quiz button does; its ``toggled`` tells others)."""
        if self.start_button.isChecked() != on:
            self.start_button.setChecked(on)  # comes back here through toggled
            return
        if on == self.on:
            return
        self.on = on
        self.start_button.setText("End Quiz" if on else "Start Quiz")
        if on:
            self.answers, self.marks = {}, {}
            self.hint.setText("")
            self._build()
            self.picture_requested.emit(self.current_picture())
        else:
            self.table.setRowCount(0)
            fit_height(self.table, 14)
            self.edits = {}
            self.score.setText("Start the quiz, then type your numbers into the table.")
            self.hint.setText("")
            self.picture_requested.emit(None)
        self._update_enabled()

    def _hide_changed(self, _checked: bool) -> None:
        if self.on:
            self.answers, self.marks = {}, {}
            self._build()
            self.picture_requested.emit(self.current_picture())

    def _update_enabled(self) -> None:
        self.hint_button.setEnabled(self.on)
        self.table.setEnabled(self.on)

    def context_changed(self) -> None:
        if self.on:
            self._build()
            self.picture_requested.emit(self.current_picture())

    # ---- the table ---------------------------------------------------------------------------

    def _build(self) -> None:
        """One row per node to find; typed answers are kept and marked again."""
        self.table.setRowCount(0)
        self.edits = {}
        if not self.has_context():
            self.targets = {}
            self.score.setText("The graph is empty.")
            return
        graph, ev = self.graph, self.ev
        self.targets = quiz_targets(ev, hide=self.hide)
        out = graph.label(ev.output) if ev.output is not None else "?"
        self.table.setHorizontalHeaderItem(1, cell("value" if self.hide == "grad" else "op"))
        self.table.setHorizontalHeaderItem(2, cell(f"your {d(out, '·')}" if self.hide == "grad"
                                                   else "your value"))
        for n in self.targets:
            row = self.table.rowCount()
            self.table.insertRow(row)
            self.table.setItem(row, 0, cell(graph.label(n)))
            shown = format_worked(ev.values.get(n)) if self.hide == "grad" else op_text(graph, n)
            self.table.setItem(row, 1, cell(shown, mono=True))
            edit = QLineEdit(self.answers.get(n, ""))
            edit.setObjectName(f"answer-{graph.label(n)}")
            edit.setPlaceholderText("type a number")
            edit.editingFinished.connect(lambda n=n, e=edit: self.answer(n, e.text()))
            edit.returnPressed.connect(lambda row=row: self._focus_row(row + 1))
            self.table.setCellWidget(row, 2, edit)
            self.edits[n] = edit
            self.table.setItem(row, 3, cell(""))
        for n in list(self.answers):
            if n in self.targets:
                self._mark(n)
            else:
                self.answers.pop(n)
        fit_height(self.table, 14)
        self._score()

    def _focus_row(self, row: int) -> None:
        widget = self.table.cellWidget(row, 2)
        if widget is not None:
            widget.setFocus()
            self.table.selectRow(row)

    def answer(self, node: int, text: str) -> QuizAnswer | None:
        """Mark the student's ``text`` for ``node``."""
        if node not in self.targets:
            return None
        text = text.strip()
        if not text:
            self.answers.pop(node, None)
            self.marks.pop(node, None)
            self._mark(node)
        else:
            self.answers[node] = text
            self._mark(node)
        self._score()
        self.picture_requested.emit(self.current_picture())
        return self.marks.get(node)

    def _mark(self, node: int) -> None:
        row = list(self.targets).index(node)
        text = self.answers.get(node)
        if text is None:
            self.table.setItem(row, 3, cell(""))
            return
        result = grade(text, self.targets[node])
        self.marks[node] = result
        if result.correct:
            item = cell(f"{RIGHT} right", colour=GOOD)
        elif result.given is None:
            item = cell(f"{WRONG} {result.message}", colour=BAD)
        else:
            item = cell(f"{WRONG} wrong", colour=BAD)
        self.table.setItem(row, 3, item)

    def _score(self) -> None:
        right = sum(1 for m in self.marks.values() if m.correct)
        what = "gradients" if self.hide == "grad" else "values"
        total = len(self.targets)
        text = f"{right} of {total} {what} right"
        if total and right == total:
            text += " — all of them!"
        say(self.score, text, ok=True if total and right == total else None)

    def selection_changed(self) -> None:
        """A node clicked on the canvas: its answer is ready to be typed."""
        if self.on and self.selected in self.edits:
            self._focus_row(list(self.targets).index(self.selected))

    # ---- the canvas --------------------------------------------------------------------------

    def release(self) -> None:
        pass  # the quiz stays on; the router shows it again after an edit

    def current_picture(self) -> Picture | None:
        if not self.on or not self.has_context():
            return None
        graph, ev = self.graph, self.ev
        picture = build_picture(graph, ev, positions(graph), show_grad=True)
        nodes = {}
        for n, view in picture.nodes.items():
            typed = self.answers.get(n)
            mark = self.marks.get(n)
            shown = "?" if typed is None else f"{typed} {RIGHT if mark and mark.correct else WRONG}"
            # the hidden number goes too, not only its text: an array would show it in its cells
            if self.hide == "grad":
                view = replace(view, grad=None, grad_text=shown if n in self.targets else "")
            elif n in self.targets:
                view = replace(view, grad=None, grad_text="", value=None, value_text=shown)
            else:
                view = replace(view, grad=None, grad_text="")
            nodes[n] = view
        picture.nodes = nodes
        right = sum(1 for m in self.marks.values() if m.correct)
        what = (f"every gradient {d(graph.label(ev.output), '·')}" if self.hide == "grad"
                else "every value") if ev.output is not None else "the numbers"
        picture.caption = f"Quiz: find {what} ({right} of {len(self.targets)} right)"
        picture.show_grad = self.hide == "grad"
        picture.meta = {"mode": "quiz", "hide": self.hide}
        return picture

    # ---- hints -------------------------------------------------------------------------------

    def _row_selected(self) -> None:
        self.hint.setText("")

    def selected_node(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return list(self.targets)[rows[0].row()]
        for n, edit in self.edits.items():
            if edit.hasFocus():
                return n
        return None

    def show_hint(self) -> str:
        node = self.selected_node()
        if node is None:
            self.hint.setText("Select a row (or click into its answer) for a hint.")
        else:
            self.hint.setText(self.hint_for(node))
        return self.hint.text()

    def _known(self, node: int) -> str | None:
        """A number the student may use: found by them, or shown on the canvas."""
        mark = self.marks.get(node)
        if mark is not None and mark.correct:
            return format_worked(self.targets[node])
        return None

    def hint_for(self, node: int) -> str:
        graph, ev = self.graph, self.ev
        name = graph.label(node)
        if self.hide == "value":
            parents = graph.parents(node)
            known = []
            for p in parents:
                if p is None:
                    continue
                v = self._known(p) if p in self.targets else format_worked(ev.values.get(p))
                known.append(f"{graph.label(p)} = {v if v is not None else '?'}")
            return f"{name} = {op_text(graph, node)}, with " + ", ".join(known)
        try:
            led = ledger(ev, node)
        except ExplainError as exc:
            return str(exc)
        out = led.output_label
        if node == led.output:
            return f"{d(out, out)} = 1: the backward pass starts at the output."
        if not led.terms:
            return led.note
        parts, locals_ = [], []
        for t in led.terms:
            up = self._known(t.child)
            upstream = up if up is not None else d(out, t.child_label)
            local = format_worked(t.local) if is_scalar(t.local) and t.local is not None else "J"
            parts.append(f"{upstream} × ∂{t.child_label}/∂{name}")
            locals_.append(f"{t.formula} = {local}" if not t.formula.endswith(f"= {local}")
                           else t.formula)
        return (f"{d(out, name)} = " + " + ".join(parts) + ", summed over the successors of "
                f"{name}, where " + "; ".join(locals_))

    # ---- reading -----------------------------------------------------------------------------

    def mark_text(self, node: int) -> str:
        row = list(self.targets).index(node)
        item = self.table.item(row, 3)
        return item.text() if item else ""

