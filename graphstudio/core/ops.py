"""The op registry: every op GraphStudio knows, and every fact about it, in one entry.

An entry (:class:`Op`, built with keyword arguments) holds everything the rest of the program
needs to know about the op; nothing about a particular op is written anywhere else:

* ``forward(*args)``: the value, for numpy arrays (and scalars); ``scalar_forward(*args)``: an
  optional fast path when every argument is a Python float (it may raise ``ArithmeticError``/
  ``ValueError``; the engine then falls back to ``forward``);
* ``vjp(g, args, out)``: the local backward, the vector-Jacobian product: given the upstream
  gradient ``g = d output / d out`` it returns one ``g · d out / d arg`` per argument port.
  For scalars this is ``g`` times the local derivative, which is how the lectures write it;
  ``scalar_vjp``: the same for Python floats, with ``math`` instead of numpy (a ``vjp`` whose
  arithmetic already stays in floats, such as ``mul``'s, needs none). Both fast paths give
  exactly the numbers of the numpy rules, the sign of zero and NaN included
  (``tests/test_scalar_vjps.py`` checks every entry); where C's ``math`` differs from numpy
  (``(-inf) ** 0.5``), they raise and the engine takes the numpy rule (the rules that are plain
  Python arithmetic live in :mod:`graphstudio.core.scalar_rules`, which imports no numpy, so
  that a cached program of them replays without it);
* ``vjp_ops(b, g, args, out)``: the same vector-Jacobian product written as *ops*, for the
  backward pass built as a graph (``grad(y, x)``, Graph > Show Backward Graph): ``b`` builds
  nodes, the others are nodes; it returns one node per port, or None where no gradient flows
  (:mod:`graphstudio.core.vjp_ops` holds the rules, :mod:`graphstudio.core.backward` the
  builder). An op without one evaluates as usual, but ``grad()`` cannot go through it;
* ``formulas``: one text template per port for the local derivative as an edge label,
  ``∂out/∂arg`` written in the names of the arguments (``{0}``, ``{1}``) and the output
  (``{out}``), e.g. ``∂z/∂x = y`` for ``z = x * y``;
* ``sympy(*args)``: the op as a sympy expression, for symbolic gradients;
* ``symbol``: what the canvas draws in the node (``+``, ``×``, ``exp``);
* how the ``.gs`` text writes it: ``call``, the function name (``exp(x)``; ``amax`` is called
  ``max`` with one argument, ``max`` itself with two), or an :class:`Operator`: ``infix``
  (``a + b``) or ``prefix`` (``-x``), with its precedence and the name of the Python ``ast``
  operator it is parsed from (``"Add"``, ``ast.Add``'s);
* ``commutative``: its arguments may be swapped (the other ops' ports are drawn numbered);
* ``kink``: where it has no derivative and how to say so (:class:`Kink`), for the gradient
  check;
* ``blocks_gradient``: its value passes but its gradient does not, by definition (its local
  derivative is 0: ``stop_gradient``, PyTorch's ``detach``); the gradient check holds its value
  fixed while it perturbs the inputs, since differentiation treats it as a constant;
* ``note``: why the local derivative is what it is, when the formula alone does not say
  (``stop_gradient: ∂u/∂y taken as 0``), a template like ``formulas``; the ledger, the paths
  and the step captions show it beside the edge's term;
* ``arity``: the numbers of arguments it takes, ``(2,)`` for most; a run such as
  ``(2, 3, …, 8)`` for an op that joins any number (``concat``), whose ``formulas`` then has one
  template per port up to the most;
* ``elementwise``: the op works element by element with numpy's broadcasting, so its
  ``forward`` and ``vjp`` run unchanged on a batch of examples stacked along a leading axis;
  ``batched``: for an op that is not elementwise, how it runs on such a batch (:class:`Batched`).
  Training evaluates a graph whose ops all have one or the other on the whole batch at once
  (:mod:`graphstudio.core.batch`), and any other graph one example at a time;
* ``category`` (the palette group; None keeps it out of the palette) and ``description``;
* ``params``: for an op that needs a fixed description its ports cannot carry (which elements
  an index picks, the shape ``reshape`` makes), the kind of that parameter
  (:class:`~graphstudio.core.params.Params`); every node of the op holds its value in the node
  record's ``params`` field. Its ``forward``, ``vjp`` and ``sympy`` then take the value as
  the keyword ``p``, its ``formulas``, ``note`` and ``symbol_with`` may write it as ``{p}``,
  and :meth:`Op.bind` (or :func:`node_op`) gives the plain op for one value, which is what
  the engine and every view use; ``subscript``: written after its argument in brackets,
  ``x[0, :]``, its parameter being the brackets' index.

The registry is open: :func:`register` adds an op (a test can add one in a fixture) and
:func:`unregister` takes it away again; the parser, the printer, the palette, the exporters,
the gradient check and the symbolic view look ops up here each time.

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
>>> op_for_call("max", 1).name, op_for_call("max", 2).name
('amax', 'max')
"""

from __future__ import annotations

import math
from functools import lru_cache, partial

from . import lazy_numpy
from .arrays import (concat_forward, concat_sympy, concat_vjp, index_forward, index_sympy,
                     index_vjp, reshape_forward, reshape_sympy, reshape_vjp, stack_forward,
                     stack_sympy, stack_vjp)
from . import scalar_rules as S
from . import vjp_ops as V
from .params import AXIS, INDEX, SHAPE, Params
from .records import record, replace

# numpy, imported now except where the first ``eval`` of a text of numbers reads the registry
# without it (core/lazy_numpy.py); the entries name numpy's functions with _numpy("add")
np = lazy_numpy.module(globals())
_numpy = lazy_numpy.function

TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:
    import ast
    from typing import Any, Callable, Collection

    Value = Any  # a Python float or a numpy array (ndim >= 1)
else:
    Value = object  # (a name for annotations; at run time nothing looks at it)

__all__ = [
    "Op", "Operator", "Kink", "Batched", "OPS", "register", "unregister", "get_op", "call_names",
    "call_arities", "op_for_call", "binary_op", "prefix_op", "binary_operator_texts",
    "reserved_name", "unbroadcast", "Value", "LEAF_KINDS", "INPUT_FORMS", "DATASET_FORM",
    "NUMBER_WORDS",
    "CALL_PRECEDENCE", "AT_ZERO", "AT_TIE", "node_op", "subscript_op", "arity_words",
    "MAX_JOINED",
]

#: The precedence of a function call (and of a name or a number): it binds tightest.
CALL_PRECEDENCE = 100
#: The most arguments ``concat`` and ``stack`` join (each argument is a port on the canvas).
MAX_JOINED = 8


@record
class Operator:
    """How an op is written as an operator in ``.gs`` text: ``a + b`` or ``-x``."""

    text: str  # "+", "**", "-"
    precedence: int  # higher binds tighter; a call is CALL_PRECEDENCE
    node: str  # the name of the Python ast operator class it is parsed from: "Add" (ast.Add)
    right_assoc: bool = False  # a ** b ** c is a ** (b ** c)


@record
class Kink:
    """Where an op has no derivative: ``test(args, tol)`` says whether the arguments are at
    (within ``tol`` of) such a point; ``where`` says it in words (``"at 0"``, ``"at a tie"``),
    as in ``h = relu(x) at 0``."""

    test: Callable[[tuple, float], bool]
    where: str


@record
class Batched:
    """How an op runs on a batch of examples at once (:mod:`graphstudio.core.batch`).

    An argument that differs between the examples comes with them stacked along a leading
    *batch axis*; ``forward(*args)`` returns the examples' results stacked the same way, and
    ``vjp(g, args, out)`` takes the upstream gradients so stacked and returns each argument's
    share, as :attr:`Op.vjp` does (the engine sums a share down to its argument's shape: over
    the batch axis for an argument that is the same for every example).

    How the arguments come: with ``lift`` False, the stacked ones get length-1 axes after the
    batch axis up to the largest number of axes among one example's arguments, so numpy lines
    up the axes as it would in one example, and an argument the same for every example comes
    as it is; with ``lift`` True (matmul, whose broadcasting is not numpy's elementwise one),
    every argument comes with the batch axis, of length 1 for one the same for every example,
    and keeps its own axes after it."""

    forward: Callable[..., Value]
    vjp: Callable[[Value, tuple, Value], tuple]
    lift: bool = False


@record(kw_only=True)
class Op:
    """One operation of the registry (see the module docstring)."""

    name: str
    arity: tuple[int, ...]
    symbol: str
    description: str
    forward: Callable[..., Value]
    vjp: Callable[[Value, tuple, Value], tuple]
    formulas: tuple[str, ...]
    sympy: Callable[..., Any]
    scalar_forward: Callable[..., float] | None = None
    scalar_vjp: Callable[[float, tuple, float], tuple] | None = None
    call: str | None = None  # the function name in .gs text; None: not called by name
    infix: Operator | None = None  # written between its two arguments
    prefix: Operator | None = None  # written before its one argument
    commutative: bool = False
    kink: Kink | None = None
    blocks_gradient: bool = False  # value passes, gradient does not (local derivative 0)
    note: str = ""  # why the local derivative is what it is (a template, like formulas)
    may_fail: bool = False  # can produce NaN/inf from finite arguments (domain error)
    elementwise: bool = True  # element by element, with numpy's broadcasting
    batched: Batched | None = None  # how a non-elementwise op runs on a batch (None: it does not)
    category: str | None = "arithmetic"  # palette group; None: not offered in the palette
    params: Params | None = None  # the kind of static parameter its nodes carry
    symbol_with: str | None = None  # the symbol of a node, its parameter's text as {p}
    subscript: bool = False  # written x[index] (an op with an index parameter)
    vjp_ops: Callable[..., tuple] | None = None  # the vjp as ops (core/vjp_ops.py)

    def formula(self, port: int, arg_names: list[str], out_name: str) -> str:
        """Local derivative of this op w.r.t. argument ``port`` as label text (``y`` for x*y)."""
        template = self.formulas[port] if port < len(self.formulas) else "?"
        return template.format(*arg_names, out=out_name, p=self._default_text())

    def explain(self, port: int, arg_names: list[str], out_name: str) -> str:
        """The :attr:`note` on the local derivative w.r.t. ``port`` in the nodes' names, or ""."""
        if not self.note:
            return ""
        names = list(arg_names) + ["?"] * (port + 1 - len(arg_names))
        return self.note.format(*names, out=out_name, port=names[port], p=self._default_text())

    def _default_text(self) -> str:
        return self.params.text(self.params.default) if self.params else ""

    def bind(self, value: Any) -> "Op":
        """This op with its parameter fixed at ``value``: an op like the others, whose
        forward, vjp and sympy take the arguments only and whose symbol, formulas and note
        show the parameter (``[0, :]``). An op without parameters is itself."""
        return self if self.params is None else _bind(self, value)

    def text_arities(self) -> tuple[int, ...]:
        """How many arguments a call writes: the graph's arguments, and the parameter when it
        is written as the last argument (``reshape(x, [2, 3])``)."""
        extra = 1 if self.params is not None and self.params.keyword is None else 0
        return tuple(n + extra for n in self.arity)

    def call_text(self, args: list[str], value: Any = None) -> str:
        """A call of this op as the ``.gs`` text writes it, its parameter ``value`` (the
        default for None) included: ``reshape(x, [2, 3])``, ``concat(a, b, axis=1)``; a
        keyword parameter at its default is left out (``concat(a, b)``)."""
        parts = list(args)
        kind = self.params
        if kind is not None:
            value = kind.default if value is None else value
            if kind.keyword is None:
                parts.append(kind.text(value))
            elif value != kind.default:
                parts.append(f"{kind.keyword}={kind.text(value)}")
        return f"{self.call}({', '.join(parts)})"

    @property
    def batch_rule(self) -> Batched | None:
        """How the op runs on a batch of examples: its :attr:`batched` rule, its own forward
        and vjp when it is elementwise, else None (it runs one example at a time)."""
        if self.batched is not None:
            return self.batched
        return Batched(self.forward, self.vjp) if self.elementwise else None

    @property
    def precedence(self) -> int:
        """How tightly the op's text binds (for parentheses when it is written inline)."""
        operator = self.infix or self.prefix
        return operator.precedence if operator else CALL_PRECEDENCE


@lru_cache(maxsize=4096)
def _bind(op: Op, value: Any) -> Op:
    text = op.params.text(value)
    return replace(
        op, params=None, forward=partial(op.forward, p=value), vjp=partial(op.vjp, p=value),
        sympy=partial(op.sympy, p=value), scalar_forward=None, scalar_vjp=None,
        vjp_ops=None if op.vjp_ops is None else partial(op.vjp_ops, p=value),
        symbol=(op.symbol_with or op.symbol).replace("{p}", text), symbol_with=None,
        formulas=tuple(f.replace("{p}", text) for f in op.formulas),
        note=op.note.replace("{p}", text))


def node_op(name: str, params: Any = None) -> Op:
    """The op a node of kind ``name`` with parameter ``params`` computes: the registry's entry,
    bound to the parameter when it takes one (:meth:`Op.bind`)."""
    op = get_op(name)
    return op if op.params is None else op.bind(op.params.default if params is None else params)


def _sympy():
    """sympy, imported on first use: it takes longer to import than everything else together,
    and only symbolic views need it (``graphstudio eval`` does not)."""
    import sympy

    return sympy


def _sym(name: str) -> Callable[..., Any]:
    """The sympy function ``name`` (``exp``, ``Max``...), resolved when first called."""
    return lambda *args: getattr(_sympy(), name)(*args)


def unbroadcast(g: Value, shape: tuple[int, ...]) -> Value:
    """Sum ``g`` down to ``shape``: the adjoint of numpy broadcasting. A ``g`` missing some of
    the broadcast's axes (a rule whose result did not depend on them, such as a loss's
    ``-log p`` for targets ``t`` of more rows than ``p``) is first spread over them."""
    gshape = np.shape(g)
    if gshape == shape:
        return g
    g = np.asarray(g)
    full = np.broadcast_shapes(gshape, shape)
    if full != gshape:
        g = np.broadcast_to(g, full)
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


def _scalar_reduce_max_vjp(g: float, args: tuple, out: float) -> tuple:
    # the mask of one number: 1 (g·1/1), or 0 at NaN (g·0/0)
    return (g if args[0] == out else math.nan,)


def _pow_vjp(g, args, out):
    # numpy, not Python, powers: (-8.0) ** -0.5 must be NaN (not complex), 0.0 ** -1 inf.
    # As in PyTorch: ∂/∂a is 0 where b = 0 (a⁰ = 1 for every a), and ∂/∂b is 0 where a = 0 and
    # b ≥ 0 (0^b does not grow with b there); ln a of a negative a is NaN.
    a, b = np.asarray(args[0], dtype=float), np.asarray(args[1], dtype=float)
    with np.errstate(all="ignore"):
        da = np.where(b == 0, g * 0.0, g * b * a ** (b - 1))
        db = np.where((a == 0) & (b >= 0), g * 0.0,
                      g * out * np.log(np.where(a > 0, a, np.nan)))
    return da, db


def _scalar_pow_vjp(g: float, args: tuple, out: float) -> tuple:
    a, b = args
    if a <= 0 or not math.isfinite(a):  # zero and negative bases: numpy's rules above
        return _pow_vjp(g, args, out)
    return (g * 0.0 if b == 0 else g * b * a ** (b - 1)), g * out * math.log(a)


def _scalar_pow(a: float, b: float) -> float:
    if a == 0 or not math.isfinite(a) or not math.isfinite(b):
        # numpy's rules where C's pow differs: (-0.0) ** 0.5 is -0.0, (-inf) ** 0.5 NaN
        raise ValueError("numpy's rule")
    r = a**b
    if isinstance(r, complex):
        raise ValueError("negative base with fractional exponent")
    return float(r)


def _scalar_sum(x: float) -> float:
    """The sum (or mean) of one number, as numpy's: a sum starts at 0.0, so -0.0 gives 0.0."""
    return x + 0.0


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


def _mean(x) -> float:
    # the sum over the count, not np.mean: the mean of no elements is NaN (a domain warning on
    # the node) without numpy's "Mean of empty slice" printed on the terminal
    return float(np.sum(x)) / np.size(x) if np.size(x) else math.nan


def _relu(x):
    return np.maximum(x, 0.0)


def _zero_vjp(g, args, out):
    """No gradient flows back: 0 of the argument's shape (not ``g * 0``, which keeps a NaN)."""
    return (0.0 if np.ndim(args[0]) == 0 else np.zeros(np.shape(args[0])),)


def _zero_vjps(g, args, out):
    """An indicator's local derivative: 0 for every argument, of its shape."""
    return tuple(0.0 if np.ndim(a) == 0 else np.zeros(np.shape(a)) for a in args)


def _sum_like_vjp(g, args, out):
    h, a = args
    back = np.broadcast_to(g, np.shape(h)).astype(float) if np.ndim(h) else g
    return back, (0.0 if np.ndim(a) == 0 else np.zeros(np.shape(a)))


def _sym_step(x):
    sympy = _sympy()
    return sympy.Piecewise((1, x > 0), (0, True))


def _sym_sign(x):
    sympy = _sympy()
    return sympy.Piecewise((1, x > 0), (-1, x < 0), (0, True))


def _sym_equal(a, b):
    sympy = _sympy()
    return sympy.Piecewise((1, sympy.Eq(a, b)), (0, True))


def _sym_sum_like(h, a):
    if not _is_array(h):
        return h
    return unbroadcast(h, np.shape(a)) if np.ndim(a) else np.sum(h)


_STOP_GRADIENT_FUNCTION: list = []  # the sympy function class, made on first use


def _sym_stop_gradient(x):
    """``stop_gradient(x)`` in sympy: ``x`` for a number, and a derivative of 0."""
    if not _STOP_GRADIENT_FUNCTION:
        sympy = _sympy()

        class stop_gradient(sympy.Function):  # noqa: N801 (the name sympy prints)
            @classmethod
            def eval(cls, arg):
                if arg.is_number:
                    return arg
                return None

            def fdiff(self, argindex=1):
                return sympy.S.Zero

            def _latex(self, printer):
                return rf"\operatorname{{stop\_gradient}}\left({printer._print(self.args[0])}\right)"

        _STOP_GRADIENT_FUNCTION.append(stop_gradient)
    return _STOP_GRADIENT_FUNCTION[0](x)


def _sym_relu(x):
    return _sympy().Max(x, 0)


# The sympy forms of ops that are not elementwise take, for a vector or a matrix, a numpy array
# of sympy expressions (how the symbolic view holds one); elementwise ops are mapped over them.


def _is_array(x) -> bool:
    return isinstance(x, np.ndarray)


def _sym_map(name: str, x):
    f = getattr(_sympy(), name)
    return np.vectorize(f, otypes=[object])(x) if _is_array(x) else f(x)


def _sym_total(x):
    return np.sum(x) if _is_array(x) else x


def _sym_mean(x):
    return np.sum(x) / np.size(x) if _is_array(x) else x


def _sym_extreme(name: str) -> Callable[[Any], Any]:
    return lambda x: getattr(_sympy(), name)(*np.ravel(x)) if _is_array(x) else x


def _sym_softmax(x):
    if not _is_array(x):
        return 1
    e = _sym_map("exp", x)
    return e / np.sum(e, axis=-1, keepdims=True)


def _sym_matmul(a, b):
    if not (_is_array(a) or _is_array(b)):
        return a * b
    out = np.matmul(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
    return out.item() if _is_array(out) and out.ndim == 0 else out


#: what concat and stack take: 2 arguments to MAX_JOINED
_JOINED = tuple(range(2, MAX_JOINED + 1))


def _joined_formulas() -> tuple[str, ...]:
    """The local derivative of a join w.r.t. each argument: it picks that argument's place."""
    return tuple(f"1 where {{{k}}} sits in {{out}}, 0 elsewhere" for k in range(MAX_JOINED))


# ---- kinks: where an op has no derivative ----------------------------------------------------


def _at_zero(args: tuple, tol: float) -> bool:
    return bool(np.any(np.abs(args[0]) <= tol))


def _at_tie(args: tuple, tol: float) -> bool:
    return bool(np.any(np.abs(np.subtract(args[0], args[1])) <= tol))


def _tie_at(end: int) -> Callable[[tuple, float], bool]:
    """Two or more elements share the largest (``end=-1``) or smallest (``end=0``) value."""
    def test(args: tuple, tol: float) -> bool:
        flat = np.sort(np.ravel(args[0]))
        return flat.size > 1 and int(np.sum(np.abs(flat - flat[end]) <= tol)) > 1
    return test


#: The kinks several ops share: the first argument at 0 (relu, abs), two arguments equal (max).
AT_ZERO = Kink(_at_zero, "at 0")
AT_TIE = Kink(_at_tie, "at a tie")


# ---- on a batch: the rules of the ops that are not elementwise ----------------------------------
# Each takes its arguments as Batched says (the batch axis first) and reduces or permutes only
# the axes of one example, never the batch axis.


def _example_axes(x) -> tuple[int, ...]:
    """The axes of one example: all but the leading batch axis."""
    return tuple(range(1, np.ndim(x)))


def _per_example(g, ndim: int):
    """A batch of numbers (one per example, batch axis first) shaped to broadcast against a
    batch of arrays of ``ndim`` axes."""
    g = np.asarray(g, dtype=float)
    return g.reshape(g.shape + (1,) * (ndim - g.ndim))


def _example_size(x) -> int:
    return int(np.prod(np.shape(x)[1:], dtype=np.int64))


def _batched_mean(x):
    n = _example_size(x)
    return np.sum(x, axis=_example_axes(x)) / n if n else np.full(np.shape(x)[0], math.nan)


def _batched_reduce_max_vjp(g, args, out):
    x = np.asarray(args[0], dtype=float)
    mask = (x == _per_example(out, x.ndim)).astype(float)
    return (_per_example(g, x.ndim) * mask / mask.sum(axis=_example_axes(x), keepdims=True),)


def _batched_softmax(x):
    # softmax of one number is 1 (the per-example rule); else over the last axis, as always
    return np.ones_like(x, dtype=float) if np.ndim(x) == 1 else _softmax(x)


def _batched_softmax_vjp(g, args, out):
    return (np.zeros(np.shape(out)),) if np.ndim(out) == 1 else _softmax_vjp(g, args, out)


def _batched_transpose(x):
    x = np.asarray(x)
    return np.transpose(x, (0,) + tuple(range(x.ndim - 1, 0, -1)))


def _batched_sqerr(a, b):
    d = np.subtract(a, b)
    return np.sum(d ** 2, axis=_example_axes(d))


def _batched_sqerr_vjp(g, args, out):
    d = np.subtract(args[0], args[1])
    g = _per_example(g, d.ndim)
    return g * 2 * d, -g * 2 * d


def _batched_mse(a, b):
    d = np.subtract(a, b)
    n = _example_size(d)
    return np.sum(d ** 2, axis=_example_axes(d)) / n if n else np.full(d.shape[0], math.nan)


def _batched_mse_vjp(g, args, out):
    d = np.subtract(args[0], args[1])
    n = _example_size(d)
    g = _per_example(g, d.ndim)
    return g * 2 * d / n, -g * 2 * d / n


def _batched_cross_entropy(p, t):
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.asarray(t) * np.log(p)
    return -np.sum(terms, axis=_example_axes(terms))


def _batched_cross_entropy_vjp(g, args, out):
    p, t = args
    g = _per_example(g, max(np.ndim(p), np.ndim(t)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return -g * np.asarray(t) / p, -g * np.log(p)


def _promote(a, b):
    """Both arguments of a batched matmul as stacks of matrices: one example's vector made a
    row (left) or a column (right) matrix, as np.matmul does, and the stack axes lined up
    after the batch axis."""
    a2 = a[:, np.newaxis, :] if a.ndim == 2 else a
    b2 = b[..., np.newaxis] if b.ndim == 2 else b
    rank = max(a2.ndim, b2.ndim)
    a2 = a2.reshape(a2.shape[:1] + (1,) * (rank - a2.ndim) + a2.shape[1:])
    b2 = b2.reshape(b2.shape[:1] + (1,) * (rank - b2.ndim) + b2.shape[1:])
    return a2, b2


def _demote(v, a, b):
    """A stacked product back to one example's shape (the vector axes taken out again)."""
    if a.ndim == 2:
        v = v[..., 0, :]
    if b.ndim == 2:
        v = v[..., 0]
    return v


def _batched_matmul(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim == 3 and b.ndim == 2 and a.shape[0] == 1:  # W @ x: one matrix, a batch of vectors
        return b @ a[0].T
    if a.ndim == 2 and b.ndim <= 3 and b.shape[0] == 1:  # x @ W, x @ v: a batch of vectors
        return a @ b[0]
    if a.ndim == 2 and b.ndim == 2 and a.shape[0] == 1:  # v @ x
        return b @ a[0]
    a2, b2 = _promote(a, b)
    return _demote(a2 @ b2, a, b)


def _batched_matmul_vjp(g, args, out):
    a, b = np.asarray(args[0], dtype=float), np.asarray(args[1], dtype=float)
    g = np.asarray(g, dtype=float)
    if a.ndim == 3 and b.ndim == 2 and a.shape[0] == 1:  # W @ x
        return (g.T @ b)[np.newaxis], g @ a[0]
    if a.ndim == 2 and b.ndim == 3 and b.shape[0] == 1:  # x @ W
        return g @ b[0].T, (a.T @ g)[np.newaxis]
    if a.ndim == 2 and b.ndim == 2 and b.shape[0] == 1:  # x @ v
        return g[:, np.newaxis] * b[0], (g @ a)[np.newaxis]
    if a.ndim == 2 and b.ndim == 2 and a.shape[0] == 1:  # v @ x
        return (g @ b)[np.newaxis], g[:, np.newaxis] * a[0]
    a2, b2 = _promote(a, b)
    g2 = g
    if b.ndim == 2:
        g2 = g2[..., np.newaxis]
    if a.ndim == 2:
        g2 = np.expand_dims(g2, -2)
    ga, gb = g2 @ np.swapaxes(b2, -1, -2), np.swapaxes(a2, -1, -2) @ g2
    ga, gb = unbroadcast(ga, a2.shape), unbroadcast(gb, b2.shape)
    return np.reshape(ga, a.shape), np.reshape(gb, b.shape)


_SUM_BATCHED = Batched(lambda x: np.sum(x, axis=_example_axes(x)),
                       lambda g, a, o: (np.broadcast_to(_per_example(g, np.ndim(a[0])),
                                                        np.shape(a[0])),))
_MEAN_BATCHED = Batched(_batched_mean,
                        lambda g, a, o: (np.broadcast_to(_per_example(g, np.ndim(a[0]))
                                                         / max(_example_size(a[0]), 1),
                                                         np.shape(a[0])),))


# ---- the built-in ops -------------------------------------------------------------------------

_PLUS = Operator("+", 10, "Add")
_MINUS = Operator("-", 10, "Sub")

_BUILTIN = [
    # binary arithmetic
    Op(name="add", arity=(2,), symbol="+", description="sum of two values",
       forward=_numpy("add"), scalar_forward=float.__add__, vjp=S.add_vjp,
       formulas=("1", "1"), sympy=lambda a, b: a + b,
       infix=_PLUS, commutative=True,
       vjp_ops=V.add),
    Op(name="sub", arity=(2,), symbol="−", description="difference a − b",
       forward=_numpy("subtract"), scalar_forward=float.__sub__, vjp=S.sub_vjp,
       formulas=("1", "-1"), sympy=lambda a, b: a - b,
       infix=_MINUS,
       vjp_ops=V.sub),
    Op(name="mul", arity=(2,), symbol="×", description="product of two values",
       forward=_numpy("multiply"), scalar_forward=float.__mul__,
       vjp=S.mul_vjp,
       formulas=("{1}", "{0}"), sympy=lambda a, b: a * b,
       infix=Operator("*", 20, "Mult"), commutative=True,
       vjp_ops=V.mul),
    Op(name="div", arity=(2,), symbol="÷", description="quotient a / b",
       forward=_numpy("divide"), scalar_forward=float.__truediv__,
       vjp=S.div_vjp,
       formulas=("1/{1}", "-{0}/{1}²"), sympy=lambda a, b: a / b,
       infix=Operator("/", 20, "Div"), may_fail=True,
       vjp_ops=V.div),
    Op(name="pow", arity=(2,), symbol="^", description="power a ** b",
       forward=_numpy("power"), scalar_forward=_scalar_pow, vjp=_pow_vjp, scalar_vjp=_scalar_pow_vjp,
       formulas=("{1}·{0}^({1}-1)", "{out}·ln {0}"), sympy=lambda a, b: a**b,
       infix=Operator("**", 40, "Pow", right_assoc=True), may_fail=True,
       vjp_ops=V.pow_),
    Op(name="matmul", arity=(2,), symbol="@", description="matrix product a @ b",
       forward=_numpy("matmul"), vjp=_matmul_vjp,
       formulas=("{1}ᵀ", "{0}ᵀ"), sympy=_sym_matmul,
       infix=Operator("@", 20, "MatMult"), elementwise=False, category="linear algebra",
       batched=Batched(_batched_matmul, _batched_matmul_vjp, lift=True),
       vjp_ops=V.matmul),
    Op(name="neg", arity=(1,), symbol="−", description="negation −x",
       forward=_numpy("negative"), scalar_forward=float.__neg__, vjp=S.neg_vjp,
       formulas=("-1",), sympy=lambda a: -a,
       prefix=Operator("-", 30, "USub"),
       vjp_ops=V.neg),
    # unary functions
    Op(name="exp", arity=(1,), symbol="exp", description="exponential eˣ",
       forward=_numpy("exp"), scalar_forward=math.exp, vjp=S.exp_vjp,
       formulas=("exp({0})",), sympy=_sym("exp"),
       call="exp", may_fail=True, category="functions",
       vjp_ops=V.exp),
    Op(name="log", arity=(1,), symbol="log", description="natural logarithm",
       forward=_numpy("log"), scalar_forward=math.log, vjp=S.log_vjp,
       formulas=("1/{0}",), sympy=_sym("log"),
       call="log", may_fail=True, category="functions",
       vjp_ops=V.log),
    Op(name="sqrt", arity=(1,), symbol="√", description="square root",
       forward=_numpy("sqrt"), scalar_forward=math.sqrt, vjp=S.sqrt_vjp,
       formulas=("1/(2√{0})",), sympy=_sym("sqrt"),
       call="sqrt", may_fail=True, category="functions",
       vjp_ops=V.sqrt),
    Op(name="abs", arity=(1,), symbol="|x|", description="absolute value (abs'(0) = 0)",
       forward=_numpy("abs"), scalar_forward=abs, vjp=lambda g, a, o: (g * np.sign(a[0]),),
       scalar_vjp=S.abs_vjp,
       formulas=("sign({0})",), sympy=_sym("Abs"),
       call="abs", kink=AT_ZERO, category="functions",
       vjp_ops=V.abs_),
    Op(name="sin", arity=(1,), symbol="sin", description="sine",
       forward=_numpy("sin"), scalar_forward=math.sin, vjp=lambda g, a, o: (g * np.cos(a[0]),),
       scalar_vjp=S.sin_vjp,
       formulas=("cos({0})",), sympy=_sym("sin"),
       call="sin", category="functions",
       vjp_ops=V.sin),
    Op(name="cos", arity=(1,), symbol="cos", description="cosine",
       forward=_numpy("cos"), scalar_forward=math.cos, vjp=lambda g, a, o: (-g * np.sin(a[0]),),
       scalar_vjp=S.cos_vjp,
       formulas=("-sin({0})",), sympy=_sym("cos"),
       call="cos", category="functions",
       vjp_ops=V.cos),
    Op(name="tanh", arity=(1,), symbol="tanh", description="hyperbolic tangent",
       forward=_numpy("tanh"), scalar_forward=math.tanh, vjp=S.tanh_vjp,
       formulas=("1 - {out}²",), sympy=_sym("tanh"),
       call="tanh", category="activations",
       vjp_ops=V.tanh),
    Op(name="sigmoid", arity=(1,), symbol="σ", description="logistic sigmoid σ(x)",
       forward=_sigmoid, scalar_forward=S.sigmoid, vjp=S.sigmoid_vjp,
       formulas=("{out}(1 - {out})",), sympy=lambda x: 1 / (1 + _sympy().exp(-x)),
       call="sigmoid", category="activations",
       vjp_ops=V.sigmoid),
    Op(name="relu", arity=(1,), symbol="relu", description="rectifier max(x, 0) (relu'(0) = 0)",
       forward=_relu, scalar_forward=S.relu,
       vjp=lambda g, a, o: (g * (np.asarray(a[0]) > 0),),
       scalar_vjp=S.relu_vjp,
       formulas=("[{0} > 0]",), sympy=_sym_relu,
       call="relu", kink=AT_ZERO, category="activations",
       vjp_ops=V.relu),
    Op(name="max", arity=(2,), symbol="max",
       description="larger of two values (a tie splits the gradient)",
       forward=_numpy("maximum"), scalar_forward=S.maximum, vjp=_max_vjp,
       formulas=("[{0} > {1}]", "[{1} > {0}]"), sympy=_sym("Max"),
       call="max", commutative=True, kink=AT_TIE, category="functions",
       vjp_ops=V.max_),
    Op(name="min", arity=(2,), symbol="min",
       description="smaller of two values (a tie splits the gradient)",
       forward=_numpy("minimum"), scalar_forward=S.minimum, vjp=_min_vjp,
       formulas=("[{0} < {1}]", "[{1} < {0}]"), sympy=_sym("Min"),
       call="min", commutative=True, kink=AT_TIE, category="functions",
       vjp_ops=V.min_),
    # reductions and vector functions
    Op(name="sum", arity=(1,), symbol="Σ", description="sum of all elements",
       forward=lambda x: _to_float_if_scalar(np.sum(x)), scalar_forward=_scalar_sum, vjp=_sum_vjp,
       formulas=("1",), sympy=_sym_total,
       call="sum", elementwise=False, category="vectors", batched=_SUM_BATCHED,
       vjp_ops=V.sum_),
    Op(name="mean", arity=(1,), symbol="mean", description="mean of all elements",
       forward=_mean, scalar_forward=_scalar_sum, vjp=_mean_vjp,
       formulas=("1/n",), sympy=_sym_mean,
       call="mean", elementwise=False, category="vectors", batched=_MEAN_BATCHED,
       vjp_ops=V.mean),
    Op(name="amax", arity=(1,), symbol="max",
       description="largest element (ties split the gradient)",
       forward=lambda x: _to_float_if_scalar(np.max(x)), scalar_forward=float,
       vjp=_reduce_max_vjp, scalar_vjp=_scalar_reduce_max_vjp,
       formulas=("[{0}ᵢ = max]",), sympy=_sym_extreme("Max"),
       call="max", kink=Kink(_tie_at(-1), "at a tie"), elementwise=False, category="vectors",
       batched=Batched(lambda x: np.max(x, axis=_example_axes(x)), _batched_reduce_max_vjp),
       vjp_ops=V.extreme),
    Op(name="amin", arity=(1,), symbol="min",
       description="smallest element (ties split the gradient)",
       forward=lambda x: _to_float_if_scalar(np.min(x)), scalar_forward=float,
       vjp=_reduce_max_vjp, scalar_vjp=_scalar_reduce_max_vjp,
       formulas=("[{0}ᵢ = min]",), sympy=_sym_extreme("Min"),
       call="min", kink=Kink(_tie_at(0), "at a tie"), elementwise=False, category="vectors",
       batched=Batched(lambda x: np.min(x, axis=_example_axes(x)), _batched_reduce_max_vjp),
       vjp_ops=V.extreme),
    Op(name="softmax", arity=(1,), symbol="softmax", description="softmax over the last axis",
       forward=_softmax, vjp=_softmax_vjp,
       formulas=("diag(s) − s sᵀ",), sympy=_sym_softmax,
       call="softmax", elementwise=False, category="vectors",
       batched=Batched(_batched_softmax, _batched_softmax_vjp),
       vjp_ops=V.softmax),
    Op(name="transpose", arity=(1,), symbol="ᵀ", description="matrix transpose",
       forward=_numpy("transpose"), scalar_forward=float, vjp=_transpose_vjp,
       scalar_vjp=lambda g, a, o: (g,),
       formulas=("ᵀ",), sympy=lambda x: np.transpose(x) if _is_array(x) else x,
       call="transpose", elementwise=False, category="linear algebra",
       batched=Batched(_batched_transpose, lambda g, a, o: (_batched_transpose(g),)),
       vjp_ops=V.transpose),
    # losses
    Op(name="sqerr", arity=(2,), symbol="‖·‖²", description="squared error Σ (a − b)²",
       forward=lambda a, b: _to_float_if_scalar(np.sum(np.subtract(a, b) ** 2)),
       scalar_forward=S.sqerr, vjp=_sqerr_vjp,
       scalar_vjp=S.sqerr_vjp,
       formulas=("2({0} - {1})", "-2({0} - {1})"),
       sympy=lambda a, b: _sym_total((a - b) ** 2),
       call="sqerr", commutative=True, elementwise=False, category="losses",
       batched=Batched(_batched_sqerr, _batched_sqerr_vjp),
       vjp_ops=V.sqerr),
    Op(name="mse", arity=(2,), symbol="mse", description="mean squared error",
       forward=lambda a, b: _mean(np.subtract(a, b) ** 2),
       scalar_forward=S.sqerr, vjp=_mse_vjp,
       scalar_vjp=S.sqerr_vjp,
       formulas=("2({0} - {1})/n", "-2({0} - {1})/n"),
       sympy=lambda a, b: _sym_mean((a - b) ** 2),
       call="mse", commutative=True, elementwise=False, category="losses",
       batched=Batched(_batched_mse, _batched_mse_vjp),
       vjp_ops=V.mse),
    Op(name="cross_entropy", arity=(2,), symbol="CE",
       description="cross-entropy −Σ t·log p of probabilities p and targets t",
       forward=_cross_entropy, vjp=_cross_entropy_vjp,
       scalar_vjp=lambda g, a, o: (-g * a[1] / a[0], -g * math.log(a[0])),
       formulas=("-{1}/{0}", "-log {0}"), sympy=lambda p, t: -_sym_total(t * _sym_map("log", p)),
       call="cross_entropy", may_fail=True, elementwise=False, category="losses",
       batched=Batched(_batched_cross_entropy, _batched_cross_entropy_vjp),
       vjp_ops=V.cross_entropy),
    # picking and arranging elements
    Op(name="index", arity=(1,), symbol="[i]", symbol_with="{p}",
       description="the elements a fixed index picks: s[2], W[0, :], v[1:3], v[-1]",
       forward=index_forward, vjp=index_vjp, sympy=index_sympy,
       formulas=("1 at {0}{p}, 0 elsewhere",), params=INDEX, subscript=True,
       elementwise=False, category="vectors",
       vjp_ops=V.index),
    Op(name="reshape", arity=(1,), symbol="reshape", symbol_with="reshape {p}",
       description="the same elements in another shape: reshape(x, [2, 3]), "
                   "reshape(v, [-1, 1]) (-1: the size that is left)",
       forward=reshape_forward, vjp=reshape_vjp, sympy=reshape_sympy,
       formulas=("1 for each element, back in {0}'s shape",), params=SHAPE,
       call="reshape", elementwise=False, category="vectors",
       vjp_ops=V.reshape),
    Op(name="concat", arity=_JOINED, symbol="concat", symbol_with="concat axis {p}",
       description="vectors or matrices joined end to end along an axis: concat(a, b), "
                   "concat(A, B, axis=1) side by side",
       forward=concat_forward, vjp=concat_vjp, sympy=concat_sympy,
       formulas=_joined_formulas(), params=AXIS,
       call="concat", elementwise=False, category="vectors",
       vjp_ops=V.concat),
    Op(name="stack", arity=_JOINED, symbol="stack", symbol_with="stack axis {p}",
       description="arguments of one shape as the slices of a new axis: stack(s1, s2, s3) "
                   "makes numbers a vector, stack(u, v, axis=1) vectors the columns",
       forward=stack_forward, vjp=stack_vjp, sympy=stack_sympy,
       formulas=_joined_formulas(), params=AXIS,
       call="stack", elementwise=False, category="vectors",
       vjp_ops=V.stack),
    # gradients
    Op(name="stop_gradient", arity=(1,), symbol="stop ∇",
       description="x's value with no gradient through it: its local derivative is 0 "
                   "(PyTorch's detach)",
       forward=lambda x: x, scalar_forward=float, vjp=_zero_vjp,
       formulas=("0",), sympy=_sym_stop_gradient, blocks_gradient=True,
       note="stop_gradient: ∂{out}/∂{0} taken as 0; the value passes, the gradient does not",
       call="stop_gradient", category="gradients",
       vjp_ops=V.nothing),
    # the ops the backward pass built as a graph uses (core/vjp_ops.py): indicators, whose
    # derivative is 0 wherever it exists, and the adjoint pair of broadcasting
    Op(name="step", arity=(1,), symbol="[x > 0]",
       description="1 where x > 0, else 0: relu's local derivative (its own derivative is 0)",
       forward=lambda x: _to_float_if_scalar(np.asarray(x) > 0),
       scalar_forward=lambda x: 1.0 if x > 0 else 0.0, vjp=_zero_vjps,
       formulas=("0",), sympy=_sym_step, kink=AT_ZERO,
       call="step", category=None, vjp_ops=V.nothing),
    Op(name="sign", arity=(1,), symbol="sign",
       description="the sign of x, -1, 0 or 1: abs's local derivative (its own derivative is 0)",
       forward=_numpy("sign"), scalar_forward=S.sign, vjp=_zero_vjps,
       formulas=("0",), sympy=_sym_sign, kink=AT_ZERO,
       call="sign", category=None, vjp_ops=V.nothing),
    Op(name="equal", arity=(2,), symbol="[a = b]",
       description="1 where a equals b, else 0: which elements a max picked",
       forward=lambda a, b: _to_float_if_scalar(np.equal(a, b)),
       scalar_forward=lambda a, b: 1.0 if a == b else 0.0, vjp=_zero_vjps,
       formulas=("0", "0"), sympy=_sym_equal, kink=AT_TIE, commutative=True,
       call="equal", category=None, vjp_ops=V.nothing),
    Op(name="ones_like", arity=(1,), symbol="1",
       description="ones of x's shape: the local derivative of a sum",
       forward=lambda x: _to_float_if_scalar(np.ones(np.shape(x))),
       scalar_forward=lambda x: 1.0, vjp=_zero_vjps,
       formulas=("0",), sympy=lambda x: np.full(np.shape(x), 1, dtype=object) if _is_array(x) else 1,
       call="ones_like", category=None, vjp_ops=V.nothing),
    Op(name="sum_like", arity=(2,), symbol="Σ to shape",
       description="h summed down to a's shape: how broadcasting's gradient comes back",
       forward=lambda h, a: _to_float_if_scalar(unbroadcast(h, np.shape(a))),
       vjp=_sum_like_vjp, formulas=("1", "0"), sympy=_sym_sum_like,
       call="sum_like", elementwise=False, category=None, vjp_ops=V.sum_like),
    # ``y = x`` in the text: the same value under another name (written back as ``y = x``)
    Op(name="identity", arity=(1,), symbol="=", description="the same value under another name",
       forward=lambda x: x, scalar_forward=float, vjp=S.same_vjp,
       formulas=("1",), sympy=lambda x: x,
       category=None,
       vjp_ops=V.identity),
]


# ---- the registry ------------------------------------------------------------------------------

#: Every op by name. Read it freely; change it only with :func:`register`/:func:`unregister`.
OPS: dict[str, Op] = {}

#: Kinds of node that are not ops: leaves.
LEAF_KINDS = ("input", "const")

#: Words of the text format that call no op (:mod:`graphstudio.io.gs` reads them):
#: ``param(...)`` and ``data(...)`` say how an input is used, ``dataset(...)`` names a CSV file.
INPUT_FORMS = ("param", "data")
DATASET_FORM = "dataset"
#: Words the text format reads as numbers (and writes non-finite values as).
NUMBER_WORDS = ("inf", "nan")

# Lookups derived from OPS, rebuilt by register/unregister (the parser asks once per node).
_calls: dict[str, dict[int, Op]] = {}  # call name -> {number of arguments: op}
_binary: dict[str, Op] = {}  # ast operator class's name -> op written infix
_prefix: dict[str, Op] = {}  # ast unary operator class's name -> op written prefix
_subscript: list[Op] = []  # the op written x[index], if any


def _reindex() -> None:
    _calls.clear()
    _binary.clear()
    _prefix.clear()
    _subscript.clear()
    for op in OPS.values():
        _index(op)


def _index(op: Op) -> None:
    """Add ``op`` to the lookups (it was just registered: an op added later wins)."""
    if op.call is not None:
        for n in op.text_arities():
            _calls.setdefault(op.call, {})[n] = op
    if op.subscript:
        _subscript.append(op)
    if op.infix is not None:
        _binary[op.infix.node] = op
    if op.prefix is not None:
        _prefix[op.prefix.node] = op


def register(op: Op) -> Op:
    """Add ``op`` to the registry: from now on it parses, evaluates, draws, exports and is
    checked like every other op. Raises ``ValueError`` when its name, call name or operator is
    taken, or when its entry does not hold together."""
    why = _refusal(op)
    if why:
        raise ValueError(f"cannot register op {op.name!r}: {why}")
    OPS[op.name] = op
    _index(op)  # (not _reindex: the built-in ops are registered one by one at start-up)
    return op


def unregister(name: str) -> Op:
    """Take op ``name`` out of the registry (graphs that use it no longer load); returns it."""
    op = get_op(name)
    del OPS[name]
    _reindex()
    return op


def _refusal(op: Op) -> str:
    """Why ``op`` cannot join the registry, or ""."""
    if not op.name.isidentifier():
        return "its name must be an identifier"
    if op.name in OPS or op.name in LEAF_KINDS:
        return "the name is taken"
    if not op.arity or any(n < 1 for n in op.arity):
        return "arity lists the numbers of arguments it takes, at least 1"
    if len(op.formulas) != max(op.arity):
        return f"it needs one local-derivative formula per argument ({max(op.arity)})"
    if op.call is not None:
        if not op.call.isidentifier() or op.call in INPUT_FORMS or op.call == DATASET_FORM:
            return f"{op.call!r} cannot be a function name"
        taken = sorted(set(_calls.get(op.call, {})) & set(op.text_arities()))
        if taken:
            other = _calls[op.call][taken[0]].name
            return f"{op.call}() with {taken[0]} argument(s) is already {other}"
    if op.infix is not None:
        if 2 not in op.arity:
            return "an infix operator takes two arguments"
        if type(op.infix.node) is not str:
            return "an operator names its Python ast class: \"Add\" for ast.Add"
        if op.infix.node in _binary:
            return f"the operator {op.infix.text} is already {_binary[op.infix.node].name}"
    if op.subscript:
        if op.arity != (1,) or op.params is None:
            return "an op written x[index] takes one argument and an index parameter"
        if _subscript:
            return f"x[index] is already {_subscript[0].name}"
    if op.params is not None and op.params.check(op.params.default):
        return f"its parameter's default: {op.params.check(op.params.default)}"
    if op.prefix is not None:
        if 1 not in op.arity:
            return "a prefix operator takes one argument"
        if type(op.prefix.node) is not str:
            return "an operator names its Python ast class: \"USub\" for ast.USub"
        if op.prefix.node in _prefix:
            return f"the operator {op.prefix.text} is already {_prefix[op.prefix.node].name}"
    return ""


def arity_words(arity: tuple[int, ...]) -> str:
    """How many arguments an op takes, in words: ``1 argument``, ``1 or 2 arguments``, ``2 to 8
    arguments`` (a run of three or more).

    >>> arity_words((1,)), arity_words((1, 2)), arity_words(tuple(range(2, 9)))
    ('1 argument', '1 or 2 arguments', '2 to 8 arguments')
    """
    counts = sorted(arity)
    if len(counts) > 2 and counts == list(range(counts[0], counts[-1] + 1)):
        words = f"{counts[0]} to {counts[-1]}"
    else:
        words = " or ".join(str(n) for n in counts)
    return f"{words} argument" + ("" if counts == [1] else "s")


def get_op(name: str) -> Op:
    """The registry entry for ``name``; ``KeyError`` with the known names otherwise."""
    try:
        return OPS[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}; known ops: {', '.join(sorted(OPS))}") from None


def call_names() -> list[str]:
    """The function names the text format knows, sorted."""
    return sorted(_calls)


def call_arities(name: str) -> list[int]:
    """How many arguments ``name(...)`` may take (``max``: 1 or 2), ascending."""
    return sorted(_calls.get(name, {}))


def op_for_call(name: str, n_args: int) -> Op | None:
    """The op ``name(...)`` with ``n_args`` arguments calls, or None."""
    return _calls.get(name, {}).get(n_args)


def binary_op(node: ast.operator | str) -> Op | None:
    """The op a Python binary operator (``ast.Add()``..., or its class's name ``"Add"``)
    stands for, or None."""
    return _binary.get(node if type(node) is str else type(node).__name__)


def prefix_op(node: ast.unaryop | str) -> Op | None:
    """The op a Python unary operator (``ast.USub()``, or ``"USub"``) stands for, or None."""
    return _prefix.get(node if type(node) is str else type(node).__name__)


def subscript_op() -> Op | None:
    """The op ``x[index]`` stands for, or None."""
    return _subscript[0] if _subscript else None


def binary_operator_texts() -> list[str]:
    """The infix operators of the text format, in registry order: ``+ - * / ** @``."""
    return [op.infix.text for op in OPS.values() if op.infix is not None]


def reserved_name(name: str, called: Collection[str] = ()) -> bool:
    """Whether ``name`` may not name a node in a text that calls the functions ``called``.

    A name is a node or a function, never both in one text: ``sum``, ``add``, ``neg``,
    ``param`` or ``data`` name nodes like any other identifier, unless the same text calls
    that function (``z = sum(v)`` and ``sum = a + b`` cannot share a file, whose reader could
    not tell the node from the function). The graph itself (``called`` empty) refuses no
    identifier. The one check the graph, the ``.gs`` reader and writer and the expression bar
    share.

    >>> reserved_name("sum"), reserved_name("sum", {"sum", "exp"}), reserved_name("add", {"sum"})
    (False, True, False)
    """
    return name in called


for _op in _BUILTIN:
    register(_op)
del _op
