"""Training batched over the data: the batched pass gives the numbers of the engine run one
example at a time (the reference), for every shipped training example and every op with a
batch rule; a graph it cannot batch falls back, and says why."""

import math

import numpy as np
import pytest

from graphstudio.core import train as train_module
from graphstudio.core.batch import BatchPlan, BatchRefused, evaluate_batch
from graphstudio.core.dataset import load_for_graph, parse_csv
from graphstudio.core.engine import evaluate
from graphstudio.core.networks import NetworkSpec, build_network
from graphstudio.core.ops import Op, register, unregister
from graphstudio.core.train import Diverged, Trainer
from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file, parse_text

from new_op import unbatchable  # noqa: F401  (the fixture)

DATA = examples_dir() / "data"


def example(name):
    g = parse_file(examples_dir() / name)
    return g, load_for_graph(g, examples_dir())


def network(form, loss="squared", l2=0.0, dataset="seoul_plane.csv"):
    if loss == "softmax_ce":
        spec = NetworkSpec((2, 4, 2), "tanh", loss, ("x1", "x2"), ("label",), dataset, form,
                           l2=l2)
    else:
        spec = NetworkSpec((2, 4, 1), "sigmoid", loss, ("x1", "x2"), ("y",), dataset, form,
                           l2=l2)
    g = build_network(spec)
    return g, load_for_graph(g, DATA)


#: every shipped training example and the New Network defaults, in both forms, with the
#: bindings (onehot, equals) and the L2 term their variants use
GRAPHS = {
    "siegen_fit_curve": lambda: example("siegen_fit_curve.gs"),
    "seoul_sgd_l2": lambda: example("seoul_sgd_l2.gs"),
    "cmu11785_classify": lambda: example("cmu11785_classify.gs"),
    "new network, matrix": lambda: network("matrix"),
    "new network, scalar neurons": lambda: network("scalar"),
    "new network, matrix, softmax (onehot), L2": lambda: network(
        "matrix", "softmax_ce", 0.01, "two_blobs.csv"),
    "new network, scalar neurons, softmax (equals), L2": lambda: network(
        "scalar", "softmax_ce", 0.01, "two_blobs.csv"),
}


def run(make, batched, steps, **kw):
    g, ds = make()
    t = Trainer(g, ds, schedule=0.3, batched=batched, **kw)
    records = [t.step() for _ in range(steps)]
    return t, records


@pytest.mark.parametrize("batch_size", [None, 8, 7], ids=["full batch", "batch 8", "batch 7"])
@pytest.mark.parametrize("name", list(GRAPHS))
def test_batched_steps_equal_the_per_example_steps(name, batch_size):
    batched, records = run(GRAPHS[name], True, 12, batch_size=batch_size, seed=3)
    reference, expected = run(GRAPHS[name], False, 12, batch_size=batch_size, seed=3)
    assert batched.batched and batched.batch_refusal is None
    assert not reference.batched
    assert batched.initial_loss == pytest.approx(reference.initial_loss, rel=1e-9, abs=0)
    for got, want in zip(records, expected):
        assert got.batch == want.batch
        assert got.loss == pytest.approx(want.loss, rel=1e-9, abs=0)
        assert got.grad_norm == pytest.approx(want.grad_norm, rel=1e-9)
        for n in want.grads:
            np.testing.assert_allclose(got.grads[n], want.grads[n], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(got.params[n], want.params[n], rtol=1e-9, atol=1e-12)
    assert batched.loss() == pytest.approx(reference.loss(), rel=1e-9, abs=0)


def test_a_batched_step_does_not_evaluate_examples_one_at_a_time(monkeypatch):
    g, ds = example("seoul_sgd_l2.gs")
    t = Trainer(g, ds, schedule=0.3)
    calls = []
    monkeypatch.setattr(train_module, "evaluate", lambda *a, **k: calls.append(a))
    t.step()
    t.loss()
    assert calls == []


def test_the_l2_term_is_counted_once_per_step():
    # Seoul: J(i) = (yhat_i - y_i)^2 + lam (|W|^2 + |v|^2); the step's loss is the mean of the
    # J(i), so the penalty, the same in each, counts once, and so does its gradient 2 lam W
    g, ds = example("seoul_sgd_l2.gs")
    t = Trainer(g, ds, schedule=0.5)
    W, v = (np.array(g.value(g.by_name(n))) for n in ("W", "v"))
    lam = 0.001
    X, y = ds.values[:, :2], ds.values[:, 2]
    H = 1 / (1 + np.exp(-X @ W.T))
    r = H @ v - y
    rec = t.step()
    assert rec.loss == pytest.approx(np.mean(r ** 2) + lam * (np.sum(W ** 2) + np.sum(v ** 2)),
                                     rel=1e-12)
    gv = H.T @ (2 * r) / len(y) + 2 * lam * v
    gW = ((2 * r)[:, None] * v * H * (1 - H)).T @ X / len(y) + 2 * lam * W
    np.testing.assert_allclose(rec.grads[g.by_name("v")], gv, rtol=1e-12)
    np.testing.assert_allclose(rec.grads[g.by_name("W")], gW, rtol=1e-12)


def test_a_loss_that_does_not_depend_on_the_data():
    text = 'dataset("d.csv")\nx = data("x")\nw = param(3)\nu = w * x\nL = (w - 1) ** 2'
    ds = parse_csv("x\n1\n2\n3\n", "d.csv")
    t = Trainer(parse_text(text), ds, schedule=0.25)
    assert t.batched
    assert [t.step().loss for _ in range(3)] == [4.0, 1.0, 0.25]


def test_a_nan_loss_on_a_batch_diverges_as_one_example_at_a_time_does():
    text = 'dataset("d.csv")\nx = data("x")\nw = param(2)\nL = (w - 1) ** 2 + log(w * x)'
    ds = parse_csv("x\n1\n2\n", "d.csv")
    messages = []
    for batched in (True, False):
        t = Trainer(parse_text(text), ds, schedule=5, batched=batched)
        assert t.batched == batched
        with pytest.raises(Diverged) as info:
            list(t.run(10))
        messages.append((str(info.value), t.parameters()))
    assert messages[0] == messages[1]
    assert "the loss is nan" in messages[0][0]


# ---- every op's batch rule against the engine, one example at a time ------------------------------


def per_example(graph, inputs, output):
    """The engine on each example: values and gradients by node, stacked (the reference)."""
    evs = []
    for k in range(len(next(iter(inputs.values())))):
        h = graph.copy()
        for n, rows in inputs.items():
            h.set_value(n, rows[k])
        evs.append(evaluate(h, output))
    return evs


def assert_batch_matches(text, shapes, batch=4, seed=0, positive=()):
    """Evaluate ``text`` with the inputs named in ``shapes`` batched (one example's shape
    each), and compare every node with the engine on each example."""
    g = parse_text(text)
    rng = np.random.default_rng(seed)
    inputs = {}
    for name, shape in shapes.items():
        rows = rng.normal(size=(batch,) + shape)
        inputs[g.by_name(name)] = np.abs(rows) + 0.1 if name in positive else rows
    out = g.default_output()
    ev = evaluate_batch(g, inputs, out)
    reference = per_example(g, inputs, out)
    for n in g.nodes():
        if g.node(n).op == "const":
            continue
        if ev.batched(n):
            want_v = np.stack([np.asarray(r.values[n]) for r in reference])
            want_g = np.stack([np.asarray(r.grads[n]) for r in reference])
        else:
            want_v = reference[0].values[n]
            want_g = sum(np.asarray(r.grads[n]) for r in reference)
        np.testing.assert_allclose(ev.values[n], want_v, rtol=1e-12, atol=1e-14,
                                   err_msg=f"value of {g.label(n)}")
        np.testing.assert_allclose(ev.grads.get(n, 0.0), want_g, rtol=1e-10, atol=1e-12,
                                   err_msg=f"gradient of {g.label(n)}")
    return g, ev


@pytest.mark.parametrize("fn", ["sum", "mean", "max", "min", "softmax", "transpose", "exp",
                                "tanh", "sigmoid", "relu", "abs", "sin", "stop_gradient", "-"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)], ids=["number", "vector", "matrix"])
def test_unary_ops_on_a_batch(fn, shape):
    call = f"-x" if fn == "-" else f"{fn}(x)"
    c_shape = np.shape(np.transpose(np.zeros(shape))) if fn == "transpose" else shape
    c = np.arange(1, 1 + int(np.prod(c_shape))).reshape(c_shape) / 7 if c_shape else 0.3
    if fn in ("sum", "mean", "max", "min"):
        c = 0.3
    text = f"x = {np.zeros(shape).tolist() if shape else 0}\nw = param({np.asarray(c).tolist()})\n" \
           f"u = {call}\nL = sum(w * u * u)"
    assert_batch_matches(text, {"x": shape})


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**", "max", "min"])
@pytest.mark.parametrize("batched", ["a", "b", "both"])
@pytest.mark.parametrize("shapes", [((), ()), ((), (3,)), ((3,), ()), ((2, 3), (3,)),
                                    ((3,), (2, 3))], ids=str)
def test_elementwise_ops_line_up_one_example_s_axes(op, batched, shapes):
    # a batched number times a shared vector is a vector per example, not numpy's (B,) * (3,)
    sa, sb = shapes
    expr = f"{op}(a, b)" if op in ("max", "min") else f"a {op} b"
    which = {"a": {"a": sa}, "b": {"b": sb}, "both": {"a": sa, "b": sb}}[batched]
    text = (f"a = {np.full(sa, 0.7).tolist() if sa else 0.7}\n"
            f"b = {np.full(sb, 1.3).tolist() if sb else 1.3}\n"
            f"u = {expr}\nL = sum(u * u)")
    assert_batch_matches(text, which, positive={"a", "b"} if op in ("**", "/") else ())


@pytest.mark.parametrize("fn", ["sqerr", "mse", "cross_entropy"])
@pytest.mark.parametrize("batched", ["a", "b", "both"])
@pytest.mark.parametrize("shapes", [((), ()), ((3,), (3,)), ((3,), ()), ((2, 3), (3,))], ids=str)
def test_losses_on_a_batch(fn, batched, shapes):
    sa, sb = shapes
    which = {"a": {"p": sa}, "b": {"t": sb}, "both": {"p": sa, "t": sb}}[batched]
    text = (f"p = {np.full(sa, 0.4).tolist() if sa else 0.4}\n"
            f"t = {np.full(sb, 0.6).tolist() if sb else 0.6}\n"
            f"w = param(1.5)\nL = {fn}(w * p, t)")
    assert_batch_matches(text, which, positive={"p"} if fn == "cross_entropy" else ())


@pytest.mark.parametrize("batched", ["a", "b", "both"])
@pytest.mark.parametrize("shapes", [((2, 3), (3,)), ((3,), (3, 2)), ((3,), (3,)), ((2, 3), (3, 4)),
                                    ((2, 2, 3), (3,)), ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)),
                                    ((2, 2, 3), (2, 3, 4))], ids=str)
def test_matmul_on_a_batch(batched, shapes):
    # np.matmul's own rules in each example: a vector is a row on the left, a column on the
    # right, and stacks of matrices broadcast; never against the batch axis
    sa, sb = shapes
    which = {"a": {"a": sa}, "b": {"b": sb}, "both": {"a": sa, "b": sb}}[batched]
    text = (f"a = {np.full(sa, 0.5).tolist()}\nb = {np.full(sb, 0.25).tolist()}\n"
            f"u = a @ b\nL = sum(u * u)")
    assert_batch_matches(text, which)


def test_a_network_over_a_grid_of_points():
    # what a decision-boundary view needs: the network's output for many points in one pass
    g, _ds = network("matrix", "softmax_ce", 0.0, "two_blobs.csv")
    u, v = np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 1, 5))
    points = np.stack([u.ravel(), v.ravel()], axis=1)
    x, p = g.by_name("x"), g.by_name("p")
    ev = evaluate_batch(g, {x: points}, p, gradients=False)
    assert ev.size == 35 and ev.grads == {}
    assert ev.values[p].shape == (35, 2)
    for k in (0, 17, 34):
        h = g.copy()
        h.set_value(x, points[k])
        np.testing.assert_allclose(ev.values[p][k], evaluate(h).values[p], rtol=1e-12)
    # the same plan, other points: no new plan, same answers as the engine
    again = evaluate_batch(g, {x: points[::-1]}, p, gradients=False, plan=ev.plan)
    np.testing.assert_allclose(again.values[p], ev.values[p][::-1], rtol=1e-15)
    W1 = g.by_name("W1")
    assert not ev.batched(W1) and ev.rows(W1).shape == (35, 4, 2)


def test_nodes_limits_the_work_to_what_is_asked():
    g = parse_text("x = 1\ny = 2\na = x * y\nb = y * 3\nc = a + 1")
    a, b, c = (g.by_name(n) for n in "abc")
    ev = evaluate_batch(g, {g.by_name("x"): [1.0, 2.0]}, a, nodes=())
    assert set(ev.values) == {g.by_name("x"), g.by_name("y"), a}
    ev = evaluate_batch(g, {g.by_name("x"): [1.0, 2.0]}, a, nodes=[c])
    assert c in ev.values and b not in ev.values
    assert ev.values[c].tolist() == [3.0, 5.0]


@pytest.mark.parametrize("inputs, message", [
    ({}, "no batched input"),
    ({"a": [1.0]}, "a is not an input"),
    ({"x": [[1.0, 2.0]]}, "shape mismatch"),
    ({"x": 1.0}, "expected the values of one or more examples"),
])
def test_bad_batches_are_refused_with_a_message(inputs, message):
    g = parse_text("x = 1\nv = [1, 2, 3]\na = x * v")
    with pytest.raises(BatchRefused, match=message):
        evaluate_batch(g, {g.by_name(k): v for k, v in inputs.items()})


def test_examples_of_another_shape_are_refused_by_a_plan():
    g = parse_text("x = [1, 2]\nL = sum(x * x)")
    x = g.by_name("x")
    plan = BatchPlan(g, {x: np.ones((3, 2))})
    with pytest.raises(BatchRefused, match=r"x: expected examples of shape \(2,\)"):
        plan.run({x: np.ones((3, 4))})


# ---- what cannot be batched falls back to one example at a time ------------------------------------

SPREAD = 'dataset("d.csv")\nx = data("x")\nw = param(0.5)\nu = {call}\nL = (u - 1) ** 2'
ROWS = "x\n1\n2\n-1\n3\n0.5\n"


@pytest.fixture
def mixing():
    """``centre(x)``: says it is elementwise, but takes the mean off across the batch axis,
    which one example at a time would not (x − x = 0)."""
    op = register(Op(name="centre", arity=(1,), symbol="c", description="x − mean(x)",
                     forward=lambda x: np.asarray(x) - np.mean(x), vjp=lambda g, a, o: (g,),
                     formulas=("1",), sympy=lambda x: x, call="centre"))
    yield op
    unregister("centre")


@pytest.mark.parametrize("call, fixture, message", [
    ("spread(w * x)", "unbatchable", "u: spread has no rule for a batch of examples"),
    ("centre(w * x) + w * x", "mixing", "is not what one example at a time gives"),
])
def test_a_graph_that_cannot_be_batched_is_trained_one_example_at_a_time(call, fixture, message,
                                                                          request):
    request.getfixturevalue(fixture)
    text = SPREAD.format(call=call)
    ds = parse_csv(ROWS, "d.csv")
    t = Trainer(parse_text(text), ds, schedule=0.05)
    assert not t.batched
    assert message in t.batch_refusal
    reference = Trainer(parse_text(text), ds, schedule=0.05, batched=False)
    assert [r.loss for r in t.run(5)] == [r.loss for r in reference.run(5)]


def test_a_parameter_bound_to_the_dataset_is_not_batched():
    g = parse_text('dataset("d.csv")\nx = data("x")\nw = param(0.5)\nL = (w * x - 1) ** 2')
    g.set_attr(g.by_name("w"), "data", "x")
    t = Trainer(g, parse_csv(ROWS, "d.csv"), schedule=0.05)
    assert not t.batched and "w is both a parameter and bound to the dataset" in t.batch_refusal
    assert math.isfinite(t.step().loss)
