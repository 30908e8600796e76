"""Teaching computations: *why* a gradient is what it is, as the lectures show it by hand.

Every function here is pure: it takes a graph and/or an :class:`~graphstudio.core.engine.Evaluation`
and returns a small frozen data object (never printed text), so the command line prints it and
the editor can draw it (highlight a path's edges, fill a ledger panel, copy a LaTeX formula).

* :func:`ledger`: how one node's gradient was assembled, the lectures' ``grad_table`` line
  ``grad[u] = Σ_children grad[child] · ∂child/∂u`` with every term written out;
* :func:`paths`: Bristol's *sum over paths*: every path from an input to the output with the
  product of its local derivatives; their total is the backprop gradient. Paths can be
  exponentially many, so they are counted first (dynamic programming, no enumeration) and only
  listed up to a limit. Also the multiplications each method needs (Seoul: backprop is linear
  in the edges);
* :func:`symbolic`: the output as a sympy formula of the inputs and each input's gradient as a
  simplified formula (Bristol's ``da/df = 2fg² + 2fg + 5g + 2``), with LaTeX;
* :func:`check`: the gradient check with kinks (relu at 0, a max tie) named;
* :func:`forward_mode`: ``d node / d input`` for every node by forward-mode accumulation,
  which must agree with reverse mode at the output;
* :func:`grade` / :func:`parse_answer` / :func:`quiz_targets`: quiz mode, a student's typed
  number against the true one.

A question the graph cannot answer (a constant has no gradient, symbolic formulas of arrays)
raises :class:`ExplainError` with a message naming the node.

>>> from graphstudio.io.gs import parse_text
>>> from graphstudio.core.engine import evaluate
>>> g = parse_text("a = -1\\nb = 3\\nc = 4\\nx = a + b\\ny = b + c\\nz = x * y")
>>> ev = evaluate(g)
>>> [t.contribution for t in ledger(ev, g.by_name("b")).terms]
[7.0, 2.0]
>>> paths(g, ev, g.by_name("b")).total
9.0
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import sympy

from .engine import Evaluation, evaluate, gradient_check, kinks
from .graph import Graph
from .ops import OPS, Value

__all__ = [
    "ExplainError", "LedgerTerm", "Ledger", "ledger", "Path", "PathSum", "paths",
    "Symbolic", "symbolic", "CheckEntry", "check", "kink_description", "ForwardMode",
    "forward_mode", "QuizAnswer", "parse_answer", "grade", "quiz_targets",
]


class ExplainError(ValueError):
    """A question this graph cannot answer; the message names the node and why."""


def _seed(value: Value) -> Value:
    """``d output / d output``: 1, or ones for an array output (the engine's seed)."""
    return 1.0 if isinstance(value, float) else np.ones_like(value)


def _add(total: Value, term: Value) -> Value:
    if total is None or term is None:
        return None
    return total + term


def _close(a: Value, b: Value) -> bool:
    if a is None or b is None:
        return False
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))


def _output(ev: Evaluation) -> int:
    out = ev.output
    if out is None:
        raise ExplainError("the graph has no output to differentiate")
    if ev.values.get(out) is None:
        err = ev.errors.get(out)
        why = f": {err.message}" if err else ""
        raise ExplainError(f"the output {ev.graph.label(out)} has no value{why}")
    return out


def _reaching(graph: Graph, output: int) -> set[int]:
    """The output and every node it depends on: where gradients flow."""
    nodes = nx.ancestors(graph.g, output)
    nodes.add(output)
    return nodes


# ---- the chain-rule ledger ------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerTerm:
    """One successor's share of a node's gradient: ``upstream × local = contribution``.

    ``upstream`` is ``d output / d child``; ``local`` is ``∂child/∂parent``, a number for
    scalars, else the Jacobian as a matrix (rows: child's elements, columns: parent's), or
    None when it is too large to show; ``contribution`` is their vector-Jacobian product,
    shaped like the parent."""

    parent: int
    child: int
    port: int
    child_label: str
    formula: str  # "∂z/∂x = y", from the op registry
    upstream: Value
    local: Value
    contribution: Value


@dataclass(frozen=True)
class Ledger:
    """How ``d output / d node`` was assembled: the sum of the terms (or 1 at the output)."""

    node: int
    label: str
    output: int
    output_label: str
    terms: tuple[LedgerTerm, ...]
    total: Value  # sum of the contributions (the seed 1 for the output itself)
    grad: Value  # what backprop stored for the node
    note: str = ""

    @property
    def agrees(self) -> bool:
        """The sum of the terms is backprop's gradient (always, unless something failed)."""
        return _close(self.total, self.grad)


def ledger(ev: Evaluation, node: int, jacobian_limit: int = 64) -> Ledger:
    """The chain-rule ledger of ``node``: one term per edge into a successor that reaches the
    output, ``upstream × local derivative = contribution``, and their sum, which equals
    ``ev.grads[node]``. Jacobians with more than ``jacobian_limit`` entries are left out
    (``local`` is None) but the contribution is still given.

    Grosse, CSC 311: z = (a + b) * (b + c) at a = -1, b = 3, c = 4: dz/db = 7·1 + 2·1 = 9.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("a = -1\\nb = 3\\nc = 4\\nx = a + b\\ny = b + c\\nz = x * y")
    >>> led = ledger(evaluate(g), g.by_name("b"))
    >>> [(t.child_label, t.upstream, t.local, t.contribution) for t in led.terms]
    [('x', 7.0, 1.0, 7.0), ('y', 2.0, 1.0, 2.0)]
    >>> led.total, led.grad, led.terms[0].formula
    (9.0, 9.0, '∂x/∂b = 1')
    """
    graph = ev.graph
    out = _output(ev)
    label, out_label = graph.label(node), graph.label(out)
    grad = ev.grads.get(node)
    if graph.op(node) == "const":
        raise ExplainError(f"{label} is a constant: constants get no gradient")
    if ev.values.get(node) is None:
        err = ev.errors.get(node)
        raise ExplainError(f"{label} has no value" + (f": {err.message}" if err else ""))
    if node == out:
        return Ledger(node, label, out, out_label, (), _seed(ev.values[out]), grad,
                      note=f"the output: d{out_label}/d{out_label} = 1 starts the backward pass")
    reach = _reaching(graph, out)
    terms = []
    total: Value = 0.0 if isinstance(ev.values[node], float) else np.zeros_like(ev.values[node])
    edges = sorted(graph.out_edges(node), key=lambda e: (ev.program.index[e[1]], e[2]))
    for parent, child, port in edges:
        if child not in reach:
            continue
        contribution = ev.contribution(parent, child, port)
        terms.append(LedgerTerm(parent, child, port, graph.label(child),
                                ev.formula(parent, child, port), ev.grads.get(child),
                                ev.local_derivative(parent, child, port, limit=jacobian_limit),
                                contribution))
        total = _add(total, contribution)
    note = "" if terms else f"{label} does not reach the output {out_label}: its gradient is 0"
    return Ledger(node, label, out, out_label, tuple(terms), total, grad, note)


# ---- sum over paths ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """One path from the input to the output, as edges ``(parent, child, port)``.

    ``locals`` are the local derivatives ``∂child/∂parent`` along it (numbers, or Jacobians,
    None when too large); ``product`` is the chain rule along the path: their product for
    scalars, the Jacobians' product pulled back from the output for arrays (shaped like the
    input)."""

    start: int
    edges: tuple[tuple[int, int, int], ...]
    locals: tuple[Value, ...]
    product: Value

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
        return _close(self.total, self.grad)


def paths(graph: Graph, ev: Evaluation, input: int, output: int | None = None,
          limit: int = 1000) -> PathSum:
    """Every path from ``input`` to ``output`` (default: ``ev``'s) with its product of local
    derivatives; their total equals the backprop gradient ``d output / d input``.

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
    >>> ps = paths(g, evaluate(g), g.by_name("f"))
    >>> sorted(([g.label(n) for n in p.nodes], p.product) for p in ps.paths)  # doctest: +NORMALIZE_WHITESPACE
    [(['f', 'd', 'b', 'a'], 10.0), (['f', 'e', 'b', 'a'], 20.0), (['f', 'e', 'c', 'a'], 30.0)]
    >>> ps.total, ps.grad, ps.multiplications_paths, ps.multiplications_backprop
    (60.0, 60.0, 6, 7)
    """
    if output is not None and output != ev.output:
        ev = evaluate(graph, output)
    out = _output(ev)
    if graph.op(input) == "const":
        raise ExplainError(f"{graph.label(input)} is a constant: constants get no gradient")
    if ev.values.get(input) is None:
        raise ExplainError(f"{graph.label(input)} has no value")
    reach = _reaching(graph, out)
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

    seed = _seed(ev.values[out])
    zero = 0.0 if isinstance(ev.values[input], float) else np.zeros_like(ev.values[input])
    if n_paths > limit:
        listed = None
        total = _pull_back(ev, order, ins, out, input, seed, zero)
    else:
        listed = tuple(_enumerate(ev, order, ins, input, out, seed))
        total = zero
        for p in listed:
            total = _add(total, p.product)
    return PathSum(input, out, n_paths, listed, total, ev.grads.get(input), mult_paths,
                   len(edges), all_edges, edges)


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
            up[p] = contribution if p not in up else _add(up[p], contribution)
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
    return Path(start, edges, locals_, product)


# ---- symbolic gradients -------------------------------------------------------------------------


@dataclass(frozen=True)
class Symbolic:
    """The output as a formula of the inputs and each input's gradient as a formula.

    ``nodes`` holds every node the output needs as a formula of the inputs (for the ledger);
    ``gradients`` and ``gradient_latex`` are keyed by input node id, in the graph's input order;
    ``gradient_values`` are the formulas evaluated at the inputs' values (to set beside
    backprop's numbers)."""

    output: int
    expr: Any  # sympy expression
    latex: str
    symbols: dict[int, Any]
    nodes: dict[int, Any]  # every node the output needs, as a formula of the inputs
    gradients: dict[int, Any]
    gradient_latex: dict[int, str]
    gradient_values: dict[int, float]


def _number(value: float) -> Any:
    """A constant as an exact sympy number: 3 → 3, 0.01 → 1/100."""
    if math.isnan(value):
        return sympy.nan
    if math.isinf(value):
        return sympy.oo if value > 0 else -sympy.oo
    if value.is_integer():
        return sympy.Integer(int(value))
    return sympy.Rational(repr(value))


def _array_words(value: Value) -> str:
    """``a vector of 3``, ``a 3×2 matrix``, ``an array of shape (2, 2, 2)``."""
    shape = np.shape(value)
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix"
    return f"an array of shape {shape}"


def _readable(expr: Any) -> Any:
    """The shortest of the derivative as it comes, expanded, factored, simplified (ties: the
    earlier, so a polynomial reads expanded as the lectures write it)."""
    ops = sympy.count_ops(expr)
    if ops > 200:
        # Expanding nested products blows up exponentially (a product of k nested sums has
        # 2^k terms) and factoring them is as slow: a big formula is kept as it comes.
        return expr
    candidates = [sympy.expand(expr), expr, sympy.factor(expr)]
    if ops <= 100:  # simplify is slower still
        candidates.append(sympy.simplify(expr))
    return min(candidates, key=sympy.count_ops)


def symbolic(graph: Graph, output: int | None = None, ev: Evaluation | None = None) -> Symbolic:
    """The output as a sympy formula of the inputs (each op's ``sympy`` form from the registry,
    constants as exact numbers, every intermediate node inlined) and each input's gradient as a
    simplified formula, with LaTeX text for both. Scalar graphs only.

    Bristol lecture 2: a = (d + e)(e + 2) with d = 3 + f, e = f g gives
    da/df = 2fg² + 2fg + 5g + 2.

    >>> from graphstudio.io.gs import parse_text
    >>> g = parse_text("f = 4\\ng = 2\\ne = f * g\\nd = 3 + f\\nc = e + 2\\nb = d + e\\na = b * c")
    >>> s = symbolic(g)
    >>> s.gradients[g.by_name("f")]
    2*f*g**2 + 2*f*g + 5*g + 2
    >>> s.gradient_latex[g.by_name("f")], s.gradient_values[g.by_name("f")]
    ('2 f g^{2} + 2 f g + 5 g + 2', 60.0)
    """
    if ev is None or (output is not None and output != ev.output):
        ev = evaluate(graph, output)
    out = _output(ev)
    needed = _reaching(graph, out)
    for n in ev.program.order:
        v = ev.values.get(n)
        if n in needed and v is not None and not isinstance(v, float):
            raise ExplainError(f"symbolic formulas are for scalar graphs: {graph.label(n)} is "
                               f"{_array_words(v)}")
    symbols = {n: sympy.Symbol(graph.label(n), real=True) for n in graph.inputs()}
    exprs: dict[int, Any] = {}
    for n in ev.program.order:
        if n not in needed:
            continue
        kind = graph.op(n)
        if kind == "input":
            exprs[n] = symbols[n]
        elif kind == "const":
            exprs[n] = _number(graph.value(n))
        else:
            parents = graph.parents(n)
            if None in parents:
                raise ExplainError(f"{graph.label(n)} has an unconnected argument")
            exprs[n] = OPS[kind].sympy(*[exprs[p] for p in parents])
    expr = exprs[out]
    gradients, latex, values = {}, {}, {}
    # inputs the output does not need may hold arrays: their gradient is 0, no value to put in
    at = {symbols[n]: _number(graph.value(n)) for n in symbols
          if isinstance(graph.value(n), float)}
    for n, sym in symbols.items():
        d = _readable(sympy.diff(expr, sym))
        gradients[n] = d
        latex[n] = sympy.latex(d)
        try:
            values[n] = float(d.subs(at).evalf())
        except (TypeError, ValueError):  # a formula left with a free symbol or complex
            values[n] = math.nan
    return Symbolic(out, expr, sympy.latex(expr), symbols, exprs, gradients, latex, values)


# ---- gradient check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckEntry:
    """Backprop against a central difference for one input; ``kinks`` are the nodes between
    this input and the output that sit at a point with no derivative."""

    node: int
    label: str
    backprop: Value
    numeric: Value
    rel_error: float
    ok: bool
    note: str
    kinks: tuple[int, ...] = ()


def kink_description(ev: Evaluation, node: int) -> str:
    """What makes ``node`` a kink: ``"h = relu(u3) at 0"``, ``"m = max(a, b) at a tie"``.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("x = 0\\nh = relu(x)")
    >>> kink_description(evaluate(g), g.by_name("h"))
    'h = relu(x) at 0'
    """
    graph = ev.graph
    op = OPS[graph.op(node)]
    args = ", ".join(graph.label(p) if p is not None else "?" for p in graph.parents(node))
    where = op.kink.where if op.kink else "at a point with no derivative"
    return f"{graph.label(node)} = {op.call or op.name}({args}) {where}"


def check(graph: Graph, output: int | None = None, eps: float = 1e-6,
          rtol: float = 1e-4) -> list[CheckEntry]:
    """Every input's backprop gradient against a central difference (the engine's
    :func:`~graphstudio.core.engine.gradient_check`), in input order, each with a note:

    * a mismatch at a kink names it: relu at 0 has no derivative; backprop takes the subgradient
      relu'(0) = 0 (as PyTorch) while the central difference sees the average of the slopes on
      both sides, ½;
    * a kink the check passes through is named too (a max tie splits the gradient evenly,
      which is what the central difference sees, so it agrees);
    * ``not finite`` and ``mismatch`` otherwise.

    >>> from graphstudio.io.gs import parse_text
    >>> g = parse_text("x = 0\\nh = relu(x)\\ny = 3 * h")
    >>> [(e.label, e.backprop, round(e.numeric, 6), e.ok) for e in check(g)]
    [('x', 0.0, 1.5, False)]
    >>> check(g)[0].note.startswith("kink: h = relu(x) at 0")
    True
    """
    results = gradient_check(graph, output, eps=eps, rtol=rtol)
    ev = evaluate(graph, output)
    found = kinks(ev, tol=max(eps * 10, 1e-9))  # the engine's own tolerance
    reach = _reaching(graph, ev.output) if ev.output is not None else set()
    entries = []
    for node in graph.inputs():
        r = results.get(node)
        if r is None:
            continue
        below = nx.descendants(graph.g, node) & reach
        on_path = tuple(k for k in found if k in below)
        what = "; ".join(kink_description(ev, k) for k in on_path)
        finite = bool(np.all(np.isfinite(r.backprop)) and np.all(np.isfinite(r.numeric)))
        if not finite:
            note = "not finite"
        elif not r.ok and on_path:
            note = (f"kink: {what}, where there is no derivative: backprop takes a "
                    f"subgradient, the central difference averages both sides")
        elif not r.ok:
            note = "mismatch"
        elif on_path:
            note = f"passes a kink: {what}; the subgradient agrees with the central difference"
        else:
            note = ""
        entries.append(CheckEntry(node, graph.label(node), r.backprop, r.numeric, r.rel_error,
                                  r.ok, note, on_path))
    return entries


# ---- forward mode ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForwardMode:
    """``d node / d input`` for every node, by forward-mode accumulation.

    ``tangents[n]`` is a number when the node and the input are scalars, else the Jacobian
    shaped ``node.shape + input.shape``; zero for nodes that do not depend on the input, None
    for nodes without a value. ``reverse`` is backprop's ``d output / d input``."""

    input: int
    output: int
    tangents: dict[int, Value]
    reverse: Value

    @property
    def forward(self) -> Value:
        """``d output / d input`` from forward mode, shaped like the input (an array output
        is summed, as the backward pass seeds it with ones)."""
        t = self.tangents.get(self.output)
        if t is None:
            return None
        in_shape = np.shape(self.reverse)
        t = np.asarray(t, dtype=float).reshape((-1,) + in_shape).sum(axis=0)
        return float(t) if t.ndim == 0 else t

    @property
    def agrees(self) -> bool:
        return _close(self.forward, self.reverse)


def forward_mode(graph: Graph, ev: Evaluation, input: int, size_limit: int = 10**6) -> ForwardMode:
    """Forward mode: push ``d · / d input`` from the input towards the output, each node's
    tangent being ``Σ over its arguments of ∂node/∂argument · tangent(argument)`` (one
    multiplication per edge, per input element). The local derivatives are the same ones
    backprop uses (the registry's vector-Jacobian products with an upstream of 1, one row per
    output element for arrays), so forward and reverse mode agree, subgradients included.
    Raises ExplainError when a Jacobian would have more than ``size_limit`` entries.

    Grosse, CSC 311: d·/db is 1 at x and y and 7 + 2 = 9 at z.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("a = -1\\nb = 3\\nc = 4\\nx = a + b\\ny = b + c\\nz = x * y")
    >>> fm = forward_mode(g, evaluate(g), g.by_name("b"))
    >>> {g.label(n): t for n, t in fm.tangents.items()}
    {'a': 0.0, 'b': 1.0, 'c': 0.0, 'x': 1.0, 'y': 1.0, 'z': 9.0}
    >>> fm.forward, fm.reverse
    (9.0, 9.0)
    """
    out = _output(ev)
    if graph.op(input) == "const":
        raise ExplainError(f"{graph.label(input)} is a constant: constants get no gradient")
    x = ev.values.get(input)
    if x is None:
        raise ExplainError(f"{graph.label(input)} has no value")
    n_in = int(np.size(x))
    scalar_in = isinstance(x, float)
    below = nx.descendants(graph.g, input)
    jac: dict[int, np.ndarray] = {input: np.eye(n_in)}  # 2-D: (node elements, input elements)
    for n in ev.program.order:
        if n not in below:
            continue
        v = ev.values.get(n)
        if v is None:
            continue
        n_out = int(np.size(v))
        if n_out * n_in > size_limit:
            raise ExplainError(f"forward mode: d{graph.label(n)}/d{graph.label(input)} would "
                               f"have {n_out * n_in} entries")
        total = np.zeros((n_out, n_in))
        for p, c, k in graph.in_edges(n):
            if p not in jac:
                continue
            size_p = int(np.size(ev.values[p]))
            local = ev.local_derivative(p, c, k, limit=max(size_limit, n_out * size_p))
            total = total + np.asarray(local, dtype=float).reshape(n_out, size_p) @ jac[p]
        jac[n] = total
    tangents: dict[int, Value] = {}
    for n in ev.program.order:
        v = ev.values.get(n)
        if v is None:
            tangents[n] = None
            continue
        shape = np.shape(v) + np.shape(x)
        t = jac.get(n)
        if t is None:
            t = np.zeros(shape)
        t = t.reshape(shape)
        tangents[n] = float(t) if (scalar_in and isinstance(v, float)) else t
    return ForwardMode(input, out, tangents, ev.grads.get(input))


# ---- quiz -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizAnswer:
    """A student's answer marked: ``correct`` within the tolerance of ``expected``;
    ``given`` is None when the text is not a number."""

    text: str
    given: Value
    expected: Value
    correct: bool
    message: str


_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: operator.pow}


def parse_answer(text: str) -> Value:
    """A typed answer as a number (or array): ``9``, ``-0.25``, ``1/3``, ``7*1 + 2*1``,
    ``2e-3``, ``[1, -2]``, ``nan``. Only number arithmetic is read (ast, nothing executed);
    raises ValueError otherwise.

    >>> parse_answer("7·1 + 2·1"), parse_answer("−1/4"), parse_answer("[1, 2.5]")
    (9.0, -0.25, array([1. , 2.5]))
    """
    cleaned = (text.strip().replace("−", "-").replace("·", "*").replace("×", "*")
               .replace("^", "**").replace(",", ", "))
    if cleaned.lower() in ("nan", "inf", "+inf", "-inf"):
        return float(cleaned)
    if len(cleaned) > 500:  # an answer, not a program: keeps the parse shallow
        raise ValueError(f"not a number: {text[:20]!r}...")
    try:
        value = _arith_eval(ast.parse(cleaned, mode="eval").body)
    except (SyntaxError, ArithmeticError, TypeError, ValueError, RecursionError):
        raise ValueError(f"not a number: {text!r}") from None
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def _arith_eval(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _arith_eval(node.operand)
        return -np.asarray(v) if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return _ARITH[type(node.op)](np.asarray(_arith_eval(node.left)),
                                     np.asarray(_arith_eval(node.right)))
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_arith_eval(e) for e in node.elts]
    raise TypeError("not arithmetic")


def grade(answer: str | float, expected: Value, rtol: float = 1e-3,
          atol: float = 1e-6) -> QuizAnswer:
    """Mark a typed answer: right when ``|given − expected| <= max(atol, rtol·|expected|)``
    (element by element for arrays, which must have the expected shape); NaN matches NaN.

    >>> grade("9", 9.0).correct, grade("9.004", 9.0).correct, grade("8", 9.0).correct
    (True, True, False)
    >>> grade("1e-7", 0.0).correct, grade("abc", 1.0).message
    (True, "not a number: 'abc'")
    """
    text = answer if isinstance(answer, str) else repr(answer)
    try:
        given = parse_answer(answer) if isinstance(answer, str) else float(answer)
    except (ValueError, TypeError) as exc:
        return QuizAnswer(text, None, expected, False, str(exc))
    g = np.asarray(given, dtype=float)
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        return QuizAnswer(text, given, expected, False,
                          f"expected shape {e.shape or 'scalar'}, got {g.shape or 'a number'}")
    with np.errstate(invalid="ignore"):
        tol = np.maximum(atol, rtol * np.abs(e))
        both_nan = np.isnan(g) & np.isnan(e)
        same_inf = np.isinf(e) & (g == e)
        ok = bool(np.all(both_nan | same_inf | (np.abs(g - e) <= tol)))
    return QuizAnswer(text, given, expected, ok, "right" if ok else "wrong")


def quiz_targets(ev: Evaluation, hide: str = "grad") -> dict[int, Value]:
    """What the student must find, by node: every gradient (``hide="grad"``: nodes that are
    not constants) or every op node's value (``hide="value"``: the inputs stay shown), with
    the true answers. The hint for a gradient is :func:`ledger`.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("a = 2\\nb = 3\\nz = a * b")
    >>> {g.label(n): v for n, v in quiz_targets(evaluate(g)).items()}
    {'a': 3.0, 'b': 2.0, 'z': 1.0}
    """
    if hide not in ("grad", "value"):
        raise ValueError("hide is 'grad' or 'value'")
    graph = ev.graph
    targets = {}
    for n in ev.program.order:
        kind = graph.op(n)
        if hide == "grad":
            if kind != "const" and ev.grads.get(n) is not None:
                targets[n] = ev.grads[n]
        elif kind not in ("input", "const") and ev.values.get(n) is not None:
            targets[n] = ev.values[n]
    return targets

