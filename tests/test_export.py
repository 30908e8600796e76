"""The exporters (graphstudio.render.export, graphstudio.render.tikz): every format from every
example, the text inside SVG and PDF, PNG sizes, step frames, and TikZ compiled by pdflatex
where one is installed."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from export_support import (EXAMPLES, count_colour, hex_rgb, not_background, pdf_media_boxes, pdf_objects,
                            pdf_pages, png_pixels, svg_size, svg_texts)
from graphstudio.core.engine import evaluate
from graphstudio.io import open_document
from graphstudio.render.export import (ExportError, ExportSettings, export_picture, export_steps,
                                       format_for, graph_picture, graph_steps)
from graphstudio.render.picture import build_picture
from graphstudio.render.positions import graph_positions
from graphstudio.render.style import THEMES
from graphstudio.render.tikz import tex, to_tikz

ROOT = Path(__file__).resolve().parent.parent

# by hand from the lectures: Bristol lecture 2 at f = 4, g = 2 (a = b·c, b = d + e, c = e + 2,
# d = 3 + f, e = f·g) and Grosse CSC 311 at a = -1, b = 3, c = 4 (z = (a + b)(b + c))
BRISTOL_VALUES = {"f": "4", "g": "2", "e": "8", "d": "7", "c": "10", "b": "15", "a": "150"}
BRISTOL_GRADS = {"a": "1", "b": "10", "c": "15", "d": "10", "e": "25", "f": "60", "g": "100"}
GROSSE_VALUES = {"a": "-1", "b": "3", "c": "4", "x": "2", "y": "7", "z": "14"}
GROSSE_GRADS = {"a": "7", "b": "9", "c": "2", "x": "7", "y": "2", "z": "1"}


def load(name: str):
    doc = open_document(ROOT / "examples" / f"{name}.gs")
    return doc.graph, evaluate(doc.graph)


@pytest.fixture(scope="module")
def pictures():
    """Every example's full picture (values, gradients, edge labels)."""
    out = {}
    for path in EXAMPLES:
        graph, ev = load(path.stem)
        out[path.stem] = graph_picture(graph, ev, edge_labels=True)
    return out


# ---- every format from every example ---------------------------------------------------------


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "tikz"])
def test_every_format_from_every_example(pictures, tmp_path, example, fmt):
    suffix = "tex" if fmt == "tikz" else fmt
    out = export_picture(pictures[example], tmp_path / f"{example}.{suffix}")
    data = out.read_bytes()
    assert len(data) > 500
    if fmt == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        px = png_pixels(out)
        assert not_background(px, (255, 255, 255)) > 0.02 * px.shape[0] * px.shape[1]
    elif fmt == "svg":
        assert len(svg_texts(out)) >= len(pictures[example].nodes)
    elif fmt == "pdf":
        assert pdf_pages(out) == 1
    else:
        text = data.decode("ascii")  # pdflatex-safe: every symbol spelled as LaTeX
        assert text.count(r"\node[") == len(pictures[example].nodes)
        assert text.count(r"\draw[") == len(pictures[example].edges)
        assert "?" not in text  # no character fell through the symbol table


# ---- SVG: vector, text as text ---------------------------------------------------------------


def _cells(array, grid):
    """An array's cells as drawn: each number's text, checked against the number itself."""
    texts = [t for row in grid.texts for t in row]
    for text, x in zip(texts, np.asarray(array, dtype=float).ravel()):
        assert float(text) == pytest.approx(x, rel=5e-3, abs=1e-12), (text, x)
    return texts


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_svg_holds_every_value_and_gradient_as_text(pictures, tmp_path, example):
    """Names, numbers, and every cell of a (small) array, as text."""
    picture = pictures[example]
    texts = svg_texts(export_picture(picture, tmp_path / "g.svg"))
    joined = "\n".join(texts)
    for v in picture.nodes.values():
        if v.title:
            assert v.title in texts
        if v.value_grid is not None:
            assert set(_cells(v.value, v.value_grid)) <= set(texts)
            assert v.badge in texts
        else:
            for line in v.value_text.splitlines():
                assert line.strip() in joined
        if v.grad_grid is not None:
            assert set(_cells(v.grad, v.grad_grid)) <= set(texts)
        else:
            for line in v.grad_text.splitlines():
                assert line.strip() in joined
    labelled = [e for e in picture.edges if e.label is not None]
    assert labelled  # every example has edges out of non-constants
    for e in labelled:
        assert e.label in texts


@pytest.mark.parametrize("name, values, grads", [
    ("bristol_lecture2", BRISTOL_VALUES, BRISTOL_GRADS),
    ("grosse_csc311", GROSSE_VALUES, GROSSE_GRADS),
])
def test_svg_numbers_match_the_lectures(tmp_path, name, values, grads):
    graph, ev = load(name)
    texts = svg_texts(export_picture(graph_picture(graph, ev), tmp_path / "g.svg"))
    for v in values.values():
        assert v in texts
    for g in grads.values():
        assert f"∇ {g}" in texts
    assert sum(t.startswith("∇") for t in texts) == len(grads)


def test_svg_without_gradients_has_none(tmp_path):
    graph, ev = load("grosse_csc311")
    texts = svg_texts(export_picture(graph_picture(graph, ev, show_grad=False), tmp_path / "g.svg"))
    assert not any("∇" in t for t in texts)
    assert "14" in texts


def test_svg_and_pdf_size_follow_scale(tmp_path):
    graph, ev = load("grosse_csc311")
    picture = graph_picture(graph, ev)
    w1, h1 = svg_size(export_picture(picture, tmp_path / "a.svg"))
    w2, h2 = svg_size(export_picture(picture, tmp_path / "b.svg", scale=2.5))
    assert w2 == pytest.approx(2.5 * w1, abs=0.5) and h2 == pytest.approx(2.5 * h1, abs=0.5)
    # a PDF page is the same drawing at 72 points per 96 pixels
    (pw, ph), = pdf_media_boxes(export_picture(picture, tmp_path / "a.pdf"))
    assert pw == pytest.approx(w1 * 0.75, abs=1) and ph == pytest.approx(h1 * 0.75, abs=1)
    (pw2, ph2), = pdf_media_boxes(export_picture(picture, tmp_path / "b.pdf", scale=2))
    assert pw2 == pytest.approx(2 * pw, abs=1.5) and ph2 == pytest.approx(2 * ph, abs=1.5)


def test_pdf_embeds_fonts_and_draws_text(tmp_path):
    """Text in the PDF is text (a font is embedded and text-showing operators are used),
    not outlines."""
    graph, ev = load("grosse_csc311")
    data = pdf_objects(export_picture(graph_picture(graph, ev), tmp_path / "g.pdf"))
    assert b"/FontFile2" in data
    assert b" Tj" in data or b"TJ" in data


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (Debian: poppler-utils) is not installed")
def test_pdf_text_can_be_searched(tmp_path):
    graph, ev = load("bristol_lecture2")
    pdf = export_picture(graph_picture(graph, ev), tmp_path / "g.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    words = text.split()
    for v in BRISTOL_VALUES.values():
        assert v in words
    for g in BRISTOL_GRADS.values():
        assert g in words


# ---- PNG: size, content, background ----------------------------------------------------------


def test_png_size_follows_scale_and_dpi(tmp_path):
    """pixels = bounds × scale × dpi / 96 (rounded up); the default dpi is 192."""
    graph, ev = load("bristol_lecture2")
    picture = graph_picture(graph, ev)
    base = png_pixels(export_picture(picture, tmp_path / "1.png", dpi=96))
    h0, w0 = base.shape[:2]
    for scale, dpi, factor in [(1, None, 2), (2, 96, 2), (1, 192, 2), (1.5, 144, 2.25),
                               (0.5, 96, 0.5), (0.5, None, 1)]:
        px = png_pixels(export_picture(picture, tmp_path / f"{scale}-{dpi}.png", scale=scale, dpi=dpi))
        assert px.shape[1] == pytest.approx(w0 * factor, abs=factor + 1)
        assert px.shape[0] == pytest.approx(h0 * factor, abs=factor + 1)


def test_png_records_its_dpi(tmp_path):
    from PySide6.QtGui import QImage

    graph, ev = load("grosse_csc311")
    path = export_picture(graph_picture(graph, ev), tmp_path / "g.png", dpi=300)
    img = QImage(str(path))
    assert img.dotsPerMeterX() * 0.0254 == pytest.approx(300, abs=1)


def test_png_shows_gradients_in_their_colour_only_when_asked(tmp_path):
    graph, ev = load("bristol_lecture2")
    grad = hex_rgb(THEMES["light"].grad)
    with_grads = png_pixels(export_picture(graph_picture(graph, ev), tmp_path / "a.png"))
    without = png_pixels(export_picture(graph_picture(graph, ev, show_grad=False), tmp_path / "b.png"))
    assert count_colour(with_grads, grad) > 200
    assert count_colour(without, grad) == 0


def test_png_background_white_transparent_or_theme(tmp_path):
    graph, ev = load("grosse_csc311")
    picture = graph_picture(graph, ev)
    white = png_pixels(export_picture(picture, tmp_path / "w.png"))
    assert tuple(white[0, 0]) == (255, 255, 255, 255)
    clear = png_pixels(export_picture(picture, tmp_path / "t.png", transparent=True))
    assert clear[0, 0, 3] == 0
    assert (clear[..., 3] > 0).sum() > 0.02 * clear.shape[0] * clear.shape[1]
    dark = png_pixels(export_picture(graph_picture(graph, ev, theme="dark"), tmp_path / "d.png",
                                     theme="dark"))
    assert tuple(dark[0, 0, :3]) == hex_rgb(THEMES["dark"].background)


def test_png_is_cropped_to_the_graph_with_a_margin(tmp_path):
    """Nothing touches the border (a margin all round), and the drawing reaches close to it."""
    graph, ev = load("bristol_lecture2")
    px = png_pixels(export_picture(graph_picture(graph, ev, edge_labels=True), tmp_path / "g.png",
                                   dpi=96))
    ink = (abs(px[..., :3].astype(int) - 255).max(axis=-1) > 30)
    rows, cols = ink.any(axis=1).nonzero()[0], ink.any(axis=0).nonzero()[0]
    h, w = ink.shape
    for gap in (rows[0], h - 1 - rows[-1], cols[0], w - 1 - cols[-1]):
        assert 8 <= gap <= 60


def test_bad_scale_and_huge_images_are_refused(tmp_path):
    graph, ev = load("grosse_csc311")
    picture = graph_picture(graph, ev)
    for scale in (0, -1, math.nan, math.inf):
        with pytest.raises(ExportError, match="scale"):
            export_picture(picture, tmp_path / "g.png", scale=scale)
    with pytest.raises(ExportError, match="pixels"):
        export_picture(picture, tmp_path / "g.png", scale=500)
    with pytest.raises(ExportError, match="does not exist"):
        export_picture(picture, tmp_path / "nowhere" / "g.png")
    with pytest.raises(ExportError, match="format"):
        format_for("graph.bmp")


# ---- step frames -----------------------------------------------------------------------------


def test_steps_pdf_has_a_page_per_step(tmp_path):
    # Bristol: 9 nodes computed forward, then 7 gradients backward (the constants 2 and 3 get none)
    graph, ev = load("bristol_lecture2")
    out = export_steps(graph_steps(graph, ev), tmp_path / "steps.pdf")
    assert out == [tmp_path / "steps.pdf"]
    assert pdf_pages(tmp_path / "steps.pdf") == 9 + 7
    boxes = pdf_media_boxes(tmp_path / "steps.pdf")
    assert len(set(boxes)) == 1  # one frame for every page


def test_steps_folder_of_numbered_pngs_sharing_one_frame(tmp_path):
    # Grosse: 6 nodes forward, 6 gradients backward
    graph, ev = load("grosse_csc311")
    written = export_steps(graph_steps(graph, ev), tmp_path / "frames", dpi=96)
    names = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert names == [f"step_{i:03d}.png" for i in range(1, 13)]
    assert [p.name for p in written] == names
    sizes = {png_pixels(p).shape for p in written}
    assert len(sizes) == 1
    grad = hex_rgb(THEMES["light"].grad)
    first, last = png_pixels(written[0]), png_pixels(written[-1])
    assert count_colour(first, grad) == 0  # the forward pass shows no gradient yet
    assert count_colour(last, grad) > 100


def test_steps_into_a_file_is_refused(tmp_path):
    graph, ev = load("grosse_csc311")
    (tmp_path / "taken").write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        export_steps(graph_steps(graph, ev), tmp_path / "taken")


# ---- TikZ ------------------------------------------------------------------------------------


def test_tex_escapes_specials_and_spells_symbols_as_math():
    assert tex("a_1 & 50% #2 {x} $") == r"a\_1 \& 50\% \#2 \{x\} \$"
    assert tex("∂z/∂x") == r"\ensuremath{\partial}z/\ensuremath{\partial}x"
    assert tex("×∇σ") == r"\ensuremath{\times}\ensuremath{\nabla}\ensuremath{\sigma}"
    assert tex("-1") == r"\ensuremath{-}1"
    assert tex("x\\y") == r"x\textbackslash{}y"
    assert tex("ŷ") == r"\^{y}" and tex("é") == r"\'{e}"
    assert tex("😀") == "?"


def test_tikz_positions_follow_the_layout_in_cm():
    graph, ev = load("grosse_csc311")
    pos = graph_positions(graph)
    picture = build_picture(graph, ev, pos)
    text = to_tikz(picture)
    x_node = graph.by_name("x")
    x, y = pos[x_node]
    assert f"(n{x_node}) at ({x * 3 / 210:.3f}, {-y * 3 / 210:.3f})" in text
    assert r"\begin{tikzpicture}" in text and r"\documentclass" not in text
    doc = to_tikz(picture, standalone=True)
    assert doc.startswith(r"\documentclass[tikz") and doc.rstrip().endswith(r"\end{document}")


def test_tikz_shows_values_gradients_and_edge_labels():
    graph, ev = load("grosse_csc311")
    picture = build_picture(graph, ev, graph_positions(graph), edge_labels=True)
    text = to_tikz(picture)
    for v in GROSSE_VALUES.values():
        assert r"\textcolor{gsvalue}{" + tex(v) + "}" in text
    for g in GROSSE_GRADS.values():
        assert r"\textcolor{gsgrad}{\ensuremath{\nabla}\," + tex(g) + "}" in text
    assert tex("∂z/∂x = y = 7") in text
    bare = to_tikz(build_picture(graph, ev, graph_positions(graph), show_grad=False))
    assert "nabla" not in bare


def _pdflatex(tmp_path: Path, name: str, source: str) -> Path:
    (tmp_path / f"{name}.tex").write_text(source, encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / f"{name}.log").read_text(errors="replace") if (tmp_path / f"{name}.log").exists() else ""
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert run.returncode == 0, f"pdflatex failed: {errors or run.stdout[-2000:]}"
    assert "Missing character" not in log
    return tmp_path / f"{name}.pdf"


needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (Debian: texlive-latex-base texlive-pictures)")


@needs_pdflatex
def test_bare_tikz_of_every_example_compiles_with_pdflatex(tmp_path):
    """Every example, with gradients and edge labels, and every step of one, pasted into an
    article with the preamble the output asks for."""
    from graphstudio.render.picture import step_pictures
    from graphstudio.render.tikz import PREAMBLE

    bodies = []
    for path in EXAMPLES:
        graph, ev = load(path.stem)
        pos = graph_positions(graph)
        bodies.append(to_tikz(build_picture(graph, ev, pos, edge_labels=True)))
        bodies.append(to_tikz(build_picture(graph, ev, pos), theme="print"))
    graph, ev = load("bristol_lecture2")
    bodies += [to_tikz(p) for p in step_pictures(graph, ev, graph_positions(graph), edge_labels=True)]
    from graphstudio.io.gs import parse_text

    odd = parse_text("ŷ = 2\nβ_1 = -3\nl_total = sigmoid(ŷ * β_1) ** 2\n")  # names TeX must escape
    bodies.append(to_tikz(build_picture(odd, evaluate(odd), graph_positions(odd), edge_labels=True)))
    source = ("\\documentclass{article}\n" + PREAMBLE + "\n\\begin{document}\n"
              + "\n\\clearpage\n".join(bodies) + "\\end{document}\n")
    pdf = _pdflatex(tmp_path, "all", source)
    assert pdf_pages(pdf) >= len(EXAMPLES)


def _has_standalone() -> bool:
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        return False
    return bool(subprocess.run([kpsewhich, "standalone.cls"], capture_output=True, text=True).stdout.strip())


@needs_pdflatex
@pytest.mark.skipif(not _has_standalone(),
                    reason="standalone.cls is not installed (Debian: texlive-latex-extra)")
def test_standalone_tikz_compiles_to_one_cropped_page(tmp_path):
    graph, ev = load("bristol_lecture2")
    picture = build_picture(graph, ev, graph_positions(graph), edge_labels=True)
    pdf = _pdflatex(tmp_path, "bristol", to_tikz(picture, standalone=True))
    assert pdf_pages(pdf) == 1
    (w, h), = pdf_media_boxes(pdf)
    assert w < 595 and h < 400  # cropped to the picture, not an A4 page


_REPORT_BOXES = r"""
  \makeatletter
  \foreach \n in {%s}{%%
    \pgfpointanchor{\n}{south west}\typeout{GSBOX \n\space\the\pgf@x\space\the\pgf@y}%%
    \pgfpointanchor{\n}{north east}\typeout{GSBOX \n\space\the\pgf@x\space\the\pgf@y}}
  \makeatother
"""


@needs_pdflatex
@pytest.mark.parametrize("example", ["seoul_mlp_l2", "bristol_lecture2", "cmu11785_softmax_ce"])
def test_tikz_boxes_set_by_latex_do_not_overlap(tmp_path, example):
    """LaTeX reports every node's box (south west and north east anchors); no two overlap,
    arrays included, with and without edge labels."""
    import re
    from itertools import combinations

    from graphstudio.render.export import pictures_for
    from graphstudio.render.tikz import PREAMBLE

    graph, ev = load(example)
    bodies = []
    for labels in (False, True):
        picture = pictures_for(graph, ev, "tikz", edge_labels=labels)[0]
        names = ",".join(f"n{n}" for n in picture.nodes)
        body = to_tikz(picture).replace(r"\end{tikzpicture}",
                                        _REPORT_BOXES % names + r"\end{tikzpicture}")
        bodies.append(body)
    source = ("\\documentclass{article}\n" + PREAMBLE + "\n\\begin{document}\n"
              + "\n\\clearpage\n".join(bodies) + "\\end{document}\n")
    _pdflatex(tmp_path, "boxes", source)
    log = (tmp_path / "boxes.log").read_text(errors="replace")
    found = re.findall(r"GSBOX (n\d+) ([-\d.]+)pt ([-\d.]+)pt", log)
    assert len(found) == 2 * 2 * len(graph)
    for part in (found[: 2 * len(graph)], found[2 * len(graph):]):
        boxes = {}
        for name, x, y in part:
            boxes.setdefault(name, []).append((float(x), float(y)))
        for (a, ((ax0, ay0), (ax1, ay1))), (b, ((bx0, by0), (bx1, by1))) in combinations(boxes.items(), 2):
            overlap = min(ax1, bx1) - max(ax0, bx0) > 0 and min(ay1, by1) - max(ay0, by0) > 0
            assert not overlap, f"{a} and {b} overlap"


def test_saved_positions_are_kept(tmp_path):
    """A document whose every node has a position is drawn where the user put it: x moved far
    right of z is still right of it in the picture."""
    graph, ev = load("grosse_csc311")
    for i, n in enumerate(sorted(graph.nodes())):
        graph.set_position(n, (100.0 * i, 0.0))
    picture = graph_picture(graph, ev)
    assert picture.positions == {n: (100.0 * i, 0.0) for i, n in enumerate(sorted(graph.nodes()))}


def test_a_graph_with_errors_still_exports(tmp_path):
    """A missing input: its node and its descendants are marked, the rest keeps its numbers."""
    from graphstudio.core.graph import Graph
    from graphstudio.render.export import export_graph

    g = Graph()
    x, y = g.add_input("x", None), g.add_input("y", 2.0)
    g.add_op("mul", [x, y], name="z")
    g.add_op("log", [y], name="w")
    ev = evaluate(g)
    texts = svg_texts(export_graph(g, ev, tmp_path / "g.svg")[0])
    assert "0.6931" in texts and "∇ 0.5" in texts  # log 2 and d log(y)/dy = 1/2
    assert len(export_graph(g, ev, tmp_path / "steps", ExportSettings(steps=True))) >= 4
    tikz = export_graph(g, ev, tmp_path / "g.tex")[0].read_text()
    assert tikz.count("gserror}{error}") == 2


def test_an_empty_graph_is_refused(tmp_path):
    from graphstudio.core.graph import Graph
    from graphstudio.render.export import export_graph

    g = Graph()
    with pytest.raises(ExportError, match="no nodes"):
        export_graph(g, evaluate(g), tmp_path / "g.png")
