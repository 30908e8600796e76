"""What the model announces: one declared type per kind of change.

A :class:`~graphstudio.core.graph.Graph` calls each listener (``graph.subscribe(fn)``) with one
of these immutable events after every change; nothing changes a graph without announcing it.
Listeners dispatch on the type, with a dict from event type to handler (the scene, the
document, the engine's incremental evaluator), so a new kind of change is a new class here and
a new entry in the tables of the listeners that care; the others ignore it.

``affects_values`` says whether the change can change any value or gradient: a move, a renamed
dataset file or a source position cannot; those need no evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterator

__all__ = ["GraphEvent", "NodeAdded", "NodesAdded", "NodeRemoved", "EdgeAdded", "EdgeRemoved",
           "NodeChanged", "ValueChanged", "NodeMoved", "OutputChanged", "MetaChanged",
           "GroupChanged"]


@dataclass(frozen=True, slots=True)
class GraphEvent:
    """Base of every model event."""

    affects_values: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class NodeAdded(GraphEvent):
    node: int


@dataclass(frozen=True, slots=True)
class NodesAdded(GraphEvent):
    """Many new ``nodes`` (ids, in order) and the ``edges`` ``(src, dst, port)`` into them, at
    once (:meth:`Graph.bulk <graphstudio.core.graph.Graph.bulk>`: readers, builders of large
    graphs). It stands for one :class:`NodeAdded` per node and then one :class:`EdgeAdded` per
    edge, which :meth:`singles` lists for a listener that follows the graph node by node."""

    nodes: tuple[int, ...]
    edges: tuple[tuple[int, int, int], ...]

    def singles(self) -> Iterator[GraphEvent]:
        for node in self.nodes:
            yield NodeAdded(node)
        for src, dst, port in self.edges:
            yield EdgeAdded(src, dst, port)


@dataclass(frozen=True, slots=True)
class NodeRemoved(GraphEvent):
    """``node`` is gone (its edges were removed first, each with an :class:`EdgeRemoved`)."""

    node: int


@dataclass(frozen=True, slots=True)
class EdgeAdded(GraphEvent):
    """``src`` now feeds argument ``port`` of ``dst``."""

    src: int
    dst: int
    port: int


@dataclass(frozen=True, slots=True)
class EdgeRemoved(GraphEvent):
    src: int
    dst: int
    port: int


@dataclass(frozen=True, slots=True)
class NodeChanged(GraphEvent):
    """Fields of ``node`` other than its value and position changed (names from
    :data:`graphstudio.core.node.FIELDS`: ``("name",)``, ``("op", "value")``, ...)."""

    node: int
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ValueChanged(GraphEvent):
    """A leaf's value changed."""

    node: int


@dataclass(frozen=True, slots=True)
class NodeMoved(GraphEvent):
    """A node's position on the canvas changed."""

    affects_values: ClassVar[bool] = False
    node: int


@dataclass(frozen=True, slots=True)
class OutputChanged(GraphEvent):
    """The chosen output (what is differentiated) changed; None is the default output."""

    node: int | None


@dataclass(frozen=True, slots=True)
class MetaChanged(GraphEvent):
    """A graph-wide setting changed, e.g. ``"dataset"`` (the CSV file of the data inputs)."""

    affects_values: ClassVar[bool] = False
    key: str


@dataclass(frozen=True, slots=True)
class GroupChanged(GraphEvent):
    """Group ``group`` was made, changed (its name, members or collapsed flag) or removed
    (:mod:`graphstudio.core.groups`); a group only changes how the graph is shown."""

    affects_values: ClassVar[bool] = False
    group: int
