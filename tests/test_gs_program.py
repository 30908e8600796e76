"""The first ``eval`` of a ``.gs`` text of numbers reads it straight into its scalar program
(io/gs_program.py), without building a graph. Read both ways, a text must give the same
program, byte for byte once encoded: the one the full reader's graph compiles to. A text it is
not sure of (anything the full reader refuses or reads otherwise) it leaves to the full reader,
which then prints what it prints today, messages included.

Compared on every example, the writer's chains and networks, texts near every edge and random
texts; and through the command, against ``--no-cache`` (which always takes the full reader)."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_gs_fast import neuron_network_text, texts
from test_program_cache import entries, network_text, run

import graphstudio.io as gs_io
from graphstudio.core import program_cache, scalar_program
from graphstudio.core.engine import compile_graph
from graphstudio.core.graph import Graph
from graphstudio.examples import example_files
from graphstudio.io import gs_fast, gs_program
from graphstudio.io.gs import ParseError, parse_text, write_text
from graphstudio.io.gs_fast import MAX_STEPS, simple_statement


def full_entry(text: str) -> bytes | str | None:
    """The entry of the program the full reader's graph compiles to (with the file's own
    output), "error" when it refuses the text, None when the entry would need numpy."""
    try:  # (decoded as a file is read: a byte-order mark is not part of the text)
        graph = parse_text(text.encode().decode("utf-8-sig"), "f.gs")
    except ParseError:
        return "error"
    if not len(graph) or graph.meta:
        return None
    program = compile_graph(graph)
    if any(type(v) is not float for v in program.leaf_values if v is not None):
        return None
    nodes = graph.in_order(graph.names().values())
    records = graph.records()
    out = graph.default_output()
    return program_cache._scalar_entry("k", program, [records[n].name for n in nodes], nodes,
                                       out, graph.label(out))


def lean_entry(text: str) -> bytes | None:
    program = gs_program.read_program(text.encode())
    return None if program is None else scalar_program.encode_program("k", program)


def assert_same(text: str) -> bytes | None:
    """Both ways give the same entry, or the text is left to the full reader."""
    lean = lean_entry(text)
    if lean is not None:
        assert lean == full_entry(text), text
    return lean


def chain(n: int, calls: str = "sin") -> str:
    """A chain as the writer writes it (one line per 16 nodes)."""
    g = Graph()
    u = g.add_input("x", 0.5)
    for k in range(n - 1):
        u = g.add_op(calls.split()[k % len(calls.split())], [u])
    return write_text(g)


def mlp(sizes: tuple[int, ...], seed: int = 0) -> str:
    """A neuron-level MLP as the writer writes it: runs of inputs and parameters, each neuron
    ``relu(b + w1 * x1 + ...)`` on lines of sums of products, the loss ``(out - 0.5)²``."""
    rng = random.Random(seed)
    g = Graph()
    layer = [g.add_input(f"x{i}", rng.uniform(-1, 1)) for i in range(1, sizes[0] + 1)]
    for depth, width in enumerate(sizes[1:], start=1):
        nxt = []
        for j in range(1, width + 1):
            acc = g.add_input(f"b{depth}_{j}", rng.uniform(-0.1, 0.1), trainable=True)
            for k, x in enumerate(layer, start=1):
                w = g.add_input(f"w{depth}_{j}_{k}", rng.uniform(-1, 1), trainable=True)
                acc = g.add_op("add", [acc, g.add_op("mul", [w, x])])
            nxt.append(g.add_op("relu", [acc], name=f"h{depth}_{j}")
                       if depth < len(sizes) - 1 else acc)
        layer = nxt
    d = g.add_op("sub", [layer[0], g.add_const(0.5)])
    g.add_op("mul", [d, d], name="loss")
    return write_text(g)


@pytest.mark.parametrize("text", [chain(2), chain(17), chain(1000), chain(300, "sin cos tanh"),
                                  neuron_network_text(), network_text(1), network_text(4),
                                  mlp((40, 8, 5, 1)), mlp((3, 2, 1), seed=1)],
                         ids=["chain2", "chain17", "chain1000", "mixed", "neurons", "net1",
                              "net4", "mlp", "small-mlp"])
def test_what_it_is_for_reads_the_same_both_ways(text):
    assert assert_same(text) is not None


def test_a_network_is_read_by_the_shortcuts_for_its_common_lines(monkeypatch):
    """What the runs of inputs and the sums of products are for: no line of an MLP as the
    writer writes it is read token by token."""
    text = mlp((40, 8, 5, 1))
    assert "+ w1_1_20 * x20 + " in text and "param(" in text  # (lines of sums, parameters)
    read = []
    with monkeypatch.context() as m:
        m.setattr(gs_fast, "simple_statement",
                  lambda line, *args: read.append(line) or simple_statement(line, *args))
        lean = lean_entry(text)
    assert read == [] and lean == full_entry(text)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_example_reads_the_same_or_is_left_to_the_full_reader(path):
    assert_same(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text, read", [
    # the output: the only op node that feeds nothing, else the last named node
    ("a = 1\nc = sin(a)\nb = 2\n", True),
    ("a = 1\nc = sin(a)\nd = cos(a)\nb = 2\n", True),
    ("a = 1\nb = 2\n", True),
    ("a = 1\n", True),
    # kinds listed in the order of their first node, not of their first mention
    ("a = 1\nz = sin(cos(tanh(a)))\ny = exp(sin(z))\n", True),
    # names, copies, constants, parameters, signs, comments, blank lines
    ("x = 2\ny = x\nz = y\nw = +x\nv = (x)\n", True),
    ("w = param(0.5)\nv = param(-2)\nx = 1\nz = w * x + v - 3\n", True),
    ("a = -3\nb = -a\nc = - - a\nd = 2.5e-3 * a / b\n", True),
    ("# a comment\n\nx = 1  # and another\n   \ny = sin(x)\n", True),
    ("x = 1\r\ny = sin(x)\r\n", True),
    ("\ufeffx = 1\ny = sin(x)\n", True),
    ("x = 1e400\ny = sin(x)\n", True),  # an input that is inf: read; the passes say more
    ("x = 1\nz = sin(inf) * x\n", True),  # a constant written as a word
    # left to the full reader: errors...
    ("y = sin(x)\nx = 1\n", False),
    ("x = 1\nx = 2\n", False),
    ("x = 1\nsin = x\nz = sin(x)\n", False),
    ("x = 1\nz = sin(x)\nsin = 2\n", False),
    ("z = sin(x)\n", False),
    ("inf = 1\n", False),
    ("x = 1\nz = unknown(x)\n", False),
    ("x = 007\n", False),
    ("", False),
    ("# only a comment\n", False),
    # ...and everything else: ops whose rules need numpy, arrays, lines that are not simple
    ("x = 2\nz = x ** 2\n", False),
    ("x = 2\nz = max(x, 1)\n", False),
    ("x = [1, 2]\nz = sum(x)\n", False),
    ("x = 1\nz = sin(x)\noutput(x)\n", False),
    ("x = 1\nz = x * x\nseed(z, 2)\n", False),
    ("x = 1\ny = (x +\n     x)\n", False),
    ("x = 1\nz = " + "sin(" * 60 + "x" + ")" * 60 + "\n", False),
    # runs of inputs and parameters
    ("x = 1\ny = 2.5\nw = param(-0)\nv = param(1.e5)\nu = -.5e-3\nz = 00\nt = 0\n", True),
    ("x = 1\n# a note\n\ny = param(2)  \t\nz = -1E+2\r\nq = x * y\n", True),
    ("x = 1\ny = 2\nx = 3\n", False),  # a name assigned twice in one run
    ("x = 1\ny = 2\n\nx = param(3)\n", False),  # ...in two runs
    ("x = 1\nif = 2\n", False),  # a keyword
    ("x = 1\nnan = param(2)\n", False),  # a number word
    ("x = 1\ny = 007\n", False),  # an integer Python does not read
    ("x = 1\ny = param(007)\n", False),
    ("x = 1\ny = " + "9" * 300 + "\n", True),
    ("x = 1\ny = " + "9" * 301 + "\n", False),  # too long for the fast path: ast says
    ("param = 1\nw = param(2)\n", False),  # param assigned, then called
    ("w = param(2)\nparam = 1\n", False),  # ...called, then assigned
    ("x = 1\nw = param(x)\n", False),
    ("x = 1\nw = param(2, 3)\n", False),
    # sums of products, as a neuron is written, and near them
    ("x = 1\ny = 2\nb = param(0.5)\nz = b + x * y + y * x - 0.25\nh = relu(z + x * x)\n",
     True),
    ("x = 1\ny = 2\nz = x * y + y\nv = 2 * x - 1e-3 * y + .5\nu = sin(x - y - x)\n", True),
    ("x = 1\ny = 2\nz = x * y\nv = 3 * 4\nu = 1 + 2\n", True),
    ("x = 1\ny = 2\nz = x + y * 2 + 3 * y + x * x + 1\n", True),
    ("x = 1\ny = 2\nz = x + inf * y\n", True),  # a number word is a number
    ("x = 1\ny = 2\nz = x + y  \n", True),
    ("x = 1\ny = 2\nz = x+y * x\nv = x  +  y\nu = x\t+ y\n", True),  # (token by token)
    # near MAX_STEPS (a step a token, the call one): MAX_STEPS - 3, + 1 (ast says), - 2
    ("x = 1\nz = x + " + " + ".join(["x * x"] * (MAX_STEPS // 4 - 1)) + "\n", True),
    ("x = 1\nz = x + " + " + ".join(["x * x"] * (MAX_STEPS // 4)) + "\n", False),
    ("x = 1\nz = relu(x + " + " + ".join(["x * x"] * (MAX_STEPS // 4 - 1)) + ")\n", True),
    ("x = 1\nz = x + y * x\n", False),  # a name not assigned
    ("x = 1\ny = 2\nz = x + None * y\n", False),  # a keyword
    ("x = 1\ny = 2\nz = x + y * 007\n", False),
    ("x = 1\ny = 2\nz = unknown(x + y)\n", False),
    ("x = 1\ny = 2\nz = param(x + y)\n", False),
    ("x = 1\ny = 2\nz = max(x + y)\n", False),
    ("x = 1\ny = 2\nrelu = 3\nz = relu(x + y)\n", False),  # a name called
    ("x = 1\ny = 2\nrelu = relu(x + y)\n", False),
    ("x = 1\ny = 2\nz = relu(x + y\n", False),
    ("x = 1\ny = 2\nz = x + y)\n", False),
    ("x = 1\ny = 2\nz = x * y * x + y\nv = x ** y + x\nu = x / y + x\n", False),  # (**)
    ("x = 1\ny = 2\nz = x * y * x + y\nu = x / y + x - y * y\n", True),
    ("x = 1\ny = 2\nz = x / y / x - 2 / y * x * y + 1e5\nu = relu(.5 - 5. * x)\n", True),
    ("x = 1\ny = 2\nz = x.y + x\n", False),  # names and numbers as the token reader reads them
    ("x = 1\ny = 2\nz = 1.5.2 + x\n", False),
    ("x = 1\ny = 2\nz = x + 1_0\n", False),
    ("x = 1\ny = 2\nz = x + 0x1\n", False),
    ("x = 1\ny = 2\nz = x + 1e\n", False),
    ("x = 1\ny = 2\nz = x + 2x\n", False),
    ("x = 1\ny = 2\nz = x + y.\n", False),
    # runs of inputs, read loosely and then as Python reads each number
    ("x = 1.5e+3\ny = -.5\nw = param(5.)\nv = param(-0.0)\nz = x * y + w * v\n", True),
    ("x = 1\ny = 5-3\nz = x * y\n", False),  # (the full reader: 5 - 3)
    ("x = 1\ny = 1e\n", False),
    ("x = 1\ny = param(1.5.2)\n", False),
    ("x = 1\ny = 2e+-5\n", False),
    ("x = 1\ny = .\n", False),
    ("x = 1\ny = param(-007)\n", False),
    ("x = 1\ny = -00\nz = x * y\n", True),
    ("x = 1\ny = 1e5\nz = -" + "9" * 300 + "\nv = x * y * z\n", True),
    ("x = 1\ny = -" + "9" * 301 + "\n", False),
    ("x = 1\ny = param(2e3)\nz = 3.\nv = x * y + z\n", True),
    # (as many "."s as numbers: an integer beside a number with two, which float refuses)
    ("x = 1..5\ny = 007\n", False),
    ("x = 1..5\ny = 12\nz = x * y\n", False),
    ("x = 0.5\ny = 12\nz = 1e-5\nw = param(00)\nv = x * y * z * w\n", True),
    # sums, read loosely and then token by token
    ("x = 1\ny = 2\nz = x * 1e-5 + y\n", True),  # (a sign in a number: token by token)
    ("x = 1\ny = 2\nz = x ** y + x\n", False),
    ("x = 1\ny = 2\nz = x - -y + x\n", True),
    ("x = 1\ny = 2\nz = x  * y + x\n", True),
    ("x = 1\ny = 2\nz = x * y +\n", False),
    ("x = 1\ny = 2\nz = relu(x * y + x\n", False),
])
def test_texts_near_every_edge(text, read):
    assert (assert_same(text) is not None) == read


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts())
def test_random_texts_read_the_same_or_are_left_to_the_full_reader(text):
    assert_same(text)


#: what plain texts are made of: calls of one argument, operators, numbers, and now and then
#: something this reader leaves to the full one
CALLS = ["sin", "cos", "tanh", "exp", "relu", "sigmoid", "abs", "sqrt", "log", "neg"]
OPERATORS = [" + ", " - ", " * ", " / ", "+", "*"]
NUMBERS = ["0.5", "-2", "3e-2", "-0", "1.", ".5E+3", "007", "00", "1_0", "-inf", "1e400"]
ODD = ["x ** 2", "max(a, b)", "q", "sin", "sin(1, 2)", "inf", "param(a)", "[1, 2]", "a if a else a"]


@st.composite
def plain_texts(draw):
    """Texts of simple lines, mostly sound: names assigned once and used after, calls nested
    as the writer nests them, operators, numbers, copies, parameters, comments."""
    names = ["a"]
    lines = ["a = " + draw(st.sampled_from(["0.5", "-1.5", "2", "1e-3"]))]
    for k in range(draw(st.integers(1, 12))):
        def operand():
            pick = draw(st.integers(0, 9))
            if pick == 0:
                return draw(st.sampled_from(["2", "0.25", "-1", "inf", "1e3"]))
            if pick == 1 and draw(st.integers(0, 5)) == 0:
                return draw(st.sampled_from(ODD))
            return draw(st.sampled_from(names))
        form = draw(st.integers(0, 9))
        if form == 0:
            value = draw(st.sampled_from(["0.5", "-2", "3e-2", "param(0.1)", "param(-4)"]))
        elif form <= 2:
            calls = draw(st.lists(st.sampled_from(CALLS), min_size=1, max_size=5))
            value = "(".join(calls) + "(" + operand() + ")" * len(calls)
        elif form <= 5:
            value = operand() + draw(st.sampled_from(OPERATORS)) + operand()
            if draw(st.booleans()):
                value = draw(st.sampled_from(CALLS)) + "(" + value + ")"
        elif form == 6:
            value = draw(st.sampled_from(["", "+", "-", "("])) + operand()
            value += ")" if value.startswith("(") else ""
        elif form == 7:
            value = operand() + " * (" + operand() + " - " + operand() + ")"
        elif form == 8:  # a neuron's sum of products
            value = operand()
            for _ in range(draw(st.integers(1, 30))):
                value += draw(st.sampled_from([" + ", " - ", " + ", "+"])) + operand()
                if draw(st.integers(0, 3)):
                    value += draw(st.sampled_from([" * ", " * ", "*", " / "])) + operand()
            if draw(st.booleans()):
                value = draw(st.sampled_from(CALLS + ["param", "max", "q"])) + f"({value})"
        else:  # a run of inputs
            for j in range(draw(st.integers(0, 4))):
                number = draw(st.sampled_from(NUMBERS))
                form = draw(st.sampled_from(["{}", "param({})", "param({})", " {}", "({})"]))
                name = draw(st.sampled_from([f"v{k}_{j}"] * 5 + names + ["if", "inf", "param"]))
                lines.append(f"{name} = {form.format(number)}")
                names.append(name)
            value = draw(st.sampled_from(["param({})", "{}"])).format(
                draw(st.sampled_from(NUMBERS)))
        target = f"v{k}" if draw(st.integers(0, 15)) else draw(st.sampled_from(names + CALLS))
        comment = draw(st.sampled_from(["", "", "", "  # a note", "\n# a line of its own\n"]))
        lines.append(f"{target} = {value}{comment}")
        names.append(target)
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=plain_texts())
def test_random_plain_texts_read_the_same_or_are_left_to_the_full_reader(text):
    assert_same(text)


#: numbers as a network's text writes them (and some it could), all read alike both ways
SOUND_NUMBERS = ["0.5", "-2", "3e-2", "-0", "1.", ".5E+3", "00", "1e-300", "0.30000000000000004"]
#: what may spoil a neuron's line or an input's: each is left to the full reader, or read the
#: same both ways
#: the functions of one argument a neuron's line may call
ACTIVATIONS = ["relu", "sigmoid", "tanh", "sin", "cos", "exp", "abs", "sqrt", "log"]
SPOILERS = ["x ** 2", "None", "q", "007", "1_0", "inf", "a+b", "(a)", "-a", "a  * b", "a *b"]


@st.composite
def neuron_texts(draw):
    """(text, sound): runs of inputs and parameters, then neurons as sums of products of what
    comes before and of numbers, perhaps inside a call; ``sound`` when nothing was spoilt (a
    sound text must be read without the full reader)."""
    sound = True
    names = []
    lines = []

    def spoil(text: str) -> str:
        nonlocal sound
        if draw(st.integers(0, 40)):
            return text
        sound = False
        return draw(st.sampled_from(SPOILERS))

    for j in range(draw(st.integers(1, 12))):
        name = spoil(f"x{j}")
        form = draw(st.sampled_from(["{}", "param({})"]))
        lines.append(f"{name} = {form.format(spoil(draw(st.sampled_from(SOUND_NUMBERS))))}")
        names.append(name)
    for j in range(draw(st.integers(1, 6))):
        def factor():
            if draw(st.integers(0, 5)):
                return spoil(draw(st.sampled_from(names)))
            return spoil(draw(st.sampled_from(SOUND_NUMBERS[:1] + SOUND_NUMBERS[2:])))
        value = factor() + (f" * {factor()}" if draw(st.booleans()) else "")
        for _ in range(draw(st.integers(1, 20))):
            value += draw(st.sampled_from([" + ", " - "])) + factor()
            while draw(st.integers(0, 3)):  # products and quotients, of two or more
                value += draw(st.sampled_from([" * ", " * ", " / "])) + factor()
        if draw(st.booleans()):
            value = spoil(draw(st.sampled_from(ACTIVATIONS))) + f"({value})"
        operators = sum(value.count(f" {o} ") for o in "+-*/")
        if 2 * operators + 1 + value.endswith(")") > MAX_STEPS:  # (a step a token, the call)
            sound = False  # too long for the fast path: ast reads it, the full reader then
        if draw(st.integers(0, 3)) == 0:  # parameters between the neurons
            lines.append(f"p{j} = param({draw(st.sampled_from(SOUND_NUMBERS))})")
            names.append(f"p{j}")
        lines.append(f"{spoil(f'h{j}')} = {value}")
        names.append(f"h{j}")
    return "\n".join(lines) + "\n", sound


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=neuron_texts())
def test_random_networks_read_the_same_or_are_left_to_the_full_reader(case):
    text, sound = case
    lean = assert_same(text)
    assert lean is not None or not sound, text


# ---- through the command --------------------------------------------------------------------


def never_opened(monkeypatch) -> None:
    monkeypatch.setattr(gs_io, "open_document", lambda p: pytest.fail("read by the full reader"))


@pytest.mark.parametrize("text", [chain(100), neuron_network_text(), network_text(2)],
                         ids=["chain", "neurons", "net"])
def test_a_first_run_prints_what_the_full_reader_prints_and_keeps_the_program(
        text, tmp_path, capsys, monkeypatch):
    path = tmp_path / "f.gs"
    path.write_text(text)
    name = json.loads(run(capsys, str(path), "--json", "--no-cache")[1])["output"]
    references = {args: run(capsys, str(path), *args, "--no-cache")
                  for args in [("--json",), (), ("--json", "--output", "x1" if "x1" in text
                                                 else "x")]}
    assert name
    with monkeypatch.context() as m:
        never_opened(m)
        for args, reference in references.items():  # the first, then cached runs
            assert run(capsys, str(path), *args) == reference
            assert [p.suffix for p in entries()] == [".gsp"]


def test_a_first_run_with_another_output_keeps_the_files_own(tmp_path, capsys, monkeypatch):
    path = tmp_path / "f.gs"
    path.write_text("x = 2\ny = sin(x)\nz = y * x\n")
    other = run(capsys, str(path), "--json", "--output", "y", "--no-cache")
    own = run(capsys, str(path), "--json", "--no-cache")
    never_opened(monkeypatch)
    assert run(capsys, str(path), "--json", "--output", "y") == other
    assert run(capsys, str(path), "--json") == own  # replayed: the file's own output


@pytest.mark.parametrize("text", [
    "x = 1e200\ny = x * x\nz = y - y\n",  # a number too large: the engine warns (numpy)
    "x = 1e200\ny = relu(-(x * x))\n",  # ...on a node whose value is not printed
    "x = 0\nz = sqrt(x)\n",  # a gradient numpy gives as inf, where Python raises
    "x = -1\nz = log(x)\n",  # a domain warning
    "x = 1e400\ny = sin(x)\n",
])
def test_numbers_the_engine_warns_about_are_left_to_the_full_reader(text, tmp_path, capsys):
    path = tmp_path / "f.gs"
    path.write_text(text)
    reference = run(capsys, str(path), "--json", "--no-cache")
    assert gs_program.read_program(text.encode()) is not None  # read, but not answered
    assert run(capsys, str(path), "--json") == reference


@pytest.mark.parametrize("text", ["y = sin(x)\nx = 1\n", "x = 1\nx = 2\n",
                                  "x = 1\nz = sin(x)\nsin = 2\n", "x = 1\nz = unknown(x)\n"])
def test_a_bad_text_gives_the_full_readers_message(text, tmp_path, capsys):
    path = tmp_path / "f.gs"
    path.write_text(text)
    reference = run(capsys, str(path), "--json", "--no-cache")
    assert reference[0] == 1 and reference[2].startswith(f"{path}:")
    assert run(capsys, str(path), "--json") == reference
    assert not entries()


def test_a_first_run_asked_for_an_unknown_output_gives_the_full_readers_message(
        tmp_path, capsys):
    path = tmp_path / "f.gs"
    path.write_text(chain(40))
    reference = run(capsys, str(path), "--output", "nope", "--no-cache")
    assert reference[0] == 1 and "--output nope: no node of that name" in reference[2]
    assert run(capsys, str(path), "--output", "nope") == reference
