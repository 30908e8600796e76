"""The op registry: every op GraphStudio knows, each defined once.

An op entry holds everything the rest of the program needs to know about it:

* ``forward(*args)``: the value, for numpy arrays (and scalars);
* ``scalar_forward(*args)``: an optional fast path when every argument is a Python float
  (it may raise ``ArithmeticError``/``ValueError``; the engine then falls back to ``forward``);
* ``vjp(g, args, out)``: the local backward, the vector-Jacobian product: given the upstream
  gradient ``g = d output / d out`` it returns one ``g · d out / d arg`` per argument port.
  For scalars this is ``g`` times the local derivative, which is how the lectures write it;
* ``formulas``: one text template per port for the local derivative as an edge label,
  ``∂out/∂arg`` written in the names of the arguments (``{0}``, ``{1}``) and the output
  (``{out}``), e.g. ``∂z/∂x = y`` for ``z = x * y``;
* ``sympy(*args)``: the op as a sympy expression, for symbolic gradients;
* ``symbol``: what the canvas draws in the node (``+``, ``×``, ``exp``);
* ``infix``/``precedence``: how the expression printer writes it back as text.

Broadcasting: ``vjp`` may return a gradient shaped like the output; the engine sums it back to
the argument's shape (:func:`unbroadcast`), so ops need not care.

Subgradients follow PyTorch: ``relu'(0) = 0``, ``abs'(0) = 0``, and ``max``/``min`` send the
gradient to the larger (smaller) argument, splitting it evenly on a tie.

Examples
--------
>>> OPS["mul"].scalar_forward(3.0, 4.0)
12.0
>>> OPS["mul"].vjp(1.0, (3.0, 4.0), 12.0)
(4.0, 3.0)
>>> OPS["mul"].formulas
('{1}', '{0}')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


def _sympy():
    """sympy, imported on first use: it takes longer to import than everything else together,
    and only symbolic views need it (``graphstudio eval`` does not)."""
    import sympy

    return sympy


def _sym(name: str) -> Callable[..., Any]:
    """The sympy function ``name`` (``exp``, ``Max``...), resolved when first called."""
    return lambda *args: getattr(_sympy(), name)(*args)

Value = Any  # a Python float or a numpy array (ndim >= 1)

__all__ = ["Op", "OPS", "FUNCTIONS", "BINARY_OPERATORS", "get_op", "unbroadcast", "Value",
           "reserved_name", "INPUT_FORMS", "DATASET_FORM", "LEAF_KINDS"]


@dataclass(frozen=True)
class Op:
    """One operation of the registry (see the module docstring)."""

    name: str
    arity: tuple[int, ...]
    symbol: str
    forward: Callable[..., Value]
    vjp: Callable[[Value, tuple, Value], tuple]
    formulas: tuple[str, ...]
    sympy: Callable[..., Any]
    description: str
    scalar_forward: Callable[..., float] | None = None
    scalar_vjp: Callable[[float, tuple, float], tuple] | None = None
    infix: str | None = None  # operator text when written infix ("+", "@", ...)
    precedence: int = 100  # higher binds tighter; 100 = function call
    may_fail: bool = False  # can produce NaN/inf from finite arguments (domain error)
    elementwise: bool = True  # output shape is the broadcast of the arguments' shapes
    category: str = "arithmetic"  # palette group
    tags: tuple[str, ...] = field(default=())

    def formula(self, port: int, arg_names: list[str], out_name: str) -> str:
        """Local derivative of this op w.r.t. argument ``port`` as label text (``y`` for x*y)."""
        template = self.formulas[port] if port < len(self.formulas) else "?"
        return template.format(*arg_names, out=out_name)


def unbroadcast(g: Value, shape: tuple[int, ...]) -> Value:
    """Sum ``g`` down to ``shape``: the adjoint of numpy broadcasting."""
    gshape = np.shape(g)
    if gshape == shape:
        return g
    g = np.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    if shape == ():
        return float(g)
    return g


# ---- helpers for the entries -------------------------------------------------------------


def _sigmoid(x):
    # Numerically stable for arrays: exp never overflows.
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _scalar_sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softmax(x):
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return np.ones(())
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_vjp(g, args, out):
    g = np.asarray(g, dtype=float)
    return (out * (g - (g * out).sum(axis=-1, keepdims=True)),)


def _matmul_vjp(g, args, out):
    # A 1-D argument acts as a row (left) or a column (right) vector, as in np.matmul; with
    # both made 2-D, dA = G Bᵀ and dB = Aᵀ G hold for stacks of matrices too (the engine sums
    # a broadcast stack back to the argument's shape).
    a, b = np.asarray(args[0], dtype=float), np.asarray(args[1], dtype=float)
    g = np.asarray(g, dtype=float)
    a2 = a[np.newaxis, :] if a.ndim == 1 else a
    b2 = b[:, np.newaxis] if b.ndim == 1 else b
    g2 = np.expand_dims(g, -1) if b.ndim == 1 else g
    g2 = np.expand_dims(g2, -2) if a.ndim == 1 else g2
    ga = g2 @ np.swapaxes(b2, -1, -2)
    gb = np.swapaxes(a2, -1, -2) @ g2
    if a.ndim == 1:
        ga = ga[..., 0, :]
    if b.ndim == 1:
        gb = gb[..., 0]
    return ga, gb


def _max_vjp(g, args, out):
    a, b = args
    if isinstance(a, float) and isinstance(b, float):
        if a > b:
            return g, 0.0
        if b > a:
            return 0.0, g
        return g / 2, g / 2
    a, b = np.asarray(a), np.asarray(b)
    wa = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))
    return g * wa, g * (1.0 - wa)


def _min_vjp(g, args, out):
    # min(a, b) is the larger of the swapped pair's *first* position where b > a, so
    # max's rule on (b, a) gives a's share first and b's second.
    ga, gb = _max_vjp(g, (args[1], args[0]), out)
    return ga, gb


def _reduce_max_vjp(g, args, out):
    x = np.asarray(args[0], dtype=float)
    mask = (x == out).astype(float)
    return (g * mask / mask.sum(),)


def _pow_vjp(g, args, out):
    a, b = args
    if type(a) is float:
        # numpy, not Python, powers: (-8.0) ** -0.5 must be NaN (not complex), 0.0 ** -1 inf
        a = np.float64(a)
    with np.errstate(all="ignore"):
        da = g * b * a ** (b - 1) if not (isinstance(b, float) and b == 0.0) else g * 0.0
        if isinstance(a, float):
            db = g * out * math.log(a) if a > 0 else (0.0 if out == 0 else math.nan) * g
        else:
            db = g * out * np.log(np.where(np.asarray(a) > 0, a, np.nan))
    return da, db


def _scalar_pow(a: float, b: float) -> float:
    r = a**b
    if isinstance(r, complex):
        raise ValueError("negative base with fractional exponent")
    return float(r)


def _sum_vjp(g, args, out):
    return (np.broadcast_to(g, np.shape(args[0])).astype(float) if np.ndim(args[0]) else g,)


def _mean_vjp(g, args, out):
    x = args[0]
    n = np.size(x)
    return (np.full(np.shape(x), g / n) if np.ndim(x) else g,)


def _transpose_vjp(g, args, out):
    return (np.transpose(g),)


def _sqerr_vjp(g, args, out):
    d = np.subtract(args[0], args[1])
    return g * 2 * d, -g * 2 * d


def _mse_vjp(g, args, out):
    d = np.subtract(args[0], args[1])
    n = np.size(d)
    return g * 2 * d / n, -g * 2 * d / n


def _cross_entropy(p, t):
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(np.asarray(t) * np.log(p)))


def _cross_entropy_vjp(g, args, out):
    p, t = args
    with np.errstate(divide="ignore", invalid="ignore"):
        return -g * np.asarray(t) / p, -g * np.log(p)


def _to_float_if_scalar(x):
    a = np.asarray(x, dtype=float)
    return float(a) if a.ndim == 0 else a


def _relu(x):
    return np.maximum(x, 0.0)


def _sym_relu(x):
    return _sympy().Max(x, 0)


# ---- the registry ----------------------------------------------------------------------------

_ENTRIES = [
    # binary arithmetic
    Op("add", (2,), "+", np.add, lambda g, a, o: (g, g), ("1", "1"), lambda a, b: a + b,
       "sum of two values", scalar_forward=float.__add__, infix="+", precedence=10),
    Op("sub", (2,), "−", np.subtract, lambda g, a, o: (g, -g), ("1", "-1"),
       lambda a, b: a - b, "difference a − b", scalar_forward=float.__sub__, infix="-",
       precedence=10),
    Op("mul", (2,), "×", np.multiply, lambda g, a, o: (g * a[1], g * a[0]), ("{1}", "{0}"),
       lambda a, b: a * b, "product of two values", scalar_forward=float.__mul__, infix="*",
       precedence=20),
    Op("div", (2,), "÷", np.divide, lambda g, a, o: (g / a[1], -g * a[0] / (a[1] * a[1])),
       ("1/{1}", "-{0}/{1}²"), lambda a, b: a / b, "quotient a / b",
       scalar_forward=float.__truediv__, infix="/", precedence=20, may_fail=True),
    Op("pow", (2,), "^", np.power, _pow_vjp, ("{1}·{0}^({1}-1)", "{out}·ln {0}"),
       lambda a, b: a**b, "power a ** b", scalar_forward=_scalar_pow, infix="**",
       precedence=40, may_fail=True),
    Op("matmul", (2,), "@", np.matmul, _matmul_vjp, ("{1}ᵀ", "{0}ᵀ"), lambda a, b: a * b,
       "matrix product a @ b", infix="@", precedence=20, elementwise=False,
       category="linear algebra"),
    Op("neg", (1,), "−", np.negative, lambda g, a, o: (-g,), ("-1",), lambda a: -a,
       "negation −x", scalar_forward=float.__neg__, infix="-", precedence=30),
    # unary functions
    Op("exp", (1,), "exp", np.exp, lambda g, a, o: (g * o,), ("exp({0})",), _sym("exp"),
       "exponential eˣ", scalar_forward=math.exp, may_fail=True, category="functions"),
    Op("log", (1,), "log", np.log, lambda g, a, o: (g / a[0],), ("1/{0}",), _sym("log"),
       "natural logarithm", scalar_forward=math.log, may_fail=True, category="functions"),
    Op("sqrt", (1,), "√", np.sqrt, lambda g, a, o: (g * 0.5 / o,), ("1/(2√{0})",), _sym("sqrt"),
       "square root", scalar_forward=math.sqrt, may_fail=True, category="functions"),
    Op("abs", (1,), "|x|", np.abs, lambda g, a, o: (g * np.sign(a[0]),), ("sign({0})",),
       _sym("Abs"), "absolute value (abs'(0) = 0)", scalar_forward=abs, category="functions"),
    Op("sin", (1,), "sin", np.sin, lambda g, a, o: (g * np.cos(a[0]),), ("cos({0})",),
       _sym("sin"), "sine", scalar_forward=math.sin, category="functions"),
    Op("cos", (1,), "cos", np.cos, lambda g, a, o: (-g * np.sin(a[0]),), ("-sin({0})",),
       _sym("cos"), "cosine", scalar_forward=math.cos, category="functions"),
    Op("tanh", (1,), "tanh", np.tanh, lambda g, a, o: (g * (1 - o * o),), ("1 - {out}²",),
       _sym("tanh"), "hyperbolic tangent", scalar_forward=math.tanh, category="activations"),
    Op("sigmoid", (1,), "σ", _sigmoid, lambda g, a, o: (g * o * (1 - o),),
       ("{out}(1 - {out})",), lambda x: 1 / (1 + _sympy().exp(-x)), "logistic sigmoid σ(x)",
       scalar_forward=_scalar_sigmoid, category="activations"),
    Op("relu", (1,), "relu", _relu, lambda g, a, o: (g * (np.asarray(a[0]) > 0),),
       ("[{0} > 0]",), _sym_relu, "rectifier max(x, 0) (relu'(0) = 0)",
       scalar_forward=lambda x: x if x > 0 else 0.0,
       scalar_vjp=lambda g, a, o: (g if a[0] > 0 else 0.0,), category="activations"),
    Op("max", (2,), "max", np.maximum, _max_vjp, ("[{0} > {1}]", "[{1} > {0}]"), _sym("Max"),
       "larger of two values (a tie splits the gradient)", scalar_forward=max,
       category="functions"),
    Op("min", (2,), "min", np.minimum, _min_vjp, ("[{0} < {1}]", "[{1} < {0}]"), _sym("Min"),
       "smaller of two values (a tie splits the gradient)", scalar_forward=min,
       category="functions"),
    # reductions and vector functions
    Op("sum", (1,), "Σ", lambda x: _to_float_if_scalar(np.sum(x)), _sum_vjp, ("1",),
       lambda x: x, "sum of all elements", scalar_forward=float, elementwise=False,
       category="vectors"),
    Op("mean", (1,), "mean", lambda x: _to_float_if_scalar(np.mean(x)), _mean_vjp, ("1/n",),
       lambda x: x, "mean of all elements", scalar_forward=float, elementwise=False,
       category="vectors"),
    Op("amax", (1,), "max", lambda x: _to_float_if_scalar(np.max(x)), _reduce_max_vjp,
       ("[{0}ᵢ = max]",), lambda x: x, "largest element (ties split the gradient)",
       scalar_forward=float, elementwise=False, category="vectors"),
    Op("amin", (1,), "min", lambda x: _to_float_if_scalar(np.min(x)), _reduce_max_vjp,
       ("[{0}ᵢ = min]",), lambda x: x, "smallest element (ties split the gradient)",
       scalar_forward=float, elementwise=False, category="vectors"),
    Op("softmax", (1,), "softmax", _softmax, _softmax_vjp, ("diag(s) − s sᵀ",), lambda x: 1,
       "softmax over the last axis", elementwise=False, category="vectors"),
    Op("transpose", (1,), "ᵀ", np.transpose, _transpose_vjp, ("ᵀ",), lambda x: x,
       "matrix transpose", scalar_forward=float, elementwise=False,
       category="linear algebra"),
    # losses
    Op("sqerr", (2,), "‖·‖²", lambda a, b: _to_float_if_scalar(np.sum(np.subtract(a, b) ** 2)),
       _sqerr_vjp, ("2({0} - {1})", "-2({0} - {1})"), lambda a, b: (a - b) ** 2,
       "squared error Σ (a − b)²", scalar_forward=lambda a, b: (a - b) * (a - b),
       elementwise=False, category="losses"),
    Op("mse", (2,), "mse", lambda a, b: _to_float_if_scalar(np.mean(np.subtract(a, b) ** 2)),
       _mse_vjp, ("2({0} - {1})/n", "-2({0} - {1})/n"), lambda a, b: (a - b) ** 2,
       "mean squared error", scalar_forward=lambda a, b: (a - b) * (a - b),
       elementwise=False, category="losses"),
    Op("cross_entropy", (2,), "CE", _cross_entropy, _cross_entropy_vjp,
       ("-{1}/{0}", "-log {0}"), lambda p, t: -t * _sympy().log(p),
       "cross-entropy −Σ t·log p of probabilities p and targets t", may_fail=True,
       elementwise=False, category="losses"),
    Op("identity", (1,), "=", lambda x: x, lambda g, a, o: (g,), ("1",), lambda x: x,
       "the same value under another name", scalar_forward=float, category="arithmetic"),
]

OPS: dict[str, Op] = {op.name: op for op in _ENTRIES}

#: Names callable in expression text, mapped to op names. ``max``/``min`` with one argument
#: reduce over the elements (ops ``amax``/``amin``); with two they are elementwise.
REDUCING_FORMS = {"max": "amax", "min": "amin"}

FUNCTIONS: dict[str, str] = {
    name: name
    for name, op in OPS.items()
    if op.infix is None and name not in ("amax", "amin", "identity")
}

#: Python ast operator class name -> op name.
BINARY_OPERATORS: dict[str, str] = {
    "Add": "add", "Sub": "sub", "Mult": "mul", "Div": "div", "Pow": "pow", "MatMult": "matmul",
}

#: Kinds of node that are not ops: leaves.
LEAF_KINDS = ("input", "const")

#: Words of the text format that call no op (:mod:`graphstudio.io.gs` reads them):
#: ``param(...)`` and ``data(...)`` say how an input is used, ``dataset(...)`` names a CSV file.
INPUT_FORMS = ("param", "data")
DATASET_FORM = "dataset"


def reserved_name(name: str) -> bool:
    """Whether ``name`` may not name a node: it is an op's name, a function's name in the text
    format, or one of the format's other words (``param``, ``data``, ``dataset``)."""
    return (name in OPS or name in FUNCTIONS or name in REDUCING_FORMS or name in INPUT_FORMS
            or name == DATASET_FORM)


def get_op(name: str) -> Op:
    """The registry entry for ``name``; ``KeyError`` with the known names otherwise."""
    try:
        return OPS[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}; known ops: {', '.join(sorted(OPS))}") from None
