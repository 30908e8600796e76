"""The layered layout with box sizes, and argument order kept top to bottom."""

from __future__ import annotations

from graphstudio.io.gs import parse_text
from graphstudio.render.layout import layered_layout


def boxes(pos, sizes):
    return {n: (x - sizes[n][0] / 2, y - sizes[n][1] / 2, x + sizes[n][0] / 2, y + sizes[n][1] / 2)
            for n, (x, y) in pos.items()}


def test_boxes_of_given_sizes_never_overlap_and_keep_the_gaps():
    g = parse_text("W = [[1, 2], [3, 4]]\nx = [1, 1]\nb = 2\nh = W @ x\nz = sum(h) * b")
    sizes = {n: (300.0 if g.name(n) == "W" else 100.0, 80.0) for n in g.nodes()}
    pos = layered_layout(g, 50.0, 20.0, sizes=sizes)
    bx = boxes(pos, sizes)
    items = list(bx.values())
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            overlap_x = min(a[2], b[2]) - max(a[0], b[0])
            overlap_y = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_x <= 0 or overlap_y <= 0
    W, h = g.by_name("W"), g.by_name("h")
    assert bx[h][0] - bx[W][2] >= 50.0  # the column after W starts a full gap after its right edge


def test_first_argument_sits_above_the_second():
    # assignment order alone would put b above a; the ports say a (argument 1) goes on top
    g = parse_text("b = 2\na = 5\nd = a - b")
    pos = layered_layout(g)
    a, b = g.by_name("a"), g.by_name("b")
    assert g.parents(g.by_name("d")) == [a, b]
    assert pos[a][1] < pos[b][1]
