"""Tracing through the Python API: ordinary Python on ``gs.Var`` builds the graph, the
operators and every registry function are there (a newly registered op too), loops and
conditionals unroll, names are kept or made, arrays work, and gradients never accumulate.
Expected numbers are worked out by hand in the comments."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import graphstudio as gs
from graphstudio.core.ops import OPS, node_op
from new_op import hinge  # noqa: F401  (the fixture)


def grads(*vs):
    return tuple(v.grad for v in vs)


def test_grosse_traced_values_and_gradients():
    a, b, c = gs.Var(-1.0, name="a"), gs.Var(3.0, name="b"), gs.Var(4.0, name="c")
    z = (a + b) * (b + c)
    assert z.value == 14.0 and z.op == "mul"
    assert a.grad is None  # nothing before a backward pass
    results = z.backward()
    # dz/da = b + c = 7, dz/db = (b + c) + (a + b) = 9, dz/dc = a + b = 2
    assert grads(a, b, c) == (7.0, 9.0, 2.0)
    assert z.grad == 1.0
    assert results.grad("b") == 9.0 and results.grad(b) == 9.0


def test_backward_twice_gives_the_same_gradients_not_their_sum():
    x = gs.Var(3.0, name="x")
    y = x * x + 2 * x  # dy/dx = 2x + 2 = 8
    y.backward()
    y.backward()
    assert x.grad == 8.0
    graph = gs.graph_of(y)
    assert graph.evaluate().grad("x") == graph.evaluate().grad("x") == 8.0


def test_numbers_on_either_side_become_constants():
    x = gs.Var(2.0, name="x")
    cases = {  # expression -> (value, d/dx)
        "x + 3": (x + 3, 5.0, 1.0), "3 + x": (3 + x, 5.0, 1.0),
        "x - 3": (x - 3, -1.0, 1.0), "3 - x": (3 - x, 1.0, -1.0),
        "x * 3": (x * 3, 6.0, 3.0), "3 * x": (3 * x, 6.0, 3.0),
        "x / 4": (x / 4, 0.5, 0.25), "4 / x": (4 / x, 2.0, -1.0),  # -4/x² = -1
        "x ** 3": (x ** 3, 8.0, 12.0), "3 ** x": (3 ** x, 9.0, 9 * math.log(3)),
        "-x": (-x, -2.0, -1.0), "+x": (+x, 2.0, 1.0), "abs(-x)": (abs(-x), 2.0, 1.0),
        "np.float64(3) * x": (np.float64(3) * x, 6.0, 3.0),
    }
    for text, (expr, value, slope) in cases.items():
        assert expr.value == value, text
        expr.backward()
        assert x.grad == pytest.approx(slope), text
    graph = gs.graph_of(3 - x)
    assert sorted(graph.core.op(n) for n in graph.core.nodes()) == ["const", "input", "sub"]
    assert graph.evaluate().grads == {"x": -1.0, graph.output: 1.0}  # constants get none


def test_matmul_and_arrays():
    W = gs.Var([[1.0, 2.0], [3.0, 4.0]], name="W")
    v = gs.Var([1.0, -1.0], name="v")
    y = gs.sum(W @ v)  # W v = [-1, -1], y = -2
    assert y.value == -2.0
    y.backward()
    np.testing.assert_array_equal(W.grad, [[1.0, -1.0], [1.0, -1.0]])  # dy/dW = 1 vᵀ
    np.testing.assert_array_equal(v.grad, [4.0, 6.0])  # dy/dv = Wᵀ 1
    # a plain array on the left of @ is a constant
    u = [[2.0, 0.0]] @ v
    np.testing.assert_array_equal(u.value, [2.0])
    assert W.shape == (2, 2) and isinstance(W.value, np.ndarray)
    with pytest.raises(ValueError, match="read-only"):
        W.value[0, 0] = 5.0
    with pytest.raises(ValueError, match=r"add: the shapes \(2,\) and \(3,\) do not fit"):
        v + gs.Var([1.0, 2.0, 3.0])


def test_every_registry_function_is_in_the_package_and_a_method():
    calls = {op.call for op in OPS.values() if op.call is not None}
    assert calls <= set(dir(gs)) and set(gs.functions()) == calls
    x = gs.Var(0.5, name="x")
    v = gs.Var([0.5, -1.5], name="v")
    for call in sorted(calls):
        fn = getattr(gs, call)
        for op in (o for o in OPS.values() if o.call == call):
            if op.params is not None:  # reshape(v, [-1]), concat(v, v): vectors, the default
                kind = op.params
                extra = [kind.to_json(kind.default)] if kind.keyword is None else []
                expected = node_op(op.name).forward(*[v.value] * min(op.arity))
                args = [v] * min(op.arity) + extra
                np.testing.assert_array_equal(fn(*args).value, expected, err_msg=call)
                assert fn(*args).op == op.name and getattr(v, call)(*args[1:]).op == op.name
                continue
            n = max(op.arity) if call not in ("max", "min") else (1 if op.name.startswith("a") else 2)
            args = [x] * n
            expected = op.forward(*[0.5] * n)
            assert fn(*args).value == pytest.approx(float(expected)), call
            assert fn(*args).op == op.name
            assert getattr(x, call)(*args[1:]).op == op.name
    assert gs.max(gs.Var([1.0, 3.0])).op == "amax"  # one argument: the largest element
    assert gs.max(x, 2.0).value == 2.0  # two: elementwise
    with pytest.raises(TypeError, match=r"max\(\) takes 1 or 2 arguments, not 3"):
        gs.max(x, x, x)


def test_a_newly_registered_op_appears_in_the_api_with_no_other_change(hinge):
    x = gs.Var(0.25, name="x")
    h = gs.hinge(x)  # max(0, 1 - x) = 0.75
    y = 3 * h + x.hinge()
    assert h.value == 0.75 and y.value == 3.0
    y.backward()
    assert x.grad == -4.0  # 3 · (-1) + (-1)
    assert "hinge" in dir(gs) and "hinge" in dir(x)
    assert "max(0, 1 − x)" in gs.hinge.__doc__


def test_an_op_taken_out_of_the_registry_leaves_the_api():
    assert not hasattr(gs, "hinge")
    with pytest.raises(AttributeError):
        gs.Var(1.0).hinge()


def test_loops_and_conditionals_unroll_into_the_graph():
    def f(x, n):
        y = x
        for _ in range(n):
            y = y * x if y < 10 else y + 1  # a Python test on the traced value
        return y

    x = gs.Var(2.0, name="x")
    y = f(x, 5)  # 2 → 4 → 8 → 16 → 17 → 18
    assert y.value == 18.0
    y.backward()
    assert x.grad == 32.0  # d x⁴/dx = 4x³ at 2; the two additions add nothing
    ops = sorted(gs.graph_of(y).core.op(n) for n in gs.graph_of(y).core.nodes())
    assert ops.count("mul") == 3 and ops.count("add") == 2


def test_python_sum_and_comparisons():
    xs = [gs.Var(float(k), name=f"x{k}") for k in range(1, 4)]
    total = sum(x * x for x in xs)  # 0 + 1 + 4 + 9
    assert total.value == 14.0
    total.backward()
    assert [x.grad for x in xs] == [2.0, 4.0, 6.0]
    assert xs[0] < xs[1] <= 2 and xs[2] > 2.5 and xs[2] >= xs[1]
    assert xs[0] != xs[1] and len({xs[0], xs[1], xs[0]}) == 2  # == is identity: hashable
    assert float(xs[2]) == 3.0
    assert not gs.Var(0.0) and gs.Var(-2.0) and bool(xs[0] - 1) is False  # as numbers test
    with pytest.raises(ValueError, match="ambiguous"):
        bool(gs.Var([1.0, 2.0]))


def test_names_kept_made_and_repeated():
    a = gs.Var(1.0, name="a")
    first = gs.Var(2.0)
    second = gs.Var(3.0)
    h1 = gs.tanh(a * first, name="h")
    h2 = gs.tanh(a * second, name="h")  # the same name twice
    out = h1 + h2
    out.name = "out"
    graph = gs.graph_of(out)
    assert graph.names == ["a", "x1", "x2", "h", "h_2", "out"]
    assert graph.inputs == ["a", "x1", "x2"]
    assert graph.output == "out"
    results = graph.evaluate()
    assert results.value("h_2") == pytest.approx(math.tanh(3.0))
    assert results.value(h2) == results.value("h_2")
    assert first.name is None  # the variable keeps no name; the graph gave one
    # a user's x1 is kept, and the unnamed input takes the next free one
    graph2 = gs.graph_of(gs.Var(1.0, name="x1") + gs.Var(2.0))
    assert graph2.inputs == ["x1", "x2"]
    # an unnamed op is u<id>, and can be asked for by it
    w = a * 2
    g3 = gs.graph_of(w)
    assert g3.output.startswith("u") and g3.evaluate().value(g3.output) == 2.0


def test_bad_names_and_values_are_refused_clearly(tmp_path):
    # any identifier names a node, a function's name too (as in the model); only a .gs text,
    # which could not tell the node from the function, refuses it when it also calls exp()
    e = gs.Var(1.0, name="exp")
    graph = gs.graph_of(gs.exp(e))
    assert graph.evaluate().grad("exp") == pytest.approx(math.e)
    graph.save(tmp_path / "fine.json")
    with pytest.raises(ValueError, match="the node exp has the name of the function exp()"):
        graph.save(tmp_path / "refused.gs")
    with pytest.raises(ValueError, match="'2x' is not a valid name"):
        gs.Var(1.0, name="2x")
    with pytest.raises(ValueError, match="not a valid name"):
        gs.Var(1.0).name = "for"
    with pytest.raises(TypeError, match="a Var holds a number or an array of numbers"):
        gs.Var("three")
    with pytest.raises(TypeError, match="a Var holds a number"):
        gs.Var([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="already a Var"):
        gs.Var(gs.Var(1.0))
    with pytest.raises(TypeError):
        gs.Var(1.0) + "x"
    with pytest.raises(TypeError, match="only a scalar Var converts to float"):
        float(gs.Var([1.0, 2.0]))
    with pytest.raises(AttributeError):
        gs.Var(1.0).no_such_function()
    with pytest.raises(TypeError, match="graph_of takes a Var"):
        gs.graph_of(3.0)


def test_a_domain_error_warns_and_gives_nan_as_numpy_does():
    with pytest.warns(RuntimeWarning, match="log of -1 is nan"):
        y = gs.log(gs.Var(-1.0, name="x"))
    assert math.isnan(y.value)
    with pytest.warns(RuntimeWarning, match="div of 1, 0 is inf"):
        assert math.isinf((gs.Var(1.0) / 0.0).value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning where the arguments are not finite
        assert math.isnan(gs.log(gs.Var(-math.inf)).value)
    assert gs.graph_of(y).evaluate().warnings == ["u1: log of -1 is nan"]


def test_a_long_chain_is_built_without_recursion():
    x = gs.Var(1.0, name="x")
    y = x
    for _ in range(20_000):  # far deeper than Python's recursion limit
        y = y + 1.0
    assert y.value == 20_001.0
    y.backward()
    assert x.grad == 1.0
    assert len(gs.graph_of(y)) == 1 + 2 * 20_000


def test_an_array_is_differentiated_as_its_sum_or_with_a_seed():
    W = gs.Var([[1.0, 2.0], [3.0, 4.0]], name="W")
    x = gs.Var([1.0, -1.0], name="x")
    z = W @ x  # [-1, -1]
    results = z.backward()
    assert results.evaluation.seed_text() == "sum of the elements"
    np.testing.assert_array_equal(x.grad, [4.0, 6.0])  # d(z1 + z2)/dx = column sums of W
    z.backward(seed=[1.0, 0.0])  # d z1/dx = first row of W, dz1/dW = [x; 0]
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])
    np.testing.assert_array_equal(W.grad, [[1.0, -1.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="the seed .* is a vector of 3, but the output is a vector of 2"):
        z.backward(seed=[1.0, 0.0, 3.0])


def test_repr_says_what_a_variable_is():
    a = gs.Var(-4.0, name="a")
    assert repr(a) == "Var(-4, name='a')"
    b = (a * 2).relu()
    assert repr(b) == "Var(0, op='relu')"
    b.backward()
    assert repr(a) == "Var(-4, name='a', grad=0)"
    assert repr(gs.Var(1.0, trainable=True)) == "Var(1, trainable=True)"
