"""Showing another graph deletes the items of the one shown before (in C++, without asking
Python about each: see GraphScene._drop_items), except an item whose own menu showed it."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from graphstudio.examples import examples_dir
from graphstudio.ui.items import EdgeItem, NodeItem
from test_groups_in_the_editor import _right_click_menu, ctrl_click, header_of, key, open_grosse


def _graph_items(scene) -> list:
    return [i for i in scene.items() if isinstance(i, (NodeItem, EdgeItem))]


def test_opening_a_graph_deletes_the_items_of_the_one_before(window):
    g, (x, y, z) = open_grosse(window)
    ctrl_click(window, [x, y])  # a selection, which Qt announces as it goes
    old = list(window.scene.nodes.values()) + list(window.scene.edges.values())
    assert len(old) == len(g) + len(g.edges()) and window.scene.selected_nodes()
    announced = []

    def selection() -> None:
        announced.append(window.scene.selected_nodes())

    window.scene.selectionChanged.connect(selection)
    window.open_file(str(examples_dir() / "cs231n_gates.gs"), ask=False)
    window.scene.selectionChanged.disconnect(selection)
    scene, new = window.scene, window.document.graph
    assert not any(shiboken6.isValid(i) for i in old)
    assert announced == [[]]  # once, however many were selected
    assert scene.selected_nodes() == [] and scene._selected == set()
    shown = _graph_items(scene)
    assert len(shown) == len(new) + len(new.edges())
    assert set(shown) == set(scene.nodes.values()) | set(scene.edges.values())
    # the new items answer the mouse: a click selects the node under it
    n = new.by_name("x") if "x" in new.names() else next(iter(new.nodes()))
    QTest.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, header_of(window, n))
    assert scene.selected_nodes() == [n]


def test_a_node_whose_menu_shows_another_graph_outlives_its_handler(window):
    g, (x, y, z) = open_grosse(window)
    item = window.scene.nodes[z]
    other = str(examples_dir() / "cs231n_gates.gs")
    act = QAction("Open Another", window)
    act.triggered.connect(lambda: window.open_file(other, ask=False))
    window.node_menu_providers.append(lambda node: [act])
    _right_click_menu(window, z, choose="Open Another")  # the menu runs in the item's handler
    assert window.document.graph is not g and window.document.path.name == "cs231n_gates.gs"
    assert shiboken6.isValid(item) and item.scene() is None  # taken out, not deleted
    assert item not in window.scene.items() and window.scene._handling == []
    new = window.document.graph
    assert len(_graph_items(window.scene)) == len(new) + len(new.edges())


def test_a_collapsed_group_s_edges_are_deleted_with_the_rest(window):
    g, (x, y, z) = open_grosse(window)
    ctrl_click(window, [x, y, z])
    key(window, Qt.Key_G)  # a collapsed group: its gate's edges are items of their own
    layer = next(iter(window.scene.before_show)).__self__
    gate_edges = list(layer.virtual.values())
    assert gate_edges
    window.open_file(str(examples_dir() / "cs231n_gates.gs"), ask=False)
    assert not any(shiboken6.isValid(i) for i in gate_edges)
    assert layer.virtual == {} and layer.hidden == set()
    new = window.document.graph
    shown = _graph_items(window.scene)
    assert len(shown) == len(new) + len(new.edges()) and all(i.isVisible() for i in shown)


def test_every_edge_shows_again_once_no_group_hides_any(window):
    g, (x, y, z) = open_grosse(window)
    scene = window.scene
    ctrl_click(window, [x, y, z])
    key(window, Qt.Key_G)
    assert any(not item.isVisible() for item in scene.edges.values())
    key(window, Qt.Key_Z)  # undone: no group, and the layer has nothing left to hide
    layer = next(iter(scene.before_show)).__self__
    assert g.groups() == {} and layer.virtual == {} and not layer.edges_hidden
    assert set(scene.edges) == set(g.edges())
    assert all(item.isVisible() for item in scene.edges.values())
    assert all(item.isVisible() for item in scene.nodes.values())
