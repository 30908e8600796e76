"""Sum over paths (Bristol, lecture 2): every path from an input to the output.

Choose an input: each path is listed with its local derivatives and their product; selecting a
path (or *Show in turn*) highlights exactly its edges on the canvas, labelled with their local
derivatives. The total is set against the backprop gradient (they are equal: backprop *is* the
sum over paths, factored by the distributive law), with the multiplications each needs. Paths
can be exponentially many: past a limit they are counted, not listed.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.explain import ExplainError, Path, PathSum, paths
from ...core.numbers import format_worked
from .common import (RIGHT, WRONG, NodeCombo, TeachingPanel, cell, d, fit_height,
                     highlight_picture, is_scalar, make_table, note_label, say)

__all__ = ["PathsPanel", "PATH_LIMIT"]

PATH_LIMIT = 200  # paths listed; more are counted


class PathsPanel(TeachingPanel):
    """Input choice, the path table, the total against backprop, multiplications."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: PathSum | None = None
        self.input_combo = NodeCombo()
        self.input_combo.setToolTip("The input whose paths to the output are listed")
        self.input_combo.currentIndexChanged.connect(lambda _i: self._schedule())
        self.turn_button = QPushButton("Show in turn")
        self.turn_button.setCheckable(True)
        self.turn_button.setToolTip("Highlight each path on the canvas in turn")
        self.turn_button.toggled.connect(self._in_turn)
        self.timer = QTimer(self)
        self.timer.setInterval(1500)
        self.timer.timeout.connect(self._next_path)
        top = QHBoxLayout()
        top.addWidget(QLabel("Paths from"))
        top.addWidget(self.input_combo, 1)
        self.to_label = QLabel("")
        top.addWidget(self.to_label)
        top.addWidget(self.turn_button)
        self.table = make_table(["#", "path", "local derivatives", "product"], stretch=1)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.total = note_label()
        self.total.setFont(self.font())
        self.work = note_label()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.total)
        layout.addWidget(self.work)
        layout.addStretch(1)

    def context_changed(self) -> None:
        self._stop_turns()
        self.input_combo.fill(self.graph, self.graph.inputs())

    def release(self) -> None:
        self._stop_turns()
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.blockSignals(False)

    def choose_input(self, node: int) -> bool:
        return self.input_combo.choose(node)

    # ---- computing and listing ---------------------------------------------------------------

    def refresh(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.blockSignals(False)
        self.result = None
        self.total.setText("")
        self.work.setText("")
        x = self.input_combo.node()
        if not self.has_context() or x is None:
            self.to_label.setText("")
            self.total.setText("The graph has no input.")
            return
        graph, ev = self.graph, self.ev
        try:
            ps = paths(ev, x, limit=PATH_LIMIT)
        except ExplainError as exc:
            self.to_label.setText("")
            self.total.setText(str(exc))
            return
        self.result = ps
        name, out = graph.label(x), graph.label(ps.output)
        self.to_label.setText(f"to {out}")
        lhs = d(out, name)
        if ps.listed:
            self.table.blockSignals(True)
            for i, p in enumerate(ps.paths):
                self._add_row(i, p)
            self.table.blockSignals(False)
            fit_height(self.table, 12)
            self.table.show()
            products = " + ".join(format_worked(p.product) for p in ps.paths) if all(
                is_scalar(p.product) for p in ps.paths) and len(ps.paths) <= 12 else ""
            s = "" if ps.count == 1 else "s"
            total = f"Σ over the {ps.count} path{s} = " + (f"{products} = " if products else "")
            total += format_worked(ps.total)
        else:
            self.table.hide()
            total = (f"There are {ps.count:,} paths from {name} to {out}: too many to list "
                     f"(at most {PATH_LIMIT}). Their sum, accumulated edge by edge, = "
                     f"{format_worked(ps.total)}")
        if ps.count == 0:
            total = f"No path from {name} to {out}: {lhs} = 0"
        ok = ps.agrees
        say(self.total, f"{total}\n{RIGHT if ok else WRONG} backprop: {lhs} = {format_worked(ps.grad)}"
                        + (" — the same number" if ok else " — they differ"), ok=ok)
        self.work.setText(
            f"Multiplications for {lhs}: {ps.multiplications_paths} along the paths (each path of "
            f"L edges multiplies L local derivatives), {ps.multiplications_backprop} by backprop "
            f"(one per edge on a path). One backward pass gives every input's gradient with "
            f"one multiplication per edge: {ps.edges_backprop_all} edges.")

    def _add_row(self, i: int, p: Path) -> None:
        graph = self.graph
        row = self.table.rowCount()
        self.table.insertRow(row)
        nodes = " → ".join(graph.label(n) for n in p.nodes)
        if all(is_scalar(v) and v is not None for v in p.locals):
            locals_ = " × ".join(format_worked(v) for v in p.locals)
        else:
            locals_ = " · ".join("J" if v is not None else "J (large)" for v in p.locals)
        self.table.setItem(row, 0, cell(str(i + 1), align_right=True))
        self.table.setItem(row, 1, cell(nodes))
        self.table.setItem(row, 2, cell(locals_, mono=True))
        note = "; ".join(p.notes)  # why a local derivative on the path is 0 (stop_gradient)
        self.table.setItem(row, 3, cell(format_worked(p.product), mono=True, tip=note))
        if note:
            self.table.item(row, 2).setToolTip(note)

    # ---- highlighting ------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.result is None or not self.result.listed:
            return
        self.show_path(rows[0].row())

    def show_path(self, i: int) -> None:
        """Ask the canvas to highlight path ``i`` (its edges labelled)."""
        ps = self.result
        p = ps.paths[i]
        graph = self.graph
        nodes = " → ".join(graph.label(n) for n in p.nodes)
        caption = (f"Path {i + 1} of {ps.count} from {graph.label(ps.input)} to "
                   f"{graph.label(ps.output)}: {nodes}, product {format_worked(p.product)}"
                   + (f" ({'; '.join(p.notes)})" if p.notes else ""))
        picture = highlight_picture(graph, self.ev, p.edges, caption, nodes=(p.start,))
        picture.meta = {"mode": "path", "path": i}
        self.picture_requested.emit(picture)

    def _in_turn(self, on: bool) -> None:
        if on and self.result is not None and self.result.listed and self.result.paths:
            self._next_path()
            self.timer.start()
        else:
            self._stop_turns()

    def _next_path(self) -> None:
        n = self.table.rowCount()
        if n == 0:
            self._stop_turns()
            return
        rows = self.table.selectionModel().selectedRows()
        nxt = (rows[0].row() + 1) % n if rows else 0
        self.table.selectRow(nxt)

    def _stop_turns(self) -> None:
        self.timer.stop()
        if self.turn_button.isChecked():
            self.turn_button.blockSignals(True)
            self.turn_button.setChecked(False)
            self.turn_button.blockSignals(False)

    def table_rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]
