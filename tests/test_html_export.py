"""The HTML step-through: one self-contained file (nothing fetched), its frames the SVG
exporter's drawing shared piece by piece without loss, and, in a real headless Chromium, the
buttons, the slider and the arrow keys stepping through Bristol's passes with the grad_table
filling in as the lecture writes it; light, dark and print."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from export_support import count_colour, hex_rgb, png_pixels
from graphstudio.cli import main
from graphstudio.core.engine import evaluate
from graphstudio.io.gs import parse_file, parse_text
from graphstudio.render import html_player
from graphstudio.render.export import ExportError, ExportSettings, export_bounds, export_graph, pictures_for
from graphstudio.render.exporters.html import compact_svg
from graphstudio.render.exporters.svg import svg_text
from graphstudio.render.style import THEMES

ROOT = Path(__file__).resolve().parent.parent
BRISTOL = ROOT / "examples" / "bristol_lecture2.gs"
FINAL = "Step 16 of 16. Backward pass, step 7 of 7: ∂a/∂f = 25 × 2 + 10 × 1 = 60"


@pytest.fixture(scope="module")
def bristol_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "bristol.html"
    assert main(["export", str(BRISTOL), "-o", str(out)]) == 0
    return out


def _data(text: str) -> dict:
    found = re.search(r'<script type="application/json" class="gs-data">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def _frames(data: dict) -> list[str]:
    """The frames as the page's script joins them: pieces, and edits of the frame before."""
    frames: list[list[int]] = []
    for k, ops in enumerate(data["frames"]):
        ids: list[int] = []
        for op in ops:
            ids.extend([op] if isinstance(op, int) else frames[k - 1][op[0]:op[1]])
        frames.append(ids)
    return ["".join(data["pieces"][i] for i in ids) for ids in frames]


def test_one_file_that_fetches_nothing(bristol_html):
    text = bristol_html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert not re.search(r"<(?:link|img|iframe|object|embed)\b|\bsrc=|@import|url\(", text)
    # the only addresses are the SVG namespace names, which are never fetched
    assert set(re.findall(r"https?://[^\s\"'<>\\]+", text)) <= {"http://www.w3.org/2000/svg",
                                                               "http://www.w3.org/1999/xlink"}
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert len(scripts) == 1
    assert not re.search(r"fetch|XMLHttpRequest|WebSocket|import\(|eval\(", scripts[0])


def test_the_page_holds_the_picture_the_steps_and_the_whole_grad_table(bristol_html):
    text = bristol_html.read_text(encoding="utf-8")
    overview = text[text.index('<div class="gs-frame"'):text.index('<div class="gs-table">')]
    assert "∇ 60" in overview and "150" in overview  # da/df = 60; a = 150
    data = _data(text)
    assert len(data["frames"]) == 16  # 9 forward, 7 backward
    assert data["captions"][-1] == FINAL.split(". ", 1)[1]
    row = next(r for r in data["rows"] if r["name"] == "f" and r["phase"] == "backward")
    assert (row["grad"], row["sum"]) == ("60", "25 × 2 + 10 × 1")
    # without scripts the table is there, complete
    assert "<td>f</td><td class=\"gs-num\">4</td><td class=\"gs-num gs-grad\">60</td>" in text


def test_shared_pieces_give_back_every_frame_exactly(tmp_path):
    graph = parse_file(BRISTOL)
    ev = evaluate(graph)
    pictures = pictures_for(graph, ev, "html")
    out = tmp_path / "b.html"
    export_graph(graph, ev, out, ExportSettings(format="html"))
    theme = THEMES["light"]
    bare = [replace(p, caption="") for p in pictures]
    bounds = export_bounds(bare, theme)
    expected = [compact_svg(svg_text(p, scale=1.0, theme=theme, bounds=bounds)) for p in bare[1:]]
    frames = _frames(_data(out.read_text(encoding="utf-8")))
    assert frames == expected
    # and the sharing is what keeps the file small: less than a third of the frames written out
    assert out.stat().st_size < sum(len(f.encode()) for f in expected) / 3


def test_compact_svg_keeps_everything_drawn():
    raw = ('<?xml version="1.0"?>\n<svg viewBox="0 0 10 10"><title>t</title><desc>d</desc>'
           '<defs>\n</defs>\n<g fill="none" font-family="Sans Serif" font-size="12" '
           'transform="matrix(1,0,0,1,0,0)">\n</g>\n<g fill="#ffffff" fill-opacity="1" '
           'font-family="Sans Serif">\n<rect x="0" y="0" width="10" height="10"/>\n</g>\n'
           '<g fill="#000000"><text fill="#000000" fill-opacity="1" font-family="DejaVu Sans" '
           'font-size="16" xml:space="preserve">∇ 60</text></g></svg>')
    assert compact_svg(raw) == (
        '<svg viewBox="0 0 10 10"><g fill="#ffffff"><rect x="0" y="0" width="10" height="10"/>'
        '</g><g fill="#000000"><text fill="#000000" font-family="DejaVu Sans" font-size="16" '
        'xml:space="preserve">∇ 60</text></g></svg>')


def test_the_player_fragment_for_a_notebook(qapp):
    graph = parse_text("a = 2\nb = 3\nz = a * b\n")
    first, second = html_player(graph, evaluate(graph)), html_player(graph, evaluate(graph))
    assert first.startswith('<div class="gs-player"') and "<html" not in first
    ids = [re.search(r'id="([^"]+)"', f).group(1) for f in (first, second)]
    assert ids[0] != ids[1]  # two players on one page keep apart
    assert all(f"#{i} " in f for i, f in zip(ids, (first, second)))  # styles scoped to each
    assert "∇ 3" in first  # dz/da = b


def test_too_many_steps_is_a_clear_error(tmp_path, monkeypatch):
    from graphstudio.render.exporters import html

    monkeypatch.setattr(html, "MAX_FRAMES", 5)
    graph = parse_file(BRISTOL)
    with pytest.raises(ExportError, match="16 steps are too many for one page .at most 5.; "
                                          "export them with --steps to a PDF instead"):
        export_graph(graph, evaluate(graph), tmp_path / "b.html")


@pytest.mark.parametrize("theme", ["dark", "print"])
def test_a_chosen_theme_is_kept(tmp_path, theme):
    out = tmp_path / "g.html"
    assert main(["export", str(BRISTOL), "-o", str(out), "--theme", theme]) == 0
    text = out.read_text(encoding="utf-8")
    assert "prefers-color-scheme" not in text
    assert f'fill="{THEMES[theme].background}"' in text


# ---- in a real browser -------------------------------------------------------------------------

from browser import CHROMIUM, Browser  # noqa: E402

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                                             "(.ci/run installs it)")
CAPTION = "document.querySelector('.gs-caption').textContent"
TABLE = ("Array.from(document.querySelectorAll('.gs-table tbody tr')).map(function (r) {"
         " return Array.from(r.cells).map(function (c) { return c.textContent; }); })")
CURRENT = "(document.querySelector('tr.gs-current') || {cells: [{textContent: ''}]}).cells[0].textContent"


@pytest.fixture(scope="module")
def browser():
    with Browser(1280, 900) as b:
        yield b


@needs_chromium
def test_stepping_in_chromium_fills_the_grad_table(browser, bristol_html, tmp_path):
    b = browser
    b.open(bristol_html)
    assert b.eval(CAPTION).startswith("The graph with every value and its gradient da/d·")
    assert len(b.eval(TABLE)) == 9 and b.eval("document.querySelector('.gs-count').textContent") == "overview"
    b.click("button[data-go=next]")  # a mouse click
    assert b.eval(CAPTION) == "Step 1 of 16. Forward pass, step 1 of 9: input f = 4"
    assert b.eval(TABLE) == [["f", "4", "", ""]]
    b.press("ArrowRight")  # a key, with nothing focused: the page listens
    assert b.eval(CAPTION) == "Step 2 of 16. Forward pass, step 2 of 9: input g = 2"
    assert b.eval(TABLE) == [["f", "4", "", ""], ["g", "2", "", ""]]
    for _ in range(7):
        b.press("ArrowRight")
    assert b.eval(CAPTION) == "Step 9 of 16. Forward pass, step 9 of 9: a = b × c = 15 × 10 = 150"
    b.press("ArrowRight")  # the backward pass starts at the output
    assert b.eval(CURRENT) == "a" and b.eval(TABLE)[-1] == ["a", "150", "1", "1 (the output: da/da = 1)"]
    b.press("End")
    assert b.eval(CAPTION) == FINAL
    rows = {r[0]: r for r in b.eval(TABLE)}
    assert rows["f"] == ["f", "4", "60", "25 × 2 + 10 × 1"]  # the lecture's da/df
    assert rows["g"] == ["g", "2", "100", "25 × 4"] and rows["e"][2] == "25"
    assert b.eval(CURRENT) == "f"
    assert "∇ 60" in b.eval("document.querySelector('.gs-frame svg').textContent")
    shot = png_pixels(b.screenshot(tmp_path / "bristol_last_step.png"))
    assert count_colour(shot, hex_rgb(THEMES["light"].highlight), tol=8) > 500  # f, lit up
    assert count_colour(shot, hex_rgb(THEMES["light"].grad), tol=30) > 200  # the ∇ numbers
    b.press("Home")
    assert b.eval(CAPTION).startswith("Step 1 of 16.")
    b.press("Escape")
    assert b.eval(CAPTION).startswith("The graph with every value")
    assert not b.console, b.console


@needs_chromium
def test_slider_and_play_in_chromium(browser, bristol_html):
    b = browser
    b.open(bristol_html)
    end = b.eval("(function () { var r = document.querySelector('.gs-slider').getBoundingClientRect();"
                 " return [r.right - 2, r.top + r.height / 2]; })()")
    for kind in ("mousePressed", "mouseReleased"):
        b.call("Input.dispatchMouseEvent", type=kind, x=end[0], y=end[1], button="left", clickCount=1)
    assert b.eval(CAPTION) == FINAL  # the slider's far end: the last step
    b.click("button[data-go=back]")
    assert b.eval(CAPTION).startswith("Step 15 of 16.")
    b.click("button[data-go=play]")  # from the step shown: to the end, where it stops
    assert b.eval("document.querySelector('[data-go=play]').textContent").endswith("Pause")
    b.wait_for(f"{CAPTION} === {json.dumps(FINAL)}", timeout=20)
    b.wait_for("document.querySelector('[data-go=play]').textContent.indexOf('Play') >= 0")
    b.click("button[data-go=play]")  # at the end: plays from the first step
    b.wait_for(f"{CAPTION}.indexOf('Step 3 of 16.') === 0", timeout=20)
    b.click("button[data-go=play]")
    assert b.eval("document.querySelector('[data-go=play]').textContent").endswith("Play")
    assert not b.console, b.console


@needs_chromium
def test_dark_and_print_in_chromium(browser, bristol_html, tmp_path):
    b = browser
    b.open(bristol_html)
    b.colour_scheme("dark")
    try:
        shot = png_pixels(b.screenshot(tmp_path / "dark.png"))
        dark = THEMES["dark"]
        assert tuple(int(c) for c in shot[5, 5][:3]) == hex_rgb(dark.background)
        assert count_colour(shot, hex_rgb(dark.node_fill), tol=6) > 2000  # the op nodes
        assert count_colour(shot, hex_rgb(THEMES["light"].node_fill), tol=6) == 0
        b.colour_scheme("dark", media="print")  # printing is light, without the controls
        assert b.eval("getComputedStyle(document.querySelector('.gs-controls')).display") == "none"
        assert b.eval("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    finally:
        b.colour_scheme("light")
