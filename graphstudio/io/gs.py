"""The expression text format (``.gs``): one assignment a line, ``#`` comments.

::

    # Grosse, CSC 311: z = (a + b) * (b + c)
    a = -1
    b = 3
    c = 4
    x = a + b
    y = b + c
    z = x * y

* ``name = 4``, ``name = -1.5`` or ``name = [[1, 2], [-3, 4]]`` (a literal, signs included)
  makes an **input**; ``name = param([[0.1, 0.2]])`` makes a trainable input (a parameter).
* Anything else makes **op nodes**: ``+ - * / ** @``, unary ``-``, and calls of the registry's
  functions (``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``, ``max``, ``sum``, ``softmax``...).
  ``max(v)``/``min(v)`` with one argument reduce over the elements. A number inside an
  expression is a **constant**. Unnamed sub-expressions become unnamed op nodes.
* ``y = x`` gives ``x``'s value another name (an ``identity`` node).
* ``s[2]``, ``W[0, :]``, ``v[1:3]``: indexing and slicing, an ``index`` node whose index (whole
  numbers written in the text) is its static parameter (:mod:`graphstudio.core.params`); so
  are a call's parameters, as the last argument (``reshape(x, [2, 3])``) or a keyword
  (``concat(a, b, axis=1)``).
* ``seed(z, [1, 0, 0])`` on a line of its own: the upstream gradient the backward pass starts
  from at ``z`` (by default 1, or ones for an array: the gradient of the sum of its elements).
* Any identifier names a node, ``sum`` or ``add`` included, unless the same text calls that
  function: a name is a node or a function in one file.
* Numbers are Python's, and ``inf`` and ``nan`` (so that every value can be written).
* ``output(z)`` on a line of its own makes ``z`` the output, when it is not the only sink.
* Training data: ``dataset("data/points.csv")`` on a line of its own names a CSV file (relative
  to the graph's file; kept in ``graph.meta["dataset"]``), and ``x = data("x")``,
  ``x = data(["x1", "x2"])``, ``t = data("label", onehot=3)`` or ``t1 = data("label", equals=1)``
  bind inputs to its columns (:mod:`graphstudio.core.dataset`). See ``docs/gs-format.md``.

The text is parsed with :mod:`ast` and a whitelist, and nothing in it is ever executed: any
node type that is not listed above (attribute access, lambdas, comprehensions...)
is an error. Errors are :class:`ParseError` and read ``FILE:LINE:COL: message``.

>>> graph = parse_text("a = 2\\nb = 3\\nz = a * b + 1")
>>> sorted(graph.names())
['a', 'b', 'z']
>>> graph.op(graph.by_name("z"))
'add'
"""

from __future__ import annotations

import ast
import itertools
import json
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..core.backward import GRADS_META, GradCall, GradError, build_grads, signature
from ..core.collector import collector_paused
from ..core.dataset import MAX_CLASSES, Binding, binding, dataset_name_problem
from ..core.graph import Bulk, Graph, GraphError
from ..core.numbers import format_literal
from ..core.ops import (CALL_PRECEDENCE, DATASET_FORM, INPUT_FORMS, NUMBER_WORDS, OPS,
                        arity_words, binary_op, binary_operator_texts, call_arities, call_names,
                        op_for_call, prefix_op, reserved_name, subscript_op)
from ..core.textfile import CannotRead, quote, read_text
from . import gs_defs, gs_fast, gs_split
from .gs_split import MAX_BYTES, MAX_NODES, text_lines

__all__ = ["ParseError", "parse_text", "parse_file", "write_text", "calls"]

_FORBIDDEN_CALLS = {"eval", "exec", "compile", "open", "__import__", "getattr", "setattr",
                    "globals", "locals", "vars", "input", "print", "breakpoint"}

_NODE_WORDS = {
    ast.Attribute: "attribute access", ast.Lambda: "a lambda", ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression", ast.Subscript: "indexing",
    ast.Compare: "a comparison", ast.BoolOp: "'and'/'or'", ast.IfExp: "'if'/'else'",
    ast.Dict: "a dictionary", ast.Set: "a set", ast.Tuple: "a tuple", ast.Starred: "'*'",
    ast.JoinedStr: "a string", ast.NamedExpr: "':='", ast.Await: "'await'",
    ast.Import: "'import'", ast.ImportFrom: "'import'", ast.FunctionDef: "a function definition",
    ast.ClassDef: "a class definition", ast.For: "a loop", ast.While: "a loop", ast.If: "'if'",
    ast.With: "'with'", ast.Expr: "a bare expression", ast.AugAssign: "'+=' and the like",
    ast.AnnAssign: "an annotation", ast.Delete: "'del'", ast.Return: "'return'",
    ast.Global: "'global'", ast.Try: "'try'", ast.Raise: "'raise'", ast.Assert: "'assert'",
}


class ParseError(ValueError):
    """An error in expression text, located at ``file:line:col`` (both 1-based)."""

    def __init__(self, filename: str, line: int, col: int, message: str) -> None:
        super().__init__(f"{filename}:{line}:{col}: {message}")
        self.filename, self.line, self.col, self.message = filename, line, col, message


@dataclass
class _Context:
    filename: str
    graph: Graph  # read only: the nodes are made in ``build`` and reach it at the end
    assigned: dict[str, tuple[int, int]]  # name -> (line, col) of its assignment
    later: dict[str, int]  # names assigned later in the file -> line
    called: dict[str, tuple[int, int]]  # function names the text calls -> the first call
    build: Bulk
    after: list[Callable[[], None]] = field(default_factory=list)  # changes to the graph once
    # the nodes are in it (dataset, output, seed lines)
    dataset: str | None = None  # the text's dataset() file
    seeded: set[int] = field(default_factory=set)  # the nodes the text gives a seed
    functions: dict[str, gs_defs.Function] = field(default_factory=dict)  # the text's defs
    later_functions: dict[str, int] = field(default_factory=dict)  # defs further on -> line
    grads: list[GradCall] = field(default_factory=list)  # what each grad(y, x) added
    assigning: ast.AST | None = None  # the right side of the assignment being read


def _where(ctx: _Context, node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1


def _fail(ctx: _Context, node: ast.AST, message: str) -> ParseError:
    line, col = _where(ctx, node)
    return ParseError(ctx.filename, line, col, message)


def _literal(ctx: _Context, node: ast.AST) -> Any:
    """The value of a numeric literal (number, signed number, nested list), else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        try:
            return float(node.value)
        except OverflowError:  # an integer of more than 308 digits
            v = abs(node.value)  # str() of more than 4,300 digits is refused by Python
            digits = len(str(v)) if v.bit_length() < 14_000 else math.floor(math.log10(v)) + 1
            raise _fail(ctx, node, f"an integer of {digits:,} digits is too large for a number "
                                   "(the largest is about 1.8e308)") from None
    if isinstance(node, ast.Name) and node.id in NUMBER_WORDS:
        return float(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _literal(ctx, node.operand)
        if isinstance(inner, float):
            return -inner if isinstance(node.op, ast.USub) else inner
        return None
    if isinstance(node, ast.List):
        items = [_literal(ctx, e) for e in node.elts]
        if any(i is None for i in items):
            return None
        return items  # [] too: an empty array, as a document may hold
    return None


def _array(ctx: _Context, node: ast.AST, lit: Any) -> Any:
    if isinstance(lit, float):
        return lit
    depth, inner = 0, lit
    while isinstance(inner, list):
        depth, inner = depth + 1, inner[0] if inner else None
    if depth > MAX_DIMS:
        raise _fail(ctx, node, f"a list nested {depth} levels deep; arrays have at most "
                               f"{MAX_DIMS} dimensions")
    try:
        arr = np.array(lit, dtype=float)
    except ValueError:
        raise _fail(ctx, node, "ragged array literal: every row must have the same length") from None
    return arr


def parse_text(text: str, filename: str = "<text>", graph: Graph | None = None) -> Graph:
    """Build the graph that ``text`` describes (into ``graph`` if given) and return it.

    The text is read one statement at a time (:mod:`graphstudio.io.gs_split`): simple lines
    by the fast path (:mod:`graphstudio.io.gs_fast`), the others by ``ast`` and the whitelist,
    and the graph is built in bulk. A text with an error is read a second time, knowing
    every name it assigns and calls, so that the error is the one the language defines: the
    first syntax error of the text, else the first other error in the order of the text. The
    graph is changed only when the whole text is read."""
    _check_size(text, filename)
    graph = graph if graph is not None else Graph()
    lines = text_lines(text)
    try:
        _Reader(filename, graph, lines).read()
        return graph
    except ParseError:
        pass  # read again for the error the language gives (see the docstring)
    _Reader(filename, graph, lines, whole=True).read()
    return graph


TOO_DEEP = "expression nested too deeply (about 1,000 levels); split it into several assignments"

#: The limits of a ``.gs`` text: its size and the nodes it may make
#: (:data:`graphstudio.io.gs_split.MAX_BYTES` and ``MAX_NODES``); the numbers and names one
#: statement that is not a simple line may hold (Python's parser, which reads it safely, takes
#: about a kilobyte per number or name: a bigger array belongs in a ``.json`` document, which
#: the editor's Save writes).
MAX_TOKENS = 100_000
_TOKEN = re.compile(r"[\w.]+")
#: numpy 1.x allows 32 dimensions (2.x 64); no graph needs more than a few
MAX_DIMS = 32


def _check_size(text: str, filename: str) -> None:
    """Refuse, before parsing, text too large to parse in bounded time and memory."""
    if len(text) > MAX_BYTES:
        raise ParseError(filename, 1, 1, f"the text is {len(text):,} characters; a .gs file may "
                                         f"hold at most {MAX_BYTES:,} (save large arrays as .json)")


def _check_tokens(chunk: str, filename: str, first_line: int) -> None:
    """Refuse a statement too large for Python's parser, where the limit is passed."""
    if len(chunk) < MAX_TOKENS:  # each token takes a character at least
        return
    for count, match in enumerate(_TOKEN.finditer(chunk), start=1):
        if count > MAX_TOKENS:
            line = first_line + chunk.count("\n", 0, match.start())
            col = match.start() - (chunk.rfind("\n", 0, match.start()) + 1) + 1
            raise ParseError(filename, line, col, f"more than {MAX_TOKENS:,} numbers and names "
                                                  "in one statement; a .gs file may hold no more "
                                                  "(save large arrays as .json)")


class _Reader:
    """Reads a text's statements into a graph (see :func:`parse_text`).

    The first reading (``whole=False``) knows the names called so far, and fails on any
    error; the second (``whole=True``) first goes through the whole text for its syntax and
    the names it calls and assigns (``ast``'s reader needs them for its messages), then
    builds, raising the error the language gives."""

    def __init__(self, filename: str, graph: Graph, lines: list[str], whole: bool = False):
        self.filename = filename
        self.graph = graph
        self.lines = lines
        self.whole = whole
        self.rules = gs_fast.grammar()

    def read(self) -> None:
        with collector_paused():
            self._read()

    def _read(self) -> None:
        graph = self.graph
        bulk = graph.bulk()
        ctx = _Context(self.filename, graph, {}, {}, {}, bulk)
        if self.whole:
            self._scan(ctx)
        for name in graph.names():
            ctx.assigned[name] = (0, 0)
        for plan, first, stmts in self._statements():
            if plan is not None:
                self._calls(ctx, plan.calls)
                if not _fast(ctx, plan):
                    stmts = self._parse(first, first + 1)
            if stmts is not None:
                self._calls(ctx, ((c.func.id, _where(ctx, c)) for c in calls_in(stmts)))
                for stmt in stmts:
                    try:
                        _top_statement(ctx, stmt)
                    except RecursionError:
                        raise ParseError(self.filename, stmt.lineno, stmt.col_offset + 1,
                                         TOO_DEEP) from None
            if len(bulk) > MAX_NODES:
                raise ParseError(self.filename, first + 1, 1,
                                 f"the text makes more than {MAX_NODES:,} nodes, the most a "
                                 ".gs file may make")
        bulk.commit()
        finish(ctx)

    def _statements(self):
        """(plan, first line index, None) for a simple line; (None, first, ast statements)
        for any other statement."""
        lines, rules, i = self.lines, self.rules, 0
        while i < len(lines):
            line = lines[i]
            stripped = line.lstrip(" \t\f")
            if not stripped or stripped[0] == "#":  # a blank line, a comment
                i += 1
                continue
            plan = gs_fast.simple_statement(line, i + 1, rules)
            if plan is not None:
                yield plan, i, None
                i += 1
                continue
            end = gs_split.statement_end(lines, i)
            yield None, i, self._parse(i, end)
            i = end

    def _parse(self, first: int, end: int) -> list[ast.stmt]:
        """The statements of lines ``first`` to ``end`` (exclusive), located in the text."""
        chunk = "\n".join(self.lines[first:end]) + "\n"
        _check_tokens(chunk, self.filename, first + 1)
        try:
            with warnings.catch_warnings():  # Python's hints about Python code ("invalid
                warnings.simplefilter("ignore")  # escape sequence") are not for a .gs file
                # not the file's name: Python reads a line of the named file back to place
                # the error, which is the wrong line for a statement of a file read in parts
                tree = ast.parse(chunk, filename="<statement>", mode="exec")
        except SyntaxError as exc:
            if self.whole:
                self._syntax_error_from(first)
            line = first + (exc.lineno or 1)
            col = exc.offset or 1
            raise ParseError(self.filename, line, col,
                             f"syntax error: {_first_line(exc.msg)}") from None
        except ValueError as exc:  # a NUL character (Python 3.11; 3.12 raises SyntaxError)
            raise ParseError(self.filename, first + 1, 1, f"syntax error: {exc}") from None
        except (RecursionError, MemoryError):  # Python's own parser gives up on deep nesting
            raise ParseError(self.filename, first + _too_deep_line(chunk), 1, TOO_DEEP) from None
        if first:
            ast.increment_lineno(tree, first)
        return tree.body

    def _syntax_error_from(self, first: int) -> None:
        """Raise the syntax error Python gives for the text from line ``first`` on, which may be
        a later one than the statement's own: after a statement it cannot parse, Python looks
        for a mistake in the words of the rest of the text (``007``, an unclosed string) and
        reports that first. (A rest too long to parse keeps the statement's own error.)"""
        rest = "\n".join(self.lines[first:]) + "\n"
        if sum(1 for _ in itertools.islice(_TOKEN.finditer(rest), MAX_TOKENS + 1)) > MAX_TOKENS:
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(rest, filename="<statement>", mode="exec")
        except SyntaxError as exc:
            raise ParseError(self.filename, first + (exc.lineno or 1), exc.offset or 1,
                             f"syntax error: {_first_line(exc.msg)}") from None
        except (ValueError, RecursionError, MemoryError):
            return

    def _scan(self, ctx: "_Context") -> None:
        """The whole text's syntax (its first syntax error is raised), and every name it
        calls (with the first call) and assigns (with the first line)."""
        for plan, first, stmts in self._statements():
            if plan is not None:
                for name, where in plan.calls:
                    ctx.called.setdefault(name, where)
                ctx.later.setdefault(plan.target, plan.line)
                continue
            for call in calls_in(stmts):
                ctx.called.setdefault(call.func.id, _where(ctx, call))
            for stmt in stmts:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    ctx.later_functions.setdefault(stmt.name, stmt.lineno)
                if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                        and isinstance(stmt.targets[0], ast.Name)):
                    ctx.later.setdefault(stmt.targets[0].id, stmt.lineno)

    def _calls(self, ctx: "_Context", found) -> None:
        """Note the functions a statement calls. Reading the text once, a name the text has
        assigned may not be called afterwards either (the second reading says where)."""
        for name, where in found:
            if name not in ctx.called:
                if not self.whole and ctx.assigned.get(name, (0, 0))[0]:
                    raise ParseError(self.filename, where[0], where[1], "a name and a function")
                ctx.called[name] = where


def finish(ctx: "_Context") -> None:
    """What a text sets on the graph once its nodes are in it: what lines such as
    ``seed(z, ...)`` say, and the ``grad(y, x)`` calls (for writing them back)."""
    graph = ctx.graph
    if ctx.grads:
        graph.set_meta(GRADS_META, tuple(graph.meta.get(GRADS_META, ())) + tuple(ctx.grads))
    for then in ctx.after:
        then()


def calls_in(stmts: list[ast.stmt]) -> list[ast.Call]:
    """The calls of functions by name in ``stmts``, in the order of the text."""
    found = [node for stmt in stmts for node in ast.walk(stmt)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]
    return sorted(found, key=lambda c: (c.lineno, c.col_offset))


def _top_statement(ctx: "_Context", stmt: ast.stmt) -> None:
    """One statement that ``ast`` read: a line form (dataset, output, seed) or an assignment."""
    value = getattr(stmt, "value", None)
    if isinstance(stmt, ast.Expr) and _is_call(value, DATASET_FORM):
        _dataset(ctx, value)
    elif isinstance(stmt, ast.Expr) and _is_call(value, OUTPUT_FORM):
        _output(ctx, value)
    elif isinstance(stmt, ast.Expr) and _is_call(value, SEED_FORM):
        _seed(ctx, value)
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        gs_defs.define(ctx, stmt)
    else:
        _statement(ctx, stmt)


def _fast(ctx: "_Context", plan: gs_fast.Plan) -> bool:
    """Build a simple line the fast path read, exactly as :func:`_statement` would; False
    (nothing built) when anything about it is for :func:`_statement` to say."""
    name = plan.target
    if (name in NUMBER_WORDS or name in ctx.assigned or reserved_name(name, ctx.called)
            or name in ctx.functions):
        return False
    build = ctx.build
    where = (plan.line, plan.target_col)
    if plan.literal is not None:
        if plan.trainable:
            build.add_input(name, plan.literal, trainable=True, source=where)
        else:
            build.add_input(name, plan.literal, source=where)
        ctx.assigned[name] = where
        return True
    assigned = ctx.assigned
    for step in plan.steps:
        if step[0] == "name" and step[1] not in assigned:
            return False
    for called, _where_ in plan.calls:
        if called in assigned:
            return False
    stack: list[int] = []
    add_op = build.add_read_op
    for step in plan.steps:
        kind = step[0]
        if kind == "op":
            count = step[2]
            if count == 1:  # (the common cases without slicing)
                stack[-1] = add_op(step[1], [stack[-1]], step[3])
                continue
            args = stack[-count:]
            del stack[-count:]
            stack.append(add_op(step[1], args, step[3]))
        elif kind == "name":
            stack.append(build.by_name(step[1]))
        else:
            stack.append(build.add_const(step[1], source=step[2]))
    node = stack[-1]
    record = build.node(node)
    if record.name is not None or record.is_leaf and plan.bare_name:
        node = build.add_op("identity", [node], source=plan.where)
    build.rename(node, name)
    build.set_attr(node, "source", where)
    assigned[name] = where
    return True


def _first_line(message: str) -> str:
    return message.splitlines()[0] if message else "invalid syntax"


def _too_deep_line(text: str) -> int:
    """The first line that Python's parser cannot take on its own (else 1)."""
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            ast.parse(line)
        except (RecursionError, MemoryError):
            return number
        except (SyntaxError, ValueError):
            continue
    return 1


def _short(text: str, limit: int = 40) -> str:
    """A name from the file, cut for a message (a name may be megabytes long)."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def calls(tree: ast.AST) -> dict[str, ast.Call]:
    """The function names ``tree`` calls (``exp`` in ``exp(x)``), each with its first call in
    the order of the text: a name a text calls cannot name one of its nodes
    (:func:`~graphstudio.core.ops.reserved_name`)."""
    found: dict[str, ast.Call] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            first = found.get(node.func.id)
            if first is None or (node.lineno, node.col_offset) < (first.lineno, first.col_offset):
                found[node.func.id] = node
    return found


def _is_call(node: ast.AST | None, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _dataset(ctx: _Context, call: ast.Call) -> None:
    """``dataset("points.csv")``: the CSV file the ``data(...)`` inputs read; with a
    ``csv=`` string, the CSV text itself, carried inside the file (then the name only names
    it)."""
    csv = next((k for k in call.keywords if k.arg == "csv"), None)
    if (len(call.keywords) != (csv is not None) or len(call.args) != 1
            or not isinstance(call.args[0], ast.Constant)
            or not isinstance(call.args[0].value, str) or not call.args[0].value.strip()):
        raise _fail(ctx, call, 'dataset() takes one file name, as in dataset("points.csv"), '
                               'and optionally the CSV text, as in dataset("points.csv", '
                               'csv="x,y\\n1,2")')
    if csv is not None and not (isinstance(csv.value, ast.Constant) and isinstance(csv.value.value, str)):
        raise _fail(ctx, csv.value, "dataset(csv=...) takes the CSV text as a string")
    problem = dataset_name_problem(call.args[0].value)
    if problem:
        raise _fail(ctx, call.args[0], f"dataset(): {problem}")
    name = call.args[0].value
    if ctx.dataset or ctx.graph.meta.get("dataset"):
        raise _fail(ctx, call, f"a second dataset(); the graph already reads "
                               f"{quote(ctx.dataset or ctx.graph.meta['dataset'])}")
    ctx.dataset = name
    ctx.after.append(lambda: ctx.graph.set_meta("dataset", name))
    if csv is not None:  # the writer starts the text on the line after the opening quotes
        text = csv.value.value
        text = text[1:] if text.startswith("\n") else text
        ctx.after.append(lambda: ctx.graph.set_meta("dataset_csv", text))


#: ``output(z)`` on a line of its own: the node the backward pass differentiates, when it is
#: not the one the rule would pick (the only sink, else the last assigned name).
OUTPUT_FORM = "output"


def _output(ctx: _Context, call: ast.Call) -> None:
    if call.keywords or len(call.args) != 1 or not isinstance(call.args[0], ast.Name):
        raise _fail(ctx, call, "output() takes the name of a node, as in output(z)")
    name = call.args[0].id
    if name not in ctx.assigned:
        raise _fail(ctx, call.args[0], f"output(): '{_short(name)}' is not assigned above")
    node = ctx.build.by_name(name)
    ctx.after.append(lambda: ctx.graph.set_output(node))


#: ``seed(z, [1, 0, 0])`` on a line of its own: the upstream gradient the backward pass starts
#: from when ``z`` is the output (the default, for an array, is ones: the sum of its elements).
SEED_FORM = "seed"
_SEED_USAGE = "seed() takes a node and a value of its shape, as in seed(z, [1, 0, 0])"


def _seed(ctx: _Context, call: ast.Call) -> None:
    if call.keywords or len(call.args) != 2 or not isinstance(call.args[0], ast.Name):
        raise _fail(ctx, call, _SEED_USAGE)
    name = call.args[0].id
    if name not in ctx.assigned:
        raise _fail(ctx, call.args[0], f"seed(): '{_short(name)}' is not assigned above")
    value = _literal(ctx, call.args[1])
    if value is None:
        raise _fail(ctx, call.args[1], _SEED_USAGE)
    node = ctx.build.by_name(name)
    if ctx.build.node(node).seed is not None or node in ctx.seeded:
        raise _fail(ctx, call, f"a second seed() for {_short(name)}")
    ctx.seeded.add(node)
    seed = _array(ctx, call.args[1], value)
    ctx.after.append(lambda: ctx.graph.set_attr(node, "seed", seed))


def parse_file(path: str | Path) -> Graph:
    """Parse a ``.gs`` file; unreadable files raise ``ParseError`` at line 1."""
    path = Path(path)
    try:
        text = read_text(path, MAX_BYTES)
    except CannotRead as exc:
        raise ParseError(str(path), 1, 1, f"cannot read the file: {exc.reason}") from None
    return parse_text(text, filename=str(path))


def _statement(ctx: _Context, stmt: ast.stmt) -> None:
    if not isinstance(stmt, ast.Assign):
        what = _NODE_WORDS.get(type(stmt), type(stmt).__name__)
        raise _fail(ctx, stmt, f"expected an assignment 'name = expression', found {what}")
    if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
        raise _fail(ctx, stmt, "assign to exactly one plain name, as in 'z = x * y'")
    target = stmt.targets[0]
    name = target.id
    line, col = _where(ctx, target)
    if name in NUMBER_WORDS:
        raise _fail(ctx, target, f"'{name}' is a number and cannot be assigned")
    if reserved_name(name, ctx.called):
        call_line = ctx.called[name][0]
        raise _fail(ctx, target, f"'{_short(name)}' cannot name a node: line {call_line} calls "
                                 f"the function {_short(name)}(), and a name is a node or a "
                                 "function in one file; choose another name")
    if name in ctx.functions:
        raise _fail(ctx, target, f"'{_short(name)}' is the function defined on line "
                                 f"{ctx.functions[name].line}; a name is a node or a function "
                                 "in one file; choose another name")
    if name in ctx.assigned:
        first = ctx.assigned[name][0]
        where = f"line {first}" if first else "the current graph"
        raise _fail(ctx, target, f"'{_short(name)}' is assigned twice (first on {where})")
    value = stmt.value
    lit = _literal(ctx, value)
    if lit is not None:
        ctx.build.add_input(name, _array(ctx, value, lit), source=(line, col))
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in INPUT_FORMS:
        _special(ctx, name, value, (line, col))
    elif _is_call(value, DATASET_FORM):
        raise _fail(ctx, value, 'dataset() stands on a line of its own, as in dataset("points.csv")')
    else:
        ctx.assigning = value
        node = _expr(ctx, value)
        record = ctx.build.node(node)
        if record.name is not None or record.is_leaf and isinstance(value, ast.Name):
            node = ctx.build.add_op("identity", [node], source=_where(ctx, value))
        try:
            ctx.build.rename(node, name)
        except GraphError as exc:
            raise _fail(ctx, target, str(exc)) from None
        ctx.build.set_attr(node, "source", (line, col))
    ctx.assigned[name] = (line, col)


def _special(ctx: _Context, name: str, call: ast.Call, where: tuple[int, int]) -> None:
    form = call.func.id
    if form == "data":
        b = _data_binding(ctx, call)
        ctx.build.add_input(name, b.zero(), source=where, **b.attrs())
        return
    if call.keywords:
        raise _fail(ctx, call.keywords[0], f"{form}() takes no keyword arguments")
    if form == "param":
        if len(call.args) != 1 or _literal(ctx, call.args[0]) is None:
            raise _fail(ctx, call, "param() takes one literal value, as in 'W = param([[0.1, -0.2]])'")
        value = _array(ctx, call.args[0], _literal(ctx, call.args[0]))
        ctx.build.add_input(name, value, trainable=True, source=where)


def _string(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    return None


def _data_binding(ctx: _Context, call: ast.Call) -> Binding:
    """``data("x")``, ``data(["x1", "x2"])``, ``data("label", onehot=3)``,
    ``data("label", equals=1)``: an input bound to dataset columns."""
    usage = 'data() takes a column name, as in \'x = data("x")\', or a list of them for a vector, as in \'x = data(["x1", "x2"])\''
    if len(call.args) != 1:
        raise _fail(ctx, call, usage)
    arg = call.args[0]
    if isinstance(arg, ast.List):
        columns = [_string(e) for e in arg.elts]
        if not columns or None in columns:
            raise _fail(ctx, arg, usage)
        vector = True
    elif _string(arg) is not None:
        columns, vector = [arg.value], False
    else:
        raise _fail(ctx, arg, usage)
    options: dict[str, float] = {}
    for kw in call.keywords:
        if kw.arg not in ("onehot", "equals"):
            raise _fail(ctx, kw, f"data() takes the keywords onehot= and equals=, not "
                                 f"{_short(kw.arg or '**')}=")
        value = _literal(ctx, kw.value)
        if not isinstance(value, float):
            raise _fail(ctx, kw.value, f"{kw.arg}= takes a number")
        options[kw.arg] = value
    if options and (vector or len(options) > 1):
        raise _fail(ctx, call, "onehot= and equals= read one column of class labels, as in "
                               "'t = data(\"label\", onehot=3)' or 't1 = data(\"label\", equals=1)'")
    onehot = options.get("onehot")
    if onehot is not None and (not onehot.is_integer() or not 2 <= onehot <= MAX_CLASSES):
        raise _fail(ctx, call.keywords[0].value, f"onehot= takes the number of classes, a whole "
                                                 f"number from 2 to {MAX_CLASSES:,}")
    return Binding(tuple(columns), vector, int(onehot) if onehot is not None else None,
                   options.get("equals"))


def _expr(ctx: _Context, node: ast.AST) -> int:
    """The graph node computing expression ``node`` (creating op and constant nodes)."""
    graph = ctx.build
    where = _where(ctx, node)
    lit = _literal(ctx, node)
    if lit is not None:
        return graph.add_const(_array(ctx, node, lit), source=where)
    if isinstance(node, ast.Name):
        name = node.id
        if name in ctx.assigned:
            return graph.by_name(name)
        if call_arities(name):
            raise _fail(ctx, node, f"'{name}' is a function: call it, as in {name}(x)")
        if name in ctx.later:
            raise _fail(ctx, node, f"'{_short(name)}' is used before it is assigned (on line "
                                   f"{ctx.later[name]})")
        raise _fail(ctx, node, f"unknown name '{_short(name)}': assign it first, as in "
                               f"'{_short(name)} = 1'")
    if isinstance(node, ast.BinOp):
        op = binary_op(node.op)
        if op is None:
            raise _fail(ctx, node, f"the operator {_op_text(node.op)} is not supported; "
                                   f"use {' '.join(binary_operator_texts())}")
        left = _expr(ctx, node.left)
        right = _expr(ctx, node.right)
        return graph.add_op(op.name, [left, right], source=where)
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.UAdd):
            return _expr(ctx, node.operand)
        op = prefix_op(node.op)
        if op is None:
            raise _fail(ctx, node, f"the operator {_op_text(node.op)} is not supported")
        return graph.add_op(op.name, [_expr(ctx, node.operand)], source=where)
    if isinstance(node, ast.Call):
        return _call(ctx, node)
    if isinstance(node, ast.Subscript) and subscript_op() is not None:
        op = subscript_op()
        params = _param(ctx, op, node.slice, node)
        return graph.add_op(op.name, [_expr(ctx, node.value)], params=params, source=where)
    if isinstance(node, ast.Constant):
        kind = "a string" if isinstance(node.value, str) else _short(repr(node.value))
        raise _fail(ctx, node, f"{kind} is not a number; values are numbers or lists of numbers")
    if isinstance(node, ast.List):
        raise _fail(ctx, node, "a list must hold only numbers, as in [1, -2.5]")
    what = _NODE_WORDS.get(type(node), type(node).__name__)
    raise _fail(ctx, node, f"{what} is not allowed in GraphStudio expressions")


def _call(ctx: _Context, node: ast.Call) -> int:
    func = node.func
    if not isinstance(func, ast.Name):
        what = _NODE_WORDS.get(type(func), "this kind of call")
        raise _fail(ctx, func, f"{what} is not allowed; call a function by name, as in exp(x)")
    fname = func.id
    if fname in ctx.assigned:  # a node of the graph the text is added to (the expression bar)
        raise _fail(ctx, func, f"'{_short(fname)}' names a node of the graph, so it cannot be "
                               f"called here; rename the node to call the function {fname}()")
    if fname in INPUT_FORMS:
        raise _fail(ctx, node, f"{fname}() must stand alone on the right of '=', as in 'W = {fname}(...)'")
    if fname == DATASET_FORM:
        raise _fail(ctx, node, 'dataset() stands on a line of its own, as in dataset("points.csv")')
    if fname == SEED_FORM:
        raise _fail(ctx, node, "seed() stands on a line of its own, as in seed(z, [1, 0, 0])")
    if fname == GRAD_FORM:
        return _grad(ctx, node)
    if fname in _FORBIDDEN_CALLS:
        raise _fail(ctx, func, f"'{fname}' is not allowed: nothing in a GraphStudio file is executed")
    if fname in ctx.functions:
        return gs_defs.call(ctx, node, ctx.functions[fname])
    allowed = call_arities(fname)
    if fname in ctx.later_functions and not allowed:
        raise _fail(ctx, func, f"{_short(fname)}() is called before it is defined (on line "
                               f"{ctx.later_functions[fname]}): define a function above its "
                               "first call")
    if not allowed:
        known = ", ".join(call_names())
        raise _fail(ctx, func, f"unknown function '{_short(fname)}'; known functions: {known}")
    for a in node.args:
        if isinstance(a, ast.Starred):
            raise _fail(ctx, a, "'*' is not allowed in a call")
    op = op_for_call(fname, len(node.args))
    keyword = op.params.keyword if op is not None and op.params is not None else None
    for kw in node.keywords:
        if kw.arg is None or kw.arg != keyword:
            if keyword is None:
                raise _fail(ctx, kw, f"{fname}() takes no keyword arguments")
            raise _fail(ctx, kw, f"{fname}() takes the keyword {keyword}=, not "
                                 f"{_short(kw.arg or '**')}=")
    if op is None:
        raise _fail(ctx, node, f"{fname}() takes {arity_words(tuple(allowed))}, "
                               f"got {len(node.args)}")
    arg_nodes, params = node.args, None
    if op.params is not None and keyword is None:  # the parameter is the last argument
        arg_nodes, params = node.args[:-1], _param(ctx, op, node.args[-1], node)
    elif node.keywords:
        params = _param(ctx, op, node.keywords[0].value, node)
    args = [_expr(ctx, a) for a in arg_nodes]
    return ctx.build.add_op(op.name, args, params=params, source=_where(ctx, node))


#: ``grad(y, x)``: the nodes computing dy/dx, built from the graph's own nodes
#: (:mod:`graphstudio.core.backward`)
GRAD_FORM = "grad"
_GRAD_USAGE = ("grad() takes a number to differentiate and the name of what to differentiate "
               "by, as in g = grad(y, x)")


def _grad(ctx: _Context, node: ast.Call) -> int:
    """``grad(y, x)``: build the backward pass from ``y`` to ``x`` out of ordinary nodes; the
    node holding dy/dx is the call's value (so ``grad(grad(y, x), x)`` differentiates again)."""
    if node.keywords or len(node.args) != 2:
        raise _fail(ctx, node, _GRAD_USAGE)
    wrt = node.args[1]
    if not isinstance(wrt, ast.Name):
        raise _fail(ctx, wrt, _GRAD_USAGE)
    y = _expr(ctx, node.args[0])
    x = _expr(ctx, wrt)
    build = ctx.build
    written = {y: _short(ast.unparse(node.args[0])), x: wrt.id}

    def label(n: int) -> str:
        if n in written:
            return written[n]
        record = build.node(n)
        if record.name:
            return record.name
        return f"the {record.op} on line {record.source[0]}" if record.source else record.op

    where = _where(ctx, node)
    try:
        built = build_grads(build, y, [x], number_only=True, source_pos=where, label=label)
    except GradError as exc:
        raise _fail(ctx, node, f"grad({written[y]}, {wrt.id}): {exc}") from None
    result = built.grads[x]
    nodes = list(built.nodes)
    if result not in nodes or build.node(result).is_leaf:  # an existing node, a constant
        if node is not ctx.assigning:  # inside an expression: that node is the value
            return result
        result = build.add_op("identity", [result], source=where)  # g = grad(...) names it
        nodes.append(result)
    ctx.grads.append(GradCall(result, y, x, tuple(nodes), signature(build, nodes)))
    return result


def _param(ctx: _Context, op, node: ast.AST, around: ast.AST) -> Any:
    """The static parameter of ``op`` written as ``node`` (an index, a shape, an axis)."""
    try:
        return op.params.read(node)
    except ValueError as exc:
        raise _fail(ctx, node if hasattr(node, "lineno") else around, str(exc)) from None


def _op_text(op: ast.AST) -> str:
    return {"FloorDiv": "//", "Mod": "%", "LShift": "<<", "RShift": ">>", "BitOr": "|",
            "BitXor": "^", "BitAnd": "&", "Invert": "~", "Not": "not"}.get(type(op).__name__, type(op).__name__)


# ---- writing ---------------------------------------------------------------------------------


def write_text(graph: Graph, header: str = "") -> str:
    """The graph as ``.gs`` text, which :func:`parse_text` reads back to the same graph: the
    same names, values to the last bit (``-0.0``, ``inf`` and ``nan`` included), bindings and
    output. Unnamed nodes used once are written inline; unnamed nodes used more than once get
    names ``u<id>`` so nothing is computed twice, and so does every ``MAX_INLINE_DEPTH``-th
    node of a long unnamed chain, so the text stays readable and within what Python's parser
    accepts. The graph's inputs, in assignment order, come first; ``output(z)`` comes last
    unless ``z`` is the only sink.

    Raises ``ValueError`` for what the format cannot hold (an unconnected argument, a named
    constant, an input with no value, a parameter bound to data): save those as ``.json``."""
    _check_writable(graph)
    called = _written_calls(graph)
    _check_names(graph, called)
    lines = [f"# {h}" if h else "#" for h in header.splitlines()] if header else []
    if graph.meta.get("dataset"):
        lines.append(_dataset_text(graph.meta["dataset"], graph.meta.get("dataset_csv")))
    defs, calls_of = gs_defs.def_texts(graph, called,
                                       lambda n, args: _node_text(graph, n, args))
    lines.extend(defs)
    groups = graph.groups()
    inner = {m for out in calls_of for m in groups[graph.group_of(out)].members
             if m not in calls_of}  # written inside a def (a group that is not, node by node)
    out = graph.default_output()
    grads = {r: c for r, c in written_grads(graph).items()  # written as grad(y, x) calls
             if not {r, c.y, c.x} & inner}
    inside = {n for call in grads.values() for n in call.nodes if n != call.result}
    order = [n for n in graph.topological_order() if n not in inside]
    text: dict[int, tuple[str, int]] = {}  # node -> (text, precedence) for inline use
    used = {n: sum(1 for _s, d, _p in graph.out_edges(n) if d not in inside and d not in grads)
            for n in order}
    for call in grads.values():
        used[call.y] += 1
    for call in calls_of.values():  # a group uses each of its inputs once, in its call
        for a in set(call.inputs):
            group = graph.groups()[graph.group_of(call.output)]
            used[a] -= sum(1 for _s, d, _p in graph.out_edges(a) if d in group.members) - \
                call.inputs.count(a)
    names: dict[int, str] = {}
    taken = graph.names()

    def fresh(n: int) -> str:
        name = f"u{n}"
        while name in taken:
            name = "_" + name
        return name

    order = [n for n in order if n not in inner]
    for n in order:
        name = graph.name(n)
        if name is None and graph.op(n) != "const" and (used[n] > 1 or used[n] == 0 or n == out
                                                        or graph.node(n).seed is not None):
            name = fresh(n)
        if name is not None:
            names[n] = name
    for call in grads.values():  # grad(y, x) names what it differentiates by
        names.setdefault(call.x, fresh(call.x))
    depth: dict[int, int] = {}  # nesting depth of a node's inline text
    for n in order:
        record = graph.node(n)
        kind = record.op
        if record.is_leaf:
            lit = format_literal(record.value)
            if kind == "const":
                # a negative number binds as Python's unary minus does
                minus = prefix_op(ast.USub()).precedence
                text[n] = (lit, minus if lit.startswith("-") else CALL_PRECEDENCE)
                continue
            bound = binding(graph, n)
            if bound is not None:
                rhs = bound.text()
            elif record.trainable:
                rhs = f"param({lit})"
            else:
                rhs = lit
            lines.append(f"{names[n]} = {rhs}")
            text[n] = (names[n], CALL_PRECEDENCE)
            continue
        if n in grads:  # the nodes one grad(y, x) made: that call
            call = grads[n]
            expr, precedence = f"{GRAD_FORM}({text[call.y][0]}, {names[call.x]})", CALL_PRECEDENCE
            parents = [call.y]
        elif n in calls_of:  # a group: a call of its def
            call = calls_of[n]
            args = [text[a] for a in call.inputs]
            expr, precedence = f"{call.function}({', '.join(a[0] for a in args)})", CALL_PRECEDENCE
            parents = call.inputs
        else:
            args = [text[p] for p in graph.parents(n)]  # (all connected: _check_writable)
            expr, precedence = _node_text(graph, n, args)
            parents = graph.parents(n)
        depth[n] = 1 + max((depth.get(p, 0) for p in parents if p not in names), default=0)
        if depth[n] >= MAX_INLINE_DEPTH and n not in names:
            names[n] = fresh(n)
        if n in names:
            lines.append(f"{names[n]} = {expr}")
            text[n] = (names[n], CALL_PRECEDENCE)
        else:
            text[n] = (expr, precedence)
    for n in order:
        seed = graph.node(n).seed
        if seed is not None and graph.op(n) != "const":
            lines.append(f"{SEED_FORM}({names[n]}, {format_literal(seed)})")
    if _output_written(graph, out):
        lines.append(f"{OUTPUT_FORM}({names[out]})")
    return "\n".join(lines) + "\n"


def _node_text(graph: Graph, n: int, args: list[tuple[str, int]]) -> tuple[str, int]:
    """Node ``n`` written inline, of its arguments' ``(text, precedence)``: ``(text,
    precedence)``. (A constant is its number.)"""
    record = graph.node(n)
    kind = record.op
    if kind == "const":
        lit = format_literal(record.value)
        # a negative number binds as Python's unary minus does
        minus = prefix_op(ast.USub()).precedence
        return lit, minus if lit.startswith("-") else CALL_PRECEDENCE
    op = OPS[kind]
    if kind == "identity":  # y = x
        return args[0][0], op.precedence
    if op.infix and len(args) == 2:
        left = _paren(args[0], op.precedence, right=False, right_assoc=op.infix.right_assoc)
        right = _paren(args[1], op.precedence, right=True, right_assoc=op.infix.right_assoc)
        return f"{left} {op.infix.text} {right}", op.precedence
    if op.prefix and len(args) == 1:
        return f"{op.prefix.text}{_paren(args[0], op.precedence, right=True)}", op.precedence
    if op.subscript:
        return (f"{_paren(args[0], CALL_PRECEDENCE, right=False)}"
                f"{op.params.text(record.params)}", op.precedence)
    if op.call:
        return op.call_text([a[0] for a in args], record.params), op.precedence
    raise ValueError(f"{graph.label(n)} ({kind}) has no form in the expression format; "
                     "save it as .json")


def written_grads(graph: Graph) -> dict[int, GradCall]:
    """The ``grad(y, x)`` calls a text made whose nodes the graph still holds unchanged, by
    their result: those a ``.gs`` text writes as the call. A call whose nodes were changed,
    named, or used by a node outside the calls is written as its nodes instead."""
    out = graph.default_output()
    calls = []
    for call in graph.meta.get(GRADS_META, ()):
        if call.y not in graph or call.x not in graph or call.result not in graph:
            continue
        if signature(graph, call.nodes) != call.signature:
            continue
        inner = [n for n in call.nodes if n != call.result]
        if any(graph.name(n) is not None or n == out or graph.node(n).seed is not None
               for n in inner):
            continue
        calls.append(call)
    while True:  # drop calls whose inner nodes something else uses, until none does
        every = {n for call in calls for n in call.nodes}
        inner = {n for call in calls for n in call.nodes if n != call.result}
        keep = [call for call in calls
                if call.y not in inner and call.x not in inner
                and all(child in every for n in call.nodes if n != call.result
                        for child in graph.children(n))]
        if len(keep) == len(calls):
            return {call.result: call for call in calls}
        calls = keep


def _dataset_text(name: str, csv: str | None) -> str:
    """``dataset("points.csv")``, or with the CSV text carried inside, one row a line."""
    quoted = json.dumps(name, ensure_ascii=False)
    if csv is None:
        return f"dataset({quoted})"
    if '"""' in csv or "\\" in csv or "\r" in csv:
        return f"dataset({quoted}, csv={json.dumps(csv, ensure_ascii=False)})"
    return f'dataset({quoted}, csv="""\n{csv}""")'


def _output_written(graph: Graph, out: int | None) -> bool:
    """Whether the text says ``output(z)``: unless the reader's rule (the only sink) would pick
    ``z`` anyway."""
    return out is not None and (graph.sinks() != [out] or _folds(graph, out))


def _folds(graph: Graph, node: int) -> bool:
    """Whether ``node`` is written as a plain number (``y = 2``, ``y = -2`` of a constant), which
    reads back as an input."""
    kind = graph.op(node)
    parents = graph.parents(node)
    return (kind in ("identity", "neg") and graph.op(parents[0]) == "const"
            and (kind == "identity" or np.ndim(graph.value(parents[0])) == 0))


def _check_writable(graph: Graph) -> None:
    """Refuse, with the reason, a graph the text format cannot hold exactly."""
    for n in graph.nodes():
        record = graph.node(n)
        kind, label = record.op, graph.label(n)
        if kind == "const" and record.name is not None:
            raise ValueError(f"{label} is a named constant; the expression format writes "
                             "constants as numbers inside expressions (make it an input, or "
                             "save as .json)")
        if record.is_leaf and record.value is None:
            raise ValueError(f"input {label} has no value; the expression format cannot hold "
                             "it (give it one, or save as .json)")
        if kind == "input" and record.trainable and binding(graph, n) is not None:
            raise ValueError(f"{label} is both a parameter and bound to dataset columns; the "
                             "expression format holds one or the other (save as .json)")
        if n == graph.output and kind == "const":
            raise ValueError("the output is a constant, which the expression format cannot "
                             "name (choose another output, or save as .json)")
        for port, p in enumerate(graph.parents(n)):
            if p is None:
                raise ValueError(
                    f"argument {port + 1} of {label} ({kind}) is not connected; the expression "
                    "format cannot hold an unfinished graph (save it as .json)")


def _written_calls(graph: Graph) -> set[str]:
    """The function names the text of ``graph`` calls: its ops written as calls, and the forms
    of its parameters, data inputs and dataset."""
    called = set()
    grads = written_grads(graph)
    if grads:
        called.add(GRAD_FORM)
    inside = {n for call in grads.values() for n in call.nodes}
    for n in graph.nodes():
        if n in inside:
            continue
        record = graph.node(n)
        if record.is_leaf:
            if binding(graph, n) is not None:
                called.add("data")
            elif record.trainable:
                called.add("param")
            continue
        op = OPS[record.op]
        if op.call and not (op.infix or op.prefix):
            called.add(op.call)
    if graph.meta.get("dataset"):
        called.add(DATASET_FORM)
    if any(graph.node(n).seed is not None for n in graph.nodes()):
        called.add(SEED_FORM)
    if _output_written(graph, graph.default_output()):
        called.add(OUTPUT_FORM)
    return called


def _check_names(graph: Graph, called: set[str]) -> None:
    """Refuse a graph whose text would call a function by the name of one of its nodes (a node
    named ``sum`` beside a ``sum(...)``): read back, the name would be both."""
    for name in sorted(graph.names()):
        if reserved_name(name, called):
            raise ValueError(f"the node {name} has the name of the function {name}() the graph "
                             "also uses, which the expression format cannot tell apart; rename "
                             "the node, or save as .json")


#: How deep unnamed sub-expressions are nested inline before one is given a name.
MAX_INLINE_DEPTH = 16


def _paren(arg: tuple[str, int], prec: int, right: bool, right_assoc: bool = False) -> str:
    s, p = arg
    if p < prec or (p == prec and (right != right_assoc)):
        return f"({s})"
    return s

