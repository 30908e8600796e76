"""The expression text format: every error with its message and FILE:LINE:COL, the round trip
through ``write_text``, and proof that nothing in a file is executed."""

from __future__ import annotations

import numpy as np
import pytest

from graphstudio.core.engine import evaluate
from graphstudio.core.graph import Graph
from graphstudio.core.ops import call_names
from graphstudio.examples import example_files
from graphstudio.io.gs import ParseError, parse_file, parse_text, write_text

KNOWN = ", ".join(call_names())

ERRORS = [
    ("used before assigned", "z = x + 1\nx = 2\n",
     "f.gs:1:5: 'x' is used before it is assigned (on line 2)"),
    ("assigned twice", "x = 1\ny = x\nx = 2\n",
     "f.gs:3:1: 'x' is assigned twice (first on line 1)"),
    ("unknown function", "x = 1\ny = foo(x)\n",
     f"f.gs:2:5: unknown function 'foo'; known functions: {KNOWN}"),
    ("wrong number of arguments", "x = 1\ny = 2 * exp(x, x)\n",
     "f.gs:2:9: exp() takes 1 argument, got 2"),
    ("wrong number of arguments (max)", "x = 1\ny = max(x, x, x)\n",
     "f.gs:2:5: max() takes 1 or 2 arguments, got 3"),
    ("syntax error", "x = 1\ny = x +\n", "f.gs:2:8: syntax error: invalid syntax"),
    ("__import__", "x = __import__('os')\n",
     "f.gs:1:5: '__import__' is not allowed: nothing in a GraphStudio file is executed"),
    ("attribute access", "x = 1\ny = x.real\n",
     "f.gs:2:5: attribute access is not allowed in GraphStudio expressions"),
    ("attribute call", "x = __import__('os').system('true')\n",
     "f.gs:1:5: attribute access is not allowed; call a function by name, as in exp(x)"),
    ("lambda", "f = lambda t: t\n",
     "f.gs:1:5: a lambda is not allowed in GraphStudio expressions"),
    ("comprehension", "x = [1, 2]\nv = [t for t in x]\n",
     "f.gs:2:5: a comprehension is not allowed in GraphStudio expressions"),
    ("eval", "y = eval('1')\n",
     "f.gs:1:5: 'eval' is not allowed: nothing in a GraphStudio file is executed"),
    ("unknown name", "a = 1\ny = a + q\n",
     "f.gs:2:9: unknown name 'q': assign it first, as in 'q = 1'"),
    ("ragged array", "x = [[1, 2], [3]]\n",
     "f.gs:1:5: ragged array literal: every row must have the same length"),
    ("non-assignment statement", "x = 1\nx + 1\n",
     "f.gs:2:1: expected an assignment 'name = expression', found a bare expression"),
    ("import statement", "import os\n",
     "f.gs:1:1: expected an assignment 'name = expression', found 'import'"),
    ("function name as a value", "x = 1\ny = exp + x\n",
     "f.gs:2:5: 'exp' is a function: call it, as in exp(x)"),
    ("naming a node after a function the file calls", "exp = 1\ny = exp(exp)\n",
     "f.gs:1:1: 'exp' cannot name a node: line 2 calls the function exp(), and a name is a "
     "node or a function in one file; choose another name"),
    ("calling a function before naming a node after it", "v = [1, 2]\nz = sum(v)\nsum = 2\n",
     "f.gs:3:1: 'sum' cannot name a node: line 2 calls the function sum(), and a name is a "
     "node or a function in one file; choose another name"),
]


@pytest.mark.parametrize("text,message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_parse_error_message_and_position(text, message):
    with pytest.raises(ParseError) as exc:
        parse_text(text, "f.gs")
    assert str(exc.value) == message
    line, col = message.split(":")[1:3]
    assert (exc.value.line, exc.value.col) == (int(line), int(col))


@pytest.mark.parametrize("word", ["exp", "max", "amax", "neg", "add", "mul", "pow", "sum",
                                  "param", "data", "dataset"])
def test_a_name_the_file_does_not_call_may_name_a_node(word):
    # the graph, the file and the expression bar share one rule (ops.reserved_name): a name is
    # refused only where the same text calls it as a function
    from graphstudio.ui.commands import free_names

    assert Graph().add_input(word, 1.0) is not None
    g = parse_text(f"{word} = 2\nz = {word} * 3 + 1")
    ev = evaluate(g)
    assert ev.values[g.by_name("z")] == 7.0 and ev.grads[g.by_name(word)] == 3.0
    assert write_text(g) == f"{word} = 2\nz = {word} * 3 + 1\n"
    # the expression bar makes an unknown name an input, unless the text calls it
    free = free_names(f"z = {word} + a", Graph())
    from graphstudio.core.ops import call_arities
    assert free == (["a"] if call_arities(word) else [word, "a"])
    assert free_names(f"z = {word}(a) + b", Graph()) == ["a", "b"]


def test_a_called_name_cannot_name_a_node_of_the_graph_the_text_is_added_to():
    g = parse_text("v = [1, 2]\nsum = 3")
    with pytest.raises(ParseError) as exc:
        parse_text("z = sum(v)", "expression", graph=g)
    assert str(exc.value) == ("expression:1:5: 'sum' names a node of the graph, so it cannot be "
                              "called here; rename the node to call the function sum()")


def test_the_writer_refuses_a_node_named_after_a_function_the_graph_calls():
    g = parse_text("v = [1, 2]\nt = sum(v)")
    g.rename(g.by_name("v"), "sum")  # the model allows it; only the text cannot hold both
    with pytest.raises(ValueError, match="the node sum has the name of the function sum"):
        write_text(g)
    g.rename(g.by_name("sum"), "add")
    assert write_text(g) == "add = [1, 2]\nt = sum(add)\n"


def test_unclosed_bracket_is_a_located_syntax_error():
    with pytest.raises(ParseError) as exc:
        parse_text("x = 1\ny = (x + 2\n", "f.gs")
    assert exc.value.filename == "f.gs" and exc.value.line == 2
    assert exc.value.message.startswith("syntax error: ")


def test_parse_file_names_the_file(tmp_path):
    path = tmp_path / "bad.gs"
    path.write_text("a = 1\nb = a ** c\n", encoding="utf-8")
    with pytest.raises(ParseError) as exc:
        parse_file(path)
    assert str(exc.value) == f"{path}:2:10: unknown name 'c': assign it first, as in 'c = 1'"
    with pytest.raises(ParseError, match="cannot read the file"):
        parse_file(tmp_path / "missing.gs")


def test_nothing_in_a_file_is_executed(tmp_path):
    marker = tmp_path / "marker"
    attacks = [
        f"x = __import__('os').system('touch {marker}')\n",
        f"__import__('os').system('touch {marker}')\n",
        f"x = eval(\"__import__('os').system('touch {marker}')\")\n",
        f"x = exec(\"open('{marker}', 'w')\")\n",
        f"x = open('{marker}', 'w')\n",
        f"x = [open('{marker}', 'w') for t in [1]]\n",
        f"f = lambda: open('{marker}', 'w')\n",
    ]
    for text in attacks:
        path = tmp_path / "attack.gs"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ParseError):
            parse_file(path)
        assert not marker.exists(), text


# ---- what the format means ----------------------------------------------------------------------


def test_literals_make_inputs_and_numbers_in_expressions_make_constants():
    g = parse_text("a = -1.5\nW = [[1, 2], [-3, 4]]\nP = param([0.5, 1])\nz = 2 * a")
    n = g.by_name
    assert g.op(n("a")) == "input" and g.value(n("a")) == -1.5
    np.testing.assert_array_equal(g.value(n("W")), [[1, 2], [-3, 4]])
    assert g.node(n("P")).trainable is True
    assert g.op(n("z")) == "mul"
    assert [g.op(p) for p in g.parents(n("z"))] == ["const", "input"]
    assert g.node(n("z")).source == (4, 1)


def test_max_with_one_argument_reduces():
    g = parse_text("v = [1, 5, 2]\nm = max(v)\nw = min(v, 3)")
    assert g.op(g.by_name("m")) == "amax"
    assert g.op(g.by_name("w")) == "min"


# ---- round trip -------------------------------------------------------------------------------


def results(graph):
    ev = evaluate(graph)
    return {name: (ev.values[n], ev.grads[n]) for name, n in graph.names().items()}


def assert_same_results(a, b):
    assert a.keys() <= b.keys()
    for name in a:
        for x, y in zip(a[name], b[name]):
            np.testing.assert_allclose(x, y, rtol=0, atol=0, err_msg=name)


@pytest.mark.parametrize("path", [p for p in example_files() if p.suffix == ".gs"],
                         ids=lambda p: p.name)
def test_write_text_round_trip_of_examples(path):
    first = parse_file(path)
    text = write_text(first)
    second = parse_text(text, "round-trip.gs")
    assert_same_results(results(first), results(second))
    assert write_text(second) == text  # and it is stable
    for name, n in first.names().items():
        assert second.node(second.by_name(name)).trainable == first.node(n).trainable


def test_write_text_round_trip_keeps_order_precedence_and_sharing():
    src = ("a = 2\nb = -3\nc = [1, 2]\n"
           "z = (a - b) - (a - (b - 1)) / 2 ** -a ** 2 + -(a * b)\n"
           "w = sum(exp(c * a) @ c) + max(c) + min(a, b)\n"
           "s = a + b\nt = s * s\ny = z + w + t\n")
    first = parse_text(src)
    shared = parse_text("a = 2\nb = 3\n")
    u = shared.add_op("add", [shared.by_name("a"), shared.by_name("b")])  # unnamed, used twice
    shared.add_op("mul", [u, u], name="y")
    for graph in (first, shared):
        second = parse_text(write_text(graph))
        assert_same_results(results(graph), results(second))
    assert evaluate(shared).values[shared.by_name("y")] == 25.0


# ---- long expressions -------------------------------------------------------------------------


def test_too_deep_expression_is_a_located_error_not_a_crash():
    text = "x = 1\ny = 2\nz = " + " + ".join(["x"] * 3000) + "\n"
    with pytest.raises(ParseError) as exc:
        parse_text(text, "f.gs")
    assert str(exc.value) == ("f.gs:3:1: expression nested too deeply (about 1,000 levels); "
                              "split it into several assignments")
    long_but_fine = parse_text("x = 1\nz = " + " + ".join(["x"] * 500) + "\n")
    assert evaluate(long_but_fine).values[long_but_fine.by_name("z")] == 500.0


def test_write_text_of_a_long_unnamed_chain_parses_back():
    g = Graph()
    x = g.add_input("x", 0.5)
    u = x
    for _ in range(3000):
        u = g.add_op("sin", [u])
    g.rename(u, "y")
    text = write_text(g)
    assert max(line.count("(") for line in text.splitlines()) <= 20  # readable lines
    back = parse_text(text)
    assert evaluate(back).values[back.by_name("y")] == evaluate(g).values[u]
    assert evaluate(back).grads[back.by_name("x")] == evaluate(g).grads[x]


def test_a_file_with_a_byte_order_mark_and_windows_line_ends_reads(tmp_path):
    path = tmp_path / "bom.gs"
    path.write_bytes(b"\xef\xbb\xbfa = 1\r\nb = a * 2\r\n")
    g = parse_file(path)
    assert evaluate(g).values[g.by_name("b")] == 2.0


def test_writing_an_unfinished_graph_as_text_is_refused_with_a_reason():
    from graphstudio.core.graph import Graph

    g = Graph()
    a = g.add_input("a", 1.0)
    z = g.add_node("mul", name="z")
    g.connect(a, z, 0)  # argument 2 left open
    with pytest.raises(ValueError, match=r"argument 2 of z \(mul\) is not connected.*\.json"):
        write_text(g)
