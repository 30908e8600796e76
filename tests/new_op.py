"""An op the program has never heard of, for tests that register it and then look for it
everywhere: ``hinge(x) = max(0, 1 − x)``, with a kink at x = 1 (not at 0, like relu's)."""

from __future__ import annotations

import numpy as np
import pytest

from graphstudio.core.ops import Kink, Op, register, unregister


def _at_one(args: tuple, tol: float) -> bool:
    return bool(np.any(np.abs(np.asarray(args[0], dtype=float) - 1.0) <= tol))


def _sympy_hinge(x):
    import sympy

    return sympy.Max(0, 1 - x)


HINGE = Op(
    name="hinge", arity=(1,), symbol="hinge", description="hinge loss max(0, 1 − x)",
    forward=lambda x: np.maximum(0.0, 1.0 - np.asarray(x, dtype=float)),
    scalar_forward=lambda x: max(0.0, 1.0 - x),
    vjp=lambda g, a, o: (np.where(np.asarray(a[0]) < 1.0, -np.asarray(g, dtype=float), 0.0),),
    formulas=("-[{0} < 1]",), sympy=_sympy_hinge,
    call="hinge", kink=Kink(_at_one, "at 1"), category="losses",
)


@pytest.fixture
def hinge():
    """``hinge`` in the registry for the length of one test."""
    op = register(HINGE)
    try:
        yield op
    finally:
        unregister("hinge")


SPREAD = Op(
    name="spread", arity=(1,), symbol="spread", description="x + 1, said not to be elementwise",
    forward=lambda x: np.add(x, 1.0), vjp=lambda g, a, o: (g,),
    formulas=("1",), sympy=lambda x: x + 1, call="spread", elementwise=False,
)


@pytest.fixture
def unbatchable():
    """``spread`` in the registry for the length of one test: an op that is not elementwise
    and has no rule for a batch of examples, so training evaluates one example at a time."""
    op = register(SPREAD)
    try:
        yield op
    finally:
        unregister("spread")
