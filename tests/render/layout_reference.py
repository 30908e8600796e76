"""The layered layout as it was written first, in plain Python (kept from the tag
before-session12): the reference that :mod:`graphstudio.render.layout`, which sorts and places
the columns with numpy, must give the same positions as, to the bit
(``tests/render/test_layout_reference.py``)."""
from __future__ import annotations

from collections import defaultdict
from operator import add

from graphstudio.core.graph import Graph

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
    preds = {n: [p for p in ps if p is not None] for n, ps in parents.items()}
    succs: dict[int, tuple[list[int], list[float]]] = {n: ([], []) for n in parents}
    for src, dst, port in graph.edges():
        n_ports = max(len(parents[dst]), 1)
        succs[src][0].append(dst)
        succs[src][1].append((port + 0.5) / n_ports - 0.5)
    index = {n: i for col in by_layer.values() for i, n in enumerate(col)}  # every node
    at = index.__getitem__

    def sweep(cols: range, down: bool) -> bool:
        """Sort each column by its nodes' barycentres (``down``: of their parents, else of
        their children's ports); whether any order changed."""
        changed = False
        for c in cols:
            col = by_layer[c]
            key = {}
            for n in col:
                if down:
                    ms = preds[n]
                    centre = sum(map(at, ms)) / len(ms) if ms else index[n]
                else:
                    ms, offsets = succs[n]
                    centre = sum(map(add, map(at, ms), offsets)) / len(ms) if ms else index[n]
                key[n] = (centre, seq[n])
            ordered = sorted(col, key=key.__getitem__)
            if ordered != col:
                changed = True
                by_layer[c] = ordered
                for i, n in enumerate(ordered):
                    index[n] = i
        return changed

    for _ in range(sweeps):
        down = sweep(range(1, depth), True)
        up = sweep(range(depth - 2, -1, -1), False)
        if not (down or up):
            break  # settled: every further sweep would find the same orders
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


def _port_offsets(graph: Graph, sizes: dict[int, tuple[float, float]],
                  parents: dict[int, list[int | None]]):
    """For each node, its parents and children with where the edge meets it, relative to the
    node's centre: (neighbour, my end's offset, the neighbour's end's offset). Ports run top to
    bottom on a child's left side (as render.routing draws them); the output is in the middle."""
    preds: dict[int, list[tuple[int, float, float]]] = {n: [] for n in graph.nodes()}
    succs: dict[int, list[tuple[int, float, float]]] = {n: [] for n in graph.nodes()}
    for src, dst, port in graph.edges():
        n_ports = max(len(parents[dst]), 1)
        h = sizes.get(dst, (0.0, 0.0))[1]
        span = min(h - 16.0, 28.0 * (n_ports - 1)) if n_ports > 1 else 0.0
        off = -span / 2 + span * port / (n_ports - 1) if n_ports > 1 else 0.0
        preds[dst].append((src, off, 0.0))
        succs[src].append((dst, 0.0, off))
    return preds, succs


def _place(wanted: list[float], shift: list[float]) -> list[float]:
    """Centres for the boxes of one column, in their order, as near ``wanted`` as they can be
    (least squares) with ``gap`` between boxes: isotonic regression (pool adjacent violators)
    on the wanted centres shifted by each box's place in the stack (``shift``, from
    :func:`_shifts`)."""
    sums: list[float] = []  # the blocks: their sums and counts
    counts: list[float] = []
    for w, s in zip(wanted, shift):
        sums.append(w - s)
        counts.append(1.0)
        while len(sums) > 1 and sums[-2] / counts[-2] > sums[-1] / counts[-1]:
            total, count = sums.pop(), counts.pop()
            sums[-1] += total
            counts[-1] += count
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
    preds, succs = _port_offsets(graph, sizes, parents)
    # a leaf whose only use is one node (a constant, a bias) follows that node in the sweeps
    # right to left; the node itself lines up with its other arguments, so a chain of x * 2
    # does not drift towards its constants
    followers = {n for n in graph.nodes() if graph.is_leaf(n) and len(set(graph.children(n))) == 1}

    def ends(edges):
        """The neighbours placed, and the offsets of each edge's two ends."""
        edges = [e for e in edges if e[0] in ys]
        return [e[0] for e in edges], [e[1] for e in edges], [e[2] for e in edges]

    leading = {}
    for n, edges in preds.items():
        lead = [e for e in edges if e[0] not in followers]
        leading[n] = ends(lead or edges)
    following = {n: ends(edges) for n, edges in succs.items()}

    def sweep(order, neighbours, movable=None) -> None:
        for c in order:
            col = cols[c]
            if not col:
                continue
            wanted = []
            for n in col:
                ms, mine, their = neighbours[n]
                if ms and (movable is None or n in movable):
                    wanted.append(sum([ys[m] + t - o for m, o, t in zip(ms, mine, their)]) / len(ms))
                else:
                    wanted.append(ys[n])
            for n, y in zip(col, _place(wanted, shifts[c])):
                ys[n] = y

    right = range(1, depth)
    left = range(depth - 2, -1, -1)
    for _ in range(3):
        sweep(right, leading)
        sweep(left, following)
    sweep(right, leading)  # last left to right: a chain ends straight
    sweep(left, following, movable=followers)
    pos = {n: (xs[n], ys[n]) for n in ys}
    # whole units: a saved document reads cleanly and nodes line up exactly
    return {n: (float(round(x)), float(round(y))) for n, (x, y) in pos.items()}
