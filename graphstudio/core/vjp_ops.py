"""Each op's vector-Jacobian product written as ops: the registry's ``vjp_ops`` rules.

Symbol-to-symbol differentiation (Goodfellow, Bengio and Courville, *Deep Learning*, §6.5.5)
builds the backward pass as more nodes of the graph (:mod:`graphstudio.core.backward`). For
that, every op says how its local backward is computed *by other ops*: ``vjp_ops(b, g, args,
out)`` gets a builder ``b`` and the handles of the upstream gradient ``g``, of the op's
arguments and of its output, and returns one handle per argument port (``g · ∂out/∂arg``) or
None where no gradient flows (a constant-valued derivative such as ``step``'s, or
``stop_gradient``). The builder offers ``b.op(name, *args, p=...)`` (a node of another op, with
its static parameter), ``b.const(value)`` and ``b.shape(handle)``; it folds constants, drops a
multiplication by one and shares equal nodes, and sums a contribution back to its argument's
shape where numpy broadcast it, so the rules need not.

These rules are what :mod:`graphstudio.core.ops` numpy ``vjp`` rules compute, in ops the
registry has (``tests/test_vjp_ops.py`` checks every entry against its ``vjp``). Where the
arrangement of the ops depends on the arguments' number of axes (a matrix product of a
vector and a matrix, a softmax of a matrix's rows), the rule asks the builder for the shapes
the graph has when it is built.
"""

from __future__ import annotations

from . import lazy_numpy
from .params import OpError, Slice

np = lazy_numpy.module(globals())  # (numpy: see core/lazy_numpy.py)

__all__ = ["GradNotAvailable"]


class GradNotAvailable(OpError):
    """An op's gradient cannot be written as ops for these arguments (a matrix product of
    stacks of matrices): the message says what and why."""


# ---- arithmetic ----------------------------------------------------------------------------


def add(b, g, a, o):
    return g, g


def sub(b, g, a, o):
    return g, b.op("neg", g)


def mul(b, g, a, o):
    return b.op("mul", g, a[1]), b.op("mul", g, a[0])


def div(b, g, a, o):
    ga = b.op("div", g, a[1])
    # -g·a/b² = -(g/b)·(a/b): the first port's term times the output
    return ga, b.op("neg", b.op("mul", ga, o))


def pow_(b, g, a, o):
    base, exponent = a
    da = b.op("mul", g, b.op("mul", exponent,
                             b.op("pow", base, b.op("sub", exponent, b.const(1.0)))))
    db = b.op("mul", g, b.op("mul", o, b.op("log", base)))
    return da, db


def neg(b, g, a, o):
    return (b.op("neg", g),)


def identity(b, g, a, o):
    return (g,)


def nothing(b, g, a, o):
    """No gradient flows back: the op's local derivative is 0 (or it is stop_gradient)."""
    return (None,) * len(a)


# ---- functions -----------------------------------------------------------------------------


def exp(b, g, a, o):
    return (b.op("mul", g, o),)


def log(b, g, a, o):
    return (b.op("div", g, a[0]),)


def sqrt(b, g, a, o):
    return (b.op("div", g, b.op("mul", b.const(2.0), o)),)


def abs_(b, g, a, o):
    return (b.op("mul", g, b.op("sign", a[0])),)


def sin(b, g, a, o):
    return (b.op("mul", g, b.op("cos", a[0])),)


def cos(b, g, a, o):
    return (b.op("neg", b.op("mul", g, b.op("sin", a[0]))),)


def tanh(b, g, a, o):
    return (b.op("mul", g, b.op("sub", b.const(1.0), b.op("mul", o, o))),)


def sigmoid(b, g, a, o):
    return (b.op("mul", g, b.op("mul", o, b.op("sub", b.const(1.0), o))),)


def relu(b, g, a, o):
    return (b.op("mul", g, b.op("step", a[0])),)


def _share(b, g, first, second):
    """max's rule: the first argument's share of ``g`` is 1 where it is the larger, ½ on a
    tie and 0 elsewhere, which is ``(sign(first − second) + 1) / 2``; the second gets the rest."""
    weight = b.op("mul", b.const(0.5),
                  b.op("add", b.op("sign", b.op("sub", first, second)), b.const(1.0)))
    share = b.op("mul", g, weight)
    return share, b.op("sub", g, share)


def max_(b, g, a, o):
    return _share(b, g, a[0], a[1])


def min_(b, g, a, o):
    return _share(b, g, a[1], a[0])


# ---- reductions and vector functions -------------------------------------------------------


def sum_(b, g, a, o):
    if not b.shape(a[0]):
        return (g,)
    return (b.op("mul", g, b.op("ones_like", a[0])),)


def mean(b, g, a, o):
    shape = b.shape(a[0])
    if not shape:
        return (g,)
    n = int(np.prod(shape))
    return (b.op("mul", b.op("div", g, b.const(float(n))), b.op("ones_like", a[0])),)


def extreme(b, g, a, o):
    """max(v) and min(v): the gradient goes to the elements equal to the result, split evenly."""
    if not b.shape(a[0]):
        return (g,)
    mask = b.op("equal", a[0], o)
    return (b.op("mul", g, b.op("div", mask, b.op("sum", mask))),)


def softmax(b, g, a, o):
    shape = b.shape(o)
    if len(shape) <= 1:  # s ⊙ (g − Σ g ⊙ s)
        return (b.op("mul", o, b.op("sub", g, b.op("sum", b.op("mul", g, o)))),)
    if len(shape) > 2:
        raise GradNotAvailable("grad() goes through a softmax of a vector or a matrix, not of "
                               f"{len(shape)} axes")
    # each row: s ⊙ (g − Σ g ⊙ s); the rows' sums as a column is (g ⊙ s) @ ones, subtracted
    # from gᵀ's columns by broadcasting
    sums = b.op("matmul", b.op("mul", g, o), b.const(np.ones(shape[1])))
    inner = b.op("sub", b.op("transpose", g), sums)
    return (b.op("transpose", b.op("mul", b.op("transpose", o), inner)),)


def transpose(b, g, a, o):
    if not b.shape(a[0]):
        return (g,)
    return (b.op("transpose", g),)


def matmul(b, g, a, o):
    x, y = a
    nx, ny = len(b.shape(x)), len(b.shape(y))
    if nx > 2 or ny > 2:
        raise GradNotAvailable("grad() goes through a matrix product of vectors and matrices, "
                               "not of stacks of matrices (arrays of 3 axes or more)")
    if nx == 1 and ny == 1:  # u @ v, a number
        return b.op("mul", g, y), b.op("mul", g, x)
    if nx == 2 and ny == 2:  # G Yᵀ and Xᵀ G
        return (b.op("matmul", g, b.op("transpose", y)),
                b.op("matmul", b.op("transpose", x), g))
    if nx == 2:  # W @ v: the outer product g vᵀ, and g @ W
        return _outer(b, g, y), b.op("matmul", g, x)
    return b.op("matmul", y, g), _outer(b, x, g)  # v @ W


def _outer(b, u, v):
    """The outer product u vᵀ of two vectors, as a column times a row."""
    return b.op("matmul", b.op("reshape", u, p=(-1, 1)), b.op("reshape", v, p=(1, -1)))


# ---- losses --------------------------------------------------------------------------------


def sqerr(b, g, a, o):
    share = b.op("mul", g, b.op("mul", b.const(2.0), b.op("sub", a[0], a[1])))
    return share, b.op("neg", share)


def mse(b, g, a, o):
    d = b.op("sub", a[0], a[1])
    n = int(np.prod(b.shape(d))) or 1
    share = b.op("mul", g, b.op("mul", b.const(2.0 / n), d))
    return share, b.op("neg", share)


def cross_entropy(b, g, a, o):
    p, t = a
    return (b.op("neg", b.op("mul", g, b.op("div", t, p))),
            b.op("neg", b.op("mul", g, b.op("log", p))))


# ---- picking and arranging elements ---------------------------------------------------------


def index(b, g, a, o, p):
    """The upstream gradient put back where the index took the elements from, zeros elsewhere:
    ``g`` times a one-hot array for one element, else ``g @ S`` with the 0/1 selection matrix
    ``S`` (row i has its 1 where element i came from: the index's Jacobian)."""
    from .arrays import index_forward

    shape = b.shape(a[0])
    size = int(np.prod(shape))
    where = np.asarray(index_forward(np.arange(size, dtype=float).reshape(shape), p=p))
    picked = where.astype(int).ravel()
    if where.ndim == 0:
        mask = np.zeros(size)
        mask[picked[0]] = 1.0
        return (b.op("mul", g, b.const(mask.reshape(shape))),)
    select = np.zeros((picked.size, size))
    select[np.arange(picked.size), picked] = 1.0
    flat = g if where.ndim == 1 else b.op("reshape", g, p=(-1,))
    back = b.op("matmul", flat, b.const(select))
    return (back if len(shape) == 1 else b.op("reshape", back, p=tuple(shape)),)


def reshape(b, g, a, o, p):
    return (b.op("reshape", g, p=tuple(b.shape(a[0]))),)


def concat(b, g, a, o, p):
    ndim = len(b.shape(o))
    axis = p % ndim
    pieces, start = [], 0
    for arg in a:
        stop = start + b.shape(arg)[axis]
        pieces.append(b.op("index", g, p=(Slice(),) * axis + (Slice(start, stop),)))
        start = stop
    return tuple(pieces)


def stack(b, g, a, o, p):
    axis = p % len(b.shape(o))
    return tuple(b.op("index", g, p=(Slice(),) * axis + (k,)) for k in range(len(a)))


# ---- the ops the rules above use -----------------------------------------------------------


def sum_like(b, g, a, o):
    """sum_like(h, a) sums h down to a's shape; back, each element of h gets its sum's g."""
    return b.op("mul", g, b.op("ones_like", a[0])), None
