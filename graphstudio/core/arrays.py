"""The ops that move elements without arithmetic: indexing and slicing (``s[2]``, ``W[0, :]``,
``v[1:3]``), reshaping (``reshape(x, [2, 3])``) and joining (``concat(a, b, axis=1)``,
``stack(s1, s2, s3)``), for the registry's entries (:mod:`graphstudio.core.ops`).

Each takes its static parameter as the keyword ``p`` (:mod:`graphstudio.core.params`). The
forward pass checks that the parameter fits the argument and raises
:class:`~graphstudio.core.params.OpError` with a message in the user's terms when it does not
(an index out of range, a reshape to another number of elements, arguments that do not join);
the vector-Jacobian product puts the upstream gradient back where the elements came from
(zeros where an index did not pick), which for a join is splitting it into the arguments'
pieces. The sympy forms work on numpy arrays of sympy expressions
(how the symbolic view holds a vector or a matrix).

>>> index_forward(np.array([3.2, 5.1, -1.7]), p=(-1,))
-1.7
>>> index_vjp(2.0, (np.array([3.2, 5.1, -1.7]),), -1.7, p=(1,))
(array([0., 2., 0.]),)
>>> index_forward(np.array([1.0, 2.0]), p=(2,))
Traceback (most recent call last):
...
graphstudio.core.params.OpError: index 2 is out of range for a vector of 2 (0 to 1, or -2 to -1)
>>> stack_forward(1.0, 2.0, 3.0, p=0)
array([1., 2., 3.])
>>> concat_vjp(np.arange(5.0), (np.zeros(2), np.zeros(3)), None, p=0)
(array([0., 1.]), array([2., 3., 4.]))
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:
    from typing import Any

from . import lazy_numpy
from .numbers import shape_words
from .params import INDEX, SHAPE, OpError, Slice

np = lazy_numpy.module(globals())  # (numpy: see core/lazy_numpy.py)

__all__ = ["index_forward", "index_vjp", "index_sympy", "numpy_index", "reshape_forward",
           "reshape_vjp", "reshape_sympy", "concat_forward", "concat_vjp", "concat_sympy",
           "stack_forward", "stack_vjp", "stack_sympy"]


def numpy_index(index: tuple) -> tuple:
    """An index (:data:`~graphstudio.core.params.INDEX`) as numpy reads it."""
    return tuple(i.as_slice() if isinstance(i, Slice) else i for i in index)


def _axis_words(shape: tuple, axis: int) -> str:
    if len(shape) == 1:
        return shape_words(shape)
    if len(shape) == 2:
        return f"the {shape[axis]} {('rows', 'columns')[axis]} of {shape_words(shape)}"
    return f"axis {axis} (of {shape[axis]}) of {shape_words(shape)}"


def check_index(shape: tuple, index: tuple) -> None:
    """Raise OpError when ``index`` does not fit an array of ``shape``."""
    if not shape:
        raise OpError(f"a number has no elements to pick with {INDEX.text(index)}; index a "
                      "vector or a matrix")
    if len(index) > len(shape):
        axes = "1 axis" if len(shape) == 1 else f"{len(shape)} axes"
        raise OpError(f"{INDEX.text(index)} has {len(index)} positions, but the argument is "
                      f"{shape_words(shape)} ({axes}: at most {len(shape)})")
    for axis, i in enumerate(index):
        n = shape[axis]
        if isinstance(i, int) and not -n <= i < n:
            where = f"0 to {n - 1}, or -{n} to -1" if n else "it is empty"
            raise OpError(f"index {i} is out of range for {_axis_words(shape, axis)} ({where})")


def index_forward(x: Any, p: tuple) -> Any:
    """``x[p]``: a number when every axis is given a whole number, else an array (a copy)."""
    arr = np.asarray(x, dtype=float)
    check_index(arr.shape, p)
    out = arr[numpy_index(p)]
    return float(out) if out.ndim == 0 else out.copy()


def index_vjp(g: Any, args: tuple, out: Any, p: tuple) -> tuple:
    """The upstream gradient put back where the elements were picked, zeros elsewhere."""
    grad = np.zeros(np.shape(args[0]))
    grad[numpy_index(p)] = g
    return (grad,)


def index_sympy(x: Any, p: tuple) -> Any:
    """``x[p]`` of a numpy array of sympy expressions."""
    out = np.asarray(x, dtype=object)[numpy_index(p)]
    return out if isinstance(out, np.ndarray) and out.ndim else out


def _number_or_array(out: np.ndarray) -> Any:
    return float(out) if out.ndim == 0 else out


# ---- reshape -------------------------------------------------------------------------------


def reshape_forward(x: Any, p: tuple) -> Any:
    """``x``'s elements, in order, in the shape ``p`` (one size may be -1: what is left)."""
    arr = np.asarray(x, dtype=float)
    try:
        out = arr.reshape(p)
    except ValueError:
        n = arr.size
        elements = f"{n} element" + ("" if n == 1 else "s")
        if -1 in p:
            known = int(np.prod([s for s in p if s != -1]))
            why = (f"the other sizes make {known} a piece, and {n} is not a whole number of "
                   "such pieces") if known else "the other sizes leave no room for them"
        else:
            why = f"that shape holds {int(np.prod(p))}"
        raise OpError(f"cannot reshape {shape_words(arr.shape)} ({elements}) into "
                      f"{SHAPE.text(p)}: {why}") from None
    return _number_or_array(out.copy())


def reshape_vjp(g: Any, args: tuple, out: Any, p: tuple) -> tuple:
    """The upstream gradient in the argument's shape: each element keeps its gradient."""
    return (_number_or_array(np.reshape(np.asarray(g, dtype=float), np.shape(args[0]))),)


def reshape_sympy(x: Any, p: tuple) -> Any:
    out = np.reshape(np.asarray(x, dtype=object), p)
    return out.item() if out.ndim == 0 else out


# ---- joining: concat and stack --------------------------------------------------------------


def _axis_range(axis: int, ndim: int, what: str) -> int:
    """``axis`` of ``ndim`` axes counted from 0 (OpError when there is no such axis)."""
    if not -ndim <= axis < ndim:
        axes = ("1 axis (0, or -1)" if ndim == 1
                else f"{ndim} axes (0 to {ndim - 1}, or -{ndim} to -1)")
        raise OpError(f"axis {axis} is out of range: {what} {axes}")
    return axis % ndim


def _other_sizes(ndim: int, axis: int) -> str:
    if ndim == 2:
        return ("their numbers of columns", "their numbers of rows")[axis]
    return f"their sizes on the axes other than {axis}"


def _joined(args: tuple, axis: int) -> tuple[list[np.ndarray], int]:
    """The arguments of a concat as arrays, and its axis from 0; OpError when they do not
    join along ``axis``."""
    arrays = [np.asarray(a, dtype=float) for a in args]
    for k, a in enumerate(arrays):
        if a.ndim == 0:
            raise OpError(f"argument {k + 1} is a number; concat joins vectors and matrices "
                          "(stack makes numbers into a vector)")
    first = arrays[0]
    for k, a in enumerate(arrays[1:], start=2):
        if a.ndim != first.ndim:
            raise OpError(f"argument {k} is {shape_words(a.shape)} and argument 1 is "
                          f"{shape_words(first.shape)}: concat joins arrays of as many axes")
    ax = _axis_range(axis, first.ndim, f"{shape_words(first.shape)} has")
    rest = first.shape[:ax] + first.shape[ax + 1:]
    for k, a in enumerate(arrays[1:], start=2):
        if a.shape[:ax] + a.shape[ax + 1:] != rest:
            raise OpError(f"argument {k} is {shape_words(a.shape)} and argument 1 is "
                          f"{shape_words(first.shape)}: joined along axis {axis}, "
                          f"{_other_sizes(first.ndim, ax)} must match")
    return arrays, ax


def concat_forward(*args: Any, p: int) -> np.ndarray:
    """The arguments joined end to end along axis ``p`` (for matrices, 0: one below the
    other, 1: side by side)."""
    arrays, ax = _joined(args, p)
    return np.concatenate(arrays, axis=ax)


def concat_vjp(g: Any, args: tuple, out: Any, p: int) -> tuple:
    """The upstream gradient cut back into the arguments' pieces."""
    ax = p % np.ndim(args[0])
    cuts = np.cumsum([np.shape(a)[ax] for a in args])[:-1]
    return tuple(np.split(np.asarray(g, dtype=float), cuts, axis=ax))


def concat_sympy(*args: Any, p: int) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=object) for a in args], axis=p)


def stack_forward(*args: Any, p: int) -> np.ndarray:
    """The arguments, all of one shape, as the slices of a new axis ``p``: numbers make a
    vector, vectors the rows (``p=0``) or the columns (``p=1``) of a matrix."""
    arrays = [np.asarray(a, dtype=float) for a in args]
    shape = arrays[0].shape
    for k, a in enumerate(arrays[1:], start=2):
        if a.shape != shape:
            raise OpError(f"argument {k} is {shape_words(a.shape)} and argument 1 is "
                          f"{shape_words(shape)}: stack joins arguments of one shape")
    _axis_range(p, len(shape) + 1, f"stacking {shape_words(shape)} makes")
    return np.stack(arrays, axis=p)


def stack_vjp(g: Any, args: tuple, out: Any, p: int) -> tuple:
    """Each argument's slice of the upstream gradient."""
    g = np.asarray(g, dtype=float)
    return tuple(_number_or_array(np.take(g, k, axis=p)) for k in range(len(args)))


def stack_sympy(*args: Any, p: int) -> np.ndarray:
    return np.stack([np.asarray(a, dtype=object) for a in args], axis=p)
