"""The gradient check: every input's backprop gradient against a central difference, with the
kinks on its way (relu at 0, a max tie: wherever an op's registry entry has a ``kink``) named.
This is GraphStudio's one gradient check; the command line, the Check panel and the tests all
read its :class:`CheckEntry` rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import networkx as nx
import numpy as np

from ..engine import Evaluation, evaluate
from ..ops import OPS, Value
from .common import reaching

__all__ = ["CheckEntry", "check", "kinks", "kink_description"]


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


def kinks(ev: Evaluation, *, tol: float = 1e-4) -> list[int]:
    """Nodes evaluated at (or within ``tol`` of) a point where their op has no derivative, as
    each op's :attr:`~graphstudio.core.ops.Op.kink` says (relu or abs at 0, max/min at a tie)."""
    found = []
    for i, op in enumerate(ev.program.ops):
        if op is None or op.kink is None:
            continue
        args = tuple(ev.values.get(ev.program.order[p]) for p in ev.program.parents[i])
        if ev.values.get(ev.program.order[i]) is None or any(a is None for a in args):
            continue  # (arguments whose shapes do not fit have no kink to test)
        if op.kink.test(args, tol):
            found.append(ev.program.order[i])
    return found


def kink_description(ev: Evaluation, node: int) -> str:
    """What makes ``node`` a kink, in its op's words: ``"h = relu(u3) at 0"``,
    ``"m = max(a, b) at a tie"``.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("x = 0\\nh = relu(x)")
    >>> kink_description(evaluate(g), g.by_name("h"))
    'h = relu(x) at 0'
    """
    op = OPS[ev.graph.op(node)]
    where = op.kink.where if op.kink else "at a point with no derivative"
    return f"{ev.graph.label(node)} = {op_call(ev, node)} {where}"


def check(ev: Evaluation, *, eps: float = 1e-6, rtol: float = 1e-4) -> list[CheckEntry]:
    """Every input's backprop gradient in ``ev`` against a central difference
    ``(f(x + h) - f(x - h)) / 2h`` of ``ev``'s output (element by element for arrays; an array
    output is weighted by the backward pass's seed: summed for the default ones, ``Σ seedᵢ·zᵢ``
    for a given seed), in input order, each with a note:

    * a mismatch at a kink names it: relu at 0 has no derivative; backprop takes the subgradient
      relu'(0) = 0 (as PyTorch) while the central difference sees the average of the slopes on
      both sides, ½;
    * a kink the check passes through is named too (a max tie splits the gradient evenly,
      which is what the central difference sees, so it agrees);
    * ``not finite`` and ``mismatch`` otherwise.

    A node whose op blocks the gradient (``stop_gradient``) is a constant to differentiation,
    so the perturbed passes hold its value fixed, and the entry's note names it.

    ``ev`` is the base point; the perturbed passes run on a copy of its program's leaf values,
    so ``ev`` and its graph are left as they were.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("x = 0\\nh = relu(x)\\ny = 3 * h")
    >>> [(e.label, e.backprop, round(e.numeric, 6), e.ok) for e in check(evaluate(g))]
    [('x', 0.0, 1.5, False)]
    >>> check(evaluate(g))[0].note
    'kink: h = relu(x) at 0, where there is no derivative: backprop takes a subgradient, the central difference averages both sides'
    """
    with np.errstate(all="ignore"):  # inputs at inf or NaN give NaN, and a "not finite" note
        return _check(ev, eps, rtol)


def _check(ev: Evaluation, eps: float, rtol: float) -> list[CheckEntry]:
    graph, out = ev.graph, ev.output
    if ev.seed is None:  # no backward pass to check (no output, or a seed that does not fit)
        return []
    prog, held = _held_fixed(ev)
    found = kinks(ev, tol=max(eps * 10, 1e-9))
    reach = reaching(graph, out) if out is not None else set()
    entries = []
    for node in graph.inputs():
        if node not in prog.index:  # added to the graph after ev was computed
            continue
        x, g = ev.values.get(node), ev.grads.get(node)
        if x is None or g is None:
            continue
        numeric = _central_difference(ev, prog, node, x, eps)
        gb = np.asarray(g, dtype=float)
        num = numeric.reshape(gb.shape)
        denom = np.maximum(np.maximum(np.abs(gb), np.abs(num)), 1e-6)
        rel = float(np.max(np.abs(gb - num) / denom))
        finite = bool(np.all(np.isfinite(gb)) and np.all(np.isfinite(numeric)))
        ok = finite and rel <= rtol
        below = nx.descendants(graph.g, node) & reach
        on_path = tuple(k for k in found if k in below)
        note = _note(ev, ok, finite, on_path)
        stopped = [k for k in held if k in below]
        if stopped:
            what = ", ".join(f"{graph.label(k)} = {op_call(ev, k)}" for k in stopped)
            note = "; ".join(filter(None, [note, f"holds {what} fixed (no gradient flows "
                                                 "through it, by definition)"]))
        entries.append(CheckEntry(node, graph.label(node), g,
                                  float(numeric[0]) if np.ndim(x) == 0 else numeric, rel, ok,
                                  note, on_path))
    return entries


def _held_fixed(ev: Evaluation):
    """A copy of ``ev``'s program to perturb, in which every node whose op blocks the gradient
    is a constant at its value (as differentiation sees it), and those nodes."""
    prog = ev.program
    held = [n for n, op in zip(prog.order, prog.ops) if op is not None and op.blocks_gradient
            and ev.values.get(n) is not None]
    ops, kinds, parents = list(prog.ops), list(prog.kinds), list(prog.parents)
    leaf_values = list(prog.leaf_values)
    for n in held:
        i = prog.index[n]
        ops[i], kinds[i], parents[i], leaf_values[i] = None, "const", (), ev.values[n]
    return replace(prog, ops=ops, kinds=kinds, parents=parents, leaf_values=leaf_values), held


def op_call(ev: Evaluation, node: int) -> str:
    """``relu(u3)``: the node's op applied to its arguments' names."""
    graph = ev.graph
    op = ev.program.ops[ev.program.index[node]]
    args = ", ".join(graph.label(p) if p is not None else "?" for p in graph.parents(node))
    return f"{op.call or op.name}({args})"


def _central_difference(ev: Evaluation, prog, node: int, x: Value, eps: float) -> np.ndarray:
    """``d output / d node`` by central differences, element by element, as a 1-d array for
    a number. ``prog``'s leaf value for ``node`` is put back afterwards."""
    i = prog.index[node]
    arr = np.array(x, dtype=float, ndmin=1)
    numeric = np.zeros_like(arr)
    for k in range(arr.size):
        h = eps * max(1.0, abs(arr.flat[k]))
        vals = []
        for sign in (1, -1):
            trial = arr.copy()
            trial.flat[k] += sign * h
            prog.leaf_values[i] = float(trial[0]) if np.ndim(x) == 0 else trial
            ov = evaluate(ev.graph, ev.output, program=prog).values.get(ev.output)
            vals.append(np.sum(ev.seed * np.asarray(ov)) if ov is not None else math.nan)
        numeric.flat[k] = (vals[0] - vals[1]) / (2 * h)
    prog.leaf_values[i] = x
    return numeric


def _note(ev: Evaluation, ok: bool, finite: bool, on_path: tuple[int, ...]) -> str:
    what = "; ".join(kink_description(ev, k) for k in on_path)
    if not finite:
        return "not finite"
    if not ok and on_path:
        return (f"kink: {what}, where there is no derivative: backprop takes a subgradient, "
                f"the central difference averages both sides")
    if not ok:
        return "mismatch"
    if on_path:
        return f"passes a kink: {what}; the subgradient agrees with the central difference"
    return ""
