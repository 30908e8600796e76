"""Every entry of the op palette is shown whole in the window as it first opens, whatever the
desktop's font: the longest (``stop_gradient  stop ∇``) was cut to ``stop_gradient  sto…``
in a 170-pixel palette on a desktop with an 11-point font (Xvfb's, and many Linux desktops')."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication


def cut_entries(palette) -> list[str]:
    visible = palette.viewport().width()
    fm = palette.fontMetrics()
    cut = []
    for i in range(palette.topLevelItemCount()):
        top = palette.topLevelItem(i)
        for k in range(top.childCount()):
            item = top.child(k)
            if palette.visualItemRect(item).left() + fm.horizontalAdvance(item.text(0)) > visible:
                cut.append(item.text(0))
    return cut


@pytest.mark.parametrize("points", [9, 11, 13])
def test_every_palette_entry_is_shown_whole_when_the_window_opens(qtbot, points):
    from graphstudio.ui.main_window import MainWindow

    app = QApplication.instance()
    before = app.font()
    font = QFont(before)
    font.setPointSize(points)
    app.setFont(font)
    try:
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.palette.topLevelItemCount() > 5
        assert window.palette.fontMetrics().height() > 0
        assert not cut_entries(window.palette), (
            f"cut off in a {window.palette.viewport().width()}-pixel palette at {points} pt")
        window.close()
    finally:
        app.setFont(before)
