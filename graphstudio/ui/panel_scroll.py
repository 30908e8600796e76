"""A dock panel's contents in a scroll area that scrolls up and down only.

A right-hand panel taller than the room left to it (a small screen, a large
``QT_SCALE_FACTOR``) scrolls, instead of making the window taller than the screen and putting
the Training panel's Keep and Revert below it. Its width stays the panel's own minimum, so
the panel is never cut at the side and never needs a horizontal scroll bar.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget

__all__ = ["VerticalScroll"]


class VerticalScroll(QScrollArea):
    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setWidget(widget)

    def minimumSizeHint(self) -> QSize:
        inner = self.widget().minimumSizeHint() if self.widget() is not None else QSize()
        bar = self.style().pixelMetric(QStyle.PM_ScrollBarExtent, None, self)
        return QSize(max(inner.width(), 0) + bar, min(max(inner.height(), 0), 120))
