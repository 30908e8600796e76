"""An op as its circuit of simpler ops: the sigmoid as ``1 / (1 + exp(-x))``, tanh as
``(exp(x) - exp(-x)) / (exp(x) + exp(-x))``, from the op's sympy form in the registry.

CS231n draws the sigmoid first gate by gate (×-1, exp, +1, 1/x) and then as one gate; the
editor's Graph > Expand into Circuit replaces a node by that circuit, made a group named after
the op (:mod:`graphstudio.core.groups`), so both views are one double-click apart. The circuit
is the op's sympy form rewritten in exponentials and written as ``.gs`` text, which the reader
builds (``io`` does that; this module only says what the text is).

>>> circuit_text("sigmoid")
'1/(1 + exp(-x0))'
>>> circuit_text("exp") is None  # one op already
True
"""

from __future__ import annotations

import re

from .ops import OPS, call_arities

__all__ = ["circuit_text", "circuit_ops"]

#: sympy's names of the functions the text format calls otherwise
_NAMES = {"Abs": "abs", "Max": "max", "Min": "min"}


def circuit_text(op_name: str) -> str | None:
    """The op's circuit as an expression of ``x0``, ``x1``... in the ``.gs`` text, or None
    when the op has none of more than one simpler op (an op of the text already, a reduction,
    a parameter, or a form sympy writes with other functions)."""
    op = OPS.get(op_name)
    if op is None or op.params is not None or not op.elementwise or op.sympy is None:
        return None
    import sympy

    n = min(op.arity)
    xs = sympy.symbols(f"x0:{n}")
    try:
        expr = op.sympy(*xs)
        rewritten = expr.rewrite(sympy.exp)
    except Exception:  # a form sympy cannot write or rewrite
        return None
    # in exponentials where that holds for every real argument (tanh; not sqrt as
    # exp(log(x)/2), which a negative x would make a different function)
    if not rewritten.has(sympy.I) and not rewritten.has(sympy.log):
        expr = rewritten
    text = sympy.sstr(expr)
    text = re.sub(r"\b(" + "|".join(_NAMES) + r")\(", lambda m: _NAMES[m.group(1)] + "(", text)
    called = re.findall(r"\b([A-Za-z_]\w*)\(", text)
    if op_name in called or op.call in called or any(not call_arities(c) for c in called):
        return None
    if len(circuit_ops(text)) < 2:
        return None
    return text


def circuit_ops(text: str) -> list[str]:
    """The operators and functions an expression text uses (to tell a circuit from one op)."""
    return re.findall(r"\*\*|[-+*/@]|\b[A-Za-z_]\w*(?=\()", text)
