"""The node record: what a node *is*, one typed, immutable record with the one list of fields.

Every node of a :class:`~graphstudio.core.graph.Graph` is a :class:`Node`. The graph hands
records out (``graph.node(n)``) and never the storage behind them, so nothing outside the model
can change a node without the model knowing: every change goes through the graph's setters,
which replace the record and announce the change (:mod:`graphstudio.core.events`).

The fields, in the order files write them:

=============  ==========================================================================
``op``         ``"input"``, ``"const"`` or a registry op name (:mod:`graphstudio.core.ops`)
``name``       the variable's name, or None (an unnamed sub-expression)
``value``      a leaf's value (a Python float or a read-only float64 array); None for ops
``pos``        the node's place on the canvas ``(x, y)``, or None (not laid out yet)
``seq``        the order of assignment: ties in the topological order, the default output
``trainable``  an input that training changes (``param(...)``)
``data``       the dataset column (text) or columns (a tuple) an input is bound to
``onehot``     with one ``data`` column: the number of classes it is one-hot encoded into
``equals``     with one ``data`` column: 1 where the column equals this number, else 0
``params``     an op's static parameter (which elements an index picks, the shape reshape
               makes), in the form of its registry entry's kind
               (:class:`~graphstudio.core.params.Params`); None for the other nodes
``seed``       the upstream gradient the backward pass starts from when this node is the
               output (a number, or an array of the output's shape, read-only); None: 1, or
               ones for an array (the gradient of the sum of its elements)
``source``     ``(line, col)`` where a ``.gs`` text assigned it, for messages; not saved
=============  ==========================================================================

A new field is one line here (with its default); the JSON document writes and reads every field
but :data:`UNSAVED` (a test checks that each one round-trips), and copy/paste, New Network and
imports carry every field (:func:`graphstudio.core.merge.merge_into`).

The record is a :class:`~typing.NamedTuple` rather than a frozen dataclass: it is just as
immutable and typed, and four times cheaper to make, which a graph of a million nodes feels.
Change one with ``record._replace(field=...)`` (the graph does, in its setters).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .ops import LEAF_KINDS, Value

__all__ = ["Node", "FIELDS", "UNSAVED", "SAVED_FIELDS", "SETTABLE_FIELDS", "non_defaults",
           "new_node"]


class Node(NamedTuple):
    """One node's attributes (see the module docstring). Compare records with :meth:`same`:
    values may be arrays, which ``==`` would compare element by element."""

    op: str
    name: str | None = None
    value: Value = None
    pos: tuple[float, float] | None = None
    seq: int = 0
    trainable: bool = False
    data: str | tuple[str, ...] | None = None
    onehot: int | None = None
    equals: float | None = None
    params: Any = None
    seed: Value = None
    source: tuple[int, int] | None = None

    @property
    def is_leaf(self) -> bool:
        return self.op in LEAF_KINDS

    def same(self, other: "Node") -> bool:
        """Every field equal (arrays element by element, and of the same shape)."""
        import numpy as np

        for f in FIELDS:
            a, b = getattr(self, f), getattr(other, f)
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                        and np.array_equal(a, b)):
                    return False
            elif a != b:
                return False
        return True


#: every field of a node, in order
FIELDS: tuple[str, ...] = Node._fields
#: the fields a document does not keep: ``seq`` is the order of the nodes in the file, and
#: ``source`` is where a text put the node, which means nothing once it is saved elsewhere
UNSAVED: tuple[str, ...] = ("seq", "source")
#: the fields a document keeps, in the order it writes them
SAVED_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in UNSAVED)
#: the fields :meth:`Graph.set_attr` changes; the others have their own setters, which keep
#: the graph's invariants (a unique name, ports that fit the op, the order of assignment)
SETTABLE_FIELDS: tuple[str, ...] = ("trainable", "data", "onehot", "equals", "params", "seed",
                                     "source")

_DEFAULTS = {"op": None, **Node._field_defaults}

# new_node's: the fields after the first five, their defaults and places
_HEAD = ("op", "name", "value", "pos", "seq")
assert FIELDS[:5] == _HEAD
_TAIL_DEFAULTS = tuple(Node._field_defaults[f] for f in FIELDS[5:])
_TAIL_PLACE = {f: i for i, f in enumerate(FIELDS[5:])}


def new_node(op: str, name: str | None, value: Value, pos: tuple[float, float] | None, seq: int,
             fields: dict[str, Any]) -> Node:
    """``Node(op, name, value, pos, seq, **fields)``, made without keyword arguments, which
    cost a named tuple more than everything else about a new node (a reader makes a million)."""
    if not fields:
        return tuple.__new__(Node, (op, name, value, pos, seq, *_TAIL_DEFAULTS))
    tail = list(_TAIL_DEFAULTS)
    for field, v in fields.items():
        tail[_TAIL_PLACE[field]] = v
    return tuple.__new__(Node, (op, name, value, pos, seq, *tail))


_OP_TAIL = _TAIL_DEFAULTS[:-1]
assert FIELDS[-1] == "source"


def new_op_node(op: str, seq: int, source: tuple[int, int] | None) -> Node:
    """``new_node(op, None, None, None, seq, {"source": source})``: an op node a reader makes,
    its place in the text its one field beyond the first five."""
    return tuple.__new__(Node, (op, None, None, None, seq, *_OP_TAIL, source))


def non_defaults(node: Node, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of ``node`` that differ from their defaults (``op`` always), by name."""
    return {f: getattr(node, f) for f in FIELDS
            if f not in skip and (f == "op" or not _is_default(getattr(node, f), _DEFAULTS[f]))}


def _is_default(value: Any, default: Any) -> bool:
    if value is default:
        return True
    if value is None or default is None:
        return False
    return type(value) is type(default) and value == default  # defaults are plain scalars
