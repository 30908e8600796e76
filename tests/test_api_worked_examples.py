"""The worked examples of micrograd's README and of the lectures, written as a student writes
them with the Python API (traced Python, or a parsed text, or a lecture file loaded), checked
against the published numbers and hand-written closed forms, never against GraphStudio's own
output."""

from __future__ import annotations

import math

import numpy as np
import pytest

import graphstudio as gs
from graphstudio.examples import examples_dir
from micrograd_readme import PUBLISHED, readme_example


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_micrograd_readme_example():
    # the README's lines with gs.Var for micrograd's Value; it prints 24.7041, 138.8338, 645.5773
    a, b, g = readme_example(gs.Var)
    assert f"{g.value:.4f}" == PUBLISHED[0]
    g.backward()
    assert (f"{a.grad:.4f}", f"{b.grad:.4f}") == PUBLISHED[1:]


def test_micrograd_lecture_neuron():
    # Karpathy's micrograd lecture, the neuron o = tanh(x1 w1 + x2 w2 + b), with b chosen so
    # that n = 0.8814 and o = 1/√2. By hand: do/dn = 1 − o² = 0.5, do/dx1 = w1 · 0.5 = −1.5,
    # do/dw1 = x1 · 0.5 = 1, do/dx2 = w2 · 0.5 = 0.5, do/dw2 = x2 · 0.5 = 0
    x1, x2 = gs.Var(2.0, name="x1"), gs.Var(0.0, name="x2")
    w1, w2 = gs.Var(-3.0, name="w1"), gs.Var(1.0, name="w2")
    b = gs.Var(6.8813735870195432, name="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    assert o.value == pytest.approx(1 / math.sqrt(2), abs=1e-12)
    o.backward()
    assert n.grad == pytest.approx(0.5, abs=1e-12)
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0), abs=1e-12)
    # the lecture's second version writes tanh through exp: (e^{2n} − 1) / (e^{2n} + 1)
    e = (2 * n).exp()
    o2 = (e - 1) / (e + 1)
    o2.backward()
    assert o2.value == pytest.approx(1 / math.sqrt(2), abs=1e-12)
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0), abs=1e-12)


def test_bristol_lecture2_traced():
    # Bristol, lecture 2: at f = 4, g = 2 the slides find a = 150 and
    # da/df = 2fg² + 2fg + 5g + 2 = 60 (three paths); by hand da/dg = 2f²g + f² + 5f = 100
    f, g = gs.Var(4.0, name="f"), gs.Var(2.0, name="g")
    e = f * g
    d = 3 + f
    c = e + 2
    b = d + e
    a = b * c
    assert (e.value, d.value, c.value, b.value, a.value) == (8.0, 7.0, 10.0, 15.0, 150.0)
    a.backward()
    assert (f.grad, g.grad) == (60.0, 100.0)
    # the slide's intermediate gradients: da/db = c = 10, da/dc = b = 15, da/de = 10 + 15
    assert (b.grad, c.grad, e.grad, d.grad) == (10.0, 15.0, 25.0, 10.0)


def test_grosse_from_text():
    graph = gs.parse("a = -1\nb = 3\nc = 4\nx = a + b\ny = b + c\nz = x * y\n")
    results = graph.evaluate()
    # the slides: x = 2, y = 7, z = 14; dz/dx = 7, dz/dy = 2, dz/da = 7, dz/db = 9, dz/dc = 2
    assert [results.value(n) for n in "xyz"] == [2.0, 7.0, 14.0]
    assert [results.grad(n) for n in "xyabc"] == [7.0, 2.0, 7.0, 9.0, 2.0]


def test_siegen_chain_rule_with_other_inputs():
    # Siegen, slide 4: d = x + y, e = d z, L = (e − 1)²; dL/dx = 1 · z · 2(e − 1)
    for x, y, z in [(1.0, 2.0, 1.0), (0.5, -2.0, 3.0)]:
        X, Y, Z = gs.Var(x, name="x"), gs.Var(y, name="y"), gs.Var(z, name="z")
        L = ((X + Y) * Z - 1) ** 2
        L.backward()
        e = (x + y) * z
        assert L.value == pytest.approx((e - 1) ** 2)
        assert X.grad == pytest.approx(z * 2 * (e - 1))
        assert Z.grad == pytest.approx((x + y) * 2 * (e - 1))
    assert gs.load(examples_dir() / "siegen_backprop.gs").evaluate().grad("x") == 4.0  # the slide


def test_seoul_network_with_l2_from_the_lecture_file():
    # Seoul, "Back propagation": g = 2(ŷ − y), ∇v = g h + 2λv, ∇a = g v ⊙ σ'(a),
    # ∇W = ∇a xᵀ + 2λW, written out with numpy
    results = gs.load(examples_dir() / "seoul_mlp_l2.gs").evaluate()
    x, y, lam = np.array([1.0, -1.0]), 0.5, 0.01
    W = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
    v = np.array([0.6, -0.2, 0.4])
    h = sigmoid(W @ x)
    gy = 2 * (v @ h - y)
    grad_a = gy * v * h * (1 - h)
    np.testing.assert_allclose(results.grad("v"), gy * h + 2 * lam * v, rtol=1e-12)
    np.testing.assert_allclose(results.grad("W"), np.outer(grad_a, x) + 2 * lam * W, rtol=1e-12)


def test_seoul_network_traced_with_arrays():
    # the same network built with Python: J = (vᵀσ(Wx) − y)² + λ(‖W‖² + ‖v‖²)
    xv, yv, lam = np.array([1.0, -1.0]), 0.5, 0.01
    Wv = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
    vv = np.array([0.6, -0.2, 0.4])
    W, v = gs.Var(Wv, name="W", trainable=True), gs.Var(vv, name="v", trainable=True)
    yhat = v @ gs.sigmoid(W @ xv)
    J = (yhat - yv) ** 2 + lam * (gs.sum(W ** 2) + gs.sum(v ** 2))
    J.backward()
    h = sigmoid(Wv @ xv)
    gy = 2 * (vv @ h - yv)
    assert J.value == pytest.approx((vv @ h - yv) ** 2 + lam * (np.sum(Wv**2) + np.sum(vv**2)))
    np.testing.assert_allclose(v.grad, gy * h + 2 * lam * vv, rtol=1e-12)
    np.testing.assert_allclose(W.grad, np.outer(gy * vv * h * (1 - h), xv) + 2 * lam * Wv,
                               rtol=1e-12)


def test_cmu_softmax_cross_entropy_gradient_is_Y_minus_d():
    # 11-785 lecture 5: for softmax with cross-entropy, dDiv/dz = Y − d
    yv = np.array([0.5, -1, 2])
    Wv = np.array([[0.1, 0.2, -0.1], [-0.3, 0.4, 0.2], [0.05, -0.2, 0.3]])
    bv = np.array([0, 0.1, -0.1])
    d = np.array([0.0, 0.0, 1.0])
    W, b = gs.Var(Wv, name="W"), gs.Var(bv, name="b")
    z = W @ yv + b
    Div = gs.cross_entropy(gs.softmax(z), d)
    Div.backward()
    zv = Wv @ yv + bv
    Y = np.exp(zv) / np.sum(np.exp(zv))
    assert Div.value == pytest.approx(-np.log(Y[2]))
    np.testing.assert_allclose(z.grad, Y - d, atol=1e-12)
    np.testing.assert_allclose(W.grad, np.outer(Y - d, yv), atol=1e-12)


def test_cmu_relu_and_max_subgradients():
    # 11-785: relu'(0) = 0 (PyTorch's choice) and max sends the gradient to the argmax
    W = gs.Var([[1, -0.5], [-1, -1], [0.5, 1]], name="W")
    z = gs.relu(W @ [1.0, 2.0])  # W x = [0, −3, 2.5]
    y = gs.max(z)
    np.testing.assert_array_equal(z.value, [0.0, 0.0, 2.5])
    y.backward()
    np.testing.assert_array_equal(z.grad, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(W.grad, [[0, 0], [0, 0], [1, 2]])
