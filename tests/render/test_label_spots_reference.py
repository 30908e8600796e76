"""Edge labels find their spots (render/draw.py ``label_spots``, which looks up a label's
neighbours in a grid, render/box_grid.py) exactly where the plain rule that weighs every spot
against every box puts them (tests/render/label_spots_reference.py): on random graphs laid
out as the canvas lays them out and crammed together (so that labels must move), with the
path a backward step follows, on the examples and on the benchmark's generated graphs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRectF

import label_spots_reference
from graphstudio.core.engine import evaluate
from graphstudio.io import open_document
from graphstudio.io.gs import parse_text
from graphstudio.render.box_grid import CELL, BoxGrid
from graphstudio.render.draw import arrange, label_spots, node_rect
from graphstudio.render.picture import build_picture, step_pictures
from graphstudio.render.routing import route_edges
from graphstudio.render.style import THEMES
from test_layout_reference import generated, random_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.gs"))
LIGHT = THEMES["light"]


@pytest.fixture(autouse=True)
def app(qapp):  # fonts need a QApplication
    return qapp


def geometry(picture, squeeze: float = 1.0):
    """The boxes and curves of ``picture``, its positions pulled together by ``squeeze``."""
    rects = {n: node_rect(v, tuple(c * squeeze for c in picture.positions[n]), LIGHT)
             for n, v in picture.nodes.items()}
    edges = [e for e in picture.edges if e.src in rects and e.dst in rects]
    routes = route_edges(rects, [(e.src, e.dst, e.port, picture.nodes[e.dst].n_ports)
                                 for e in edges])
    return rects, [(e, r.path()) for e, r in zip(edges, routes)]


def same(graph, squeeze: float = 1.0) -> list:
    ev = evaluate(graph)
    picture = build_picture(graph, ev, arrange(graph, ev, LIGHT, edge_labels=True),
                            edge_labels=True)
    rects, paths = geometry(picture, squeeze)
    spots = label_spots(paths, rects, LIGHT)
    assert spots == label_spots_reference.label_spots(paths, rects, LIGHT)
    return spots


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9), st.integers(2, 40), st.sampled_from([1.0, 0.6, 0.35]))
def test_random_graphs_place_their_labels_as_the_reference_does(seed, size, squeeze):
    same(parse_text(random_text(random.Random(seed), size)), squeeze)


def test_crammed_graphs_move_their_labels_off_the_middle():
    """The comparison is not empty: crammed together, labels leave the middle of their edges."""
    spots = same(parse_text(random_text(random.Random(3), 40)), 0.35)
    assert len(set(spots)) > 3
    assert any(s.apart for s in spots)  # and some, with no room on their curve, are set apart


def test_a_steps_followed_path_places_its_labels_as_the_reference_does():
    g = parse_text("a = -1\nb = 3\nc = 4\nx = a + b\ny = b + c\nz = x * y")
    ev = evaluate(g)
    pictures = step_pictures(g, ev, arrange(g, ev, LIGHT, edge_labels=True), edge_labels=True)
    backward = [p for p in pictures if p.meta["phase"] == "backward"]
    followed = 0
    for picture in backward:
        rects, paths = geometry(picture, 0.7)
        followed += any(e.highlight for e, _p in paths)
        assert label_spots(paths, rects, LIGHT) == \
            label_spots_reference.label_spots(paths, rects, LIGHT)
    assert followed >= 3  # steps that follow a path (the first is the output's own)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_place_their_labels_as_the_reference_does(path):
    same(open_document(path).graph)


@pytest.mark.parametrize("spec", ["mlp:200", "dag:200"])
def test_generated_graphs_place_their_labels_as_the_reference_does(spec, tmp_path):
    same(generated(spec, tmp_path))


boxes = st.builds(lambda x, y, w, h: QRectF(x, y, w, h),
                  st.floats(-3 * CELL, 3 * CELL), st.floats(-3 * CELL, 3 * CELL),
                  st.floats(0, 2.5 * CELL), st.floats(0, 2.5 * CELL))


@settings(max_examples=200, deadline=None)
@given(st.lists(boxes, max_size=30), boxes)
def test_a_grid_hands_back_every_box_that_overlaps_in_the_order_added(filed, box):
    grid = BoxGrid(filed)
    near = grid.near(box)
    overlapping = [b for b in filed if box.intersected(b).width() * box.intersected(b).height() > 0]
    assert all(any(b is n for n in near) for b in overlapping)
    order = [next(k for k, f in enumerate(filed) if f is n) for n in near]
    assert order == sorted(order) and len(near) == len(set(map(id, near)))
