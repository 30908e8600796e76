"""Opened in the editor's default window on a 1366×768 screen, every shipped example and the
New Network defaults fit in the view with their smallest text at least 9 px high on screen
(the zoom times the font sizes the canvas paints, read from an SVG rendering of the scene);
a graph too big for that opens at the readable zoom, its inputs in view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize

from graphstudio.ui.canvas import READABLE_PX, readable_zoom
from graphstudio.ui.main_window import DEFAULT_SIZE, default_size
from slide_text_support import GRAPHS, graph_file, slide_text


@pytest.fixture(scope="module")
def networks(tmp_path_factory):
    return tmp_path_factory.mktemp("networks")


def opened(qtbot, path):
    window, problem = slide_text.open_in_default_window(path)
    assert problem is None, problem
    qtbot.addWidget(window)
    return window


def test_the_default_window_fits_the_screen():
    assert default_size(QSize(1366, 768)) == QSize(1360, 768)
    assert default_size(QSize(1920, 1080)) == QSize(*DEFAULT_SIZE)
    assert default_size(QSize(1024, 600)) == QSize(1024, 600)


@pytest.mark.parametrize("name", GRAPHS)
def test_a_graph_opens_whole_with_text_readable_on_a_laptop_screen(qtbot, networks, name):
    window = opened(qtbot, graph_file(name, networks))
    assert window.size() == QSize(1360, 768)
    zoom, smallest, px = slide_text.smallest_on_screen(window)
    assert px >= READABLE_PX, f"{smallest:g} px text at zoom {zoom:.2f} is {px:.1f} px"
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    for item in window.scene.nodes.values():
        assert visible.contains(item.scene_rect()), window.document.graph.label(item.node)
    window.document.undo_stack.setClean()


def test_a_graph_too_big_to_read_whole_opens_readable_at_its_inputs(qtbot, tmp_path):
    chain = tmp_path / "chain.gs"
    chain.write_text("x0 = 1\n" + "".join(f"x{i} = x{i - 1} * 2\n" for i in range(1, 60)))
    window = opened(qtbot, chain)
    assert window.canvas.zoom() == pytest.approx(readable_zoom())
    zoom, smallest, px = slide_text.smallest_on_screen(window)
    assert px == pytest.approx(READABLE_PX)
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    g = window.document.graph
    assert visible.contains(window.scene.nodes[g.by_name("x0")].scene_rect())  # the input
    assert not visible.intersects(window.scene.nodes[g.by_name("x59")].scene_rect())
    window.canvas.fit()  # Fit to View still shows it all, small
    assert window.canvas.zoom() < readable_zoom()
    window.document.undo_stack.setClean()
