"""Numbers as GraphStudio writes them: the one home of every way a value becomes text.

A value is a Python float or a numpy array (see :func:`graphstudio.core.graph.as_value`);
``None`` means "no value". Each style answers one reader:

* :func:`format_value`: **short**, ``digits`` significant digits (4 unless told): ``60``,
  ``-0.25``, ``1.638e+04``, ``[1 -2.5]``, ``nan``, ``—`` for no value. The canvas, captions,
  CLI tables and messages.
* :func:`format_worked`: **worked**, the lectures' ``grad_table``: a whole number in full
  (``16384``, not ``1.638e+04``: a sum the student checks by hand must show every digit),
  anything else short.
* :func:`format_array_in_full`: an array with **every element** (each in the worked style),
  rows up to 160 characters, for a detail view that must not elide.
* :func:`format_literal`: the **exact** text the ``.gs`` reader reads back to the same float:
  ``3``, ``0.1``, ``[[1, 2], [-3, 4]]``, ``-0.0``, ``inf``, ``nan``.
* :func:`format_editable`: what a person **edits** in place: 12 significant digits for a
  number, JSON for an array (``[[1, 2.5], [3, 4]]``).
* :func:`jsonable`: a value as **JSON data** (floats and nested lists, ``"nan"``, ``"inf"``),
  as ``eval --json`` and the JSON document write it.
* :func:`shape_words`: what a value **is**, for messages: ``a vector of 3``, ``a 2×3 matrix``.

No Qt here, and no numpy until an array is met: ``graphstudio eval`` of a cached program of
numbers prints its floats without importing numpy (core/program_cache.py).

>>> format_value(16384.0), format_worked(16384.0), format_value(-0.25), format_value(None)
('1.638e+04', '16384', '-0.25', '—')
>>> format_literal([[1.0, 2.5], [-3.0, 4.0]]), format_editable(0.1 + 0.2)
('[[1, 2.5], [-3, 4]]', '0.3')
"""

from __future__ import annotations

import json
import math
import re
import sys
TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:
    from typing import Any, Callable

    import numpy as np

__all__ = ["format_value", "format_worked", "one_line", "format_array_in_full", "format_literal",
           "format_editable", "shape_words", "jsonable"]


def _scalar(value: Any) -> bool:
    """A Python or numpy number (a numpy number exists only once numpy is imported)."""
    if isinstance(value, (float, int)):
        return True
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, (np.floating, np.integer))


def _ndarray(value: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.ndarray)


def format_value(value: Any, digits: int = 4) -> str:
    """A short readable form of a value: ``60``, ``-0.25``, ``[1 -2.5]``, ``nan``, ``—``."""
    if value is None:
        return "—"
    if _scalar(value):
        v = float(value)
        if v != v:
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v == 0:
            return "0"
        return f"{v:.{digits}g}"
    import numpy as np

    arr = np.asarray(value)

    def element(x: float) -> str:
        return format_value(x, digits)

    if arr.ndim >= 2 and arr.size > arr.shape[-1]:  # rows on lines: columns right-aligned
        width = max(len(element(x)) for x in _shown(arr, threshold=12, edgeitems=2).flat)
        return _array_text(arr, digits, lambda x: element(x).rjust(width), width=60,
                           threshold=12, edgeitems=2)
    return _array_text(arr, digits, element, width=60, threshold=12, edgeitems=2)


def _shown(arr: "np.ndarray", *, threshold: int, edgeitems: int) -> "np.ndarray":
    """The elements numpy prints of ``arr``: all of them, or the ``edgeitems`` at each end of
    every axis when it summarises (so a column's width is measured on what is seen, and a
    100,000-row array is not formatted whole for four of its rows)."""
    import numpy as np

    if arr.size <= threshold:
        return arr
    index = [np.r_[0:edgeitems, n - edgeitems:n] if n > 2 * edgeitems else np.arange(n)
             for n in arr.shape]
    return arr[np.ix_(*index)]


def one_line(text: str) -> str:
    """A printed array put on one line, for a sentence (a caption, a status message): its rows
    side by side and the padding that aligned its columns dropped, ``[[0.2 -0.4] [3 5]]``.

    >>> one_line("[[ 0.2 -0.4]\\n [   3    5]]")
    '[[0.2 -0.4] [3 5]]'
    """
    if "\n" not in text and "  " not in text:
        return text
    return re.sub(r"\[ +", "[", " ".join(text.split()))


def format_worked(value: Any, digits: int = 4) -> str:
    """As :func:`format_value`, but a whole number below 10¹² is written in full (``16384``)."""
    if _scalar(value):
        v = float(value)
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e12:
            return str(int(v))
    return format_value(value, digits)


def format_array_in_full(value: Any, digits: int = 4) -> str:
    """Every element of an array (each in the worked style), rows on their own lines, up to
    160 characters wide; the columns of a matrix right-aligned, so its rows read as a table.

    >>> print(format_array_in_full([[-0.5, 12.0], [3.0, -0.25]]))
    [[ -0.5    12]
     [    3 -0.25]]
    """
    import numpy as np

    arr = np.asarray(value, dtype=float)
    threshold = 10_000

    def element(x: float) -> str:
        return format_worked(x, digits)

    if arr.ndim >= 2 and arr.size > arr.shape[-1] and arr.size <= threshold:
        width = max(len(element(x)) for x in arr.flat)
        return _array_text(arr, digits, lambda x: element(x).rjust(width), width=160,
                           threshold=threshold, edgeitems=3)
    return _array_text(arr, digits, element, width=160, threshold=threshold, edgeitems=3)


def _array_text(arr: "np.ndarray", digits: int, element: Callable[[float], str], *, width: int,
                threshold: int, edgeitems: int) -> str:
    import numpy as np

    return np.array2string(arr, precision=digits, separator=" ", suppress_small=True,
                           max_line_width=width, threshold=threshold, edgeitems=edgeitems,
                           formatter={"float_kind": element})


def format_literal(value: Any) -> str:
    """The value as ``.gs`` literal text that reads back to the same floats."""
    if _ndarray(value):
        value = value.tolist()
    if isinstance(value, list):
        return "[" + ", ".join(format_literal(v) for v in value) + "]"
    v = float(value)
    if not math.isfinite(v):
        return "nan" if v != v else "inf" if v > 0 else "-inf"  # words the reader knows
    if v == 0 and math.copysign(1.0, v) < 0:
        return "-0.0"
    return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def format_editable(value: Any) -> str:
    """A value as a person types it: ``2.5`` (12 significant digits) or ``[[1, 2], [3, 4]]``
    (JSON, every digit kept); ``""`` for no value."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format_value(value, 12)

    def plain(x):
        return [plain(v) for v in x] if isinstance(x, list) else (int(x) if float(x).is_integer() else x)

    import numpy as np

    return json.dumps(plain(np.asarray(value).tolist()))


def shape_words(value: Any) -> str:
    """``a number``, ``a vector of 3``, ``a 2×3 matrix``, ``an array of shape (2, 2, 2)``: what
    a value (or a shape, given as a tuple) is, for messages.

    >>> shape_words(2.0), shape_words([0.0, 0.0, 0.0]), shape_words((2, 3))
    ('a number', 'a vector of 3', 'a 2×3 matrix')
    """
    import numpy as np

    shape = value if isinstance(value, tuple) else np.shape(value)
    if not shape:
        return "a number"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix"
    return f"an array of shape {shape}"


def jsonable(value: Any) -> Any:
    """A value as JSON data: floats and nested lists, non-finite numbers as strings."""
    if type(value) is float and value - value == 0.0:  # a finite number (the common case)
        return value
    if value is None:
        return None
    if _ndarray(value):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v
