"""Bringing one graph's nodes into another: the one merge that paste, duplicate, New Network
and any import use.

Every node keeps every field of its record (:class:`~graphstudio.core.node.Node`: a
parameter stays trainable, a ``data("label", onehot=3)`` input keeps its binding) except what
belongs to its old home: its id and order of assignment are the target's next ones, a name the
target already uses gets a suffix ``_2``, ``_3``..., the position is shifted by ``offset``
(unplaced nodes are put at the offset), and where a text once assigned it (``source``) is
forgotten.

>>> from graphstudio.core.graph import Graph
>>> a, b = Graph(), Graph()
>>> _ = a.add_input("x", 1.0); _ = b.add_input("x", 2.0)
>>> merge_into(a, b)
{0: 1}
>>> sorted(a.names())
['x', 'x_2']
"""

from __future__ import annotations

from collections.abc import Collection

from .graph import Graph
from .node import non_defaults

__all__ = ["merge_into", "free_name"]

#: fields given explicitly below (op, name, value, pos) or left behind (seq, source)
_NOT_CARRIED = ("op", "name", "value", "pos", "seq", "source")


def free_name(name: str, taken: Collection[str]) -> str:
    """``name`` if it is free, else the first free ``name_2``, ``name_3``..."""
    if name not in taken:
        return name
    k = 2
    while f"{name}_{k}" in taken:
        k += 1
    return f"{name}_{k}"


def merge_into(target: Graph, source: Graph,
               offset: tuple[float, float] = (0.0, 0.0)) -> dict[int, int]:
    """Add ``source``'s nodes (in their order of assignment) and edges to ``target``; returns
    source id -> target id. ``source``'s output and settings (``meta``) are the caller's to
    carry: a paste keeps the target's, a new network brings its own. Groups come along (a
    group whose arguments stay behind forgets them, and is written back from its inputs)."""
    ids: dict[int, int] = {}
    taken = set(target.names())
    for n in source.in_order():
        record = source.node(n)
        name = record.name
        if name is not None:
            name = free_name(name, taken)
            taken.add(name)
        pos = record.pos or (0.0, 0.0)
        ids[n] = target.add_node(record.op, name=name, value=record.value,
                                 pos=(pos[0] + offset[0], pos[1] + offset[1]),
                                 **non_defaults(record, skip=_NOT_CARRIED))
    for s, t, p in source.edges():
        target.connect(ids[s], ids[t], p)
    for group in source.groups().values():
        args = tuple(ids[a] for a in group.args if a in ids)
        target.add_group(group.name, [ids[m] for m in group.members],
                         collapsed=group.collapsed, function=group.function,
                         params=group.params if len(args) == len(group.args) else (),
                         args=args if len(args) == len(group.args) else ())
    return ids
