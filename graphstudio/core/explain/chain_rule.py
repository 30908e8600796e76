"""The chain-rule ledger: how one node's gradient was assembled, the lectures' ``grad_table``
line ``grad[u] = Σ_children grad[child] · ∂child/∂u`` with every term written out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Evaluation, Step, Term
from ..groups import gate_steps, hidden_members
from ..ops import Value
from .common import add, close, gradient_source, output_of, reaching, seed_note, seed_of

__all__ = ["Ledger", "ledger"]


@dataclass(frozen=True)
class Ledger:
    """How ``d output / d node`` was assembled: the sum of the terms (or 1 at the output)."""

    node: int
    label: str
    output: int
    output_label: str
    terms: tuple[Term, ...]
    total: Value  # sum of the contributions (the seed 1 for the output itself)
    grad: Value  # what backprop stored for the node
    note: str = ""

    @property
    def agrees(self) -> bool:
        """The sum of the terms is backprop's gradient (always, unless something failed)."""
        return close(self.total, self.grad)


def ledger(ev: Evaluation, node: int, *, jacobian_limit: int = 64) -> Ledger:
    """The chain-rule ledger of ``node``: one term per edge into a successor that reaches the
    output, ``upstream × local derivative = contribution``, and their sum, which equals
    ``ev.grads[node]``. Jacobians with more than ``jacobian_limit`` entries are left out
    (``local`` is None) but the contribution is still given.

    Grosse, CSC 311: z = (a + b) * (b + c) at a = -1, b = 3, c = 4: dz/db = 7·1 + 2·1 = 9.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("a = -1\\nb = 3\\nc = 4\\nx = a + b\\ny = b + c\\nz = x * y")
    >>> led = ledger(evaluate(g), g.by_name("b"))
    >>> [(t.child_label, t.upstream, t.local, t.contribution) for t in led.terms]
    [('x', 7.0, 1.0, 7.0), ('y', 2.0, 1.0, 2.0)]
    >>> led.total, led.grad, led.terms[0].formula
    (9.0, 9.0, '∂x/∂b = 1')
    """
    graph = ev.graph
    out = output_of(ev)
    label, out_label = gradient_source(ev, node), graph.label(out)
    grad = ev.grads.get(node)
    if node == out:
        return Ledger(node, label, out, out_label, (), seed_of(ev), grad, note=seed_note(ev))
    reach = reaching(graph, out)
    edges = sorted(graph.out_edges(node), key=lambda e: (ev.program.index[e[1]], e[2]))
    terms = tuple(ev.term(parent, child, port, limit=jacobian_limit)
                  for parent, child, port in edges if child in reach)
    if graph.groups() and node not in hidden_members(graph):  # a collapsed group: one gate
        (step,) = gate_steps(graph, ev, [Step("backward", node, terms=terms)])
        terms = step.terms
    total: Value = 0.0 if isinstance(ev.values[node], float) else np.zeros_like(ev.values[node])
    for t in terms:
        total = add(total, t.contribution)
    note = "" if terms else f"{label} does not reach the output {out_label}: its gradient is 0"
    return Ledger(node, label, out, out_label, terms, total, grad, note)
