"""Arrays drawn as arrays, checked by what the drawing produces: the cells (as coloured
rectangles in an exported SVG, where they sit), their numbers as SVG text, the shape badge,
the gradient's grid under the value's, heat maps for large arrays, the same drawing in step
frames and in every theme, and matrices as matrices in TikZ."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from graphstudio.core.engine import evaluate
from graphstudio.io.gs import parse_text
from graphstudio.render.export import ExportSettings, export_graph, graph_picture
from graphstudio.render.style import THEMES
from graphstudio.render.tikz import to_tikz

SVG = "{http://www.w3.org/2000/svg}"

TEXT = """
W = [[0.5, -0.3], [-0.4, 0.6], [0.2, 0.4]]
x = [1, -1]
h = W @ x
L = sum(h * h)
"""


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def _matrix(transform: str | None) -> np.ndarray:
    m = np.eye(3)
    if transform:
        found = re.match(r"matrix\(([^)]*)\)", transform)
        if found:
            a, b, c, d, e, f = (float(v) for v in found.group(1).split(","))
            m = np.array([[a, c, e], [b, d, f], [0, 0, 1]])
    return m


def svg_shapes(path):
    """Every <rect> as (fill, x0, y0, x1, y1) and every <text> as (text, x, y, font size), in
    the SVG's coordinates (group transforms applied), read with xml.etree."""
    rects, texts = [], []

    def walk(el, m, fill, size):
        m = m @ _matrix(el.get("transform"))
        fill = el.get("fill", fill)
        size = el.get("font-size", size)
        if el.tag == SVG + "rect" and el.get("width"):
            x, y, w, h = (float(el.get(k)) for k in ("x", "y", "width", "height"))
            (x0, y0), (x1, y1) = ((m @ [px, py, 1])[:2] for px, py in ((x, y), (x + w, y + h)))
            rects.append((fill, x0, y0, x1, y1))
        elif el.tag == SVG + "text":
            x, y = (m @ [float(el.get("x", 0)), float(el.get("y", 0)), 1])[:2]
            texts.append(("".join(el.itertext()).strip(), x, y, float(size) * np.hypot(m[0, 0], m[1, 0])))
        for child in el:
            walk(child, m, fill, size)

    walk(ET.parse(path).getroot(), np.eye(3), None, "0")
    return rects, texts


def export_svg(tmp_path, text=TEXT, theme="light", name="g.svg"):
    g = parse_text(text)
    ev = evaluate(g)
    out = tmp_path / name
    export_graph(g, ev, out, ExportSettings(theme=theme))
    return g, ev, out


def cells_of(rects, colours):
    """The rectangles filled with one of ``colours`` (cells are the only shapes so filled)."""
    return [r for r in rects if r[0] in colours]


def cell_of(rects, texts, number):
    """The cell (a coloured rectangle of a cell's size) a number is written in; the first such
    when the number is written in several."""
    for _w, tx, ty, _s in (t for t in texts if t[0] == number):
        holding = [r for r in rects if r[0] and r[1] <= tx <= r[3] + 1 and r[2] <= ty <= r[4] + 1
                   and r[3] - r[1] < 80 and r[4] - r[2] < 30]
        if holding:
            return holding[0]
    raise AssertionError(f"{number} is in no cell")


def test_a_matrix_is_a_grid_of_coloured_cells_with_its_numbers_and_badge(tmp_path):
    g, ev, svg = export_svg(tmp_path)
    rects, texts = svg_shapes(svg)
    words = [t[0] for t in texts]
    numbers = ("0.5", "-0.3", "-0.4", "0.6", "0.2", "0.4")
    for number in numbers:
        assert number in words
    assert "3×2" in words  # W's badge
    assert "2" in words and "3" in words  # x's and h's badges
    light = THEMES["light"]
    # W's grid: the 6 cells under its numbers, 3 rows of 2, each coloured by its number
    cells = [cell_of(rects, texts, n) for n in numbers]
    assert len({round(r[1]) for r in cells}) == 2 and len({round(r[2]) for r in cells}) == 3
    fills = dict(zip(numbers, (r[0] for r in cells)))
    assert fills["0.6"] == light.positive  # the largest: the full positive colour
    assert fills["-0.4"] != fills["0.6"] and fills["-0.3"] != fills["0.2"]  # sign shows
    assert len(set(fills.values())) == 6  # and size


def test_a_vector_is_a_column_and_its_gradient_a_column_under_it(tmp_path):
    g, ev, svg = export_svg(tmp_path, "x = [3, -1, 2]\ny = x * x\nL = sum(y)")
    rects, texts = svg_shapes(svg)
    # x = [3, -1, 2]; its gradient 2x = [6, -2, 4] (y's cells 9, 1, 4 are another node's)
    value = [cell_of(rects, texts, n) for n in ("3", "-1")]
    grad = [cell_of(rects, texts, n) for n in ("6", "-2")]
    assert value[0][1] == pytest.approx(value[1][1]) and value[0][2] < value[1][2]  # a column
    assert grad[0][1] == pytest.approx(grad[1][1]) and grad[0][2] < grad[1][2]
    assert grad[0][2] > value[1][4]  # the gradient's grid under the value's
    assert grad[0][1] == pytest.approx(value[0][1]) and grad[0][3] == pytest.approx(value[0][3])  # cell under cell
    assert "∇" in [t[0] for t in texts]


def test_numbers_a_scalar_keeps_its_lines(tmp_path):
    _g, _ev, svg = export_svg(tmp_path, "a = -1\nb = 3\nc = 4\nz = (a + b) * (b + c)")
    rects, texts = svg_shapes(svg)
    words = [t[0] for t in texts]
    assert "∇ 7" in words and "∇ 9" in words  # value and gradient lines, as before
    light = THEMES["light"]
    assert not cells_of(rects, {light.positive, light.negative})


def test_a_large_array_is_a_heat_map_of_bounded_size_without_numbers(tmp_path):
    values = np.round(np.linspace(-1, 1, 144).reshape(12, 12), 3)
    text = f"W = {values.tolist()}\nL = sum(W * W)"
    g, ev, svg = export_svg(tmp_path, text)
    rects, texts = svg_shapes(svg)
    words = {t[0] for t in texts}
    assert "12×12" in words
    assert not {"-0.986", "0.986", "1", "-1"} & words  # no cell numbers
    root = ET.parse(svg).getroot()
    assert len(list(root.iter(SVG + "image"))) >= 2  # the value's and the gradient's heat maps
    from graphstudio.render.draw import node_rect
    picture = graph_picture(g, ev)
    box = node_rect(picture.nodes[g.by_name("W")], (0, 0), THEMES["light"])
    assert box.width() < 200 and box.height() < 400  # not 144 numbers


def test_a_heat_map_writes_the_range_of_its_numbers_under_it(tmp_path):
    values = np.round(np.linspace(-1, 0.5, 144).reshape(12, 12), 3)
    text = f"W = {values.tolist()}\nv = {list(range(10))}\nL = sum(W * W) + sum(v * 0)"
    g, ev, svg = export_svg(tmp_path, text)
    _rects, texts = svg_shapes(svg)
    where = {t[0]: t[2] for t in texts}
    left = {t[0]: t[1] for t in texts}
    # W's value runs from -1 to 0.5, its gradient 2W from -2 to 1; v's gradient is all zeros
    assert "-1 … 0.5" in where and "-2 … 1" in where and "all 0" in where
    assert "0 … 9" in where  # v, a vector of 10, is a heat map too
    # W's two ranges, one above the other at the left of its maps; its gradient's map between
    assert left["-1 … 0.5"] == pytest.approx(left["-2 … 1"])
    assert where["-2 … 1"] - where["-1 … 0.5"] > 100
    # a grid of numbers writes no range
    _g, _ev, small = export_svg(tmp_path, name="small.svg")
    assert not [t for t in svg_shapes(small)[1] if "…" in t[0] or t[0].startswith("all ")]


@pytest.mark.parametrize("theme", ["dark", "print"])
def test_other_themes_draw_the_same_cells_in_their_colours(tmp_path, theme):
    _g, _ev, svg = export_svg(tmp_path, theme=theme)
    rects, texts = svg_shapes(svg)
    words = [t[0] for t in texts]
    assert {"0.5", "-0.3", "-0.4", "0.6", "0.2", "0.4", "3×2"} <= set(words)
    t = THEMES[theme]
    assert cells_of(rects, {t.positive}) and cells_of(rects, {t.negative})


def test_step_frames_draw_cells_once_the_value_is_computed(tmp_path):
    g = parse_text(TEXT)
    ev = evaluate(g)
    out = tmp_path / "steps"
    export_graph(g, ev, out, ExportSettings(steps=True, format="svg"))
    frames = sorted(out.glob("*.svg"))
    first = [t[0] for t in svg_shapes(frames[0])[1]]
    last = [t[0] for t in svg_shapes(frames[-1])[1]]
    # h = W x = [0.8, -1, -0.2] appears only once computed; "?" stands in before
    assert "0.8" not in first and "?" in first
    assert "0.8" in last and "3×2" in first and "3×2" in last
    # the gradient of h, 2h = [1.6, -2, -0.4], only in the backward frames
    assert "1.6" in last and "1.6" not in first


def test_tikz_writes_a_matrix_as_a_matrix():
    g = parse_text(TEXT)
    ev = evaluate(g)
    source = to_tikz(graph_picture(g, ev))
    W = next(line for line in source.splitlines() if "{W}" in line)
    assert W.count(r"\begin{pmatrix}") == 2  # the value and the gradient
    value = W.split(r"\begin{pmatrix}")[1].split(r"\end{pmatrix}")[0]
    rows = value.split(r" \\ ")
    assert len(rows) == 3 and all(row.count(" & ") == 1 for row in rows)
    assert "{0.5}" in rows[0] and "{0.6}" in rows[1]
    assert r"\colorbox[HTML]{0877BD}" in W  # 0.6, the largest: Playground's blue
    assert "3\\ensuremath{\\times}2" in W


def test_tikz_elides_the_middle_of_a_large_array():
    values = np.arange(100.0).reshape(10, 10)
    g = parse_text(f"W = {values.tolist()}\nL = sum(W)")
    source = to_tikz(graph_picture(g, evaluate(g)))
    W = next(line for line in source.splitlines() if "{W}" in line)
    value = W.split(r"\begin{pmatrix}")[1].split(r"\end{pmatrix}")[0]
    rows = value.split(r" \\ ")
    assert len(rows) == 6  # 3 rows, the dots, 2 rows
    assert r"\ddots" in rows[3] and r"\cdots" in rows[0] and r"\vdots" in rows[3]
    assert "{99}" in rows[-1] and "{0}" in rows[0]


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                    reason="pdflatex or pdftotext is not installed")
def test_tikz_matrices_compile_and_their_numbers_are_in_the_pdf(tmp_path):
    g = parse_text(TEXT + f"\nV = {np.arange(100.0).reshape(10, 10).tolist()}\nM = sum(V)\nT = L + M")
    (tmp_path / "m.tex").write_text(to_tikz(graph_picture(g, evaluate(g)), standalone=True))
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "m.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout[-2000:]
    words = subprocess.run(["pdftotext", str(tmp_path / "m.pdf"), "-"], capture_output=True,
                           text=True).stdout.split()
    for number in ("0.5", "0.6", "0.4", "99", "98", "0"):
        assert number in words


def test_an_array_leafs_tag_on_the_bottom_border_leaves_its_last_cell_whole(tmp_path):
    """An array leaf writes "input" on its bottom border, over a patch of the box's fill; the
    box is tall enough that the patch covers none of the gradient's last cell, nor the frame
    drawn round the grid (a line over a pixel wide): a gap of two pixels at least."""
    _g, _ev, svg = export_svg(tmp_path, "x = [0, 1, 2, 3]\ny = x * x\nL = sum(y)")
    rects, texts = svg_shapes(svg)
    (_w, tx, ty, _size), = [t for t in texts if t[0] == "input"]
    patch = [r for r in rects if r[1] <= tx <= r[3] and r[2] <= ty <= r[4] + 1
             and r[3] - r[1] < 80]
    assert patch, "the tag has a patch behind it"
    last = cell_of(rects, texts, "6")  # x's gradient 2x = [0, 2, 4, 6]: its bottom cell
    assert min(r[2] for r in patch) - last[4] >= 2
