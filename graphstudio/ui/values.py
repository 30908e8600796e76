"""Values typed by the user (in place on the canvas or in the inspector).

A value is a number or a list of numbers, written as JSON (``[1, -2.5]``) or as numpy prints
it (``[1 -2.5]``). It is read with :func:`ast.literal_eval`, which accepts literals only:
nothing typed is ever run. The text offered for editing is
:func:`graphstudio.core.numbers.format_editable`.
"""

from __future__ import annotations

import ast
import re

import numpy as np

__all__ = ["parse_value"]


def parse_value(text: str):
    """A number, or a list of numbers as JSON (``[1, -2.5]``) or as numpy prints it
    (``[1 -2.5]``), typed by the user; nothing is evaluated."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    commas = re.sub(r"(?<=[\d\].])\s+(?=[-+\d\[.])", ", ", text)
    try:
        value = ast.literal_eval(commas)  # literals only: nothing is run
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError(f"{text!r} is not a number or a list of numbers such as [1, -2.5]") from None
    if not isinstance(value, list):
        raise ValueError(f"{text!r} is not a number or a list of numbers")
    try:
        return np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("every row must have the same length and hold only numbers") from None
