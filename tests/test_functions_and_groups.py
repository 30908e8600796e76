"""Functions in .gs text and groups in the model: reading a def (and its mistakes), each call a
group, groups through undo, JSON, merge and back to text, and a group as one gate whose local
derivative agrees with finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from graphstudio.core.engine import evaluate
from graphstudio.core.graph import GraphError
from graphstudio.core.groups import group_inputs, group_output, group_problem, local_derivatives
from graphstudio.core.merge import merge_into
from graphstudio.examples import examples_dir
from graphstudio.io.document import DocumentError, from_json, to_json
from graphstudio.io.gs import ParseError, parse_file, parse_text, write_text

SWISH = """\
def swish(x):
    return x * sigmoid(x)

a = 1.5
b = -0.5
y = swish(a)
z = swish(a * b) + y
"""


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_each_call_is_a_group_of_the_functions_nodes():
    graph = parse_text(SWISH)
    groups = list(graph.groups().values())
    assert [g.name for g in groups] == ["swish", "swish"]
    assert groups[0].members.isdisjoint(groups[1].members)
    ops = sorted(graph.op(n) for n in groups[0].members)
    assert ops == ["mul", "sigmoid"]
    assert group_output(graph, groups[0]) == graph.by_name("y")
    assert group_inputs(graph, groups[0]) == [graph.by_name("a")]
    ev = evaluate(graph)
    a, b = 1.5, -0.5
    expected = a * b * sigmoid(a * b) + a * sigmoid(a)
    assert ev.value(graph.by_name("z")) == pytest.approx(expected)


def test_a_call_inside_a_function_belongs_to_the_outer_group():
    graph = parse_text("def sq(x):\n    return x * x\n"
                       "def f(a, b):\n    s = a + b\n    return sq(s) - b\n"
                       "p = 2\nq = 3\nr = f(p, q)\n")
    (group,) = graph.groups().values()
    assert group.name == "f"
    assert sorted(graph.op(n) for n in group.members) == ["add", "mul", "sub"]
    assert evaluate(graph).value(graph.by_name("r")) == 22.0


@pytest.mark.parametrize("text, where, words", [
    ("def f(x):\n    return f(x)\n", "2:12", "cannot be recursive"),
    ("a = 1\ny = f(a)\ndef f(x):\n    return 2 * x\n", "2:5", "called before it is defined (on line 3)"),
    ("q = 2\ndef f(x):\n    return x * q\n", "3:16", "a function sees only its own names"),
    ("def f(x, y):\n    return 2 * x\n", "1:10", "parameter y is not used"),
    ("def f(x):\n    t = exp(x)\n    return 2 * x\n", "2:5", "'t' is assigned but never used"),
    ("def f(x):\n    t = exp(x)\n", "2:5", "must end with 'return'"),
    ("def f(x):\n    return x\n    t = 1\n", "2:5", "'return' must be the last line"),
    ("def f(x):\n    for i in x:\n        pass\n    return x\n", "2:5", "not a loop"),
    ("def f(x=1):\n    return x\n", "1:9", "no defaults"),
    ("def exp(x):\n    return x\n", "1:1", "GraphStudio already has"),
    ("def f(x):\n    return x\ndef f(y):\n    return y\n", "3:1", "defined twice"),
    ("f = 2\ndef f(x):\n    return x\n", "2:1", "names a node (line 1)"),
    ("def f(x):\n    return x\nf = 2\n", "3:1", "the function defined on line 1"),
    ("def f(x):\n    return 2 * x\na = 1\ny = f(a, a)\n", "4:5", "takes 1 argument (x), got 2"),
    ("def f(x):\n    return 2 * x\na = 1\ny = f(x=a)\n", "4:7", "without keywords"),
    ("def f(x):\n    return foo(x)\n", "2:12", "unknown function 'foo'"),
    ("def f(x):\n    return exp(x, x)\n", "2:12", "exp() takes 1 argument, got 2"),
    ("def f(x):\n    def g(y):\n        return y\n    return x\n", "2:5", "inside a function"),
    ("def f(x):\n    exp = x + 1\n    return exp(exp)\n", "2:5", "cannot name a value in f()"),
    ("def f(x):\n    return x.real\n", "2:12", "attribute access is not allowed"),
    ("def f(x):\n    return g(x)\ndef g(x):\n    return f(x)\n", "2:12", "g() is called before"),
    ("def f():\n    return 1\n", "1:1", "takes no parameters"),
    ("def f(x):\n    w = param(1.0)\n    return w * x\n", "2:9", "param() cannot stand in a"),
    ("def f(x):\n    return x * data(\"x\")\n", "2:16", "data() cannot stand in a"),
])
def test_every_misuse_of_a_function_is_located(text, where, words):
    with pytest.raises(ParseError) as err:
        parse_text(text, "t.gs")
    assert str(err.value).startswith(f"t.gs:{where}: "), str(err.value)
    assert words in str(err.value)


def test_a_def_is_read_not_run():
    # a body that would do something if executed is refused where it stands
    with pytest.raises(ParseError, match="not allowed"):
        parse_text("def f(x):\n    return open(x)\n")


def test_text_round_trip_keeps_defs_and_calls():
    graph = parse_text(SWISH)
    text = write_text(graph)
    assert text.startswith("def swish(x):\n    return x * sigmoid(x)\n")
    assert "y = swish(a)\n" in text and "swish(a * b) + y" in text
    again = parse_text(text)
    assert write_text(again) == text
    assert [g.name for g in again.groups().values()] == ["swish", "swish"]
    assert evaluate(again).value(again.by_name("z")) == evaluate(graph).value(graph.by_name("z"))


@pytest.mark.parametrize("name", ["cs231n_sigmoid_gate", "swish_function"])
def test_the_examples_round_trip(name):
    graph = parse_file(examples_dir() / f"{name}.gs")
    text = write_text(graph)
    again = parse_text(text)
    assert write_text(again) == text
    assert len(again.groups()) == len(graph.groups()) >= 1


def test_a_hand_made_group_is_written_as_a_def_of_its_inputs():
    graph = parse_text("a = -1\nb = 3\nc = 4\nx = a + b\ny = b + c\nz = x * y\n")
    graph.add_group("my gate", [graph.by_name(n) for n in "xyz"])
    text = write_text(graph)
    assert "def my_gate(a, b, c):\n    x = a + b\n    y = b + c\n    return x * y\n" in text
    assert "z = my_gate(a, b, c)\n" in text
    again = parse_text(text)
    (group,) = again.groups().values()
    assert group.function == "my_gate"
    assert evaluate(again).grad(again.by_name("b")) == evaluate(graph).grad(graph.by_name("b")) == 9


def test_calls_that_differ_get_defs_of_their_own():
    graph = parse_text("def f(x, y):\n    return x - y\na = 2\nb = 5\nd = f(a, b)\ne = f(d, a)\n")
    text = write_text(graph)
    assert text.count("def ") == 1 and "d = f(a, b)" in text and "e = f(d, a)" in text
    # one call edited inside: it gets a def of its own, the other keeps f
    inner = next(n for n in graph.groups()[1].members if graph.op(n) == "sub")
    graph.set_op(inner, "add")
    text = write_text(graph)
    assert "def f_2(x, y):\n    return x + y" in text and "e = f_2(d, a)" in text
    again = parse_text(text)
    assert evaluate(again).value(again.by_name("e")) == -1.0  # (2 - 5) + 2
    # the same node passed for both parameters reads back to the same values
    same = parse_text("def f(x, y):\n    return x - y\na = 2\nd = f(a, a)\ne = f(d, a)\n")
    again = parse_text(write_text(same))
    assert evaluate(again).value(again.by_name("e")) == -2.0
    assert len(again.groups()) == 2


def test_json_round_trip_keeps_groups_and_collapse():
    graph = parse_text(SWISH)
    first = next(iter(graph.groups()))
    graph.set_group(first, collapsed=False, name="gate")
    back = from_json(to_json(graph)).graph
    assert dict(back.groups()) == dict(graph.groups())


@pytest.mark.parametrize("groups, words", [
    ("nope", "groups: expected a list"),
    ([{"id": 0, "name": "g", "members": [99]}], "groups[0]: there is no node 99"),
    ([{"id": 0, "name": "", "members": [2]}], "groups[0].name"),
    ([{"id": 0, "name": "g", "members": [2], "collapsed": "yes"}], "groups[0].collapsed"),
    ([{"id": 0, "name": "g", "members": [0, 2]}], "a is an input"),
    ([{"id": 0, "name": "g", "members": [2], "params": ["x"], "args": []}], "same length"),
])
def test_bad_groups_in_a_document_are_located(groups, words):
    doc = to_json(parse_text("a = 1\nb = 2\nc = a * b\nd = c + 1\n"))
    doc["groups"] = groups
    with pytest.raises(DocumentError) as err:
        from_json(doc, "doc.json")
    assert str(err.value).startswith("doc.json: ") and words in str(err.value)


def test_what_cannot_be_a_group_is_refused_with_the_reason():
    graph = parse_text("a = 1\nb = 2\nc = a * b\nd = exp(c)\ne = c + d\n")
    c, d, e = (graph.by_name(n) for n in "cde")
    assert "c, d are each used outside" in group_problem(graph, [c, d])
    assert "a is an input" in group_problem(graph, [graph.by_name("a"), c])
    assert "c, e are each used outside" in group_problem(graph, [c, e])  # d is between them
    assert "select the nodes" in group_problem(graph, [])
    tied = parse_text("a = 1\n")
    k = tied.add_const(2.0)
    m = tied.add_op("mul", [tied.by_name("a"), k])
    e = tied.add_op("exp", [m])
    tied.add_op("add", [e, k])
    assert "the constant 2 is also used outside" in group_problem(tied, [k, m, e])
    assert group_problem(tied, [m, e]) is None
    assert group_problem(graph, [d, e]) is None
    with pytest.raises(GraphError, match="used outside"):
        graph.add_group("g", [c, d])
    assert graph.groups() == {}
    gid = graph.add_group("g", [d, e])
    assert "already in the group g" in group_problem(graph, [c, d])
    graph.remove_group(gid)
    assert graph.group_of(d) is None


def test_undo_and_deleting_nodes_keep_groups_right():
    graph = parse_text(SWISH)
    before = graph.snapshot()
    gid = next(iter(graph.groups()))
    y = graph.by_name("y")
    graph.set_group(gid, collapsed=False)
    graph.remove_node(y)
    assert graph.group_of(y) is None and y not in graph.groups()[gid].members
    graph.remove_group(gid)
    graph.revert_to(before)
    assert graph.groups()[gid].collapsed is True and graph.group_of(y) == gid


def test_merge_carries_groups_with_new_ids():
    target = parse_text("k = 1\n")
    ids = merge_into(target, parse_text(SWISH))
    groups = list(target.groups().values())
    assert len(groups) == 2
    assert {g.name for g in groups} == {"swish"}
    assert all(m in ids.values() for g in groups for m in g.members)
    assert groups[0].args == (ids[0],)
    assert "y = swish(a)" in write_text(target)


def _group_value(graph, gid, inputs):
    """The group's output recomputed with its inputs set to ``inputs`` (a fresh graph)."""
    trial = graph.copy()
    for n, v in inputs.items():
        trial.set_value(n, v)
    return evaluate(trial).value(group_output(graph, graph.groups()[gid]))


@pytest.mark.parametrize("text", [
    SWISH,
    (examples_dir() / "cs231n_sigmoid_gate.gs").read_text(),
    "def g(u, v):\n    s = u * v\n    return tanh(s) + u / v\np = 0.7\nq = -1.3\nr = g(p, q) * 2\n",
])
def test_group_local_derivative_matches_finite_differences(text):
    graph = parse_text(text)
    ev = evaluate(graph)
    for gid, group in graph.groups().items():
        derivs = local_derivatives(graph, ev, gid)
        inputs = group_inputs(graph, group)
        assert set(derivs) == set(inputs)
        for n in inputs:
            if not graph.is_leaf(n):
                continue  # an inner value: its perturbation is checked through its leaves
            h = 1e-6
            x = ev.value(n)
            others = {m: ev.value(m) for m in inputs if m != n and graph.is_leaf(m)}
            up = _group_value(graph, gid, {**others, n: x + h})
            down = _group_value(graph, gid, {**others, n: x - h})
            assert derivs[n] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9)


def test_sigmoid_gate_local_derivative_is_the_lectures():
    graph = parse_file(examples_dir() / "cs231n_sigmoid_gate.gs")
    ev = evaluate(graph)
    (gid,) = graph.groups()
    (d,) = local_derivatives(graph, ev, gid).values()
    f = ev.value(graph.by_name("f"))
    assert f == pytest.approx(0.7311, abs=1e-4)
    assert d == pytest.approx((1 - f) * f) and d == pytest.approx(0.1966, abs=1e-4)
    assert ev.grad(graph.by_name("w0")) == pytest.approx(-0.1966, abs=1e-4)
    assert ev.grad(graph.by_name("x1")) == pytest.approx(-0.5898, abs=1e-4)


def test_an_op_as_its_circuit_computes_the_same_and_saves_as_a_def():
    from graphstudio.core.circuits import circuit_text
    from graphstudio.io.gs_defs import with_circuit

    assert circuit_text("sigmoid") == "1/(1 + exp(-x0))"
    assert circuit_text("tanh") == "(exp(x0) - exp(-x0))/(exp(x0) + exp(-x0))"
    assert circuit_text("sqrt") is None and circuit_text("exp") is None  # no simpler circuit
    graph = parse_text("a = 0.5\nb = -2\ny = tanh(a * b)\nz = sigmoid(y) * 3\noutput(z)\n")
    ev = evaluate(graph)
    new = with_circuit(with_circuit(graph, graph.by_name("y")),
                       next(n for n in graph.nodes() if graph.op(n) == "sigmoid"))
    new_ev = evaluate(new)
    for name in ("a", "b"):
        assert new_ev.grad(new.by_name(name)) == pytest.approx(ev.grad(graph.by_name(name)),
                                                               rel=1e-12)
    assert sorted(g.name for g in new.groups().values()) == ["sigmoid", "tanh"]
    assert not any(g.collapsed for g in new.groups().values())
    text = write_text(new)
    assert "def tanh_circuit(x0):\n    return (exp(x0) - exp(-x0)) / (exp(x0) + exp(-x0))" in text
    assert "y = tanh_circuit(a * b)" in text
    assert evaluate(parse_text(text)).value(0) == 0.5
    with pytest.raises(ValueError, match="has no circuit"):
        with_circuit(graph, graph.by_name("z"))


def test_the_command_line_reads_files_with_functions(capsys, tmp_path):
    import json

    from graphstudio.cli import main

    swish = str(examples_dir() / "swish_function.gs")
    assert main(["eval", swish, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    u = 1.5  # dL/du = 2 (h1 + h2) swish'(u), swish'(u) = s + u s (1 - s)
    s = sigmoid(u)
    h = u * s + -0.5 * sigmoid(-0.5)
    assert data["nodes"]["u"]["grad"] == pytest.approx(2 * h * (s + u * s * (1 - s)))
    assert main(["explain", swish, "--node", "u"]) == 0
    out = capsys.readouterr().out
    assert "h1" in out and "swish: one gate" in out and "2.07518·1.04129 = 2.16088" in out
    assert main(["explain", swish, "--paths", "u"]) == 0
    assert "1 path from u to L" in capsys.readouterr().out
    png = tmp_path / "swish.png"
    assert main(["export", swish, "-o", str(png)]) == 0 and png.stat().st_size > 1000
    bad = tmp_path / "bad.gs"
    bad.write_text("def f(x):\n    return f(x)\n")
    assert main(["eval", str(bad)]) != 0
    err = capsys.readouterr().err
    assert f"{bad}:2:12: f() calls itself" in err and "Traceback" not in err
