"""Forward and backward passes over a :class:`~graphstudio.core.graph.Graph`.

Execution semantics, as in the lectures:

* **Forward**: nodes are visited in topological order (parents first) and each op node gets
  ``u_i = f_i(parents)``. A node that cannot be computed gets an error instead of a value:
  ``missing`` (an unconnected argument or an input with no value), ``shape`` (arguments whose
  shapes do not fit), or ``upstream`` (a parent failed). A *domain* problem (``log(-1)``,
  ``1/0``) is not fatal: the value is NaN or inf and the node carries a ``domain`` warning.
* **Backward**: reverse-mode differentiation of one output. ``grad_table[output] = 1`` (the
  *seed*) and then, in reverse topological order, every node's upstream gradient is pushed through its
  op's vector-Jacobian product into its parents and summed there: a node's gradient is the sum
  over its successors of ``upstream × local derivative`` (the lectures' ``grad_table``).
  Constants get no gradient. Nodes that do not reach the output get zero.
* **The seed of an array output**: ``d output / d node`` needs one number to differentiate, so
  an output that is a vector or a matrix is seeded with ones, the gradient of *the sum of its
  elements* (what PyTorch's ``z.sum().backward()`` computes), unless its node carries a
  ``seed`` (``seed(z, [1, 0, 0])`` in ``.gs``), an array of its shape: the backward pass then
  differentiates ``Σ seedᵢ · zᵢ`` (PyTorch's ``z.backward(gradient=seed)``). The evaluation
  says which (:attr:`Evaluation.seed`, :meth:`Evaluation.seed_text`); a seed of another shape
  is a ``seed`` warning on the output, and then no gradient is computed.
* **Results are data**: :func:`evaluate` returns an :class:`Evaluation` and changes nothing in
  the graph, so running it twice gives the same numbers and two results can sit side by side.

No traversal recurses: graphs are compiled to flat lists in topological order, so a chain of
a million nodes evaluates.

>>> from graphstudio.core.graph import Graph
>>> g = Graph()
>>> x = g.add_input("x", 3.0); y = g.add_input("y", -2.0)
>>> z = g.add_op("mul", [x, y], name="z")
>>> ev = evaluate(g)
>>> ev.values[z], ev.grads[x], ev.grads[y]
(-6.0, -2.0, 3.0)
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np

from .collector import collector_paused
from .events import GraphEvent, ValueChanged
from .numbers import format_value, shape_words
from .ops import OPS, Op, Value, unbroadcast
from .params import OpError

if TYPE_CHECKING:  # (networkx and the graph are imported where they are used: ``eval`` of a
    # cached program runs these passes without them, see core/program_cache.py)
    from .graph import Graph

__all__ = [
    "NodeError", "Program", "Evaluation", "Evaluator", "compile_graph", "evaluate", "Term",
    "Step", "forward_steps", "backward_steps", "output_seed", "WARNING_KINDS",
]

FATAL_KINDS = ("missing", "shape", "upstream", "error")
#: problems that leave the node its value: a domain error (NaN, inf) or a seed that does not fit
WARNING_KINDS = ("domain", "seed", "gradient")


@dataclass(frozen=True)
class NodeError:
    """Why a node has no (finite) value. ``kind`` is missing/shape/upstream/domain/error, or
    ``gradient`` when the backward pass could not go through it (its parents get NaN)."""

    node: int
    kind: str
    message: str

    @property
    def fatal(self) -> bool:
        return self.kind in FATAL_KINDS


@dataclass
class Program:
    """A graph flattened into lists in topological order, ready to run fast.

    The lists are shared by every program compiled from the same structure: read them, do not
    change them; ``leaf_values`` is each program's own (a caller may set a leaf's value in it
    to run the passes with that value, as training and the gradient check do)."""

    order: list[int]  # node ids in topological order
    index: dict[int, int]  # node id -> position in ``order``
    ops: list[Op | None]  # None for leaves
    kinds: list[str]  # "input", "const" or op name
    parents: list[tuple[int, ...]]  # parent positions by port (-1 for an unconnected port)
    leaf_values: list[Value]  # values of leaves (None for op nodes)
    leaves: list[int] = field(default_factory=list)  # positions of the leaves
    version: int = -1  # the graph's structure_version it was compiled from


#: the last program compiled from each graph, by graph (a graph that is gone takes its entry
#: with it)
_compiled: "weakref.WeakKeyDictionary[Graph, Program]" = weakref.WeakKeyDictionary()


def compile_graph(graph: Graph) -> Program:
    """Flatten ``graph`` into a :class:`Program` (one linear pass after the topological sort).

    A graph whose structure has not changed since it was last compiled
    (:attr:`Graph.structure_version <graphstudio.core.graph.Graph.structure_version>`) is not
    compiled again: the program comes back with the leaves' current values."""
    cached = _compiled.get(graph)
    if cached is None or cached.version != graph.structure_version:
        cached = _compile(graph)
        _compiled[graph] = cached
    leaf_values: list[Value] = [None] * len(cached.order)
    records, order = graph.records(), cached.order
    for i in cached.leaves:
        leaf_values[i] = records[order[i]].value
    return replace(cached, leaf_values=leaf_values)


def _compile(graph: Graph) -> Program:
    order = graph.topological_order()
    index = {n: i for i, n in enumerate(order)}
    ops: list[Op | None] = []
    kinds: list[str] = []
    leaves: list[int] = []
    # The records, and the arguments by port: from the edge list of a graph just read (whose
    # structure networkx does not hold yet, see Graph.edge_list), else from the raw networkx
    # dict node -> {parent: {port: attrs}} (the public views wrap every lookup in a new
    # object, which costs more than the rest of this loop).
    records = graph.records()
    edges = graph.edge_list()
    by_child = None if edges is None else _arguments(edges, index)
    if by_child is None:
        pred = graph.g._pred
    parents: list[tuple[int, ...]] = []
    plain: dict[str, tuple[Op, int]] = {}  # an op without parameters, and its fewest arguments
    for n, record in zip(order, map(records.__getitem__, order)):
        kind = record.op
        kinds.append(kind)
        if kind == "input" or kind == "const":
            leaves.append(len(ops))
            ops.append(None)
            parents.append(())
            continue
        known = plain.get(kind)
        if known is not None:
            op, need = known
        else:
            op = OPS[kind]
            if op.params is not None:  # index, reshape...: the op with this node's parameter
                op = op.bind(record.params if record.params is not None else op.params.default)
            else:
                plain[kind] = (op, min(op.arity))
            need = min(op.arity)  # parent positions by port; -1 = not connected
        ops.append(op)
        if by_child is not None:
            ps = by_child.get(n, ())
            parents.append(ps if len(ps) >= need else ps + (-1,) * (need - len(ps)))
            continue
        slots = [-1] * need
        for src, keys in pred[n].items():
            j = index[src]
            for port in keys:
                if port >= len(slots):
                    slots.extend([-1] * (port + 1 - len(slots)))
                slots[port] = j
        parents.append(tuple(slots))
    return Program(order, index, ops, kinds, parents, [None] * len(order), leaves,
                   graph.structure_version)


def _arguments(edges: list[tuple[int, int, int]], index: dict[int, int]
               ) -> dict[int, tuple[int, ...]] | None:
    """Each child's argument positions by port, from an edge list whose edges into a node come
    together in the order of their ports (as a bulk adds them); None for any other list."""
    by_child: dict[int, tuple[int, ...]] = {}
    for src, dst, port in edges:
        if port == 0:
            if dst in by_child:
                return None
            by_child[dst] = (index[src],)
        else:
            ports = by_child.get(dst, ())
            if len(ports) != port:
                return None
            by_child[dst] = ports + (index[src],)
    return by_child


def _normalise(v: Any) -> Value:
    if type(v) is float:
        return v
    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return float(v)
        if v.dtype != np.float64:
            return v.astype(float)
        return v
    return float(v)


def _finite(v: Value) -> bool:
    if type(v) is float:
        return math.isfinite(v)
    return bool(np.all(np.isfinite(v)))


def _shape(v: Value) -> tuple[int, ...]:
    return () if isinstance(v, float) else np.shape(v)


@dataclass(frozen=True)
class Term:
    """One successor's share of a node's gradient, a term of the lectures' ``grad_table``:
    ``upstream × local = contribution`` along the edge ``parent → child`` (argument ``port``).

    ``upstream`` is ``d output / d child``; ``local`` is ``∂child/∂parent``, a number for
    scalars, else the Jacobian as a matrix (rows: child's elements, columns: parent's), or
    None when it is too large to show; ``contribution`` is their vector-Jacobian product,
    shaped like the parent. ``formula`` is the edge's label (``∂z/∂x = y``) and
    ``child_label`` the child's name, as the graph had them; ``note`` says why the local
    derivative is what it is where the child's op says (``stop_gradient: ∂u/∂y taken as 0``),
    else ""."""

    parent: int
    child: int
    port: int
    child_label: str
    formula: str
    upstream: Value
    local: Value
    contribution: Value
    note: str = ""

    @property
    def edge(self) -> tuple[int, int, int]:
        return (self.parent, self.child, self.port)


@dataclass
class Evaluation:
    """The result of a forward (and backward) pass. Keyed by node id."""

    graph: Graph
    program: Program
    values: dict[int, Value]
    grads: dict[int, Value]
    errors: dict[int, NodeError]
    output: int | None
    recomputed: set[int] = field(default_factory=set)
    #: the upstream gradient the backward pass started from at the output (None: it did not
    #: run); ``seed_given``: it is the output node's ``seed``, not the default 1 or ones
    seed: Value = None
    seed_given: bool = False

    @property
    def warnings(self) -> list[NodeError]:
        return [e for e in self.errors.values() if e.kind in WARNING_KINDS]

    @property
    def seeds_sum(self) -> bool:
        """The output is an array seeded with ones: the gradients are those of the sum of its
        elements."""
        return not self.seed_given and isinstance(self.seed, np.ndarray)

    def seed_text(self, digits: int = 4) -> str:
        """The seed in words where it is not the plain 1 of a number output, for a line
        ``seed: …`` (the canvas, the status bar, the command line): ``"sum of the elements"``
        for an array output seeded with ones, the numbers of a given seed; else "".

        >>> from graphstudio.io.gs import parse_text
        >>> evaluate(parse_text("x = [1, 2]\\ny = x * x")).seed_text()
        'sum of the elements'
        >>> evaluate(parse_text("x = [1, 2]\\ny = x * x\\nseed(y, [0, 1])")).seed_text()
        '[0 1]'
        """
        if self.seed is None:
            return ""
        if self.seed_given:
            return format_value(self.seed, digits)
        return "sum of the elements" if self.seeds_sum else ""

    @property
    def fatal_errors(self) -> list[NodeError]:
        return [e for e in self.errors.values() if e.fatal and e.kind != "upstream"]

    def value(self, node: int) -> Value:
        return self.values.get(node)

    def grad(self, node: int) -> Value:
        return self.grads.get(node)

    def _args(self, child: int) -> tuple[Op, tuple]:
        i = self.program.index[child]
        op = self.program.ops[i]
        args = tuple(self.values[self.program.order[p]] for p in self.program.parents[i])
        return op, args

    def contribution(self, parent: int, child: int, port: int, upstream: Value = None) -> Value:
        """``upstream × local derivative`` sent from ``child`` back into ``parent`` via ``port``:
        the vector-Jacobian product, shaped like ``parent``'s value. ``upstream`` defaults to
        ``child``'s gradient; pass another (shaped like ``child``'s value) to pull any vector
        back through this one edge, as the sum over paths does."""
        op, args = self._args(child)
        g = self.grads.get(child) if upstream is None else upstream
        if g is None or any(a is None for a in args):
            return None
        with np.errstate(all="ignore"):
            try:
                c = _vjp(op, g, args, self.values[child])[port]
                return _normalise(unbroadcast(c, _shape(args[port])))
            except Exception:  # the backward pass reported it (a "gradient" problem)
                return None

    def local_derivative(self, parent: int, child: int, port: int, limit: int = 400) -> Value:
        """``∂child/∂parent`` at the current values: a number when both are scalars, else the
        Jacobian as a matrix (rows: child's elements, columns: parent's), or None when it
        would have more than ``limit`` entries."""
        op, args = self._args(child)
        out = self.values.get(child)
        if out is None or any(a is None for a in args):
            return None
        out_shape, in_shape = _shape(out), _shape(args[port])
        n_out, n_in = int(np.prod(out_shape)), int(np.prod(in_shape))
        if n_out * n_in > limit:
            return None
        try:
            return self._jacobian(op, args, out, port, out_shape, in_shape, n_out, n_in)
        except Exception:  # the backward pass reported it (a "gradient" problem)
            return None

    @staticmethod
    def _jacobian(op: Op, args: tuple, out: Value, port: int, out_shape: tuple,
                  in_shape: tuple, n_out: int, n_in: int) -> Value:
        with np.errstate(all="ignore"):
            if out_shape == ():
                d = _vjp(op, 1.0, args, out)[port]
                d = _normalise(unbroadcast(d, in_shape))
                return d if in_shape == () else np.asarray(d).reshape(1, n_in)
            rows = []
            for k in range(n_out):
                e = np.zeros(n_out)
                e[k] = 1.0
                d = _vjp(op, e.reshape(out_shape), args, out)[port]
                rows.append(np.asarray(unbroadcast(d, in_shape), dtype=float).reshape(n_in))
            return np.array(rows)

    def term(self, parent: int, child: int, port: int, limit: int = 400) -> Term:
        """The ``grad_table`` term the edge ``parent → child`` (argument ``port``) adds to
        ``parent``'s gradient (Jacobians with more than ``limit`` entries left out)."""
        return Term(parent, child, port, self.graph.label(child),
                    self.formula(parent, child, port), self.grads.get(child),
                    self.local_derivative(parent, child, port, limit=limit),
                    self.contribution(parent, child, port), self.note(child, port))

    def _arg_names(self, child: int) -> list[str]:
        return [self.graph.label(self.program.order[p]) if p >= 0 else "?"
                for p in self.program.parents[self.program.index[child]]]

    def formula(self, parent: int, child: int, port: int) -> str:
        """The edge label ``∂z/∂x = y`` in the nodes' names."""
        op = self.program.ops[self.program.index[child]]
        out = self.graph.label(child)
        return f"∂{out}/∂{self.graph.label(parent)} = {op.formula(port, self._arg_names(child), out)}"

    def note(self, child: int, port: int) -> str:
        """Why ``∂child/∂(argument port)`` is what it is, in the nodes' names, where the
        child's op says (``stop_gradient: ∂u/∂y taken as 0, ...``); else ""."""
        op = self.program.ops[self.program.index[child]]
        return op.explain(port, self._arg_names(child), self.graph.label(child)) if op else ""


def _vjp(op: Op, g: Value, args: tuple, out: Value) -> tuple:
    """The op's vector-Jacobian product. Python floats raise where numpy gives inf or NaN
    (``1.0 / 0.0``, ``0.0 ** -1``), so a rule that raises is rerun on numpy scalars."""
    try:
        if op.scalar_vjp is not None and type(g) is float and all(type(a) is float for a in args):
            return op.scalar_vjp(g, args, out)
        return op.vjp(g, args, out)
    except (ArithmeticError, ValueError):
        return _vjp_numpy(op, g, args, out)


def _vjp_numpy(op: Op, g: Value, args: tuple, out: Value) -> tuple:
    """The vjp with numpy scalars, so Python's ZeroDivisionError (sqrt'(0), 1/0) becomes
    inf/nan as in the forward pass, instead of bringing the program down."""
    def f64(v: Value) -> Value:
        return np.float64(v) if type(v) is float else v
    with np.errstate(all="ignore"):
        return op.vjp(f64(g), tuple(f64(a) for a in args), f64(out))


def _run_forward(prog: Program, values: list, errors: dict, positions: Iterator[int] | range,
                 graph: Graph) -> None:
    """Fill ``values`` at ``positions`` (ascending), recording node errors by position.

    This loop runs once per node, so it is written for speed: one- and two-argument ops (all
    of the registry) take their arguments without building lists, and the error bookkeeping
    is skipped while there are no errors."""
    ops, parents, order, leaf_values = prog.ops, prog.parents, prog.order, prog.leaf_values
    failed = {i for i, e in errors.items() if e.fatal}
    with np.errstate(all="ignore"):
        for i in positions:
            op = ops[i]
            if op is None:
                v = leaf_values[i]
                values[i] = v
                if v is None:
                    errors[i] = NodeError(order[i], "missing",
                                          f"input {graph.label(order[i])} has no value")
                    failed.add(i)
                elif errors:
                    errors.pop(i, None)
                    failed.discard(i)
                continue
            ps = parents[i]
            if errors:
                errors.pop(i, None)
                failed.discard(i)
            if -1 in ps:
                port = ps.index(-1)
                errors[i] = NodeError(order[i], "missing",
                                      f"argument {port + 1} of {graph.label(order[i])} "
                                      f"({op.name}) is not connected")
                failed.add(i)
                values[i] = None
                continue
            if failed:
                bad = [p for p in ps if p in failed]
                if bad:
                    errors[i] = NodeError(order[i], "upstream",
                                          f"{graph.label(order[bad[0]])} has no value")
                    failed.add(i)
                    values[i] = None
                    continue
            if len(ps) == 2:
                a, b = values[ps[0]], values[ps[1]]
                args = (a, b)
                scalar = type(a) is float and type(b) is float
            elif len(ps) == 1:
                a = values[ps[0]]
                args = (a,)
                scalar = type(a) is float
            else:
                args = tuple(values[p] for p in ps)
                scalar = all(type(a) is float for a in args)
            sf = op.scalar_forward
            try:
                if scalar and sf is not None:
                    try:
                        v = sf(*args)
                    except (ArithmeticError, ValueError):
                        v = _normalise(op.forward(*[np.float64(a) for a in args]))
                else:
                    v = _normalise(op.forward(*args))
            except OpError as exc:  # the arguments do not fit the op's parameter
                errors[i] = NodeError(order[i], "shape", str(exc))
                failed.add(i)
                values[i] = None
                continue
            except ValueError:
                shapes = " and ".join(str(_shape(a)) for a in args)
                errors[i] = NodeError(order[i], "shape",
                                      f"shape mismatch: {op.name} of shapes {shapes}")
                failed.add(i)
                values[i] = None
                continue
            except Exception as exc:  # an op must never bring the program down
                errors[i] = NodeError(order[i], "error", f"{op.name} failed: {exc}")
                failed.add(i)
                values[i] = None
                continue
            values[i] = v
            if op.may_fail and not _finite(v) and all(_finite(a) for a in args):
                errors[i] = NodeError(order[i], "domain",
                                      f"{op.name} of {', '.join(format_value(a) for a in args)}"
                                      f" is {format_value(v) if type(v) is float else 'not finite'}")


def output_seed(out_value: Value, given: Value = None) -> tuple[Value, str]:
    """The upstream gradient the backward pass starts from at an output of value
    ``out_value``: ``given`` (an output node's ``seed``) when it has the output's shape, else 1
    or ones; and, when ``given`` does not fit, why (else "")."""
    if given is None:
        return (1.0 if type(out_value) is float else np.ones_like(out_value)), ""
    if np.shape(given) != np.shape(out_value):
        return None, (f"the seed {format_value(given)} is {shape_words(given)}, but the output "
                      f"is {shape_words(out_value)}: a seed has the output's shape")
    return _normalise(given), ""


def _run_backward(prog: Program, values: list, out_pos: int, seed: Value,
                  problems: dict[int, NodeError] | None = None) -> list:
    """Reverse-mode pass from ``seed`` at the output: returns the grad_table as a list by
    position.

    Each op's vector-Jacobian product sends ``upstream × local derivative`` into every parent,
    where the contributions are summed (parallel edges, as in ``x * x``, add up too). A rule
    that fails (a bug, never the user's input) does not stop the pass: its parents get NaN
    from it, and ``problems`` (by position) says which node and why.

    This loop runs once per node, so numbers take a short path: when the upstream gradient and
    every argument are Python floats, the op's ``scalar_vjp`` (or its ``vjp``, which then
    stays in floats) gives the contributions directly."""
    n = len(prog.order)
    grads: list = [None] * n
    if values[out_pos] is None or seed is None:
        return grads
    grads[out_pos] = seed
    ops, parents, kinds = prog.ops, prog.parents, prog.kinds
    with np.errstate(all="ignore"):
        for i in range(out_pos, -1, -1):
            g = grads[i]
            if g is None:
                continue
            op = ops[i]
            if op is None:
                continue
            ps = parents[i]
            if len(ps) == 1:
                args = (values[ps[0]],)
                scalar = type(g) is float and type(args[0]) is float
            elif len(ps) == 2:
                args = (values[ps[0]], values[ps[1]])
                scalar = type(g) is float and type(args[0]) is float and type(args[1]) is float
            else:
                args = tuple(values[p] for p in ps)
                scalar = type(g) is float and all(type(a) is float for a in args)
            try:
                if scalar:  # _scalar_backward, its common case written out (a call less)
                    try:
                        contribs = (op.scalar_vjp or op.vjp)(g, args, values[i])
                    except (ArithmeticError, ValueError):
                        contribs = _scalar_backward(op, g, args, values[i])
                    else:
                        for c in contribs:
                            if type(c) is not float:
                                contribs = _scalar_backward(op, g, args, values[i])
                                break
                else:
                    contribs = _local_backward(op, g, args, values[i])
            except Exception as exc:  # the engine must not raise on a graph the model accepts
                contribs = tuple(math.nan if type(a) is float else np.full(np.shape(a), math.nan)
                                 for a in args)
                if problems is not None:
                    problems[i] = NodeError(prog.order[i], "gradient",
                                            f"the gradient through {op.name} could not be "
                                            f"computed ({type(exc).__name__}: {exc})")
            if len(ps) == 1:  # (the loop below, for one parent and for two)
                p = ps[0]
                if kinds[p] != "const":
                    prev = grads[p]
                    grads[p] = contribs[0] if prev is None else prev + contribs[0]
                continue
            if len(ps) == 2:
                p, q = ps
                c, d = contribs
                if kinds[p] != "const":
                    prev = grads[p]
                    grads[p] = c if prev is None else prev + c
                if kinds[q] != "const":
                    prev = grads[q]
                    grads[q] = d if prev is None else prev + d
                continue
            for p, c in zip(ps, contribs):
                if kinds[p] == "const":
                    continue
                prev = grads[p]
                grads[p] = c if prev is None else prev + c
    return grads


def _scalar_backward(op: Op, g: float, args: tuple, out: float) -> tuple:
    """The contributions of an op whose upstream gradient and arguments are Python floats,
    each a Python float."""
    try:
        contribs = (op.scalar_vjp or op.vjp)(g, args, out)
    except (ArithmeticError, ValueError):  # 1.0 / 0.0, math.log(0.0): numpy's inf and NaN
        contribs = _vjp_numpy(op, g, args, out)
    for c in contribs:
        if type(c) is not float:  # a rule that went through numpy
            return tuple(c if type(c) is float else
                         float(np.sum(c)) if np.ndim(c) else float(c) for c in contribs)
    return contribs


def _local_backward(op: Op, g: Value, args: tuple, out: Value, scalar: bool = False) -> tuple:
    """The op's contributions to each argument, each shaped like that argument."""
    if scalar:
        return _scalar_backward(op, g, args, out)
    try:
        contribs = op.vjp(g, args, out)
    except (ArithmeticError, ValueError):  # 1.0 / 0.0 on Python floats
        contribs = _vjp_numpy(op, g, args, out)
    shaped = []
    for c, a in zip(contribs, args):
        if type(a) is float:
            if type(c) is not float:
                c = float(np.sum(c)) if np.ndim(c) else float(c)
        elif np.shape(c) != a.shape:
            c = unbroadcast(c, a.shape)
        shaped.append(c)
    return tuple(shaped)


def _zeros_like(v: Value) -> Value:
    return 0.0 if type(v) is float else np.zeros_like(v)


def _backward(graph: Graph, prog: Program, values: list, errors: dict,
              out_node: int | None) -> Evaluation:
    """The backward pass of ``out_node`` from its seed, and the evaluation with the forward
    pass's ``values`` and ``errors`` (a seed that does not fit is a warning on the output)."""
    n = len(prog.order)
    seed, given, why = None, False, ""
    if out_node is None:
        grads = [None] * n
    else:
        pos = prog.index[out_node]
        out_value = values[pos]
        if out_value is not None:
            given = graph.node(out_node).seed is not None
            seed, why = output_seed(out_value, graph.node(out_node).seed)
            if why:
                errors[pos] = NodeError(out_node, "seed", why)
        problems: dict[int, NodeError] = {}
        grads = _run_backward(prog, values, pos, seed, problems)
        errors = {**problems, **errors}
    ev = _assemble(graph, prog, values, grads, errors, out_node, zeros=not why)
    ev.seed, ev.seed_given = seed, given and seed is not None
    return ev


def _assemble(graph: Graph, prog: Program, values: list, grads: list, errors: dict,
              out_node: int | None, zeros: bool = True) -> Evaluation:
    """The evaluation of these passes; with ``zeros``, nodes the gradient did not reach get 0
    (without, when the backward pass could not run, they get None)."""
    order = prog.order
    vals = dict(zip(order, values))
    gr = {}
    for i, n in enumerate(order):
        g = grads[i]
        v = values[i]
        if g is None and zeros and v is not None and prog.kinds[i] != "const":
            g = _zeros_like(v)
        elif g is not None and type(g) is not float and type(v) is float:
            g = float(g)
        gr[n] = g
    errs = {order[i]: e for i, e in errors.items()}
    return Evaluation(graph, prog, vals, gr, errs, out_node)


def evaluate(graph: Graph, output: int | None = None, program: Program | None = None) -> Evaluation:
    """Run the forward pass and the backward pass of ``output`` (default: the graph's)."""
    with collector_paused():
        return _evaluate(graph, output, program)


def _evaluate(graph: Graph, output: int | None, program: Program | None) -> Evaluation:
    prog = program or compile_graph(graph)
    n = len(prog.order)
    values: list = [None] * n
    errors: dict[int, NodeError] = {}
    _run_forward(prog, values, errors, range(n), graph)
    out_node = output if output is not None else graph.default_output()
    ev = _backward(graph, prog, values, errors, out_node)
    ev.recomputed = set(prog.order)
    return ev


class Evaluator:
    """Keeps a compiled graph and its values, so that changing one input recomputes only the
    nodes that depend on it (then runs the backward pass again, which every gradient may
    depend on). The graph is compiled again only when its structure has changed
    (:func:`compile_graph` keeps the program of an unchanged graph): a new value, a name, a
    move or a seed recompiles nothing.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._program: Program | None = None
        self._values: list | None = None
        self._errors: dict[int, NodeError] = {}
        self._changed: set[int] = set()  # leaves whose value changed since the last pass
        # a leaf's descendants, with the structure version they were found at: a scrub sets
        # the same input at every step, and walking the graph for them cost a tenth of a step
        self._downstream: dict[int, tuple[int, set[int]]] = {}
        graph.subscribe(self._on_change)

    def close(self) -> None:
        self.graph.unsubscribe(self._on_change)

    def _on_change(self, event: GraphEvent) -> None:
        if type(event) is ValueChanged:
            self._changed.add(event.node)  # recomputed by the next set_input (or evaluate)

    def evaluate(self, output: int | None = None) -> Evaluation:
        self._program = compile_graph(self.graph)
        prog = self._program
        self._values = [None] * len(prog.order)
        self._errors = {}
        self._changed.clear()
        _run_forward(prog, self._values, self._errors, range(len(prog.order)), self.graph)
        return self._finish(output, set(prog.order))

    def set_input(self, node: int, value: Any, output: int | None = None) -> Evaluation:
        """Set an input's value and re-evaluate only its descendants (and those of any other
        leaf whose value was changed on the graph directly since the last pass)."""
        self.graph.set_value(node, value)
        if (self._program is None or self._values is None
                or self._program.version != self.graph.structure_version):
            return self.evaluate(output)
        prog = self._program
        affected: set[int] = set()
        for changed in self._changed:
            prog.leaf_values[prog.index[changed]] = self.graph.value(changed)
            affected |= self._descendants(changed)
            affected.add(changed)
        self._changed.clear()
        positions = sorted(prog.index[n] for n in affected)
        _run_forward(prog, self._values, self._errors, positions, self.graph)
        return self._finish(output, affected)

    def _descendants(self, node: int) -> set[int]:
        """The nodes that depend on ``node``, found again only after a change of structure
        (nodes or edges added or removed), which is all that can change them."""
        version = self.graph.structure_version
        kept = self._downstream.get(node)
        if kept is None or kept[0] != version:
            if len(self._downstream) > 64:  # the inputs scrubbed lately, not every one ever
                self._downstream.clear()
            kept = self._downstream[node] = (version, self.graph.descendants(node))
        return kept[1]

    def _finish(self, output: int | None, recomputed: set[int]) -> Evaluation:
        prog = self._program
        out_node = output if output is not None else self.graph.default_output()
        ev = _backward(self.graph, prog, list(self._values), dict(self._errors), out_node)
        ev.recomputed = recomputed
        return ev


# ---- step-by-step events -----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of a pass, for players and step-by-step exports.

    Forward: ``node`` gets ``value`` from ``edges`` (its parents). Backward: ``node`` gets
    ``grad`` as the sum of ``terms`` (:class:`Term`), one per successor edge."""

    phase: str  # "forward" or "backward"
    node: int
    value: Value = None
    grad: Value = None
    edges: tuple[tuple[int, int, int], ...] = ()
    terms: tuple[Term, ...] = ()


def forward_steps(ev: Evaluation) -> list[Step]:
    """One step per node in topological order (leaves first)."""
    steps = []
    for n in ev.program.order:
        edges = tuple(ev.graph.in_edges(n))
        steps.append(Step("forward", n, value=ev.values.get(n), edges=edges))
    return steps


def backward_steps(ev: Evaluation) -> list[Step]:
    """One step per node that reaches the output, in reverse topological order, each with its
    ``grad_table`` terms: for every successor, upstream × local derivative."""
    if ev.output is None or ev.values.get(ev.output) is None:
        return []
    from networkx import ancestors

    reach = ancestors(ev.graph.g, ev.output)
    reach.add(ev.output)
    steps = []
    for n in reversed(ev.program.order):
        if n not in reach or ev.program.kinds[ev.program.index[n]] == "const":
            continue
        terms = tuple(ev.term(parent, child, port)
                      for parent, child, port in ev.graph.out_edges(n) if child in reach)
        steps.append(Step("backward", n, value=ev.values.get(n), grad=ev.grads.get(n),
                          edges=tuple(t.edge for t in terms), terms=terms))
    return steps
