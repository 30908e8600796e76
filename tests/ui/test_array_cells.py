"""Arrays on the canvas: resting the pointer on a cell (of a heat map too) tells its index, its
number and its gradient; the inspector shows a large array with every number."""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from graphstudio.render.draw import row_rect
from ui_helpers import view_point

BIG = np.round(np.linspace(-1.5, 2.5, 120).reshape(10, 12), 4)


def open_text(window, tmp_path, text: str):
    path = tmp_path / "arrays.gs"
    path.write_text(text)
    assert window.open_file(str(path), ask=False)
    QApplication.processEvents()  # the view the file opens in is set once more, afterwards
    window.canvas.zoom_reset()  # cells of a heat map are big enough to aim at
    return window.document.graph


def cell_point(window, node: int, kind: str, row: int, col: int, rows: int, cols: int) -> QPoint:
    """Where on the canvas the middle of cell (row, col) of the node's value or gradient grid
    is, from the grid's box (the cells of a heat map share it evenly)."""
    item = window.scene.nodes[node]
    box = row_rect(item.view, item.rect, item.theme, f"{kind}-grid")
    x = box.left() + (col + 0.5) * box.width() / cols
    y = box.top() + (row + 0.5) * box.height() / rows
    window.canvas.centerOn(item.mapToScene(QPointF(x, y)))
    return view_point(window, item.mapToScene(QPointF(x, y)))


def hover(window, point: QPoint) -> None:
    vp = window.canvas.viewport()
    QTest.mouseMove(vp, point + QPoint(3, 0))
    QTest.mouseMove(vp, point)


def test_resting_on_a_heat_map_cell_tells_its_number_and_gradient(window, tmp_path):
    g = open_text(window, tmp_path, f"W = {BIG.tolist()}\nL = sum(W * W)\n")
    W = g.by_name("W")
    item = window.scene.nodes[W]
    assert item.view.value_grid.heat  # 10×12: no numbers drawn, colours only
    hover(window, cell_point(window, W, "value", 3, 7, 10, 12))
    tip = item.toolTip()
    assert "W[3, 7]" in tip
    assert re.search(r"W\[3, 7\]</b> = ([-\d.]+)", tip).group(1) == f"{BIG[3, 7]:g}"
    assert f"∇ = {2 * BIG[3, 7]:g}" in tip  # dL/dW = 2W
    hover(window, cell_point(window, W, "grad", 9, 0, 10, 12))
    assert "W[9, 0]" in item.toolTip() and f"∇ = {2 * BIG[9, 0]:g}" in item.toolTip()
    header = row_rect(item.view, item.rect, item.theme, "header")
    hover(window, view_point(window, item.mapToScene(header.center())))
    assert "W[" not in item.toolTip() and "<b>W</b>" in item.toolTip()  # the node's own tip


def test_resting_on_a_matrix_cell_tells_its_index(window, tmp_path):
    g = open_text(window, tmp_path, "W = [[0.5, -0.3], [-0.4, 0.6], [0.2, 0.4]]\nx = [1, -1]\nh = W @ x\n")
    h = g.by_name("h")
    hover(window, cell_point(window, h, "value", 1, 0, 3, 1))
    assert "h[1] = -1" in re.sub(r"</?b>", "", window.scene.nodes[h].toolTip())


def test_the_inspector_shows_every_number_of_a_large_array(window, tmp_path):
    g = open_text(window, tmp_path, f"W = {BIG.tolist()}\nL = sum(W * W)\n")
    W = g.by_name("W")
    item = window.scene.nodes[W]
    header = row_rect(item.view, item.rect, item.theme, "header")
    QTest.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier,
                     view_point(window, item.mapToScene(header.center())))
    assert window.scene.selected_nodes() == [W]
    text = window.inspector.value_view.toPlainText()
    assert text.startswith("10 × 12")
    numbers = [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?", text.split(":", 1)[1])]
    assert numbers == BIG.ravel().tolist()
    grads = window.inspector.grad_view.toPlainText().split(":", 1)[1]
    assert len(re.findall(r"-?\d+(?:\.\d+)?", grads)) == 120


def test_the_inspector_keeps_each_row_of_a_matrix_on_one_line_in_columns(window, tmp_path):
    # gradients of eight digits and of different lengths, in a panel narrower than a row
    g = open_text(window, tmp_path, "W = [[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]]\n"
                                    "x = [1, -1]\ny = sin(W @ x) / 7\nL = sum(y * y)\n")
    W = g.by_name("W")
    item = window.scene.nodes[W]
    header = row_rect(item.view, item.rect, item.theme, "header")
    QTest.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier,
                     view_point(window, item.mapToScene(header.center())))
    view = window.inspector.grad_view
    rows = view.toPlainText().splitlines()[1:]
    assert len(rows) == 3 and max(map(len, rows)) * view.fontMetrics().averageCharWidth() > \
        view.viewport().width()  # too wide for the panel...
    block = view.document().firstBlock()
    while block.isValid():  # ... and still one line each, not wrapped
        assert block.layout().lineCount() == 1, block.text()
        block = block.next()
    # the columns are right-aligned: each row's second number ends where the others' do
    assert len({len(r.rstrip("]")) for r in rows}) == 1
