"""Gradient check: every input's backprop gradient against a central difference.

One action (Graph > Check Gradients) runs :func:`~graphstudio.core.explain.check` and lists
each input with backprop's gradient, the numeric one, their relative error and a verdict. A
mismatch is marked in red, in the list and on the canvas (its node outlined as failed, the
reason in its tooltip); a mismatch at a kink (relu at 0, a max tie) is named as such: there the
derivative does not exist, backprop takes a subgradient and the central difference averages
the two sides.

After an edit the results are stale: they are checked again by themselves while the graph is
small, else the panel says so.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...core.explain import CheckEntry, check
from ...core.numbers import format_worked
from ...render.picture import Picture, build_picture
from .common import (BAD, GOOD, RIGHT, WRONG, TeachingPanel, cell, fit_height, make_table,
                     note_label, positions, say)

__all__ = ["CheckPanel", "verdict", "AUTO_CHECK_ELEMENTS"]

AUTO_CHECK_ELEMENTS = 400  # input elements up to which a stale check reruns by itself


def verdict(entry: CheckEntry) -> str:
    """``✓ ok``, ``✗ kink`` (a mismatch where there is no derivative) or ``✗ mismatch``."""
    if entry.ok:
        return f"{RIGHT} ok"
    if entry.kinks and entry.note.startswith("kink"):
        return f"{WRONG} kink"
    return f"{WRONG} {entry.note or 'mismatch'}"


class CheckPanel(TeachingPanel):
    """The Check button, a summary, and the table of inputs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[CheckEntry] | None = None
        self._ran = False  # checked once: from then on, checked again after every change
        self._stale = False
        self.run_button = QPushButton("Check Gradients")
        self.run_button.setToolTip("Compare every input's backprop gradient with a central "
                                   "difference (f(x + h) − f(x − h)) / 2h")
        self.run_button.clicked.connect(lambda _checked=False: self.run())
        self.summary = note_label("Compare every input's backprop gradient with a central "
                                  "difference.")
        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.summary, 1)
        self.table = make_table(["input", "backprop", "numeric", "rel. error", "", "note"])
        self.table.itemSelectionChanged.connect(self._row_selected)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)  # while an input is scrubbed, check once it settles
        self._timer.timeout.connect(self._rerun)

    def context_changed(self) -> None:
        if not self._ran:
            return
        size = sum(int(np.size(self.graph.value(n))) for n in self.graph.inputs())
        if size <= AUTO_CHECK_ELEMENTS:
            self._stale = True
            self._timer.start()  # once the numbers settle (an input being scrubbed)
        else:
            say(self.summary, "The graph changed: press Check Gradients again.")

    def _rerun(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True  # checked when the panel is shown

    def refresh(self) -> None:
        if self._stale and not self._timer.isActive():
            self.run(show=False)

    # ---- running -----------------------------------------------------------------------------

    def run(self, show: bool = True) -> list[CheckEntry]:
        """Check every input; with ``show``, mark the mismatches on the canvas."""
        self._ran, self._stale = True, False
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.blockSignals(False)
        self.entries = []
        if not self.has_context() or self.ev.output is None:
            say(self.summary, "Nothing to check: the graph has no output.")
            return []
        self.entries = entries = check(self.ev)
        for e in entries:
            self._add_row(e)
        fit_height(self.table, 12)
        bad = [e for e in entries if not e.ok]
        out = self.graph.label(self.ev.output)
        if not entries:
            say(self.summary, "No input has a gradient to check.")
        elif bad:
            names = ", ".join(e.label for e in bad)
            s = "es" if len(bad) > 1 else ""
            say(self.summary, f"{WRONG} {len(bad)} mismatch{s} ({names}) in the gradients of "
                              f"{out}", ok=False)
        else:
            which = (f"the gradient of {out} by {entries[0].label} agrees" if len(entries) == 1
                     else f"all {len(entries)} gradients of {out} agree")
            say(self.summary, f"{RIGHT} {which} with the central difference", ok=True)
        if show and bad:
            self.picture_requested.emit(self.marked_picture())
        return entries

    def _add_row(self, e: CheckEntry) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        colour = None if e.ok else BAD
        self.table.setItem(row, 0, cell(e.label, colour=colour))
        self.table.setItem(row, 1, cell(format_worked(e.backprop), mono=True, colour=colour))
        self.table.setItem(row, 2, cell(format_worked(e.numeric), mono=True, colour=colour))
        self.table.setItem(row, 3, cell(f"{e.rel_error:.1e}", mono=True, colour=colour,
                                        align_right=True))
        self.table.setItem(row, 4, cell(verdict(e), colour=GOOD if e.ok else BAD))
        self.table.setItem(row, 5, cell(e.note, colour=colour, tip=e.note))

    def marked_picture(self) -> Picture:
        """The live picture with each mismatched input marked as failed (its reason in the
        tooltip) and the kinks on its way marked with a warning."""
        graph, ev = self.graph, self.ev
        picture = build_picture(graph, ev, positions(graph))
        bad = [e for e in self.entries or [] if not e.ok]
        nodes = dict(picture.nodes)
        for e in bad:
            nodes[e.node] = replace(nodes[e.node], error=(
                f"gradient check: backprop {format_worked(e.backprop)}, central difference "
                f"{format_worked(e.numeric)} ({e.note or 'mismatch'})"))
            for k in e.kinks:
                nodes[k] = replace(nodes[k], warning="a kink: no derivative here, backprop "
                                                     "takes a subgradient")
        picture.nodes = nodes
        names = ", ".join(e.label for e in bad)
        picture.caption = f"Gradient check: mismatch at {names} (marked red)"
        picture.meta = {"mode": "check"}
        return picture

    def _row_selected(self) -> None:
        if self.entries and any(not e.ok for e in self.entries):
            self.picture_requested.emit(self.marked_picture())

    def table_rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]
