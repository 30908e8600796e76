"""What a drawing of a graph shows, decided once for the canvas and every exporter.

A :class:`Picture` is plain data: for each node its title, op symbol, value and gradient text,
error, and highlight; for each edge its optional local-derivative label and highlight. The
canvas paints pictures on screen, the exporters paint them into PNG/SVG/PDF or write them as
TikZ, and the step-by-step views are sequences of pictures (:func:`step_pictures`), one per step
of the forward pass and then of the backward pass. Each step's picture also says what the step
writes into the lectures' ``grad_table`` (:class:`TableRow`, in its ``meta``), so the editor's
player and the HTML step-through fill in the same table.

No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cached_property

import numpy as np

from ..core.engine import Evaluation, Step, backward_steps, forward_steps
from ..core.graph import Graph
from ..core.groups import gate_steps, gates, group_inputs
from ..core.numbers import format_value, format_worked, one_line
from ..core.ops import OPS, Value, node_op
from .arrays import Grid, array_grid, cell_text, shape_badge
from .groups import group_picture

__all__ = ["NodeView", "EdgeView", "Picture", "TableRow", "node_view", "no_gradient",
           "build_picture", "step_pictures", "edge_label", "edge_view", "op_text", "grad_sum_text",
           "table_row", "node_style", "NEURON_STYLE_FROM", "update_pictures", "updated_values"]

#: a graph with at least this many nodes, nearly all of them numbers, is a network written
#: neuron by neuron (see node_style)
NEURON_STYLE_FROM = 24


class _Later:
    """A text not written yet: ``write(value)``, on its first reading."""

    __slots__ = ("write", "value")

    def __init__(self, write, value) -> None:
        self.write, self.value = write, value


class _TextField:
    """A :class:`NodeView` text that may be given as a :class:`_Later` and is then written on
    its first reading, and kept. An array's text is numpy's printout of it, costly and seldom
    read (the canvas and the exporters draw an array as cells): a scrub or a training step
    would otherwise write every array's text at every change."""

    def __set_name__(self, owner, name: str) -> None:
        self.key = "_" + name

    def __get__(self, view, owner=None):
        if view is None:
            raise AttributeError(self.key)  # a dataclass field without a default
        text = view.__dict__[self.key]
        if type(text) is _Later:
            text = view.__dict__[self.key] = text.write(text.value)
        return text

    def __set__(self, view, text) -> None:
        view.__dict__[self.key] = text

    def given(self, view) -> bool:
        """Whether the text is shown (not ""), without writing it: a text to be written later
        is an array's, never empty."""
        text = view.__dict__[self.key]
        return type(text) is _Later or bool(text)


@dataclass(frozen=True)
class NodeView:
    """What one node shows. An array value or gradient is drawn as a grid of cells
    (:attr:`value_grid`, :attr:`grad_grid`, derived from ``value``/``grad`` whenever their text
    is shown: a view that hides a number sets both the text and the number to None/""), with
    its shape as a badge (:attr:`badge`). ``style`` is "box" (the lectures' variable: name,
    value, gradient) or "neuron" (a small box for a scalar node of a network drawn neuron by
    neuron, see :func:`node_style`)."""

    node: int
    title: str  # the name; "" for unnamed nodes
    symbol: str  # the op symbol ("+", "×", "exp"); "" for leaves
    kind: str  # "input", "param", "const" or "op"
    op: str  # the op name, or "input"/"const"
    value: Value
    grad: Value
    value_text: str = _TextField()  # "" when hidden (an array's is written when first read)
    grad_text: str = _TextField()  # "" when hidden
    shape: tuple[int, ...]
    n_ports: int  # argument ports drawn on the node's input side
    numbered_ports: bool = False  # ports numbered: the op's arguments may not be swapped
    error: str | None = None  # why it has no value (fatal)
    warning: str | None = None  # domain warning (value NaN/inf)
    is_output: bool = False
    highlight: str | None = None  # "current" (the step's node) or None
    grad_prefix: str = "∇ "  # drawn before grad_text (and beside a gradient grid): "d/dx = "
    # in forward mode; "" when the line says what it is itself
    grad_missing: str | None = None  # why there is no gradient ("—" is drawn), e.g. no output value
    seed_text: str = ""  # the output's seed where it is not 1: "seed: sum of the elements"
    style: str = "box"  # "box" or "neuron" (see node_style)
    gate_text: str = ""  # a collapsed group's local derivatives, a line each (render/groups.py)
    #: a hidden unit's response over the input plane (a 2-D array of levels -1 … 1, row 0 at
    #: the bottom), drawn as the box's background (:mod:`graphstudio.render.network_view`)
    thumbnail: np.ndarray | None = field(default=None, compare=False)

    def __eq__(self, other: object) -> bool:
        """Field by field, an array by its numbers. Python 3.13's dataclasses compare field by
        field with ``==``, which an array answers cell by cell (and ``and`` then refuses); before
        3.13 they compared tuples, where the same array object counted as equal."""
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(_same_field(getattr(self, name), getattr(other, name))
                   for name in _COMPARED)

    @cached_property
    def value_grid(self) -> Grid | None:
        """The value as cells, when the value is an array and shown."""
        shown = NodeView.__dict__["value_text"].given(self)
        return array_grid(self.value) if shown and not self.error else None

    @cached_property
    def grad_grid(self) -> Grid | None:
        """The gradient as cells, when it is an array of the value's shape and shown."""
        shown = NodeView.__dict__["grad_text"].given(self)
        if not shown or self.kind == "const" or np.shape(self.grad) != self.shape:
            return None
        return array_grid(self.grad)

    @property
    def badge(self) -> str:
        """The shape badge: ``3×2`` for a matrix, ``4`` for a vector, "" for a number."""
        return shape_badge(self.shape)


_COMPARED = tuple(f.name for f in fields(NodeView) if f.compare)


def _same_field(a: object, b: object) -> bool:
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    return a == b


@dataclass(frozen=True)
class EdgeView:
    src: int
    dst: int
    port: int
    label: str | None = None  # local derivative, e.g. "∂z/∂x = y = 7"
    highlight: bool = False
    weight: float | None = None  # a weight's sign and size (-1 … 1): the line's colour and width


@dataclass
class Picture:
    nodes: dict[int, NodeView]
    edges: list[EdgeView]
    positions: dict[int, tuple[float, float]]
    caption: str = ""  # e.g. "Backward pass, step 3 of 7: ∂a/∂e = 25"
    show_grad: bool = True
    meta: dict = field(default_factory=dict)
    groups: tuple = ()  # the expanded groups, framed (render/groups.py's GroupFrame)


@dataclass(frozen=True)
class TableRow:
    """What one step writes into the ``grad_table``: a forward step adds the node's row with
    its ``value`` (and ``how`` it was computed), a backward step fills in its ``grad`` and the
    sum it is, ``Σ upstream × local``. Numbers in the worked style (every digit of a whole
    number, as a hand computation checks them)."""

    node: int
    name: str
    phase: str  # "forward", "backward" or "update" (θ ← θ − τ·g: value new, grad τ·g)
    value: str = ""
    how: str = ""  # e = f × g = 4 × 2 = 8
    grad: str = ""
    sum: str = ""  # 25 × 2 + 10 × 1


def _is_number(value) -> bool:
    return isinstance(value, float) or np.ndim(value) == 0


def grad_sum_text(graph: Graph, step: Step, output_label: str) -> str:
    """The gradient of a backward step as the sum it is: ``25 × 2 + 10 × 1``."""
    if not step.terms:
        return f"1 (the output: d{output_label}/d{output_label} = 1)"
    if all(_is_number(t.upstream) and _is_number(t.local) for t in step.terms):
        return " + ".join(f"{format_worked(t.upstream)} × {format_worked(t.local)}"
                          for t in step.terms)
    children = ", ".join(graph.label(t.child) for t in step.terms)
    return f"Σ upstream · Jacobian over {children}"


def table_row(graph: Graph, ev: Evaluation, step: Step) -> TableRow:
    """The ``grad_table`` row ``step`` writes (see :class:`TableRow`)."""
    name = graph.label(step.node)
    if step.phase == "forward":
        return TableRow(step.node, name, "forward", value=format_worked(step.value),
                        how=_worked_computation(graph, ev, step))
    out = graph.label(ev.output) if ev.output is not None else "?"
    return TableRow(step.node, name, "backward", grad=format_worked(step.grad),
                    sum=grad_sum_text(graph, step, out))


def _worked_computation(graph: Graph, ev: Evaluation, step: Step) -> str:
    """``e = f × g = 4 × 2 = 8``: how a forward step got its value."""
    node = step.node
    if graph.op(node) in ("input", "const"):
        return f"{graph.label(node)} = {format_worked(step.value)}, given"
    text = f"{graph.label(node)} = {op_text(graph, node)}"
    parents = [p for p in graph.parents(node) if p is not None]
    if all(_is_number(ev.values.get(p)) for p in parents):
        text += f" = {op_text(graph, node, lambda p: format_worked(ev.values.get(p)))}"
    return f"{text} = {format_worked(step.value)}"


def edge_label(ev: Evaluation, src: int, dst: int, port: int) -> str:
    """``∂z/∂x = y = 7``: the local derivative as a formula and a number (the number alone when
    the formula is already one)."""
    formula = ev.formula(src, dst, port)
    local = ev.local_derivative(src, dst, port)
    rhs = formula.split(" = ", 1)[1]
    if local is None:
        return formula
    if isinstance(local, float):
        number = format_value(local)
        return formula if rhs == number else f"{formula} = {number}"
    return f"{formula}"


def edge_view(graph: Graph, ev: Evaluation | None, src: int, dst: int, port: int,
              edge_labels: bool = False) -> EdgeView:
    """The edge's view in a live picture: with ``edge_labels``, its local derivative
    (:func:`edge_label`) once ``dst`` has a value. No label out of a constant: no gradient
    flows into it, and ∂(x ** 2)/∂2 = x²·ln x is noise on a slide (NaN for a negative x)."""
    wanted = edge_labels and ev is not None and ev.values.get(dst) is not None
    label = edge_label(ev, src, dst, port) if wanted and graph.op(src) != "const" else None
    return EdgeView(src, dst, port, label)


def no_gradient(graph: Graph, ev: Evaluation | None) -> str | None:
    """Why no node has a gradient, or None: the output has no value (a node without a number
    differentiates nothing, so a gradient of 0 would be a lie a student reads as the answer)."""
    if ev is None or ev.output is None or ev.output not in graph:
        return None
    if ev.values.get(ev.output) is not None:
        return None
    err = ev.errors.get(ev.output)
    why = f" because {err.message}" if err is not None else ""
    return f"no gradient: the output {graph.label(ev.output)} has no value{why}"


def node_style(graph: Graph, ev: Evaluation | None = None) -> str:
    """How the graph's number nodes are drawn: "neuron" (small boxes) for a network written
    neuron by neuron, that is a graph of at least :data:`NEURON_STYLE_FROM` nodes of which at
    most one in ten holds an array (the New Network dialog's scalar form, or any graph that
    big made of numbers); else "box", the lectures' variable with its name, value and
    gradient on their own lines."""
    if len(graph) < NEURON_STYLE_FROM:
        return "box"
    arrays = 0
    for n in graph.nodes():
        value = ev.values.get(n) if ev is not None else graph.value(n)
        arrays += value is not None and not isinstance(value, float)
    return "neuron" if arrays * 10 <= len(graph) else "box"


def node_view(graph: Graph, node: int, ev: Evaluation | None = None, *,
              show_values: bool = True, show_grad: bool = True, digits: int = 4,
              grad_missing: str | None = None, style: str = "box") -> NodeView:
    """What ``node`` shows: annotated with ``ev``'s value, gradient and error, or (without an
    evaluation) with its own value only, as before the first pass. With ``grad_missing`` (see
    :func:`no_gradient`) it shows a dash for its gradient, and the reason on hover."""
    record = graph.node(node)
    op = record.op
    if op == "input":
        kind = "param" if record.trainable else "input"
    elif op == "const":
        kind = "const"
    else:
        kind = "op"
    entry = node_op(op, record.params) if kind == "op" else None  # with its parameter
    value = ev.values.get(node) if ev else record.value
    grad = ev.grads.get(node) if ev and grad_missing is None else None
    if grad is not None and ev.output in graph and node not in graph.feeding(ev.output):
        grad = None  # no path to the output: no gradient line (a row of "∇ 0" said nothing)
    err = ev.errors.get(node) if ev else None
    n_ports = max(len(graph.parents(node)), min(entry.arity)) if entry else 0
    is_output = ev is not None and ev.output == node
    seed = ev.seed_text(digits) if is_output and show_grad else ""
    if not (isinstance(value, float) or value is None):
        style = "box"  # arrays are always drawn as grids in a box
    text = cell_text if style == "neuron" else (lambda v: format_value(v, digits))
    if style != "neuron":
        def text(v, write=text):  # an array's printout only when read (see _TextField)
            return write(v) if isinstance(v, float) else _Later(write, v)
    return NodeView(
        node=node, title=record.name or "", symbol=entry.symbol if entry else "",
        kind=kind, op=op, value=value, grad=grad,
        value_text=text(value) if show_values and value is not None else "",
        grad_text=("—" if grad_missing and show_grad else
                   text(grad) if show_grad and grad is not None else ""),
        shape=() if value is None or isinstance(value, float) else tuple(np.shape(value)),
        n_ports=n_ports,
        numbered_ports=n_ports > 1 and not entry.commutative,
        error=err.message if err is not None and err.fatal else None,
        warning=err.message if err is not None and not err.fatal else None,
        is_output=is_output,
        seed_text=f"seed: {seed}" if seed else "",
        grad_missing=grad_missing,
        style=style,
    )


def build_picture(graph: Graph, ev: Evaluation | None, positions: dict[int, tuple[float, float]],
                  *, show_values: bool = True, show_grad: bool = True,
                  edge_labels: bool = False, digits: int = 4, groups: bool = True) -> Picture:
    """The picture of ``graph`` annotated with ``ev``'s values and gradients (its collapsed
    groups as gates and its expanded ones framed, unless ``groups`` is false)."""
    missing = no_gradient(graph, ev)
    style = node_style(graph, ev)
    nodes = {n: node_view(graph, n, ev, show_values=show_values, show_grad=show_grad,
                          digits=digits, grad_missing=missing, style=style)
             for n in graph.nodes()}
    edges = [edge_view(graph, ev, s, d, p, edge_labels) for s, d, p in graph.edges()]
    picture = Picture(nodes, edges, dict(positions), show_grad=show_grad)
    return group_picture(graph, ev, picture, digits) if groups and graph.groups() else picture


def step_pictures(graph: Graph, ev: Evaluation, positions: dict[int, tuple[float, float]],
                  *, edge_labels: bool = False, digits: int = 4) -> list[Picture]:
    """One picture per step: the forward pass node by node (values appear as they are
    computed), then the backward pass node by node (gradients appear, the node and the
    successor edges it sums over are highlighted)."""
    full = build_picture(graph, ev, positions, edge_labels=edge_labels, digits=digits)

    def pending(v: NodeView, value: bool, grad: bool) -> NodeView:
        """A node whose value or gradient is not computed yet shows "?" (as on a worksheet),
        so the frames of a pass have the same rows and the boxes do not jump between slides.
        A constant is known before the pass starts (it is never a step): it keeps its value."""
        if not value and v.kind != "const":
            v = replace(v, value=None, value_text="?")
        if not grad and v.kind != "const":
            v = replace(v, grad=None, grad_text="?")
        return v

    fsteps = gate_steps(graph, ev, forward_steps(ev))  # a collapsed group: one step
    bsteps = gate_steps(graph, ev, backward_steps(ev))
    total = len(fsteps) + len(bsteps)
    out = graph.label(ev.output) if ev.output is not None else ""
    pictures = []
    shown_values: set[int] = set()
    for k, step in enumerate(fsteps):
        shown_values.add(step.node)
        used = set(step.edges)
        nodes = {n: replace(pending(v, n in shown_values, True), grad=None, grad_text="",
                            highlight="current" if n == step.node else None)
                 for n, v in full.nodes.items()}
        edges = [replace(e, label=None, highlight=(e.src, e.dst, e.port) in used) for e in full.edges]
        view = full.nodes[step.node]
        name = view.title or graph.label(step.node)
        caption = f"Forward pass, step {k + 1} of {len(fsteps)}: {_computation(graph, ev, step.node, digits)}"
        pictures.append(Picture(nodes, edges, full.positions, caption, show_grad=False,
                                groups=full.groups,
                                meta={"phase": "forward", "step": k + 1, "of": total,
                                      "row": table_row(graph, ev, step), "output": out}))
    shown_grads: set[int] = set()
    stepped = {step.node for step in bsteps}  # the others keep their gradient (0) throughout
    for k, step in enumerate(bsteps):
        shown_grads.add(step.node)
        used = set(step.edges)
        nodes = {n: replace(pending(v, True, n in shown_grads or n not in stepped),
                            highlight="current" if n == step.node else None)
                 for n, v in full.nodes.items()}
        edges = [replace(e, label=e.label if (e.src, e.dst, e.port) in used else None,
                         highlight=(e.src, e.dst, e.port) in used) for e in full.edges]
        view = full.nodes[step.node]
        name = view.title or graph.label(step.node)
        caption = (f"Backward pass, step {k + 1} of {len(bsteps)}: "
                   f"∂{out}/∂{name} = {_sum_of_terms(step, digits)}"
                   f"{one_line(view.grad_text) or '—'}")
        notes = list(dict.fromkeys(t.note for t in step.terms if t.note))
        if notes:
            caption += f" ({'; '.join(notes)})"
        if step.node == ev.output and ev.seed_text():
            caption += (f" (seed: the sum of {out}'s elements)" if ev.seeds_sum
                        else " (the given seed)")
        pictures.append(Picture(nodes, edges, full.positions, caption, show_grad=True,
                                groups=full.groups,
                                meta={"phase": "backward", "step": len(fsteps) + k + 1, "of": total,
                                      "row": table_row(graph, ev, step), "output": out}))
    return pictures


def updated_values(graph: Graph, ev: Evaluation, lr: float) -> dict[int, Value]:
    """One gradient-descent update of this evaluation's example, ``θ ← θ − τ·g``: each
    trainable input's new value (in the graph's order) from its value and its gradient in
    ``ev``, with the learning rate ``lr`` (τ). Parameters without a gradient are left out."""
    out = {}
    for n in graph.inputs():
        if graph.node(n).trainable and ev.grads.get(n) is not None and n in ev.values:
            out[n] = ev.values[n] - lr * ev.grads[n]
    return out


def update_pictures(graph: Graph, ev: Evaluation, positions: dict[int, tuple[float, float]],
                    lr: float, *, edge_labels: bool = False, digits: int = 4) -> list[Picture]:
    """The steps after the backward pass: the update ``θ ← θ − τ·g`` of each parameter in turn,
    its box showing the new value (the others updated so far too), its gradient still shown;
    the row for the ``grad_table`` (:class:`TableRow`, phase ``"update"``) gives the old value,
    ``τ·g`` and the new value. ``meta["new"]`` holds the new values so far."""
    new = updated_values(graph, ev, lr)
    full = build_picture(graph, ev, positions, edge_labels=edge_labels, digits=digits)
    style = node_style(graph, ev)
    text = cell_text if style == "neuron" else (lambda v: format_value(v, digits))
    pictures, done = [], {}
    out = graph.label(ev.output) if ev.output is not None else ""
    for k, (n, value) in enumerate(new.items()):
        done[n] = value
        nodes = {}
        for m, v in full.nodes.items():
            if m in done:
                v = replace(v, value=done[m], value_text=text(done[m]))
            nodes[m] = replace(v, highlight="current" if m == n else None)
        edges = [replace(e, label=None, highlight=False) for e in full.edges]
        name = graph.label(n)
        old, step = ev.values[n], lr * ev.grads[n]
        number = isinstance(value, float)
        row = TableRow(n, name, "update", value=format_worked(value),
                       how=f"{name} ← {name} − τ·∇{name}, τ = {lr:g}",
                       grad=format_worked(step),
                       sum=(f"{format_worked(old)} − {format_worked(step)} = {format_worked(value)}"
                            if number else f"was {format_worked(old)}"))
        worked = (f"{name} = {format_value(old, digits)} − {lr:g} × "
                  f"{format_value(ev.grads[n], digits)} = {format_value(value, digits)}" if number
                  else f"{name} ← {name} − {lr:g} × ∇{name} (each number in the table)")
        caption = f"Update, step {k + 1} of {len(new)}: θ ← θ − τ·g with τ = {lr:g}: {worked}"
        pictures.append(Picture(nodes, edges, full.positions, caption, show_grad=True,
                                meta={"phase": "update", "step": k + 1, "of": len(new),
                                      "row": row, "output": out, "new": dict(done)}))
    return pictures


def _sum_of_terms(step, digits: int) -> str:
    """``7 × 1 + 2 × 1 = `` for a scalar backward step (the grad_table row as the lectures
    write it), or nothing when a term is an array or the node is the output itself."""
    terms = step.terms
    if not terms or not all(isinstance(t.upstream, float) and isinstance(t.local, float)
                            for t in terms):
        return ""
    return " + ".join(f"{format_value(t.upstream, digits)} × {format_value(t.local, digits)}"
                      for t in terms) + " = "


def op_text(graph: Graph, node: int, arg=None) -> str:
    """``f × g``: the node's op applied to its parents' names (or to ``arg(parent)``); ``s[0]``
    for an index, and an op with a parameter written as the text writes it
    (``reshape(c, [5, 1])``)."""
    record = graph.node(node)
    op = node_op(record.op, record.params)
    arg = arg or graph.label
    gid = gates(graph).get(node) if graph.groups() else None
    if gid is not None:  # a collapsed group: its function of its inputs
        ins = dict.fromkeys(group_inputs(graph, graph.groups()[gid]))
        return f"{graph.groups()[gid].name}({', '.join(arg(p) for p in ins)})"
    names = [arg(p) if p is not None else "?" for p in graph.parents(node)]
    entry = OPS[record.op]
    if entry.subscript and len(names) == 1:
        return f"{names[0]}{op.symbol}"
    if entry.params is not None and entry.call:
        return entry.call_text(names, record.params)
    if op.infix and len(names) == 2:
        return f"{names[0]} {op.symbol} {names[1]}"
    if op.prefix and len(names) == 1:
        return f"{op.symbol}{names[0]}"
    return f"{op.symbol}({', '.join(names)})"


def _computation(graph: Graph, ev: Evaluation, node: int, digits: int) -> str:
    """``e = f × g = 4 × 2 = 8``: what a forward step computes, in names and then numbers."""
    kind = graph.op(node)
    value = one_line(format_value(ev.values.get(node), digits))
    if kind == "const":
        return f"the constant {value}"
    name = graph.label(node)
    if kind == "input":
        v = ev.values.get(node)
        if v is not None and not isinstance(v, float):
            return f"input {name}, {' × '.join(str(d) for d in np.shape(v))}"
        return f"input {name} = {value}"
    parents = [p for p in graph.parents(node) if p is not None]
    gid = gates(graph).get(node) if graph.groups() else None
    if gid is not None:
        parents = group_inputs(graph, graph.groups()[gid])
    names = op_text(graph, node)
    values = [ev.values.get(p) for p in parents]
    if all(isinstance(v, float) for v in values):
        numbers = op_text(graph, node, lambda p: format_value(ev.values.get(p), digits))
        return f"{name} = {names} = {numbers} = {value}"
    if isinstance(ev.values.get(node), float):  # a number out of arrays: v[1], sum(v)
        return f"{name} = {names} = {value}"
    return f"{name} = {names}"
