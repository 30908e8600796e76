"""Networks laid out as the lectures draw them: the New Network dialog's networks, in matrix
form and neuron by neuron, arranged as the editor arranges them (render.draw.arrange), read as
layers from left to right, in compact boxes."""

from __future__ import annotations

from itertools import combinations

import pytest

from graphstudio.core.engine import evaluate
from graphstudio.core.networks import NetworkSpec, build_network
from graphstudio.io.gs import parse_text
from graphstudio.render.draw import arrange, node_rect
from graphstudio.render.picture import NEURON_STYLE_FROM, build_picture, node_style
from graphstudio.render.style import THEMES

LIGHT = THEMES["light"]


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def laid_out(spec: NetworkSpec):
    g = build_network(spec)
    ev = evaluate(g)
    pos = arrange(g, ev, LIGHT)
    picture = build_picture(g, ev, pos)
    boxes = {n: node_rect(v, pos[n], LIGHT) for n, v in picture.nodes.items()}
    return g, picture, pos, boxes


def column_of(pos, names, g):
    return {round(pos[g.by_name(n)][0]) for n in names}


def assert_reads_left_to_right_without_overlaps(g, boxes):
    for s, d, _p in g.edges():
        assert boxes[s].right() < boxes[d].left(), (g.label(s), g.label(d))
    for a, b in combinations(boxes, 2):
        assert not boxes[a].intersects(boxes[b]), (g.label(a), g.label(b))


@pytest.mark.parametrize("sizes", [(2, 4, 1), (2, 3, 2), (3, 4, 4, 1)])
def test_a_network_of_neurons_is_laid_out_in_layers(sizes):
    spec = NetworkSpec(sizes, form="scalar")
    g, picture, pos, boxes = laid_out(spec)
    assert node_style(g, evaluate(g)) == "neuron"
    assert_reads_left_to_right_without_overlaps(g, boxes)
    xs = [p[0] for p in pos.values()]
    inputs = [f"x_{k + 1}" for k in range(sizes[0])]
    assert column_of(pos, inputs, g) == {round(min(xs))}  # the inputs on the left, one column
    last = len(sizes) - 1
    for layer, units in enumerate(sizes[1:-1], start=1):  # a column per hidden layer
        assert len(column_of(pos, [f"h{layer}_{j + 1}" for j in range(units)], g)) == 1
        assert len(column_of(pos, [f"z{layer}_{j + 1}" for j in range(units)], g)) == 1
    assert len(column_of(pos, [f"z{last}_{j + 1}" for j in range(sizes[-1])], g)) == 1
    # the weights between the layers: each weight left of the unit it feeds, right of (or
    # beside) the units it multiplies
    for layer in range(1, len(sizes)):
        w = pos[g.by_name(f"w{layer}_1_1")][0]
        below = "x_1" if layer == 1 else f"h{layer - 1}_1"
        assert pos[g.by_name(below)][0] <= w < pos[g.by_name(f"z{layer}_1")][0]
    assert pos[g.by_name("L")][0] == max(xs)  # the loss on the right
    # the units of a layer keep their order top to bottom
    hs = [pos[g.by_name(f"h1_{j + 1}")][1] for j in range(sizes[1])]
    assert hs == sorted(hs)


def test_scalar_neurons_are_small_boxes_with_value_and_gradient():
    g, picture, pos, boxes = laid_out(NetworkSpec((2, 4, 1), form="scalar"))
    h = picture.nodes[g.by_name("h1_2")]
    assert h.style == "neuron" and h.value_text and h.grad_text
    for n, v in picture.nodes.items():
        assert v.style == "neuron"
        assert boxes[n].width() <= 100 and boxes[n].height() <= 64, g.label(n)
    # the same network drawn as lecture boxes would be much bigger
    box = build_picture(g, evaluate(g), pos).nodes[g.by_name("w1_1_1")]
    from dataclasses import replace
    big = node_rect(replace(box, style="box"), (0, 0), LIGHT)
    assert big.height() > boxes[g.by_name("w1_1_1")].height() + 10


def test_a_matrix_network_is_drawn_in_boxes_with_grids_and_reads_left_to_right():
    g, picture, pos, boxes = laid_out(NetworkSpec((2, 4, 1), form="matrix"))
    assert node_style(g, evaluate(g)) == "box"
    assert picture.nodes[g.by_name("W1")].value_grid is not None
    assert_reads_left_to_right_without_overlaps(g, boxes)
    assert column_of(pos, ["x"], g) == {round(min(p[0] for p in pos.values()))}


def test_small_lecture_graphs_keep_the_lecture_boxes():
    g = parse_text("a = -1\nb = 3\nc = 4\nx = a + b\ny = b + c\nz = x * y")
    assert len(g) < NEURON_STYLE_FROM
    assert node_style(g, evaluate(g)) == "box"
    big = parse_text("\n".join(f"a{i} = {i}" for i in range(NEURON_STYLE_FROM))
                     + "\nz = " + " + ".join(f"a{i}" for i in range(NEURON_STYLE_FROM)))
    assert node_style(big, evaluate(big)) == "neuron"
    arrays = parse_text("\n".join(f"a{i} = [1, {i}]" for i in range(NEURON_STYLE_FROM))
                        + "\nz = " + " + ".join(f"a{i}" for i in range(NEURON_STYLE_FROM)))
    assert node_style(arrays, evaluate(arrays)) == "box"


def test_a_chain_lies_on_one_line():
    """Each box is moved level with the port it feeds: a chain of one-argument ops is
    straight, so its edges are too."""
    g = parse_text("x = 0.5\na = exp(x)\nb = sin(a)\nc = tanh(b)\nd = relu(c)")
    pos = arrange(g, evaluate(g), LIGHT)
    ys = {round(p[1], 3) for p in pos.values()}
    assert len(ys) == 1
