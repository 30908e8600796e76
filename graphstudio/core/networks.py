"""The network builder: a fully connected network as a computation graph, in two forms.

* **Matrix form**, the lectures' vector formulation (11-785 "Vector formulation", Seoul's
  ``a = W x``): one node per layer, ``z1 = W1 @ x + b1``, ``h1 = sigmoid(z1)``, ...
* **Scalar neurons**, the MLP slide: one node per neuron, ``z_j = Σ_k w_jk a_k + b_j``, with
  weights named ``w<layer>_<j>_<k>`` (``w1_2_3`` feeds unit 3 of the layer below into unit 2 of
  layer 1), biases ``b<layer>_<j>``, pre-activations ``z<layer>_<j>`` and activations
  ``h<layer>_<j>`` (indices count from 1, as on the slides).

Both forms get the same initial weights from the same seed (:func:`initial_weights`), so they
compute the same loss and the same gradients, which the tests check. The loss is the squared
error ``Σ (z - t)²`` (Siegen's ``‖N(x; θ) - y‖²``) or softmax with cross-entropy against a
one-hot target (11-785), plus optionally Seoul's L2 term ``λ Σ ‖W‖²``. Nodes get positions by
layer: inputs on the left, the loss on the right.

>>> g = build_network(NetworkSpec((2, 3, 1), dataset="points.csv"))
>>> sorted(n for n in g.names() if n[0] in "Wb")
['W1', 'W2', 'b1', 'b2']
>>> g.meta["dataset"]
'points.csv'
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from . import ops
from .dataset import Binding
from .graph import Graph

__all__ = ["NetworkSpec", "activations", "LOSSES", "FORMS", "initial_weights", "build_network",
           "layer_positions"]



def activations() -> tuple[str, ...]:
    """The activations a network may use: the registry's ops in the palette's activations
    group (an op registered there later is offered too), the default first."""
    names = [op.name for op in ops.OPS.values() if op.category == "activations"]
    return tuple(sorted(names, key=lambda n: n != NetworkSpec.activation))


#: "squared": Σ (output − target)²; "softmax_ce": cross-entropy of softmax(output), one-hot target
LOSSES = ("squared", "softmax_ce")
FORMS = ("matrix", "scalar")


@dataclass(frozen=True)
class NetworkSpec:
    """What to build. ``sizes`` runs from the number of inputs through the hidden layers to
    the number of outputs (for ``softmax_ce``: of classes). ``inputs`` are the dataset
    columns of x (default ``x1, x2, ...``, or ``x`` for one input); ``targets`` the columns of
    the target (default ``y1, ...``/``y``), or for ``softmax_ce`` the one column of class labels
    0..K-1 (default ``label``)."""

    sizes: tuple[int, ...]
    activation: str = "sigmoid"
    loss: str = "squared"
    inputs: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    dataset: str | None = None
    form: str = "matrix"
    seed: int = 0
    l2: float = 0.0

    def __post_init__(self) -> None:
        if len(self.sizes) < 2 or any(int(s) != s or s < 1 for s in self.sizes):
            raise ValueError("layer sizes: at least an input and an output size, each >= 1")
        if self.activation not in activations():
            raise ValueError(f"activation {self.activation!r}: choose one of "
                             f"{', '.join(activations())}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss {self.loss!r}: choose one of {', '.join(LOSSES)}")
        if self.form not in FORMS:
            raise ValueError(f"form {self.form!r}: choose one of {', '.join(FORMS)}")
        if self.loss == "softmax_ce" and self.sizes[-1] < 2:
            raise ValueError("softmax with cross-entropy needs at least 2 output classes")
        if self.inputs and len(self.inputs) != self.sizes[0]:
            raise ValueError(f"{len(self.inputs)} input columns for {self.sizes[0]} inputs")
        n_targets = 1 if self.loss == "softmax_ce" else self.sizes[-1]
        if self.targets and len(self.targets) != n_targets:
            raise ValueError(f"{len(self.targets)} target columns, expected {n_targets}")

    def input_columns(self) -> tuple[str, ...]:
        return self.inputs or _default_columns("x", self.sizes[0])

    def target_columns(self) -> tuple[str, ...]:
        if self.targets:
            return self.targets
        return ("label",) if self.loss == "softmax_ce" else _default_columns("y", self.sizes[-1])


def _default_columns(stem: str, n: int) -> tuple[str, ...]:
    return (stem,) if n == 1 else tuple(f"{stem}{i + 1}" for i in range(n))


def initial_weights(sizes: tuple[int, ...], seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(W, b)`` per layer: W of shape (units, units below), normal with standard deviation
    ``1/sqrt(units below)``, b normal with standard deviation 0.1, rounded to 3 decimals so
    the numbers read well on the canvas."""
    rng = np.random.default_rng(seed)
    out = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = np.round(rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_out, n_in)), 3)
        b = np.round(rng.normal(0.0, 0.1, n_out), 3)
        out.append((W, b))
    return out


def build_network(spec: NetworkSpec) -> Graph:
    """The graph of ``spec`` (see the module docstring); its output is the loss ``L``."""
    graph = Graph()
    if spec.dataset:
        graph.set_meta("dataset", spec.dataset)
    weights = initial_weights(tuple(spec.sizes), spec.seed)
    build = _build_matrix if spec.form == "matrix" else _build_scalar
    loss = build(graph, spec, weights)
    graph.set_output(loss)
    layer_positions(graph)
    return graph


def _data(graph: Graph, name: str, b: Binding) -> int:
    return graph.add_input(name, b.zero(), **b.attrs())


def _build_matrix(graph: Graph, spec: NetworkSpec, weights) -> int:
    a = _data(graph, "x", Binding(spec.input_columns(), vector=True))
    if spec.loss == "softmax_ce":
        t = _data(graph, "t", Binding(spec.target_columns(), onehot=spec.sizes[-1]))
    else:
        t = _data(graph, "t", Binding(spec.target_columns(), vector=True))
    last = len(weights)
    params = []
    for layer, (W, b) in enumerate(weights, start=1):
        Wn = graph.add_input(f"W{layer}", W, trainable=True)
        bn = graph.add_input(f"b{layer}", b, trainable=True)
        params.append(Wn)
        z = graph.add_op("add", [graph.add_op("matmul", [Wn, a]), bn], name=f"z{layer}")
        a = z if layer == last else graph.add_op(spec.activation, [z], name=f"h{layer}")
    if spec.loss == "softmax_ce":
        p = graph.add_op("softmax", [a], name="p")
        err = graph.add_op("cross_entropy", [p, t], name="E" if spec.l2 else "L")
    else:
        err = graph.add_op("sqerr", [a, t], name="E" if spec.l2 else "L")
    if not spec.l2:
        return err
    two = graph.add_const(2.0)
    squares = [graph.add_op("sum", [graph.add_op("pow", [W, two])]) for W in params]
    return _l2(graph, spec, err, squares)


def _l2(graph: Graph, spec: NetworkSpec, err: int, squares: list[int]) -> int:
    """``L = E + lam * R`` with ``R`` the sum of the squared weights (Seoul's λΩ)."""
    R = _sum(graph, squares, name="R")
    lam = graph.add_input("lam", spec.l2)
    return graph.add_op("add", [err, graph.add_op("mul", [lam, R])], name="L")


def _sum(graph: Graph, terms: list[int], name: str | None = None) -> int:
    total = terms[0]
    for term in terms[1:]:
        total = graph.add_op("add", [total, term])
    if name is not None:
        if graph.name(total) is not None or graph.is_leaf(total):
            total = graph.add_op("identity", [total])
        graph.rename(total, name)
    return total


def _build_scalar(graph: Graph, spec: NetworkSpec, weights) -> int:
    a = [_data(graph, f"x_{k + 1}", Binding((col,))) for k, col in enumerate(spec.input_columns())]
    n_out = spec.sizes[-1]
    if spec.loss == "softmax_ce":
        label = spec.target_columns()[0]
        t = [_data(graph, f"t_{j + 1}", Binding((label,), equals=float(j))) for j in range(n_out)]
    else:
        t = [_data(graph, f"t_{j + 1}", Binding((col,))) for j, col in enumerate(spec.target_columns())]
    last = len(weights)
    squares = []
    two = None
    for layer, (W, b) in enumerate(weights, start=1):
        out = []
        for j in range(W.shape[0]):
            terms = []
            for k in range(W.shape[1]):
                w = graph.add_input(f"w{layer}_{j + 1}_{k + 1}", float(W[j, k]), trainable=True)
                terms.append(graph.add_op("mul", [w, a[k]]))
                if spec.l2:
                    two = two if two is not None else graph.add_const(2.0)
                    squares.append(graph.add_op("pow", [w, two]))
            terms.append(graph.add_input(f"b{layer}_{j + 1}", float(b[j]), trainable=True))
            z = _sum(graph, terms, name=f"z{layer}_{j + 1}")
            out.append(z if layer == last else graph.add_op(spec.activation, [z], name=f"h{layer}_{j + 1}"))
        a = out
    name = "E" if spec.l2 else "L"
    if spec.loss == "softmax_ce":
        e = [graph.add_op("exp", [z], name=f"e_{j + 1}") for j, z in enumerate(a)]
        s = _sum(graph, e, name="s")
        logs = []
        for j in range(n_out):
            p = graph.add_op("div", [e[j], s], name=f"p_{j + 1}")
            logs.append(graph.add_op("mul", [t[j], graph.add_op("log", [p])]))
        err = graph.add_op("neg", [_sum(graph, logs)], name=name)
    else:
        two = two if two is not None else graph.add_const(2.0)
        errs = [graph.add_op("pow", [graph.add_op("sub", [z, tj]), two]) for z, tj in zip(a, t)]
        err = _sum(graph, errs, name=name)
    if not spec.l2:
        return err
    return _l2(graph, spec, err, squares)


def layer_positions(graph: Graph, dx: float = 170.0, dy: float = 90.0) -> None:
    """Set every node's ``pos`` in layers from left to right, the loss in the last column and
    every other node one column left of its leftmost child (as late as possible, so a side
    branch such as the L2 term sits beside the loss, not beside the inputs). Columns are
    filled from the right, each ordered by the mean height of its nodes' children (then by the
    order the nodes were made), which keeps edges short and crossings few."""
    column: dict[int, int] = {}  # 0 for the sinks, negative to their left
    for n in reversed(graph.topological_order()):
        kids = graph.children(n)
        column[n] = min(column[c] for c in kids) - 1 if kids else 0
    columns: dict[int, list[int]] = {}
    for n in column:
        columns.setdefault(column[n], []).append(n)
    left = min(columns, default=0)
    y: dict[int, float] = {}
    for col in sorted(columns, reverse=True):
        def key(n: int) -> tuple[float, int]:
            ys = [y[c] for c in graph.children(n) if c in y]
            return (sum(ys) / len(ys) if ys else 0.0, graph.node(n).seq)
        nodes = sorted(columns[col], key=key)
        top = -(len(nodes) - 1) / 2
        for i, n in enumerate(nodes):
            y[n] = (top + i) * dy
            graph.set_position(n, ((col - left) * dx, y[n]))
