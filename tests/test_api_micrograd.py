"""``gs.from_micrograd``: micrograd's own expressions (micrograd is in the test extra) and the
lecture's variant (labels, tanh, exp), converted with every value and gradient equal to
micrograd's, and clear messages for what cannot be converted."""

from __future__ import annotations

import math

import pytest
from micrograd.engine import Value

import graphstudio as gs
from micrograd_readme import PUBLISHED, readme_example


def readme_expression():
    return readme_example(Value)


def every_value(root):
    seen, stack = {id(root): root}, [root]
    while stack:
        for p in stack.pop()._prev:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return list(seen.values())


def test_the_readme_example_converts_with_micrograds_values_and_gradients():
    a, b, g = readme_expression()
    g.backward()
    # the README's numbers
    assert (f"{g.data:.4f}", f"{a.grad:.4f}", f"{b.grad:.4f}") == PUBLISHED
    values = every_value(g)
    names = {v: f"m{k}" for k, v in enumerate(values)}
    graph = gs.from_micrograd(g, names=names)
    assert len(graph) == len(values) + sum(v._op.startswith("**") for v in values)  # + exponents
    results = graph.evaluate()
    for v in values:  # every node: micrograd's value and micrograd's gradient
        assert results.value(names[v]) == pytest.approx(v.data, rel=1e-12), v._op
        assert results.grad(names[v]) == pytest.approx(v.grad, rel=1e-12), v._op
    assert graph.output == names[g]


def test_unnamed_leaves_are_inputs_named_in_a_fixed_order():
    a, b, g = readme_expression()
    one = gs.from_micrograd(g)
    two = gs.from_micrograd(g)
    leaves = [v for v in every_value(g) if not v._prev]  # a, b and micrograd's constants
    assert one.inputs == two.inputs and len(one.inputs) == len(leaves) == 11
    assert [one.evaluate().value(x) for x in one.inputs] == [two.evaluate().value(x) for x in two.inputs]


class LectureValue:
    """The ``Value`` of Karpathy's micrograd lecture: the same fields, plus a ``label``, and
    tanh and exp. Only the data structure, which is all the converter reads."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self._prev, self._op, self.label = data, set(_children), _op, label
        self.grad = 0.0

    def __add__(self, other):
        return LectureValue(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        return LectureValue(self.data * other.data, (self, other), "*")

    def __pow__(self, k):
        return LectureValue(self.data**k, (self,), f"**{k}")

    def tanh(self):
        return LectureValue(math.tanh(self.data), (self,), "tanh")

    def exp(self):
        return LectureValue(math.exp(self.data), (self,), "exp")


def test_the_lecture_neuron_keeps_its_labels():
    x1, x2 = LectureValue(2.0, label="x1"), LectureValue(0.0, label="x2")
    w1, w2 = LectureValue(-3.0, label="w1"), LectureValue(1.0, label="w2")
    b = LectureValue(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"  # the lecture's label, not a name a graph can use
    n = x1w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    graph = gs.from_micrograd(o)
    assert set(graph.names) == {"x1", "x2", "w1", "w2", "b", "n", "o"}
    results = graph.evaluate()
    # by hand: do/dn = 1 − tanh² = 0.5, do/dx1 = w1/2, do/dw1 = x1/2, do/dx2 = w2/2, do/dw2 = 0
    assert results.value("o") == pytest.approx(1 / math.sqrt(2))
    assert [results.grad(k) for k in ("n", "x1", "w1", "x2", "w2")] == pytest.approx(
        [0.5, -1.5, 1.0, 0.5, 0.0])
    # and through exp and a power: o = (e^{2n} − 1)(e^{2n} + 1)^-1 as the lecture rewrites it
    two, minus_one, one = LectureValue(2.0), LectureValue(-1.0), LectureValue(1.0)
    e = (n * two).exp()
    o2 = (e + minus_one) * (e + one) ** -1
    results2 = gs.from_micrograd(o2).evaluate()
    assert results2.value(results2.output) == pytest.approx(1 / math.sqrt(2))
    assert results2.grad("x1") == pytest.approx(-1.5)


def test_x_times_x_keeps_both_arguments():
    x = Value(3.0)
    y = x * x  # micrograd's _prev is the set {x}
    y.backward()
    results = gs.from_micrograd(y, names={x: "x"}).evaluate()
    assert results.grad("x") == x.grad == 6.0


def test_a_deep_micrograd_chain_converts_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(3000):  # micrograd's own backward recurses and cannot do this
        y = y + 1
    results = gs.from_micrograd(y, names={x: "x"}).evaluate()
    assert results.value(results.output) == 3001.0 and results.grad("x") == 1.0


def test_what_cannot_be_converted_is_named():
    x = LectureValue(1.0, label="x")
    with pytest.raises(gs.MicrogradError, match=r"micrograd op 'sigmoid2' has no GraphStudio op"):
        gs.from_micrograd(LectureValue(0.7, (x,), "sigmoid2"))
    with pytest.raises(gs.MicrogradError, match=r"'-' \(sub\) is not commutative"):
        gs.from_micrograd(LectureValue(0.0, (x, LectureValue(1.0)), "-"))
    with pytest.raises(gs.MicrogradError, match=r"'\*\*two': the exponent is not a number"):
        gs.from_micrograd(LectureValue(1.0, (x,), "**two"))
    with pytest.raises(gs.MicrogradError, match="float is not a micrograd value: it has no .data"):
        gs.from_micrograd(1.5)
    with pytest.raises(ValueError, match="'2x' is not a valid name"):
        gs.from_micrograd(x * x, names={x: "2x"})
