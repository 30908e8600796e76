"""micrograd's README example (https://github.com/karpathy/micrograd, "Example usage"), line for
line, for any class of values: micrograd's own ``Value`` or GraphStudio's ``gs.Var``. The
README prints 24.7041 for g, 138.8338 for dg/da and 645.5773 for dg/db."""

from __future__ import annotations

PUBLISHED = ("24.7041", "138.8338", "645.5773")


def readme_example(Value):
    """``a``, ``b`` and ``g`` of the README, made with ``Value``."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g
