"""Groups: a part of a graph shown as one gate (a call of a ``.gs`` function, or nodes the user
grouped in the editor).

A group is a set of op nodes (and the constants they use) that computes **one** value from
values outside it, as a function does: CS231n draws the sigmoid ``1 / (1 + exp(-x))`` as one
gate with one local derivative. The graph keeps each group as an immutable :class:`Group`
record (``graph.groups()``, changed only through the graph's methods, announced as
:class:`~graphstudio.core.events.GroupChanged`); a node belongs to at most one group.

* ``name``: what the box or frame is labelled with (``swish``);
* ``members``: the nodes inside;
* ``collapsed``: drawn as one box, or its nodes inside a labelled frame;
* ``function``: the ``.gs`` function whose call made it (written back as that ``def``), or
  None for a group made by hand (written back as a ``def`` named after it);
* ``params`` and ``args``: the function's parameter names and the node passed for each, so
  the text is written back as it was read; :func:`group_inputs` falls back on the inputs in
  their order when an edit no longer matches them.

What a group is as a gate, :func:`local_derivatives`, is computed from the inner backward
pass: the group's nodes alone, fed the values of its inputs and differentiated from its output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, NamedTuple

import numpy as np

if TYPE_CHECKING:  # the graph imports this module
    from .engine import Evaluation
    from .graph import Graph

__all__ = ["Group", "group_problem", "group_output", "group_inputs", "local_derivatives",
           "function_name"]


class Group(NamedTuple):
    """One group's record (see the module docstring)."""

    name: str
    members: frozenset[int]
    collapsed: bool = True
    function: str | None = None
    params: tuple[str, ...] = ()
    args: tuple[int, ...] = ()


def group_problem(graph: "Graph", members: Iterable[int], ignore: int | None = None) -> str | None:
    """Why ``members`` cannot be a group (in words for the user), or None when they can: at
    least one op node, no input (its value comes from outside), none in another group (but
    ``ignore``), exactly one value used outside, and no path that leaves the group and comes
    back into it (collapsed, the group would then feed itself)."""
    members = set(members)
    if not members:
        return "select the nodes to group"
    for n in members:
        if n not in graph:
            return f"there is no node {n}"
    ops = [n for n in members if not graph.is_leaf(n)]
    if not ops:
        return "a group needs at least one op node: it computes something from its inputs"
    inputs = sorted(graph.label(n) for n in members if graph.op(n) == "input")
    if inputs:
        return (f"{', '.join(inputs)} is an input: a group computes from values outside it, so "
                "leave inputs out of the selection")
    for n in members:
        owner = graph.group_of(n)
        if owner is not None and owner != ignore:
            return (f"{graph.label(n)} is already in the group {graph.groups()[owner].name}; "
                    "ungroup it first")
    for n in members:
        if graph.is_leaf(n) and any(c not in members for c in graph.children(n)):
            return (f"the constant {graph.label(n)} is also used outside the selection; leave it "
                    "out, or select what uses it too")
    outs = _outputs(graph, members)
    if len(outs) != 1:
        if not outs:
            return "nothing outside the selection uses what it computes"
        names = ", ".join(graph.label(n) for n in graph.in_order(outs))
        return (f"a group computes one value, but {names} are each used outside the selection; "
                "select them with everything that uses them, or fewer nodes")
    for n in members:  # a constant or node outside feeding back in: a path out and back
        for child in graph.children(n):
            if child in members:
                continue
            if graph.descendants(child) & members:
                return (f"{graph.label(child)} is outside the selection but both uses and feeds "
                        "it; add it to the selection")
    return None


def _outputs(graph: "Graph", members: set[int]) -> list[int]:
    """The members whose value is used outside the group, or is the graph's output, or a sink."""
    out = graph.default_output()
    found = []
    for n in members:
        if graph.is_leaf(n):
            continue
        children = graph.children(n)
        if n == out or not children or any(c not in members for c in children):
            found.append(n)
    return found


def group_output(graph: "Graph", group: Group) -> int | None:
    """The member that computes the group's value (None if an edit left it with several)."""
    outs = _outputs(graph, set(group.members))
    return outs[0] if len(outs) == 1 else None


def group_inputs(graph: "Graph", group: Group) -> list[int]:
    """The nodes outside the group that feed it: its recorded arguments, in order, when they
    still are exactly what feeds it (a node passed twice, twice), else in their order of
    assignment."""
    feeding = {p for n in group.members for p in graph.parents(n)
               if p is not None and p not in group.members}
    if group.args and set(group.args) == feeding and all(a in graph for a in group.args):
        return list(group.args)
    return graph.in_order(feeding)


def function_name(group: Group) -> str:
    """The name of the ``def`` a group is written as: its function, else its name made an
    identifier (``my gate`` -> ``my_gate``)."""
    if group.function:
        return group.function
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in group.name.strip()) or "group"
    return text if text[0].isalpha() or text[0] == "_" else f"g_{text}"


def local_derivatives(graph: "Graph", ev: "Evaluation", group_id: int) -> dict[int, object]:
    """The group as one gate: ``d out / d input`` for each input (by node), from the backward
    pass of the group's nodes alone at the current values (a vector-Jacobian product with ones
    when the output is an array). Empty when a value is missing (an error upstream)."""
    from .engine import evaluate
    from .graph import Graph

    group = graph.groups()[group_id]
    out = group_output(graph, group)
    inputs = group_inputs(graph, group)
    if out is None or any(ev.value(n) is None for n in inputs):
        return {}
    sub = Graph()
    ids: dict[int, int] = {}
    for n in inputs:
        ids[n] = sub.add_input(None, ev.value(n))
    for n in graph.topological_order():
        if n not in group.members:
            continue
        record = graph.node(n)
        if record.is_leaf:
            ids[n] = sub.add_const(record.value)
        else:
            ids[n] = sub.add_node(record.op, params=record.params)
    for n in group.members:
        for p, _d, port in graph.in_edges(n):
            sub.connect(ids[p], ids[n], port)
    result = evaluate(sub, output=ids[out])
    derivs = {}
    for n in inputs:
        g = result.grad(ids[n])
        if g is None:
            return {}
        derivs[n] = g if not isinstance(g, np.ndarray) else g.copy()
    return derivs


def hidden_members(graph: "Graph") -> dict[int, int]:
    """The nodes a collapsed group hides (all its members but its output), by group."""
    hidden: dict[int, int] = {}
    for gid, group in graph.groups().items():
        if group.collapsed:
            out = group_output(graph, group)
            if out is None:
                continue
            for n in group.members:
                if n != out:
                    hidden[n] = gid
    return hidden


def gates(graph: "Graph") -> dict[int, int]:
    """The output node of each collapsed group (drawn as the group's one box), by node."""
    found = {}
    for gid, group in graph.groups().items():
        if group.collapsed:
            out = group_output(graph, group)
            if out is not None:
                found[out] = gid
    return found


def gate_steps(graph: "Graph", ev: "Evaluation", steps: list) -> list:
    """The steps of a pass (:func:`~graphstudio.core.engine.forward_steps`,
    :func:`~graphstudio.core.engine.backward_steps`) with each collapsed group one step, as one
    gate: its inner nodes' steps left out, its output computed from its inputs, and an input's
    share through it one term, ``d out / d input`` (the local derivative of
    :func:`local_derivatives`) times the output's gradient. The edges of a gate are
    ``(input, output, k)`` for its ``k``-th input."""
    from dataclasses import replace

    from .engine import Term

    hidden = hidden_members(graph)
    outs = gates(graph)
    if not outs:
        return steps
    derivs = {gid: local_derivatives(graph, ev, gid) for gid in outs.values()}
    inputs = {out: group_inputs(graph, graph.groups()[gid]) for out, gid in outs.items()}
    result = []
    for step in steps:
        if step.node in hidden:
            continue
        if step.phase == "forward":
            if step.node in outs:
                ins = list(dict.fromkeys(inputs[step.node]))
                step = replace(step, edges=tuple((a, step.node, k) for k, a in enumerate(ins)))
            result.append(step)
            continue
        terms, folded = [], {}
        for term in step.terms:
            gid = hidden.get(term.child)
            if gid is None and term.child in outs:
                gid = outs[term.child]
            if gid is None:
                terms.append(term)
                continue
            if gid in folded:  # the same gate again: its contributions add up
                i = folded[gid]
                terms[i] = replace(terms[i], contribution=_add(terms[i].contribution,
                                                               term.contribution))
                continue
            group = graph.groups()[gid]
            out = group_output(graph, group)
            ins = list(dict.fromkeys(inputs[out]))
            local = derivs[gid].get(step.node)
            label = graph.label(out)
            folded[gid] = len(terms)
            terms.append(Term(step.node, out, ins.index(step.node), label,
                              f"∂{label}/∂{graph.label(step.node)}", ev.grad(out),
                              local if isinstance(local, float) else None,
                              term.contribution, f"{group.name}: one gate, its local derivative "
                                                 "from the backward pass inside it"))
        result.append(replace(step, terms=tuple(terms), edges=tuple(t.edge for t in terms)))
    return result


def _add(a, b):
    if a is None or b is None:
        return None
    return a + b


def whole_groups(graph: "Graph", nodes: Iterable[int]) -> list[int]:
    """``nodes`` with every node of each collapsed group whose box (its output) is among
    them: what copying, duplicating or deleting a gate takes."""
    nodes = list(dict.fromkeys(nodes))
    outs = gates(graph)
    for n in list(nodes):
        if n in outs:
            members = graph.groups()[outs[n]].members
            nodes += [m for m in graph.in_order(members) if m not in nodes]
    return nodes
