"""Reshaping and joining, ``reshape(x, [2, 3])``, ``concat(a, b, axis=1)``, ``stack(s1, s2, s3)``:
registry ops whose nodes carry a shape or an axis as their static parameter. Values and
gradients against numpy (the central-difference check of every op is in test_ops.py), located
errors (never a traceback), the text and the document written back exactly, the canvas, the
exports, the teaching views, the command line and the Python API."""

from __future__ import annotations

import json

import numpy as np
import pytest

import graphstudio as gs
from export_support import svg_texts
from node_errors import assert_the_nodes_error
from graphstudio.cli import main
from graphstudio.core import explain as ex
from graphstudio.core.engine import evaluate
from graphstudio.core.graph import Graph, GraphError
from graphstudio.core.ops import MAX_JOINED
from graphstudio.io.document import DocumentError, from_json, to_json
from graphstudio.io.formats.dot import to_dot
from graphstudio.io.gs import ParseError, parse_text, write_text
from graphstudio.render.export import ExportSettings, export_graph
from graphstudio.render.picture import build_picture, step_pictures

A = np.array([[1.0, -2.0], [3.0, 4.0]])
B = np.array([[5.0], [-6.0]])
V = np.array([0.5, -1.0, 2.0])
U = np.array([3.0, 1.5, -0.5])
HEAD = f"A = {A.tolist()}\nB = {B.tolist()}\nv = {V.tolist()}\nu = {U.tolist()}\ns = 2.5\n"

FORMS = [  # (text, what numpy makes of it, the arguments by name)
    ("concat(v, u)", np.concatenate([V, U]), "vu"),
    ("concat(A, B, axis=1)", np.concatenate([A, B], axis=1), "AB"),
    ("concat(A, A, A)", np.concatenate([A, A, A]), "A"),
    ("concat(A, B, axis=-1)", np.concatenate([A, B], axis=-1), "AB"),
    ("stack(s, v[0], 7)", np.array([2.5, 0.5, 7.0]), "sv"),
    ("stack(v, u)", np.stack([V, U]), "vu"),
    ("stack(v, u, axis=1)", np.stack([V, U], axis=1), "vu"),
    ("stack(A, A, axis=2)", np.stack([A, A], axis=2), "A"),
    ("reshape(v, [3, 1])", V.reshape(3, 1), "v"),
    ("reshape(A, [-1])", A.reshape(-1), "A"),
    ("reshape(concat(v, u), [2, -1])", np.concatenate([V, U]).reshape(2, -1), "vu"),
    ("reshape(s, [1, 1])", np.array([[2.5]]), "s"),
    ("reshape(B[0], [])", 5.0, "B"),
]


def graph_of(expr: str):
    return parse_text(f"{HEAD}y = {expr}\nz = sum(y * y)\n")


@pytest.mark.parametrize("expr,want,args", FORMS, ids=[f[0] for f in FORMS])
def test_values_match_numpy_and_gradients_central_differences(expr, want, args):
    g = graph_of(expr)
    ev = evaluate(g)
    assert ev.errors == {}
    np.testing.assert_array_equal(ev.values[g.by_name("y")], want)
    # backprop against central differences on the whole graph (each op's own VJP is checked
    # against them in test_ops.py)
    checked = {e.node: e for e in ex.check(ev)}
    for name in args:
        assert checked[g.by_name(name)].ok, name


def test_a_join_splits_the_gradient_back_into_its_pieces():
    # z = Σ w ⊙ concat(A, B, axis=1): dz/dA is w's first two columns, dz/dB its last
    g = parse_text(f"{HEAD}w = [[1, 2, 3], [4, 5, 6]]\nz = sum(w * concat(A, B, axis=1))")
    ev = evaluate(g)
    np.testing.assert_array_equal(ev.grads[g.by_name("A")], [[1, 2], [4, 5]])
    np.testing.assert_array_equal(ev.grads[g.by_name("B")], [[3], [6]])
    # stacked along axis 1, each vector's gradient is a column of the upstream gradient
    g = parse_text(f"{HEAD}w = [[1, 2], [3, 4], [5, 6]]\nz = sum(w * stack(v, u, axis=1))")
    ev = evaluate(g)
    np.testing.assert_array_equal(ev.grads[g.by_name("v")], [1, 3, 5])
    np.testing.assert_array_equal(ev.grads[g.by_name("u")], [2, 4, 6])


@pytest.mark.parametrize("expr", [f[0] for f in FORMS] + ["stack(v, v, v, axis=-2)",
                                                           "concat(exp(v), [1, 2])"])
def test_the_text_and_the_document_are_written_back_exactly(expr):
    g = graph_of(expr)
    text = write_text(g)
    assert f"y = {expr}" in text.splitlines()
    assert write_text(parse_text(text)) == text
    back = from_json(json.loads(json.dumps(to_json(g)))).graph
    assert back.node(back.by_name("y")).params == g.node(g.by_name("y")).params
    assert write_text(back) == text


def test_the_default_axis_is_left_out_of_the_text():
    g = parse_text(f"{HEAD}y = concat(v, u, axis=0)")
    assert "y = concat(v, u)" in write_text(g).splitlines()


@pytest.mark.parametrize("expr,message", [
    ("reshape(v, [2, 2])", "cannot reshape a vector of 3 (3 elements) into [2, 2]: that shape "
                           "holds 4"),
    ("reshape(A, [3, -1])", "cannot reshape a 2×2 matrix (4 elements) into [3, -1]: the other "
                            "sizes make 3 a piece, and 4 is not a whole number of such pieces"),
    ("reshape(s, [0, -1])", "cannot reshape a number (1 element) into [0, -1]: the other sizes "
                            "leave no room for them"),
    ("concat(v, s)", "argument 2 is a number; concat joins vectors and matrices (stack makes "
                     "numbers into a vector)"),
    ("concat(v, A)", "argument 2 is a 2×2 matrix and argument 1 is a vector of 3: concat joins "
                     "arrays of as many axes"),
    ("concat(A, B)", "argument 2 is a 2×1 matrix and argument 1 is a 2×2 matrix: joined along "
                     "axis 0, their numbers of columns must match"),
    ("concat(A, [[1, 2, 3]], axis=1)", "argument 2 is a 1×3 matrix and argument 1 is a 2×2 "
                                       "matrix: joined along axis 1, their numbers of rows must "
                                       "match"),
    ("concat(v, u, axis=1)", "axis 1 is out of range: a vector of 3 has 1 axis (0, or -1)"),
    ("concat(A, A, axis=-3)", "axis -3 is out of range: a 2×2 matrix has 2 axes (0 to 1, or -2 "
                              "to -1)"),
    ("stack(v, A)", "argument 2 is a 2×2 matrix and argument 1 is a vector of 3: stack joins "
                    "arguments of one shape"),
    ("stack(v, u, axis=2)", "axis 2 is out of range: stacking a vector of 3 makes 2 axes (0 to "
                            "1, or -2 to -1)"),
])
def test_arguments_that_do_not_fit_are_the_nodes_error(expr, message, tmp_path, capsys):
    assert_the_nodes_error(graph_of(expr), "y", message, 6, tmp_path, capsys)


@pytest.mark.parametrize("expr,message", [
    ("reshape(v, n)", "<text>:3:16: a shape is a list of whole numbers, as in [2, 3]"),
    ("reshape(v, [n, 1])", "<text>:3:16: a shape's size is a whole number written in the text, "
                           "not a node such as 'n'"),
    ("reshape(v, [-1, -1])", "<text>:3:16: at most one size of a shape may be -1 (the size that "
                             "is left)"),
    ("reshape(v, [2.5])", "<text>:3:16: a shape's size is a whole number, not 2.5"),
    ("reshape(v)", "<text>:3:5: reshape() takes 2 arguments, got 1"),
    ("concat(v)", f"<text>:3:5: concat() takes 2 to {MAX_JOINED} arguments, got 1"),
    ("stack(" + ", ".join(["v"] * (MAX_JOINED + 1)) + ")",
     f"<text>:3:5: stack() takes 2 to {MAX_JOINED} arguments, got {MAX_JOINED + 1}"),
    ("concat(v, v, axis=n)", "<text>:3:23: an axis is a whole number written in the text, not a "
                             "node such as 'n'"),
    ("concat(v, v, axis=40)", "<text>:3:23: an axis is from -32 to 31"),
    ("concat(v, v, dim=1)", "<text>:3:18: concat() takes the keyword axis=, not dim="),
    ("reshape(v, [3], axis=0)", "<text>:3:21: reshape() takes no keyword arguments"),
])
def test_a_parameter_the_text_cannot_hold_is_a_located_error(expr, message):
    with pytest.raises(ParseError) as exc:
        parse_text(f"v = [1, 2]\nn = 2\nu = {expr}")
    assert str(exc.value) == message


def test_the_graph_checks_the_parameters():
    g = Graph()
    v = g.add_input("v", [1.0, 2.0])
    r = g.add_op("reshape", [v])
    c = g.add_op("concat", [v, v, v])
    assert g.node(r).params == (-1,) and g.node(c).params == 0  # what a palette node starts with
    np.testing.assert_array_equal(evaluate(g).values[c], [1, 2, 1, 2, 1, 2])
    with pytest.raises(GraphError, match=r"\[2, 1\] is not a shape such as \[2, 3\]"):
        g.set_attr(r, "params", [2, 1])  # the record keeps a tuple
    with pytest.raises(GraphError, match="is not an axis such as 0 or -1"):
        g.set_attr(c, "params", 1.0)
    with pytest.raises(GraphError, match=f"concat takes 2 to {MAX_JOINED} arguments, not 1"):
        g.add_op("concat", [v])
    g.set_attr(r, "params", (2, 1))
    assert evaluate(g).values[r].shape == (2, 1)


@pytest.mark.parametrize("op,params,message", [
    ("reshape", [2, "x"], "d.json: nodes[1].params: a shape: a size: expected a whole number, "
                          "found 'x'"),
    ("reshape", 3, "d.json: nodes[1].params: a shape: expected a list of sizes, found 3"),
    ("reshape", [-1, -1], "d.json: nodes[1].params: a shape: at most one size of a shape may be "
                          "-1"),
    ("concat", [0], "d.json: nodes[1].params: an axis: an axis: expected a whole number, found "
                    "[0]"),
    ("stack", 99, "d.json: nodes[1].params: an axis: an axis is from -32 to 31"),
])
def test_a_documents_bad_parameter_is_a_located_error(op, params, message):
    text = {"reshape": "reshape(v, [2])", "concat": "concat(v, v)", "stack": "stack(v, v)"}[op]
    doc = to_json(parse_text(f"v = [1, 2]\nu = {text}"))
    doc["nodes"][1]["params"] = params
    with pytest.raises(DocumentError) as exc:
        from_json(doc, "d.json")
    assert str(exc.value).startswith(message)


def test_the_canvas_the_exports_and_the_captions_show_the_parameters(tmp_path):
    g = parse_text("a = [1, 2]\nb = [3, 4, 5]\nc = concat(a, b)\nS = stack(a, a, axis=1)\n"
                   "r = reshape(c, [5, 1])\nz = sum(r * r) + sum(S)")
    ev = evaluate(g)
    c, S, r = g.by_name("c"), g.by_name("S"), g.by_name("r")
    views = build_picture(g, ev, {}).nodes
    assert views[c].symbol == "concat axis 0" and views[c].n_ports == 2
    assert views[c].numbered_ports  # the order of the arguments matters
    assert views[S].symbol == "stack axis 1" and views[r].symbol == "reshape [5, 1]"
    assert ev.formula(g.by_name("b"), c, 1) == "∂c/∂b = 1 where b sits in c, 0 elsewhere"
    assert ev.formula(c, r, 0) == "∂r/∂c = 1 for each element, back in c's shape"
    (svg,) = export_graph(g, ev, tmp_path / "g.svg", ExportSettings(edge_labels=True))
    texts = svg_texts(svg)
    assert {"concat axis 0", "stack axis 1", "reshape [5, 1]"} <= set(texts)
    assert "∂c/∂b = 1 where b sits in c, 0 elsewhere" in texts
    (tex,) = export_graph(g, ev, tmp_path / "g.tex")
    assert r"reshape {[}5, 1{]}" in tex.read_text(encoding="utf-8")
    dot = to_dot(g, ev)
    assert "concat axis 0" in dot and "reshape [5, 1]" in dot and "stack axis 1" in dot
    captions = [p.caption for p in step_pictures(g, ev, {})]
    assert "Forward pass, step 3 of 9: c = concat(a, b)" in captions
    assert "Forward pass, step 5 of 9: r = reshape(c, [5, 1])" in captions
    assert "Forward pass, step 4 of 9: S = stack(a, a, axis=1)" in captions


def test_the_symbolic_view_joins_arrays_of_symbols():
    g = parse_text("a = [1, 2]\nb = 3\nc = stack(b, a[1])\nz = sum(concat(a, c) * [1, 2, 3, 4])")
    ev = evaluate(g)
    sym = ex.symbolic(ev)
    assert str(sym.expr) == "a_0 + 6*a_1 + 3*b"
    np.testing.assert_allclose(sym.gradient_values[g.by_name("a")], [1.0, 6.0])
    np.testing.assert_array_equal(ev.grads[g.by_name("a")], [1.0, 6.0])
    assert ev.grads[g.by_name("b")] == 3.0


def test_explain_and_eval_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "rnn.gs"
    path.write_text("x = [1, -2]\nh0 = [0.5, 0]\nW = param([[0.1, 0.2, -0.3, 0.4], "
                    "[0.5, -0.1, 0.2, 0.3]])\nh = tanh(W @ concat(h0, x))\n"
                    "L = sum(stack(h[0], h[1]) * [1, 2])\n", encoding="utf-8")
    assert main(["explain", str(path), "--node", "h0"]) == 0
    out = capsys.readouterr().out
    assert "1 where h0 sits in" in out and "✓ equal" in out
    assert main(["explain", str(path), "--check"]) == 0
    assert "all gradients agree" in capsys.readouterr().out
    assert main(["eval", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    pre = np.array([[0.1, 0.2, -0.3, 0.4], [0.5, -0.1, 0.2, 0.3]]) @ [0.5, 0, 1, -2]
    dpre = np.array([1.0, 2.0]) * (1 - np.tanh(pre) ** 2)
    np.testing.assert_allclose(data["nodes"]["W"]["grad"], np.outer(dpre, [0.5, 0, 1, -2]),
                               rtol=1e-5)


def test_the_python_api_takes_the_parameters_as_the_text_writes_them(tmp_path):
    a, b = gs.Var([1.0, 2.0], name="a"), gs.Var([3.0, 4.0, 5.0], name="b")
    c = gs.concat(a, b)
    S = a.stack(a, axis=1)  # a method too
    r = gs.reshape(c, [5, 1])
    z = gs.sum(r * r) + gs.sum(S)
    np.testing.assert_array_equal(c.value, [1, 2, 3, 4, 5])
    assert S.shape == (2, 2) and r.shape == (5, 1)
    z.backward()
    np.testing.assert_array_equal(a.grad, [2 * 1 + 2, 2 * 2 + 2])
    np.testing.assert_array_equal(b.grad, [6, 8, 10])
    saved = gs.graph_of(z).save(tmp_path / "traced.gs")  # the graph keeps the parameters
    text = saved.read_text(encoding="utf-8")
    assert "concat(a, b)" in text and "stack(a, a, axis=1)" in text and "[5, 1])" in text
    with pytest.raises(ValueError, match=r"concat: axis 1 is out of range: a vector of 2 has 1 "
                                         r"axis \(0, or -1\)"):
        gs.concat(a, b, axis=1)
    with pytest.raises(ValueError, match=r"reshape: a shape: expected a list of sizes, found 'x'"):
        gs.reshape(a, "x")
    with pytest.raises(TypeError, match=r"stack\(\) takes the keyword axis=, not dim="):
        gs.stack(a, a, dim=1)
    assert gs.concat.__doc__.startswith("concat(x, y, ..., axis=0): ")
    assert gs.reshape.__doc__.startswith("reshape(x, shape): ")
