"""Teaching computations: *why* a gradient is what it is, as the lectures show it by hand.

Every view is a pure function called the same way, ``view(ev, node, *, options)``: the
:class:`~graphstudio.core.engine.Evaluation` first (it holds the graph and the output being
differentiated; to explain another output, evaluate for it), then the node the question is
about when there is one, then options by keyword. Each returns a small frozen data object
(never printed text), so the command line prints it and the editor draws it (highlight a
path's edges, fill a ledger panel, copy a LaTeX formula). One module per view:

* :mod:`.chain_rule`: :func:`ledger`, how one node's gradient was assembled, the lectures'
  ``grad_table`` line ``grad[u] = Σ_children grad[child] · ∂child/∂u`` with every
  :class:`~graphstudio.core.engine.Term` written out;
* :mod:`.path_sum`: :func:`paths`, Bristol's *sum over paths* against backprop, with the
  multiplications each needs;
* :mod:`.formulas`: :func:`symbolic`, the output and each input's gradient as sympy formulas;
* :mod:`.gradient_check`: :func:`check`, backprop against central differences, with the kinks
  (relu at 0, a max tie) named;
* :mod:`.tangents`: :func:`forward_mode`, ``d node / d input`` by forward-mode accumulation;
* :mod:`.quiz`: :func:`quiz_targets` and :func:`grade`, a student's typed number against the
  true one, read by :func:`~.answers.parse_answer` (:mod:`.answers`).

A question the graph cannot answer (a constant has no gradient, symbolic formulas of arrays)
raises :class:`ExplainError` with a message naming the node.

>>> from graphstudio.io.gs import parse_text
>>> from graphstudio.core.engine import evaluate
>>> g = parse_text("a = -1\\nb = 3\\nc = 4\\nx = a + b\\ny = b + c\\nz = x * y")
>>> ev = evaluate(g)
>>> [t.contribution for t in ledger(ev, g.by_name("b")).terms]
[7.0, 2.0]
>>> paths(ev, g.by_name("b")).total
9.0
"""

from .answers import parse_answer
from .chain_rule import Ledger, ledger
from .common import ExplainError
from .formulas import TOO_LARGE, Symbolic, symbolic
from .gradient_check import CheckEntry, check, kink_description, kinks
from .path_sum import Path, PathSum, paths
from .quiz import QuizAnswer, grade, quiz_targets
from .tangents import ForwardMode, forward_mode

__all__ = [
    "ExplainError", "Ledger", "ledger", "Path", "PathSum", "paths", "Symbolic", "symbolic",
    "TOO_LARGE",
    "CheckEntry", "check", "kinks", "kink_description", "ForwardMode", "forward_mode",
    "QuizAnswer", "parse_answer", "grade", "quiz_targets",
]
