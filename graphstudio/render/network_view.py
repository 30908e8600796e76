"""A small network drawn as TensorFlow Playground draws it: each hidden unit's box shows the
unit's response over the input plane as a heat map behind its name and numbers, and each
weight's link is coloured by the weight's sign (the theme's orange below zero, blue above)
and as thick as its size.

:func:`unit_responses` decorates a :class:`~graphstudio.render.picture.Picture` of a network
written neuron by neuron (``style == "neuron"``) that has an input plane
(:class:`~graphstudio.core.plane.Plane`): the units are its scalar activations (the ops of the
registry's activations group, :func:`~graphstudio.core.networks.activations`) computed from
the plane's inputs, and the network's output; the weights are the trainable numbers
multiplied into a unit. Nothing else changes. No Qt here.

A unit's levels: a bounded activation spans its own range, centred at its middle (read from
the op's forward far out on either side: a sigmoid's 0 … 1 centred at 0.5, tanh's -1 … 1);
a classifier's output is a probability, centred at 0.5; the others (relu, a regression's
output) share one scale, their largest size over the plane.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

import numpy as np

from ..core.graph import Graph
from ..core.networks import activations
from ..core.ops import get_op
from ..core.plane import Plane
from .picture import Picture

__all__ = ["unit_responses", "network_units", "network_weights", "NetworkShape",
           "network_shape", "MAX_UNITS", "THUMBNAIL_RESOLUTION"]

#: a network with more units than this is not a small network: no thumbnails
MAX_UNITS = 64
#: points along each side of a thumbnail
THUMBNAIL_RESOLUTION = 20


def network_units(graph: Graph, plane: Plane) -> list[int]:
    """The hidden units (scalar activations fed by the plane's inputs) and the output shown
    over the plane, in the graph's order; [] for a network that is not small."""
    fed = set()
    for n in plane.setup.feeds:
        fed |= graph.descendants(n)
    kinds = set(activations())
    units = [n for n in graph.topological_order()
             if n in fed and graph.op(n) in kinds and not graph.is_leaf(n)]
    if plane.setup.component is None and plane.setup.shown not in units:
        units.append(plane.setup.shown)
    return units if len(units) <= MAX_UNITS else []


def network_weights(graph: Graph) -> list[int]:
    """The trainable numbers multiplied into a unit (``w1_2_1`` in ``w1_2_1 * x_1``)."""
    return [n for n in graph.inputs() if graph.node(n).trainable
            and isinstance(graph.value(n), float)
            and any(graph.op(c) == "mul" for c in graph.children(n))]


def _range(graph: Graph, node: int, plane: Plane) -> tuple[float, float] | None:
    """``(middle, half width)`` of a unit whose values are bounded, else None."""
    if node == plane.setup.shown and plane.setup.kind == "classification":
        return 0.5, 0.5  # a probability
    op = get_op(graph.op(node))
    try:
        with np.errstate(all="ignore"):
            lo, far_lo, hi, far_hi = (float(op.forward(np.array(x)))
                                      for x in (-1e3, -1e6, 1e3, 1e6))
    except Exception:  # an op that cannot say: no range
        return None
    ends = np.array([lo, far_lo, hi, far_hi])
    if not np.all(np.isfinite(ends)) or not (np.isclose(lo, far_lo) and np.isclose(hi, far_hi)) \
            or hi == lo:  # unbounded (relu) or flat
        return None
    return (lo + hi) / 2, abs(hi - lo) / 2


@dataclass(frozen=True)
class NetworkShape:
    """What :func:`unit_responses` reads of a network's structure: the units, the weights
    and each unit's range (``(middle, half width)``, None for an unbounded one). It holds as
    long as the graph's structure and the plane do; a view that follows a run works it out
    once (:func:`network_shape`) rather than at every frame."""

    units: tuple[int, ...]
    weights: tuple[int, ...]
    ranges: Mapping[int, tuple[float, float] | None]


def network_shape(graph: Graph, plane: Plane, units: list[int] | None = None) -> NetworkShape:
    """The units (default :func:`network_units`), weights and ranges of ``graph``'s network."""
    units = network_units(graph, plane) if units is None else units
    return NetworkShape(tuple(units), tuple(network_weights(graph)),
                        {n: _range(graph, n, plane) for n in units})


def _levels(grids: Mapping[int, np.ndarray],
            ranges: Mapping[int, tuple[float, float] | None]) -> dict[int, np.ndarray]:
    finite = [np.abs(g[np.isfinite(g)]) for n, g in grids.items() if ranges[n] is None]
    scale = max((float(f.max()) for f in finite if f.size), default=0.0) or 1.0
    out = {}
    for n, g in grids.items():
        middle, half = ranges[n] or (0.0, scale)
        out[n] = np.clip((g - middle) / half, -1.0, 1.0)
    return out


def unit_responses(picture: Picture, graph: Graph, plane: Plane,
                   params: Mapping[int, Any] | None = None,
                   shape: NetworkShape | None = None) -> Picture:
    """``picture`` with each unit's response over the plane (at ``params``, default the
    graph's own) and each weight's sign and size on its links; ``shape`` is the network's
    :func:`network_shape`, worked out here when not given."""
    if not any(v.style == "neuron" for v in picture.nodes.values()):
        return picture
    shape = network_shape(graph, plane) if shape is None else shape
    if not shape.units:
        return picture
    params = dict(params or {})
    # every unit over the grid in one batched pass of the network
    grids = plane.node_grids(shape.units, params, THUMBNAIL_RESOLUTION)
    levels = _levels({n: g.values for n, g in grids.items()}, shape.ranges)
    nodes = dict(picture.nodes)
    for n, lv in levels.items():
        if n in nodes and nodes[n].style == "neuron":
            nodes[n] = replace(nodes[n], thumbnail=lv)
    values = {n: float(params.get(n, graph.value(n))) for n in shape.weights}
    top = max((abs(v) for v in values.values()), default=0.0) or 1.0
    edges = [replace(e, weight=values[e.src] / top) if e.src in values else e
             for e in picture.edges]
    return replace(picture, nodes=nodes, edges=edges)
