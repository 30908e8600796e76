"""Forward mode: ``d node / d input`` for every node by forward-mode accumulation (tangents
pushed from the input towards the output), which must agree with reverse mode at the output."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from ..engine import Evaluation
from ..ops import Value
from .common import ExplainError, close, gradient_source, output_of

__all__ = ["ForwardMode", "forward_mode"]


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
    seed: Value = 1.0  # where the backward pass started at the output

    @property
    def forward(self) -> Value:
        """``d output / d input`` from forward mode, shaped like the input (an array output
        is weighted by the backward pass's seed: summed for ones)."""
        t = self.tangents.get(self.output)
        if t is None:
            return None
        in_shape = np.shape(self.reverse)
        weights = np.asarray(self.seed, dtype=float).reshape(-1)
        t = np.tensordot(weights, np.asarray(t, dtype=float).reshape((-1,) + in_shape), axes=1)
        return float(t) if t.ndim == 0 else t

    @property
    def agrees(self) -> bool:
        return close(self.forward, self.reverse)


def forward_mode(ev: Evaluation, input: int, *, size_limit: int = 10**6) -> ForwardMode:
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
    >>> fm = forward_mode(evaluate(g), g.by_name("b"))
    >>> {g.label(n): t for n, t in fm.tangents.items()}
    {'a': 0.0, 'b': 1.0, 'c': 0.0, 'x': 1.0, 'y': 1.0, 'z': 9.0}
    >>> fm.forward, fm.reverse
    (9.0, 9.0)
    """
    graph = ev.graph
    out = output_of(ev)
    gradient_source(ev, input)
    x = ev.values[input]
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
    return ForwardMode(input, out, tangents, ev.grads.get(input),
                       1.0 if ev.seed is None else ev.seed)
