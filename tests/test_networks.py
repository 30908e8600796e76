"""The network builder: matrix form and scalar neurons compute the same thing."""

import numpy as np
import pytest

from graphstudio.core.dataset import parse_csv
from graphstudio.core.networks import NetworkSpec, activations, build_network, initial_weights
from graphstudio.core.ops import Op, register, unregister
from graphstudio.core.train import Trainer
from graphstudio.io.gs import parse_text, write_text

REG = "x1,x2,y\n0.5,-1,0.3\n-0.2,0.4,-0.7\n1.5,0.1,0.9\n-1,-0.6,0.2\n"
CLS = "x1,x2,label\n0.5,-1,0\n-0.2,0.4,1\n1.5,0.1,2\n-1,-0.6,1\n"

CASES = [
    (NetworkSpec((2, 3, 1), "sigmoid", "squared", targets=("y",), dataset="r.csv"), REG),
    (NetworkSpec((2, 4, 3, 1), "relu", "squared", targets=("y",), seed=5), REG),
    (NetworkSpec((2, 3, 3), "tanh", "softmax_ce", seed=2), CLS),
    (NetworkSpec((2, 3, 3), "sigmoid", "softmax_ce", seed=4, l2=0.01), CLS),
    (NetworkSpec((2, 2, 1), "tanh", "squared", targets=("y",), l2=0.1), REG),
]


def both_forms(spec):
    kw = {k: getattr(spec, k) for k in spec.__dataclass_fields__}
    return (build_network(NetworkSpec(**{**kw, "form": "matrix"})),
            build_network(NetworkSpec(**{**kw, "form": "scalar"})))


def scalar_grad_of(gs, ev, layer, shape, kind):
    if kind == "W":
        return np.array([[ev.grads[gs.by_name(f"w{layer}_{j + 1}_{k + 1}")] for k in range(shape[1])]
                         for j in range(shape[0])])
    return np.array([ev.grads[gs.by_name(f"b{layer}_{j + 1}")] for j in range(shape[0])])


@pytest.mark.parametrize("spec, csv", CASES)
def test_matrix_and_scalar_forms_give_the_same_loss_and_gradients(spec, csv):
    ds = parse_csv(csv, "d.csv")
    gm, gs = both_forms(spec)
    tm, ts = Trainer(gm, ds), Trainer(gs, ds)
    for row in range(len(ds)):
        em, es = tm.evaluation(row), ts.evaluation(row)
        assert em.values[em.output] == pytest.approx(es.values[es.output], abs=1e-12)
        for layer in range(1, len(spec.sizes)):
            for kind in "Wb":
                gm_ = em.grads[gm.by_name(f"{kind}{layer}")]
                np.testing.assert_allclose(scalar_grad_of(gs, es, layer, np.shape(gm_), kind),
                                           gm_, rtol=0, atol=1e-9)
    # and a training step moves both the same way
    list(tm.run(3)), list(ts.run(3))
    assert tm.loss() == pytest.approx(ts.loss(), abs=1e-9)


def test_matrix_form_computes_the_network_by_hand():
    spec = NetworkSpec((2, 3, 1), "tanh", "squared", targets=("y",), seed=1)
    gm = build_network(spec)
    (W1, b1), (W2, b2) = initial_weights((2, 3, 1), seed=1)
    ds = parse_csv(REG, "d.csv")
    t = Trainer(gm, ds)
    x, y = ds.values[0, :2], ds.values[0, 2]
    out = W2 @ np.tanh(W1 @ x + b1) + b2
    ev = t.evaluation(0)
    assert ev.values[ev.output] == pytest.approx(float(np.sum((out - y) ** 2)), rel=1e-12)
    np.testing.assert_array_equal(gm.value(gm.by_name("W1")), W1)


def test_softmax_cross_entropy_by_hand():
    spec = NetworkSpec((2, 2, 3), "sigmoid", "softmax_ce", seed=3)
    gm = build_network(spec)
    (W1, b1), (W2, b2) = initial_weights((2, 2, 3), seed=3)
    ds = parse_csv(CLS, "d.csv")
    x, label = ds.values[2, :2], int(ds.values[2, 2])
    z = W2 @ (1 / (1 + np.exp(-(W1 @ x + b1)))) + b2
    p = np.exp(z) / np.exp(z).sum()
    ev = Trainer(gm, ds).evaluation(2)
    assert ev.values[ev.output] == pytest.approx(-np.log(p[label]), rel=1e-12)
    # dL/dz2 = p - onehot (11-785: softmax with cross-entropy)
    np.testing.assert_allclose(ev.grads[gm.by_name("z2")], p - np.eye(3)[label], atol=1e-12)


def test_weights_come_from_the_seed():
    a, b, c = (initial_weights((2, 3, 1), s) for s in (0, 0, 1))
    assert all(np.array_equal(x, y) for (x, _), (y, _) in zip(a, b))
    assert not np.array_equal(a[0][0], c[0][0])
    assert a[0][0].shape == (3, 2) and a[0][1].shape == (3,) and a[1][0].shape == (1, 3)


def test_names_and_bindings():
    gm, gs = both_forms(NetworkSpec((2, 3, 2), "relu", "softmax_ce", dataset="c.csv"))
    assert {"x", "t", "W1", "b1", "z1", "h1", "W2", "b2", "z2", "p", "L"} <= set(gm.names())
    assert gm.node(gm.by_name("x")).data == ("x1", "x2")
    assert gm.node(gm.by_name("t")).onehot == 2
    W = initial_weights((2, 3, 2), 0)[0][0]
    # w1_2_1 feeds input 1 into unit 2 of layer 1: W1[1, 0]
    assert gs.value(gs.by_name("w1_2_1")) == W[1, 0]
    assert gs.node(gs.by_name("w1_2_1")).trainable
    assert {"x_1", "x_2", "t_1", "t_2", "z1_3", "h1_3", "z2_2", "p_2", "L"} <= set(gs.names())
    assert gs.node(gs.by_name("t_2")).equals == 1.0
    assert gm.meta["dataset"] == gs.meta["dataset"] == "c.csv"
    assert gm.default_output() == gm.by_name("L")


@pytest.mark.parametrize("form", ["matrix", "scalar"])
def test_laid_out_by_layers(form):
    g = build_network(NetworkSpec((2, 3, 1), form=form, l2=0.01))
    pos = {n: g.position(n) for n in g.nodes()}
    assert all(p is not None for p in pos.values())
    assert len(set(pos.values())) == len(pos)  # no two nodes on one spot
    xs = {n: p[0] for n, p in pos.items()}
    loss = g.by_name("L")
    assert xs[loss] == max(xs.values())
    first = g.by_name("x") if form == "matrix" else g.by_name("x_1")
    assert xs[first] == min(xs.values())
    for parent, child, _port in g.edges():
        assert xs[parent] < xs[child]  # every edge runs left to right
    h = "h1" if form == "matrix" else "h1_1"
    assert xs[first] < xs[g.by_name(h)] < xs[loss]


@pytest.mark.parametrize("form", ["matrix", "scalar"])
def test_round_trips_through_gs_text(form):
    spec = NetworkSpec((2, 2, 2), "tanh", "softmax_ce", form=form, l2=0.05, dataset="c.csv")
    g = build_network(spec)
    text = write_text(g)
    back = parse_text(text)
    ds = parse_csv(CLS.replace("2\n", "1\n"), "c.csv")
    assert Trainer(back, ds).loss() == pytest.approx(Trainer(g, ds).loss(), abs=1e-12)
    assert text.startswith('dataset("c.csv")\n')


@pytest.mark.parametrize("kw, message", [
    ({"sizes": (2,)}, "at least an input and an output"),
    ({"sizes": (2, 0, 1)}, "each >= 1"),
    ({"sizes": (2, 1), "activation": "swish"}, "choose one of sigmoid, tanh, relu"),
    ({"sizes": (2, 1), "loss": "hinge"}, "choose one of squared, softmax_ce"),
    ({"sizes": (2, 1), "loss": "softmax_ce"}, "at least 2 output classes"),
    ({"sizes": (2, 1), "inputs": ("a",)}, "1 input columns for 2 inputs"),
    ({"sizes": (2, 3), "loss": "softmax_ce", "targets": ("a", "b")}, "2 target columns, expected 1"),
    ({"sizes": (2, 1), "form": "tensor"}, "choose one of matrix, scalar"),
])
def test_bad_specs(kw, message):
    with pytest.raises(ValueError, match=message):
        NetworkSpec(**kw)


SOFTPLUS = Op(
    name="softplus", arity=(1,), symbol="softplus", description="log(1 + exp(x))",
    forward=lambda x: np.logaddexp(0.0, x), vjp=lambda g, a, o: (g / (1.0 + np.exp(-a[0])),),
    formulas=("σ({0})",), sympy=lambda x: __import__("sympy").log(1 + __import__("sympy").exp(x)),
    call="softplus", category="activations",
)


@pytest.mark.parametrize("form", ["matrix", "scalar"])
def test_an_activation_registered_later_builds_a_network(form):
    """The activations are the registry's: registering one offers it to the builder (and to
    the New Network dialog, which lists the same function's names)."""
    assert "softplus" not in activations()
    register(SOFTPLUS)
    try:
        assert activations()[0] == "sigmoid" and "softplus" in activations()
        g = build_network(NetworkSpec((1, 1, 1), "softplus", form=form))
        assert any(g.op(n) == "softplus" for n in g.nodes())
    finally:
        unregister("softplus")
    with pytest.raises(ValueError, match="choose one of sigmoid, tanh, relu"):
        NetworkSpec((1, 1, 1), "softplus")
