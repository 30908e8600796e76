"""Groups in a picture: a collapsed group drawn as one gate, an expanded one inside a frame.

:func:`group_picture` turns the picture of a graph's nodes into the picture of what is shown
(:mod:`graphstudio.core.groups`): a collapsed group's inner nodes are left out, its output's
box becomes the gate (the group's name as its symbol, a port for each input, and under its
gradient the gate's local derivatives ``∂y/∂a = 1.04``), and the edges into the group arrive
at the gate's ports as ``(input, output, k)``; an expanded group is listed in
``picture.groups`` for the painter to frame. The canvas, every export and the step frames
draw the same picture. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..core.engine import Evaluation
from ..core.graph import Graph
from ..core.groups import gates, group_inputs, group_output, hidden_members, local_derivatives
from ..core.numbers import format_value
from ..core.ops import OPS

__all__ = ["GroupFrame", "group_picture", "gate_view", "gate_lines", "shown_graph"]


@dataclass(frozen=True)
class GroupFrame:
    """An expanded group: a frame around ``members`` labelled ``name``."""

    group: int
    name: str
    members: tuple[int, ...]


def gate_lines(graph: Graph, ev: Evaluation | None, gid: int, digits: int = 4) -> str:
    """The gate's local derivatives, one line per input: ``∂y/∂a = 1.041``, or for an array
    input of a number output its gradient ``∂y/∂v = [2 -4]``; none for an array output (its
    Jacobian is read in the expanded group)."""
    if ev is None:
        return ""
    group = graph.groups()[gid]
    out = group_output(graph, group)
    derivs = local_derivatives(graph, ev, gid)
    lines = []
    for a in dict.fromkeys(group_inputs(graph, group)):
        d = derivs.get(a)
        if d is None:
            continue
        name = f"∂{graph.label(out)}/∂{graph.label(a)}"
        if isinstance(ev.value(out), float):
            lines.append(f"{name} = {format_value(d, digits)}")
    return "\n".join(lines)


def gate_view(graph: Graph, ev: Evaluation | None, gid: int, view, digits: int = 4):
    """The view of collapsed group ``gid``'s gate, from its output node's own ``view``."""
    group = graph.groups()[gid]
    ins = list(dict.fromkeys(group_inputs(graph, group)))
    return replace(view, symbol=group.name, n_ports=max(1, len(ins)), numbered_ports=len(ins) > 1,
                   gate_text=gate_lines(graph, ev, gid, digits) if view.grad_text else "")


def group_picture(graph: Graph, ev: Evaluation | None, picture, digits: int = 4):
    """``picture`` (of every node) as the groups show it (see the module docstring)."""
    if not graph.groups():
        return picture
    hidden = hidden_members(graph)
    outs = gates(graph)
    nodes = {n: v for n, v in picture.nodes.items() if n not in hidden}
    ports: dict[int, list[int]] = {}
    for out, gid in outs.items():
        ports[out] = list(dict.fromkeys(group_inputs(graph, graph.groups()[gid])))
        view = nodes.get(out)
        if view is not None:
            nodes[out] = gate_view(graph, ev, gid, view, digits)
    edges = []
    into: dict[tuple[int, int], list] = {}  # (input, gate) -> the edges it stands for
    for e in picture.edges:
        if e.src in hidden:
            continue
        gate = e.dst if e.dst in outs else (
            group_output(graph, graph.groups()[hidden[e.dst]]) if e.dst in hidden else None)
        if gate is None:
            edges.append(e)
            continue
        if e.src in ports.get(gate, ()):
            into.setdefault((e.src, gate), []).append(e)
    for (src, gate), stood_for in into.items():
        k = ports[gate].index(src)
        label = None
        if any(e.label for e in stood_for) and nodes.get(gate) is not None:
            lines = nodes[gate].gate_text.splitlines()
            mine = [line for line in lines if line.split(" = ")[0].endswith(f"/∂{graph.label(src)}")]
            label = mine[0] if mine else None
        edges.append(replace(stood_for[0], dst=gate, port=k, label=label,
                             highlight=any(e.highlight for e in stood_for)))
    frames = tuple(GroupFrame(gid, g.name, tuple(sorted(g.members)))
                   for gid, g in sorted(graph.groups().items()) if not g.collapsed)
    return replace(picture, nodes=nodes, edges=edges, groups=frames)


def shown_graph(graph: Graph) -> Graph:
    """The graph as the collapsed groups show it, for laying it out: a copy without the nodes
    they hide, each gate fed by the group's inputs directly (through an op of as many ports; the
    copy is not evaluated). The same graph when no group is collapsed."""
    outs = gates(graph)
    if not outs:
        return graph
    shown = graph.copy()
    for out, gid in outs.items():
        group = graph.groups()[gid]
        ins = list(dict.fromkeys(group_inputs(graph, group)))
        for m in group.members:
            if m != out:
                shown.remove_node(m)
        for _src, _dst, port in shown.in_edges(out):
            shown.disconnect(out, port)
        wide = next((op.name for op in OPS.values() if op.params is None
                     and max(op.arity) >= len(ins)), None)
        if wide is None:
            continue
        shown.set_op(out, wide)
        for k, a in enumerate(ins):
            shown.connect(a, out, k)
    return shown
