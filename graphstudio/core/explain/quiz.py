"""Quiz mode: what the student must find (every gradient, or every op's value) and a typed
answer marked against the true one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Evaluation
from ..ops import Value
from .answers import parse_answer

__all__ = ["QuizAnswer", "grade", "quiz_targets"]


@dataclass(frozen=True)
class QuizAnswer:
    """A student's answer marked: ``correct`` within the tolerance of ``expected``;
    ``given`` is None when the text is not a number."""

    text: str
    given: Value
    expected: Value
    correct: bool
    message: str


def grade(answer: str | float, expected: Value, rtol: float = 1e-3,
          atol: float = 1e-6) -> QuizAnswer:
    """Mark a typed answer: right when ``|given − expected| <= max(atol, rtol·|expected|)``
    (element by element for arrays, which must have the expected shape); NaN matches NaN.

    >>> grade("9", 9.0).correct, grade("9.004", 9.0).correct, grade("8", 9.0).correct
    (True, True, False)
    >>> grade("1e-7", 0.0).correct, grade("abc", 1.0).message
    (True, "not a number: 'abc'")
    """
    text = answer if isinstance(answer, str) else repr(answer)
    try:
        given = parse_answer(answer) if isinstance(answer, str) else float(answer)
    except (ValueError, TypeError) as exc:
        return QuizAnswer(text, None, expected, False, str(exc))
    g = np.asarray(given, dtype=float)
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        return QuizAnswer(text, given, expected, False,
                          f"expected shape {e.shape or 'scalar'}, got {g.shape or 'a number'}")
    with np.errstate(invalid="ignore"):
        tol = np.maximum(atol, rtol * np.abs(e))
        both_nan = np.isnan(g) & np.isnan(e)
        same_inf = np.isinf(e) & (g == e)
        ok = bool(np.all(both_nan | same_inf | (np.abs(g - e) <= tol)))
    return QuizAnswer(text, given, expected, ok, "right" if ok else "wrong")


def quiz_targets(ev: Evaluation, *, hide: str = "grad") -> dict[int, Value]:
    """What the student must find, by node: every gradient (``hide="grad"``: nodes that are
    not constants) or every op node's value (``hide="value"``: the inputs stay shown), with
    the true answers. The hint for a gradient is :func:`ledger`.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("a = 2\\nb = 3\\nz = a * b")
    >>> {g.label(n): v for n, v in quiz_targets(evaluate(g)).items()}
    {'a': 3.0, 'b': 2.0, 'z': 1.0}
    """
    if hide not in ("grad", "value"):
        raise ValueError("hide is 'grad' or 'value'")
    graph = ev.graph
    targets = {}
    for n in ev.program.order:
        kind = graph.op(n)
        if hide == "grad":
            if kind != "const" and ev.grads.get(n) is not None:
                targets[n] = ev.grads[n]
        elif kind not in ("input", "const") and ev.values.get(n) is not None:
            targets[n] = ev.values[n]
    return targets
