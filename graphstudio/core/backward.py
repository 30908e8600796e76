"""The backward pass as a graph: symbol-to-symbol differentiation.

Goodfellow, Bengio and Courville (*Deep Learning*, §6.5.5, Fig. 6.10) describe back-propagation
that does not compute numbers but *adds nodes*: for an output ``y`` and an input ``x``, the
gradient ``dy/dx`` becomes a node of the same graph, computed by ordinary ops from the forward
nodes. Since the result is a graph like any other, it evaluates, explains and exports like one,
and differentiating it again gives second derivatives (``grad(grad(y, x), x)``) or a
Hessian-vector product (``grad(sum(grad(y, x) * v), x)``).

:func:`build_grads` does it, on a :class:`~graphstudio.core.graph.Graph` or on a
:class:`~graphstudio.core.graph.Bulk` a reader is filling:

1. the forward values of ``y``'s ancestors are computed (the shapes decide how some rules are
   written, e.g. a matrix product of a matrix and a vector);
2. from ``y`` back, in reverse topological order, each node ``n`` on a path from an input to
   ``y`` gets its adjoint: the sum of the contributions its children sent it (one ``add`` node
   where paths meet), starting from the seed (1 for a number; for an array output the existing
   seed rule: the node's ``seed``, else ones, the gradient of the sum of its elements);
3. each child's contribution to a parent is the child's op's ``vjp_ops`` rule
   (:mod:`graphstudio.core.vjp_ops`), made of new nodes and the forward nodes themselves,
   summed back to the parent's shape where broadcasting widened it (``sum_like``);
4. equal nodes are made once (a new node with the op, parameter and arguments of one already
   in the graph *is* that node), constants are folded, and a multiplication by one is left out;
   only the nodes the results need are added.

>>> from graphstudio.core.graph import Graph
>>> g = Graph()
>>> x = g.add_input("x", 0.5)
>>> y = g.add_op("tanh", [x], name="y")
>>> built = build_grads(g, y, [x])
>>> g.op(built.grads[x]), [g.op(p) for p in g.parents(built.grads[x])]
('sub', ['const', 'mul'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any, Iterable

import numpy as np

from .graph import GraphError, as_value
from .numbers import shape_words
from .ops import LEAF_KINDS, OPS, node_op
from .params import OpError
from .vjp_ops import GradNotAvailable

__all__ = ["GradError", "Built", "GradCall", "build_grads", "backward_graph", "depends_on",
           "signature",
           "GRADS_META"]

#: ``graph.meta[GRADS_META]``: the :class:`GradCall` of each ``g = grad(y, x)`` a text made,
#: so that saving writes the call back rather than its nodes
GRADS_META = "grads"


class GradError(ValueError):
    """A gradient that cannot be built as a graph; the message says which and why."""


@dataclass
class Built:
    """What :func:`build_grads` added: ``grads[x]`` is the node holding ``dy/dx`` (it may be an
    existing node, such as ``y`` itself for ``y = exp(x)``), ``adjoints[n]`` the adjoint of
    every node on a path from an input to ``y``, ``nodes`` the new nodes in order."""

    grads: dict[int, int]
    adjoints: dict[int, int]
    nodes: list[int] = field(default_factory=list)
    seed: int | None = None  # the node the pass starts from


@dataclass(frozen=True)
class GradCall:
    """The nodes one ``grad(y, x)`` added (``result`` last), and their :func:`signature` when
    they were made: while the graph still holds exactly these nodes, a ``.gs`` text writes the
    call again instead of its expansion."""

    result: int
    y: int
    x: int
    nodes: tuple[int, ...]
    signature: tuple


def signature(graph, nodes) -> tuple | None:
    """What ``nodes`` compute, from what (ops, parameters, parents, constants' values), or
    None when one of them is gone."""
    out = []
    for n in nodes:
        if n not in graph:
            return None
        record = graph.node(n)
        value = _key(record.value) if record.op == "const" else None
        out.append((record.op, record.params, tuple(graph.parents(n)), value))
    return tuple(out)


def depends_on(source, y: int) -> set[int]:
    """``y`` and its ancestors in ``source`` (a graph or a bulk)."""
    seen, todo = {y}, [y]
    while todo:
        n = todo.pop()
        for p in source.parents(n):
            if p is not None and p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def _topological(source, nodes: set[int]) -> list[int]:
    """``nodes`` (closed under parents) with every node after its parents."""
    parents = {n: [p for p in source.parents(n) if p is not None] for n in sorted(nodes)}
    return list(TopologicalSorter(parents).static_order())


def _key(value: Any) -> tuple:
    arr = np.asarray(value, dtype=float)
    return ("const", arr.shape, arr.tobytes())


class _Builder:
    """Nodes on their way into the graph (negative handles until they are made), with their
    values, for the rules of :mod:`graphstudio.core.vjp_ops` (``op``, ``const``, ``shape``)."""

    def __init__(self, source, values: dict[int, Any], label) -> None:
        self.source = source
        self.values = values  # every handle's value (forward nodes and new ones)
        self.label = label  # how a message names a node
        self.pending: dict[int, tuple] = {}  # handle -> (op, params, args) or ("const", value)
        self.keys: dict[tuple, int] = {}  # (op, params, arg keys) -> handle, existing or new
        self.consts: dict[int, tuple] = {}  # const handle -> its value's key
        self.new_consts: dict[tuple, int] = {}  # a value's key -> its new const's handle

    def index_existing(self, nodes: Iterable[int]) -> None:
        """Know the op nodes already built among ``nodes`` (with values), to reuse them."""
        for n in nodes:
            record = self.source.node(n)
            if record.op == "const":
                self.consts[n] = _key(record.value)
            elif record.op not in LEAF_KINDS:
                parents = self.source.parents(n)
                if None not in parents:
                    self.keys.setdefault(self._op_key(record.op, record.params, parents), n)

    def _arg_key(self, h: int) -> Any:
        return self.consts.get(h, h)

    def _op_key(self, op: str, params: Any, args) -> tuple:
        return (op, params, tuple(self._arg_key(a) for a in args))

    # ---- what the rules call -------------------------------------------------------------

    def shape(self, h: int) -> tuple[int, ...]:
        return tuple(np.shape(self.values[h]))

    def value(self, h: int) -> Any:
        return self.values[h]

    def const(self, value: Any) -> int:
        value = as_value(value)
        key = _key(value)
        if key in self.new_consts:
            return self.new_consts[key]
        h = -len(self.pending) - 1
        self.new_consts[key] = h
        self.pending[h] = ("const", value)
        self.values[h] = value
        self.consts[h] = key
        return h

    def is_const(self, h: int) -> bool:
        return h in self.consts

    def op(self, name: str, *args: int, p: Any = None) -> int:
        entry = node_op(name, p)
        values = [self.values[a] for a in args]
        with np.errstate(all="ignore"):
            value = as_value(entry.forward(*values))
        simpler = self._simpler(name, args, value)
        if simpler is not None:
            return simpler
        if all(self.is_const(a) for a in args):
            return self.const(value)
        kind = OPS[name].params
        params = None if kind is None else (kind.default if p is None else p)
        key = self._op_key(name, params, args)
        found = self.keys.get(key)
        if found is not None:
            self.values.setdefault(found, value)
            return found
        h = -len(self.pending) - 1
        self.pending[h] = (name, params, tuple(args))
        self.values[h] = value
        self.keys[key] = h
        return h

    def _simpler(self, name: str, args: tuple, value: Any) -> int | None:
        """A node that already is the result: ``1 · t`` is ``t``, ``-(-t)`` is ``t``,
        ``t ** 1`` is ``t`` (when the shapes agree)."""
        shape = np.shape(value)
        if name == "mul":
            for one, other in ((args[0], args[1]), (args[1], args[0])):
                if self._is_one(one) and self.shape(other) == shape:
                    return other
        if name == "pow" and self._is_one(args[1]) and self.shape(args[0]) == shape:
            return args[0]
        if name == "neg":
            inner = self.pending.get(args[0]) or self._existing(args[0])
            if inner and inner[0] == "neg":
                return inner[2][0]
        if name == "mul":  # -1 · t is -t
            for minus, other in ((args[0], args[1]), (args[1], args[0])):
                if (self.is_const(minus) and np.ndim(self.values[minus]) == 0
                        and self.values[minus] == -1.0 and not self.is_const(other)):
                    return self.op("neg", other)
        return None

    def _existing(self, h: int) -> tuple | None:
        if h < 0:
            return None
        record = self.source.node(h)
        if record.op in LEAF_KINDS:
            return None
        return record.op, record.params, tuple(self.source.parents(h))

    def _is_one(self, h: int) -> bool:
        if not self.is_const(h):
            return False
        v = self.values[h]
        return bool(np.all(np.asarray(v) == 1.0))

    def fit(self, contribution: int, parent: int) -> int:
        """A contribution summed back to its parent's shape where broadcasting widened it."""
        if self.shape(contribution) == self.shape(parent):
            return contribution
        return self.op("sum_like", contribution, parent)

    def total(self, terms: list[int]) -> int:
        """The sum of the contributions that meet at a node (equal ones counted each time)."""
        result = terms[0]
        for t in terms[1:]:
            result = self.op("add", result, t)
        return result

    # ---- making them -------------------------------------------------------------------------

    def make(self, target, wanted: Iterable[int], source_pos: Any = None) -> tuple[dict, list]:
        """Add the pending nodes ``wanted`` needs to ``target``; returns the handle -> node id
        map and the new ids in order."""
        needed: set[int] = set()
        todo = [h for h in wanted if h < 0]
        while todo:
            h = todo.pop()
            if h in needed:
                continue
            needed.add(h)
            entry = self.pending[h]
            if entry[0] != "const":
                todo.extend(a for a in entry[2] if a < 0)
        ids: dict[int, int] = {}
        made: list[int] = []
        extra = {} if source_pos is None else {"source": source_pos}
        for h in sorted(needed, reverse=True):  # -1, -2...: the order they were made in
            entry = self.pending[h]
            if entry[0] == "const":
                node = target.add_const(entry[1], **extra)
            else:
                op, params, args = entry
                real = [ids.get(a, a) for a in args]
                fields = dict(extra)
                if params is not None:
                    fields["params"] = params
                node = target.add_op(op, real, **fields)
            ids[h] = node
            made.append(node)
        return ids, made


def forward_values(source, nodes: list[int], label) -> dict[int, Any]:
    """The values of ``nodes`` (in topological order) from their records, or GradError naming
    the first that has none."""
    values: dict[int, Any] = {}
    for n in nodes:
        record = source.node(n)
        if record.op in LEAF_KINDS:
            if record.value is None:
                raise GradError(f"{label(n)} has no value")
            values[n] = as_value(record.value)
            continue
        parents = source.parents(n)
        if None in parents:
            raise GradError(f"argument {parents.index(None) + 1} of {label(n)} is not connected")
        try:
            with np.errstate(all="ignore"):
                values[n] = as_value(node_op(record.op, record.params).forward(
                    *[values[p] for p in parents]))
        except (OpError, ValueError, TypeError, ArithmeticError) as exc:
            raise GradError(f"{label(n)} cannot be computed: {exc}") from None
    return values


def build_grads(target, y: int, xs: list[int], *, seed: Any = None, names=None,
                source_pos: Any = None, number_only: bool = False, label=None) -> Built:
    """Add to ``target`` (a graph or a bulk) the nodes computing ``d y / d x`` for each of
    ``xs``, from the forward nodes (see the module docstring). ``seed``: the upstream gradient
    at ``y`` (None: 1 for a number; ones for an array). ``names(n)`` gives a name for the
    adjoint of node ``n`` (or None); ``source_pos`` is recorded on the new nodes (the ``.gs``
    line that asked); ``number_only`` refuses a ``y`` that is not a number (``grad()``);
    ``label(n)`` says how a message names a node. Raises :class:`GradError` when an input does not reach ``y``, when a
    value is missing, or when an op on the way has no ``vjp_ops``; nothing is added then."""
    label = label or getattr(target, "label", None) or (lambda n: _label(target, n))
    ancestors = depends_on(target, y)
    order = _topological(target, ancestors)
    values = forward_values(target, order, label)
    for x in xs:
        if x not in ancestors:
            raise GradError(f"{label(y)} does not depend on {label(x)}: its gradient is 0")
    # the nodes on a path from one of xs to y
    reaches = set(xs)
    for n in order:
        if n not in reaches and any(p in reaches for p in target.parents(n)):
            reaches.add(n)
    b = _Builder(target, values, label)
    b.index_existing(_every_node(target))
    out_value = values[y]
    if number_only and np.ndim(out_value) != 0:
        raise GradError(f"{label(y)} is {shape_words(out_value)}, and a gradient needs one "
                        f"number to differentiate: grad(sum({label(y)}), ...) differentiates "
                        "the sum of its elements, grad(sum(y * w), ...) weights them")
    if seed is None:
        seed = 1.0 if np.ndim(out_value) == 0 else np.ones(np.shape(out_value))
    elif np.shape(seed) != np.shape(out_value):
        raise GradError(f"the seed of {label(y)} has another shape than its value")
    start = b.const(seed)
    terms: dict[int, list[int]] = {y: [start]}
    adjoints: dict[int, int] = {}
    blocked: set[str] = set()  # the ops met whose local derivative is 0
    for n in reversed(order):
        if n not in reaches or n not in terms:
            continue
        adj = b.total(terms.pop(n))
        adjoints[n] = adj
        record = target.node(n)
        if record.op in LEAF_KINDS:
            continue
        parents = target.parents(n)
        if not any(p in reaches for p in parents):
            continue
        entry = node_op(record.op, record.params)
        if entry.vjp_ops is None:
            raise GradError(f"{label(n)} is a {record.op}, whose gradient is not written as ops "
                            "(its registry entry has no vjp_ops), so the gradient cannot be "
                            "built through it")
        try:
            shares = entry.vjp_ops(b, adj, tuple(parents), n)
            for p, share in zip(parents, shares):
                if share is None and p in reaches:
                    blocked.add(record.op)
                if share is None or p not in reaches or target.node(p).op == "const":
                    continue
                terms.setdefault(p, []).append(b.fit(share, p))
        except GradNotAvailable as exc:
            raise GradError(f"at {label(n)}: {exc}") from None
        except (OpError, ValueError, TypeError, ArithmeticError, IndexError) as exc:
            # a rule that does not fit these values (never expected): said, not raised
            raise GradError(f"at {label(n)}: the gradient through {record.op} could not be "
                            f"built ({type(exc).__name__}: {exc})") from None
    for x in xs:
        if x not in adjoints:
            ops = " or ".join(sorted(blocked)) or "stop_gradient"
            raise GradError(f"{label(y)} depends on {label(x)} only through {ops}, whose local "
                            "derivative is 0, so its gradient is 0")
    wanted = [adjoints[x] for x in xs]
    named: dict[int, str] = {}
    if names is not None:
        for n, h in adjoints.items():
            name = names(n)
            if name:
                named[n] = name
        wanted += [adjoints[n] for n in named]
    try:
        ids, made = b.make(target, wanted, source_pos)
    except GraphError as exc:  # never expected: the rules make nodes the graph accepts
        raise GradError(f"the gradient's nodes do not fit together: {exc}") from None
    real = {n: ids.get(h, h) for n, h in adjoints.items()}
    built = Built({x: real[x] for x in xs}, real, made, ids.get(start, start))
    if names is not None:
        try:
            _name_adjoints(target, built, named, source_pos)
        except GraphError as exc:
            raise GradError(f"the gradient's nodes cannot be named: {exc}") from None
    return built


def backward_graph(graph, out: int) -> Built:
    """Graph > Show Backward Graph: add to ``graph`` the backward pass of ``out`` for every
    input it depends on, from the output's seed (the vector-output rule), each named node's
    adjoint named ``d<out>_d<node>``; returns what :func:`build_grads` built."""
    ancestors = graph.ancestors(out)
    inputs = [n for n in graph.inputs() if n in ancestors]
    if not inputs:
        raise GradError(f"{graph.label(out)} depends on no input")
    top = graph.name(out) or "out"

    def names(n: int) -> str | None:
        name = graph.name(n)
        return None if n == out or name is None else f"d{top}_d{name}"

    return build_grads(graph, out, inputs, seed=graph.node(out).seed, names=names)


def _name_adjoints(target, built: Built, named: dict[int, str], source_pos: Any) -> None:
    """Give the adjoints their names: a new, unnamed node takes the name itself; an existing
    node (a forward node, a constant, one adjoint shared by two nodes) gets an identity node
    holding the name, so nothing is renamed. A node that already holds the name (built
    before) keeps it; a name another node holds gets a number (``dz_dx_2``)."""
    new = set(built.nodes)
    taken: set[int] = set()
    extra = {} if source_pos is None else {"source": source_pos}
    holding: dict[int, int] = {}  # an adjoint -> the named node made for it first
    for n, name in named.items():  # from the output back
        node = built.adjoints[n]
        if node in holding:  # the adjoint of a node passed on unchanged (dz/da = dz/dx · 1)
            node = holding[node]
        record = target.node(node)
        holder = _holder(target, name)
        if record.name == name:
            continue
        if holder is not None and target.node(holder).op == "identity" \
                and target.parents(holder) == [node]:
            node = holder  # the same name for the same node, from an earlier time
        else:
            name = _free(target, name)
            if (node in new and record.op not in LEAF_KINDS and record.name is None
                    and node not in taken):
                target.rename(node, name)
                taken.add(node)
            else:
                node = target.add_op("identity", [node], name=name, **extra)
                built.nodes.append(node)
        holding.setdefault(built.adjoints[n], node)
        built.adjoints[n] = node
        if n in built.grads:
            built.grads[n] = node


def _holder(target, name: str) -> int | None:
    try:
        return target.by_name(name)
    except (KeyError, GraphError):
        return None


def _free(target, name: str) -> str:
    """``name``, or with the first number that makes it free: ``dz_dx_2``."""
    k, candidate = 1, name
    while _holder(target, candidate) is not None:
        k += 1
        candidate = f"{name}_{k}"
    return candidate


def _every_node(source) -> Iterable[int]:
    nodes = getattr(source, "all_nodes", None)
    return nodes() if nodes is not None else source.nodes()


def _label(source, n: int) -> str:
    record = source.node(n)
    return record.name or f"{record.op} node {n}"
