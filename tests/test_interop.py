"""GraphML round trip and DOT output."""

import numpy as np
import pytest

from graphstudio.core.engine import evaluate
from graphstudio.io.document import DocumentError
from graphstudio.io.gs import parse_text
from graphstudio.io.interop import read_graphml, to_dot, write_graphml

SOURCE = "a = -1\nb = 3\nW = param([[1, 2], [3, 4]])\nx = a - b\nz = sum(W * x)\n"


def test_graphml_round_trip_keeps_ports_values_and_gradients(tmp_path):
    graph = parse_text(SOURCE)
    graph.set_position(graph.by_name("a"), (10, 20))
    path = tmp_path / "g.graphml"
    write_graphml(graph, path)
    back = read_graphml(path).graph
    a, b = back.by_name("a"), back.by_name("b")
    x = back.by_name("x")
    assert back.parents(x) == [a, b]  # a - b, not b - a
    assert back.position(a) == (10.0, 20.0)
    assert back.node(back.by_name("W")).trainable is True
    ev1, ev2 = evaluate(graph), evaluate(back)
    assert ev2.values[x] == -4.0
    np.testing.assert_allclose(ev2.grads[back.by_name("W")], ev1.grads[graph.by_name("W")])
    assert ev2.grads[a] == 10.0 and ev2.grads[b] == -10.0


def test_malformed_graphml_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.graphml"
    path.write_text("<graphml><graph><node id='n0'>")
    with pytest.raises(DocumentError, match="bad.graphml: not a readable GraphML file"):
        read_graphml(path)


def test_dot_labels_carry_values_and_gradients():
    graph = parse_text("a = -1\nb = 3\nc = 4\nx = a + b\ny = b + c\nz = x * y\n")
    dot = to_dot(graph, evaluate(graph))
    assert dot.startswith("digraph graphstudio {")
    b = graph.by_name("b")
    line = next(l for l in dot.splitlines() if l.strip().startswith(f"n{b} ["))
    assert "= 3" in line and "grad 9" in line
    assert dot.count("->") == 6
