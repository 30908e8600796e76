"""Indexing and slicing, ``s[2]``, ``W[0, :]``, ``v[1:3]``, ``v[-1]``: an ``index`` op whose
node carries the index as its static parameter. Values and gradients against numpy, located
errors (never a traceback), the text and the document written back exactly, the canvas, the
exports, the teaching views and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from export_support import svg_texts
from node_errors import assert_the_nodes_error
from graphstudio.cli import main
from graphstudio.core import explain as ex
from graphstudio.core.arrays import numpy_index
from graphstudio.core.engine import evaluate
from graphstudio.core.graph import Graph, GraphError
from graphstudio.core.params import INDEX, Slice
from graphstudio.io.document import DocumentError, from_json, to_json
from graphstudio.io.formats.dot import to_dot
from graphstudio.io.gs import ParseError, parse_text, write_text
from graphstudio.render.export import ExportSettings, export_graph
from graphstudio.render.picture import build_picture, step_pictures

W = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
V = np.array([0.5, -1.0, 2.0, 3.0])

FORMS = [  # (text, what numpy picks)
    ("v[2]", V[2]), ("v[-1]", V[-1]), ("v[1:3]", V[1:3]), ("v[::-1]", V[::-1]),
    ("v[:2]", V[:2]), ("v[1::2]", V[1::2]), ("W[0, :]", W[0, :]), ("W[:, 1]", W[:, 1]),
    ("W[1, -1]", W[1, -1]), ("W[1]", W[1]), ("W[:, ::2]", W[:, ::2]), ("W[-1:, 1:]", W[-1:, 1:]),
]


def graph_of(expr: str):
    return parse_text(f"v = {V.tolist()}\nW = {W.tolist()}\nu = {expr}\nz = sum(u * u)\n")


@pytest.mark.parametrize("expr,want", FORMS, ids=[f[0] for f in FORMS])
def test_values_and_gradients_match_numpy(expr, want):
    g = graph_of(expr)
    ev = evaluate(g)
    assert ev.errors == {}
    np.testing.assert_array_equal(ev.values[g.by_name("u")], want)
    # z = Σ u²: dz/dv (or dz/dW) is 2u where u was picked, 0 elsewhere
    source = g.by_name(expr[0])
    base = V if expr[0] == "v" else W
    expected = np.zeros_like(base)
    expected[numpy_index(INDEX.parse(expr[1:]))] = 2 * np.asarray(want)
    np.testing.assert_array_equal(ev.grads[source], expected)
    (entry,) = [e for e in ex.check(ev) if e.node == source]
    assert entry.ok


@pytest.mark.parametrize("expr", [f[0] for f in FORMS] + ["(v + 1)[0]", "[1, 2, 3][-1]",
                                                           "exp(W)[0, 1:]"])
def test_the_text_and_the_document_are_written_back_exactly(expr):
    g = graph_of(expr)
    text = write_text(g)
    assert f"u = {expr}" in text.splitlines()
    assert write_text(parse_text(text)) == text
    back = from_json(json.loads(json.dumps(to_json(g)))).graph
    assert back.node(back.by_name("u")).params == g.node(g.by_name("u")).params
    assert write_text(back) == text


@pytest.mark.parametrize("expr,message", [
    ("v[4]", "index 4 is out of range for a vector of 4 (0 to 3, or -4 to -1)"),
    ("v[-5]", "index -5 is out of range for a vector of 4 (0 to 3, or -4 to -1)"),
    ("W[2, 0]", "index 2 is out of range for the 2 rows of a 2×3 matrix (0 to 1, or -2 to -1)"),
    ("W[:, 3]", "index 3 is out of range for the 3 columns of a 2×3 matrix (0 to 2, or -3 to -1)"),
    ("v[0, 1]", "[0, 1] has 2 positions, but the argument is a vector of 4 (1 axis: at most 1)"),
    ("sum(v)[0]", "a number has no elements to pick with [0]; index a vector or a matrix"),
])
def test_an_index_that_does_not_fit_is_the_nodes_error(expr, message, tmp_path, capsys):
    assert_the_nodes_error(graph_of(expr), "u", message, 3, tmp_path, capsys)


@pytest.mark.parametrize("expr,message", [
    ("v[y]", "<text>:3:7: an index is a whole number written in the text, not a node such as "
             "'y' (an index is part of the graph's structure; to pick an element by a value "
             "such as a class label, multiply by a one-hot vector t: sum(s * t))"),
    ("v[1.5]", "<text>:3:7: an index is a whole number, not 1.5"),
    ("v[::0]", "<text>:3:7: a slice's step cannot be 0"),
    ("v[[0, 1]]", "<text>:3:7: an index holds whole numbers and slices such as 1:3, not lists"),
    ("v[...]", "<text>:3:7: '...' is not supported in an index; write every axis, as in [0, :]"),
    ("v[1:y]", "<text>:3:7: a slice's bound is a whole number written in the text, not a node "
               "such as 'y'"),
    ("v[" + ", ".join(["0"] * 33) + "]", "<text>:3:7: an index of 33 positions; arrays have at "
                                         "most 32 axes"),
])
def test_an_index_the_text_cannot_hold_is_a_located_error(expr, message):
    with pytest.raises(ParseError) as exc:
        parse_text(f"v = [1, 2]\ny = 0\nu = {expr}")
    assert str(exc.value) == message


def test_the_graph_checks_an_index_parameter():
    g = Graph()
    v = g.add_input("v", [1.0, 2.0])
    u = g.add_op("index", [v])
    assert g.node(u).params == (0,)  # a new index node (the palette's) picks the first element
    with pytest.raises(GraphError, match=r"\[1\] is not an index such as \[0, :\]"):
        g.set_attr(u, "params", [1])  # a list is not the record's form: a tuple is
    with pytest.raises(GraphError, match="exp takes no parameter"):
        g.add_op("exp", [v], params=(0,))
    g.set_attr(u, "params", (Slice(None, None, -1),))
    np.testing.assert_array_equal(evaluate(g).values[u], [2.0, 1.0])
    g.set_op(u, "neg")  # another op: the parameter goes
    assert g.node(u).params is None


@pytest.mark.parametrize("params,message", [
    ([0, "x"], "d.json: nodes[1].params: an index: position 1: expected a whole number, found 'x'"),
    ([[1, 2]], "d.json: nodes[1].params: an index: position 0: a slice is [start, stop, step]"),
    ([[None, None, 0]], "d.json: nodes[1].params: an index: position 0: a slice's step cannot be 0"),
    ([], "d.json: nodes[1].params: an index: expected a list of 1 to 32 positions"),
])
def test_a_documents_bad_index_is_a_located_error(params, message):
    doc = to_json(parse_text("v = [1, 2]\nu = v[0]"))
    doc["nodes"][1]["params"] = params
    with pytest.raises(DocumentError) as exc:
        from_json(doc, "d.json")
    assert str(exc.value).startswith(message)
    doc["nodes"][1]["params"] = None
    doc["nodes"][0]["params"] = [0]
    with pytest.raises(DocumentError, match=r"nodes\[0\].params: input takes no parameter"):
        from_json(doc, "d.json")


def test_the_canvas_the_exports_and_the_captions_show_the_index(tmp_path):
    g = parse_text(f"W = {W.tolist()}\nr = W[0, :]\nz = sum(r * r)")
    ev = evaluate(g)
    r = g.by_name("r")
    view = build_picture(g, ev, {}).nodes[r]
    assert view.symbol == "[0, :]" and view.n_ports == 1
    assert ev.formula(g.by_name("W"), r, 0) == "∂r/∂W = 1 at W[0, :], 0 elsewhere"
    (svg,) = export_graph(g, ev, tmp_path / "g.svg", ExportSettings(edge_labels=True))
    texts = svg_texts(svg)
    assert "[0, :]" in texts and "∂r/∂W = 1 at W[0, :], 0 elsewhere" in texts
    (tex,) = export_graph(g, ev, tmp_path / "g.tex")
    (r_line,) = [ln for ln in tex.read_text(encoding="utf-8").splitlines() if r"\textbf{r}" in ln]
    assert r"\textcolor{gsmuted}{{[}0, :{]}}" in r_line  # the index, with its brackets escaped
    assert 'label="r\\n[0, :]' in to_dot(g, ev)
    captions = [p.caption for p in step_pictures(g, ev, {})]
    assert "Forward pass, step 2 of 4: r = W[0, :]" in captions
    # an element picked out is a number, shown as one
    g2 = parse_text("v = [3, 4]\nz = v[1] * 2")
    captions = [p.caption for p in step_pictures(g2, evaluate(g2), {})]
    assert captions[1:4:2] == ["Forward pass, step 2 of 4: u1 = v[1] = 4",
                               "Forward pass, step 4 of 4: z = u1 × 2 = 4 × 2 = 8"]


def test_the_symbolic_view_indexes_a_matrix_of_symbols():
    g = parse_text("s = [3.2, 5.1, -1.7]\nL = max(0, s[1] - s[0] + 1) + max(0, s[2] - s[0] + 1)")
    ev = evaluate(g)
    sym = ex.symbolic(ev)
    assert str(sym.expr) == "Max(0, -s_0 + s_1 + 1) + Max(0, -s_0 + s_2 + 1)"
    np.testing.assert_allclose(sym.gradient_values[g.by_name("s")], [-1.0, 1.0, 0.0])
    np.testing.assert_array_equal(ev.grads[g.by_name("s")], [-1.0, 1.0, 0.0])


def test_explain_and_export_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "pick.gs"
    path.write_text(f"W = {W.tolist()}\nr = W[1, :]\nz = sum(r * r)\n", encoding="utf-8")
    assert main(["explain", str(path), "--node", "W"]) == 0
    out = capsys.readouterr().out
    assert "∂r/∂W = 1 at W[1, :], 0 elsewhere" in out and "✓ equal" in out
    assert main(["eval", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["nodes"]["r"] == {"op": "index", "value": [4.0, 5.0, -6.0],
                                  "grad": [8.0, 10.0, -12.0]}
    assert data["nodes"]["W"]["grad"] == [[0.0, 0.0, 0.0], [8.0, 10.0, -12.0]]
    out_png = tmp_path / "pick.png"
    assert main(["export", str(path), "-o", str(out_png)]) == 0
    assert out_png.stat().st_size > 1000


def test_the_python_api_indexes_as_the_text_does(tmp_path):
    import graphstudio as gs

    Wv = gs.Var(W.tolist(), name="W")
    r, e, s = Wv[0, :], Wv[1, -1], Wv[:, ::2]
    z = gs.sum(r * r) + e + gs.sum(s)
    np.testing.assert_array_equal(r.value, W[0, :])
    assert e.value == W[1, -1] and r.op == "index"
    z.backward()
    want = np.zeros_like(W)
    want[0, :] += 2 * W[0, :]
    want[1, -1] += 1
    want[:, ::2] += 1
    np.testing.assert_array_equal(Wv.grad, want)
    assert [x.value for x in r] == list(W[0, :])  # a vector's elements, one by one
    text = gs.graph_of(z).save(tmp_path / "traced.gs").read_text(encoding="utf-8")
    assert "W[0, :]" in text and "W[1, -1]" in text and "W[:, ::2]" in text
    with pytest.raises(ValueError, match=r"index: index 2 is out of range for the 2 rows of a "
                                         r"2×3 matrix \(0 to 1, or -2 to -1\)"):
        Wv[2, 0]
    with pytest.raises(TypeError, match="an index is whole numbers and slices written in the "
                                        "program, not a Var"):
        Wv[e]
    with pytest.raises(TypeError, match="not float"):
        Wv[1.5]
    with pytest.raises(ValueError, match="a slice's step cannot be 0"):
        Wv[::0]
    with pytest.raises(TypeError, match="a Var holding a number is not iterable"):
        iter(e)
