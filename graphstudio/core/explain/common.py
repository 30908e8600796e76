"""What the teaching views share: the error they raise and a few helpers."""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..engine import Evaluation
from ..graph import Graph
from ..numbers import format_value
from ..ops import Value

__all__ = ["ExplainError", "seed_of", "seed_note", "add", "close", "output_of", "reaching",
           "gradient_source"]


class ExplainError(ValueError):
    """A question this graph cannot answer; the message names the node and why."""


def seed_of(ev: Evaluation) -> Value:
    """``d output / d output``, where the backward pass started: 1, ones for an array output
    (the sum of its elements), or the output's given seed; ExplainError when a seed that does
    not fit the output kept the backward pass from running."""
    out = output_of(ev)
    if ev.seed is None:
        err = ev.errors.get(out)
        raise ExplainError(f"no gradients: {err.message}" if err else
                           f"no gradients of {ev.graph.label(out)}")
    return ev.seed


def seed_note(ev: Evaluation) -> str:
    """How the backward pass starts at the output, in words (for the ledger of the output)."""
    out = ev.graph.label(output_of(ev))
    if ev.seed_given:
        return (f"the output {out} starts the backward pass with its given seed "
                f"{format_value(ev.seed)}: the gradients are those of Σ seedᵢ·{out}ᵢ")
    if ev.seeds_sum:
        return (f"the output {out} is an array: the backward pass starts with ones, so the "
                f"gradients are those of the sum of its elements")
    return f"the output: d{out}/d{out} = 1 starts the backward pass"


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
