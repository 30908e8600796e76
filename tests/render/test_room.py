"""Room for the edge labels in a hand-made layout: the columns spread apart, nothing else."""

from __future__ import annotations

import pytest

from graphstudio.core.engine import evaluate
from graphstudio.io.gs import parse_text
from graphstudio.render.draw import node_sizes
from graphstudio.render.fonts import fonts
from graphstudio.render.picture import build_picture
from graphstudio.render.room import LABEL_MARGIN, spread_for_labels
from graphstudio.render.style import THEMES

LIGHT = THEMES["light"]


@pytest.fixture(autouse=True)
def app(qapp):  # pytest-qt's QApplication (fonts need one)
    return qapp


def picture_at(text: str, centres: dict[str, tuple[float, float]]):
    g = parse_text(text)
    positions = {g.by_name(n): p for n, p in centres.items()}
    return g, build_picture(g, evaluate(g), positions, edge_labels=True)


def edges(picture, moved: dict) -> list[tuple[float, float]]:
    """Each box's left and right edge, with ``moved``'s centres."""
    sizes = node_sizes(picture, LIGHT)
    out = {}
    for n, (x, _y) in picture.positions.items():
        x = moved.get(n, (x, 0.0))[0]
        out[n] = (x - sizes[n][0] / 2, x + sizes[n][0] / 2)
    return out


def label_room(picture, src: int, dst: int) -> float:
    label = next(e.label for e in picture.edges if (e.src, e.dst) == (src, dst))
    return fonts(LIGHT).fm["edge"].horizontalAdvance(label) + LABEL_MARGIN


def test_each_gap_widens_to_the_widest_label_that_crosses_it_and_heights_stay():
    g, pic = picture_at("a = 2\nb = a * 3\nc = sin(b)",
                        {"a": (0.0, 0.0), "b": (120.0, 40.0), "c": (240.0, -20.0)})
    moves = spread_for_labels(pic, LIGHT)
    a, b, c = (g.by_name(n) for n in "abc")
    assert a not in moves  # the first column stays
    assert moves[b][1] == 40.0 and moves[c][1] == -20.0  # every box at its height
    box = edges(pic, moves)
    assert box[b][0] - box[a][1] == pytest.approx(label_room(pic, a, b))
    assert box[c][0] - box[b][1] == pytest.approx(label_room(pic, b, c))
    # spread again: the room is there, nothing moves
    again = build_picture(g, evaluate(g), {**pic.positions, **moves}, edge_labels=True)
    assert spread_for_labels(again, LIGHT) == {}


def test_a_gap_no_label_crosses_keeps_its_width_and_a_wide_gap_is_left_alone():
    # d stands apart, connected to nothing; b's gap before it is already wide
    g, pic = picture_at("a = 2\nb = a * 3\nd = 5",
                        {"a": (0.0, 0.0), "b": (120.0, 0.0), "d": (900.0, 0.0)})
    a, b, d = (g.by_name(n) for n in "abd")
    moves = spread_for_labels(pic, LIGHT)
    before, after = edges(pic, {}), edges(pic, moves)
    assert after[d][0] - after[b][1] == pytest.approx(before[d][0] - before[b][1])
    assert moves[d][0] - 900.0 == pytest.approx(moves[b][0] - 120.0)  # moved along with b


def test_boxes_whose_extents_overlap_are_one_column_and_move_together():
    # x and y staggered by a few units: one column, not two with a gap to open between them
    g, pic = picture_at("a = 2\nb = 3\nx = a + b\ny = a * b",
                        {"a": (0.0, 0.0), "b": (0.0, 120.0), "x": (130.0, 0.0), "y": (145.0, 120.0)})
    moves = spread_for_labels(pic, LIGHT)
    x, y = g.by_name("x"), g.by_name("y")
    assert moves[x][0] - 130.0 > 0.0
    assert moves[x][0] - 130.0 == pytest.approx(moves[y][0] - 145.0)


def test_without_labels_nothing_moves():
    g = parse_text("a = 2\nb = a * 3")
    pic = build_picture(g, evaluate(g), {g.by_name("a"): (0.0, 0.0), g.by_name("b"): (100.0, 0.0)})
    assert spread_for_labels(pic, LIGHT) == {}


def test_an_export_with_edge_labels_of_a_drawing_without_room_spreads_it_too():
    # a saved document's own positions were exported as they were: labels under the boxes
    from graphstudio.render.export import export_layout

    g = parse_text("a = 2\nk = 3\nb = a * k\nc = sin(b)")
    tight = {"a": (0.0, 0.0), "k": (0.0, 90.0), "b": (120.0, 40.0), "c": (240.0, -20.0)}
    for name, p in tight.items():
        g.set_position(g.by_name(name), p)
    ev = evaluate(g)
    assert export_layout(g, ev) == {g.by_name(n): p for n, p in tight.items()}  # no labels
    spread = export_layout(g, ev, edge_labels=True)
    pic = build_picture(g, ev, spread, edge_labels=True)
    a, b, c = (g.by_name(n) for n in "abc")
    box = edges(pic, {})
    assert spread[a] == tight["a"] and spread[c][1] == -20.0
    assert box[b][0] - box[a][1] >= label_room(pic, a, b) - 1e-9
    assert box[c][0] - box[b][1] >= label_room(pic, b, c) - 1e-9
