"""A graph evaluated on a whole batch of examples at once: one forward and one backward pass
for every row of a (mini)batch, as the lectures' vector formulation computes a batch gradient
(11-785's ``Loss = 1/T Σ_t Div(Y_t, d_t)``, Seoul's ``g = 1/m' Σ_i ∇θ J(i)``).

The graph says what *one* example computes. Some inputs take another value for each example
(the data inputs, bound to dataset columns): the plan stacks their examples along a new
leading **batch axis**, and knows which nodes carry it: exactly those that depend on a
batched input. The others (the parameters, and what is computed from them alone, such as an
L2 term) are the same for every example and are computed once, as one example's values.

Each op node on the batch axis runs its op's batch rule (:attr:`Op.batch_rule
<graphstudio.core.ops.Op.batch_rule>`): an elementwise op broadcasts over the batch as it is;
sum, mean, max, softmax, the losses, matmul and transpose have rules that work on each
example's own axes, never across the batch axis. An op with no rule is refused (below).

What comes out (:class:`BatchEvaluation`): a batched node's value is every example's value,
batch axis first. The backward pass starts from the output's seed for every example, so a
batched node gets the gradient of *its own example's* output, and a node that is the same for
every example gets the **sum over the examples**, ``d(Σᵢ outᵢ)/d node``: the batch gradient,
which training divides by the batch size. (An output that does not depend on a batched input
is the same for every example: its backward pass is then the engine's, for one example.)

A plan is made once per graph and set of batched inputs, from one example's evaluation (the
shape of every node), and checked before use: on two examples its values and gradients must
equal the engine's, one example at a time. A graph with an op that has no batch rule, or whose
rule gives other numbers, is refused with :class:`BatchRefused` saying which node and why;
training then evaluates it one example at a time (:mod:`graphstudio.core.train`).

>>> from graphstudio.io.gs import parse_text
>>> g = parse_text('x = data("x")\\nw = param(2)\\ny = w * x')
>>> ev = evaluate_batch(g, {g.by_name("x"): [1.0, 2.0, 3.0]})
>>> ev.values[g.by_name("y")]
array([2., 4., 6.])
>>> ev.grads[g.by_name("w")]  # d(y₁ + y₂ + y₃)/dw
6.0
>>> ev.grads[g.by_name("x")]  # dyᵢ/dxᵢ, one per example
array([2., 2., 2.])
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

import networkx as nx
import numpy as np

from .engine import Evaluation, Program, compile_graph, evaluate, output_seed
from .graph import Graph, as_value
from .ops import Value, unbroadcast

__all__ = ["BatchPlan", "BatchEvaluation", "BatchRefused", "evaluate_batch"]

#: how closely a plan's results must match the engine's, one example at a time, to be used
#: (a wrong rule is off by far more; the same sums in another order, by far less)
CHECK_RTOL, CHECK_ATOL = 1e-7, 1e-10


class BatchRefused(ValueError):
    """A graph that cannot be evaluated on a batch at once; the message names the node and
    says why (its op has no batch rule, or the rule does not give one example's numbers)."""


@dataclass
class BatchEvaluation:
    """The results of one batched pass, by node id (see the module docstring): ``values``
    and ``grads`` of a batched node hold every example's (batch axis first); those of a node
    that is the same for every example hold one value, and its gradient summed over the
    examples. ``grads`` is empty when the pass had no backward (``gradients=False`` or no
    output)."""

    plan: "BatchPlan"
    size: int
    values: dict[int, Value]
    grads: dict[int, Value]

    @property
    def output(self) -> int | None:
        return self.plan.output

    def batched(self, node: int) -> bool:
        """Whether ``node`` carries the batch axis (it depends on a batched input)."""
        return self.plan.batched(node)

    def rows(self, node: int) -> np.ndarray:
        """``node``'s value for every example, batch axis first (a node that is the same for
        every example repeated)."""
        v = self.values[node]
        if self.batched(node):
            return v
        return np.broadcast_to(np.asarray(v, dtype=float), (self.size,) + np.shape(v))


class BatchPlan:
    """How to evaluate ``graph`` on a batch: which nodes carry the batch axis, each node's
    shape in one example, and each op's batch rule.

    ``inputs`` gives, for each batched input, its values for one or more examples (batch axis
    first); the plan is made from them and checked on two of them (the first, and the next
    that differs from it). ``output`` is the node whose gradients the backward pass computes
    (default: the graph's output). The plan computes the output's ancestors and ``nodes``
    (None: every node). ``program`` is the compiled graph to read the other leaves' values
    from when the plan runs (training sets its parameters there); by default the graph's own.
    Raises :class:`BatchRefused`."""

    def __init__(self, graph: Graph, inputs: Mapping[int, Any], output: int | None = None, *,
                 nodes: Iterable[int] | None = None, program: Program | None = None) -> None:
        self.graph = graph
        self.program = program if program is not None else compile_graph(graph)
        prog = self.program
        self.output = output if output is not None else graph.default_output()
        if not inputs:
            raise BatchRefused("no batched input: give the values of at least one input for "
                               "each example")
        rows = {}
        for n, values in inputs.items():
            if n not in prog.index or prog.ops[prog.index[n]] is not None:
                raise BatchRefused(f"{graph.label(n) if n in graph else n} is not an input")
            rows[n] = np.asarray(values, dtype=float)
            if rows[n].ndim == 0 or len(rows[n]) == 0:
                raise BatchRefused(f"{graph.label(n)}: expected the values of one or more "
                                   "examples, along the first axis")
        self.inputs = tuple(rows)
        size = {len(r) for r in rows.values()}
        if len(size) > 1:
            raise BatchRefused("the batched inputs have different numbers of examples: "
                               + ", ".join(f"{graph.label(n)} {len(r)}" for n, r in rows.items()))
        self._positions = self._needed(nodes)
        examples = _examples_to_check(rows)
        reference = [self._one_example(rows, k) for k in examples]
        self._shapes = self._shapes_from(reference[0])
        self._batched = self._batch_axis()
        self._steps = self._compile_steps()
        self._leaves = [i for i in self._positions
                        if self.program.ops[i] is None and not self._batched[i]]
        self._seed = self._example_seed(reference[0])
        self._seeds: dict[int, np.ndarray] = {}  # the seed of each batch size, made once
        self._check(rows, examples, reference)

    # ---- making the plan --------------------------------------------------------------------------

    def _needed(self, nodes: Iterable[int] | None) -> list[int]:
        """The positions to compute, in topological order."""
        prog = self.program
        if nodes is None:
            return list(range(len(prog.order)))
        wanted = set(nodes) | set(self.inputs)
        if self.output is not None:
            wanted.add(self.output)
        reach = set(wanted)
        for n in wanted:
            reach |= nx.ancestors(self.graph.g, n)
        return sorted(prog.index[n] for n in reach)

    def _one_example(self, rows: Mapping[int, np.ndarray], k: int) -> Evaluation:
        """The engine's evaluation of example ``k`` (the other leaves as the program has them)."""
        prog = replace(self.program, leaf_values=list(self.program.leaf_values))
        for n, r in rows.items():
            prog.leaf_values[prog.index[n]] = as_value(r[k])
        ev = evaluate(self.graph, self.output, program=prog)
        order = prog.order
        for i in self._positions:
            err = ev.errors.get(order[i])
            if err is not None and err.fatal:
                raise BatchRefused(f"{self.graph.label(err.node)}: {err.message}")
        return ev

    def _shapes_from(self, ev: Evaluation) -> list[tuple[int, ...] | None]:
        order = self.program.order
        shapes: list[tuple[int, ...] | None] = [None] * len(order)
        for i in self._positions:
            shapes[i] = np.shape(ev.values[order[i]])
        return shapes

    def _batch_axis(self) -> list[bool]:
        """Which positions carry the batch axis: the batched inputs and every op node with a
        parent that does."""
        prog = self.program
        batched = [False] * len(prog.order)
        for n in self.inputs:
            batched[prog.index[n]] = True
        for i in self._positions:
            if prog.ops[i] is not None and any(batched[p] for p in prog.parents[i]):
                batched[i] = True
        return batched

    def _compile_steps(self) -> list[tuple]:
        """One step per op position: ``(position, batched, op, rule, parents, reshapes,
        targets)``; ``reshapes[port]`` is the shape an argument is given before the rule sees
        it (-1 for the batch axis), or None (``reshapes`` None: none is); ``targets`` lists
        ``(port, parent, how, shape)`` for the parents that get a gradient (not constants)."""
        prog, shapes, batched = self.program, self._shapes, self._batched
        steps = []
        for i in self._positions:
            op = prog.ops[i]
            if op is None:
                continue
            ps = prog.parents[i]
            targets = tuple((port, p, _BATCHED if batched[p] else _SHARED, shapes[p])
                            for port, p in enumerate(ps) if prog.kinds[p] != "const")
            if not batched[i]:
                steps.append((i, False, op, None, ps, None, targets))
                continue
            rule = op.batch_rule
            if rule is None:
                raise BatchRefused(
                    f"{self.graph.label(prog.order[i])}: {op.name} has no rule for a batch of "
                    "examples (it is not elementwise)")
            reshapes: list[tuple[int, ...] | None] = []
            rank = max(len(shapes[p]) for p in ps)
            for p in ps:
                s = shapes[p]
                if rule.lift:
                    reshapes.append(None if batched[p] else (1,) + s)
                elif batched[p] and len(s) < rank:
                    reshapes.append((-1,) + (1,) * (rank - len(s)) + s)
                else:
                    reshapes.append(None)
            reshaped = tuple(reshapes) if any(r is not None for r in reshapes) else None
            steps.append((i, True, op, rule, ps, reshaped, targets))
        return steps

    def _example_seed(self, ev: Evaluation) -> Value:
        """The output's seed in one example (None: no output, so no backward pass)."""
        if self.output is None:
            return None
        out_value = ev.values[self.output]
        seed, why = output_seed(out_value, self.graph.node(self.output).seed)
        if why:
            raise BatchRefused(f"{self.graph.label(self.output)}: {why}")
        return seed

    def _check(self, rows: Mapping[int, np.ndarray], examples: list[int],
               reference: list[Evaluation]) -> None:
        """The plan's values and gradients on ``examples`` must be the engine's."""
        got = self.run({n: r[examples] for n, r in rows.items()})
        order = self.program.order
        for i in self._positions:
            n = order[i]
            for what, mine, theirs in (("value", got.values, [ev.values for ev in reference]),
                                       ("gradient", got.grads, [ev.grads for ev in reference])):
                if what == "gradient" and self.output is None:
                    continue
                per_example = [t.get(n) for t in theirs]
                m = mine.get(n)
                out_batched = self.output is not None and self.batched(self.output)
                if not self._batched[i] and (what == "value" or not out_batched):
                    expected = _zero_if_none(per_example[0], self._shapes[i])
                elif self._batched[i]:
                    expected = np.stack([_zero_if_none(v, self._shapes[i]) for v in per_example])
                else:
                    expected = sum(_zero_if_none(v, self._shapes[i]) for v in per_example)
                if not _close(_zero_if_none(m, np.shape(expected)), expected):
                    op = self.program.ops[i]
                    what_op = f" ({op.name})" if op is not None else ""
                    raise BatchRefused(
                        f"{self.graph.label(n)}{what_op}: on a batch its {what} is not what "
                        "one example at a time gives")

    # ---- running ------------------------------------------------------------------------------

    def batched(self, node: int) -> bool:
        """Whether ``node`` carries the batch axis."""
        return self._batched[self.program.index[node]]

    def shape(self, node: int) -> tuple[int, ...]:
        """``node``'s shape in one example."""
        return self._shapes[self.program.index[node]]

    def run(self, inputs: Mapping[int, Any], gradients: bool = True) -> BatchEvaluation:
        """Evaluate the batch whose examples ``inputs`` gives (every batched input, batch axis
        first); with ``gradients``, the backward pass from the output too. Raises
        :class:`BatchRefused` if an op's rule fails or gives a result of another shape."""
        values, grads, size = self.run_lists(inputs, gradients)
        order = self.program.order
        vals = {order[i]: values[i] for i in self._positions}
        grs = ({order[i]: grads[i] for i in self._positions if grads[i] is not None}
               if grads is not None else {})
        return BatchEvaluation(self, size, vals, grs)

    def run_lists(self, inputs: Mapping[int, Any],
                  gradients: bool = True) -> tuple[list, list | None, int]:
        """:meth:`run`, with values and gradients as lists by program position (what
        training reads, without building dictionaries), and the batch size."""
        prog = self.program
        values: list = [None] * len(prog.order)
        size = self._set_inputs(values, inputs)
        args_of: list = [None] * len(prog.order)
        leaf_values, shapes = prog.leaf_values, self._shapes
        with np.errstate(all="ignore"):
            for i in self._leaves:
                values[i] = leaf_values[i]
            # This loop and the backward one run once per node and step: written for speed.
            for i, batched, op, rule, ps, reshapes, _targets in self._steps:
                if not batched:
                    args = tuple(values[p] for p in ps)
                    args_of[i] = args
                    values[i] = _one_value(op, args)
                    continue
                if reshapes is None:
                    args = tuple(values[p] for p in ps)
                else:
                    args = tuple(values[p] if r is None else np.reshape(values[p], r)
                                 for p, r in zip(ps, reshapes))
                args_of[i] = args
                try:
                    v = rule.forward(*args)
                except Exception as exc:  # an op must never bring the program down
                    raise self._refusal(i, f"failed on a batch ({type(exc).__name__}: "
                                           f"{exc})") from None
                if type(v) is not np.ndarray or v.dtype != np.float64:
                    v = np.asarray(v, dtype=float)
                if v.shape[1:] != shapes[i] or v.shape[:1] != (size,):
                    raise self._refusal(i, f"gives {v.shape[1:]} per example on a batch of "
                                           f"{size}, but {shapes[i]} for one example")
                values[i] = v
            grads = self._backward(values, args_of, size) if gradients else None
        return values, grads, size

    def _set_inputs(self, values: list, inputs: Mapping[int, Any]) -> int:
        prog = self.program
        if len(inputs) != len(self.inputs) or any(n not in inputs for n in self.inputs):
            names = ", ".join(self.graph.label(n) for n in self.inputs)
            raise BatchRefused(f"expected the examples of {names}")
        size = None
        for n, rows in inputs.items():
            i = prog.index[n]
            if type(rows) is not np.ndarray or rows.dtype != np.float64:
                rows = np.asarray(rows, dtype=float)
            if rows.shape[1:] != self._shapes[i] or (size is not None and len(rows) != size):
                raise BatchRefused(f"{self.graph.label(n)}: expected examples of shape "
                                   f"{self._shapes[i]}, {size or 'any'} of them, not an array "
                                   f"of shape {rows.shape}")
            size = len(rows)
            values[i] = rows
        return size

    def _refusal(self, i: int, why: str) -> BatchRefused:
        op = self.program.ops[i]
        return BatchRefused(f"{self.graph.label(self.program.order[i])} ({op.name}): {why}")

    def _backward(self, values: list, args_of: list, size: int) -> list | None:
        prog = self.program
        grads: list = [None] * len(prog.order)
        if self.output is None:
            return None
        out = prog.index[self.output]
        seed = self._seed
        if self._batched[out]:
            seed = self._seeds.get(size)
            if seed is None:
                seed = self._seeds[size] = np.broadcast_to(self._seed, (size,) + self._shapes[out])
        grads[out] = seed
        for i, is_batched, op, rule, ps, reshapes, targets in reversed(self._steps):
            g = grads[i]
            if g is None:
                continue
            args = args_of[i]
            if is_batched:
                try:
                    contribs = rule.vjp(g, args, values[i])
                except Exception as exc:
                    raise self._refusal(i, f"its gradient failed on a batch "
                                           f"({type(exc).__name__}: {exc})") from None
            else:
                contribs = _one_vjp(op, g, args, values[i])
            for port, p, kind, shape in targets:
                c = contribs[port]
                if kind == _BATCHED:  # shaped like the argument the rule was given
                    c = _sum_to(c, args[port].shape)
                    if reshapes is not None and reshapes[port] is not None:
                        c = np.reshape(c, values[p].shape)
                else:  # the same for every example: summed over the batch axis
                    c = _sum_to(c, shape)
                prev = grads[p]
                grads[p] = c if prev is None else prev + c
        return grads


_BATCHED, _SHARED = 0, 1  # how a contribution is shaped for its parent


def _sum_to(c: Any, shape: tuple[int, ...]) -> Value:
    """``c`` summed down to ``shape`` (:func:`unbroadcast`, with the usual cases quick): a
    float for a number."""
    if type(c) is np.ndarray and c.shape == shape and shape:
        return c
    cs = np.shape(c)
    if cs == shape:
        return c if shape or type(c) is float else float(c)
    lead = len(cs) - len(shape)
    if lead >= 0 and all(a == b or b == 1 for a, b in zip(cs[lead:], shape)):
        axes = tuple(range(lead)) + tuple(lead + k for k, n in enumerate(shape)
                                          if n == 1 and cs[lead + k] != 1)
        c = np.sum(c, axis=axes)
        return np.reshape(c, shape) if shape else float(c)
    c = unbroadcast(c, shape)
    return c if shape else float(c)


def _examples_to_check(rows: Mapping[int, np.ndarray]) -> list[int]:
    """Example 0 and the first example that differs from it in some input (a rule that
    mixed the examples up would not show on two equal ones)."""
    n = len(next(iter(rows.values())))
    differs = np.zeros(n, dtype=bool)
    for r in rows.values():
        differs |= np.any(r.reshape(n, -1) != r[:1].reshape(1, -1), axis=1)
    others = np.flatnonzero(differs)
    return [0, int(others[0])] if others.size else [0, 1][:min(n, 2)]


def _zero_if_none(v: Value, shape: tuple[int, ...]) -> Value:
    return np.zeros(shape) if v is None else v


def _close(a: Value, b: Value) -> bool:
    if np.shape(a) != np.shape(b):
        return False
    return bool(np.allclose(a, b, rtol=CHECK_RTOL, atol=CHECK_ATOL, equal_nan=True))


def _one_value(op, args: tuple) -> Value:
    """An op node that is the same for every example: its value as the engine computes it."""
    if op.scalar_forward is not None and all(type(a) is float for a in args):
        try:
            return op.scalar_forward(*args)
        except (ArithmeticError, ValueError):
            args = tuple(np.float64(a) for a in args)
    v = op.forward(*args)
    if isinstance(v, np.ndarray) and v.ndim:
        return v if v.dtype == np.float64 else v.astype(float)
    return float(v)


def _one_vjp(op, g: Value, args: tuple, out: Value) -> tuple:
    """The contributions of an op node that is the same for every example, as the engine
    computes them (Python floats raise where numpy gives inf or NaN: then numpy's)."""
    try:
        if op.scalar_vjp is not None and type(g) is float and all(type(a) is float for a in args):
            return op.scalar_vjp(g, args, out)
        return op.vjp(g, args, out)
    except (ArithmeticError, ValueError):
        f64 = [np.float64(v) if type(v) is float else v for v in (g, out) + args]
        return op.vjp(f64[0], tuple(f64[2:]), f64[1])


def evaluate_batch(graph: Graph, inputs: Mapping[int, Any], output: int | None = None, *,
                   gradients: bool = True, nodes: Iterable[int] | None = None,
                   plan: BatchPlan | None = None) -> BatchEvaluation:
    """Evaluate ``graph`` on a batch of examples in one pass: ``inputs`` gives, for each
    input that differs between examples, its value in every example (batch axis first; other
    inputs keep the graph's values). Returns every node's values for the whole batch and,
    with ``gradients``, the backward pass of ``output`` (default: the graph's output) from
    every example (see the module docstring). ``nodes`` limits the work to those nodes and
    the output's ancestors (None: every node). Pass the ``plan`` of an earlier call (its
    :attr:`BatchEvaluation.plan`) to evaluate other examples of the same inputs without
    making and checking a plan again. Raises :class:`BatchRefused` for a graph that cannot
    be evaluated on a batch (it names the node and says why).

    A grid of points through a network (a decision boundary)::

        xs = np.stack(np.meshgrid(u, v), axis=-1).reshape(-1, 2)
        z = evaluate_batch(g, {g.by_name("x"): xs}, g.by_name("z2"), gradients=False)
        z.values[g.by_name("z2")]  # one row per point
    """
    if plan is None:
        plan = BatchPlan(graph, inputs, output, nodes=nodes)
    return plan.run(inputs, gradients)
