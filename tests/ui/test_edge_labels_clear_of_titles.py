"""Edge labels never cover a box's title (its name), on the canvas and in a step of Step
Through: a label with no room on its curve (a short edge between two boxes close together, as
a backward step's labels on a lecture graph laid out without room for them) is set apart,
clear of the boxes, with a leader line to its curve; every label still reads as its edge's
(on its curve, touching it from beside, or joined to it by the leader)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainterPathStroker

from graphstudio.render.draw import row_rect

from teaching_helpers import main_window, menu_action, open_lecture  # noqa: F401


def titles(window) -> dict:
    """Each shown box's title row (its name and op symbol), in scene coordinates."""
    return {window.document.graph.label(n): row_rect(item.view, item.scene_rect(), item.theme,
                                                     "header")
            for n, item in window.scene.nodes.items() if item.isVisible()}


def near_curve(edge, point_or_box, width: float) -> bool:
    stroker = QPainterPathStroker()
    stroker.setWidth(width)
    stroke = stroker.createStroke(edge.mapToScene(edge.path))
    return stroke.intersects(point_or_box)


def check_labels(window) -> tuple[int, int]:
    """Every label drawn is clear of every title and reads as its edge's; (labels, set apart)."""
    heads = titles(window)
    drawn = apart = 0
    for edge in window.scene.edges.values():
        if not edge.isVisible() or not edge.view.label:
            continue
        box, leader = edge.label_drawn()
        covered = [name for name, title in heads.items() if box.intersects(title)]
        assert not covered, f"{edge.view.label} covers the title of {covered}"
        if leader is None:  # on the curve, or beside it (off a steep one by its slope)
            assert near_curve(edge, box, 2 * (box.width() + box.height())), edge.view.label
        else:  # from a point of the curve to the label's border, not across the canvas
            p = leader.p1()
            assert near_curve(edge, box.__class__(p.x() - 0.5, p.y() - 0.5, 1, 1), 3)
            assert box.adjusted(-0.5, -0.5, 0.5, 0.5).contains(leader.p2())
            assert leader.length() < 200
            apart += 1
        drawn += 1
    return drawn, apart


@pytest.mark.parametrize("example, edge_labels", [
    ("grosse_csc311", False),  # b's backward step: ∂y/∂b = 1 sat on y's name
    ("seoul_mlp_l2", False),  # h -> yhat, too short for ∂yhat/∂h = vᵀ
    ("swish_function", True),  # collapsed swish gates: their columns are not spread apart
])
def test_no_label_covers_a_title_in_any_step(qtbot, main_window, example, edge_labels):
    w = main_window
    open_lecture(qtbot, w, example)
    if edge_labels:
        menu_action(w, "View", "Show Edge Labels").trigger()
        check_labels(w)
    menu_action(w, "Graph", "Step Through").trigger()
    player = w.teaching.player
    assert w.canvas.step_mode
    drawn = apart = 0
    while True:
        w.canvas.viewport().repaint()
        d, a = check_labels(w)
        drawn, apart = drawn + d, apart + a
        if not player.next_button.isEnabled():
            break
        qtbot.mouseClick(player.next_button, Qt.LeftButton)
    assert drawn >= 3 and apart >= 1  # the steps labelled their edges, some with no room


def test_a_clicked_edge_keeps_its_label_where_it_was(qtbot, main_window):
    """A selected edge is drawn highlighted; its label stays at its spot (it was moved beside
    the curve, onto the title of the box above or below)."""
    w = main_window
    open_lecture(qtbot, w, "seoul_mlp_l2")
    menu_action(w, "View", "Show Edge Labels").trigger()
    clicked = 0
    for edge in w.scene.edges.values():
        if not edge.view.label:
            continue
        before, _leader = edge.label_drawn()
        point = edge.mapToScene(edge.path.pointAtPercent(0.5))
        w.canvas.centerOn(point)
        at = w.canvas.mapFromScene(point)
        if w.canvas.itemAt(at) is not edge:
            continue  # its label, or another edge, is on top there
        qtbot.mouseClick(w.canvas.viewport(), Qt.LeftButton, pos=at)
        assert edge.isSelected()
        assert edge.label_drawn()[0] == before
        check_labels(w)
        clicked += 1
    assert clicked >= 3


def test_a_label_keeps_clear_of_the_boxes_shown_not_of_those_a_group_hides(qtbot, main_window):
    """cs231n's sigmoid gate, collapsed: at z's backward step the label of z -> f finds room
    above the two boxes; the gate's hidden nodes (drawn nowhere) took that room, and the
    label was put over z's gradient and f's numbers."""
    w = main_window
    open_lecture(qtbot, w, "cs231n_sigmoid_gate")
    menu_action(w, "Graph", "Step Through").trigger()
    g = w.document.graph
    z, f = g.by_name("z"), g.by_name("f")
    edge = next(e for k, e in w.scene.edges.items() if k[:2] == (z, f))
    while not edge.view.label:
        qtbot.mouseClick(w.teaching.player.next_button, Qt.LeftButton)
    box, leader = edge.label_drawn()
    shown = [i.scene_rect() for i in w.scene.nodes.values() if i.isVisible()]
    assert not any(box.intersects(r) for r in shown)
    assert leader is not None
