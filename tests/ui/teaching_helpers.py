"""Shared by the teaching-view tests: lecture graphs, a panel fed with one, the main window.

Named apart from the editor's ``conftest.py``/``ui_helpers.py`` so both branches merge cleanly;
test modules import the fixtures they use from here.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget

from graphstudio.core.engine import evaluate
from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file, parse_text

__all__ = ["lecture", "graph_of", "shown", "main_window", "open_lecture", "click_row",
           "menu_action", "canvas_click", "type_expression", "highlighted_edges", "requested"]


def lecture(name: str):
    """A lecture example as (graph, evaluation)."""
    graph = parse_file(examples_dir() / f"{name}.gs")
    return graph, evaluate(graph)


def graph_of(text: str):
    graph = parse_text(text)
    return graph, evaluate(graph)


def shown(qtbot, panel, graph, ev):
    """``panel`` shown on screen with ``graph`` and its evaluation as context."""
    qtbot.addWidget(panel)
    panel.resize(520, 640)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_context(graph, ev)
    return panel


def requested(panel) -> list:
    """Every picture (or None) ``panel`` asks the canvas to show, from now on."""
    pictures: list = []
    panel.picture_requested.connect(pictures.append)
    return pictures


def click_row(qtbot, table: QTableWidget, row: int, column: int = 0) -> None:
    """A real mouse click on a table cell."""
    item = table.item(row, column)
    table.scrollToItem(item, QAbstractItemView.PositionAtCenter)
    rect = table.visualItemRect(item)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())


def highlighted_edges(picture) -> set:
    return {(e.src, e.dst, e.port) for e in picture.edges if e.highlight}


@pytest.fixture
def main_window(qtbot, tmp_path_factory):
    """The editor's main window (with the teaching views installed), shown, own settings."""
    folder = tmp_path_factory.mktemp("settings")
    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(folder))
    from graphstudio.ui.main_window import MainWindow

    w = MainWindow()
    # no "unsaved changes?" question when pytest-qt closes the window
    qtbot.addWidget(w, before_close_func=lambda win: win.document.undo_stack.setClean())
    w.show()
    qtbot.waitExposed(w)
    return w


def open_lecture(qtbot, window, name: str) -> None:
    assert window.open_file(examples_dir() / f"{name}.gs", ask=False)
    qtbot.wait(20)  # the window fits the graph in the view on the next turn of the loop


def menu_action(window, menu: str, text: str):
    """The action called ``text`` (ignoring & and …) in the menu ``menu``."""
    def plain(s: str) -> str:
        return s.replace("&", "").replace("…", "").strip()
    for act in window.menu(menu).actions():
        if plain(act.text()) == plain(text):
            return act
    raise AssertionError(f"no {text!r} in the {menu} menu: "
                         f"{[plain(a.text()) for a in window.menu(menu).actions()]}")


def canvas_click(qtbot, window, node: int) -> None:
    """Click on ``node`` on the canvas (its name, top left, clear of the ports)."""
    item = window.scene.nodes[node]
    rect = item.sceneBoundingRect()
    point = window.canvas.mapFromScene(rect.center())
    qtbot.mouseClick(window.canvas.viewport(), Qt.LeftButton, pos=QPoint(point.x(), point.y()))


def type_expression(qtbot, window, text: str) -> None:
    """Build ``text`` from the expression bar, as a person types it and presses Enter."""
    edit = window.expression_bar.edit
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key_Return)
