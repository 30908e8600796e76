"""The JSON document: round trip, atomic writes, versions and migration, malformed fields."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from graphstudio.core.engine import evaluate
from graphstudio.core.graph import Graph
from graphstudio.io import OpenError, open_document
from graphstudio.io.document import (FORMAT_VERSION, DocumentError, from_json, load, save,
                                     to_json)
from graphstudio.io.gs import parse_text


def sample() -> Graph:
    g = parse_text("a = -1.5\nW = param([[1, 2], [3, -4]])\nx = data(\"col\")\n"
                   "n = [1, -2]\nh = tanh(W @ n) * a\nz = sum(h) + x\nq = a * 2")
    for k, n in enumerate(g.nodes()):
        g.set_position(n, (10.0 * k, -2.5 * k))
    g.set_output(g.by_name("z"))
    return g


def test_save_load_round_trip(tmp_path):
    g = sample()
    path = tmp_path / "doc.json"
    save(path, g, view={"zoom": 1.5, "edge_labels": True})
    doc = load(path)
    h = doc.graph
    assert doc.view == {"zoom": 1.5, "edge_labels": True}
    assert sorted(h.nodes()) == sorted(g.nodes())
    assert sorted(h.edges()) == sorted(g.edges())
    assert h.output == g.output == g.by_name("z")
    assert h.names() == g.names()
    for n in g.nodes():
        assert h.op(n) == g.op(n)
        assert h.position(n) == g.position(n)
        if g.is_leaf(n):
            np.testing.assert_array_equal(h.value(n), g.value(n))
        assert h.node(n).trainable == g.node(n).trainable
        assert h.node(n).data == g.node(n).data
    assert h.node(h.by_name("W")).trainable is True
    assert h.node(h.by_name("x")).data == "col"
    assert isinstance(h.value(h.by_name("W")), np.ndarray)
    assert type(h.value(h.by_name("a"))) is float
    e1, e2 = evaluate(g), evaluate(h)
    for n in g.nodes():
        np.testing.assert_array_equal(e1.values[n], e2.values[n])
        if e1.grads[n] is not None:
            np.testing.assert_array_equal(e1.grads[n], e2.grads[n])
    # and saving what was loaded gives the same file
    path2 = tmp_path / "again.json"
    save(path2, h, view=doc.view)
    assert json.loads(path2.read_text()) == json.loads(path.read_text())


def test_non_finite_values_are_strings_in_valid_json(tmp_path):
    g = Graph()
    g.add_input("v", [float("nan"), float("inf"), -float("inf"), 1.0])
    path = tmp_path / "nf.json"
    save(path, g)
    assert json.loads(path.read_text())["nodes"][0]["value"] == ["nan", "inf", "-inf", 1.0]
    v = load(path).graph.value(0)
    assert np.isnan(v[0]) and v[1] == np.inf and v[2] == -np.inf and v[3] == 1.0


def test_write_is_atomic_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "doc.json"
    save(path, sample())
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def test_a_failing_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "doc.json"
    save(path, sample())
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    g = Graph()
    g.add_input("other", 3.0)
    with pytest.raises(OSError, match="No space left"):
        save(path, g)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def test_newer_format_version_is_refused(tmp_path):
    data = to_json(sample())
    data["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(DocumentError) as exc:
        from_json(data, "new.json")
    assert str(exc.value) == (f"new.json: made by a newer GraphStudio (format_version "
                              f"{FORMAT_VERSION + 1}); this version reads format_version "
                              f"{FORMAT_VERSION} and older")


@pytest.mark.parametrize("version,message", [
    (None, "x.json: not a GraphStudio document (no format_version)"),
    ("1", "x.json: not a GraphStudio document (no format_version)"),
    (True, "x.json: not a GraphStudio document (no format_version)"),
    (-1, "x.json: format_version -1 is not supported"),
])
def test_unknown_format_version_is_refused(version, message):
    data = {"nodes": [], "edges": []}
    if version is not None:
        data["format_version"] = version
    with pytest.raises(DocumentError) as exc:
        from_json(data, "x.json")
    assert str(exc.value) == message


def test_migration_from_version_0():
    old = {
        "format_version": 0,
        "vertices": [{"id": 0, "op": "input", "name": "a", "value": 2},
                     {"id": 1, "op": "input", "name": "b", "value": [1, 2]},
                     {"id": 2, "op": "mul", "name": "z", "pos": [5, 6]}],
        "edges": [{"src": 0, "dst": 2, "port": 0}, {"src": 1, "dst": 2, "port": 1}],
    }
    doc = from_json(old, "old.json")
    g = doc.graph
    assert doc.view == {}
    assert g.position(2) == (5.0, 6.0)
    ev = evaluate(g)
    np.testing.assert_array_equal(ev.values[2], [2.0, 4.0])
    assert ev.grads[0] == 3.0


def test_not_a_document():
    with pytest.raises(DocumentError, match="expected a JSON object"):
        from_json([1, 2], "x.json")


def test_invalid_json_is_located(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format_version": 1,\n "nodes": [}', encoding="utf-8")
    with pytest.raises(DocumentError) as exc:
        load(path)
    assert str(exc.value).startswith(f"{path}:2:")
    assert "not valid JSON" in str(exc.value)


def base():
    return {"format_version": 1,
            "nodes": [{"id": 0, "op": "input", "name": "a", "value": 1.0},
                      {"id": 1, "op": "neg", "name": "b"}],
            "edges": [{"src": 0, "dst": 1, "port": 0}], "output": 1}


@pytest.mark.parametrize("path,bad,message", [
    (("nodes", 0, "id"), "x", "d.json: nodes[0].id: expected a whole number from 0 to 2,147,483,647, found 'x'"),
    (("nodes", 0, "id"), -3, "d.json: nodes[0].id: expected a whole number from 0 to 2,147,483,647, found -3"),
    (("nodes", 1, "op"), "frobnicate", "d.json: nodes[1].op: unknown op 'frobnicate'"),
    (("nodes", 0, "name"), 5, "d.json: nodes[0].name: expected text, found 5"),
    (("nodes", 0, "name"), "a b", "d.json: nodes[0]: 'a b' is not a valid name: use letters, "
                                  "digits and _"),
    (("nodes", 0, "pos"), [1], "d.json: nodes[0].pos: expected [x, y], found [1] "
                                   "(x and y within ±1,000,000,000)"),
    (("nodes", 0, "pos"), ["a", 2], "d.json: nodes[0].pos: expected [x, y], found "
                                         "['a', 2] (x and y within ±1,000,000,000)"),
    (("nodes", 0, "value"), "one",
     "d.json: nodes[0].value: expected a number or a list of numbers, found 'one'"),
    (("nodes", 0, "value"), True, "d.json: nodes[0].value: expected a number, found True"),
    (("nodes", 0, "value"), [[1, 2], [3]],
     "d.json: nodes[0].value: ragged array (rows of different lengths)"),
    (("nodes", 0, "trainable"), "yes",
     "d.json: nodes[0].trainable: expected true or false, found 'yes'"),
    (("nodes", 0, "data"), 7,
     "d.json: nodes[0].data: expected a column name or a list of them"),
    (("nodes", 0), "node", "d.json: nodes[0]: expected an object"),
    (("edges", 0, "port"), "0", "d.json: edges[0]: expected whole numbers src, dst and port"),
    (("edges", 0, "src"), 9, "d.json: edges[0]: no node 9"),
    (("edges", 0, "port"), 1, "d.json: edges[0]: b (neg) has no argument 2"),
    (("edges", 0), [0, 1], "d.json: edges[0]: expected an object"),
    (("output",), 7, "d.json: output: no node 7"),
    (("output",), True, "d.json: output: no node True"),
    (("view",), [], "d.json: view: expected an object"),
    (("nodes",), {}, "d.json: 'nodes' and 'edges' must be lists"),
])
def test_malformed_fields_name_the_field(path, bad, message):
    data = base()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    with pytest.raises(DocumentError) as exc:
        from_json(data, "d.json")
    assert str(exc.value) == message


def test_a_cycle_in_a_file_is_refused():
    data = base()
    data["nodes"].append({"id": 2, "op": "add", "name": "c"})
    data["edges"] += [{"src": 1, "dst": 2, "port": 0}, {"src": 2, "dst": 2, "port": 1}]
    with pytest.raises(DocumentError, match=r"d.json: edges\[2\]: .*would close a cycle"):
        from_json(data, "d.json")


def test_open_document_reports_bad_files_as_open_errors(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({**base(), "format_version": 99}), encoding="utf-8")
    with pytest.raises(OpenError, match="newer GraphStudio"):
        open_document(path)
    with pytest.raises(OpenError, match="unknown file type '.png'"):
        (tmp_path / "x.png").write_bytes(b"")
        open_document(tmp_path / "x.png")
