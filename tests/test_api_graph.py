"""The public graph: parse and load, evaluate with values and gradients by name, change an
input, choose the output, save (and read back), export in every format, and clear messages
for everything a user can get wrong."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import graphstudio as gs
from export_support import pdf_pages, svg_texts
from graphstudio.examples import examples_dir
from graphstudio.render.exporters import export_formats

GROSSE = "a = -1\nb = 3\nc = 4\nx = a + b\ny = b + c\nz = x * y\n"


def test_parse_evaluate_value_grad():
    graph = gs.parse(GROSSE)
    assert isinstance(graph, gs.Graph) and len(graph) == 6
    assert graph.names == ["a", "b", "c", "x", "y", "z"] and graph.inputs == ["a", "b", "c"]
    results = graph.evaluate()
    assert isinstance(results, gs.Results) and results.output == "z"
    assert results.values == {"a": -1.0, "b": 3.0, "c": 4.0, "x": 2.0, "y": 7.0, "z": 14.0}
    assert results.grads == {"a": 7.0, "b": 9.0, "c": 2.0, "x": 7.0, "y": 2.0, "z": 1.0}
    assert results.warnings == [] and results.errors == []


def test_another_output_and_a_changed_input():
    graph = gs.parse(GROSSE)
    by_x = graph.evaluate(output="x")  # dx/da = dx/db = 1, dx/dc = 0
    assert (by_x.grad("a"), by_x.grad("b"), by_x.grad("c")) == (1.0, 1.0, 0.0)
    graph.output = "y"
    assert graph.output == "y" and graph.evaluate().grad("c") == 1.0
    graph.output = None
    assert graph.output == "z"
    graph.set("a", 2.0)  # z = (2 + 3)(3 + 4) = 35, dz/db = 7 + 5 = 12
    results = graph.evaluate()
    assert results.value("z") == 35.0 and results.grad("b") == 12.0
    graph.set("a", [1.0, 2.0])  # arrays too: x = [4, 5], z = [28, 35]
    np.testing.assert_array_equal(graph.evaluate(output="x").value("x"), [4.0, 5.0])


def test_mistakes_get_messages_that_say_what_and_where():
    with pytest.raises(ValueError, match=r"^<text>:2:8: syntax error"):
        gs.parse("a = 1\nb = a +\n")
    with pytest.raises(ValueError, match=r"^mine\.gs:1:5: .*unknown function 'tanhh'"):
        gs.parse("z = tanhh(1)", filename="mine.gs")
    graph = gs.parse(GROSSE)
    with pytest.raises(KeyError, match=r"no node named 'q' \(names: a, b, c, x, y, z\)"):
        graph.evaluate().value("q")
    with pytest.raises(KeyError, match="no node named 'w'"):
        graph.set("w", 1.0)
    with pytest.raises(ValueError, match="x: x is computed by add; it has no value to set"):
        graph.set("x", 1.0)
    with pytest.raises(TypeError, match="by its name or its Var"):
        graph.evaluate().value(3)
    with pytest.raises(KeyError, match="is not a variable of this graph"):
        graph.evaluate().grad(gs.Var(1.0))
    assert "z" in graph and "q" not in graph and 3 not in graph


def test_load_a_lecture_file_and_a_missing_one(tmp_path):
    graph = gs.load(examples_dir() / "bristol_lecture2.gs")
    assert graph.evaluate().grad("f") == 60.0  # the slide's da/df
    with pytest.raises(ValueError, match=r"nothing\.gs: no such file"):
        gs.load(tmp_path / "nothing.gs")
    bad = tmp_path / "bad.gs"
    bad.write_text("a = 1\nb = = 2\n")
    with pytest.raises(ValueError, match=r"bad\.gs:2:"):
        gs.load(bad)


def test_a_dataset_graph_loads_with_its_first_row_and_says_so():
    graph = gs.load(examples_dir() / "siegen_fit_curve.gs")
    assert any("row 1" in note for note in graph.notes)
    assert math.isfinite(graph.evaluate().value("E"))


def test_save_json_and_gs_and_read_them_back(tmp_path):
    a, b = gs.Var(2.0, name="a"), gs.Var([1.0, -1.0], name="b", trainable=True)
    out = gs.sum(gs.tanh(a * b))
    out.name = "out"
    graph = gs.graph_of(out)
    expected = graph.evaluate()
    for suffix in (".json", ".gs"):
        path = graph.save(tmp_path / f"traced{suffix}")
        again = gs.load(path)
        results = again.evaluate()
        assert again.names == ["a", "b", "out"]
        assert results.value("out") == pytest.approx(expected.value("out"))
        np.testing.assert_allclose(results.grad("b"), expected.grad("b"))
        assert again.core.node(again.node("b")).trainable
    assert json.loads((tmp_path / "traced.json").read_text())["app"] == "graphstudio"
    assert "b = param([1, -1])" in (tmp_path / "traced.gs").read_text()
    with pytest.raises(ValueError, match=r"traced\.doc: cannot tell the format from '\.doc'; save as .*\.json"):
        graph.save(tmp_path / "traced.doc")
    assert not (tmp_path / "traced.doc").exists()
    # every format of the file registry, GraphML included, keeps the values
    graphml = gs.load(graph.save(tmp_path / "traced.graphml"))
    np.testing.assert_allclose(graphml.evaluate().grad("b"), expected.grad("b"))
    with pytest.raises(OSError):
        graph.save(tmp_path / "no" / "such" / "folder.json")


@pytest.mark.parametrize("fmt", [f.name for f in export_formats()])
def test_export_in_every_format(tmp_path, fmt):
    graph = gs.parse(GROSSE)
    [suffix] = [f.suffixes[0] for f in export_formats() if f.name == fmt]
    [path] = graph.export(tmp_path / f"grosse{suffix}")
    data = path.read_bytes()
    assert data, fmt
    if fmt == "svg":
        texts = svg_texts(path)
        assert "14" in texts and "∇ 9" in texts  # z's value and b's gradient
    elif fmt == "png":
        assert data.startswith(b"\x89PNG")
    elif fmt == "pdf":
        assert pdf_pages(path) == 1
    elif fmt == "html":
        text = data.decode()
        assert text.startswith("<!DOCTYPE html>") and "∇ 9" in text  # the step-through page
    else:
        assert "\\begin{tikzpicture}" in data.decode()


def test_export_settings_steps_and_mistakes(tmp_path):
    graph = gs.parse(GROSSE)
    [png] = graph.export(tmp_path / "wide.png", width=800, edge_labels=True, theme="dark")
    from PySide6.QtGui import QImage

    assert QImage(str(png)).width() == 800
    frames = graph.export(tmp_path / "frames", steps=True)
    assert len(frames) == 6 + 6  # a frame per node forward, then per node backward
    [pdf] = graph.export(tmp_path / "steps.pdf", steps=True)
    assert pdf_pages(pdf) == 12
    [by_x] = graph.export(tmp_path / "x.svg", output="x")
    # x = a + b: dx/da = dx/db = dx/dx = 1; c, y and z do not reach x, so show no gradient
    assert [t for t in svg_texts(by_x) if t.startswith("∇")] == ["∇ 1"] * 3
    with pytest.raises(ValueError, match="no export format has an option 'colour'"):
        graph.export(tmp_path / "g.png", colour="red")
    with pytest.raises(ValueError, match="cannot tell the format from '.doc'"):
        graph.export(tmp_path / "g.doc")
    with pytest.raises(ValueError, match="nothing to export"):
        gs.Graph().export(tmp_path / "empty.png")


def test_results_print_as_the_eval_table():
    text = repr(gs.parse(GROSSE).evaluate())
    lines = text.splitlines()
    assert lines[0].split() == ["name", "op", "value", "grad", "dz/d·"]
    assert lines[2].split() == ["a", "input", "-1", "7"]
    assert lines[-1].split() == ["z", "mul", "14", "1"]
    # an unnamed output is listed too
    traced = gs.graph_of(gs.Var(2.0, name="a") * 3).evaluate()
    assert traced.table().splitlines()[-1].split() == [traced.output, "mul", "6", "1"]
    assert repr(gs.parse(GROSSE)) == "<graphstudio.Graph: 6 nodes, 6 edges, output z>"
