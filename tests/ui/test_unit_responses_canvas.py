"""View > Unit Responses on the canvas: a small network written neuron by neuron shows each
hidden unit's response over the input plane in its box and each weight on its link, on the
document's values and live while it trains; other graphs are left as they are."""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import Qt

from graphstudio.core.dataset import load_csv, set_row
from graphstudio.core.networks import NetworkSpec, build_network
from graphstudio.core.plane import Plane
from graphstudio.examples import examples_dir
from graphstudio.io.gs import write_text
from graphstudio.render.network_view import THUMBNAIL_RESOLUTION

from teaching_helpers import main_window, menu_action, open_lecture  # noqa: F401

CSV = examples_dir() / "data" / "two_blobs.csv"


def network_file(tmp_path):
    g = build_network(NetworkSpec((2, 3, 2), loss="softmax_ce", form="scalar", dataset=str(CSV)))
    set_row(g, load_csv(CSV), 0)
    path = tmp_path / "net.gs"
    path.write_text(write_text(g))
    return path


def thumbnails(window):
    g = window.document.graph
    return {g.label(n): item.view.thumbnail for n, item in window.scene.nodes.items()
            if item.view.thumbnail is not None}


def test_units_and_weights_on_the_canvas_and_the_toggle(qtbot, main_window, tmp_path):
    assert main_window.open_file(network_file(tmp_path), ask=False)
    assert sorted(thumbnails(main_window)) == ["h1_1", "h1_2", "h1_3", "p_2"]
    g = main_window.document.graph
    weighted = {g.label(i.view.src) for i in main_window.scene.edges.values()
                if i.view.weight is not None}
    assert weighted == {g.label(n) for n in g.inputs() if g.label(n).startswith("w")}
    act = menu_action(main_window, "View", "Unit Responses")
    assert act.isChecked()
    act.trigger()  # off
    assert thumbnails(main_window) == {}
    assert all(i.view.weight is None for i in main_window.scene.edges.values())
    act.trigger()  # on again
    assert len(thumbnails(main_window)) == 4


def test_a_lecture_graph_is_left_alone(qtbot, main_window):
    open_lecture(qtbot, main_window, "grosse_csc311")
    assert main_window.scene.decorate is None and thumbnails(main_window) == {}
    open_lecture(qtbot, main_window, "seoul_sgd_l2")  # a network, but in matrix form
    assert main_window.scene.decorate is None


def test_the_units_follow_training(qtbot, main_window, tmp_path):
    assert main_window.open_file(network_file(tmp_path), ask=False)
    before = thumbnails(main_window)["h1_1"].copy()
    menu_action(main_window, "Graph", "Train").trigger()
    panel = main_window.training.panel
    panel.steps.selectAll()
    qtbot.keyClicks(panel.steps, "200")
    panel.steps.interpretText()
    panel.lr.selectAll()
    qtbot.keyClicks(panel.lr, "0.5")
    panel.lr.interpretText()
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=30000)
    qtbot.waitUntil(lambda: main_window.scene.fixed is not None, timeout=5000)
    g = main_window.document.graph
    h = g.by_name("h1_1")
    qtbot.waitUntil(lambda: not np.array_equal(main_window.scene.nodes[h].view.thumbnail, before),
                    timeout=5000)
    shown = main_window.scene.nodes[h].view.thumbnail
    plane = Plane(g, load_csv(CSV))
    want = plane.node_grids((h,), panel.result, THUMBNAIL_RESOLUTION)[h].values
    np.testing.assert_allclose(shown, (want - 0.5) * 2, rtol=1e-12)  # sigmoid: centred at 0.5
    # the document still has its own weights: Revert shows them again
    qtbot.mouseClick(panel.revert_button, Qt.LeftButton)
    np.testing.assert_allclose(thumbnails(main_window)["h1_1"], before)


def test_an_export_shows_the_units_as_the_canvas_does(qtbot, main_window, tmp_path):
    # File > Export… of the network draws each unit's response in its box (an image each:
    # three hidden units and the output) and the weights' links as the canvas does; with
    # View > Unit Responses off, neither, as on the canvas
    from ui_helpers import export_dialog, export_to

    path = network_file(tmp_path)
    _action, dialog = export_dialog(main_window, qtbot, path, "SVG")
    out = tmp_path / "units.svg"
    export_to(qtbot, dialog, out)
    assert out.read_text(encoding="utf-8").count("<image") == 4
    menu_action(main_window, "View", "Unit Responses").trigger()  # off
    _action, dialog = export_dialog(main_window, qtbot, path, "SVG")
    plain = tmp_path / "plain.svg"
    export_to(qtbot, dialog, plain)
    assert plain.read_text(encoding="utf-8").count("<image") == 0
    widths = {round(float(w), 2) for w in re.findall(r'stroke-width="([0-9.]+)"',
                                                     out.read_text(encoding="utf-8"))}
    plain_widths = {round(float(w), 2) for w in re.findall(r'stroke-width="([0-9.]+)"',
                                                           plain.read_text(encoding="utf-8"))}
    assert len(widths) > len(plain_widths)  # links as wide as their weights


def test_a_weight_made_a_constant_input_loses_its_coloured_link(qtbot, main_window, tmp_path):
    # which inputs are parameters is no change of structure, but it is what the links show
    assert main_window.open_file(network_file(tmp_path), ask=False)
    g = main_window.document.graph
    w = g.by_name("w1_1_1")

    def weighted():
        return {g.label(i.view.src) for i in main_window.scene.edges.values()
                if i.view.weight is not None}

    assert "w1_1_1" in weighted()
    main_window.scene.select([w])
    box = main_window.inspector.trainable
    qtbot.waitUntil(lambda: box.isEnabled() and box.isChecked(), timeout=5000)
    qtbot.mouseClick(box, Qt.LeftButton)
    assert not g.node(w).trainable
    assert "w1_1_1" not in weighted() and "w1_1_2" in weighted()
    qtbot.mouseClick(box, Qt.LeftButton)  # a parameter again
    assert "w1_1_1" in weighted()
