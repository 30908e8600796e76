"""Unit responses (Playground's neurons as heat maps) and weights as link colour and width:
the thumbnails' numbers are the units evaluated over the plane."""

import numpy as np
import pytest

from graphstudio.core.dataset import load_csv
from graphstudio.core.engine import evaluate
from graphstudio.core.networks import NetworkSpec, build_network
from graphstudio.core.plane import Plane
from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file
from graphstudio.render.network_view import (THUMBNAIL_RESOLUTION, network_units,
                                             network_weights, unit_responses)
from graphstudio.render.picture import build_picture

DATA = examples_dir() / "data"


def scalar_network(activation="sigmoid"):
    g = build_network(NetworkSpec((2, 3, 1), activation=activation, form="scalar",
                                  dataset=str(DATA / "seoul_plane.csv")))
    return g, Plane(g, load_csv(DATA / "seoul_plane.csv"))


def picture_of(g):
    ev = evaluate(g)
    return build_picture(g, ev, {n: (0.0, 0.0) for n in g.nodes()})


def unit_at(g, plane, node, x, y):
    h = g.copy()
    for n, cols in plane.setup.feeds.items():
        h.set_value(n, float((x, y)[cols[0]]))
    return evaluate(h).values[node]


def test_units_are_the_hidden_activations_and_the_output():
    g, plane = scalar_network()
    assert [g.label(n) for n in network_units(g, plane)] == ["h1_1", "h1_2", "h1_3", "z2_1"]
    assert sorted(g.label(n) for n in network_weights(g)) == sorted(
        f"w{l}_{j}_{k}" for l, js, ks in ((1, 3, 2), (2, 1, 3))
        for j in range(1, js + 1) for k in range(1, ks + 1))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_thumbnails_are_the_units_over_the_plane(activation):
    g, plane = scalar_network(activation)
    pic = unit_responses(picture_of(g), g, plane)
    h = g.by_name("h1_2")
    thumb = pic.nodes[h].thumbnail
    assert thumb.shape == (THUMBNAIL_RESOLUTION, THUMBNAIL_RESOLUTION)
    xs = np.linspace(plane.lo[0], plane.hi[0], THUMBNAIL_RESOLUTION)
    ys = np.linspace(plane.lo[1], plane.hi[1], THUMBNAIL_RESOLUTION)
    value = unit_at(g, plane, h, xs[5], ys[13])
    if activation == "relu":  # unbounded: on the units' shared scale (relus and the output)
        units = network_units(g, plane)
        grids = plane.node_grids(tuple(units), resolution=THUMBNAIL_RESOLUTION)
        scale = max(np.abs(v.values).max() for v in grids.values())
        assert thumb[13, 5] == pytest.approx(value / scale, rel=1e-12)
        return
    if activation == "sigmoid":  # 0 … 1 centred at 0.5
        assert thumb[13, 5] == pytest.approx((value - 0.5) * 2, rel=1e-12)
    else:  # tanh on its own range, -1 … 1
        assert thumb[13, 5] == pytest.approx(value, rel=1e-12)
    # the output of a regression (unbounded) on its largest size over the plane
    out = plane.setup.shown
    grid = plane.node_grids((out,), resolution=THUMBNAIL_RESOLUTION)[out].values
    assert pic.nodes[out].thumbnail[2, 7] == pytest.approx(grid[2, 7] / np.abs(grid).max(), rel=1e-12)
    assert pic.nodes[g.by_name("w1_1_1")].thumbnail is None  # weights keep their box


def test_weights_colour_their_links_by_sign_and_size():
    g, plane = scalar_network()
    w = {n: g.value(n) for n in network_weights(g)}
    top = max(abs(v) for v in w.values())
    params = {n: -v for n, v in w.items()}  # other parameters than the graph's own
    pic = unit_responses(picture_of(g), g, plane, params)
    weighted = [e for e in pic.edges if e.weight is not None]
    assert {e.src for e in weighted} == set(w)
    for e in weighted:
        assert e.weight == pytest.approx(-w[e.src] / top)
    assert all(e.weight is None for e in pic.edges if e.src not in w)


def test_a_graph_that_is_not_a_neuron_network_is_left_alone():
    g = parse_file(examples_dir() / "seoul_sgd_l2.gs")  # matrix form: boxes, not neurons
    from graphstudio.core.dataset import load_for_graph
    plane = Plane(g, load_for_graph(g, examples_dir()))
    pic = picture_of(g)
    assert unit_responses(pic, g, plane) is pic
