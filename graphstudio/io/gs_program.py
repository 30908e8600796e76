"""The first ``eval`` of a ``.gs`` file of numbers: its text read straight into a scalar program.

A cached ``eval`` replays a file's program without building a graph
(:mod:`graphstudio.core.scalar_program`). The first ``eval`` need not build one either when
the text is plain enough: simple lines only (:mod:`graphstudio.io.gs_fast`: ``x = 0.5``,
``u = sin(sin(x))``, ``z = b + w * x``...), every op one with rules on floats in plain Python.
:func:`read_program` reads such a text into the program's arrays, which ``eval`` runs, keeps in
the cache and prints. It is the program that compiling the graph the full reader builds
gives, byte for byte once encoded (``tests/test_gs_program.py`` reads the same texts both
ways and compares).

It decides nothing about the language. The lines are read by :mod:`~graphstudio.io.gs_fast`,
as the full reader reads them, and the op facts come from the registry. The lines a network
is mostly made of are read by regular expressions, without going token by token: runs of
inputs and parameters (``x1 = 0.5``, ``w1 = param(-0.25)``), each run at once, and a neuron's
sums of products (``u = b + w1 * x1 + w2 * x2``, ``h = relu(u + w3 * x3)``), whose nodes are
made a line at a time. Any text this module
is not certain to read exactly as the full reader does gives None, and the full reader
(:mod:`graphstudio.io.gs`) reads it and says what is wrong, if anything. That covers a line
that is not simple, a name assigned twice, used before it is assigned or both a name and a
function, a number word, an op without rules in plain Python, and too many nodes.
"""

from __future__ import annotations

from ..core.ops import NUMBER_WORDS, OPS
from ..core.scalar_program import ScalarProgram, kind_entry, leaf_entry
from . import gs_fast
from .gs_split import MAX_BYTES, MAX_NODES, text_with_breaks

__all__ = ["read_program"]


_PARAM = ["param"]  # what ``w = param(0.5)`` calls
_PLUS_TIMES = ["+", "*"] * gs_fast.MAX_STEPS  # the operators of a sum of products, in turn


class _Refused(Exception):
    """The text is for the full reader."""


def read_program(data: bytes) -> ScalarProgram | None:
    """The scalar program of a ``.gs`` file's bytes (its default output as the output), or
    None when the full reader must read it (see the module docstring)."""
    if len(data) > MAX_BYTES:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        return _Reader().read(text)
    except _Refused:
        return None


class _Reader:
    """The arrays of a program being read (:class:`ScalarProgram`'s), by position: the
    nodes in the order the full reader makes them, which is the order the engine compiles a
    graph just read in."""

    def __init__(self) -> None:
        self.kind: list[int] = []  # each node's kind: an index into _entries
        self.first: list[int] = []
        self.second: list[int] = []
        self.leaves: list[float] = []
        self.names: list[str] = []  # the named nodes' names and positions, in order
        self.named: list[int] = []
        self.at: dict[str, int] = {}  # name -> position
        self.called: set[str] = set()  # the function names the text calls
        self._kinds: dict[str, int] = {}  # op name (or leaf kind) -> its index
        self._entries: list[list] = []  # the header's kinds (scalar_program.kind_entry)
        self._calls: dict[str, int] = {}  # a function of one argument -> its kind's index
        self._chains: dict[str, tuple] = {}  # the calls' text of a nested line -> its nodes'
        # kinds, second arguments and values

    def read(self, text: str) -> ScalarProgram:
        rules = self._rules = gs_fast.grammar()
        self._binary = {text: op for text, (_prec, op) in rules.binary.items()}
        nested_parts, sum_parts = gs_fast.nested_parts, gs_fast.sum_parts
        RUN, NESTED, SUM = gs_fast.RUN, gs_fast.NESTED, gs_fast.SUM
        # (the writer's common lines by regular expressions, a run of inputs at once; any other
        # line, or one of these the shortcuts are unsure of, token by token)
        for match in gs_fast.lines(text_with_breaks(text)):
            kind = match.lastindex
            if kind == RUN:
                run = gs_fast.input_run(match.group())
                if run is None:  # a keyword assigned, a number to read otherwise
                    raise _Refused
                targets, values, param = run
                if param and "param" not in self.called:
                    self._note_calls(_PARAM)
                self._inputs(targets, values)
            elif kind == NESTED and (found := nested_parts(*match.group(2, 3, 4, 5))):
                self._nested(*found)
            elif kind != SUM or (found := sum_parts(*match.group(6, 7, 8, 9))) is None \
                    or not self._sum(*found):
                self._line(match.group()[:-1])
            if len(self.kind) > MAX_NODES:
                raise _Refused
        if not self.kind:
            raise _Refused
        return self._program()

    def _line(self, line: str) -> None:
        """Any other line, token by token (a blank line or a comment makes nothing)."""
        stripped = line.lstrip(" \t\f")
        if stripped and stripped[0] != "#":
            # (the line's number places the plan's nodes in the text, which no message here
            # needs: any problem is the full reader's to report)
            plan = gs_fast.simple_statement(line, 0, self._rules)
            if plan is None:
                raise _Refused
            self._plan(plan)

    # ---- lines -----------------------------------------------------------------------------

    def _nested(self, target: str, opened: str, inner: str) -> None:
        """``target = f(g(h(inner)))``: the calls from the inside out. A chain repeats the same
        calls line after line: what they make is looked up once for each text of calls."""
        made = self._chains.get(opened)
        if made is None:
            calls = gs_fast.called_names(opened)
            self._note_calls(calls)  # (a name assigned later is refused by _assign)
            kinds = [self._call_kind(c) for c in reversed(calls)]
            made = self._chains[opened] = (kinds, [-1] * len(kinds), [0.0] * len(kinds))
        kinds, no_second, no_value = made
        arg = self._name(inner)
        start = len(self.kind)
        self.kind.extend(kinds)
        self.first.append(arg)
        self.first.extend(range(start, start + len(kinds) - 1))
        self.second.extend(no_second)
        self.leaves.extend(no_value)
        self._assign(target, len(self.kind) - 1)

    def _sum(self, target: str, call: str | None, tokens: list[str]) -> bool:
        """``z = b + w1 * x1 - 0.5``, ``h = relu(u + w * x)`` (:func:`gs_fast.sum_parts`), as
        :meth:`_plan` builds it from the line's plan: each product, then its sum with what
        comes before, then the call. False, having made nothing, when an operator or the call
        is not one this reader takes: the line's plan then says."""
        binary = self._binary
        if (call is not None and gs_fast.call_op(call, 1) is None
                or not binary.keys() >= set(tokens[1::2])):
            return False
        if call is not None:
            self._note_calls([call])
        if not self._sum_of_products(tokens):  # one operation at a time
            factor, op, n = self._factor, self._op2, len(tokens)

            def product(i: int) -> tuple[int, int]:  # tokens[i:] from a factor up to + or -
                node = factor(tokens[i])
                i += 1
                while i < n and tokens[i] in ("*", "/"):
                    node = op(binary[tokens[i]], node, factor(tokens[i + 1]))
                    i += 2
                return node, i

            total, i = product(0)
            while i < n:
                term, after = product(i + 1)
                total = op(binary[tokens[i]], total, term)
                i = after
        total = len(self.kind) - 1  # (the sum: the last node made)
        if call is not None:
            total = self._op1(self._call_kind(call), total)
        self._assign(target, total)
        return True

    def _sum_of_products(self, tokens: list[str]) -> bool:
        """``s + a1 * b1 + a2 * b2 + ...`` of names (a neuron's line), made at once: the
        products and sums alternate, each sum of the one before and the next product. False,
        having made nothing, for any other sum."""
        count, odd = divmod(len(tokens), 4)
        if odd != 1 or tokens[1::2] != _PLUS_TIMES[:2 * count]:
            return False
        at = self.at
        try:
            start = at[tokens[0]]
            factors = list(map(at.__getitem__, tokens[2::2]))  # a1, b1, a2, b2...
        except KeyError:  # a number, a name not assigned above: one term at a time
            return False
        mul, add = self._binary["*"], self._binary["+"]
        k_mul = self._kind(mul.name, mul)  # (the first node made is a product)
        k_add = self._kind(add.name, add)
        n, made = len(self.kind), 2 * count
        # node n + 2j is a_j * b_j, node n + 2j + 1 the sum before (start, then n + 2j - 1)
        # plus that product
        second = factors[1:]  # (b1 and the b's at the even places)
        second.append(0)
        second[1::2] = range(n, n + made, 2)
        first = factors  # (the a's at the even places)
        first[1] = start
        first[3::2] = range(n + 1, n + made - 2, 2)
        self.kind.extend([k_mul, k_add] * count)
        self.first.extend(first)
        self.second.extend(second)
        self.leaves.extend([0.0] * made)
        return True

    def _factor(self, text: str) -> int:
        """The node of a factor: a name assigned above, or a number (a new constant)."""
        at = self.at.get(text)
        if at is not None:
            return at
        if text[0] not in "0123456789.":
            raise _Refused  # not assigned above: the full reader says so
        return self._leaf("const", float(text))

    def _op2(self, op, a: int, b: int) -> int:
        """A node of ``op`` (of two arguments) on positions ``a`` and ``b``."""
        self.kind.append(self._kind(op.name, op))
        self.first.append(a)
        self.second.append(b)
        self.leaves.append(0.0)
        return len(self.kind) - 1

    def _plan(self, plan: gs_fast.Plan) -> None:
        """Any other simple line, step by step, as :func:`graphstudio.io.gs._fast` builds it."""
        self._note_calls([name for name, _where in plan.calls])
        if plan.literal is not None:  # (a parameter is an input too)
            self._assign(plan.target, self._leaf("input", plan.literal))
            return
        stack: list[int] = []
        for step in plan.steps:
            kind = step[0]
            if kind == "name":
                stack.append(self._name(step[1]))
            elif kind == "const":
                stack.append(self._leaf("const", step[1]))
            else:
                count = step[2]
                if count not in (1, 2):
                    raise _Refused
                args = stack[-count:]
                del stack[-count:]
                stack.append(self._op(step[1], args))
        last = plan.steps[-1][0]
        if last == "name":  # y = x: a node of its own, which passes x on
            self._assign(plan.target, self._op("identity", stack))
        elif last == "op":
            self._assign(plan.target, stack[-1])
        else:
            raise _Refused

    # ---- nodes -----------------------------------------------------------------------------

    def _note_calls(self, calls: list[str]) -> None:
        """A name the text calls may not name a node (the full reader says where)."""
        if not self.at.keys().isdisjoint(calls):
            raise _Refused
        self.called.update(calls)

    def _name(self, name: str) -> int:
        at = self.at.get(name)
        if at is None:  # not assigned above: the full reader says so
            raise _Refused
        return at

    def _assign(self, target: str, position: int) -> None:
        if target in self.at or target in self.called or target in NUMBER_WORDS:
            raise _Refused
        self.at[target] = position
        self.names.append(target)
        self.named.append(position)

    def _inputs(self, targets: list[str], values: list[float]) -> None:
        """``x = 0.5``, ``w = param(0.5)``...: an input named each of ``targets``."""
        at, n, count = self.at, len(self.kind), len(targets)
        named = range(n, n + count)
        at.update(zip(targets, named))
        if (len(at) != len(self.names) + count or not self.called.isdisjoint(targets)
                or not at.keys().isdisjoint(NUMBER_WORDS)):
            raise _Refused  # a name assigned twice, called or a number word
        k = self._kinds.get("input")
        if k is None:
            k = self._kind("input", None)
        self.kind.extend([k] * count)
        self.first.extend([-1] * count)
        self.second.extend([-1] * count)
        self.leaves.extend(values)
        self.names.extend(targets)
        self.named.extend(named)

    def _leaf(self, kind: str, value: float) -> int:
        self.kind.append(self._kind(kind, None))
        self.first.append(-1)
        self.second.append(-1)
        self.leaves.append(value)
        return len(self.kind) - 1

    def _op(self, name: str, args: list[int]) -> int:
        op = OPS.get(name)
        if op is None:
            raise _Refused
        self.kind.append(self._kind(name, op))
        self.first.append(args[0])
        self.second.append(args[1] if len(args) == 2 else -1)
        self.leaves.append(0.0)
        return len(self.kind) - 1

    def _op1(self, k: int, a: int) -> int:
        """A node of kind ``k`` (of one argument) on position ``a``."""
        self.kind.append(k)
        self.first.append(a)
        self.second.append(-1)
        self.leaves.append(0.0)
        return len(self.kind) - 1

    def _call_kind(self, call: str) -> int:
        k = self._calls.get(call)
        if k is None:
            op = gs_fast.call_op(call, 1)
            if op is None:
                raise _Refused
            k = self._calls[call] = self._kind(op.name, op)
        return k

    def _kind(self, name: str, op) -> int:
        k = self._kinds.get(name)
        if k is None:
            entry = leaf_entry(name) if op is None else kind_entry(op)
            if entry is None:  # rules that need numpy
                raise _Refused
            k = self._kinds[name] = len(self._entries)
            self._entries.append(entry)
        return k

    # ---- the program -------------------------------------------------------------------------

    def _program(self) -> ScalarProgram:
        # (the kinds are numbered as their first node is made: in the order of the engine's
        # program, which the entry keeps)
        entries, kind = self._entries, self.kind
        output = self._default_output(entries, kind)
        label = self.names[self.named.index(output)]
        return ScalarProgram(entries, kind, self.first, self.second, self.leaves, self.names,
                             self.named, output, label)

    def _default_output(self, entries: list[list], kind: list[int]) -> int:
        """:meth:`Graph.default_output <graphstudio.core.graph.Graph.default_output>` of the
        graph read: the only op node that feeds nothing, else the last named node, which is
        the last node (and feeds nothing)."""
        last = len(kind) - 1
        if entries[kind[last]][1] is not None:  # an op: the only such node, or the last named
            return last
        fed = set(self.first)
        fed.update(self.second)
        sinks = [i for i, k in enumerate(kind) if entries[k][1] is not None and i not in fed]
        return sinks[0] if len(sinks) == 1 else last
