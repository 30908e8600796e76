"""The op registry's rules for Python floats that are plain Python arithmetic, without numpy.

The registry's entries (:mod:`graphstudio.core.ops`) name these functions as their
``scalar_forward``, ``scalar_vjp`` or ``vjp`` (a rule such as ``mul``'s vjp, ``g * b`` and
``g * a``, is the same text for arrays and for floats); which op uses which rule is said there
and nowhere else. They live here, in a module that imports neither numpy nor the registry, so
that a compiled program whose every rule is one of :data:`PURE` can be replayed without
importing numpy (:mod:`graphstudio.core.scalar_program`): the same functions on the same
floats give the same numbers, bit for bit.

>>> relu(-2.0), relu_vjp(3.0, (-2.0,), 0.0), sigmoid(0.0)
(0.0, (0.0,), 0.5)
"""

from __future__ import annotations

import math

__all__ = ["PURE", "pure_name"]


def add_vjp(g, a, o):
    return g, g


def sub_vjp(g, a, o):
    return g, -g


def mul_vjp(g, a, o):
    return g * a[1], g * a[0]


def div_vjp(g, a, o):
    return g / a[1], -g * a[0] / (a[1] * a[1])


def neg_vjp(g, a, o):
    return (-g,)


def same_vjp(g, a, o):
    """The gradient passes unchanged (``y = x``)."""
    return (g,)


def exp_vjp(g, a, o):
    return (g * o,)


def log_vjp(g, a, o):
    return (g / a[0],)


def sqrt_vjp(g, a, o):
    return (g * 0.5 / o,)


def sin_vjp(g: float, a: tuple, o: float) -> tuple:
    return (g * math.cos(a[0]),)


def cos_vjp(g: float, a: tuple, o: float) -> tuple:
    return (-g * math.sin(a[0]),)


def tanh_vjp(g, a, o):
    return (g * (1 - o * o),)


def sigmoid_vjp(g, a, o):
    return (g * o * (1 - o),)


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def maximum(a: float, b: float) -> float:
    """``np.maximum`` of two floats: NaN if either is NaN, the second on a tie (0.0, -0.0)."""
    return a if a > b or a != a else b


def minimum(a: float, b: float) -> float:
    return a if a < b or a != a else b


def relu(x: float) -> float:
    return maximum(x, 0.0)


def relu_vjp(g: float, a: tuple, o: float) -> tuple:
    return (g if a[0] > 0 else g * 0.0,)


def sign(x: float) -> float:
    """``np.sign`` of a float: 0.0 at both zeros, NaN at NaN."""
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return 0.0 if x == 0 else math.nan


def abs_vjp(g: float, a: tuple, o: float) -> tuple:
    return (g * sign(a[0]),)


def sqerr(a: float, b: float) -> float:
    return (a - b) * (a - b)


def sqerr_vjp(g: float, a: tuple, o: float) -> tuple:
    d = a[0] - a[1]
    return g * 2 * d, -g * 2 * d


#: Every rule a program replayed without numpy may use, by a name that stays the same from run
#: to run (an entry of the program cache records its rules by these names): the functions
#: above, and the standard library's that entries name directly.
PURE: dict[str, object] = {
    "float.__add__": float.__add__, "float.__sub__": float.__sub__,
    "float.__mul__": float.__mul__, "float.__truediv__": float.__truediv__,
    "float.__neg__": float.__neg__, "float": float, "abs": abs,
    **{f"math.{name}": getattr(math, name)
       for name in ("exp", "log", "sqrt", "sin", "cos", "tanh")},
    **{name: f for name, f in list(globals().items())
       if callable(f) and getattr(f, "__module__", None) == __name__},
}
_NAMES = {id(f): name for name, f in PURE.items()}


def pure_name(rule) -> str | None:
    """The name of ``rule`` in :data:`PURE`, or None when it is not one of them."""
    name = _NAMES.get(id(rule))
    return name if name is not None and PURE[name] is rule else None
