"""The backward pass at a domain edge gives inf/nan, as the forward pass does, never an exception.

(Python floats raise ZeroDivisionError where numpy gives inf: sqrt'(0) = 1/(2·0), d(1/x)/dx at 0.)
"""

import math

import pytest

from graphstudio.core.engine import evaluate
from graphstudio.io.gs import parse_text


@pytest.mark.parametrize("text,grad", [
    ("x = 0\ny = sqrt(x)", math.inf),  # 1/(2√0)
    ("x = 0\ny = 1 / x", -math.inf),  # -1/x²
    ("x = 0\ny = log(x)", math.inf),  # 1/x
])
def test_backward_at_a_domain_edge(text, grad):
    g = parse_text(text)
    ev = evaluate(g)
    assert ev.grads[g.by_name("x")] == grad
    x, y = g.by_name("x"), g.by_name("y")
    (port,) = [k for p, _c, k in g.in_edges(y) if p == x]
    assert ev.contribution(x, y, port) == grad
