"""The ``.gs`` reader's fast path and its reading one statement at a time change nothing.

Python's ``ast`` of the whole text, read statement by statement in order, is the definition of
the language (it is how the reader worked before). Three readers must give the same graph,
record for record (source positions included), or the same error, to the character:

* ``parse_text`` as it is: simple lines by the fast path, others by ``ast`` one statement at
  a time, the graph built in bulk;
* the same with the fast path switched off (every statement by ``ast``);
* the whole text's ``ast``, read as before (:func:`whole_text_reader`).

They are compared on every example, on texts the writer makes, and on random texts that mix
simple lines with everything the fast path leaves to ``ast``.
"""

from __future__ import annotations

import ast
import math
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphstudio.core.graph import Graph
from graphstudio.examples import example_files
from graphstudio.io import gs, gs_fast
from graphstudio.io.gs import ParseError, parse_text, write_text

# ---- the readers -------------------------------------------------------------------------------


def whole_text_reader(text: str, filename: str = "f.gs", graph: Graph | None = None) -> Graph:
    """The reader before it read one statement at a time: Python's ``ast`` of the whole text,
    every name it calls and assigns from that, then each statement in order."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename="<text>")
    except SyntaxError as exc:
        raise ParseError(filename, exc.lineno or 1, exc.offset or 1,
                         f"syntax error: {gs._first_line(exc.msg)}") from None
    except (RecursionError, MemoryError):
        raise ParseError(filename, gs._too_deep_line(text), 1, gs.TOO_DEEP) from None
    graph = graph if graph is not None else Graph()
    called = {}
    for call in gs.calls_in(tree.body):
        called.setdefault(call.func.id, (call.lineno, call.col_offset + 1))
    later = {}
    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            later.setdefault(stmt.targets[0].id, stmt.lineno)
    bulk = graph.bulk()
    ctx = gs._Context(filename, graph, {}, later, called, bulk)
    for name in graph.names():
        ctx.assigned[name] = (0, 0)
    for stmt in tree.body:
        try:
            gs._top_statement(ctx, stmt)
        except RecursionError:
            raise ParseError(filename, stmt.lineno, stmt.col_offset + 1, gs.TOO_DEEP) from None
    bulk.commit()
    gs.finish(ctx)
    return graph


def without_fast_path(text: str, filename: str = "f.gs", graph: Graph | None = None) -> Graph:
    real = gs_fast.simple_statement
    gs_fast.simple_statement = lambda line, number, rules: None
    try:
        return parse_text(text, filename, graph)
    finally:
        gs_fast.simple_statement = real


def outcome(reader, text: str):
    """What a reader makes of ``text``: the graph as plain data, or the error's text."""
    try:
        graph = reader(text, "f.gs")
    except ParseError as exc:
        return ("error", str(exc))
    return ("graph", picture(graph))


def picture(graph: Graph):
    """Everything about a graph, as data that compares with == (NaN and -0.0 as text)."""
    def plain(record):
        return tuple(repr(v.tolist()) if hasattr(v, "tolist") else
                     repr(v) if isinstance(v, float) else v for v in record)
    return ([(n, plain(graph.node(n))) for n in graph.nodes()],
            list(graph.g.edges(keys=True, data=True)),
            sorted(graph.names().items()), dict(graph.meta), graph.output,
            graph.default_output())


def assert_all_agree(text: str) -> tuple:
    want = outcome(whole_text_reader, text)
    assert outcome(without_fast_path, text) == want, text
    assert outcome(parse_text, text) == want, text
    return want


# ---- the examples and the writer's texts -----------------------------------------------------


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_example_reads_the_same(path):
    kind, _ = assert_all_agree(path.read_text(encoding="utf-8"))
    assert kind == "graph"


def neuron_network_text() -> str:
    """The text the writer makes of a small neuron-level network."""
    g = Graph()
    xs = [g.add_input(f"x{k}", 0.1 * k) for k in range(1, 9)]
    acc = g.add_input("b", -0.5, trainable=True)
    for k, x in enumerate(xs, start=1):
        w = g.add_input(f"w{k}", 0.25 - 0.1 * k, trainable=True)
        acc = g.add_op("add", [acc, g.add_op("mul", [w, x])])
    h = g.add_op("relu", [acc], name="h")
    d = g.add_op("sub", [h, g.add_const(0.5)])
    g.add_op("mul", [d, d], name="loss")
    return write_text(g)


def test_the_fast_path_reads_most_lines_of_a_network():
    """What it is for: in a text the writer makes of a neuron-level network, every
    assignment is read without ``ast``."""
    text = neuron_network_text()
    rules = gs_fast.grammar()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert all(gs_fast.simple_statement(line, 1, rules) is not None for line in lines), text
    kind, _ = assert_all_agree(text)
    assert kind == "graph"


@pytest.mark.parametrize("text", [
    # signs, literals and their positions
    "a = -3\nb = +3\nc = -(-3)\nd = -(3)\ne = 2 ** -1\nf = -a ** 2\ng = (-a) ** 2\n",
    "a = 1\nb = -a\nc = +a\nd = (a)\ne = ((a))\nf = - - a\ng = -inf\nh = nan\ni = -nan\n",
    "a = 1.\nb = .5\nc = 1e3\nd = 1.5e-3\ne = 00\nf = 0.0\ng = -0.0\nh = 1E400\n",
    "a = 1\nz = (a + 2) * (3 - a) / a @ a - a ** a ** 2\n",
    "x = 2\nz = max(x, 3,)\nw = max(x)\nv = exp((x))\n",
    "x = 2\ny = x\nz = y\n",
    "x = 2 # a comment with ( and 'quotes' and é\n\n   # an indented comment\ny = x * x\n",
    "w = param(0.5)\nv = param(-2)\nx = 1\nz = w * x + v\n",
    "x=1\ny=x*x\nz  =  y\t+\tx\n",
    # the fast path leaves these to ast: they must read as ast reads them
    "x = 1\ny = 1_000 * x\nz = 0x1f + y\n",
    "x = 1\ny = x if x else x\n",
    "x = 1\nz = x; y = x\n",
    "W = param([[1, 2],\n           [3, 4]])\nz = sum(W)\n",
    'dataset("d.csv")\nx = data("x")\ny = data(["a", "b"])\nz = x * sum(y)\n',
    "x = 1\ny = x * \\\n    x\n",
    "x = 1\ny = (x +\n     x)\nz = y\n",
    "s = '''\nz = a + b\n'''\n",
    "x = 1\nif x:\n    y = 2\nz = x\n",
    "x = 1\nz = x * x\noutput(x)\nseed(z, 2)\n",
    "x = 1\nz = " + "sin(" * 60 + "x" + ")" * 60 + "\n",  # deeper than the fast path goes
    "x = 1\nz = " + " + ".join(["x"] * 150) + "\n",  # longer than the fast path goes
])
def test_tricky_texts_read_the_same(text):
    assert_all_agree(text)


@pytest.mark.parametrize("text", [
    "x = 1\ny = x +\n",  # a syntax error at the end of a line
    "x = 1\ny = (x\nz = 3\n",  # an unclosed parenthesis that swallows the next line
    "x = 1\ny = z\nw = 1 +\n",  # a syntax error after an unknown name: the syntax error first
    "x = 1\nsum = x\nz = sum(x)\n",  # a name the text also calls
    "z = sum(x)\nsum = 1\n",
    "x = 1\nz = x(2)\n",  # a node called
    "x = 1\nz = y + x\ny = 2\n",  # used before it is assigned
    "x = 1\nx = 2\n",
    "inf = 1\n",
    "x = 1\nz = exp(x, x)\n",
    "x = 1\nz = param(x)\n",
    "x = 1\nz = x ** ** x\n",
    "x = 1\nz = x == x\n",
    "x = 1\nz = a = x\n",
    "x = 007\n",
    "x = 1\nz = sin(x)(x)\n",
    "x = 1\nz = (x, x)\n",
    "x = 1\n  z = x\n",
    "x = 1\nz = " + " + ".join(["x"] * 3000) + "\n",  # too deep for the ast reader
    "x = 1\nz = " + "(" * 250 + "x" + ")" * 250 + "\n",  # more than Python's 200 parentheses
    "x = 1\nz = 1" + "0" * 400 + " * x\n",
    "x = 1\nz = x.y\n",
    "x = 1\nz = x // x\n",
    "x = 1\nz = unknown(x)\n",
    "x = 1\nz = exp\n",
    "output(z)\n",
    "x = 1\nseed(x, 1)\nseed(x, 2)\n",
])
def test_bad_texts_give_the_same_error(text):
    kind, _ = assert_all_agree(text)
    assert kind == "error"


def test_a_text_read_into_a_graph_keeps_it_unless_it_is_read_whole():
    """The expression bar reads into the document's graph: a text with an error leaves it as
    it was, even when the error comes late (the graph changes only at the end)."""
    g = parse_text("a = 1\nb = 2\n")
    before = picture(g)
    with pytest.raises(ParseError):
        parse_text("c = a * b\nseed(c, 2)\noutput(c)\nd = nope(c)\n", graph=g)
    assert picture(g) == before
    parse_text("c = a * b\nseed(c, 2)\noutput(c)\n", graph=g)
    assert g.node(g.by_name("c")).seed == 2.0 and g.output == g.by_name("c")


# ---- random texts ------------------------------------------------------------------------------

NAMES = ["a", "b", "c", "x1", "w_2", "sum", "exp", "inf", "param", "z", "None", "_t"]
NUMBERS = ["0", "1", "2.5", "-3", ".5", "3.", "1e3", "2E-2", "007", "1_0", "0x1f", "1e400",
           "00", "0.0"]
CALLS = ["sin", "exp", "max", "min", "sum", "relu", "tanh", "sqrt", "log", "param", "nope",
         "abs", "sigmoid", "seed"]
OPS = ["+", "-", "*", "/", "**", "@", "//", "%", "==", ","]


@st.composite
def expressions(draw, depth=0):
    kind = draw(st.integers(0, 9 if depth < 4 else 2))
    if kind <= 1:
        return draw(st.sampled_from(NAMES))
    if kind == 2:
        return draw(st.sampled_from(NUMBERS))
    if kind <= 4:
        op = draw(st.sampled_from(OPS[:6] if draw(st.integers(0, 9)) else OPS))
        space = draw(st.sampled_from([" ", "", "  "]))
        return (draw(expressions(depth + 1)) + space + op + space
                + draw(expressions(depth + 1)))
    if kind == 5:
        sign = draw(st.sampled_from(["-", "+", "- ", "-(", "+("]))
        return sign + draw(expressions(depth + 1)) + (")" if "(" in sign else "")
    if kind == 6:
        return "(" + draw(expressions(depth + 1)) + ")"
    count = draw(st.integers(0, 3))
    args = ", ".join(draw(expressions(depth + 1)) for _ in range(count))
    if count and draw(st.booleans()) and draw(st.booleans()):
        args += ","
    return draw(st.sampled_from(CALLS)) + "(" + args + ")"


@st.composite
def texts(draw):
    lines = []
    for _ in range(draw(st.integers(1, 10))):
        kind = draw(st.integers(0, 12))
        if kind == 0:
            lines.append(draw(st.sampled_from(["", "# note (", "   ", "  # x = (", "\t"])))
        elif kind == 1:
            name = draw(st.sampled_from(NAMES))
            lines.append(draw(st.sampled_from([f"output({name})", f"seed({name}, 2)",
                                               f"{name} = param(0.5)", f"{name} = [1, -2]"])))
        else:
            target = draw(st.sampled_from(NAMES))
            lead = " " if draw(st.integers(0, 30)) == 0 else ""
            comment = draw(st.sampled_from(["", "", " # c", "# (("]))
            lines.append(f"{lead}{target} = {draw(expressions())}{comment}")
    # most texts first assign a few inputs, so that later lines can use them
    head = draw(st.sampled_from(["", "a = 1\nb = -2\nc = 0.5\n", "a = 1\nx1 = 3\nw_2 = 2\n"]))
    return head + "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts())
def test_random_texts_read_the_same(text):
    assert_all_agree(text)


@settings(max_examples=100, deadline=None)
@given(text=texts())
def test_random_texts_read_into_a_graph_the_same(text):
    """The expression bar's case: the text is read into a graph that holds nodes already."""
    def into(reader):
        def read(body, filename):
            g = Graph()
            g.add_input("a", 1.0)
            g.add_input("sin", 2.0)  # a node named like a function the text may call
            return reader(body, filename, g)
        return read
    want = outcome(into(whole_text_reader), text)
    assert outcome(into(parse_text), text) == want
    assert outcome(into(without_fast_path), text) == want


def test_numbers_read_exactly_as_python_reads_them():
    rules = gs_fast.grammar()
    for text in ["0.1", "1e-320", "123456789012345678901234567890", "4.9e-324", "1.7976931348623157e308",
                 "2.5e+3", "9007199254740993"]:
        plan = gs_fast.simple_statement(f"x = {text}", 1, rules)
        assert plan is not None and plan.literal == float(ast.literal_eval(text)), text
    assert math.isinf(gs_fast.simple_statement("x = 1e999", 1, rules).literal)


def test_nested_calls_read_by_splitting_are_read_as_token_by_token():
    """``u = f(g(h(x)))`` lines are split rather than tokenised: the plan must be the one the
    token-by-token reader makes (and None where it gives None), for the writer's chains and
    for lines near every edge (keywords, number words, param, ops with a parameter, names
    that are no op, depth around MAX_DEPTH, unbalanced parentheses, trailing blanks)."""
    import random

    rules = gs_fast.grammar()
    rng = random.Random(11)
    words = ["sin", "cos", "exp", "relu", "tanh", "log", "sqrt", "abs", "sigmoid", "identity",
             "neg", "sum", "param", "reshape", "transpose", "inf", "nan", "x", "if", "not",
             "lambda", "foo", "print", "True", "None", "_y", "u16", "seed", "output"]
    plain = words[:10]
    depth = gs_fast.MAX_DEPTH
    lines = [f"u{16 * (k + 1)} = {'sin(' * 16}u{16 * k}{')' * 16}" for k in range(1, 20)]
    for _ in range(3000):
        d = rng.choice([1, 2, 3, 16, depth - 1, depth, depth + 1])
        calls = [rng.choice(plain) if rng.random() < 0.99 else rng.choice(words)
                 for _ in range(d)]
        closing = ")" * (d + rng.choice([0] * 8 + [1, -1]))
        tail = rng.choice(["", "", " ", "\t", "  # a comment", "\n"])
        target = rng.choice(words) if rng.random() < 0.2 else "u7"
        inner = rng.choice(words) if rng.random() < 0.2 else "x3"
        lines.append(f"{target} = {'('.join(calls)}({inner}{closing}{tail}")
    split = 0
    for number, line in enumerate(lines, start=1):
        plan = gs_fast.simple_statement(line, number, rules)
        assert repr(plan) == repr(gs_fast._simple_statement(line, number, rules)), line
        nested = gs_fast.nested_line(line)
        split += nested is not None and gs_fast._nested_calls(nested, number) is not None
    assert split > 500  # a good part of them took the split path


def test_a_name_and_a_number_read_by_one_expression_are_read_as_token_by_token():
    """``x = -0.5`` lines are read by one regular expression: the plan must be the one the
    token-by-token reader makes (and None where it gives None), for numbers of every form
    Python writes and near every edge (signs, leading zeros, exponents, keywords, number
    words, blanks, comments)."""
    import random

    rules = gs_fast.grammar()
    rng = random.Random(5)
    targets = ["x", "w1_2", "_t", "None", "if", "inf", "nan", "param", "sum", "x y", "1x", "é"]
    numbers = ["0", "-0", "0.0", "-0.0", "007", "00", "0.5", ".5", "-.5", "5.", "1e3", "1E-3",
               "2.5e+3", "1e999", "-1e999", "4.9e-324", "1_000", "0x1f", "1j", "--1", "- 1",
               "+1", "inf", "-inf", "nan", "1e", ".", "-", "1.2.3", "9" * 301, "9" * 299,
               "123456789012345678901234567890", repr(rng.uniform(-1, 1))]
    lines = []
    for _ in range(3000):
        target = rng.choice(targets) if rng.random() < 0.3 else "x3"
        number = rng.choice(numbers) if rng.random() < 0.7 else repr(rng.uniform(-1e6, 1e6))
        equals = rng.choice([" = "] * 8 + ["=", " =  ", "\t=\t"])
        tail = rng.choice(["", "", " ", "\t", "  # a comment", "\n", ")"])
        lines.append(f"{target}{equals}{number}{tail}")
    quick = 0
    for number, line in enumerate(lines, start=1):
        plan = gs_fast.simple_statement(line, number, rules)
        assert repr(plan) == repr(gs_fast._simple_statement(line, number, rules)), line
        quick += gs_fast.literal_line(line) is not None
    assert quick > 500  # a good part of them took the quick path


@pytest.mark.parametrize("inputs", [28, 99, 100])
def test_a_neuron_of_many_inputs_reads_the_same(inputs):
    """A first layer's neuron sums dozens of products: up to 99 inputs (MAX_STEPS, 4 steps an
    input) the fast path reads its line, beyond that ``ast`` does; the graphs are the same."""
    lines = [f"x{k} = {0.1 * k!r}" for k in range(inputs)]
    lines += [f"w{k} = param({0.25 - 0.01 * k!r})" for k in range(inputs)]
    lines.append("b = param(-0.5)")
    neuron = "h = relu(b + " + " + ".join(f"w{k} * x{k}" for k in range(inputs)) + ")"
    lines += [neuron, "loss = h * h"]
    fast = gs_fast.simple_statement(neuron, 1, gs_fast.grammar())
    assert (fast is not None) == (inputs < 100)
    kind, _ = assert_all_agree("\n".join(lines) + "\n")
    assert kind == "graph"
