"""The quick search: Tab (or a double-click on empty canvas) opens a small filter box at that
spot; typing narrows the list of ops (by name, symbol or description: "mul", "×", "sigm") and
Enter adds the first match there. Escape closes it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from .palette import ROLE_OP, palette_groups

__all__ = ["QuickSearch", "matches"]


def matches(text: str) -> list[str]:
    """Ops matching ``text``: exact name first, then name prefixes, then anything containing it."""
    text = text.strip().lower()
    entries = [(name, label, tip) for _c, ops in palette_groups() for name, label, tip in ops]
    if not text:
        return [name for name, _l, _t in entries]

    def rank(entry) -> int | None:
        name, label, tip = entry
        if name == text:
            return 0
        if name.startswith(text):
            return 1
        if text in label.lower():
            return 2
        if text in tip.lower():
            return 3
        return None

    ranked = [(rank(e), i, e[0]) for i, e in enumerate(entries) if rank(e) is not None]
    return [name for _r, _i, name in sorted(ranked)]


class QuickSearch(QFrame):
    """A filter box over the canvas. Signal ``chosen(op, QPointF)`` with the scene position."""

    chosen = Signal(str, QPointF)

    def __init__(self, parent) -> None:
        super().__init__(parent)
        self.setObjectName("quick-search")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAutoFillBackground(True)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Add node: type an op (mul, exp, input)…")
        self.list = QListWidget(self)
        self.list.setMaximumHeight(190)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.resize(260, 230)
        self.scene_pos = QPointF()
        self.edit.textChanged.connect(self._filter)
        self.edit.returnPressed.connect(self._accept)
        self.list.itemActivated.connect(lambda _i: self._accept())
        self.edit.installEventFilter(self)
        self.hide()

    def open_at(self, scene_pos: QPointF, view_pos) -> None:
        self.scene_pos = scene_pos
        parent = self.parentWidget()
        x = min(max(0, view_pos.x()), max(0, parent.width() - self.width()))
        y = min(max(0, view_pos.y()), max(0, parent.height() - self.height()))
        self.move(x, y)
        self.edit.clear()
        self._filter("")
        self.show()
        self.raise_()
        self.edit.setFocus()

    def _filter(self, text: str) -> None:
        self.list.clear()
        for name in matches(text):
            item = QListWidgetItem(name)
            item.setData(ROLE_OP, name)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        op = item.data(ROLE_OP)
        self.hide()
        self.chosen.emit(op, self.scene_pos)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.edit and event.type() == QEvent.KeyPress:
            key = event.key()
            if key == Qt.Key_Escape:
                self.hide()
                self.parentWidget().setFocus()
                return True
            if key in (Qt.Key_Down, Qt.Key_Up):
                row = self.list.currentRow() + (1 if key == Qt.Key_Down else -1)
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
                return True
        return super().eventFilter(obj, event)
