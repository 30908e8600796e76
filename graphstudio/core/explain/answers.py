"""Typed answers as numbers: ``9``, ``-0.25``, ``1/3``, ``7·1 + 2·1``, ``[1, -2]``. Only number
arithmetic is read, through :mod:`ast` and a whitelist: nothing typed is ever run."""

from __future__ import annotations

import ast
import operator
from typing import Any

import numpy as np

from ..ops import Value

__all__ = ["parse_answer"]

_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: operator.pow}


def parse_answer(text: str) -> Value:
    """A typed answer as a number (or array): ``9``, ``-0.25``, ``1/3``, ``7*1 + 2*1``,
    ``2e-3``, ``[1, -2]``, ``nan``. Only number arithmetic is read (ast, nothing executed);
    raises ValueError otherwise.

    >>> parse_answer("7·1 + 2·1"), parse_answer("−1/4"), parse_answer("[1, 2.5]")
    (9.0, -0.25, array([1. , 2.5]))
    """
    cleaned = (text.strip().replace("−", "-").replace("·", "*").replace("×", "*")
               .replace("^", "**").replace(",", ", "))
    if cleaned.lower() in ("nan", "inf", "+inf", "-inf"):
        return float(cleaned)
    if len(cleaned) > 500:  # an answer, not a program: keeps the parse shallow
        raise ValueError(f"not a number: {text[:20]!r}...")
    try:
        value = _arith_eval(ast.parse(cleaned, mode="eval").body)
    except (SyntaxError, ArithmeticError, TypeError, ValueError, RecursionError):
        raise ValueError(f"not a number: {text!r}") from None
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def _arith_eval(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _arith_eval(node.operand)
        return -np.asarray(v) if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return _ARITH[type(node.op)](np.asarray(_arith_eval(node.left)),
                                     np.asarray(_arith_eval(node.right)))
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_arith_eval(e) for e in node.elts]
    raise TypeError("not arithmetic")
