"""Static parameters on op nodes: what a port cannot hold.

Ports carry graph values (a node's value, with a gradient). Some ops also need a fixed
description that is not a value and gets no gradient: *which* elements an index picks
(``W[0, :]``), the shape ``reshape`` makes, the axis ``concat`` joins along. Such an op's
registry entry has a :class:`Params` kind, and each of its nodes carries the parameter in the
node record's ``params`` field (:mod:`graphstudio.core.node`), in the kind's canonical form:
immutable and hashable, so records stay immutable and a bound op can be cached.

A kind says everything the rest of the program needs to know about its parameter, once:
how a person writes it (:meth:`Params.parse`, :meth:`Params.text`: the ``.gs`` reader and
writer, the inspector, the canvas symbol), how a ``.json`` document keeps it
(:meth:`Params.to_json`, :meth:`Params.from_json`), whether a value is well formed
(:meth:`Params.check`) and the value a new node starts with (``default``). Whether it fits the
node's arguments (an index in range, a reshape to the same size) is known only when the values
are, so the op's forward pass checks that and raises :class:`OpError`, which the engine shows
as the node's error.

The kinds:

* :data:`INDEX`: a tuple of positions, each an ``int`` (negative counts from the end) or a
  :class:`Slice` ``start:stop:step`` (each part optional), one per axis from the first:
  ``(0, Slice())`` is ``[0, :]``. Written in Python's subscript syntax (``[2]``, ``[0, :]``,
  ``[1:3]``, ``[::-1]``); whole numbers only, since an index is part of the graph's structure,
  not a value that flows through it.
* :data:`SHAPE`: a tuple of whole numbers, one of them ``-1`` at most (that axis takes what is
  left): ``[2, 3]``.
* :data:`AXIS`: one whole number, negative counting from the last axis: ``0``, ``-1``.

Written texts parse back to the same value: ``INDEX.parse(INDEX.text(v)) == v``.

>>> INDEX.parse("[0, :]")
(0, Slice(start=None, stop=None, step=None))
>>> INDEX.text((1, Slice(1, None, 2))), INDEX.to_json((-1, Slice(None, 3)))
('[1, 1::2]', [-1, [None, 3, None]])
>>> SHAPE.parse("[2, -1]"), AXIS.parse("-1")
((2, -1), -1)
"""

from __future__ import annotations

from .records import record

TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:
    import ast
    from typing import Any, Callable

# (``ast`` is imported where a written parameter is read: the first ``eval`` of a file of
# numbers reads none, and starts without it)

__all__ = ["Params", "Slice", "OpError", "INDEX", "SHAPE", "AXIS", "MAX_POSITIONS"]

#: the most positions an index or a shape has (numpy 1.x allows 32 dimensions)
MAX_POSITIONS = 32
#: the largest whole number an index, a shape or an axis holds
_MAX_WHOLE = 2**62


class OpError(ValueError):
    """An op's arguments do not fit its parameters (an index out of range, a reshape to
    another size): the message says so in the user's terms, and the engine makes it the
    node's error."""


@record
class Slice:
    """``start:stop:step`` of one axis; None leaves a part out (``:`` is ``Slice()``)."""

    start: int | None = None
    stop: int | None = None
    step: int | None = None

    def text(self) -> str:
        part = (lambda v: "" if v is None else str(v))
        base = f"{part(self.start)}:{part(self.stop)}"
        return base if self.step is None else f"{base}:{self.step}"

    def as_slice(self) -> slice:
        return slice(self.start, self.stop, self.step)


@record
class Params:
    """One kind of static parameter (see the module docstring).

    ``keyword`` says how a call in the ``.gs`` text writes it: None as its last argument
    (``reshape(x, [2, 3])``), else as that keyword (``concat(a, b, axis=1)``), left out at the
    default. An op written as a subscript (``x[0, :]``) writes the parameter as its brackets."""

    name: str  # what it is called in messages and the inspector: "index", "shape", "axis"
    default: Any
    read: Callable[[ast.AST], Any]  # from a .gs expression's syntax tree; ValueError if not
    text: Callable[[Any], str]  # as a person writes it
    to_json: Callable[[Any], Any]
    from_json: Callable[[Any], Any]  # ValueError if not
    keyword: str | None = None
    example: str = ""  # a written example for messages: "[0, :]"
    wrap: str = "{}"  # how read() sees a typed text: "_[{}]" for an index

    def parse(self, text: str) -> Any:
        """The value written as ``text`` (the inspector, a message's example); ValueError
        with a message otherwise. Read with :mod:`ast`, so nothing typed is ever run."""
        import ast

        written = text.strip()
        if self.wrap != "{}" and written.startswith("[") and written.endswith("]"):
            written = written[1:-1]  # an index as it is shown, [0, :], or just 0, :
        source = self.wrap.format(written)
        try:
            tree = ast.parse(source, mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise ValueError(f"{text.strip()!r} is not {self.name} such as {self.example}") from None
        if self.wrap != "{}":
            if not (isinstance(tree, ast.Subscript) and isinstance(tree.value, ast.Name)):
                raise ValueError(f"{text.strip()!r} is not {self.name} such as {self.example}")
            tree = tree.slice
        return self.read(tree)

    def check(self, value: Any) -> str:
        """Why ``value`` is not a well-formed parameter of this kind ("" when it is)."""
        try:
            same = self.from_json(self.to_json(value)) == value
        except (ValueError, TypeError, AttributeError):
            same = False
        return "" if same else f"{value!r} is not {self.name} such as {self.example}"


# ---- whole numbers ---------------------------------------------------------------------------


def _whole(node: ast.AST, what: str, hint: str = "") -> int:
    """A whole number written in the text: ``3``, ``-1``."""
    import ast

    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        if node.value > _MAX_WHOLE:
            raise ValueError(f"{what} is too large")
        return sign * node.value
    if isinstance(node, ast.Name):
        raise ValueError(f"{what} is a whole number written in the text, not a node such as "
                         f"'{node.id}'{hint}")
    if isinstance(node, ast.Constant) and isinstance(node.value, float):
        raise ValueError(f"{what} is a whole number, not {node.value!r}")
    raise ValueError(f"{what} is a whole number such as 2 or -1")


def _json_whole(v: Any, what: str) -> int:
    if type(v) is not int or abs(v) > _MAX_WHOLE:
        raise ValueError(f"{what}: expected a whole number, found {v!r}")
    return v


def _json_optional(v: Any, what: str) -> int | None:
    return None if v is None else _json_whole(v, what)


# ---- the index kind ----------------------------------------------------------------------------


_BY_VALUE = (" (an index is part of the graph's structure; to pick an element by a value "
             "such as a class label, multiply by a one-hot vector t: sum(s * t))")


def _read_slice(node: ast.Slice) -> Slice:
    parts = [None if p is None else _whole(p, "a slice's bound") for p in
             (node.lower, node.upper, node.step)]
    if parts[2] == 0:
        raise ValueError("a slice's step cannot be 0")
    return Slice(*parts)


def _read_index(node: ast.AST) -> tuple:
    import ast

    items = node.elts if isinstance(node, ast.Tuple) else [node]
    if not items:
        raise ValueError("an index needs a position, as in [0]")
    if len(items) > MAX_POSITIONS:
        raise ValueError(f"an index of {len(items)} positions; arrays have at most "
                         f"{MAX_POSITIONS} axes")
    index = []
    for item in items:
        if isinstance(item, ast.Slice):
            index.append(_read_slice(item))
        elif isinstance(item, (ast.List, ast.Tuple)):
            raise ValueError("an index holds whole numbers and slices such as 1:3, not lists")
        elif isinstance(item, ast.Constant) and item.value is Ellipsis:
            raise ValueError("'...' is not supported in an index; write every axis, as in [0, :]")
        else:
            index.append(_whole(item, "an index", _BY_VALUE))
    return tuple(index)


def _index_text(index: tuple) -> str:
    return "[" + ", ".join(p.text() if isinstance(p, Slice) else str(p) for p in index) + "]"


def _index_to_json(index: tuple) -> list:
    return [[p.start, p.stop, p.step] if isinstance(p, Slice) else p for p in index]


def _index_from_json(data: Any) -> tuple:
    if not isinstance(data, list) or not 1 <= len(data) <= MAX_POSITIONS:
        raise ValueError(f"expected a list of 1 to {MAX_POSITIONS} positions, found {data!r}")
    index = []
    for k, p in enumerate(data):
        if isinstance(p, list):
            if len(p) != 3:
                raise ValueError(f"position {k}: a slice is [start, stop, step], found {p!r}")
            s = Slice(*(_json_optional(v, f"position {k}") for v in p))
            if s.step == 0:
                raise ValueError(f"position {k}: a slice's step cannot be 0")
            index.append(s)
        else:
            index.append(_json_whole(p, f"position {k}"))
    return tuple(index)


INDEX = Params(name="an index", default=(0,), read=_read_index, text=_index_text,
               to_json=_index_to_json, from_json=_index_from_json, example="[0, :]",
               wrap="_[{}]")


# ---- the shape kind ------------------------------------------------------------------------------


def _read_shape(node: ast.AST) -> tuple:
    import ast

    if not isinstance(node, (ast.List, ast.Tuple)):
        raise ValueError("a shape is a list of whole numbers, as in [2, 3]")
    return _shape(tuple(_whole(e, "a shape's size") for e in node.elts))


def _shape(sizes: tuple) -> tuple:
    if len(sizes) > MAX_POSITIONS:
        raise ValueError(f"a shape of {len(sizes)} axes; arrays have at most {MAX_POSITIONS}")
    if sum(s == -1 for s in sizes) > 1:
        raise ValueError("at most one size of a shape may be -1 (the size that is left)")
    if any(s < -1 for s in sizes):
        raise ValueError("a shape's sizes are 0 or more (or -1: the size that is left)")
    return sizes


def _shape_from_json(data: Any) -> tuple:
    if not isinstance(data, list):
        raise ValueError(f"expected a list of sizes, found {data!r}")
    return _shape(tuple(_json_whole(v, "a size") for v in data))


SHAPE = Params(name="a shape", default=(-1,), read=_read_shape,
               text=lambda s: "[" + ", ".join(map(str, s)) + "]",
               to_json=list, from_json=_shape_from_json, example="[2, 3]")


# ---- the axis kind -------------------------------------------------------------------------------


def _axis(v: int) -> int:
    if abs(v) >= MAX_POSITIONS:
        raise ValueError(f"an axis is from -{MAX_POSITIONS} to {MAX_POSITIONS - 1}")
    return v


AXIS = Params(name="an axis", default=0, read=lambda node: _axis(_whole(node, "an axis")),
              text=str, to_json=lambda a: a,
              from_json=lambda v: _axis(_json_whole(v, "an axis")), keyword="axis",
              example="0 or -1")
