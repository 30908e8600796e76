"""Bristol's *sum over paths*: every path from an input to the output with the product of its
local derivatives; their total is the backprop gradient. Paths can be exponentially many, so
they are counted first (dynamic programming, no enumeration) and only listed up to a limit.
Also the multiplications each method needs (Seoul: backprop is linear in the edges)."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ..engine import Evaluation
from ..groups import gates, group_inputs, hidden_members, local_derivatives
from ..ops import Value
from .common import add, close, gradient_source, output_of, reaching, seed_of

__all__ = ["Path", "PathSum", "paths"]


@dataclass(frozen=True)
class Path:
    """One path from the input to the output, as edges ``(parent, child, port)``.

    ``locals`` are the local derivatives ``∂child/∂parent`` along it (numbers, or Jacobians,
    None when too large); ``product`` is the chain rule along the path: their product for
    scalars, the Jacobians' product pulled back from the output for arrays (shaped like the
    input); ``notes`` say why a local derivative on it is what it is, where its op says (a
    ``stop_gradient`` makes the product 0)."""

    start: int
    edges: tuple[tuple[int, int, int], ...]
    locals: tuple[Value, ...]
    product: Value
    notes: tuple[str, ...] = ()  # why a local derivative on it is what it is (stop_gradient)

    @property
    def nodes(self) -> tuple[int, ...]:
        return (self.start,) + tuple(e[1] for e in self.edges)


@dataclass(frozen=True)
class PathSum:
    """Bristol's sum over paths from ``input`` to ``output``, against backprop.

    ``paths`` is None when there are more than the limit (then only ``count`` is known).
    ``total`` is the sum of the path products (when not listed, accumulated edge by edge in
    reverse topological order, the distributive law that *is* backprop); ``grad`` is the
    backprop gradient; they are equal.

    Multiplications, counted as the lectures count them, for this one gradient:

    * ``multiplications_paths``: a path of L edges multiplies L local derivatives, L − 1
      multiplications, so Σ over paths of (L − 1) (plus count − 1 additions);
    * ``multiplications_backprop``: one multiplication per edge that lies on some path
      (Seoul: "computation for each edge: one multiplication and one addition", linear in the
      edges), the edges into the output multiplying by the seed 1;
    * ``edges_backprop_all``: the edges one backward pass uses to give *every* input's
      gradient at once (every edge that reaches the output, constants' edges left out).
    """

    input: int
    output: int
    count: int
    paths: tuple[Path, ...] | None
    total: Value
    grad: Value
    multiplications_paths: int
    multiplications_backprop: int
    edges_backprop_all: int
    edges: frozenset = field(default_factory=frozenset)  # every edge on some path (to highlight)

    @property
    def listed(self) -> bool:
        return self.paths is not None

    @property
    def agrees(self) -> bool:
        return close(self.total, self.grad)


def paths(ev: Evaluation, input: int, *, limit: int = 1000) -> PathSum:
    """Every path from ``input`` to ``ev``'s output with its product of local derivatives;
    their total equals the backprop gradient ``d output / d input``.

    Paths are counted first by dynamic programming over the DAG in topological order
    (``count[child] += count[parent]`` along each edge), so a graph with 2⁶⁰ paths answers at
    once; they are listed (iteratively, depth first from the input) only when there are at most
    ``limit``. One node feeding two ports (``x * x``) gives two paths. Works for arrays too:
    a path's product is then a product of Jacobians, computed as vector-Jacobian products.

    Bristol lecture 2, at f = 4, g = 2: three paths f→e→b→a, f→e→c→a, f→d→b→a whose products
    2·1·10 + 2·1·15 + 1·1·10 sum to da/df = 60.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("f = 4\\ng = 2\\ne = f * g\\nd = 3 + f\\nc = e + 2\\nb = d + e\\na = b * c")
    >>> ps = paths(evaluate(g), g.by_name("f"))
    >>> sorted(([g.label(n) for n in p.nodes], p.product) for p in ps.paths)  # doctest: +NORMALIZE_WHITESPACE
    [(['f', 'd', 'b', 'a'], 10.0), (['f', 'e', 'b', 'a'], 20.0), (['f', 'e', 'c', 'a'], 30.0)]
    >>> ps.total, ps.grad, ps.multiplications_paths, ps.multiplications_backprop
    (60.0, 60.0, 6, 7)
    """
    graph = ev.graph
    out = output_of(ev)
    gradient_source(ev, input)
    reach = reaching(graph, out)
    on_path = (nx.descendants(graph.g, input) | {input}) & reach
    order = [n for n in ev.program.order if n in on_path]
    # In-edges on some path, by child, in a stable order (parent's position, then port).
    pos = ev.program.index
    ins: dict[int, list[tuple[int, int, int]]] = {n: [] for n in order}
    for n in order:
        ins[n] = sorted((e for e in graph.in_edges(n) if e[0] in on_path and n != input),
                        key=lambda e: (pos[e[0]], e[2]))
    edges = frozenset(e for n in order for e in ins[n])

    # Count paths and their total length in one topological sweep: count[n] paths reach n
    # from the input, length[n] is the sum of their lengths (in edges).
    count = {n: 0 for n in order}
    length = {n: 0 for n in order}
    if input in count:
        count[input] = 1
    for n in order:
        for p, _c, _k in ins[n]:
            count[n] += count[p]
            length[n] += length[p] + count[p]
    n_paths = count.get(out, 0)
    mult_paths = length.get(out, 0) - n_paths if input != out else 0
    all_edges = sum(1 for p, c, _k in graph.edges()
                    if c in reach and p in reach and graph.op(p) != "const")

    n_edges = len(edges)  # backprop multiplies once per edge of the graph on some path
    seed = seed_of(ev)
    zero = 0.0 if isinstance(ev.values[input], float) else np.zeros_like(ev.values[input])
    if n_paths > limit:
        listed = None
        total = _pull_back(ev, order, ins, out, input, seed, zero)
    else:
        listed = tuple(_enumerate(ev, order, ins, input, out, seed))
        total = zero
        for p in listed:
            total = add(total, p.product)
        if graph.groups() and input not in hidden_members(graph):
            listed = _through_gates(ev, listed)  # a collapsed group: one gate, one edge
            n_paths = len(listed)
            mult_paths = sum(max(len(p.edges) - 1, 0) for p in listed)
            edges = edges | {e for p in listed for e in p.edges}
    return PathSum(input, out, n_paths, listed, total, ev.grads.get(input), mult_paths,
                   n_edges, all_edges, edges)


def _pull_back(ev: Evaluation, order: list[int], ins: dict, out: int, input: int,
               seed: Value, zero: Value) -> Value:
    """Σ over paths without listing them: reverse accumulation over the on-path edges only."""
    up: dict[int, Value] = {out: seed}
    for n in reversed(order):
        g = up.get(n)
        if g is None or n == input:
            continue
        for p, c, k in ins[n]:
            contribution = ev.contribution(p, c, k, upstream=g)
            up[p] = contribution if p not in up else add(up[p], contribution)
    return up.get(input, zero)


def _enumerate(ev: Evaluation, order: list[int], ins: dict, input: int, out: int,
               seed: Value) -> list[Path]:
    """Every path, depth first from the input, children in topological order; no recursion."""
    outs: dict[int, list[tuple[int, int, int]]] = {n: [] for n in order}
    for n in order:
        for e in ins[n]:
            outs[e[0]].append(e)
    pos = ev.program.index
    for n in outs:
        outs[n].sort(key=lambda e: (pos[e[1]], e[2]))
    found: list[Path] = []
    if input == out:
        return [Path(input, (), (), seed)]
    if input not in outs:  # the output does not depend on the input
        return found
    stack: list[tuple[int, tuple]] = [(input, ())]
    while stack:
        node, trail = stack.pop()
        if node == out:
            found.append(_path(ev, input, trail, seed))
            continue
        for e in reversed(outs[node]):  # reversed so the first child is explored first
            stack.append((e[1], trail + (e,)))
    return found


def _path(ev: Evaluation, start: int, edges: tuple, seed: Value) -> Path:
    product = seed
    for p, c, k in reversed(edges):  # the chain rule from the output back to the input
        product = ev.contribution(p, c, k, upstream=product)
        if product is None:
            break
    locals_ = tuple(ev.local_derivative(p, c, k, limit=64) for p, c, k in edges)
    notes = tuple(n for n in (ev.note(c, k) for _p, c, k in edges) if n)
    return Path(start, edges, locals_, product, notes)


def _through_gates(ev: Evaluation, listed: tuple[Path, ...]) -> tuple[Path, ...]:
    """The paths as the collapsed groups show the graph: the stretch of a path inside a group
    is one edge into its gate, ``(input, output, k)``, whose local derivative is the group's
    (:func:`~graphstudio.core.groups.local_derivatives`); paths that differ only inside a
    group are one path, whose product is the sum of theirs (the group's local derivative is
    that sum)."""
    graph = ev.graph
    hidden = hidden_members(graph)
    outs = gates(graph)
    owner = {**hidden, **outs}
    derivs: dict[int, dict] = {}
    merged: dict[tuple, Path] = {}
    for path in listed:
        edges, locals_ = [], []
        for (p, c, k), local in zip(path.edges, path.locals):
            gid = owner.get(c)
            if gid is None:
                edges.append((p, c, k))
                locals_.append(local)
                continue
            if owner.get(p) == gid:
                continue  # inside the group
            group = graph.groups()[gid]
            out = next(o for o, g in outs.items() if g == gid)
            ins = list(dict.fromkeys(group_inputs(graph, group)))
            if gid not in derivs:
                derivs[gid] = local_derivatives(graph, ev, gid)
            edges.append((p, out, ins.index(p)))
            d = derivs[gid].get(p)
            locals_.append(d if isinstance(d, float) else None)
        key = tuple(edges)
        if key in merged:
            old = merged[key]
            merged[key] = Path(old.start, old.edges, old.locals, add(old.product, path.product),
                               old.notes)
        else:
            merged[key] = Path(path.start, key, tuple(locals_), path.product, path.notes)
    return tuple(merged.values())
