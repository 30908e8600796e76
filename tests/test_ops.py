"""Every op of the registry: gradients against central differences (scalars, arrays,
broadcasting), the subgradient conventions PyTorch uses, formulas and sympy forms.

The tests iterate over ``OPS``, so an op added to the registry is covered without a new test;
only ops whose arguments need a particular shape or range are listed in ``ARGUMENTS``, and ops
with a static parameter (an index, a shape) list the parameters to try in ``PARAMETERS``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from graphstudio.core.engine import evaluate
from graphstudio.core.graph import Graph
from graphstudio.core.explain.formulas import apply_sympy
from graphstudio.core.ops import OPS, node_op
from graphstudio.core.params import Slice

RNG = np.random.default_rng(1234)


def positive(*shape):
    """Values in [0.5, 2]: inside every op's domain (log, sqrt, pow, div) and away from kinks."""
    return RNG.uniform(0.5, 2.0, size=shape) if shape else float(RNG.uniform(0.5, 2.0))


def probabilities(n):
    p = RNG.uniform(0.2, 1.0, size=n)
    return p / p.sum()


#: op -> argument sets (as arrays) for the array gradient check; ops not listed get
#: ``positive(2, 3)`` per argument (elementwise) or ``positive(4)`` (reductions).
ARGUMENTS = {
    "matmul": [
        (positive(3), positive(3)),
        (positive(2, 3), positive(3)),
        (positive(3), positive(3, 2)),
        (positive(2, 3), positive(3, 4)),
        # stacks of matrices, broadcast against a vector or a single matrix
        (positive(2, 3, 4), positive(4)),
        (positive(4), positive(2, 4, 3)),
        (positive(2, 3, 4), positive(4, 5)),
        (positive(3, 4), positive(2, 4, 5)),
    ],
    "cross_entropy": [(probabilities(4), np.array([0.0, 1.0, 0.0, 0.0]))],
    "softmax": [(RNG.normal(size=4),), (RNG.normal(size=(2, 3)),)],
    "transpose": [(RNG.normal(size=(2, 3)),)],
    "index": [(positive(4),), (positive(3, 4),)],
    "reshape": [(positive(6),), (positive(2, 3),), (positive(),)],
    # several arguments, of sizes that differ along the axis they are joined on
    "concat": [(positive(2), positive(3)), (positive(2, 3), positive(1, 3), positive(2, 3)),
               (positive(2, 3), positive(2, 1)), (positive(2, 2, 3), positive(2, 1, 3))],
    "stack": [(positive(), positive(), positive()), (positive(3), positive(3)),
              (positive(2, 3), positive(2, 3), positive(2, 3), positive(2, 3))],
}

#: op -> the parameters to try, each with the argument shapes of ``ARGUMENTS`` it fits (by
#: position there); ops with a parameter and not listed get their default parameter.
PARAMETERS = {
    "index": [((2,), 0), ((-1,), 0), ((Slice(1, 3),), 0), ((Slice(None, None, -2),), 0),
              ((0, Slice()), 1), ((Slice(), -1), 1), ((Slice(1, None), Slice(None, None, 2)), 1),
              ((1, 2), 1), ((Slice(0, 0),), 0)],
    "reshape": [((2, 3), 0), ((3, -1), 0), ((-1,), 1), ((3, 1, 2), 1), ((6, 1), 1), ((), 2),
                ((1, 1), 2)],
    "concat": [(0, 0), (-1, 0), (0, 1), (1, 2), (-1, 2), (1, 3)],
    "stack": [(0, 0), (-1, 0), (0, 1), (1, 1), (0, 2), (2, 2), (-2, 2)],
}

#: Broadcasting shape pairs for elementwise binary ops.
BROADCAST_SHAPES = [((2, 3), (3,)), ((2, 1), (1, 3)), ((), (3,)), ((3,), ())]


def apart(args):
    """For max/min: push the second argument away from the first, so no tie is near."""
    if len(args) == 2:
        a, b = args
        shifted = b + np.where(np.asarray(b) >= np.asarray(a), 0.3, -0.3)
        return a, float(shifted) if np.ndim(shifted) == 0 else shifted
    return args


def parametrised_cases(name):
    """(parameter, arguments) for an op with a static parameter (None for the others)."""
    if OPS[name].params is None:
        return [(None, args) for args in array_cases(name)]
    cases = PARAMETERS.get(name, [(OPS[name].params.default, 0)])
    return [(params, ARGUMENTS[name][k]) for params, k in cases]


def array_cases(name):
    op = OPS[name]
    if name in ARGUMENTS:
        return ARGUMENTS[name]
    n = op.arity[0]
    if op.elementwise:
        cases = [tuple(positive(2, 3) for _ in range(n))]
        if n == 2:
            cases += [(positive(*sa), positive(*sb)) for sa, sb in BROADCAST_SHAPES]
        return [apart(c) for c in cases]
    return [apart(tuple(positive(4) + np.arange(4) for _ in range(n)))]


def scalar_cases(name):
    op = OPS[name]
    if name in ("matmul", "softmax", "cross_entropy", "transpose") or op.params is not None:
        return []  # not scalar ops (softmax of a scalar is the constant 1: checked below)
    return [apart(tuple(positive() for _ in range(op.arity[0]))) for _ in range(3)]


def engine_grads(name, args, weight, params=None):
    """d/d(args) of sum(weight * op(args)), from GraphStudio's backward pass."""
    g = Graph()
    ins = [g.add_input(f"x{k}", a) for k, a in enumerate(args)]
    node = g.add_op(name, ins, params=params)
    w = g.add_const(weight)
    out = g.add_op("sum", [g.add_op("mul", [node, w])], name="out")
    ev = evaluate(g)
    assert ev.errors == {}
    return [ev.grads[i] for i in ins]


def numeric_gradient(f, a, h=1e-6):
    """d f / d a by central differences, element by element (``f`` of a value like ``a``
    gives a number)."""
    arr = np.array(a, dtype=float, ndmin=1)
    num = np.zeros_like(arr)
    for j in range(arr.size):
        vals = []
        for sign in (1, -1):
            trial = arr.copy()
            trial.flat[j] += sign * h
            vals.append(f(trial.reshape(np.shape(a)) if np.ndim(a) else float(trial[0])))
        num.flat[j] = (vals[0] - vals[1]) / (2 * h)
    return num.reshape(np.shape(a)) if np.ndim(a) else float(num[0])


def central_difference(name, args, weight, h=1e-6, params=None):
    forward = node_op(name, params).forward

    def moved(k):
        return lambda v: np.sum(weight * forward(*args[:k], v, *args[k + 1:]))

    return [numeric_gradient(moved(k), a, h) for k, a in enumerate(args)]


def check_gradient(name, args, params=None):
    out = node_op(name, params).forward(*args)
    weight = RNG.uniform(0.5, 1.5, size=np.shape(out)) if np.ndim(out) else 1.3
    got = engine_grads(name, args, weight, params)
    want = central_difference(name, args, weight, params=params)
    if OPS[name].blocks_gradient:  # stop_gradient: its local derivative is 0 by definition
        assert any(np.any(w != 0) for w in want), "the forward pass does depend on the input"
        want = [np.zeros_like(w) if np.ndim(w) else 0.0 for w in want]
    for k, (g, n) in enumerate(zip(got, want)):
        assert np.shape(g) == np.shape(args[k]), (name, k)
        np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-7, err_msg=f"{name} argument {k}")


@pytest.mark.parametrize("name", sorted(OPS))
def test_array_gradient_matches_central_difference(name):
    for params, args in parametrised_cases(name):
        check_gradient(name, args, params)


@pytest.mark.parametrize("name", sorted(OPS))
def test_scalar_gradient_matches_central_difference(name):
    for args in scalar_cases(name):
        assert all(type(a) is float for a in args)
        check_gradient(name, args)


@pytest.mark.parametrize("name", sorted(OPS))
def test_scalar_fast_path_agrees_with_array_forward(name):
    op = OPS[name]
    for args in scalar_cases(name):
        if op.scalar_forward is not None:
            assert op.scalar_forward(*args) == pytest.approx(float(op.forward(*args)), rel=1e-12)


def test_broadcasting_is_covered():
    elementwise_binary = [n for n, op in OPS.items() if op.elementwise and op.arity == (2,)]
    assert {"add", "sub", "mul", "div", "pow", "max", "min"} <= set(elementwise_binary)


# ---- subgradients, as PyTorch takes them ------------------------------------------------------


def grads_of(name, *args):
    g = Graph()
    ins = [g.add_input(f"x{k}", a) for k, a in enumerate(args)]
    out = g.add_op(name, ins, name="out")
    ev = evaluate(g)
    return [ev.grads[i] for i in ins]


def test_relu_derivative_at_zero_is_zero():
    assert grads_of("relu", 0.0) == [0.0]
    assert grads_of("relu", -0.0) == [0.0]
    assert grads_of("relu", 1e-300) == [1.0]
    g = Graph()
    x = g.add_input("x", [-1.0, 0.0, 2.0])
    g.add_op("sum", [g.add_op("relu", [x])], name="s")
    np.testing.assert_array_equal(evaluate(g).grads[x], [0.0, 0.0, 1.0])


def test_abs_derivative_at_zero_is_zero():
    assert grads_of("abs", 0.0) == [0.0]
    assert grads_of("abs", -3.0) == [-1.0]
    g = Graph()
    x = g.add_input("x", [-2.0, 0.0, 2.0])
    g.add_op("sum", [g.add_op("abs", [x])], name="s")
    np.testing.assert_array_equal(evaluate(g).grads[x], [-1.0, 0.0, 1.0])


def test_max_sends_gradient_to_the_larger_argument():
    assert grads_of("max", 3.0, 1.0) == [1.0, 0.0]
    assert grads_of("max", 1.0, 3.0) == [0.0, 1.0]


def test_min_sends_gradient_to_the_smaller_argument():
    assert grads_of("min", 3.0, 1.0) == [0.0, 1.0]
    assert grads_of("min", 1.0, 3.0) == [1.0, 0.0]


@pytest.mark.parametrize("name", ["max", "min"])
def test_ties_split_the_gradient_evenly(name):
    assert grads_of(name, 2.0, 2.0) == [0.5, 0.5]
    g = Graph()
    a = g.add_input("a", [1.0, 2.0, 3.0])
    b = g.add_input("b", [3.0, 2.0, 1.0])
    g.add_op("sum", [g.add_op(name, [a, b])], name="s")
    ev = evaluate(g)
    first = [0.0, 0.5, 1.0] if name == "max" else [1.0, 0.5, 0.0]
    np.testing.assert_array_equal(ev.grads[a], first)
    np.testing.assert_array_equal(ev.grads[b], [1 - f for f in first])


def test_max_of_a_vector_goes_to_the_argmax_and_splits_ties():
    np.testing.assert_array_equal(grads_of("amax", np.array([1.0, 5.0, 2.0]))[0], [0, 1, 0])
    np.testing.assert_array_equal(grads_of("amin", np.array([1.0, 5.0, 2.0]))[0], [1, 0, 0])
    np.testing.assert_array_equal(grads_of("amax", np.array([5.0, 1.0, 5.0]))[0], [0.5, 0, 0.5])


# ---- formulas and sympy forms -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPS))
def test_formula_for_every_port(name):
    op = OPS[name]
    assert len(op.formulas) == max(op.arity)
    names = [f"x{k}" for k in range(max(op.arity))]
    for port in range(max(op.arity)):
        text = op.formula(port, names, "z")
        assert text and "{" not in text and "?" not in text


def test_formula_examples():
    assert OPS["mul"].formula(0, ["x", "y"], "z") == "y"
    assert OPS["mul"].formula(1, ["x", "y"], "z") == "x"
    assert OPS["add"].formula(1, ["x", "y"], "z") == "1"
    assert OPS["sigmoid"].formula(0, ["a"], "h") == "h(1 - h)"


@pytest.mark.parametrize("name", sorted(OPS))
def test_sympy_form_agrees_with_forward_for_arrays(name):
    # how the symbolic view holds a vector or a matrix: a numpy array of sympy expressions
    for params, args in parametrised_cases(name):
        op = node_op(name, params)
        symbols = [np.array([sympy.Symbol(f"a{k}_{j}", positive=True) for j in range(np.size(a))],
                            dtype=object).reshape(np.shape(a)) if np.ndim(a) else
                   sympy.Symbol(f"a{k}", positive=True) for k, a in enumerate(args)]
        expr = apply_sympy(op, symbols)
        subs = {sym: float(v) for s, a in zip(symbols, args)
                for sym, v in zip(np.ravel(np.asarray(s, dtype=object)), np.ravel(a))}
        got = np.vectorize(lambda e: float(sympy.sympify(e).xreplace(subs)), otypes=[float])(
            np.asarray(expr, dtype=object))
        np.testing.assert_allclose(got, op.forward(*args), rtol=1e-10, err_msg=name)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.params is None))
def test_sympy_form_agrees_with_forward_for_scalars(name):
    # (an op with an index or a shape needs an array: checked above)
    op = OPS[name]
    n = op.arity[0]
    symbols = sympy.symbols(f"s0:{n}", positive=True)
    expr = op.sympy(*symbols)
    for _ in range(3):
        values = [positive() for _ in range(n)]
        if name == "cross_entropy":
            values = [0.3, 1.0]
        if name in ("max", "min"):
            values = list(apart(tuple(values)))
        subs = dict(zip(symbols, values))
        symbolic = float(sympy.sympify(expr).subs(subs))
        if name == "matmul":  # a 1-element vector dot product is the scalar product
            numeric = op.forward(np.array([values[0]]), np.array([values[1]]))
        else:
            numeric = op.forward(*values)
        assert symbolic == pytest.approx(float(numeric), rel=1e-12), name
        # and its derivative agrees with the op's local backward
        if name in ("matmul", "softmax"):
            continue
        local = op.vjp(1.0, tuple(values), op.forward(*values))
        for k, s in enumerate(symbols):
            d = float(sympy.diff(expr, s).subs(subs))
            assert d == pytest.approx(float(np.sum(local[k])), rel=1e-9), (name, k)


def test_softmax_jacobian_is_diag_minus_outer():
    s_in = np.array([0.3, -1.2, 2.0])
    s = np.exp(s_in) / np.exp(s_in).sum()
    jac = np.diag(s) - np.outer(s, s)
    op = OPS["softmax"]
    out = op.forward(s_in)
    for k in range(3):
        e = np.zeros(3)
        e[k] = 1.0
        np.testing.assert_allclose(op.vjp(e, (s_in,), out)[0], jac[k], atol=1e-15)


def test_pow_gradient_of_a_negative_base_with_integer_exponent():
    # (−3)² : d/da = 2a = −6; d/db is log of a negative number, which has no real value
    ga, gb = grads_of("pow", -3.0, 2.0)
    assert ga == -6.0
    assert math.isnan(gb)
