"""The ``.gs`` reader's fast path: the common simple lines, read without Python's ``ast``.

Most lines of a large ``.gs`` file are plain assignments such as ``u32 = sin(sin(u16))``,
``z = b + w1 * x1 + w2 * x2`` or ``w1 = param(-0.25)``. Python's ``ast`` reads them in about
6 µs a node and keeps about a kilobyte a token; this module reads them with one regular
expression and a small precedence parser, and says how to build them.

It reads a *subset* of the language and never decides anything on its own:
:func:`simple_statement` returns None for any line it does not read exactly as
:mod:`graphstudio.io.gs`'s ``ast`` reader would (a string, a bracket, a keyword, a
continuation, leading spaces, a number with ``_`` or a leading zero, a call of a function that
is not a plain op, nesting deeper than :data:`MAX_DEPTH`, anything at all that looks odd), and
the ``ast`` reader, which is the definition of the language, reads that line. What it returns
is a :class:`Plan`: the nodes the ``ast`` reader would make, in the order it makes them, with
the same values and source positions (``tests/test_gs_fast.py`` checks that on every example
and on random text).
"""

from __future__ import annotations

import keyword
import re
from collections import namedtuple

from ..core.ops import NUMBER_WORDS, Op, binary_op, op_for_call, prefix_op

__all__ = ["Plan", "Grammar", "grammar", "simple_statement", "literal_line", "input_run", "nested_line", "nested_parts", "sum_parts", "lines",
           "called_names", "call_op", "MAX_DEPTH", "MAX_STEPS", "RUN", "NESTED", "SUM",
           "OTHER"]

#: How deeply a line's expression may nest for the fast path, and how many steps (nodes and
#: names) it may take; other lines go to ``ast``, which says where Python's own limits are
#: (about 1,000 levels, 200 parentheses). ``write_text`` nests at most 16 levels. 400 steps
#: take a neuron of 99 inputs (``relu(b + w1 * x1 + ...)``, 4 steps an input: a network's
#: first layer often has dozens, and 100 steps sent a 28-input layer to ``ast``); the ``ast``
#: reader reads such a sum of 900 products, a chain of additions that deep, all the same.
MAX_DEPTH = 50
MAX_STEPS = 400

#: A step of a plan, in the order the ``ast`` reader makes nodes:
#: ``("const", value, (line, col))``: a constant; ``("name", name, (line, col))``: an existing
#: node by name (no node is made); ``("op", op_name, n_args, (line, col))``: an op node of the
#: last ``n_args`` results.
Step = tuple



class _OnFirstUse:
    """``re.compile(pattern, re.ASCII)`` for the module global ``name``, compiled when first
    used, which puts the compiled expression in its place. The expressions of the lines read
    token by token: the first ``eval`` of a network's text reads none of those, and compiling
    them took 2.5 ms of its start-up."""

    __slots__ = ("name", "pattern")

    def __init__(self, name: str, pattern: str) -> None:
        self.name, self.pattern = name, pattern

    def __getattr__(self, attribute: str):
        compiled = globals()[self.name] = re.compile(self.pattern, re.ASCII)
        return getattr(compiled, attribute)


# The characters of a simple line's code (its comment, after '#', may hold anything): no
# quotes, brackets, backslashes, colons, semicolons or other operators.
_CODE = _OnFirstUse("_CODE", r"[A-Za-z0-9_ \t.+\-*/@(),=]*\n?")
# Blanks, then a name, a number (Python's decimal forms without '_'), an operator or anything
# else (which is odd).
_TOKEN = _OnFirstUse("_TOKEN", r"([ \t]*)([A-Za-z_][A-Za-z0-9_]*|(?:[0-9]+\.?[0-9]*|\.[0-9]+)"
                    r"(?:[eE][-+]?[0-9]+)?|\*\*|[-+*/@(),=]|.)")
_KEYWORDS = frozenset(keyword.kwlist)
#: Python's binary operators that a simple line may hold, with Python's precedence and their
#: ``ast`` classes' names (the grammar is Python's; which op each stands for is the registry's)
_PYTHON_BINARY = {"+": (10, "Add"), "-": (10, "Sub"), "*": (20, "Mult"),
                  "/": (20, "Div"), "@": (20, "MatMult"), "**": (40, "Pow")}
_UNARY_PRECEDENCE = 30  # Python's unary minus: tighter than *, looser than **


class Plan(namedtuple("Plan", "target target_col line literal trainable steps where bare_name "
                             "calls")):
    """How to build one simple line ``target = value`` (the target's column and the line's
    number: ``target_col``, ``line``).

    ``literal`` (a float, else None) when the value is a number, which makes an input;
    ``trainable`` when it is ``param(number)``. Otherwise ``steps`` build the value (a tuple of
    :data:`Step`) and ``where`` is the value's position (line, column), ``bare_name`` whether
    it is just a name (``y = x``). ``calls`` are the function names the line calls with their
    positions, in order. (A named tuple: the reader makes one a line, and a tuple is made
    fastest; nor does it need ``dataclasses``, which the first ``eval`` starts without.)"""

    __slots__ = ()


class _Odd(Exception):
    """The line is not one the fast path reads: the ``ast`` reader takes it."""


class Grammar(namedtuple("Grammar", "binary neg")):
    """The registry's ops for Python's operators, looked up once for a whole text:
    ``binary``: text -> (Python's precedence, op), without the operators no op stands for
    (the ``ast`` reader says they are not supported); ``neg``: the op of a unary minus (or
    None)."""

    __slots__ = ()


def grammar() -> Grammar:
    binary = {}
    for text, (prec, node) in _PYTHON_BINARY.items():
        op = binary_op(node)
        if op is not None:
            binary[text] = (prec, op)
    return Grammar(binary, prefix_op("USub"))


# What the parser keeps for each operand it has read: (kind, col, start), kind "lit" for a
# number (its step is ("lit", value, col) until the end, as a sign before it still changes it),
# "name" for a bare name, "node" for anything else; col: the position of the operand's own ast
# node; start: where its text begins, parentheses around it included (the position of an
# operation it is the left operand of).
# What it keeps for each operator waiting for its right side: (precedence, kind, payload, col)
# with kind "bin" (payload: the op), "neg", "pos", "(" or "call" (payload: [name, n_args]).
_PAREN = -1  # the precedence of "(" and "call" entries: nothing pops them but their ")"


def _parse(tokens: list[tuple[str, int]], line: int, rules: Grammar,
           calls: list) -> tuple[list[Step], tuple]:
    """Python's precedence parsing of an expression's tokens (an operator-precedence parser
    working through the tokens once): the steps that build it, and the operand it is."""
    steps: list[Step] = []
    operands: list[tuple] = []
    waiting: list[tuple] = []
    binary = rules.binary
    expect_operand = True
    n = len(tokens)
    i = 0

    def apply(entry: tuple) -> None:
        prec, kind, payload, col = entry
        if kind == "bin":
            operands.pop()  # the right operand: its step is already in place
            left = operands.pop()
            steps.append(("op", payload.name, 2, (line, left[2])))
            operands.append(("node", left[2], left[2]))
        elif operands.pop()[0] == "lit":  # a signed number is a number (its step is the last)
            value = steps[-1][1]
            steps[-1] = ("lit", -value if kind == "neg" else value, (line, col))
            operands.append(("lit", col, col))
        elif kind == "pos":  # +x is x, at the position of its +
            operands.append(("node", col, col))
        else:
            if rules.neg is None:
                raise _Odd
            steps.append(("op", rules.neg.name, 1, (line, col)))
            operands.append(("node", col, col))

    while i < n:
        text, col = tokens[i]
        i += 1
        first = text[0]
        if expect_operand:
            if first == "-" or first == "+":
                waiting.append((_UNARY_PRECEDENCE, "neg" if first == "-" else "pos", None, col))
            elif first == "(":
                waiting.append((_PAREN, "(", None, col))
            elif first.isdigit() or first == ".":
                steps.append(("lit", _number(text), (line, col)))
                operands.append(("lit", col, col))
                expect_operand = False
            elif first.isalpha() or first == "_":
                if text in _KEYWORDS:
                    raise _Odd
                if i < n and tokens[i][0] == "(":
                    i += 1
                    calls.append((text, (line, col)))
                    if i < n and tokens[i][0] == ")":  # f(): no arguments
                        i += 1
                        _call(text, 0, col, line, steps, operands)
                        expect_operand = False
                    else:
                        waiting.append((_PAREN, "call", [text, 1], col))
                elif text in NUMBER_WORDS:
                    steps.append(("lit", float(text), (line, col)))
                    operands.append(("lit", col, col))
                    expect_operand = False
                else:
                    steps.append(("name", text, (line, col)))
                    operands.append(("name", col, col))
                    expect_operand = False
            else:
                raise _Odd  # an operator or a ")" where an operand belongs
            if len(waiting) > MAX_DEPTH:
                raise _Odd
            continue
        # after an operand: an operator, a comma or a closing parenthesis
        if first == ")" or first == ",":
            while waiting and waiting[-1][0] != _PAREN:
                apply(waiting.pop())
            if not waiting:
                raise _Odd  # a stray ")" or ","
            entry = waiting[-1]
            if first == ",":
                if entry[1] != "call":
                    raise _Odd  # a tuple
                if i < n and tokens[i][0] == ")":  # f(a,): a trailing comma
                    continue
                entry[2][1] += 1
                expect_operand = True
                continue
            waiting.pop()
            if entry[1] == "call":
                _call(entry[2][0], entry[2][1], entry[3], line, steps, operands)
            else:
                kind, own, _start = operands.pop()
                operands.append((kind, own, entry[3]))  # its text starts at the "("
            if i < n and tokens[i][0] == "(":
                raise _Odd  # f(x)(y), (a)(b): calls the ast reader refuses, with a message
            continue
        entry = binary.get(text)
        if entry is None:
            raise _Odd  # two operands in a row, an operator no op stands for
        prec, op = entry
        right_assoc = text == "**"
        while waiting:
            top = waiting[-1][0]
            if top == _PAREN or top < prec or (right_assoc and top == prec):
                break
            apply(waiting.pop())
        waiting.append((prec, "bin", op, col))
        expect_operand = True
    if expect_operand:
        raise _Odd  # the text ends where an operand belongs
    while waiting:
        entry = waiting.pop()
        if entry[0] == _PAREN:
            raise _Odd  # an unclosed parenthesis
        apply(entry)
    if len(operands) != 1:
        raise _Odd
    return steps, operands[0]


def _call(name: str, count: int, col: int, line: int, steps: list, operands: list) -> None:
    op = call_op(name, count)
    if op is None:
        raise _Odd
    if count:
        del operands[-count:]
    steps.append(("op", op.name, count, (line, col)))
    operands.append(("node", col, col))


def _plain_call(op: Op) -> bool:
    """An op whose call takes node arguments only, which is all the fast path reads (an op
    with a parameter, such as reshape's shape or concat's axis, goes the general way)."""
    return op.params is None


def _number(text: str) -> float:
    """A number token's value, as ``float`` of Python's literal (both round correctly)."""
    if "." not in text and "e" not in text and "E" not in text:  # an integer
        if len(text) > 300 or (text[0] == "0" and text.strip("0")):
            raise _Odd  # too large for a float, or a leading zero: the ast reader says so
    try:
        return float(text)
    except ValueError:  # not a number Python reads (a lone ".", "1e"): the ast reader says where
        raise _Odd from None


def _tokens(code: str) -> list[tuple[str, int]]:
    """The tokens of a line's code, each with its column (from 1)."""
    tokens = []
    col = 1
    for blank, token in _TOKEN.findall(code.rstrip(" \t\n")):
        col += len(blank)
        tokens.append((token, col))
        col += len(token)
    return tokens


# ``u = f(g(h(x)))``: nested calls of one argument around a name, as the writer writes a chain
_NESTED_LINE = (r"([A-Za-z_][A-Za-z0-9_]*) = ((?:[A-Za-z_][A-Za-z0-9_]*\()+)"
                r"([A-Za-z_][A-Za-z0-9_]*)(\)+)[ \t]*")
_NESTED = _OnFirstUse("_NESTED", _NESTED_LINE + r"\n?")
# ``x = -0.5``: a name and a number, the first line of a chain and every input of a network
_LITERAL = _OnFirstUse("_LITERAL", r"([A-Za-z_][A-Za-z0-9_]*) = (-?)((?:[0-9]+\.?[0-9]*|\.[0-9]+)"
                       r"(?:[eE][-+]?[0-9]+)?)[ \t]*\n?")


# ``z = b + w1 * x1 - 0.5``, ``h = relu(u + w2 * x2)``: sums of products of names and numbers,
# perhaps inside one call, with one blank around each operator (a neuron, as the writer writes
# it). Loosely: the sum is any text of names, numbers, blanks and operators (a class of
# characters the regular expression runs through at once); what each token is, sum_parts says
_SUM_LINE = (r"([A-Za-z_][A-Za-z0-9_]*) = (?:([A-Za-z_][A-Za-z0-9_]*)\()?"
             r"([A-Za-z0-9_.][A-Za-z0-9_. +*/-]*[A-Za-z0-9_.])(\)?)[ \t]*")
_SUM_OPERATORS = frozenset("+-*/")
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)  # (_TOKEN's)
_NOT_NAMES = _KEYWORDS | frozenset(NUMBER_WORDS)  # (a number word is a number)

# ``x = 0.5``, ``w = param(-0.5)``: a run of lines that each make an input (every input and
# weight of a network). Loosely: each number is any text of digits, ".", "e", "E", "+" and "-"
# that begins with a digit or "." (a class the regular expression runs through at once, where
# the exact form of Python's literals took it twice as long); input_run reads each as Python
# does, or refuses the run
_RUN_NUMBER = r"-?[0-9.][0-9.eE+-]*"
_INPUTS = (rf"(?:[A-Za-z_][A-Za-z0-9_]* = (?:{_RUN_NUMBER}|param\({_RUN_NUMBER}\))"
           r"[ \t]*\n)+")

# A whole text at once, as lines each ending in "\n": each match is a run of inputs (group 1),
# a line of nested calls (groups 2 to 5, as _NESTED's), a line of a sum (6 to 9) or
# any other line (10, without its "\n"), the first of these that it can be; which one, the
# match's ``lastindex`` says (the last group of each always takes part)
_LINES = re.compile(rf"({_INPUTS})|{_NESTED_LINE}\n|{_SUM_LINE}\n|([^\n]*)\n",
                    re.ASCII)
#: the ``lastindex`` of each kind of :func:`lines` match
RUN, NESTED, SUM, OTHER = 1, 5, 9, 10


def lines(text: str):
    """The matches of ``text``'s lines (each ending in "\\n", the last too), in order: runs of
    lines ``x = 0.5`` and ``w = param(-0.5)`` (:func:`input_run` reads one), lines of nested
    calls (:func:`nested_parts` of groups 2 to 5), lines of sums of products (:func:`sum_parts`
    of groups 6 to 9) and any other line (group 10); ``lastindex`` says which
    (:data:`RUN`, :data:`NESTED`, :data:`SUM`, :data:`OTHER`). One regular expression over the
    whole text rather than one or more a line."""
    return _LINES.finditer(text)


def sum_parts(target: str, call: str | None, expression: str, closed: str
              ) -> tuple[str, str | None, list[str]] | None:
    """A sum of products, from the groups of a :data:`SUM` match of :func:`lines` (``z = b +
    w1 * x1 - 0.5``, ``h = relu(u + w * x / y)``): the target, the name called around the sum
    (or None) and the sum's tokens: names and numbers, and between each two one of the
    operators ``+``, ``-``, ``*`` and ``/``, which bind as in Python (the products, then the
    sum, each from the left, as :func:`_simple_statement` plans them). None for any other
    line (no operator at all, an operator without its blanks, a keyword or number word, a
    token that is neither a name nor a number as the token reader reads it, more than
    :data:`MAX_STEPS` steps): the token reader reads it; ``tests/test_gs_program.py`` reads
    such lines both ways."""
    if (call is None) != (not closed) or target in _KEYWORDS or call in _KEYWORDS:
        return None
    tokens = expression.split(" ")
    if (len(tokens) == 1  # y = x, y = f(x): other lines
            or len(tokens) + (call is not None) > MAX_STEPS  # (each token a step, the call one)
            or not _NOT_NAMES.isdisjoint(tokens)
            or not _SUM_OPERATORS.issuperset(tokens[1::2])):  # (also: two blanks in a row)
        return None
    operands = tokens[::2]
    joined = "".join(operands)
    if "+" in joined or "-" in joined or "*" in joined or "/" in joined or "" in operands:
        return None  # an operator without blanks (x+y), a sign, an exponent's sign (1e-5)
    if "." in joined or min(operands) < "A":  # (a digit or "." first: a number)
        for token in operands:
            if token[0].isdigit() or token[0] == ".":
                if _NUMBER.fullmatch(token) is None:
                    return None
                try:
                    _number(token)
                except _Odd:
                    return None
            elif "." in token:
                return None
    return target, call, tokens


def input_run(run: str) -> tuple[list[str], list[float], bool] | None:
    """A run of lines ``x = 0.5`` and ``w = param(-0.5)`` (a :data:`RUN` of :func:`lines`): the
    names, the values (as :func:`_simple_statement` reads them), and whether ``param`` is
    called. None when a name is a keyword or a number is not one as Python reads it (``1e``,
    ``5-3``, ``007``, an integer of more than 300 digits): the token reader refuses those
    or reads them otherwise."""
    called = "param(" in run
    tokens = (run.replace("param(", "").replace(")", "") if called else run).split()
    targets = tokens[::3]  # (name = number, name = number...)
    numbers = tokens[2::3]
    if not _KEYWORDS.isdisjoint(targets) or len(tokens) != 3 * len(targets):
        return None
    # a number written as an integer (no ".", no exponent: Python's rules for them differ) is
    # rare: the writer writes 1.0, not 1. As many "."s as numbers means there is none: else one
    # number has two, which float refuses below (a regular expression took a tenth of a run)
    if " ".join(numbers).count(".") != len(numbers):
        for number in numbers:
            if "." not in number and "e" not in number and "E" not in number:
                digits = number.lstrip("-")
                if len(digits) > 300 or (digits[0] == "0" and digits.strip("0")):
                    return None
    try:  # (float reads exactly Python's literals among these texts, and more integers)
        return targets, list(map(float, numbers)), called
    except ValueError:
        return None


def simple_statement(line: str, number: int, rules: Grammar) -> Plan | None:
    """The plan of physical line ``number`` (``line``), when it is a simple assignment the
    fast path reads; else None (``ast`` reads it). ``rules``: :func:`grammar`."""
    literal = literal_line(line)
    if literal is not None:
        target, value = literal
        return Plan(target, 1, number, value, False, (), (number, len(target) + 4), False, ())
    nested = nested_line(line)
    if nested is not None:
        plan = _nested_calls(nested, number)
        if plan is not None:
            return plan
    return _simple_statement(line, number, rules)


def literal_line(line: str) -> tuple[str, float] | None:
    """``x = -0.5`` read by one regular expression: the name and the number, as
    :func:`_simple_statement` reads them (``tests/test_gs_fast.py`` compares them); None for
    any other line, and where a name or a number is for the token reader to decide."""
    match = _LITERAL.fullmatch(line)
    if match is None:
        return None
    target, sign, text = match.groups()
    if target in _KEYWORDS:
        return None
    try:
        value = _number(text)
    except _Odd:
        return None
    return target, -value if sign else value


def nested_line(line: str) -> tuple[str, str, str] | None:
    """``u = f(g(h(x)))`` read by splitting it: the target, the calls' text ``f(g(h(`` and the
    name inside; None for any other line and where something is for the token reader to
    decide (a keyword, a number word, ``param``, too deep). The names called, from the outside
    in, are :func:`called_names` of the calls' text; whether each calls an op the fast path
    reads is :func:`call_op`'s to say."""
    match = _NESTED.fullmatch(line)
    return None if match is None else nested_parts(*match.groups())


def nested_parts(target: str, opened: str, inner: str, closed: str
                 ) -> tuple[str, str, str] | None:
    """:func:`nested_line` of the groups of a line that ``_NESTED`` matched."""
    depth = len(closed)
    if (opened.count("(") != depth or depth > MAX_DEPTH or target in _KEYWORDS
            or inner in _KEYWORDS or inner in NUMBER_WORDS or opened.startswith("param(")):
        return None
    return target, opened, inner


def called_names(opened: str) -> list[str]:
    """The names of a :func:`nested_line`'s calls' text, from the outside in."""
    return opened[:-1].split("(")


def call_op(name: str, count: int) -> Op | None:
    """The op that ``name(...)`` with ``count`` node arguments calls, when the fast path reads
    such a call; else None."""
    if name in _KEYWORDS:
        return None
    op = op_for_call(name, count)
    return op if op is not None and _plain_call(op) else None


def _nested_calls(nested: tuple[str, list[str], str], number: int) -> Plan | None:
    """The plan of a :func:`nested_line`: what :func:`_simple_statement` makes of it
    (``tests/test_gs_fast.py`` compares them), or None when a name calls no op the fast path
    reads (an op with a parameter, a name that is no op)."""
    target, opened, inner = nested
    names = called_names(opened)
    col = len(target) + 4  # where the value begins: after "target = "
    calls = []
    ops = []
    for name in names:
        op = call_op(name, 1)
        if op is None:
            return None
        calls.append((name, (number, col)))
        ops.append(op.name)
        col += len(name) + 1
    steps = [("name", inner, (number, col))]
    for name, where in zip(reversed(ops), reversed(calls)):
        steps.append(("op", name, 1, where[1]))
    return Plan(target, 1, number, None, False, tuple(steps), calls[0][1], False, tuple(calls))


def _simple_statement(line: str, number: int, rules: Grammar) -> Plan | None:
    code = line.split("#", 1)[0] if "#" in line else line
    if not _CODE.fullmatch(code):
        return None
    tokens = _tokens(code)
    if len(tokens) < 3 or tokens[1][0] != "=" or tokens[0][1] != 1:
        return None
    target = tokens[0][0]
    first = target[0]
    if not (first.isalpha() or first == "_") or target in _KEYWORDS:
        return None
    calls: list = []
    value = tokens[2:]
    trainable = value[0][0] == "param" and len(value) > 3 and value[1][0] == "("
    if trainable:  # w = param(number): the number alone in the parentheses
        if value[-1][0] != ")":
            return None
        calls.append(("param", (number, value[0][1])))
        value = value[2:-1]
    try:
        steps, (kind, col, _start) = _parse(value, number, rules, calls)
    except _Odd:
        return None
    if len(steps) > MAX_STEPS:
        return None
    if kind == "lit":
        return Plan(target, 1, number, steps[-1][1], trainable, (), (number, col), False,
                    tuple(calls))
    if trainable:
        return None  # param() of anything but a number: the ast reader says so
    steps = [("const", s[1], s[2]) if s[0] == "lit" else s for s in steps]
    return Plan(target, 1, number, None, False, tuple(steps), (number, col), kind == "name",
                tuple(calls))
