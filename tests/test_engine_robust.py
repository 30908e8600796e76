"""The engine never raises on a graph the model accepts (issue 9's fuzzing findings): every op,
every shape that broadcasts or does not, values at the domain edges (0, ±inf, NaN, the largest
floats); a node that cannot be computed carries an error instead. And the gradients the fuzzing
found wrong (cross-entropy of a broadcast probability, powers of zero) agree with central
differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphstudio.core.engine import Evaluator, backward_steps, evaluate, forward_steps
from graphstudio.core.explain import check
from graphstudio.core.graph import Graph
from graphstudio.core.ops import OPS
from graphstudio.core.records import replace
from graphstudio.io.gs import parse_text

SHAPES = [(), (), (2,), (3,), (1, 2), (2, 1), (2, 2), (1, 3)]
EDGE_VALUES = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 1e-320, 1e308, -1e308, math.inf,
               -math.inf, math.nan]
KINDS = {"missing", "shape", "upstream", "domain", "error", "gradient"}


@st.composite
def any_graphs(draw):
    """A graph of inputs of random shapes and values, then ops of the whole registry on them."""
    g = Graph()
    nodes = []
    for k in range(draw(st.integers(1, 4))):
        shape = draw(st.sampled_from(SHAPES))
        size = int(np.prod(shape)) if shape else 1
        values = draw(st.lists(st.sampled_from(EDGE_VALUES) | st.floats(-4, 4), min_size=size,
                               max_size=size))
        value = values[0] if shape == () else np.array(values).reshape(shape)
        nodes.append(g.add_input(f"x{k}", value))
    for _ in range(draw(st.integers(1, 10))):
        op = draw(st.sampled_from(sorted(OPS)))
        arity = draw(st.sampled_from(OPS[op].arity))
        nodes.append(g.add_op(op, [draw(st.sampled_from(nodes)) for _ in range(arity)]))
    return g, draw(st.sampled_from(nodes))


def check_consistent(g: Graph, ev) -> None:
    for n in g.nodes():
        v, grad = ev.values.get(n), ev.grads.get(n)
        if v is not None and grad is not None:
            assert np.shape(grad) == np.shape(v), (g.label(n), g.op(n))
    assert {e.kind for e in ev.errors.values()} <= KINDS


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_graphs(), st.integers(0, 3), st.floats(-3, 3) | st.sampled_from(EDGE_VALUES))
def test_engine_never_raises_and_gradients_are_shaped_like_values(case, which, new_value):
    g, output = case
    ev = evaluate(g)
    check_consistent(g, ev)
    check_consistent(g, evaluate(g, output))
    forward_steps(ev)
    backward_steps(ev)
    check(ev)
    # the incremental path agrees with a full pass
    inputs = g.inputs()
    node = inputs[which % len(inputs)]
    new = new_value if np.ndim(g.value(node)) == 0 else np.full(np.shape(g.value(node)), new_value)
    evaluator = Evaluator(g)
    evaluator.evaluate()
    partial = evaluator.set_input(node, new)
    full = evaluate(g)
    for n in g.nodes():
        a, b = partial.values.get(n), full.values.get(n)
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)


def grads(text: str) -> tuple[Graph, dict[str, object]]:
    g = parse_text(text)
    ev = evaluate(g)
    return g, {g.label(n): ev.grads[n] for n in g.inputs()}


def test_cross_entropy_of_a_scalar_probability_and_a_row_of_targets():
    g, d = grads("p = 1.9\nt = [[0.1, 0.2, 0.3]]\nc = cross_entropy(p, t)\n")
    assert d["p"] == pytest.approx(-0.6 / 1.9)  # -Σ t / p
    np.testing.assert_allclose(d["t"], [[-math.log(1.9)] * 3])
    assert all(e.ok for e in check(evaluate(g)))


def test_cross_entropy_of_a_vector_and_a_one_row_matrix_has_the_matrix_shape():
    g, d = grads("p = [0.5, 0.25]\nt = [[1.0, 0.0]]\nc = cross_entropy(p, t)\n")
    assert np.shape(d["t"]) == (1, 2)
    np.testing.assert_allclose(d["t"], [[math.log(2), math.log(4)]])
    np.testing.assert_allclose(d["p"], [-2.0, 0.0])
    assert all(e.ok for e in check(evaluate(g)))


def test_power_of_a_zero_scalar_to_a_vector():
    g, d = grads("a = 0\nb = a ** [2, 3]\n")
    assert d["a"] == 0.0  # 2·0¹ + 3·0²
    assert all(e.ok for e in check(evaluate(g)))


def test_power_of_zero_has_no_gradient_towards_its_exponent():
    # 0 ** e is 0 for every e > 0: PyTorch's rule, and the central difference's
    g, d = grads("a = 0\ne = [2, 3]\nb = a ** e\n")
    np.testing.assert_array_equal(d["e"], [0.0, 0.0])
    assert all(e.ok for e in check(evaluate(g)))


@pytest.mark.parametrize("a, b", [(2.0, 3.0), (0.5, -1.5), (3.0, 0.0), (0.0, 0.0), (-2.0, 2.0)])
def test_scalar_and_array_power_rules_agree(a, b):
    _g, scalar = grads(f"a = {a}\nb = {b}\nc = a ** b\n")
    _g, array = grads(f"a = [{a}]\nb = [{b}]\nc = a ** b\n")
    for name in ("a", "b"):
        np.testing.assert_array_equal(np.ravel(array[name]), [scalar[name]])


def test_a_rule_that_fails_gives_nan_and_a_message_instead_of_raising(monkeypatch):
    g = parse_text("a = 2\nb = 3\nc = a * b\nd = c + 1\n")

    def broken(g_, args, out):
        raise IndexError("tuple index out of range")

    mul = OPS["mul"]
    monkeypatch.setitem(OPS, "mul", replace(mul, vjp=broken, scalar_vjp=broken))
    ev = evaluate(g)
    assert math.isnan(ev.grads[g.by_name("a")]) and math.isnan(ev.grads[g.by_name("b")])
    assert ev.grads[g.by_name("c")] == 1.0
    problem = ev.errors[g.by_name("c")]
    assert problem.kind == "gradient" and not problem.fatal
    assert "the gradient through mul could not be computed (IndexError" in problem.message
    assert problem in ev.warnings
