"""What a notebook shows: a graph or a result as the annotated picture (the export's own
drawing), the step-through as an inline player that works in a real browser with no network,
and importing the package without Qt."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import graphstudio as gs
from export_support import svg_texts
from graphstudio.api import display

GROSSE = "a = -1\nb = 3\nc = 4\nx = a + b\ny = b + c\nz = x * y\n"


@pytest.fixture
def display_formats():
    """Put the display formats back as they were after the test."""
    before = set(display._display)
    yield
    display._display.clear()
    display._display.update(before)


def texts(svg: str) -> list[str]:
    return svg_texts(io.StringIO(svg))


def test_a_graph_displays_as_its_export(tmp_path):
    graph = gs.parse(GROSSE)
    svg = graph._repr_svg_()
    assert svg.startswith("<svg")
    # node by node: name, kind or symbol, value, gradient (dz/d·), as in the slides
    assert texts(svg) == ["a", "input", "-1", "∇ 7", "b", "input", "3", "∇ 9",
                          "c", "input", "4", "∇ 2", "x", "+", "2", "∇ 7",
                          "y", "+", "7", "∇ 2", "z", "×", "14", "∇ 1"]
    [exported] = graph.export(tmp_path / "grosse.svg")
    assert texts(svg) == svg_texts(exported)  # the very same drawing
    assert graph._repr_png_() is None  # PNG only when asked for (see set_display)


def test_a_result_displays_its_own_output_gradients():
    results = gs.parse(GROSSE).evaluate(output="y")  # y = b + c: dy/db = dy/dc = 1
    t = texts(results._repr_svg_())
    assert t[t.index("c") + 3] == "∇ 1"
    assert t[t.index("a"):t.index("b")] == ["a", "input", "-1"]  # a does not reach y: no ∇


def test_png_display_when_asked_for(display_formats):
    graph = gs.parse(GROSSE)
    gs.set_display("png")
    assert graph._repr_svg_() is None
    data, size = graph._repr_png_()
    assert data.startswith(b"\x89PNG")
    width, height = display._png_size(data)
    assert size == {"width": width // 2, "height": height // 2}  # drawn at twice the size
    gs.set_display("svg", "PNG")
    assert graph._repr_svg_().startswith("<svg") and graph._repr_png_() is not None
    with pytest.raises(ValueError, match="display formats are 'svg' and 'png', not jpg"):
        gs.set_display("jpg")


def test_what_ipython_makes_of_a_graph_and_its_steps(display_formats):
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    graph = gs.parse(GROSSE)
    data, metadata = formatter.format(graph)
    assert set(data) == {"text/plain", "image/svg+xml"}
    assert data["text/plain"] == "<graphstudio.Graph: 6 nodes, 6 edges, output z>"
    gs.set_display("png")
    data, metadata = formatter.format(graph.evaluate())
    assert set(data) == {"text/plain", "image/png"}
    assert data["text/plain"].splitlines()[0].split() == ["name", "op", "value", "grad", "dz/d·"]
    width, height = display._png_size(data["image/png"])
    assert metadata["image/png"] == {"width": width // 2, "height": height // 2}
    data, _ = formatter.format(graph.steps())
    assert set(data) == {"text/plain", "text/html"} and data["text/plain"] == "<Steps: 12 frames>"


def test_nothing_is_drawn_for_an_empty_or_a_huge_graph(monkeypatch):
    assert gs.Graph()._repr_svg_() is None
    monkeypatch.setattr(display, "MAX_DRAWN_NODES", 5)
    big = gs.parse(GROSSE)
    assert big._repr_svg_() is None and big.steps()._repr_html_() is None
    assert "too large to draw here" in repr(big)


def test_steps_are_the_lectures_grad_table():
    steps = gs.parse(GROSSE).steps()
    assert len(steps) == 12
    assert [f.phase for f in steps] == ["forward"] * 6 + ["backward"] * 6
    assert steps[0].caption == "Forward pass, step 1 of 6: input a = -1"
    assert steps[5].caption == "Forward pass, step 6 of 6: z = x × y = 2 × 7 = 14"
    b = next(f for f in steps if f.caption.startswith("Backward") and "∂z/∂b" in f.caption)
    assert b.caption.endswith("∂z/∂b = 7 × 1 + 2 × 1 = 9")  # Grosse: both paths from b
    assert b.caption in texts(b._repr_svg_())
    # until its step, a gradient is shown as "?"
    first_back = texts(steps[6].svg)
    assert first_back[first_back.index("a") + 3] == "∇ ?"


class _Player(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_the_player_is_the_html_export_s_and_fetches_nothing():
    steps = gs.parse(GROSSE).steps()
    page = steps._repr_html_()
    parser = _Player()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert tags.count("button") == 5 and tags.count("html") == 0  # a fragment for a cell
    for tag, attrs in parser.tags:
        assert not {"src", "href"} & set(attrs), tag  # nothing loaded from anywhere
        assert tag not in ("link", "iframe", "img")
    script = parser.scripts[-1]
    assert not re.search(r"fetch|XMLHttpRequest|import\(|WebSocket", script)
    # the only addresses are the names of SVG's XML namespaces, which nothing fetches
    assert set(re.findall(r"https?://[^\s\"'\\]*", page)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    data = json.loads(parser.scripts[0])  # the frames, their captions and grad_table rows
    assert len(data["frames"]) == len(steps)
    assert data["captions"] == [f.caption for f in steps]
    assert len(page) < sum(len(f.svg) for f in steps) / 2  # shared pieces written once


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_the_player_steps_in_a_real_browser(tmp_path):
    steps = gs.parse(GROSSE).steps()
    # the player as a notebook shows it, then a script that presses what a person would
    page = tmp_path / "player.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        + steps._repr_html_() + """
<script>
var root = document.querySelector('.gs-player');
var next = root.querySelector('button[data-go=next]');
next.click(); next.click(); next.click();
document.body.dataset.afterNext = root.querySelector('.gs-count').textContent + '|' +
    root.querySelector('.gs-caption').textContent;
root.dispatchEvent(new KeyboardEvent('keydown', {key: 'End'}));
root.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowLeft'}));
document.body.dataset.afterKeys = root.querySelector('.gs-count').textContent + '|' +
    root.querySelector('.gs-caption').textContent;
</script></body></html>""", encoding="utf-8")
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120).stdout
    after_next = html.unescape(re.search(r'data-after-next="([^"]*)"', dom).group(1))
    after_keys = html.unescape(re.search(r'data-after-keys="([^"]*)"', dom).group(1))
    assert after_next == f"3 / 12|Step 3 of 12. {steps[2].caption}"
    assert after_keys == f"11 / 12|Step 11 of 12. {steps[10].caption}"


def test_importing_graphstudio_and_using_the_api_starts_no_qt():
    code = """
import sys
import graphstudio as gs
a = gs.Var(-1.0, name="a"); b = gs.Var(3.0, name="b"); c = gs.Var(4.0, name="c")
z = (a + b) * (b + c)
z.backward()
r = gs.parse("p = 2\\nq = tanh(p)").evaluate()
gs.graph_of(z).evaluate().table()
assert (a.grad, b.grad, c.grad) == (7.0, 9.0, 2.0)
print(sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6")))
gs.graph_of(z)._repr_svg_()
print(any(m.startswith("PySide6") for m in sys.modules))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env={**env, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[]", "True"]  # none, until a picture is drawn
