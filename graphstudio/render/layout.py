"""A layered layout in the direction the lectures draw: inputs on the left, the output on the
right, every edge pointing rightwards.

Sugiyama in three short steps, none of them recursive:

1. **Layers** by longest path from the leaves (topological order). Leaves are then pulled right
   to just before their first use, so a constant such as the ``2`` in ``e + 2`` sits beside the
   node that uses it instead of far away in the input column.
2. **Order within a layer** by the barycentre heuristic: a few sweeps left-to-right and
   right-to-left, each node placed at the mean position of its neighbours in the previous layer
   (towards the child, the position of the argument port it feeds: ports run top to bottom).
   This removes most edge crossings on lecture-sized graphs.
3. **Coordinates**: layers ``dx`` apart, nodes ``dy`` apart, each layer centred vertically.
   Given the boxes' ``sizes`` (width, height), ``dx`` and ``dy`` are instead the gaps between
   boxes: a column is as wide as its widest box, so big array nodes never overlap.

Positions are node centres in scene units. No Qt here: the canvas and the exporters share it.

>>> from graphstudio.io.gs import parse_text
>>> g = parse_text("a = 1\\nb = 2\\nc = a + b")
>>> pos = layered_layout(g)
>>> pos[g.by_name("a")][0] < pos[g.by_name("c")][0]
True
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..core.graph import Graph

__all__ = ["layered_layout", "layers"]


def layers(graph: Graph, parents: dict[int, list[int | None]] | None = None) -> dict[int, int]:
    """Layer index of every node: 0 for the first column (``parents``: each node's
    ``graph.parents``, when the caller has them already)."""
    order = graph.topological_order()
    if parents is None:
        parents = {n: graph.parents(n) for n in order}
    layer: dict[int, int] = {}
    for n in order:
        layer[n] = max((layer[p] + 1 for p in parents[n] if p is not None), default=0)
    # pull leaves right, next to their first consumer
    children: dict[int, list[int]] = {n: [] for n in order}
    for src, dst, _port in graph.edges():
        children[src].append(dst)
    for n in reversed(order):
        kids = children[n]
        if kids and graph.is_leaf(n):
            layer[n] = max(layer[n], min(layer[k] for k in kids) - 1)
    if layer:
        low = min(layer.values())
        layer = {n: v - low for n, v in layer.items()}
    return layer


def layered_layout(graph: Graph, dx: float = 210.0, dy: float = 120.0,
                   sweeps: int = 8,
                   sizes: dict[int, tuple[float, float]] | None = None) -> dict[int, tuple[float, float]]:
    """Centre positions for every node of ``graph`` (see the module docstring for ``sizes``)."""
    if len(graph) == 0:
        return {}
    parents = {n: graph.parents(n) for n in graph.nodes()}
    layer = layers(graph, parents)
    by_layer: dict[int, list[int]] = defaultdict(list)
    seq = {n: graph.node(n).seq for n in graph.nodes()}
    for n in sorted(layer, key=lambda n: seq[n]):
        by_layer[layer[n]].append(n)
    depth = max(by_layer) + 1
    # neighbours with an offset: a parent feeding argument 1 of a child sorts just above one
    # feeding argument 2 (ports are drawn top to bottom), so a - b does not cross itself; a
    # node's parents all count at offset 0, so their mean is that of their (whole) indices
    nodes = list(parents)
    k_of = {n: k for k, n in enumerate(nodes)}  # a node's place in the arrays below
    seqs = np.array([seq[n] for n in nodes], dtype=np.int64)
    index = np.zeros(len(nodes))  # each node's index in its column (whole numbers)
    slot = np.zeros(len(nodes), dtype=np.int64)  # ... in its column as first ordered
    cols = {c: np.array([k_of[n] for n in col], dtype=np.int64) for c, col in by_layer.items()}
    for ks in cols.values():
        index[ks] = slot[ks] = np.arange(len(ks))
    column_of = {n: layer[n] for n in nodes}
    down: dict = {c: ([], [], []) for c in cols}  # by column: neighbour, slot, offset
    up: dict = {c: ([], [], []) for c in cols}
    for n in nodes:  # each node's edges in the order the plain sums took them
        nb, at, off = down[column_of[n]]
        for p in parents[n]:
            if p is not None:
                nb.append(k_of[p])
                at.append(slot[k_of[n]])
                off.append(0.0)
    for src, dst, port in graph.edges():
        n_ports = max(len(parents[dst]), 1)
        nb, at, off = up[column_of[src]]
        nb.append(k_of[dst])
        at.append(slot[k_of[src]])
        off.append((port + 0.5) / n_ports - 0.5)
    down = {c: _column_edges(d, len(cols[c])) for c, d in down.items()}
    up = {c: _column_edges(d, len(cols[c])) for c, d in up.items()}
    first = dict(cols)  # each column in its first order (the slots)
    # A column's new order follows from the orders of the columns its barycentres read (its
    # neighbours' and its own: a node without edges keeps its index), whatever its order
    # was. So a column sorted one way that kept its order keeps it again, that way, while
    # none of those columns has changed since (each change counts in ``version``): it is
    # not sorted again (in a network most columns settle after a sweep or two).
    column_of_k = np.zeros(len(nodes), dtype=np.int64)
    for c, ks in cols.items():
        column_of_k[ks] = c
    reads = {(c, way): [c] + np.unique(column_of_k[edges[0]]).tolist()
             for way, by_column in ((True, down), (False, up)) for c, edges in by_column.items()}
    version = dict.fromkeys(cols, 0)
    settled: dict = {}  # (column, downward): the versions it read when it last kept its order

    def sweep(columns: range, downward: bool) -> bool:
        """Sort each column by its nodes' barycentres (``downward``: of their parents, else of
        their children's ports), ties by the order they were written in; whether any order
        changed. Each node's sum adds its edges one by one in the order a plain Python sum
        over its neighbours took them (``np.bincount``), so the orders are the same."""
        changed = False
        for c in columns:
            if c not in cols:
                continue
            state = [version[r] for r in reads[c, downward]]
            if settled.get((c, downward)) == state:
                continue  # it would keep its order (see above)
            neighbour, at, offset, count = (down if downward else up)[c]
            mine = first[c]
            sums = np.bincount(at, index[neighbour] + offset, minlength=len(mine))
            centre = np.where(count > 0, sums / np.maximum(count, 1), index[mine])
            now = cols[c]
            order = np.lexsort((seqs[now], centre[slot[now]]))
            if (order != np.arange(len(now))).any():
                changed = True
                cols[c] = now = now[order]
                index[now] = np.arange(len(now))
                version[c] += 1
            else:
                settled[c, downward] = state
        return changed

    for _ in range(sweeps):
        moved_down = sweep(range(1, depth), True)
        moved_up = sweep(range(depth - 2, -1, -1), False)
        if not (moved_down or moved_up):
            break  # settled: every further sweep would find the same orders
    for c, ks in cols.items():
        by_layer[c] = [nodes[k] for k in ks.tolist()]
    if sizes is not None:
        return _sized(graph, by_layer, depth, sizes, dx, dy, parents)
    tallest = max(len(col) for col in by_layer.values())
    pos: dict[int, tuple[float, float]] = {}
    for c in range(depth):
        col = by_layer.get(c, [])
        offset = (tallest - len(col)) * dy / 2
        for i, n in enumerate(col):
            pos[n] = (c * dx, offset + i * dy)
    return pos


def _column_edges(edges: tuple[list, list, list], size: int) -> tuple:
    """One column's edges for the barycentre sweeps as arrays: the neighbour at the other end,
    the slot of the column's node, the offset of the port, and each slot's number of edges."""
    neighbour, at, offset = edges
    at = np.array(at, dtype=np.int64)
    return (np.array(neighbour, dtype=np.int64), at, np.array(offset, dtype=float),
            np.bincount(at, minlength=size))


def _port_offsets(order: list[int], sizes: dict[int, tuple[float, float]],
                  parents: dict[int, list[int | None]], child: np.ndarray,
                  port: np.ndarray) -> np.ndarray:
    """Where each edge meets its child, relative to the child's centre (``child``: the
    child's place in ``order``, ``port``: the argument it feeds): ports run top to bottom on
    a child's left side (as render.routing draws them); an output is in the middle."""
    n_ports = np.array([max(len(parents[n]), 1) for n in order], dtype=float)[child]
    height = np.array([sizes.get(n, (0.0, 0.0))[1] for n in order], dtype=float)[child]
    many = n_ports > 1
    span = np.minimum(height - 16.0, 28.0 * (n_ports - 1))
    return np.where(many, -span / 2 + span * port / np.where(many, n_ports - 1, 1.0), 0.0)


def _by_column(node: np.ndarray, neighbour: np.ndarray, mine: np.ndarray, theirs: np.ndarray,
               starts: np.ndarray) -> list[tuple]:
    """Edges as the sweeps of :func:`_sized` take them, a column at a time (``starts``: where
    each column begins among the nodes' places): for each edge, in the order of the column's
    nodes (``node``: the place of the node it counts for) and then of the graph's edge list,
    the neighbour's place, the node's place in its column and the offsets of the edge's two
    ends (``mine``, ``theirs``); and each node's number of edges."""
    order = np.argsort(node, kind="stable")
    node, neighbour, mine, theirs = node[order], neighbour[order], mine[order], theirs[order]
    cuts = np.searchsorted(node, starts)
    out = []
    for c in range(len(starts) - 1):
        a, b = cuts[c], cuts[c + 1]
        at = node[a:b] - starts[c]
        out.append((neighbour[a:b], at, mine[a:b], theirs[a:b],
                    np.bincount(at, minlength=starts[c + 1] - starts[c])))
    return out


def _place(wanted: list[float], shift: list[float]) -> list[float]:
    """Centres for the boxes of one column, in their order, as near ``wanted`` as they can be
    (least squares) with ``gap`` between boxes: isotonic regression (pool adjacent violators)
    on the wanted centres shifted by each box's place in the stack (``shift``, from
    :func:`_shifts`)."""
    sums: list[float] = []  # the blocks: their sums and counts
    counts: list[float] = []
    for w, s in zip(wanted, shift):
        total, count = w - s, 1.0
        while sums and sums[-1] / counts[-1] > total / count:  # merged with the block above
            total += sums.pop()
            count += counts.pop()
        sums.append(total)
        counts.append(count)
    out: list[float] = []
    for total, count in zip(sums, counts):
        out += [total / count] * int(count)
    return [z + s for z, s in zip(out, shift)]


def _shifts(heights: list[float], gap: float) -> list[float]:
    """Where each box of a column sits below the first when they are stacked ``gap`` apart."""
    shift = [0.0]
    for a, b in zip(heights, heights[1:]):
        shift.append(shift[-1] + (a + b) / 2 + gap)
    return shift


def _sized(graph: Graph, by_layer: dict[int, list[int]], depth: int,
           sizes: dict[int, tuple[float, float]], gap_x: float, gap_y: float,
           parents: dict[int, list[int | None]]) -> dict[int, tuple[float, float]]:
    """Coordinates for boxes of known sizes: columns as wide as their widest box, ``gap_x``
    between columns, ``gap_y`` at least between the boxes of a column. Each box is then moved
    up or down, keeping the column's order, to sit level with the ports it feeds and the
    outputs that feed it (a few sweeps each way), so edges run as straight as the order
    allows and a chain of nodes lies on one line."""
    xs: dict[int, float] = {}
    ys: dict[int, float] = {}
    x = 0.0
    cols = [by_layer.get(c, []) for c in range(depth)]
    shifts = {}  # by column: where its boxes sit below its first
    for c, col in enumerate(cols):
        if not col:
            continue
        width = max(sizes.get(n, (0.0, 0.0))[0] for n in col)
        heights = [sizes.get(n, (0.0, 0.0))[1] for n in col]
        total = sum(heights) + gap_y * (len(col) - 1)
        y = -total / 2
        for n, h in zip(col, heights):
            xs[n], ys[n] = x + width / 2, y + h / 2
            y += h + gap_y
        x += width + gap_x
        shifts[c] = _shifts(heights, gap_y)
    # a leaf whose only use is one node (a constant, a bias) follows that node in the sweeps
    # right to left; the node itself lines up with its other arguments, so a chain of x * 2
    # does not drift towards its constants
    followers = {n for n in graph.nodes() if graph.is_leaf(n) and len(set(graph.children(n))) == 1}
    # the boxes' centres as one array (k: a node's place in it, column by column), and each
    # column's edges as arrays (see _by_column)
    order = [n for col in cols for n in col]
    k_of = {n: k for k, n in enumerate(order)}
    centres = np.array([ys[n] for n in order], dtype=float)
    starts = np.cumsum([0] + [len(col) for col in cols])
    columns = [np.arange(starts[c], starts[c + 1]) for c in range(len(cols))]
    edge_list = graph.edges()
    src = np.array([k_of[e[0]] for e in edge_list], dtype=np.int64)
    dst = np.array([k_of[e[1]] for e in edge_list], dtype=np.int64)
    port = np.array([e[2] for e in edge_list], dtype=float)
    offset = _port_offsets(order, sizes, parents, dst, port)
    none = np.zeros(len(edge_list))
    movable = np.array([n in followers for n in order], dtype=bool)
    # a node lines up with its parents that are not followers, or with all if all are
    led = np.zeros(len(order), dtype=bool)
    led[dst[~movable[src]]] = True
    lead = ~movable[src] | ~led[dst]
    leading = _by_column(dst[lead], src[lead], offset[lead], none[lead], starts)
    following = _by_column(src, dst, none, offset, starts)
    shift_arrays = {c: np.array(shift, dtype=float) for c, shift in shifts.items()}

    def sweep(order, neighbours, only_followers: bool = False) -> None:
        """Each column's boxes as near as they may be to the mean of where their edges' other
        ends want them (summed edge by edge, as the mean of a Python list would be)."""
        for c in order:
            ks = columns[c]
            if not len(ks):
                continue
            neighbour, at, mine, theirs, count = neighbours[c]
            now = centres[ks]
            use = count > 0
            if only_followers:
                use &= movable[ks]
            if len(neighbour) and use.any():
                sums = np.bincount(at, centres[neighbour] + theirs - mine, minlength=len(ks))
                wanted = np.where(use, sums / np.maximum(count, 1), now)
            else:
                wanted = now
            shift = shift_arrays[c]
            free = wanted - shift  # where each box would go stacked on nothing
            if len(free) < 2 or (free[1:] >= free[:-1]).all():
                centres[ks] = free + shift  # no box in another's way: _place's answer, at once
            else:
                centres[ks] = _place(wanted.tolist(), shifts[c])

    right = range(1, depth)
    left = range(depth - 2, -1, -1)
    for _ in range(3):
        sweep(right, leading)
        sweep(left, following)
    sweep(right, leading)  # last left to right: a chain ends straight
    sweep(left, following, only_followers=True)
    # whole units: a saved document reads cleanly and nodes line up exactly
    return {n: (float(round(xs[n])), float(round(y))) for n, y in zip(order, centres.tolist())}
