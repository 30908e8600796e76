"""A compiled program of numbers alone, kept on disk and run without numpy.

Most files ``graphstudio eval`` is asked to evaluate again are networks of numbers built from
``+``, ``*``, ``relu``, ``sin``...: ops whose rules on Python floats are plain Python
arithmetic (:mod:`graphstudio.core.scalar_rules`). Their program is kept in a format this
module reads with the standard library alone (no numpy, no registry, no networkx), and its two
passes run here in one loop each, calling the same rules on the same floats as the engine's
passes (:func:`graphstudio.core.engine._run_forward` and ``_run_backward``), in the same
order: the numbers are the same, bit for bit. Importing numpy costs more than a cached run of
a 50,000-node network takes without it.

**The format** (nothing in it is executed; the rules are named, and only the names of
:data:`~graphstudio.core.scalar_rules.PURE` are accepted)::

    graphstudio scalar program 1 SHA256\\n      the digest of everything after this line
    {header: JSON}\\n
    kinds   n × int16     an index into the header's kinds (a leaf kind or an op with its rules)
    first   n × int32     each node's first argument (a position before it; -1 for a leaf)
    second  n × int32     its second argument (-1 for a leaf or an op of one argument)
    leaves  n × float64   each leaf's value (0 for an op)
    named   m × int32     the positions of the m named nodes ``eval`` prints

Positions are the topological order: a node's arguments come before it (checked while the
forward pass runs). Anything that does not fit (another digest, another key, a rule that is
not known, a length, an argument after its node) makes :func:`load` answer None.
"""

from __future__ import annotations

import array
import hashlib
import json
import math
import struct
import sys

from .scalar_rules import PURE, pure_name

__all__ = ["ScalarProgram", "rules", "kind_entry", "leaf_entry", "encode", "encode_program",
           "decode", "run", "pick_output", "MAGIC"]

MAGIC = b"graphstudio scalar program 1 "
_LEAF_KINDS = ("input", "const")
#: the arrays after the header: name, type code, and whether it has one item a node
_ARRAYS = (("kinds", "h"), ("first", "i"), ("second", "i"), ("leaves", "d"), ("named", "i"))


class Invalid(Exception):
    """An entry that is not what :func:`encode` writes."""


class ScalarProgram:
    """A loaded program: the kinds (``[kind, forward rule, backward rule, arity]``, the rules
    None for a leaf), each node's kind index, arguments and leaf value, by position; the
    named nodes and the default output. (A plain class: ``dataclasses`` would add a tenth to
    the time of a cached run of a small graph.)"""

    __slots__ = ("kinds", "kind", "first", "second", "leaves", "names", "named", "output",
                 "output_label")

    def __init__(self, kinds: list[list], kind: list[int], first: list[int],
                 second: list[int], leaves: list[float], names: list[str], named: list[int],
                 output: int, output_label: str) -> None:
        self.kinds, self.kind, self.first, self.second = kinds, kind, first, second
        self.leaves, self.names, self.named = leaves, names, named
        self.output, self.output_label = output, output_label


def rules(op) -> tuple[str, str] | None:
    """The names of ``op``'s forward and backward rules on floats when both are pure Python
    (:data:`~graphstudio.core.scalar_rules.PURE`) and it takes one or two arguments; else
    None (its programs are kept in the other format)."""
    if op.params is not None or op.arity not in ((1,), (2,)) or op.scalar_forward is None:
        return None
    forward = pure_name(op.scalar_forward)
    backward = pure_name(op.scalar_vjp or op.vjp)
    return (forward, backward) if forward and backward else None


def kind_entry(op) -> list | None:
    """The entry of the header's ``kinds`` for the nodes of ``op``: its name, the names of its
    :func:`rules` and how many arguments it takes; None when its rules are not plain Python."""
    named_rules = rules(op)
    return None if named_rules is None else [op.name, *named_rules, max(op.arity)]


def leaf_entry(kind: str) -> list:
    """The entry of the header's ``kinds`` for a leaf (``"input"`` or ``"const"``)."""
    return [kind, None, None, 0]


def encode(key: str, kinds: list[list], kind: list[int], first: list[int], second: list[int],
           leaves: list[float], names: list[str], named: list[int], output: int,
           output_label: str) -> bytes:
    """An entry's bytes (see the module docstring)."""
    header = {"key": key, "n": len(kind), "kinds": kinds, "names": names, "output": output,
              "output_label": output_label, "byteorder": sys.byteorder,
              "itemsizes": [array.array(code).itemsize for _, code in _ARRAYS]}
    parts = [json.dumps(header).encode() + b"\n"]
    for (_, code), items in zip(_ARRAYS, (kind, first, second, leaves, named)):
        # (an array's bytes, as struct packs them: array(code, items) parses each item's
        # argument, twice as slow)
        parts.append(struct.pack(f"{len(items)}{code}", *items))
    body = b"".join(parts)
    return MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def encode_program(key: str, program: ScalarProgram) -> bytes:
    """:func:`encode` of a whole program."""
    p = program
    return encode(key, p.kinds, p.kind, p.first, p.second, p.leaves, p.names, p.named,
                  p.output, p.output_label)


def decode(data: bytes, key: str) -> ScalarProgram:
    """The program of an entry's bytes, checked (raises :class:`Invalid`)."""
    first_line = data.find(b"\n")
    if not data.startswith(MAGIC) or first_line < 0:
        raise Invalid("not a program")
    body = memoryview(data)[first_line + 1:]
    if data[len(MAGIC):first_line].decode("ascii", "replace") != hashlib.sha256(body).hexdigest():
        raise Invalid("digest")
    header_end = data.find(b"\n", first_line + 1)
    try:
        header = json.loads(data[first_line + 1:header_end])
        n, kinds, names = header["n"], header["kinds"], header["names"]
        output, output_label = header["output"], header["output_label"]
        good = (header["key"] == key and header["byteorder"] == sys.byteorder
                and header["itemsizes"] == [array.array(c).itemsize for _, c in _ARRAYS])
    except (ValueError, KeyError, TypeError):
        raise Invalid("header") from None
    if not good or type(n) is not int or n < 1 or type(output) is not int \
            or not 0 <= output < n or type(output_label) is not str \
            or type(names) is not list or not all(type(m) is str for m in names):
        raise Invalid("header")
    _check_kinds(kinds)
    arrays = []
    offset = header_end + 1
    for (_, code), count in zip(_ARRAYS, (n, n, n, n, len(names))):
        a = array.array(code)
        size = count * a.itemsize
        a.frombytes(data[offset:offset + size])
        if len(a) != count:
            raise Invalid("length")
        offset += size
        arrays.append(a)
    if offset != len(data):
        raise Invalid("length")
    kind, first, second, leaves, named = arrays
    if min(kind) < 0 or max(kind) >= len(kinds) or (named and (min(named) < 0
                                                               or max(named) >= n)):
        raise Invalid("positions")
    return ScalarProgram(kinds, kind.tolist(), first.tolist(), second.tolist(), leaves.tolist(),
                         names, named.tolist(), output, output_label)


def _check_kinds(kinds) -> None:
    if type(kinds) is not list:
        raise Invalid("kinds")
    for entry in kinds:
        if type(entry) is not list or len(entry) != 4:
            raise Invalid("kinds")
        name, forward, backward, arity = entry
        if name in _LEAF_KINDS:
            if forward is not None or backward is not None or arity != 0:
                raise Invalid("kinds")
        elif type(name) is not str or forward not in PURE or backward not in PURE \
                or arity not in (1, 2):
            raise Invalid("kinds")


def run(program: ScalarProgram, output: str | None = None, fresh: bool = False
        ) -> tuple[str, list[tuple[str, str, float, float | None]]] | None:
    """The two passes: the output's label, and each named node's name, kind, value and
    gradient (0 for a node the gradient does not reach, None for a constant), as ``eval``
    prints them; ``output`` names the node to differentiate (default: the file's output).
    None when ``output`` names no node, or a rule raises (a number the engine's passes take
    through numpy, such as ``1 / 0``, or a damaged entry): reading the file says what it is.

    ``fresh``: the program was just read from a text (:mod:`graphstudio.io.gs_program`), not
    kept after an evaluation that had nothing to report; then None too when a value is not
    finite, where the engine may warn (``1e200 * 1e200`` raises nothing in Python)."""
    picked = pick_output(program.names, program.named, output, program.output,
                         program.output_label)
    if picked is None:
        return None
    out, out_label = picked
    try:
        values = _forward(program)
        if fresh and not _finite(values):
            return None
        grads = _backward(program, values, out)
    except Exception:  # ArithmeticError, ValueError from a rule; Invalid; a damaged entry
        return None
    named = program.named  # (the rows made a column at a time)
    op_names = [k[0] for k in program.kinds]
    ops = list(map(op_names.__getitem__, map(program.kind.__getitem__, named)))
    named_grads = list(map(grads.__getitem__, named))
    if None in named_grads:
        named_grads = [(None if k == "const" else 0.0) if g is None else g
                       for k, g in zip(ops, named_grads)]
    return out_label, list(zip(program.names, ops, map(values.__getitem__, named), named_grads))


def _finite(values: list[float]) -> bool:
    """Whether every value is a finite number: surely when their sum is (an infinity or a NaN
    makes the sum one; a sum too large for a float is asked of each value)."""
    total = sum(values)
    return total - total == 0.0 or all(map(math.isfinite, values))


def pick_output(names: list[str], named: list[int], output: str | None, default: int,
                default_label: str) -> tuple[int, str] | None:
    """The position and label of the node named ``output`` (of ``names`` at ``named``
    positions), the default ones for None; None when no node has that name."""
    if output is None:
        return default, default_label
    try:
        return named[names.index(output)], output
    except ValueError:
        return None


def _forward(program: ScalarProgram) -> list[float]:
    """Each node's value, by position, as :func:`graphstudio.core.engine._run_forward` computes
    it for floats: the op's ``scalar_forward`` of its arguments' values."""
    values = list(program.leaves)
    forward = [PURE[k[1]] if k[1] else None for k in program.kinds]
    two = [k[3] == 2 for k in program.kinds]
    for i, k, a, b in zip(range(len(values)), program.kind, program.first, program.second):
        f = forward[k]
        if f is None:  # a leaf: its value is there
            continue
        if not 0 <= a < i:
            raise Invalid("an argument after its node")
        if two[k]:
            if not 0 <= b < i:
                raise Invalid("an argument after its node")
            values[i] = f(values[a], values[b])
        else:
            values[i] = f(values[a])
    return values


def _backward(program: ScalarProgram, values: list[float], out: int) -> list:
    """The grad_table by position, as :func:`graphstudio.core.engine._run_backward` computes
    it for floats from the seed 1 at ``out``: each op's rule sends its contributions into its
    arguments, summed there in the same order (constants get none)."""
    grads: list = [None] * len(values)
    grads[out] = 1.0
    backward = [PURE[k[2]] if k[2] else None for k in program.kinds]
    two = [k[3] == 2 for k in program.kinds]
    const = [k[0] == "const" for k in program.kinds]
    kind, first, second = program.kind, program.first, program.second
    for i in range(out, -1, -1):
        g = grads[i]
        if g is None:
            continue
        k = kind[i]
        rule = backward[k]
        if rule is None:
            continue
        a = first[i]
        if two[k]:
            b = second[i]
            c, d = rule(g, (values[a], values[b]), values[i])
            if not const[kind[a]]:
                prev = grads[a]
                grads[a] = c if prev is None else prev + c
            if not const[kind[b]]:
                prev = grads[b]
                grads[b] = d if prev is None else prev + d
        else:
            (c,) = rule(g, (values[a],), values[i])
            if not const[kind[a]]:
                prev = grads[a]
                grads[a] = c if prev is None else prev + c
    return grads
