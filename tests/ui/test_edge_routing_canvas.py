"""On the canvas, edges go around node boxes: dragging a node into an edge's way reroutes that
edge when the move ends, and undoing the move brings the plain curve back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from graphstudio.render.draw import row_rect
from graphstudio.render.routing import edge_path
from ui_helpers import drag, view_point


def build(window, text: str) -> None:
    edit = window.expression_bar.edit
    edit.setFocus()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key_Return)


def grab_point(window, node: int) -> QPoint:
    """A point on the node's name (a press there moves the node)."""
    item = window.scene.nodes[node]
    return view_point(window, item.mapToScene(row_rect(item.view, item.rect, item.theme, "header").center()))


def crossed(path, rect, n: int = 300) -> bool:
    box = rect.adjusted(-3, -3, 3, 3)
    return any(box.contains(path.pointAtPercent(k / n)) for k in range(n + 1))


def test_a_node_dragged_into_an_edge_is_routed_around_and_undo_restores(window, qtbot):
    build(window, "s = a * w")
    g = window.document.graph
    a, w, s = g.by_name("a"), g.by_name("w"), g.by_name("s")
    window.canvas.setFocus()
    QTest.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(8, 8))  # deselect
    assert not window.scene.selected_nodes()
    drag(window, grab_point(window, s), grab_point(window, s) + QPoint(420, 0))  # room in between
    scene = window.scene
    edge = scene.edges[(a, s, 0)]
    before = edge.path
    assert not crossed(before, scene.nodes[w].scene_rect())
    middle = view_point(window, before.pointAtPercent(0.5))
    drag(window, grab_point(window, w), middle)  # w now sits on the curve a -> s
    w_box = scene.nodes[w].scene_rect()
    plain = edge_path(scene.nodes[a].scene_rect(), scene.nodes[s].scene_rect(), 0, 2)
    assert crossed(plain, w_box)  # the move really put w in the way
    assert not crossed(edge.path, w_box)
    angle = edge.path.angleAtPercent(1.0)  # the arrow still points into the port: level, up
    assert min(angle, 360 - angle) == pytest.approx(0.0, abs=1e-9)  # to rounding
    window.document.undo_stack.undo()  # w goes back; the edge gets its plain curve again
    qtbot.waitUntil(lambda: not crossed(plain, scene.nodes[w].scene_rect()))
    qtbot.waitUntil(lambda: edge.path.elementCount() == 4)  # one cubic: start + 3 points
