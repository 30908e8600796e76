"""``graphstudio export``: formats from suffixes, options, step frames, headless start, and one
clear line with exit status 1 for bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from export_support import (count_colour, hex_rgb, pdf_pages, png_pixels, svg_size, svg_texts)
from graphstudio.cli import main
from graphstudio.render.style import THEMES

ROOT = Path(__file__).resolve().parent.parent
GROSSE = str(ROOT / "examples" / "grosse_csc311.gs")
BRISTOL = str(ROOT / "examples" / "bristol_lecture2.gs")


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main(["export", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("suffix, magic", [
    ("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF-"), ("tex", rb"\documentclass"),
])
def test_format_comes_from_the_suffix(capsys, tmp_path, suffix, magic):
    out = tmp_path / f"g.{suffix}"
    status, _, err = run(capsys, GROSSE, "-o", out)
    assert (status, err) == (0, "")
    assert out.read_bytes().startswith(magic)


def test_format_option_wins_over_the_suffix(capsys, tmp_path):
    out = tmp_path / "picture.out"
    assert run(capsys, GROSSE, "-o", out, "--format", "svg")[0] == 0
    assert "14" in svg_texts(out)


def test_bare_tikz_is_just_the_picture(capsys, tmp_path):
    out = tmp_path / "g.tex"
    assert run(capsys, GROSSE, "-o", out, "--bare")[0] == 0
    text = out.read_text()
    assert r"\begin{tikzpicture}" in text and r"\documentclass" not in text


def test_gradients_and_edge_labels_follow_the_options(capsys, tmp_path):
    plain, labelled = tmp_path / "a.svg", tmp_path / "b.svg"
    run(capsys, GROSSE, "-o", plain, "--no-grad")
    run(capsys, GROSSE, "-o", labelled, "--edge-labels")
    assert not any("∇" in t for t in svg_texts(plain))
    assert not any("∂" in t for t in svg_texts(plain))
    texts = svg_texts(labelled)
    assert "∇ 9" in texts  # dz/db = (b + c) + (a + b) = 7 + 2
    assert "∂z/∂x = y = 7" in texts and "∂z/∂y = x = 2" in texts


def test_output_option_picks_what_is_differentiated(capsys, tmp_path):
    out = tmp_path / "g.svg"
    assert run(capsys, GROSSE, "-o", out, "--output", "x")[0] == 0
    texts = svg_texts(out)
    # x = a + b: dx/da = dx/db = 1, and c, y, z do not reach x: no gradient line
    assert [t for t in texts if t.startswith("∇")] == ["∇ 1"] * 3


def test_png_scale_and_dpi_multiply(capsys, tmp_path):
    sizes = {}
    for name, opts in [("one", ["--dpi", "96"]), ("default", []), ("scale", ["--scale", "2", "--dpi", "96"]),
                       ("dpi", ["--dpi", "288"]), ("both", ["--scale", "0.5", "--dpi", "192"])]:
        out = tmp_path / f"{name}.png"
        assert run(capsys, BRISTOL, "-o", out, *opts)[0] == 0
        sizes[name] = png_pixels(out).shape[:2]
    h, w = sizes["one"]
    for name, factor in [("default", 2), ("scale", 2), ("dpi", 3), ("both", 1)]:
        assert sizes[name][0] == pytest.approx(h * factor, abs=factor + 1)
        assert sizes[name][1] == pytest.approx(w * factor, abs=factor + 1)


def test_slide_width_png(capsys, tmp_path):
    """A 1920-pixel-wide slide image, by --scale = 1920 / natural width or by --width 1920,
    the height keeping the proportions."""
    natural = tmp_path / "n.png"
    run(capsys, BRISTOL, "-o", natural)
    h, w = png_pixels(natural).shape[:2]
    out = tmp_path / "slide.png"
    assert run(capsys, BRISTOL, "-o", out, "--scale", 1920 / w)[0] == 0
    assert png_pixels(out).shape[1] == pytest.approx(1920, abs=2)
    for dpi in ([], ["--dpi", "300"]):
        out = tmp_path / "w.png"
        assert run(capsys, BRISTOL, "-o", out, "--width", "1920", *dpi)[0] == 0
        px = png_pixels(out)
        assert px.shape[1] == 1920
        assert px.shape[0] == pytest.approx(h * 1920 / w, abs=3)


def test_theme_and_transparency(capsys, tmp_path):
    dark, clear = tmp_path / "d.png", tmp_path / "t.png"
    run(capsys, GROSSE, "-o", dark, "--theme", "dark")
    run(capsys, GROSSE, "-o", clear, "--transparent")
    assert tuple(png_pixels(dark)[0, 0, :3]) == hex_rgb(THEMES["dark"].background)
    assert png_pixels(clear)[0, 0, 3] == 0


def test_svg_scale(capsys, tmp_path):
    run(capsys, GROSSE, "-o", tmp_path / "a.svg")
    run(capsys, GROSSE, "-o", tmp_path / "b.svg", "--scale", "3")
    (w1, h1), (w3, h3) = svg_size(tmp_path / "a.svg"), svg_size(tmp_path / "b.svg")
    assert w3 == pytest.approx(3 * w1, abs=1) and h3 == pytest.approx(3 * h1, abs=1)


def test_steps_into_a_folder(capsys, tmp_path):
    out = tmp_path / "frames"
    status, stdout, _ = run(capsys, GROSSE, "--steps", "-o", out, "--dpi", "96")
    assert status == 0 and "12 steps" in stdout
    frames = sorted(out.iterdir())
    assert [f.name for f in frames] == [f"step_{i:03d}.png" for i in range(1, 13)]
    grad = hex_rgb(THEMES["light"].grad)
    # 6 forward frames without gradients, then 6 backward frames with them
    assert [count_colour(png_pixels(f), grad) > 0 for f in frames] == [False] * 6 + [True] * 6


def test_steps_as_svg_frames(capsys, tmp_path):
    out = tmp_path / "frames"
    assert run(capsys, GROSSE, "--steps", "-o", out, "--format", "svg")[0] == 0
    frames = sorted(out.glob("step_*.svg"))
    assert len(frames) == 12
    # the grad_table row as Grosse writes it: dz/da = dz/dx · dx/da = 7 · 1
    assert "Backward pass, step 6 of 6: ∂z/∂a = 7 × 1 = 7" in svg_texts(frames[-1])


def test_steps_into_one_pdf(capsys, tmp_path):
    out = tmp_path / "steps.pdf"
    assert run(capsys, BRISTOL, "--steps", "-o", out)[0] == 0
    assert pdf_pages(out) == 9 + 7  # 9 nodes forward, 7 gradients (constants have none)


def test_headless_without_any_qt_variable(tmp_path):
    """No DISPLAY, no QT_QPA_PLATFORM: the exporter picks the offscreen platform itself."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = tmp_path / "g.png"
    run_ = subprocess.run([sys.executable, "-m", "graphstudio", "export", GROSSE, "-o", str(out)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert run_.returncode == 0, run_.stderr
    assert png_pixels(out).shape[1] > 100


BAD = [
    (["nofile.gs", "-o", "{tmp}/g.png"], "no such file"),
    (["{grosse}", "-o", "{tmp}/g.bmp"], ".bmp"),
    (["{grosse}", "-o", "{tmp}/g.png", "--format", "gif"], "gif"),
    (["{grosse}", "-o", "{tmp}/missing/g.png"], "does not exist"),
    (["{grosse}", "--steps", "-o", "{tmp}/missing/frames"], "does not exist"),
    (["{grosse}", "-o", "{tmp}/g.png", "--scale", "0"], "--scale"),
    (["{grosse}", "-o", "{tmp}/g.png", "--scale", "big"], "--scale"),
    (["{grosse}", "-o", "{tmp}/g.png", "--scale", "nan"], "--scale"),
    (["{grosse}", "-o", "{tmp}/g.png", "--dpi", "-3"], "--dpi"),
    (["{grosse}", "-o", "{tmp}/g.svg", "--dpi", "300"], "PNG only"),
    (["{grosse}", "-o", "{tmp}/g.pdf", "--transparent"], "PNG only"),
    (["{grosse}", "-o", "{tmp}/g.png", "--scale", "1000"], "pixels"),
    (["{grosse}", "-o", "{tmp}"], "is a folder"),
    (["{grosse}", "-o", "{tmp}/g.png", "--output", "nope"], "nope"),
    (["{grosse}", "-o", "{tmp}/g.png", "--theme", "neon"], "neon"),
    (["{grosse}", "-o", "{tmp}/g.png", "--width", "12.5"], "--width"),
    (["{grosse}", "-o", "{tmp}/g.png", "--width", "800", "--scale", "2"], "not both"),
    (["{grosse}", "-o", "{tmp}/g.svg", "--width", "800"], "PNG only"),
    (["{bad}", "-o", "{tmp}/g.png"], "bad.gs:2:"),
]


@pytest.mark.parametrize("argv, says", BAD, ids=[" ".join(a[2:]) or a[0] for a, _ in BAD])
def test_bad_input_is_one_line_and_status_1(capsys, tmp_path, argv, says):
    (tmp_path / "bad.gs").write_text("a = 1\nb = a +\n")
    args = [a.format(tmp=tmp_path, grosse=GROSSE, bad=tmp_path / "bad.gs") for a in argv]
    status, out, err = run(capsys, *args)
    assert status == 1
    assert says in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "g.png").exists()
