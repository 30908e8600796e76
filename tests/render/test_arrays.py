"""Arrays as grids (render/arrays.py) and their colours (render/style.py), without Qt: a vector
is a column, a matrix its rows and columns, numbers in 3 or 4 digits, large arrays heat maps,
and every cell's number readable on its colour in every theme."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from graphstudio.core.engine import evaluate
from graphstudio.io.gs import parse_text
from graphstudio.render.arrays import MAX_CELLS, array_grid, cell_text, shape_badge
from graphstudio.render.picture import build_picture, step_pictures
from graphstudio.render.style import THEMES, diverging, ink_on


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio, computed here from the definition."""
    def lum(c: str) -> float:
        rgb = [int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_a_vector_is_a_column_and_a_matrix_its_grid():
    v = array_grid(np.array([1.0, -2.0, 0.5]))
    assert (v.rows, v.cols) == (3, 1)
    assert v.texts == (("1",), ("-2",), ("0.5",))
    m = array_grid(np.array([[0.5, -0.3], [-0.4, 0.6], [0.2, 0.4]]))
    assert (m.rows, m.cols) == (3, 2)
    assert m.texts[1] == ("-0.4", "0.6")
    assert m.index_of(2, 1) == (2, 1) and v.index_of(2, 0) == (2,)
    cube = array_grid(np.arange(8.0).reshape(2, 2, 2))
    assert (cube.rows, cube.cols) == (4, 2)
    assert cube.index_of(3, 1) == (1, 1, 1)
    assert cube.value_at(3, 1) == 7.0


def test_levels_are_the_sign_and_size_against_the_largest():
    g = array_grid(np.array([2.0, -4.0, 0.0, 1.0]))
    assert g.scale == 4.0
    assert g.levels[:, 0].tolist() == [0.5, -1.0, 0.0, 0.25]
    zeros = array_grid(np.zeros((2, 2)))
    assert zeros.scale == 0.0 and not zeros.levels.any()


def test_numbers_that_are_not_finite():
    g = array_grid(np.array([1.0, math.nan, math.inf, -math.inf]))
    assert g.texts == (("1",), ("nan",), ("inf",), ("-inf",))
    levels = g.levels[:, 0]
    assert levels[0] == 1.0 and math.isnan(levels[1]) and levels[2] == 1.0 and levels[3] == -1.0
    assert diverging(THEMES["light"], math.nan) == THEMES["light"].muted


@pytest.mark.parametrize("x, text", [(0.5, "0.5"), (-2.25, "-2.25"), (0.1212, "0.121"),
                                     (0.04108, "0.0411"), (-0.008582, "-0.00858"), (16384.0, "1.64e+04"),
                                     (100.0, "100"), (0.0, "0")])
def test_a_cell_shows_3_or_4_significant_digits(x, text):
    assert cell_text(x) == text


def test_beyond_8_rows_or_columns_a_heat_map_without_numbers():
    assert not array_grid(np.ones((MAX_CELLS, MAX_CELLS))).heat
    tall = array_grid(np.ones(MAX_CELLS + 1))
    wide = array_grid(np.ones((2, MAX_CELLS + 1)))
    assert tall.heat and wide.heat and tall.texts is None
    assert tall.values.shape == (MAX_CELLS + 1, 1)  # the numbers are still there for the pointer


def test_numbers_and_empty_arrays_have_no_grid():
    assert array_grid(3.0) is None and array_grid(None) is None
    assert array_grid(np.array([])) is None


def test_shape_badge():
    assert shape_badge((3, 2)) == "3×2" and shape_badge((4,)) == "4" and shape_badge(()) == ""
    assert shape_badge((2, 3, 4)) == "2×3×4"


@pytest.mark.parametrize("name", list(THEMES))
def test_every_cell_number_reads_on_its_colour(name):
    """WCAG AA (4.5:1) for the ink chosen on every colour of the scale, in every theme."""
    theme = THEMES[name]
    for level in np.linspace(-1, 1, 401):
        fill = diverging(theme, float(level))
        assert contrast(fill, ink_on(fill)) >= 4.5, (name, level, fill)


@pytest.mark.parametrize("name", list(THEMES))
def test_sign_and_size_show_in_the_colour(name):
    """Below zero towards the theme's negative colour, above towards its positive, zero
    at its zero colour, and a larger size is further from zero."""
    theme = THEMES[name]
    assert diverging(theme, -1.0) == theme.negative
    assert diverging(theme, 1.0) == theme.positive
    assert diverging(theme, 0.0) == theme.zero
    far = contrast(diverging(theme, 0.9), theme.zero)
    near = contrast(diverging(theme, 0.2), theme.zero)
    assert far > near
    assert diverging(theme, -0.5) != diverging(theme, 0.5)


def test_light_theme_colours_weights_as_playground_does():
    """TensorFlow Playground: orange for negative weights, blue for positive."""
    assert THEMES["light"].negative == "#f59322" and THEMES["light"].positive == "#0877bd"


def test_picture_views_give_grids_for_arrays_and_keep_numbers_as_text():
    g = parse_text("W = [[1, -2], [3, 4], [0, 5]]\nx = [1, 1]\nh = W @ x\ns = sum(h)\nk = 3\nt = s * k")
    ev = evaluate(g)
    pic = build_picture(g, ev, {})
    W, h, t = (pic.nodes[g.by_name(n)] for n in ("W", "h", "t"))
    assert W.value_grid.texts == (("1", "-2"), ("3", "4"), ("0", "5")) and W.badge == "3×2"
    assert W.grad_grid.texts[0] == ("3", "3")  # dt/dW = k x^T = 3 everywhere
    assert h.badge == "3" and (h.value_grid.rows, h.value_grid.cols) == (3, 1)
    assert t.value_grid is None and t.grad_grid is None and t.value_text == "33"  # 3 × (-1 + 7 + 5)
    without = build_picture(g, ev, {}, show_grad=False)
    assert without.nodes[g.by_name("W")].grad_grid is None


def test_an_array_view_gives_its_printout_as_text_and_a_hidden_one_no_grid():
    """An array's text is written only when read (render/picture.py's _TextField): what it
    says, and whether a grid is drawn, are as if it were written at once."""
    g = parse_text("W = [[1.5, -2], [3, 4]]\nx = [1, 1]\nh = W @ x\ns = sum(h)")
    ev = evaluate(g)
    W = build_picture(g, ev, {}).nodes[g.by_name("W")]
    assert W.value_grid is not None and W.grad_grid is not None  # text not needed for cells
    # (a matrix's columns right-aligned)
    assert W.value_text == "[[1.5  -2]\n [  3   4]]" and W.grad_text == "[[1 1]\n [1 1]]"
    assert replace(W, highlight="current").value_text == W.value_text
    assert W == replace(W)
    hidden = replace(W, value_text="", grad_text="")  # as the quiz hides what is asked
    assert hidden.value_grid is None and hidden.grad_grid is None
    assert replace(W, value_text="?").value_text == "?"


def test_array_views_compare_by_their_numbers():
    """Two pictures of the same evaluation give equal views, although their arrays are other
    objects; another number makes them differ (on every Python: 3.13's dataclasses compare
    field by field, where ``==`` on arrays answers cell by cell)."""
    g = parse_text("W = [[1.5, -2], [3, 4]]\nx = [1, 1]\nh = W @ x\ns = sum(h)")
    ev = evaluate(g)
    W = g.by_name("W")
    first = build_picture(g, ev, {}).nodes[W]
    again = replace(first, value=first.value.copy(), grad=first.grad.copy())
    assert again.value is not first.value
    assert again == first and not again != first
    other = replace(first, value=first.value + np.eye(2))
    assert other != first and replace(first, value=1.5) != first


def test_step_frames_show_no_cells_before_the_value_is_computed():
    g = parse_text("W = [[1, -2], [3, 4]]\nx = [1, 1]\nh = W @ x\ns = sum(h)")
    ev = evaluate(g)
    frames = step_pictures(g, ev, {n: (0.0, 0.0) for n in g.nodes()})
    h = g.by_name("h")
    first = frames[0].nodes[h]  # the forward pass has not reached h
    assert first.value_text == "?" and first.value_grid is None and first.badge == "2"
    forward_done = frames[len(g) - 1].nodes[h]
    assert forward_done.value_grid is not None and forward_done.grad_grid is None
    assert frames[-1].nodes[h].grad_grid is not None
