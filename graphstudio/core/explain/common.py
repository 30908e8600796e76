"""What the teaching views share: the error they raise and a few helpers."""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..engine import Evaluation
from ..graph import Graph
from ..ops import Value

__all__ = ["ExplainError", "output_seed", "add", "close", "output_of", "reaching", "gradient_source"]


class ExplainError(ValueError):
    """A question this graph cannot answer; the message names the node and why."""


def output_seed(value: Value) -> Value:
    """``d output / d output``: 1, or ones for an array output (the engine's seed)."""
    return 1.0 if isinstance(value, float) else np.ones_like(value)


def add(total: Value, term: Value) -> Value:
    if total is None or term is None:
        return None
    return total + term


def close(a: Value, b: Value) -> bool:
    if a is None or b is None:
        return False
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))


def output_of(ev: Evaluation) -> int:
    """The node ``ev`` differentiates; ExplainError when there is none or it has no value."""
    out = ev.output
    if out is None:
        raise ExplainError("the graph has no output to differentiate")
    if ev.values.get(out) is None:
        err = ev.errors.get(out)
        why = f": {err.message}" if err else ""
        raise ExplainError(f"the output {ev.graph.label(out)} has no value{why}")
    return out


def reaching(graph: Graph, output: int) -> set[int]:
    """The output and every node it depends on: where gradients flow."""
    nodes = nx.ancestors(graph.g, output)
    nodes.add(output)
    return nodes


def gradient_source(ev: Evaluation, node: int) -> str:
    """``node``'s label; ExplainError when ``node`` cannot have a gradient (a constant, or a
    node without a value)."""
    label = ev.graph.label(node)
    if ev.graph.op(node) == "const":
        raise ExplainError(f"{label} is a constant: constants get no gradient")
    if ev.values.get(node) is None:
        err = ev.errors.get(node)
        raise ExplainError(f"{label} has no value" + (f": {err.message}" if err else ""))
    return label
