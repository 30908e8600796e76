"""The layered layout puts a child's parents in the order of its argument ports, so edges do
not cross where they enter a node (``a = b * c``: b above c, into ports 1 and 2)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from graphstudio.io import open_document
from graphstudio.io.gs import parse_text
from graphstudio.render.layout import layered_layout, layers

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def crossings(graph) -> int:
    """Pairs of edges between the same two columns whose ends are in opposite orders (an
    edge's end is its child's position, nudged by the port so port 1 is above port 2)."""
    pos, layer = layered_layout(graph), layers(graph)
    count = 0
    for (s1, d1, p1), (s2, d2, p2) in itertools.combinations(graph.edges(), 2):
        if layer[s1] != layer[s2] or layer[d1] != layer[d2]:
            continue
        start = pos[s1][1] - pos[s2][1]
        end = (pos[d1][1] + 0.01 * p1) - (pos[d2][1] + 0.01 * p2)
        count += start * end < 0
    return count


def test_parents_in_port_order():
    g = parse_text("c = 1\nb = 2\na = b * c\n")  # c is assigned first, yet b takes port 1
    pos = layered_layout(g)
    assert pos[g.by_name("b")][1] < pos[g.by_name("c")][1]


@pytest.mark.parametrize("name", ["bristol_lecture2", "grosse_csc311", "cmu11785_softmax_ce",
                                  "cmu11785_relu_max", "siegen_backprop", "siegen_regression"])
def test_lecture_examples_draw_without_crossings(name):
    # these lecture graphs can be drawn in columns without crossings (Bristol had 5 before
    # parents were ordered by port; Seoul keeps 2 and is left out)
    assert crossings(open_document(EXAMPLES / f"{name}.gs").graph) == 0
