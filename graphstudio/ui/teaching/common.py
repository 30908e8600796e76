"""What every teaching panel shares: the small interface the editor talks to, and helpers.

The editor and the teaching views are written apart, so a panel knows nothing of the main
window. It is told what to explain and says what it wants drawn:

* ``set_context(graph, evaluation)``: the graph and its latest evaluation (after every pass);
* ``set_selected(node | None)``: the node selected on the canvas;
* ``picture_requested(picture | None)``: a :class:`~graphstudio.render.picture.Picture` the
  canvas should show instead of the live values (a step of a pass, a highlighted path, the
  quiz with its gradients hidden), or None to go back to the live view;
* ``release()``: the canvas stopped showing this panel's picture (another panel took it, or
  the graph was edited); a *persistent* panel (forward mode, the quiz) gets to show its
  picture again after an edit, the others leave their mode.

A panel recomputes only while it is visible (a hidden dock tab stays idle while an input is
scrubbed) and catches up when it is shown.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFrame, QHeaderView, QLabel,
                               QLayout, QScrollArea, QTableWidget, QTableWidgetItem, QWidget)

from ...core.engine import Evaluation
from ...core.graph import Graph
from ...render.picture import Picture, build_picture, edge_label, op_text

__all__ = ["TeachingPanel", "positions", "mono_font", "highlight_picture", "NodeCombo",
           "make_table", "unbroken_rows", "fit_height", "cell", "scrolling", "note_label", "say", "d", "op_text", "RIGHT", "WRONG",
           "GOOD", "BAD"]

RIGHT, WRONG = "✓", "✗"
GOOD, BAD = QColor("#1e8449"), QColor("#c0392b")  # readable on light and dark backgrounds


def d(out: str, node: str) -> str:
    """The total derivative as the lectures write it: ``da/df``."""
    return f"d{out}/d{node}"


def positions(graph: Graph) -> dict[int, tuple[float, float]]:
    return {n: graph.position(n) or (0.0, 0.0) for n in graph.nodes()}


def mono_font(size_delta: int = 0) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
    if size_delta:
        font.setPointSize(max(6, font.pointSize() + size_delta))
    return font


def highlight_picture(graph: Graph, ev: Evaluation, edges: Iterable[tuple[int, int, int]],
                      caption: str, nodes: Iterable[int] = (), labels: bool = True) -> Picture:
    """The live picture with ``edges`` highlighted (and labelled with their local derivative
    when ``labels``) and ``nodes`` marked as current."""
    picture = build_picture(graph, ev, positions(graph))
    chosen, current = set(edges), set(nodes)
    picture.edges = [replace(e, highlight=(e.src, e.dst, e.port) in chosen,
                             label=(edge_label(ev, e.src, e.dst, e.port)
                                    if labels and (e.src, e.dst, e.port) in chosen else None))
                     for e in picture.edges]
    picture.nodes = {n: replace(v, highlight="current" if n in current else None)
                     for n, v in picture.nodes.items()}
    picture.caption = caption
    return picture


def make_table(headers: list[str], stretch: int | tuple[int, ...] | None = None) -> QTableWidget:
    """A read-only table with a row per item, columns sized to their contents but for the
    ``stretch`` column(s) (the last by default), which share the width left and wrap their
    text. Several stretch columns suit a table whose cells can all be long (arrays, sums):
    with one, the others took their one-line width and left it a sliver wrapped letter by
    letter."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.SingleSelection)
    table.setWordWrap(True)
    table.setAlternatingRowColors(True)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # the stretch column gives way
    table.setTextElideMode(Qt.ElideMiddle)
    header = table.horizontalHeader()
    for i in range(len(headers)):
        header.setSectionResizeMode(i, QHeaderView.ResizeToContents)
    stretch = len(headers) - 1 if stretch is None else stretch
    if isinstance(stretch, int):
        header.setSectionResizeMode(stretch, QHeaderView.Stretch)
    else:
        table.shared_widths = SharedWidths(table, stretch)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    return table


NO_BREAK = "\u00a0"


def unbroken_rows(text: str) -> str:
    """``text`` that wraps only between its lines: a matrix keeps each row on one line (its
    spaces become no-break spaces), so it reads as a matrix and not as a run of numbers."""
    if "\n" not in text:
        return text
    return "\n".join(line.replace(" ", NO_BREAK) for line in text.split("\n"))


class SharedWidths(QObject):
    """Columns that share a table's width as an HTML table shares a page: each gets at least
    its widest piece that cannot break (a matrix row, a long number), then the width left is
    shared out evenly, no column taking more than its text needs while another still wraps.
    With plain equal shares a 3×2 matrix was broken into six half-rows beside a column with
    room to spare. Call :meth:`fit` after filling the table; a resize fits it again."""

    PADDING = 12  # the cell's margins and the grid line

    def __init__(self, table: QTableWidget, columns: tuple[int, ...]) -> None:
        super().__init__(table)
        self.table, self.columns = table, columns
        for i in columns:
            table.horizontalHeader().setSectionResizeMode(i, QHeaderView.Fixed)
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Resize:
            self.fit()
        return False

    def _needs(self, column: int) -> tuple[int, int]:
        """The widest unbreakable piece and the widest line of ``column``, in pixels."""
        table = self.table
        header = table.horizontalHeaderItem(column)
        metrics = QFontMetrics(table.horizontalHeader().font())
        least = most = max((metrics.horizontalAdvance(line)  # a header breaks only at its \n
                            for line in (header.text() if header else "").split("\n")), default=0)
        pieces = []
        for row in range(table.rowCount()):
            item = table.item(row, column)
            if item is not None and item.text():
                pieces.append((item.text(), item.font()))
        for text, font in pieces:
            metrics = QFontMetrics(font)
            for line in text.split("\n"):
                most = max(most, metrics.horizontalAdvance(line))
                least = max(least, max((metrics.horizontalAdvance(w) for w in line.split(" ")),
                                       default=0))
        return least + self.PADDING, most + self.PADDING

    def fit(self) -> None:
        table, header = self.table, self.table.horizontalHeader()
        others = sum(header.sectionSize(i) for i in range(table.columnCount())
                     if i not in self.columns)
        room = table.viewport().width() - others
        needs = {i: self._needs(i) for i in self.columns}
        widths = {i: least for i, (least, _) in needs.items()}
        spare = room - sum(widths.values())
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded if spare < 0
                                           else Qt.ScrollBarAlwaysOff)
        growing = [i for i in self.columns if widths[i] < needs[i][1]]
        while spare > 0 and growing:  # even shares, none past its widest line
            share = max(1, spare // len(growing))
            for i in list(growing):
                step = min(share, needs[i][1] - widths[i], spare)
                widths[i] += step
                spare -= step
                if widths[i] >= needs[i][1]:
                    growing.remove(i)
        for k, i in enumerate(self.columns):  # the rest, evenly, so the table is filled
            widths[i] += max(0, spare) // len(self.columns) + (
                1 if k < max(0, spare) % len(self.columns) else 0)
            header.resizeSection(i, widths[i])


def fit_height(table: QTableWidget, max_rows: int = 10) -> None:
    """Make ``table`` as tall as its rows (up to ``max_rows``, then it scrolls), so a short
    table leaves its space to the explanations below it."""
    table.resizeRowsToContents()
    rows = min(table.rowCount(), max_rows)
    height = table.horizontalHeader().height() + 2 * table.frameWidth() + 6
    height += sum(table.rowHeight(r) for r in range(rows))
    if table.rowCount() == 0:
        height += table.verticalHeader().defaultSectionSize()
    table.setFixedHeight(height)


def cell(text: str, *, mono: bool = False, colour: QColor | None = None, tip: str = "",
         align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if mono:
        item.setFont(mono_font())
    if colour is not None:
        item.setForeground(colour)
    if tip:
        item.setToolTip(tip)
    if align_right:
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return item


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless vertical scroll area (a panel taller than its dock). The
    widget is never squeezed below the height its contents need: it scrolls instead."""
    if widget.layout() is not None:
        widget.layout().setSizeConstraint(QLayout.SetMinimumSize)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # the content follows the width
    area.setWidget(widget)
    return area


def note_label(text: str = "") -> QLabel:
    """A wrapping, selectable line of explanation."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def say(label: QLabel, text: str, ok: bool | None = None) -> None:
    """Set ``label``'s text, green when ``ok``, red when not ``ok``, plain when None."""
    label.setText(text)
    label.setStyleSheet("" if ok is None else f"color: {(GOOD if ok else BAD).name()}")


class NodeCombo(QComboBox):
    """A choice of node (by its label), kept across re-evaluations while the node exists."""

    _choices: list[tuple[str, int]] | None = None  # what fill offered last

    def fill(self, graph: Graph, nodes: list[int]) -> None:
        """Offer ``nodes``; the same choices as now (every evaluation of a scrub) change nothing."""
        choices = [(graph.label(n), n) for n in nodes]
        if choices == self._choices and self.count() == len(choices):
            return
        self._choices = choices
        keep = self.currentData()
        self.blockSignals(True)
        self.clear()
        for label, n in choices:
            self.addItem(label, n)
        i = self.findData(keep) if keep is not None else -1
        self.setCurrentIndex(i if i >= 0 else (0 if nodes else -1))
        self.blockSignals(False)
        if self.currentData() != keep:
            self.currentIndexChanged.emit(self.currentIndex())

    def node(self) -> int | None:
        return self.currentData()

    def choose(self, node: int) -> bool:
        i = self.findData(node)
        if i >= 0:
            self.setCurrentIndex(i)
        return i >= 0


class TeachingPanel(QWidget):
    """Base of the teaching panels: holds the context, recomputes when visible."""

    picture_requested = Signal(object)
    persistent = False  # shows its picture again after an edit (forward mode, quiz)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph: Graph | None = None
        self.ev: Evaluation | None = None
        self.selected: int | None = None
        self._dirty = False

    # ---- the interface -----------------------------------------------------------------------

    def set_context(self, graph: Graph, evaluation: Evaluation | None) -> None:
        self.graph, self.ev = graph, evaluation
        if self.selected is not None and self.selected not in graph:
            self.selected = None
        self.context_changed()
        self._schedule()

    def set_selected(self, node: int | None) -> None:
        if node == self.selected:
            return
        self.selected = node
        self.selection_changed()

    def release(self) -> None:
        """The canvas no longer shows this panel's picture."""

    def current_picture(self) -> Picture | None:
        """The picture a persistent panel wants shown now (None: nothing)."""
        return None

    # ---- for subclasses ----------------------------------------------------------------------

    def context_changed(self) -> None:
        """Cheap bookkeeping on every new evaluation (the refresh itself may wait)."""

    def selection_changed(self) -> None:
        """The selected node changed (most panels do not depend on it)."""

    def refresh(self) -> None:
        """Recompute and show (only called while visible)."""

    def _schedule(self) -> None:
        if self.isVisible():
            self._dirty = False
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._dirty = False
            self.refresh()

    def has_context(self) -> bool:
        return self.graph is not None and self.ev is not None and len(self.graph) > 0


def is_scalar(value) -> bool:
    return isinstance(value, float) or np.ndim(value) == 0
