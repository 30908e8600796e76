"""A program replayed without numpy (core/scalar_program.py) gives the engine's numbers bit for
bit, for every op whose rules on floats are plain Python, at ordinary and awkward points; where
it cannot (a rule that raises where the engine takes numpy), it gives no answer at all."""

from __future__ import annotations

import itertools
import math

import pytest

from graphstudio.core import program_cache, scalar_program
from graphstudio.core.engine import evaluate
from graphstudio.core.graph import Graph
from graphstudio.core.ops import OPS
from graphstudio.io.gs import parse_text

SPECIAL = [0.0, -0.0, 0.5, -1.5, 2.0, 3.0, 1e-300, 1e300, -1e300, math.inf, -math.inf, math.nan]
ORDINARY = [0.5, 2.0, 3.0]  # (in every op's domain)


def same(a, b) -> bool:
    """Equal as IEEE numbers, the sign of zero included; NaN equals NaN; None equals None."""
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def replayed(graph: Graph, output: str | None = None):
    """The graph's program through the format without numpy: encoded, decoded, run."""
    ev = evaluate(graph)
    nodes = graph.in_order(graph.names().values())
    records = graph.records()
    out = graph.default_output()
    data = program_cache._scalar_entry("k", ev.program, [records[n].name for n in nodes],
                                       nodes, out, graph.label(out))
    assert data is not None
    return ev, scalar_program.run(scalar_program.decode(data, "k"), output)


def pure_ops() -> list[str]:
    return sorted(name for name, op in OPS.items() if scalar_program.rules(op))


def test_the_ops_of_a_neuron_network_are_replayed_without_numpy():
    assert {"add", "sub", "mul", "div", "neg", "relu", "tanh", "sigmoid", "exp", "log", "sin",
            "cos", "sqrt", "abs", "identity", "sqerr"} <= set(pure_ops())
    assert "pow" not in pure_ops() and "matmul" not in pure_ops()


@pytest.mark.parametrize("name", pure_ops())
def test_each_op_gives_the_engines_numbers(name):
    op = OPS[name]
    arity = op.arity[0]
    answered = set()
    for args in itertools.product(SPECIAL, repeat=arity):
        g = Graph()
        ids = [g.add_input(f"a{k}", v) for k, v in enumerate(args)]
        y = g.add_op(name, ids, name="y")
        ev, result = replayed(g)
        if result is None:
            continue
        answered.add(args)
        label, rows = result
        assert label == "y"
        by_name = {row[0]: row for row in rows}
        for node, k in zip(ids + [y], [f"a{k}" for k in range(arity)] + ["y"]):
            _, kind, value, grad = by_name[k]
            assert kind == ("input" if node != y else name)
            assert same(value, ev.values[node]), (name, args, k, value, ev.values[node])
            assert same(grad, ev.grads[node]), (name, args, k, grad, ev.grads[node])
    # never answering would pass the loop above: the ordinary points must be answered
    assert set(itertools.product(ORDINARY, repeat=arity)) <= answered


def test_a_network_its_constants_and_another_output():
    graph = parse_text("x = 1.5\nw = -0.25\nh = relu(w * x + 0.5) * x\n"
                       "k = tanh(h) - sin(x) / 2\nloss = k * k + h\n")
    for output in (None, "h", "x"):
        out = None if output is None else graph.find(output)
        reference = evaluate(graph, out)
        _, (label, rows) = replayed(graph, output)
        assert label == (output or "loss")
        for name, kind, value, grad in rows:
            n = graph.find(name)
            assert same(value, reference.values[n]) and same(grad, reference.grads[n]), name
    _, result = replayed(graph, "no_such_node")
    assert result is None
