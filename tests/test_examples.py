"""The shipped lecture examples: each evaluates, and the numbers on the slides hold.

Expected numbers come from the lectures (quoted in each example's header) or are computed here
independently with numpy from the slides' closed-form backpropagation formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from graphstudio.core.engine import evaluate
from graphstudio.core.explain import check
from graphstudio.examples import example_files, examples_dir
from graphstudio.io import open_document
from graphstudio.io.gs import parse_file, parse_text


def load(name: str):
    graph = parse_file(examples_dir() / f"{name}.gs")
    return graph, evaluate(graph)


def named(graph, ev, table):
    return {name: table[graph.by_name(name)] for name in graph.names()}


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_every_lecture_is_shipped():
    names = {p.stem for p in example_files()}
    assert {"bristol_lecture2", "grosse_csc311", "siegen_backprop", "siegen_regression",
            "seoul_mlp_l2", "cmu11785_softmax_ce", "cmu11785_relu_max"} <= names


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_example_evaluates_cleanly(path):
    graph = open_document(path).graph
    ev = evaluate(graph)
    assert ev.errors == {}
    assert ev.output is not None
    for node in graph.names().values():
        assert np.all(np.isfinite(ev.values[node])), graph.label(node)
        assert np.all(np.isfinite(ev.grads[node])), graph.label(node)
    # backprop agrees with central differences, except where a kink makes it a subgradient
    for entry in check(ev):
        assert entry.ok or entry.note.startswith("kink"), entry
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("#") and len(header) > 10  # names the lecture


# ---- Bristol lecture 2 -----------------------------------------------------------------------


def test_bristol_slide_numbers():
    graph, ev = load("bristol_lecture2")
    v, g = named(graph, ev, ev.values), named(graph, ev, ev.grads)
    assert (v["e"], v["d"], v["c"], v["b"], v["a"]) == (8.0, 7.0, 10.0, 15.0, 150.0)
    assert g["f"] == 60.0
    assert g["g"] == 100.0


@pytest.mark.parametrize("f,gv", [(1.0, 1.0), (-2.0, 3.0), (0.5, -1.5), (10.0, 0.25)])
def test_bristol_formula_at_other_points(f, gv):
    graph, _ = load("bristol_lecture2")
    graph.set_value(graph.by_name("f"), f)
    graph.set_value(graph.by_name("g"), gv)
    ev = evaluate(graph)
    a = ev.values[graph.by_name("a")]
    assert a == pytest.approx((3 + f + f * gv) * (f * gv + 2))
    # the slide's formula da/df = 2fg² + 2fg + 5g + 2
    assert ev.grads[graph.by_name("f")] == pytest.approx(2 * f * gv**2 + 2 * f * gv + 5 * gv + 2)
    # and by hand da/dg = 2f²g + f² + 5f
    assert ev.grads[graph.by_name("g")] == pytest.approx(2 * f**2 * gv + f**2 + 5 * f)


# ---- Grosse, CSC 311 -------------------------------------------------------------------------


def test_grosse_slide_numbers():
    graph, ev = load("grosse_csc311")
    v, g = named(graph, ev, ev.values), named(graph, ev, ev.grads)
    assert (v["x"], v["y"], v["z"]) == (2.0, 7.0, 14.0)
    assert (g["a"], g["b"], g["c"]) == (7.0, 9.0, 2.0)
    assert (g["x"], g["y"], g["z"]) == (7.0, 2.0, 1.0)


# ---- Siegen -----------------------------------------------------------------------------------


def test_siegen_chain_rule_product():
    graph, ev = load("siegen_backprop")
    v, g = named(graph, ev, ev.values), named(graph, ev, ev.grads)
    assert g["x"] == 4.0
    # dL/dx = dd/dx · de/dd · dL/de = 1 · z · 2(e − 1)
    assert g["x"] == 1 * v["z"] * 2 * (v["e"] - 1)
    assert g["e"] == 2 * (v["e"] - 1)


@pytest.mark.parametrize("x,y,z", [(0.5, -2.0, 3.0), (2.0, 2.0, -1.0)])
def test_siegen_chain_rule_at_other_points(x, y, z):
    graph, _ = load("siegen_backprop")
    for name, value in (("x", x), ("y", y), ("z", z)):
        graph.set_value(graph.by_name(name), value)
    ev = evaluate(graph)
    e = (x + y) * z
    assert ev.values[graph.by_name("L")] == pytest.approx((e - 1) ** 2)
    assert ev.grads[graph.by_name("x")] == pytest.approx(z * 2 * (e - 1))
    assert ev.grads[graph.by_name("z")] == pytest.approx((x + y) * 2 * (e - 1))


def test_siegen_regression_network_closed_form():
    graph, ev = load("siegen_regression")
    g = named(graph, ev, ev.grads)
    x, y = 0.5, 1.0
    w1, b1 = np.array([1, -2, 0.5]), np.array([0, 0.5, -1])
    w2, b2 = np.array([0.3, -0.6, 0.9]), 0.1
    s = w1 * x + b1
    h = sigmoid(s)
    N = w2 @ h + b2
    r = 2 * (N - y)
    assert ev.values[graph.by_name("E")] == pytest.approx((N - y) ** 2)
    np.testing.assert_allclose(g["w2"], r * h)
    assert g["b2"] == pytest.approx(r)
    np.testing.assert_allclose(g["b1"], r * w2 * h * (1 - h))
    np.testing.assert_allclose(g["w1"], r * w2 * h * (1 - h) * x)


# ---- Seoul: one hidden layer, sigmoid, squared error, L2 --------------------------------------


def test_seoul_mlp_l2_closed_form_backprop():
    graph, ev = load("seoul_mlp_l2")
    g = named(graph, ev, ev.grads)
    x, y, lam = np.array([1.0, -1.0]), 0.5, 0.01
    W = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
    v = np.array([0.6, -0.2, 0.4])
    a = W @ x
    h = sigmoid(a)
    yhat = v @ h
    J = (yhat - y) ** 2 + lam * (np.sum(W**2) + np.sum(v**2))
    assert ev.values[graph.by_name("J")] == pytest.approx(J)
    # the slide: g = 2(ŷ − y), ∇v = g h + 2λv, ∇h = g v, ∇a = ∇h ⊙ σ'(a), ∇W = ∇a xᵀ + 2λW
    gy = 2 * (yhat - y)
    grad_a = gy * v * h * (1 - h)
    np.testing.assert_allclose(g["v"], gy * h + 2 * lam * v, rtol=1e-12)
    np.testing.assert_allclose(g["h"], gy * v, rtol=1e-12)
    np.testing.assert_allclose(g["a"], grad_a, rtol=1e-12)
    np.testing.assert_allclose(g["W"], np.outer(grad_a, x) + 2 * lam * W, rtol=1e-12)
    assert g["yhat"] == pytest.approx(gy)
    assert g["lam"] == pytest.approx(np.sum(W**2) + np.sum(v**2))


# ---- CMU 11-785 ---------------------------------------------------------------------------------


def test_softmax_cross_entropy_gradient_is_Y_minus_d():
    graph, ev = load("cmu11785_softmax_ce")
    g = named(graph, ev, ev.grads)
    y = np.array([0.5, -1, 2])
    W = np.array([[0.1, 0.2, -0.1], [-0.3, 0.4, 0.2], [0.05, -0.2, 0.3]])
    b = np.array([0, 0.1, -0.1])
    d = np.array([0.0, 0.0, 1.0])
    z = W @ y + b
    Y = np.exp(z) / np.sum(np.exp(z))
    np.testing.assert_allclose(ev.values[graph.by_name("Y")], Y, rtol=1e-12)
    assert ev.values[graph.by_name("Div")] == pytest.approx(-np.log(Y[2]))
    np.testing.assert_allclose(g["z"], Y - d, atol=1e-12)
    np.testing.assert_allclose(g["b"], Y - d, atol=1e-12)
    np.testing.assert_allclose(g["W"], np.outer(Y - d, y), atol=1e-12)
    np.testing.assert_allclose(g["y"], W.T @ (Y - d), atol=1e-12)


def test_relu_max_subgradients():
    graph, ev = load("cmu11785_relu_max")
    g = named(graph, ev, ev.grads)
    # W x = [0, -3, 2.5]: one unit exactly at relu's kink, one below it
    np.testing.assert_array_equal(ev.values[graph.by_name("z")], [0.0, 0.0, 2.5])
    assert ev.values[graph.by_name("y")] == 2.5
    # max sends the gradient to the argmax only
    np.testing.assert_array_equal(g["z"], [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(g["W"], [[0, 0], [0, 0], [1, 2]])


def test_relu_derivative_at_zero_in_the_example():
    path = examples_dir() / "cmu11785_relu_max.gs"
    # differentiate sum(z) instead of max(z), so every unit gets upstream gradient 1
    graph = parse_text(path.read_text(encoding="utf-8") + "s = sum(z)\n", str(path))
    ev = evaluate(graph, graph.by_name("s"))
    # unit 0 sits at relu's kink (relu'(0) = 0), unit 1 below it, unit 2 above it
    np.testing.assert_array_equal(ev.grads[graph.by_name("W")], [[0, 0], [0, 0], [1, 2]])
    assert math.isclose(ev.values[graph.by_name("s")], 2.5)


# ---- CS231n, d2l: names, vector outputs ----------------------------------------------------------


def test_cs231n_gates_with_nodes_named_after_gates():
    # the figure's numbers: x 3 (grad -8), y -4 (6), z 2 (2), w -1 (0); x*y = -12, max = 2,
    # their sum -10 (each grad 2), f = -20
    graph, ev = load("cs231n_gates")
    v, g = named(graph, ev, ev.values), named(graph, ev, ev.grads)
    assert (v["mul"], v["routed"], v["add"], v["f"]) == (-12.0, 2.0, -10.0, -20.0)
    assert (g["x"], g["y"], g["z"], g["w"]) == (-8.0, 6.0, 2.0, 0.0)
    assert g["mul"] == g["routed"] == g["add"] == 2.0
    assert graph.op(graph.by_name("mul")) == "mul" and graph.op(graph.by_name("add")) == "add"


def test_d2l_backward_of_a_non_scalar_output():
    graph, ev = load("d2l_nonscalar_backward")
    # d2l: y.backward(gradient=torch.ones(len(y))) gives x.grad = tensor([0., 2., 4., 6.])
    np.testing.assert_array_equal(ev.grads[graph.by_name("x")], [0.0, 2.0, 4.0, 6.0])
    assert ev.seed_given
    # without the seed line, the default seed is the same ones: the sum of y's elements
    text = (examples_dir() / "d2l_nonscalar_backward.gs").read_text(encoding="utf-8")
    plain = parse_text(text.replace("seed(y, [1, 1, 1, 1])", ""))
    default = evaluate(plain)
    assert default.seeds_sum
    np.testing.assert_array_equal(default.grads[plain.by_name("x")], [0.0, 2.0, 4.0, 6.0])
    # the header's suggestion: the gradients of y[1] alone
    one = parse_text(text.replace("[1, 1, 1, 1]", "[0, 1, 0, 0]"))
    np.testing.assert_array_equal(evaluate(one).grads[one.by_name("x")], [0.0, 2.0, 0.0, 0.0])


def test_d2l_detach():
    graph, ev = load("d2l_detach")
    v, g = named(graph, ev, ev.values), named(graph, ev, ev.grads)
    # d2l: x.grad == u, tensor([True, True, True, True]), with u = y.detach() = x * x
    np.testing.assert_array_equal(v["u"], [0.0, 1.0, 4.0, 9.0])
    np.testing.assert_array_equal(g["x"], v["u"])
    np.testing.assert_array_equal(g["y"], [0.0, 0.0, 0.0, 0.0])  # nothing flows back to y
    assert ev.seeds_sum  # d2l's z.sum().backward()
    # and d2l's y.sum().backward(): x.grad == 2 * x
    ev_y = evaluate(graph, graph.by_name("y"))
    np.testing.assert_array_equal(ev_y.grads[graph.by_name("x")], 2 * v["x"])


def test_cs231n_svm_loss_with_indexing():
    graph, ev = load("cs231n_svm")
    v = named(graph, ev, ev.values)
    # the slides: 2.9 for the cat, 0 for the car, 12.9 for the frog, L = 5.27
    assert v["L_cat"] == pytest.approx(2.9) and v["L_car"] == 0.0
    assert v["L_frog"] == pytest.approx(12.9)
    assert round(v["L"], 2) == 5.27
    # the notes' gradient, computed here from the scores: for each image i, +1 at every class
    # with a violated margin, minus their count at the correct class, averaged over the three
    S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
    want = np.zeros_like(S)
    for i, y in enumerate([0, 1, 2]):
        margins = S[:, i] - S[y, i] + 1
        violated = (margins > 0) & (np.arange(3) != y)
        want[violated, i] += 1
        want[y, i] -= violated.sum()
    np.testing.assert_allclose(ev.grads[graph.by_name("S")], want / 3)
