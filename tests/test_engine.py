"""The engine: backward on random graphs, repeatability, incremental re-evaluation, errors,
graph edits it refuses, parallel edges, and long chains without recursion."""

from __future__ import annotations

import copy
import math
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graphstudio.core.engine import Evaluator, backward_steps, evaluate, forward_steps
from graphstudio.core.explain import check
from graphstudio.core.graph import Graph, GraphError
from graphstudio.io.gs import parse_text

# ---- random graphs against finite differences ---------------------------------------------------

#: Smooth ops and an independent numpy reference for each.
SMOOTH = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "neg": np.negative,
    "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "exp": np.exp,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
}
UNARY = {"neg", "sin", "cos", "tanh", "exp", "sigmoid"}


@st.composite
def random_graphs(draw):
    """(inputs, steps): input values, then ops as (name, parent indices) over earlier nodes."""
    n_inputs = draw(st.integers(1, 3))
    values = [draw(st.lists(st.floats(-2, 2), min_size=3, max_size=3)) for _ in range(n_inputs)]
    # each input a scalar or a vector: ops between the two broadcast
    vector = [draw(st.booleans()) for _ in range(n_inputs)]
    inputs = [np.array(v) if vec else float(v[0]) for v, vec in zip(values, vector)]
    steps = []
    for k in range(draw(st.integers(1, 12))):
        name = draw(st.sampled_from(sorted(SMOOTH)))
        count = 1 if name in UNARY else 2
        parents = [draw(st.integers(0, n_inputs + k - 1)) for _ in range(count)]
        steps.append((name, parents))
    return inputs, steps


def intermediates(inputs, steps):
    """Every node's value, computed with numpy without GraphStudio."""
    vals = list(inputs)
    for name, parents in steps:
        vals.append(SMOOTH[name](*[vals[p] for p in parents]))
    return vals


def reference(inputs, steps):
    """The output's sum."""
    return float(np.sum(intermediates(inputs, steps)[-1]))


def build(inputs, steps):
    g = Graph()
    nodes = [g.add_input(f"x{k}", v) for k, v in enumerate(inputs)]
    for name, parents in steps:
        nodes.append(g.add_op(name, [nodes[p] for p in parents]))
    out = g.add_op("sum", [nodes[-1]], name="out")
    return g, nodes[: len(inputs)], out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_graphs())
def test_random_graph_gradients_match_finite_differences(case):
    inputs, steps = case
    with np.errstate(all="ignore"):
        vals = intermediates(inputs, steps)
    # Keep to graphs that are well conditioned for a central difference: every intermediate
    # finite and moderate (exp(exp(exp(x))) overflows, and the engine rightly warns about it;
    # huge values make the difference quotient itself inaccurate).
    assume(all(np.all(np.isfinite(v)) and np.all(np.abs(v) < 1e3) for v in vals))
    f0 = float(np.sum(vals[-1]))
    g, ins, out = build(inputs, steps)
    ev = evaluate(g)
    assert ev.errors == {}
    assert ev.values[out] == pytest.approx(f0, rel=1e-12, abs=1e-12)
    for k, node in enumerate(ins):
        x = np.array(inputs[k], dtype=float, ndmin=1)
        numeric = np.zeros_like(x)
        for j in range(x.size):
            h = 1e-6
            vals = []
            for sign in (1, -1):
                trial = list(inputs)
                t = x.copy()
                t.flat[j] += sign * h
                trial[k] = float(t[0]) if np.ndim(inputs[k]) == 0 else t
                vals.append(reference(trial, steps))
            numeric.flat[j] = (vals[0] - vals[1]) / (2 * h)
        got = np.array(ev.grads[node], dtype=float, ndmin=1)
        scale = max(1.0, float(np.max(np.abs(numeric))))
        np.testing.assert_allclose(got, numeric, rtol=1e-4, atol=1e-6 * scale)


# ---- repeatability ----------------------------------------------------------------------------


def snapshot(graph):
    records = {n: graph.node(n)._asdict() for n in graph.nodes()}
    return copy.deepcopy(records), sorted(graph.edges()), graph.output


def same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


SEOUL = """
x = [1, -1]
W = param([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
v = param([0.6, -0.2, 0.4])
h = sigmoid(W @ x)
J = (v @ h - 0.5) ** 2 + 0.01 * sum(W ** 2)
"""


def test_backward_twice_gives_identical_numbers_and_leaves_the_graph_alone():
    graph = parse_text(SEOUL)
    before = snapshot(graph)
    first = evaluate(graph)
    second = evaluate(graph)
    assert same(first.grads, second.grads)
    assert same(first.values, second.values)
    assert same(snapshot(graph), before)
    assert all("grad" not in graph.node(n)._asdict() for n in graph.nodes())


# ---- incremental re-evaluation ------------------------------------------------------------------


def test_set_input_recomputes_only_descendants_and_agrees_with_full_evaluate():
    graph = parse_text("a = 1\nb = 2\nc = 3\np = a * b\nq = sin(c)\nr = p + q\ns = exp(q)\n"
                       "out = r * s")
    n = graph.by_name
    ev0 = Evaluator(graph)
    full = ev0.evaluate()
    assert full.recomputed == set(graph.nodes())
    ev1 = ev0.set_input(n("a"), 5.0)
    assert ev1.recomputed == {n("a"), n("p"), n("r"), n("out")}
    fresh = evaluate(graph)
    assert same(ev1.values, fresh.values)
    assert same(ev1.grads, fresh.grads)
    assert ev1.values[n("p")] == 10.0
    ev2 = ev0.set_input(n("c"), 0.5)
    assert ev2.recomputed == {n("c"), n("q"), n("r"), n("s"), n("out")}
    assert ev2.values[n("out")] == pytest.approx((10 + math.sin(0.5)) * math.exp(math.sin(0.5)))
    assert same(ev2.grads, evaluate(graph).grads)


def test_a_scrubbed_input_reaches_the_nodes_added_since_its_last_drag():
    # the evaluator keeps an input's descendants between the steps of a drag: a node added
    # below the input afterwards must be recomputed when the input is set again
    graph = parse_text("a = 1\nb = 2\np = a * b")
    n = graph.by_name
    ev = Evaluator(graph)
    ev.evaluate()
    assert ev.set_input(n("a"), 2.0).values[n("p")] == 4.0  # a drag: its descendants found
    assert ev.set_input(n("a"), 3.0).values[n("p")] == 6.0  # and kept
    q = graph.add_op("sin", [n("a")], name="q")  # a new node below a
    ev.set_input(n("b"), 5.0)  # the next pass compiles the new structure
    for value in (0.25, 0.5):  # the next drag over a: q follows it at every step
        result = ev.set_input(n("a"), value)
        assert q in result.recomputed and result.values[q] == math.sin(value)
        assert result.values[n("p")] == value * 5.0


def test_set_input_picks_up_values_changed_on_the_graph_directly():
    graph = parse_text("a = 1\nb = 2\nc = 7\nz = a * b\nw = c + 1")
    n = graph.by_name
    ev = Evaluator(graph)
    ev.evaluate()
    graph.set_value(n("a"), 5.0)  # e.g. an undo command, bypassing the evaluator
    result = ev.set_input(n("b"), 3.0, output=n("z"))
    assert result.values[n("z")] == 15.0
    assert result.grads[n("b")] == 5.0
    assert result.recomputed == {n("a"), n("b"), n("z")}
    assert ev.set_input(n("c"), 0.0).recomputed == {n("c"), n("w")}


def test_evaluator_recompiles_after_an_edit():
    graph = parse_text("a = 2\nb = 3\nz = a * b")
    ev = Evaluator(graph)
    ev.evaluate()
    z = graph.by_name("z")
    graph.set_op(z, "add")
    assert ev.set_input(graph.by_name("a"), 4.0).values[z] == 7.0


# ---- errors -----------------------------------------------------------------------------------


def test_domain_errors_are_warnings_and_the_rest_still_evaluates():
    graph = parse_text("x = -1\nzero = 0\nl = log(x)\nd = 1 / zero\nok = x * 3\n"
                       "out = ok + 1")
    n = graph.by_name
    ev = evaluate(graph)
    assert math.isnan(ev.values[n("l")])
    assert ev.values[n("d")] == math.inf
    assert ev.values[n("out")] == -2.0
    assert ev.grads[n("x")] == 3.0
    warned = {w.node: w for w in ev.warnings}
    assert set(warned) == {n("l"), n("d")}
    assert all(w.kind == "domain" for w in warned.values())
    assert warned[n("l")].message == "log of -1 is nan"
    assert warned[n("d")].message == "div of 1, 0 is inf"
    assert ev.fatal_errors == []


def test_missing_argument_and_unconnected_port():
    g = Graph()
    x = g.add_input("x", 2.0)
    s = g.add_node("add", name="s")
    g.connect(x, s, 0)
    t = g.add_op("neg", [s], name="t")
    ev = evaluate(g)
    assert ev.errors[s].kind == "missing"
    assert ev.errors[s].message == "argument 2 of s (add) is not connected"
    assert ev.errors[t].kind == "upstream"
    assert ev.values[t] is None
    assert [e.node for e in ev.fatal_errors] == [s]


def test_input_without_value_is_missing():
    g = Graph()
    x = g.add_input("x", None)
    y = g.add_op("exp", [x], name="y")
    ev = evaluate(g)
    assert ev.errors[x].message == "input x has no value"
    assert ev.errors[y].kind == "upstream"


def test_shape_mismatch_is_an_error_of_that_node():
    graph = parse_text("a = [[1, 2]]\nb = [1, 2, 3]\nc = a @ b")
    ev = evaluate(graph)
    err = ev.errors[graph.by_name("c")]
    assert err.kind == "shape"
    assert err.message == "shape mismatch: matmul of shapes (1, 2) and (3,)"


def test_connect_refuses_a_cycle_with_a_clear_message():
    g = Graph()
    x = g.add_input("x", 1.0)
    a = g.add_op("neg", [x], name="a")
    b = g.add_op("exp", [a], name="b")
    c = g.add_node("add", name="c")
    g.connect(b, c, 0)
    with pytest.raises(GraphError) as exc:
        g.connect(c, a, 0)  # a's port 0 is taken anyway; use a free one below
    assert "already connected" in str(exc.value)
    g.disconnect(a, 0)
    with pytest.raises(GraphError) as exc:
        g.connect(c, a, 0)
    assert str(exc.value) == "connecting c to a would close a cycle: c already depends on a"
    with pytest.raises(GraphError, match="would close a cycle"):
        g.connect(c, c, 1)
    assert len(g.edges()) == 2  # nothing was added


def test_connect_refuses_an_occupied_port():
    g = Graph()
    x = g.add_input("x", 1.0)
    y = g.add_input("y", 2.0)
    z = g.add_op("mul", [x, y], name="z")
    with pytest.raises(GraphError) as exc:
        g.connect(x, z, 1)
    assert str(exc.value) == "argument 2 of z is already connected to y"
    with pytest.raises(GraphError, match="has no argument 3"):
        g.connect(x, z, 2)


def test_x_times_x_uses_parallel_edges_and_gets_2x():
    g = Graph()
    x = g.add_input("x", 3.0)
    z = g.add_op("mul", [x, x], name="z")
    assert g.parents(z) == [x, x]
    assert sorted(g.in_edges(z)) == [(x, z, 0), (x, z, 1)]
    ev = evaluate(g)
    assert (ev.values[z], ev.grads[x]) == (9.0, 6.0)
    g.set_value(x, [1.0, -2.0])
    np.testing.assert_array_equal(evaluate(g).grads[x], [2.0, -4.0])


def test_nodes_that_do_not_reach_the_output_get_zero_and_constants_none():
    graph = parse_text("a = 2\nb = 5\nz = a * 3\nw = b + 1")
    n = graph.by_name
    ev = evaluate(graph, n("z"))
    assert ev.grads[n("a")] == 3.0
    assert ev.grads[n("b")] == 0.0 and ev.grads[n("w")] == 0.0
    const = [k for k in graph.nodes() if graph.op(k) == "const"]
    assert const and all(ev.grads[k] is None for k in const)


# ---- long chains, no recursion ----------------------------------------------------------------


def stack_depth():
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def test_100000_node_chain_without_recursion():
    n = 100_000
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(stack_depth() + 60)  # far too low for any recursive traversal
    try:
        g = Graph()
        x = g.add_input("x", 0.5)
        u = x
        for _ in range(n - 1):
            u = g.add_op("sin", [u])
        ev = evaluate(g)
        order = g.topological_order()
    finally:
        sys.setrecursionlimit(old)
    assert len(order) == n and order[0] == x and order[-1] == u
    # by hand: u_{k+1} = sin(u_k), d out/dx = Π cos(u_k)
    value, grad = 0.5, 1.0
    for _ in range(n - 1):
        grad *= math.cos(value)
        value = math.sin(value)
    assert ev.output == u
    assert ev.values[u] == pytest.approx(value, rel=1e-12)
    assert ev.grads[x] == pytest.approx(grad, rel=1e-9)
    assert grad > 0  # the product is small but not zero: the check is not vacuous


@pytest.mark.parametrize("text,value,grad", [
    ("x = 0\ny = log(x)", -math.inf, math.inf),
    ("x = 0\ny = 1 / x", math.inf, -math.inf),
    ("x = 0\ny = sqrt(x)", 0.0, math.inf),
    ("x = 0\ny = x ** -1", math.inf, -math.inf),
    ("x = 0\ny = x ** 0.5", 0.0, math.inf),
    ("x = -8\ny = x ** 0.5", math.nan, math.nan),
])
def test_backward_through_a_domain_error_gives_inf_or_nan_not_an_exception(text, value, grad):
    graph = parse_text(text)
    ev = evaluate(graph)
    got_value, got_grad = ev.values[graph.by_name("y")], ev.grads[graph.by_name("x")]
    assert type(got_value) is float and type(got_grad) is float
    assert got_value == value or (math.isnan(value) and math.isnan(got_value))
    assert got_grad == grad or (math.isnan(grad) and math.isnan(got_grad))


# ---- local derivatives, formulas, steps, gradient check -----------------------------------------

BRISTOL = "f = 4\ng = 2\ne = f * g\nd = 3 + f\nc = e + 2\nb = d + e\na = b * c\n"


def test_local_derivative_formula_and_contribution_on_each_edge():
    graph = parse_text(BRISTOL)
    n = graph.by_name
    ev = evaluate(graph)
    # a = b * c: ∂a/∂b = c = 10; e = f * g: ∂e/∂f = g = 2
    assert ev.local_derivative(n("b"), n("a"), 0) == 10.0
    assert ev.formula(n("b"), n("a"), 0) == "∂a/∂b = c"
    assert ev.local_derivative(n("f"), n("e"), 0) == 2.0
    assert ev.formula(n("f"), n("e"), 0) == "∂e/∂f = g"
    assert ev.formula(n("e"), n("c"), 0) == "∂c/∂e = 1"
    # contribution = upstream × local: da/de through b is 10 · 1, through c is 15 · 1
    assert ev.contribution(n("e"), n("b"), 1) == 10.0
    assert ev.contribution(n("e"), n("c"), 0) == 15.0


def test_backward_steps_sum_the_grad_table_terms():
    graph = parse_text(BRISTOL)
    n = graph.by_name
    ev = evaluate(graph)
    steps = backward_steps(ev)
    assert [graph.label(s.node) for s in steps] == ["a", "b", "c", "d", "e", "g", "f"]
    f = steps[-1]
    # df: through e (upstream 25, local g = 2) and through d (upstream 10, local 1)
    terms = sorted((t.child_label, t.upstream, t.local, t.contribution) for t in f.terms)
    assert terms == [("d", 10.0, 1.0, 10.0), ("e", 25.0, 2.0, 50.0)]
    assert f.grad == 60.0 == sum(t.contribution for t in f.terms)
    for step in steps:
        if step.terms:
            assert step.grad == sum(t.contribution for t in step.terms)
    order = [s.node for s in forward_steps(ev)]
    assert order.index(n("f")) < order.index(n("e")) < order.index(n("b")) < order.index(n("a"))
    assert len(order) == len(graph)


def test_local_derivative_of_a_vector_op_is_its_jacobian():
    graph = parse_text("z = [0.3, -1.2, 2.0]\ns = softmax(z)\nc = s @ [1, 2, 3]")
    ev = evaluate(graph)
    z = np.array([0.3, -1.2, 2.0])
    s = np.exp(z) / np.exp(z).sum()
    jac = ev.local_derivative(graph.by_name("z"), graph.by_name("s"), 0)
    np.testing.assert_allclose(jac, np.diag(s) - np.outer(s, s), atol=1e-15)


def test_every_traversal_of_a_long_chain_runs_under_a_low_recursion_limit():
    from graphstudio.io.document import from_json, to_json
    from graphstudio.io.gs import write_text

    n = 20_000
    g = Graph()
    x = g.add_input("x", 0.25)
    u = x
    for _ in range(n - 1):
        u = g.add_op("tanh", [u])
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(stack_depth() + 60)
    try:
        evaluator = Evaluator(g)
        evaluator.evaluate()
        ev = evaluator.set_input(x, 0.5)
        steps = backward_steps(ev)
        (checked,) = check(ev)
        text = write_text(g)
        loaded = from_json(to_json(g)).graph
        copied = g.copy()
    finally:
        sys.setrecursionlimit(old)
    assert len(ev.recomputed) == n and len(steps) == n
    assert checked.node == x and checked.ok
    assert len(text.splitlines()) > n // 20
    assert len(loaded) == len(copied) == n
    assert evaluate(loaded).grads[x] == evaluate(copied).grads[x] == ev.grads[x]
