"""A network's output over its input plane, as TensorFlow Playground draws it: for a dataset
with two input columns, what the network computes at every point of a grid spanning the data
(with a margin), and the data points themselves.

:func:`find_plane` reads the graph: its **inputs** are the inputs bound to dataset columns that
feed an op together with a trainable parameter (``W @ x``, ``w1_1_1 * x_1``); its **targets**
are the other bound inputs (``y``, a one-hot label). There is a plane when the inputs are two
columns: one vector input of two columns (``x = data(["x1", "x2"])``) or two number inputs
of one column each (``x_1``, ``x_2`` of a network written neuron by neuron). The **shown
node** is the network's output: the last node computed from the inputs alone (not from a
target) before the loss compares it with a target; for a classifier, the probability of
class 1 (the component 1 of a one-hot softmax, or the ``p_2`` of scalar neurons), drawn on a
scale centred at 0.5 with the decision boundary where it crosses 0.5; for a regression, the
predicted value.

:class:`Plane` evaluates the shown node (or any nodes, such as hidden units) over the grid
in one batched pass (:mod:`graphstudio.core.batch`), at whatever parameters it is given, so a
training view can redraw it live. :func:`contour` gives the decision boundary as line
segments (marching squares).

>>> from graphstudio.io.gs import parse_text
>>> from graphstudio.core.dataset import parse_csv
>>> g = parse_text('x = data(["a", "b"])\\ny = data("t")\\nw = param([1, -1])\\n'
...                'p = w @ x\\nL = (p - y) ** 2')
>>> ds = parse_csv("a,b,t\\n0,0,0\\n1,2,3\\n")
>>> plane = Plane(g, ds)
>>> plane.setup.columns, g.label(plane.setup.shown), plane.setup.kind
(('a', 'b'), 'p', 'regression')
>>> grid = plane.grid(resolution=3)
>>> bool(grid.values[0, 0] == grid.xs[0] - grid.ys[0])  # p = a - b at a corner
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import networkx as nx
import numpy as np

from .batch import BatchPlan, BatchRefused
from .dataset import Binding, Dataset, bound_inputs
from .engine import evaluate
from .graph import Graph

__all__ = ["PlaneSetup", "PlaneGrid", "Plane", "NoPlane", "find_plane", "contour", "MARGIN",
           "RESOLUTION"]

#: the grid extends beyond the data by this share of its extent on every side
MARGIN = 0.1
#: points along each side of the grid
RESOLUTION = 48


class NoPlane(ValueError):
    """The graph has no input plane to draw; the message says why."""


@dataclass(frozen=True)
class PlaneSetup:
    """Which inputs carry the plane's two columns, and what is drawn over it.

    ``feeds`` maps each input node to the plane's columns it takes (``(0, 1)`` for a vector
    input, ``(0,)`` or ``(1,)`` for a number); ``shown`` is the node drawn and ``component``
    its entry (for a vector output, else None); ``kind`` is ``"classification"`` (the
    shown number is the probability of class 1) or ``"regression"``; ``target`` the column
    (or input) that colours the points."""

    columns: tuple[str, str]
    feeds: dict[int, tuple[int, ...]]
    shown: int
    component: int | None
    kind: str
    target_column: str | None


@dataclass(frozen=True)
class PlaneGrid:
    """Values over the plane: ``values[i, j]`` at the point ``(xs[j], ys[i])`` (row 0 at the
    bottom, the smallest y)."""

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray

    @property
    def extent(self) -> tuple[float, float, float, float]:
        return float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1])


def _plane_inputs(graph: Graph, bound: Mapping[int, Binding]) -> list[int]:
    """The bound inputs that feed an op beside a trainable parameter (a one-hot or class
    test is a target, never an input)."""
    out = []
    for n, b in bound.items():
        if b.onehot is not None or b.equals is not None:
            continue
        for child in graph.children(n):
            if any(graph.node(p).trainable for p in graph.parents(child) if p != n):
                out.append(n)
                break
    return out


def find_plane(graph: Graph, loss: int | None = None) -> PlaneSetup:
    """The plane of ``graph`` (see the module docstring), or :class:`NoPlane` saying why."""
    loss = loss if loss is not None else graph.default_output()
    bound = bound_inputs(graph)
    if not bound:
        raise NoPlane("the graph has no inputs bound to a dataset's columns")
    inputs = _plane_inputs(graph, bound)
    columns = [c for n in inputs for c in bound[n].columns]
    if len(columns) != 2 or len(set(columns)) != 2:
        names = ", ".join(columns) or "none"
        raise NoPlane(f"the output over the input plane needs two input columns; this network "
                      f"reads {len(columns)} ({names})")
    feeds: dict[int, tuple[int, ...]] = {}
    for n in inputs:
        feeds[n] = tuple(columns.index(c) for c in bound[n].columns)
    targets = [n for n in bound if n not in feeds]
    g = graph.g
    if loss is None:
        raise NoPlane("the graph has no output")
    needed = nx.ancestors(g, loss) | {loss}
    from_inputs = set().union(*(nx.descendants(g, n) for n in feeds)) & needed
    from_targets = set().union(*(nx.descendants(g, n) for n in targets)) if targets else set()
    free = from_inputs - from_targets
    if not free:
        raise NoPlane("no node computes from the inputs alone")
    kind = "classification" if any(bound[n].onehot is not None or bound[n].equals is not None
                                   for n in targets) else "regression"
    shapes = {n: np.shape(v) for n, v in evaluate(graph, loss).values.items()}
    shown, component = _shown(graph, free, from_targets, targets, bound, kind, shapes)
    target_column = bound[targets[0]].columns[0] if targets else None
    return PlaneSetup((columns[0], columns[1]), feeds, shown, component, kind, target_column)


def _shown(graph: Graph, free: set[int], from_targets: set[int], targets: list[int],
           bound: Mapping[int, Binding], kind: str,
           shapes: Mapping[int, tuple]) -> tuple[int, int | None]:
    """The network's output: for a classifier the probability of class 1, else the last free
    node that a target-dependent node reads."""
    order = graph.topological_order()
    rank = {n: i for i, n in enumerate(order)}
    frontier = sorted((n for n in free if any(c in from_targets for c in graph.children(n))),
                      key=rank.get)
    if not frontier:  # the loss itself is free of targets: show the last free node
        frontier = [max(free, key=rank.get)]
    if kind == "classification":
        for t in targets:
            b = bound[t]
            if b.onehot is not None:
                vec = [n for n in frontier if shapes.get(n) == (b.onehot,)]
                if vec:
                    return vec[-1], 1
            if b.equals == 1.0:  # scalar neurons: the node that meets t_2 (via log p_2)
                meets = [n for n in frontier if _reaches(graph, n, t)]
                if meets:
                    return _named_source(graph, meets[-1]), None
    last = frontier[-1]
    return last, (0 if shapes.get(last) else None)


def _reaches(graph: Graph, node: int, target: int) -> bool:
    """Whether a child of ``node`` is computed with ``target`` as an argument (``t * log p``
    through ``log p``: node's child meets target in a grandchild too)."""
    for child in graph.children(node):
        if target in graph.parents(child):
            return True
        for grand in graph.children(child):
            if target in graph.parents(grand):
                return True
    return False


def _named_source(graph: Graph, node: int) -> int:
    """``node``, or the named node it computes from through unnamed one-argument ops (``p_2``
    for ``log(p_2)``)."""
    while graph.name(node) is None and not graph.is_leaf(node) and len(graph.parents(node)) == 1:
        node = graph.parents(node)[0]
    return node


class Plane:
    """Evaluates nodes of ``graph`` over the input plane of ``dataset`` (see the module
    docstring); :class:`NoPlane` when there is none, or when the graph cannot be evaluated on
    a batch (it says which node)."""

    def __init__(self, graph: Graph, dataset: Dataset, loss: int | None = None) -> None:
        self.graph = graph.copy()
        self.setup = find_plane(self.graph, loss)
        self.dataset = dataset
        cols = [dataset.column(c) for c in self.setup.columns]
        self.points = np.column_stack(cols).astype(float)
        self.targets = (dataset.column(self.setup.target_column).astype(float)
                        if self.setup.target_column else None)
        lo, hi = self.points.min(axis=0), self.points.max(axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        self.lo, self.hi = lo - MARGIN * span, hi + MARGIN * span
        self._plans: dict[tuple[int, ...], BatchPlan] = {}

    def _inputs(self, points: np.ndarray) -> dict[int, np.ndarray]:
        return {n: (points[:, cols[0]] if len(cols) == 1 else points[:, list(cols)])
                for n, cols in self.setup.feeds.items()}

    def _plan(self, nodes: tuple[int, ...]) -> BatchPlan:
        plan = self._plans.get(nodes)
        if plan is None:
            try:
                plan = BatchPlan(self.graph, self._inputs(self.points[:2]), nodes[0], nodes=nodes)
            except BatchRefused as exc:
                raise NoPlane(f"the graph cannot be evaluated over the plane at once: {exc}") from None
            self._plans[nodes] = plan
        return plan

    def values_at(self, points: np.ndarray, nodes: tuple[int, ...] | None = None,
                  params: Mapping[int, Any] | None = None) -> dict[int, np.ndarray]:
        """Each of ``nodes`` (default: the shown node) at each of ``points`` (an array of
        ``(x, y)`` rows), with the parameters ``params`` (default: the graph's); one number
        per point (a vector node: its whole value per point)."""
        nodes = tuple(nodes) if nodes is not None else (self.setup.shown,)
        plan = self._plan(nodes)
        prog = plan.program
        for n, v in (params or {}).items():
            if n in prog.index:
                prog.leaf_values[prog.index[n]] = v
        values, _grads, size = plan.run_lists(self._inputs(np.asarray(points, dtype=float)),
                                              gradients=False)
        out = {}
        for n in nodes:
            v = np.asarray(values[prog.index[n]], dtype=float)
            out[n] = v if plan.batched(n) else np.broadcast_to(v, (size,) + v.shape)
        return out

    def shown_at(self, points: np.ndarray, params: Mapping[int, Any] | None = None) -> np.ndarray:
        """The shown number (the output, or its component) at each of ``points``."""
        v = self.values_at(points, params=params)[self.setup.shown]
        return v[:, self.setup.component] if self.setup.component is not None else v

    def grid_points(self, resolution: int = RESOLUTION) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The grid's x and y coordinates and its points, row by row from the bottom."""
        xs = np.linspace(self.lo[0], self.hi[0], resolution)
        ys = np.linspace(self.lo[1], self.hi[1], resolution)
        gx, gy = np.meshgrid(xs, ys)
        return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])

    def grid(self, params: Mapping[int, Any] | None = None,
             resolution: int = RESOLUTION) -> PlaneGrid:
        """The shown number over the grid."""
        xs, ys, points = self.grid_points(resolution)
        return PlaneGrid(xs, ys, self.shown_at(points, params).reshape(len(ys), len(xs)))

    def node_grids(self, nodes: tuple[int, ...], params: Mapping[int, Any] | None = None,
                   resolution: int = 24) -> dict[int, PlaneGrid]:
        """Each of ``nodes`` (numbers, such as hidden units) over a coarser grid."""
        xs, ys, points = self.grid_points(resolution)
        values = self.values_at(points, nodes, params)
        return {n: PlaneGrid(xs, ys, v.reshape(len(ys), len(xs))) for n, v in values.items()}


def contour(values: np.ndarray, level: float, xs: np.ndarray,
            ys: np.ndarray) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The line segments where ``values`` (``values[i, j]`` at ``(xs[j], ys[i])``) crosses
    ``level``: marching squares, each crossing placed by linear interpolation along the
    cell's edge. (A saddle cell joins its crossings in order along the cell's border.)

    >>> contour(np.array([[0.0, 1.0], [0.0, 1.0]]), 0.5, np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    [((0.5, 0.0), (0.5, 1.0))]
    """
    v = np.asarray(values, dtype=float)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    out = []
    # the cells the line crosses, found for the whole grid at once (a picture is drawn many
    # times a second while a run trains; the line crosses few of its cells): every corner
    # finite, some but not all of them at or above the level
    finite, above = np.isfinite(v), v >= level
    whole = finite[:-1, :-1] & finite[:-1, 1:] & finite[1:, 1:] & finite[1:, :-1]
    count = (above[:-1, :-1].astype(int) + above[:-1, 1:] + above[1:, 1:] + above[1:, :-1])
    i, j = np.nonzero(whole & (count > 0) & (count < 4))  # row by row
    corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j)]  # around each cell
    vals = [v[c] for c in corners]
    crossing, px, py = [], [], []  # per side of the cells: whether crossed, and where
    for k in range(4):
        (ai, aj), (bi, bj) = corners[k], corners[(k + 1) % 4]
        va, vb = vals[k], vals[(k + 1) % 4]
        crossing.append(((va >= level) != (vb >= level)).tolist())
        with np.errstate(divide="ignore", invalid="ignore"):  # uncrossed sides: not read
            t = (level - va) / (vb - va)
            px.append((xs[aj] + t * (xs[bj] - xs[aj])).tolist())
            py.append((ys[ai] + t * (ys[bi] - ys[ai])).tolist())
    for c in range(len(i)):
        crossings = [(px[k][c], py[k][c]) for k in range(4) if crossing[k][c]]
        for k in range(0, len(crossings) - 1, 2):
            out.append((crossings[k], crossings[k + 1]))
    return out
