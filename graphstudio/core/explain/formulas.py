"""Symbolic gradients: the output as a sympy formula of the inputs and each input's gradient
as a simplified formula (Bristol's ``da/df = 2fg² + 2fg + 5g + 2``), with LaTeX. Each op's
formula is its registry entry's ``sympy`` form."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..engine import Evaluation
from ..ops import OPS, Value
from .common import ExplainError, output_of, reaching

__all__ = ["Symbolic", "symbolic", "TOO_LARGE", "MAX_DIGITS", "MAX_OPERATIONS"]


@dataclass(frozen=True)
class Symbolic:
    """The output as a formula of the inputs and each input's gradient as a formula.

    ``nodes`` holds every node the output needs as a formula of the inputs (for the ledger);
    ``gradients`` and ``gradient_latex`` are keyed by input node id, in the graph's input order;
    ``gradient_values`` are the formulas evaluated at the inputs' values (to set beside
    backprop's numbers)."""

    output: int
    expr: Any  # sympy expression
    latex: str
    symbols: dict[int, Any]
    nodes: dict[int, Any]  # every node the output needs, as a formula of the inputs
    gradients: dict[int, Any]
    gradient_latex: dict[int, str]
    gradient_values: dict[int, float]


def _number(value: float) -> Any:
    """A constant as an exact sympy number: 3 → 3, 0.01 → 1/100."""
    if math.isnan(value):
        return sympy.nan
    if math.isinf(value):
        return sympy.oo if value > 0 else -sympy.oo
    if value.is_integer():
        return sympy.Integer(int(value))
    return sympy.Rational(repr(value))


def _array_words(value: Value) -> str:
    """``a vector of 3``, ``a 3×2 matrix``, ``an array of shape (2, 2, 2)``."""
    shape = np.shape(value)
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix"
    return f"an array of shape {shape}"


#: Past these a formula is "too large to show symbolically" (said at once, before sympy starts
#: a derivation that would not end): an exact number of more digits (``10 ** 10 ** 10``), or a
#: formula of more operations once every node is written out where it is used (a node used
#: three times by the next one, six deep, is 3⁶ copies).
MAX_DIGITS = 1000
MAX_OPERATIONS = 2000
TOO_LARGE = "too large to show symbolically"


def _check_size(ev: Evaluation, node: int, args: list[Any], size: int) -> None:
    graph = ev.graph
    source = graph.node(node).source
    where = graph.label(node) + (f" (line {source[0]})" if source else "")
    if size > MAX_OPERATIONS:
        raise ExplainError(f"{TOO_LARGE}: {where} written out as a formula of the inputs holds "
                           f"about {size:,} operations (at most {MAX_OPERATIONS:,}); each use of "
                           "a node writes its formula out again")
    if graph.op(node) == "pow" and all(getattr(a, "is_Number", False) for a in args):
        digits = _power_digits(*args)
        if digits > MAX_DIGITS:
            raise ExplainError(f"{TOO_LARGE}: {where} = {_short(args[0])} ** "
                               f"{_short(args[1])} is an exact number of about {digits:.3g} "
                               f"digits (at most {MAX_DIGITS:,})")


def _power_digits(base: Any, exponent: Any) -> float:
    """About how many digits the exact ``base ** exponent`` of two sympy numbers has."""
    try:
        b, e = abs(float(base)), abs(float(exponent))
    except (OverflowError, TypeError):
        return math.inf
    if b in (0.0, 1.0) or e == 0.0 or not math.isfinite(b):
        return 0.0 if math.isfinite(b) else math.inf
    return e * abs(math.log10(b))


def _short(number: Any) -> str:
    text = str(number) if getattr(number, "is_Integer", False) and abs(number) < 10**40 else None
    return text or f"{float(number):.6g}"


def _readable(expr: Any) -> Any:
    """The shortest of the derivative as it comes, expanded, factored, simplified (ties: the
    earlier, so a polynomial reads expanded as the lectures write it)."""
    ops = sympy.count_ops(expr)
    if ops > 200:
        # Expanding nested products blows up exponentially (a product of k nested sums has
        # 2^k terms) and factoring them is as slow: a big formula is kept as it comes.
        return expr
    candidates = [sympy.expand(expr), expr, sympy.factor(expr)]
    if ops <= 100:  # simplify is slower still
        candidates.append(sympy.simplify(expr))
    return min(candidates, key=sympy.count_ops)


def symbolic(ev: Evaluation) -> Symbolic:
    """The output as a sympy formula of the inputs (each op's ``sympy`` form from the registry,
    constants as exact numbers, every intermediate node inlined) and each input's gradient as a
    simplified formula, with LaTeX text for both. Scalar graphs only.

    Bristol lecture 2: a = (d + e)(e + 2) with d = 3 + f, e = f g gives
    da/df = 2fg² + 2fg + 5g + 2.

    >>> from graphstudio.io.gs import parse_text
    >>> from graphstudio.core.engine import evaluate
    >>> g = parse_text("f = 4\\ng = 2\\ne = f * g\\nd = 3 + f\\nc = e + 2\\nb = d + e\\na = b * c")
    >>> s = symbolic(evaluate(g))
    >>> s.gradients[g.by_name("f")]
    2*f*g**2 + 2*f*g + 5*g + 2
    >>> s.gradient_latex[g.by_name("f")], s.gradient_values[g.by_name("f")]
    ('2 f g^{2} + 2 f g + 5 g + 2', 60.0)
    """
    graph = ev.graph
    out = output_of(ev)
    needed = reaching(graph, out)
    for n in ev.program.order:
        v = ev.values.get(n)
        if n in needed and v is not None and not isinstance(v, float):
            raise ExplainError(f"symbolic formulas are for scalar graphs: {graph.label(n)} is "
                               f"{_array_words(v)}")
    symbols = {n: sympy.Symbol(graph.label(n), real=True) for n in graph.inputs()}
    exprs: dict[int, Any] = {}
    sizes: dict[int, int] = {}  # operations in each formula, written out in full
    for n in ev.program.order:
        if n not in needed:
            continue
        kind = graph.op(n)
        sizes[n] = 1
        if kind == "input":
            exprs[n] = symbols[n]
        elif kind == "const":
            exprs[n] = _number(graph.value(n))
        else:
            parents = graph.parents(n)
            if None in parents:
                raise ExplainError(f"{graph.label(n)} has an unconnected argument")
            args = [exprs[p] for p in parents]
            sizes[n] += sum(sizes[p] for p in parents)
            _check_size(ev, n, args, sizes[n])
            exprs[n] = OPS[kind].sympy(*args)
    expr = exprs[out]
    gradients, latex, values = {}, {}, {}
    # inputs the output does not need may hold arrays: their gradient is 0, no value to put in
    at = {symbols[n]: _number(graph.value(n)) for n in symbols
          if isinstance(graph.value(n), float)}
    for n, sym in symbols.items():
        d = _readable(sympy.diff(expr, sym))
        gradients[n] = d
        latex[n] = sympy.latex(d)
        try:
            values[n] = float(d.subs(at).evalf())
        except (TypeError, ValueError):  # a formula left with a free symbol or complex
            values[n] = math.nan
    return Symbolic(out, expr, sympy.latex(expr), symbols, exprs, gradients, latex, values)
