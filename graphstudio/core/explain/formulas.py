"""Symbolic gradients: the output as a sympy formula of the inputs and each input's gradient
as a simplified formula (Bristol's ``da/df = 2fg² + 2fg + 5g + 2``), with LaTeX. Each op's
formula is its registry entry's ``sympy`` form."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import sympy

from ..engine import Evaluation
from ..ops import Value, node_op
from .common import ExplainError, output_of, reaching, seed_of

__all__ = ["Symbolic", "symbolic", "apply_sympy", "MAX_ELEMENTS", "TOO_LARGE", "MAX_DIGITS",
           "MAX_OPERATIONS"]


#: the most elements the inputs and nodes a formula needs may hold together: each element of
#: an array input gets a symbol and its own gradient formula
MAX_ELEMENTS = 64


@dataclass(frozen=True)
class Symbolic:
    """The output as a formula of the inputs and each input's gradient as a formula.

    A vector or matrix is a numpy array of sympy expressions, an array input one of symbols
    (``v_0``, ``W_0,1``: one per element); an array output is differentiated as the backward
    pass does, through its seed (the sum of its elements, or ``Σ seedᵢ·zᵢ``), which ``expr``
    is. ``nodes`` holds every node the output needs as a formula of the inputs (for the
    ledger); ``gradients`` and ``gradient_latex`` are keyed by input node id, in the graph's
    input order (an array input's gradient is an array of formulas, its LaTeX a matrix);
    ``gradient_values`` are the formulas evaluated at the inputs' values (to set beside
    backprop's numbers)."""

    output: int
    expr: Any  # sympy expression
    latex: str
    symbols: dict[int, Any]  # a Symbol, or an array of them for an array input
    nodes: dict[int, Any]  # every node the output needs, as a formula of the inputs
    gradients: dict[int, Any]
    gradient_values: dict[int, Value]

    @cached_property
    def gradient_latex(self) -> dict[int, str]:
        """Each gradient's LaTeX (an array's as a matrix), written when first asked for:
        sympy takes seconds to print a matrix of long formulas."""
        return {n: _latex(d) for n, d in self.gradients.items()}

    def values_at(self, values: dict[int, Value]) -> dict[int, Value]:
        """Each input's gradient formula evaluated at the inputs' ``values`` (by node id):
        a number, or an array for an array input; NaN where a formula does not give one."""
        names, numbers = [], []
        for n, sym in self.symbols.items():
            v = values.get(n)
            if v is None or np.shape(v) != np.shape(sym):
                continue
            names += list(np.ravel(np.asarray(sym, dtype=object)))
            numbers += [float(x) for x in np.ravel(v)]
        return {n: _evaluate(d, names, numbers) for n, d in self.gradients.items()}


def _evaluate(formula: Any, names: list, numbers: list[float]) -> Value:
    """A formula (or an array of them) with ``names`` (symbols) at ``numbers``. The symbols
    are replaced by floats in one pass over the tree (``xreplace``), which sympy evaluates as
    it rebuilds it; ``subs`` with exact numbers takes seconds on long formulas."""
    at = {name: sympy.Float(x) for name, x in zip(names, numbers)}

    def one(f: Any) -> float:
        try:
            value = sympy.sympify(f).xreplace(at).evalf()
            return float(value)
        except (TypeError, ValueError):  # a formula left with a free symbol, or complex
            return math.nan
    if isinstance(formula, np.ndarray):
        return np.array([one(f) for f in formula.flat]).reshape(formula.shape)
    return one(formula)


def _latex(formula: Any) -> str:
    """LaTeX of a formula, or of an array of them as a matrix (a vector as a row)."""
    if isinstance(formula, np.ndarray):
        rows = formula.reshape(1, -1) if formula.ndim == 1 else formula.reshape(-1, formula.shape[-1])
        return sympy.latex(sympy.Matrix(rows.tolist()))
    return sympy.latex(formula)


def _symbols(name: str, value: Value) -> Any:
    """An input's symbol, or an array of one symbol per element: ``v_0``, ``W_0,1``."""
    if isinstance(value, float) or value is None:
        return sympy.Symbol(name, real=True)
    symbols = np.empty(np.shape(value), dtype=object)
    for index in np.ndindex(*np.shape(value)):
        symbols[index] = sympy.Symbol(f"{name}_{','.join(map(str, index))}", real=True)
    return symbols


def _number(value: float) -> Any:
    """A constant as an exact sympy number: 3 → 3, 0.01 → 1/100."""
    if math.isnan(value):
        return sympy.nan
    if math.isinf(value):
        return sympy.oo if value > 0 else -sympy.oo
    if value.is_integer():
        return sympy.Integer(int(value))
    return sympy.Rational(repr(value))


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


def _readable(expr: Any, limit: int = 200) -> Any:
    """The shortest of the derivative as it comes, expanded, factored, simplified (ties: the
    earlier, so a polynomial reads expanded as the lectures write it). Formulas of more than
    ``limit`` operations are kept as they come, and simplify runs below half of it."""
    ops = sympy.count_ops(expr)
    if ops > limit:
        # Expanding nested products blows up exponentially (a product of k nested sums has
        # 2^k terms) and factoring them is as slow: a big formula is kept as it comes.
        return expr
    candidates = [sympy.expand(expr), expr, sympy.factor(expr)]
    if ops <= limit // 2:  # simplify is slower still
        candidates.append(sympy.simplify(expr))
    return min(candidates, key=sympy.count_ops)


def symbolic(ev: Evaluation) -> Symbolic:
    """The output as a sympy formula of the inputs (each op's ``sympy`` form from the registry,
    constants as exact numbers, every intermediate node inlined) and each input's gradient as a
    simplified formula, with LaTeX text for both. Vectors and matrices (of at most
    :data:`MAX_ELEMENTS` elements in all) are arrays of formulas, one symbol per element of an
    array input, each op mapped over them or taking them whole (``sum``, ``@``, ``s[2]``).

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
    seed = seed_of(ev)
    needed = reaching(graph, out)
    elements = sum(int(np.size(ev.values[n])) for n in needed
                   if ev.values.get(n) is not None and not isinstance(ev.values[n], float))
    if elements > MAX_ELEMENTS:
        raise ExplainError(f"symbolic formulas need a symbol or a formula per element, and the "
                           f"arrays here hold {elements:,} (at most {MAX_ELEMENTS})")
    symbols = {n: _symbols(graph.label(n), graph.value(n)) for n in graph.inputs()}
    _check_symbol_names(graph, symbols)
    exprs: dict[int, Any] = {}
    sizes: dict[int, int] = {}  # operations in each formula, written out in full
    for n in ev.program.order:
        if n not in needed:
            continue
        record = graph.node(n)
        sizes[n] = 1
        if record.op == "input":
            exprs[n] = symbols[n]
        elif record.op == "const":
            v = record.value
            exprs[n] = (_number(v) if isinstance(v, float) else
                        np.vectorize(_number, otypes=[object])(np.asarray(v, dtype=float)))
        else:
            parents = graph.parents(n)
            if None in parents:
                raise ExplainError(f"{graph.label(n)} has an unconnected argument")
            args = [exprs[p] for p in parents]
            sizes[n] += sum(sizes[p] for p in parents)
            _check_size(ev, n, args, sizes[n])
            exprs[n] = apply_sympy(node_op(record.op, record.params), args)
    expr = exprs[out]
    if isinstance(expr, np.ndarray):  # what the backward pass differentiates: Σ seedᵢ·zᵢ
        weights = np.vectorize(_number, otypes=[object])(np.asarray(seed, dtype=float))
        expr = np.sum(weights * expr)
    gradients = {}
    # one formula per element: simplifying each as much as a single gradient takes minutes
    limit = 200 if all(isinstance(s_, sympy.Symbol) for s_ in symbols.values()) else 0
    for n, sym in symbols.items():
        if isinstance(sym, np.ndarray):
            d = np.empty(sym.shape, dtype=object)
            for index in np.ndindex(*sym.shape):
                d[index] = _readable(sympy.diff(expr, sym[index]), limit)
        else:
            d = _readable(sympy.diff(expr, sym), limit)
        gradients[n] = d
    sym_ = Symbolic(out, expr, sympy.latex(expr), symbols, exprs, gradients, {})
    values = sym_.values_at({n: graph.value(n) for n in symbols})
    return Symbolic(out, expr, sympy.latex(expr), symbols, exprs, gradients, values)


def apply_sympy(op, args: list) -> Any:
    """``op``'s sympy form applied to formulas ``args`` (numbers, or numpy arrays of them):
    an elementwise op is mapped over arrays, the others take them whole."""
    if op.elementwise and any(isinstance(a, np.ndarray) for a in args):
        value = np.vectorize(op.sympy, otypes=[object])(*args)
    else:
        value = op.sympy(*args)
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value


def _check_symbol_names(graph, symbols: dict[int, Any]) -> None:
    """Two inputs' symbols must not share a name (``v_0`` the input, and ``v_0`` the first
    element of a vector ``v``), or sympy would take them for one."""
    seen: dict[str, int] = {}
    for n, sym in symbols.items():
        for s_ in np.ravel(np.asarray(sym, dtype=object)):
            other = seen.setdefault(s_.name, n)
            if other != n:
                raise ExplainError(f"the formulas would call an element of "
                                   f"{graph.label(other if '_' in s_.name else n)} and the "
                                   f"input {s_.name} by one name; rename the input")
