"""The ops that move elements without arithmetic: indexing and slicing (``s[2]``, ``W[0, :]``,
``v[1:3]``), for the registry's entries (:mod:`graphstudio.core.ops`).

Each takes its static parameter as the keyword ``p`` (:mod:`graphstudio.core.params`). The
forward pass checks that the parameter fits the argument and raises
:class:`~graphstudio.core.params.OpError` with a message in the user's terms when it does not
(an index out of range); the vector-Jacobian product puts the upstream gradient back where the
elements came from, zeros elsewhere. The sympy forms work on numpy arrays of sympy expressions
(how the symbolic view holds a vector or a matrix).

>>> index_forward(np.array([3.2, 5.1, -1.7]), p=(-1,))
-1.7
>>> index_vjp(2.0, (np.array([3.2, 5.1, -1.7]),), -1.7, p=(1,))
(array([0., 2., 0.]),)
>>> index_forward(np.array([1.0, 2.0]), p=(2,))
Traceback (most recent call last):
...
graphstudio.core.params.OpError: index 2 is out of range for a vector of 2 (0 to 1, or -2 to -1)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .numbers import shape_words
from .params import INDEX, OpError, Slice

__all__ = ["index_forward", "index_vjp", "index_sympy", "numpy_index"]


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
