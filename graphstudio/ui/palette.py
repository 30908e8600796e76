"""The op palette: every op of the registry, grouped by its category, plus inputs and
constants. A click adds the op at the centre of the view; dragging it onto the canvas adds it
where it is dropped (the drag carries the op name as :data:`~graphstudio.ui.canvas.OP_MIME`).
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

from ..core.ops import OPS
from .canvas import OP_MIME

__all__ = ["Palette", "palette_groups"]

ROLE_OP = Qt.UserRole + 1
CATEGORY_ORDER = ["leaves", "arithmetic", "functions", "activations", "vectors",
                  "linear algebra", "losses"]


def palette_groups() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(category, [(op, label, tooltip)]) in palette order; ops without a category (plumbing
    such as ``identity``) left out."""
    groups: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    groups["leaves"] = [("input", "input  x", "an input: a leaf with a value you set"),
                        ("const", "constant  1", "a constant: a leaf that gets no gradient")]
    for name, op in OPS.items():
        if op.category is None:
            continue
        label = name if op.symbol == name else f"{name}  {op.symbol}"
        groups[op.category].append((name, label, op.description))
    order = CATEGORY_ORDER + sorted(set(groups) - set(CATEGORY_ORDER))
    return [(c, groups[c]) for c in order if groups.get(c)]


class Palette(QTreeWidget):
    """Signal ``add_requested(op)`` when an op is clicked."""

    add_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        for category, ops in palette_groups():
            top = QTreeWidgetItem(self, [category.capitalize()])
            top.setFlags(Qt.ItemIsEnabled)
            for name, label, tip in ops:
                child = QTreeWidgetItem(top, [label])
                child.setData(0, ROLE_OP, name)
                child.setToolTip(0, tip)
                child.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
        self.expandAll()
        self.itemClicked.connect(self._clicked)

    def sizeHint(self) -> QSize:
        """Wide enough for the longest entry (``stop_gradient  stop ∇``), so that no op's
        name and symbol are cut off in the window's first layout."""
        width = (self.sizeHintForColumn(0) + 2 * self.frameWidth()
                 + self.verticalScrollBar().sizeHint().width())
        return QSize(width, super().sizeHint().height())

    def item_for(self, op: str) -> QTreeWidgetItem | None:
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            for k in range(top.childCount()):
                if top.child(k).data(0, ROLE_OP) == op:
                    return top.child(k)
        return None

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        op = item.data(0, ROLE_OP)
        if op:
            self.add_requested.emit(op)

    def mimeTypes(self) -> list[str]:
        return [OP_MIME]

    def mimeData(self, items) -> QMimeData:
        data = QMimeData()
        ops = [i.data(0, ROLE_OP) for i in items if i.data(0, ROLE_OP)]
        if ops:
            data.setData(OP_MIME, ops[0].encode())
            data.setText(ops[0])
        return data
