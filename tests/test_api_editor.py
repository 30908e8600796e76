"""``graph.open()``: the editor starts in a process of its own on a real (virtual) X display,
its window shows the graph's file, the call returns at once, and closing it works; with no
display the call says what to do instead."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

import graphstudio as gs

GROSSE = "a = -1\nb = 3\nc = 4\nx = a + b\ny = b + c\nz = x * y\n"
TOOLS = all(shutil.which(t) for t in ("Xvfb", "xdotool"))


def test_with_no_display_it_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(gs.EditorError, match=r"no display.*graph\.export\('graph\.png'\)"):
        gs.parse(GROSSE).open(tmp_path / "g.json")
    assert not (tmp_path / "g.json").exists()


@pytest.fixture
def x_display(monkeypatch, tmp_path):
    """A virtual X display of our own (Xvfb picks a free number and tells it), and folders of
    our own for the editor's settings and autosaves."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24",
                               "-nolisten", "tcp"], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.skipif(not TOOLS, reason="Xvfb and xdotool are not installed (.ci/run installs them)")
def test_open_starts_the_editor_on_the_graph(monkeypatch, tmp_path, x_display):
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)  # a real window, not offscreen
    a, b = gs.Var(2.0, name="a"), gs.Var(-1.0, name="b")
    out = gs.tanh(a * b, name="out")
    editor = gs.graph_of(out).open(tmp_path / "traced.json")
    try:
        assert editor.running and editor.path == tmp_path / "traced.json"
        # the editor's window, titled with the file it opened
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name",
                                r"traced\.json.*GraphStudio"],
                               env={**os.environ, "DISPLAY": x_display},
                               capture_output=True, text=True, timeout=120)
        assert found.returncode == 0 and found.stdout.split(), editor.log.read_text()
        assert editor.load().evaluate().value("out") == pytest.approx(out.value)
    finally:
        editor.close()
    assert not editor.running
    assert "exited" in repr(editor)


@pytest.mark.skipif(not TOOLS, reason="Xvfb and xdotool are not installed (.ci/run installs them)")
def test_open_with_no_path_uses_a_new_temporary_file(monkeypatch, x_display):
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    editor = gs.parse(GROSSE).open()
    try:
        assert editor.path.name == "graph.json" and editor.path.is_file()
        assert editor.load().evaluate().grad("b") == 9.0
    finally:
        editor.close()
