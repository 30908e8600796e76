"""Graphviz DOT (``.dot``, ``.gv``), written only: the graph left to right, each node labelled
with its name, op, value and gradient, for ``dot -Tsvg graph.dot -o graph.svg``.

Written as plain text: networkx's DOT support needs pydot or pygraphviz, a large dependency for
a few lines of output. Not read back: DOT is a drawing language (subgraphs, styles, HTML
labels), its files from other tools say nothing of what a node computes, and the numbers in the
labels are rounded for reading; GraphML and node-link JSON carry the graph itself. Reading
one says so and names the formats that do.
"""

from __future__ import annotations

from ...core.engine import Evaluation, evaluate
from ...core.graph import Graph
from ...core.numbers import format_value
from ...core.ops import OPS, node_op
from ..document import atomic_write_text
from . import FileFormat, register

__all__ = ["to_dot"]


def _quoted(lines: list[str]) -> str:
    """A DOT string of several centred lines (``\\n`` is DOT's own line break)."""
    escaped = [p.replace("\\", "\\\\").replace('"', '\\"') for line in lines
               for p in line.splitlines() or [""]]
    return '"' + "\\n".join(escaped) + '"'


def to_dot(graph: Graph, ev: Evaluation | None = None) -> str:
    """The graph in Graphviz DOT, left to right: every node labelled with its name, its op,
    ``= value`` and ``∇ gradient`` (d output / d node); the output drawn with a double border;
    the edges into an op whose arguments may not be swapped numbered by argument."""
    lines = ["digraph graphstudio {", "  rankdir=LR;",
             '  node [shape=box, style=rounded, fontname="DejaVu Sans"];',
             '  edge [fontname="DejaVu Sans", fontsize=10];']
    for n in graph.topological_order():
        record = graph.node(n)
        parts = [graph.label(n)]  # a constant's label is its value
        if not record.is_leaf:
            parts.append(node_op(record.op, record.params).symbol)  # with its parameter
        value = ev.values.get(n) if ev else record.value
        if value is not None and record.op != "const":
            parts.append(f"= {format_value(value)}")
        if ev is not None and ev.grads.get(n) is not None:
            parts.append(f"∇ {format_value(ev.grads[n])}")
        extra = ", peripheries=2" if ev is not None and ev.output == n else ""
        lines.append(f"  n{n} [label={_quoted(parts)}{extra}];")
    for s, t, p in graph.edges():
        numbered = len(graph.parents(t)) > 1 and not OPS[graph.op(t)].commutative
        lines.append(f'  n{s} -> n{t}' + (f' [headlabel="{p + 1}"];' if numbered else ";"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def write(path, graph, view) -> None:
    atomic_write_text(path, to_dot(graph, evaluate(graph)))


register(FileFormat("dot", "Graphviz DOT", (".dot", ".gv"), write=write,
                    keeps="a drawing of the graph with its values and gradients", order=3))
