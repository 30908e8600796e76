"""Files: save and reopen, examples, unsaved-changes prompt, unreadable files, the screenshot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox

from graphstudio.core.engine import evaluate
from graphstudio.core.numbers import format_value
from graphstudio.ui.main_window import DEFAULT_SIZE
from graphstudio.examples import example_files
from graphstudio.io import open_document
from graphstudio.render.arrays import cell_text

ROOT = Path(__file__).resolve().parents[2]


def test_save_reopen_keeps_graph_values_and_positions(window, tmp_path):
    window.build_expression("a = -1\nb = 3\nc = 4\nz = (a + b) * (b + c)")
    g = window.document.graph
    z = g.by_name("z")
    g_pos = {g.label(n): g.position(n) for n in g.names().values()}
    window.document.set_view("edge_labels", True)
    path = tmp_path / "grosse.json"
    assert window.save_to(path)
    assert not window.document.modified
    assert "grosse.json" in window.windowTitle() and not window.isWindowModified()
    window.new_document()
    assert len(window.document.graph) == 0
    assert window.open_file(path)
    g2 = window.document.graph
    assert {g2.label(n): g2.position(n) for n in g2.names().values()} == g_pos
    assert window.document.view["edge_labels"] is True
    assert window.document.evaluation.values[g2.by_name("z")] == 14.0
    assert window.scene.nodes[g2.by_name("z")].view.value_text == "14"
    assert z == g2.by_name("z")


def test_modified_mark_in_title(window):
    assert "Untitled" in window.windowTitle()
    window.build_expression("x = 1")
    assert window.isWindowModified()
    window.document.undo_stack.undo()
    assert not window.isWindowModified()


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
def test_every_example_opens_and_shows_the_engines_numbers(window, path):
    actions = {a.data(): a for a in window.examples_menu.actions()}
    actions[str(path)].trigger()
    g = window.document.graph
    reference = evaluate(open_document(path).graph)  # an independent evaluation of the file
    assert set(window.scene.nodes) == set(g.nodes()) and len(g) > 0
    out = reference.output  # a node with no path to it shows no gradient line
    feeds = reference.graph.ancestors(out) | {out} if out is not None else set(g.nodes())
    for n, item in window.scene.nodes.items():
        if not item.isVisible():  # inside a collapsed group (a call of a .gs def): its gate
            gid = g.group_of(n)  # shows the group's value, checked as its output below
            assert gid is not None and g.groups()[gid].collapsed, g.label(n)
            assert g.position(n) is not None
            continue
        # a number node of a big graph of numbers (CS231n's SVM loss) is a small box whose
        # numbers have 3 or 4 digits (render/picture.py's node_style)
        shown = cell_text if item.view.style == "neuron" else format_value
        value = reference.values.get(n)
        if value is not None:
            assert item.view.value_text == shown(value), g.label(n)
        grad = reference.grads.get(n)
        if grad is not None and g.op(n) != "const":
            assert item.view.grad_text == (shown(grad) if n in feeds else ""), g.label(n)
        assert g.position(n) is not None
    # every edge has its item (a collapsed group adds the edges into its gate)
    assert set(g.edges()) <= set(window.scene.edges)
    assert len(window.scene.edges) == len(g.edges()) or g.groups()


def test_bristol_numbers_from_the_lecture(window):
    window.open_file(ROOT / "examples" / "bristol_lecture2.gs")
    g = window.document.graph
    shown = {g.label(n): (i.view.value_text, i.view.grad_text) for n, i in window.scene.nodes.items()
             if g.name(n)}
    # Bristol lecture 2: f = 4, g = 2: e = 8, d = 7, c = 10, b = 15, a = 150; da/df = 60
    assert shown["a"] == ("150", "1")
    assert shown["f"] == ("4", "60")
    assert shown["e"][0] == "8" and shown["b"][0] == "15"


def test_unsaved_changes_prompt(window, monkeypatch, tmp_path):
    window.build_expression("x = 2")
    asked = []

    def answer(choice):
        def ask(*args, **kwargs):
            asked.append(args[1] if len(args) > 1 else "")
            return choice
        return ask

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.Cancel))
    assert not window.open_file(ROOT / "examples" / "grosse_csc311.gs")
    assert asked and "x" in window.document.graph.names()
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.Discard))
    assert window.open_file(ROOT / "examples" / "grosse_csc311.gs")
    assert "z" in window.document.graph.names()
    # Save: asks for a file name, then saves
    window.build_expression("extra = 5")
    target = tmp_path / "saved.json"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.Save))
    window.document.set_path(None)
    assert window.new_document()
    assert "extra" in json.loads(target.read_text())["nodes"][-1]["name"]


def test_unreadable_file_shows_an_error_and_leaves_the_document(window, monkeypatch, tmp_path):
    window.build_expression("keep = 7")
    errors = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: errors.append(a[2]))
    bad = tmp_path / "bad.gs"
    bad.write_text("a = 1\nb = a +\n")
    assert not window.open_file(bad, ask=False)
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"format_version": 99, "nodes": [], "edges": []}))
    assert not window.open_file(newer, ask=False)
    assert not window.open_file(tmp_path / "missing.json", ask=False)
    assert "bad.gs:2" in errors[0]
    assert "99" in errors[1]
    assert "no such file" in errors[2]
    assert "keep" in window.document.graph.names() and window.document.modified


def test_screenshot_command_writes_a_picture_of_the_window(tmp_path):
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "graphstudio", str(ROOT / "examples" / "grosse_csc311.gs"),
                           "--screenshot", str(out)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    img = QImage(str(out))
    # the editor's first size on a laptop, not the offscreen platform's 800 x 800 screen (on
    # which the canvas was a strip that cut most graphs off)
    assert (img.width(), img.height()) == DEFAULT_SIZE
    colours = {img.pixel(x, y) for x in range(0, img.width(), 23) for y in range(0, img.height(), 23)}
    assert len(colours) > 20  # not blank
    bad = subprocess.run([sys.executable, "-m", "graphstudio", str(tmp_path / "nope.gs"),
                          "--screenshot", str(tmp_path / "x.png")], env=env, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 1 and "no such file" in bad.stderr
    assert not (tmp_path / "x.png").exists()


def test_positions_in_a_file_are_kept_and_missing_ones_laid_out(window, tmp_path):
    doc = {"format_version": 1, "nodes": [
        {"id": 0, "op": "input", "name": "a", "value": 2.0, "pos": [500.0, -40.0]},
        {"id": 1, "op": "exp", "name": "e"}], "edges": [{"src": 0, "dst": 1, "port": 0}]}
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(doc))
    assert window.open_file(path, ask=False)
    g = window.document.graph
    assert g.position(0) == (500.0, -40.0)
    assert g.position(1) is not None
    assert not window.document.modified


def test_open_recent_lists_opened_files(window):
    path = ROOT / "examples" / "grosse_csc311.gs"
    window.open_file(path)
    window.open_file(ROOT / "examples" / "bristol_lecture2.gs")
    window.recent_menu.aboutToShow.emit()
    texts = [a.text() for a in window.recent_menu.actions()]
    # short names: the file's name and where it is, the whole path in the status bar
    assert texts[:2] == ["bristol_lecture2.gs — example", "grosse_csc311.gs — example"]
    assert window.recent_menu.actions()[1].statusTip() == str(path.resolve())
    window.recent_menu.actions()[1].trigger()
    assert "z" in window.document.graph.names()


def test_open_recent_names_a_file_by_its_name_and_its_folder(window, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    deep = tmp_path / "teaching" / ("a very long folder name for the third week " * 2).strip()
    for folder in (tmp_path / "week1", deep):
        folder.mkdir(parents=True)
        (folder / "net.gs").write_text("a = 1\nz = a * a\n")
        assert window.open_file(folder / "net.gs", ask=False)
    window.recent_menu.aboutToShow.emit()
    first, second = window.recent_menu.actions()[:2]
    assert first.text().startswith("net.gs — ~/teaching/") and "…" in first.text()
    assert len(first.text()) < 60 and first.statusTip() == str(deep / "net.gs")
    assert second.text() == "net.gs — ~/week1"
    second.trigger()
    assert window.document.path == (tmp_path / "week1" / "net.gs")


def test_examples_menu_lists_the_lectures_by_title(window):
    titles = [a.text() for a in window.examples_menu.actions()]
    assert "Grosse, CSC 311: z = (a + b)(b + c)" in titles
    assert not any("_" in t for t in titles)  # no file names
    grosse = next(a for a in window.examples_menu.actions() if a.text().startswith("Grosse"))
    grosse.trigger()
    assert sorted(window.document.graph.names()) == ["a", "b", "c", "x", "y", "z"]


def test_opening_with_edge_labels_on_shows_the_new_graphs_labels(window, tmp_path):
    window.build_expression("p = 2\nq = p * p * p")
    window.document.set_view("edge_labels", True)
    path = tmp_path / "labels.json"
    window.save_to(path)
    assert window.open_file(ROOT / "examples" / "grosse_csc311.gs")
    window.document.set_view("edge_labels", True)
    assert window.open_file(path)
    labels = sorted(e.view.label for e in window.scene.edges.values())
    assert all(label.startswith("∂") for label in labels) and any("∂q/∂" in l or "/∂p" in l for l in labels)
