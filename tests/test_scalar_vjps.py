"""The engine's fast path for numbers (an op's ``scalar_forward`` and ``scalar_vjp``, on Python
floats) gives exactly the numbers of the op's numpy rules (``forward`` and ``vjp`` on numpy
scalars), for every op of the registry, at ordinary points and at the awkward ones: both
zeros, infinities, NaN, huge numbers, ties, a zero or infinite upstream gradient.

"Exactly" is bit for bit: the sign of a zero and NaN where NaN is due."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from graphstudio.core.engine import _local_backward
from graphstudio.core.ops import OPS

SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.5, 3.0, 1e-300, 1e300, -1e300,
           math.inf, -math.inf, math.nan]
UPSTREAM = [1.0, -1.5, 0.0, math.inf, math.nan]


def same(a: float, b: float) -> bool:
    """Equal as IEEE numbers, the sign of zero included; NaN equals NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def numpy_forward(op, args):
    with np.errstate(all="ignore"):
        return float(op.forward(*[np.float64(a) for a in args]))


def scalar_forward(op, args):
    """The engine's rule: the fast path, and numpy when it raises (1/0, log(-1))."""
    try:
        return float(op.scalar_forward(*args))
    except (ArithmeticError, ValueError):
        return numpy_forward(op, args)


def scalar_ops(field):
    return sorted(n for n, op in OPS.items() if getattr(op, field) is not None)


def cases(op):
    n = max(op.arity)
    return itertools.product(SPECIAL, repeat=n)


@pytest.mark.parametrize("name", scalar_ops("scalar_forward"))
def test_scalar_forward_is_the_numpy_forward(name):
    op = OPS[name]
    for args in cases(op):
        got, want = scalar_forward(op, args), numpy_forward(op, args)
        assert same(got, want), (name, args, got, want)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items()
                                         if op.scalar_forward or op.scalar_vjp))
def test_the_backward_of_numbers_is_the_numpy_backward(name):
    """The engine's backward on Python floats (``scalar_vjp`` where the entry has one, else
    ``vjp`` on floats) against ``vjp`` on numpy scalars, each contribution made a float. (The
    ops with no rule for numbers, matmul and softmax, are for arrays.)"""
    op = OPS[name]
    for args in cases(op):
        out = numpy_forward(op, args)
        for g in UPSTREAM:
            with np.errstate(all="ignore"):
                fast = _local_backward(op, g, args, out, scalar=True)
                slow = _local_backward(op, np.float64(g), tuple(np.float64(a) for a in args),
                                       np.float64(out), scalar=False)
            assert all(type(c) is float for c in fast), (name, args, g, fast)
            for port, (a, b) in enumerate(zip(fast, slow)):
                assert same(a, float(b)), (name, args, g, port, a, float(b))


def test_the_ops_a_sin_chain_uses_have_a_float_backward():
    """sin, cos, exp, tanh and pow give Python floats in the backward pass (no numpy scalar
    on the way), which is what makes a chain of them as fast backward as forward."""
    for name in ("sin", "cos", "exp", "tanh", "pow", "abs", "relu"):
        op = OPS[name]
        args = (0.7, 1.3)[:max(op.arity)]
        rule = op.scalar_vjp or op.vjp
        assert all(type(c) is float for c in rule(1.5, args, numpy_forward(op, args))), name
