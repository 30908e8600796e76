"""grad(y, x): the backward pass built as nodes of the graph (core/backward.py), in .gs text
and on the command line. Its numbers against central differences, its second derivatives
against sympy's, its Hessian-vector products against differences of gradients; its errors;
and a text written back as it was written."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings

from graphstudio.core.backward import GradError, build_grads
from graphstudio.core.engine import evaluate
from graphstudio.io.gs import ParseError, parse_file, parse_text, write_text
from new_op import hinge  # noqa: F401  (the fixture)
from test_engine_robust import any_graphs
from test_ops import numeric_gradient

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def value(graph, name):
    return evaluate(graph).values[graph.by_name(name)]


def with_input(text: str, name: str, new) -> float:
    """The text's graph with input ``name`` set to ``new``."""
    g = parse_text(text)
    g.set_value(g.by_name(name), new)
    return g


def central(text: str, x: str, of: str):
    """d of / d x by central differences."""
    start = parse_text(text)
    return numeric_gradient(lambda v: value(with_input(text, x, v), of),
                            start.value(start.by_name(x)))


# ---- first derivatives -------------------------------------------------------------------

GRAPHS = {
    "grosse": ("a = -1\nb = 3\nc = 4\nz = (a + b) * (b + c)", ["a", "b", "c"]),
    "functions": ("x = 0.7\ny = 1.3\nz = exp(x) * sin(y) / (1 + x ** 2) - log(y) * sqrt(x)"
                  " + abs(x - y) + cos(x * y)", ["x", "y"]),
    "activations": ("x = 0.3\nw = -1.2\nz = sigmoid(w * x) + tanh(x) * relu(x - w) "
                    "+ max(x, w) * min(x, w)", ["x", "w"]),
    "vectors": ("W = [[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]]\nx = [1, -1]\nv = [0.6, -0.2, 0.4]\n"
                "h = sigmoid(W @ x)\nz = v @ h + sum(W ** 2) * 0.01 + mean(h) + max(h)",
                ["W", "x", "v"]),
    "softmax": ("s = [1.5, -0.3, 0.2]\nt = [0, 1, 0]\nz = cross_entropy(softmax(s * 2), t)",
                ["s"]),
    "matrices": ("A = [[1, 2], [3, -1]]\nB = [[0.5, -1, 2], [1, 0.3, -0.7]]\n"
                 "z = sum(softmax(A @ B) * B) + sum(transpose(B) @ A)", ["A", "B"]),
    "arrays": ("v = [0.5, -1, 2, 0.3]\nM = [[1, 2, 3], [4, 5, 6]]\n"
               "r = concat(v[1:3], M[1, :] * v[0], reshape(M, [-1])[::2])\n"
               "s = stack(sum(r), v[-1], M[0, 1])\nz = sqerr(s, [1, 2, 3]) + mse(r, r * r)",
               ["v", "M"]),
    "broadcasting": ("a = 2.0\nv = [1, -2, 3]\nM = [[1, 2, 3], [4, 5, 6]]\n"
                     "z = sum(a * v + M * v - a / M)", ["a", "v", "M"]),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_grad_nodes_give_the_central_differences(name):
    text, inputs = GRAPHS[name]
    g = parse_text(text)
    z = g.default_output()
    built = build_grads(g, z, [g.by_name(x) for x in inputs])
    ev = evaluate(g, output=z)
    for x in inputs:
        got = ev.values[built.grads[g.by_name(x)]]
        np.testing.assert_allclose(got, central(text, x, "z"), rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name}: dz/d{x}")
        # and the engine's backward pass agrees with the graph that computes it
        np.testing.assert_allclose(got, ev.grads[g.by_name(x)], rtol=1e-12, atol=1e-12)


def test_shared_subexpressions_are_one_node_and_paths_meet_in_one_sum():
    # Seoul's slide: w feeds x and y, both feed z; dz/dx is y itself, dz/dy is x
    g = parse_file(EXAMPLES / "seoul_backward_graph.gs")
    z, v = g.by_name("z"), g.by_name("v")
    x, y, w = g.by_name("x"), g.by_name("y"), g.by_name("w")
    before = set(g.nodes())
    built = build_grads(g, z, [v])
    assert built.adjoints[x] == y and built.adjoints[y] == x  # the forward nodes, re-used
    dw = built.adjoints[w]
    assert g.op(dw) == "add"  # the two paths from w meet in one sum
    keys = [(g.op(n), tuple(g.parents(n))) for n in built.nodes if not g.is_leaf(n)]
    assert len(keys) == len(set(keys)), "no node computed twice"
    # building it again adds nothing: every node is already there
    again = build_grads(g, z, [v])
    assert again.nodes == [] and again.grads == built.grads
    assert set(g.nodes()) == before | set(built.nodes)


# ---- second derivatives and Hessian-vector products ---------------------------------------

SECOND = {  # f(x) as .gs text, and as sympy
    "tanh(x)": lambda s: sympy.tanh(s),
    "sigmoid(x)": lambda s: 1 / (1 + sympy.exp(-s)),
    "exp(x) * sin(x)": lambda s: sympy.exp(s) * sympy.sin(s),
    "x ** 3 - 2 * x": lambda s: s ** 3 - 2 * s,
    "log(x) / x": lambda s: sympy.log(s) / s,
    "sqrt(x) * cos(x)": lambda s: sympy.sqrt(s) * sympy.cos(s),
}


@pytest.mark.parametrize("f", sorted(SECOND))
@pytest.mark.parametrize("at", [0.5, 1.7])
def test_second_derivatives_are_sympys(f, at):
    g = parse_text(f"x = {at}\ny = {f}\nd2 = grad(grad(y, x), x)")
    s = sympy.Symbol("x")
    want = float(sympy.diff(SECOND[f](s), s, 2).subs(s, at))
    assert value(g, "d2") == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_jaxs_tanh_second_derivative_example():
    g = parse_file(EXAMPLES / "second_derivative_tanh.gs")
    t = math.tanh(0.5)
    assert value(g, "dy") == pytest.approx(1 - t * t, rel=1e-14)
    assert value(g, "d2y") == pytest.approx(-2 * t * (1 - t * t), rel=1e-14)
    assert value(g, "d3y") == pytest.approx(-2 * (1 - t * t) * (1 - 3 * t * t), rel=1e-13)


HVP = """x = [0.5, -1.0, 0.3]
v = [1.0, 2.0, -0.5]
W = [[0.2, -0.4, 0.1], [0.7, 0.1, -0.3]]
y = sum(tanh(W @ x) ** 2) + sum(x * x * x) * 0.1
hv = grad(sum(grad(y, x) * v), x)
gx = grad(y, x)
"""


def test_a_hessian_vector_product_is_the_difference_of_gradients():
    g = parse_text(HVP)
    hv = value(g, "hv")
    x0, v = np.array([0.5, -1.0, 0.3]), np.array([1.0, 2.0, -0.5])
    h = 1e-5
    plus = value(with_input(HVP, "x", x0 + h * v), "gx")
    minus = value(with_input(HVP, "x", x0 - h * v), "gx")
    np.testing.assert_allclose(hv, (plus - minus) / (2 * h), rtol=1e-7, atol=1e-9)


# ---- the .gs text ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, where, words", [
    ("x = [1, 2]\ny = x * x\ng = grad(y, x)", "3:5",
     "y is a vector of 2, and a gradient needs one number to differentiate"),
    ("x = 1\nw = 2\ny = w * 3\ng = grad(y, x)", "4:5", "y does not depend on x"),
    ("x = 1\ny = stop_gradient(x) * 2\ng = grad(y, x)", "3:5", "only through stop_gradient"),
    ("x = 1\ng = grad(x)", "2:5", "grad() takes a number to differentiate and the name"),
    ("x = 1\ng = grad(x * 2, 2 * x)", "2:17", "grad() takes a number to differentiate"),
    ("x = 1\ng = grad(x * 2, x, 3)", "2:5", "grad() takes"),
    ("x = 1\ng = grad(x * 2, q)", "2:17", "unknown name 'q'"),
    ("x = [1, 2]\ny = x @ x\ng = grad(y / (x - x)[0], x)", None, None),
])
def test_grad_errors_say_where_and_what(text, where, words):
    if where is None:  # a value that is NaN is no error: the gradient is NaN too
        g = parse_text(text)
        assert np.isnan(value(g, "g")).all()
        return
    with pytest.raises(ParseError) as exc:
        parse_text(text, filename="f.gs")
    assert str(exc.value).startswith(f"f.gs:{where}:"), str(exc.value)
    assert words in str(exc.value)


def test_a_grad_through_an_op_without_vjp_ops_is_refused(hinge):
    with pytest.raises(ParseError, match=r"f.gs:2:5: grad\(hinge\(x\), x\): hinge\(x\) is a "
                                         r"hinge, .*no vjp_ops"):
        parse_text("x = 0.5\ng = grad(hinge(x), x)", filename="f.gs")


def test_a_grad_is_written_back_as_the_call_and_reads_back_the_same():
    for path in (EXAMPLES / "second_derivative_tanh.gs", EXAMPLES / "seoul_backward_graph.gs"):
        g = parse_file(path)
        text = write_text(g)
        assert "grad(" in text and "ones_like" not in text and "u1" not in text
        again = parse_text(text)
        assert write_text(again) == text
        assert len(again) == len(g)
    text = write_text(parse_text(HVP))
    assert "hv = grad(sum(grad(y, x) * v), x)" in text


def test_a_changed_grad_is_written_as_its_nodes():
    g = parse_text("x = 0.5\ny = tanh(x)\ng = grad(y, x)")
    # the user edits the gradient's inner nodes: the call no longer says what the graph does
    node = g.by_name("g")  # 1 - y * y
    mul = next(p for p in g.parents(node) if g.op(p) == "mul")
    g.set_op(mul, "add")
    text = write_text(g)
    assert "grad(" not in text and "y + y" in text
    assert value(parse_text(text), "g") == pytest.approx(1 - 2 * math.tanh(0.5))


def test_the_expression_bar_text_may_call_grad_on_an_existing_graph():
    g = parse_text("x = 2.0\ny = x ** 3")
    parse_text("d2 = grad(grad(y, x), x)", graph=g)
    assert value(g, "d2") == pytest.approx(12.0)


def test_build_grads_leaves_the_graph_alone_when_it_refuses():
    g = parse_text("x = 1.0\ny = 2.0\nz = y * 3")
    before = len(g)
    with pytest.raises(GradError):
        build_grads(g, g.by_name("z"), [g.by_name("x")])
    assert len(g) == before


# ---- the command line ----------------------------------------------------------------------


def run(*args):
    return subprocess.run([sys.executable, "-m", "graphstudio", *args], capture_output=True,
                          text=True, timeout=120)


def test_eval_explain_and_export_read_grad(tmp_path):
    path = EXAMPLES / "second_derivative_tanh.gs"
    out = run("eval", str(path), "--json")
    assert out.returncode == 0, out.stderr
    nodes = json.loads(out.stdout)["nodes"]
    t = math.tanh(0.5)
    assert nodes["d2y"]["value"] == pytest.approx(-2 * t * (1 - t * t), rel=1e-12)
    explained = run("explain", str(path), "--node", "x", "--check")
    assert explained.returncode == 0, explained.stderr
    assert "d2y" in explained.stdout
    svg = tmp_path / "tanh.svg"
    exported = run("export", str(EXAMPLES / "seoul_backward_graph.gs"), "-o", str(svg))
    assert exported.returncode == 0, exported.stderr
    text = svg.read_text(encoding="utf-8")
    assert "dz_dv" in text
    bad = tmp_path / "bad.gs"
    bad.write_text("x = [1, 2]\ng = grad(x * x, x)\n", encoding="utf-8")
    refused = run("eval", str(bad))
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "bad.gs:2:5: grad(x * x, x): x * x is a vector of 2" in refused.stderr


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.gs")), ids=lambda p: p.stem)
def test_every_examples_backward_graph_gives_the_backward_pass_and_is_saved_as_text(path):
    from graphstudio.core.backward import backward_graph

    g = parse_file(path)
    out = g.default_output()
    want = evaluate(g).grads
    built = backward_graph(g, out)
    ev = evaluate(g, output=out)
    for x, node in built.grads.items():
        np.testing.assert_allclose(ev.values[node], want[x], rtol=1e-12, atol=1e-15,
                                   err_msg=f"{path.name}: {g.label(node)}")
    text = write_text(g)
    again = parse_text(text)
    assert write_text(again) == text
    values = evaluate(again).values
    for node in built.grads.values():  # each dz_dx read back computes the same numbers
        np.testing.assert_array_equal(values[again.by_name(g.name(node))], ev.values[node])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_graphs())
def test_the_backward_graph_of_any_graph_is_the_backward_pass_or_says_why(case):
    """Random graphs of every op, on ordinary and awkward numbers: building the backward pass
    never raises anything but a GradError, and where every number is finite it gives the
    engine's gradients."""
    g, out = case
    ev = evaluate(g, output=out)
    inputs = [n for n in g.inputs() if n in g.ancestors(out)]
    if ev.fatal_errors or not inputs:
        return
    try:
        built = build_grads(g, out, inputs)
    except GradError as exc:
        assert str(exc)
        return
    values = evaluate(g, output=out).values
    finite = all(np.all(np.isfinite(v)) for v in ev.values.values() if v is not None)
    for x in inputs:
        got = values[built.grads[x]]
        assert np.shape(got) == np.shape(ev.grads[x])
        if finite and np.all(np.isfinite(ev.grads[x])):
            np.testing.assert_allclose(got, ev.grads[x], rtol=1e-9, atol=1e-12)


def test_a_grad_of_a_function_call_opens_its_group():
    # grad() re-uses the nodes inside the call (exp(-z), and f itself in (1 - f) f), so the
    # call is no longer one value computed from outside: its nodes stay ungrouped
    text = ("def sigmoid_gate(z):\n    return 1 / (1 + exp(-z))\n\nw0 = 2\nx0 = -1\n"
            "f = sigmoid_gate(w0 * x0)\ng = grad(f, x0)\n")
    g = parse_text(text)
    assert g.groups() == {}
    s = 1 / (1 + math.exp(2.0))
    assert value(g, "g") == pytest.approx(2 * s * (1 - s))
    again = write_text(g)
    assert "g = grad(" in again and value(parse_text(again), "g") == value(g, "g")
    assert parse_text(text.replace("g = grad(f, x0)\n", "")).groups()  # without: a group
