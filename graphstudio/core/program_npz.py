"""The program cache's entries for programs that need numpy: an ``.npz`` of plain arrays.

A program whose every op has a rule on floats in plain Python is kept in the format of
:mod:`graphstudio.core.scalar_program` and replayed without numpy; any other program of
numbers (``pow``, ``max``, ``sum``...) is kept here, loaded with ``allow_pickle=False`` and
replayed by the engine's own passes. See :mod:`graphstudio.core.program_cache`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .engine import Program, _run_backward, _run_forward
from .ops import OPS
from .scalar_program import pick_output

__all__ = ["CompiledFile", "store", "load", "replay", "SUFFIX"]

SUFFIX = ".npz"
_LEAF_KINDS = {"input": -1, "const": -2}


@dataclass(frozen=True)
class CompiledFile:
    """A file's compiled program as loaded from the cache: ``program`` (positions are the node
    ids: ``order[i] == i``), the named nodes ``eval`` prints (``names``, at ``named``
    positions, in the order they were assigned) and the default output's position and label."""

    program: Program
    names: list[str]
    named: list[int]
    output: int
    output_label: str


def store(key: str, program: Program, names: list[str], named: list[int], output: int,
          output_label: str) -> bytes:
    """The entry of ``program`` under ``key`` (its node ids as ``program.order`` has them;
    ``named`` and ``output`` are node ids too)."""
    index = program.index
    vocab = sorted({k for k in program.kinds if k not in _LEAF_KINDS})
    code = {name: i for i, name in enumerate(vocab)} | _LEAF_KINDS
    n = len(program.order)
    leaf_values = np.array([program.leaf_values[i] for i in program.leaves], dtype=np.float64)
    arrays = {
        "key": np.array(key),
        "n": np.array(n, dtype=np.int64),
        "vocab": np.array(vocab, dtype=str) if vocab else np.zeros(0, dtype="<U1"),
        "kinds": np.fromiter((code[k] for k in program.kinds), dtype=np.int32, count=n),
        "arity": np.fromiter(map(len, program.parents), dtype=np.int32, count=n),
        "parents": np.fromiter((p for ps in program.parents for p in ps), dtype=np.int64),
        "leaf_values": leaf_values,
        "names": np.array(names, dtype=str) if names else np.zeros(0, dtype="<U1"),
        "named": np.array([index[m] for m in named], dtype=np.int64),
        "output": np.array(index[output], dtype=np.int64),
        "output_label": np.array(output_label),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


class _Invalid(Exception):
    """An entry that is not what :func:`store` writes."""


def load(path: Path, key: str) -> CompiledFile | None:
    """The entry of ``key`` at ``path``, or None when there is none or it is not whole and
    sound."""
    try:
        with np.load(path, allow_pickle=False) as entry:
            return _compiled_file(entry, key)
    except FileNotFoundError:
        return None
    except Exception:  # damaged, truncated, foreign: no entry (zipfile, numpy, _Invalid...)
        return None


def _array(entry, name: str, kind: str, ndim: int, length: int | None = None) -> np.ndarray:
    a = entry[name]
    if a.dtype.kind != kind or a.ndim != ndim or (length is not None and len(a) != length):
        raise _Invalid(name)
    return a


def _compiled_file(entry, key: str) -> CompiledFile:
    """The entry checked and made a program (the checks and the building by whole arrays:
    a million nodes load in a fraction of a second)."""
    if str(_array(entry, "key", "U", 0)) != key:
        raise _Invalid("key")
    n = int(_array(entry, "n", "i", 0))
    vocab = _array(entry, "vocab", "U", 1).tolist()
    kinds = _array(entry, "kinds", "i", 1, n).astype(np.int64)
    arity = _array(entry, "arity", "i", 1, n).astype(np.int64)
    flat = _array(entry, "parents", "i", 1, int(arity.sum()))
    leaf_values = _array(entry, "leaf_values", "f", 1)
    names = _array(entry, "names", "U", 1).tolist()
    named = _array(entry, "named", "i", 1, len(names))
    output = int(_array(entry, "output", "i", 0))
    output_label = str(_array(entry, "output_label", "U", 0))
    if n < 1 or kinds.min() < -2 or kinds.max() >= len(vocab) or arity.min() < 0:
        raise _Invalid("kinds")
    leaf = kinds < 0
    if np.any(arity[leaf]) or len(leaf_values) != int(leaf.sum()):
        raise _Invalid("leaves")
    # every parent comes before its child
    child = np.repeat(np.arange(n), arity)
    if len(flat) and (flat.min() < 0 or np.any(flat >= child)):
        raise _Invalid("parents")
    op_of = []
    for k, name in enumerate(vocab):
        op = OPS.get(name)
        if op is None or op.params is not None:
            raise _Invalid(name)
        if not _present(arity[kinds == k]) <= set(op.arity):
            raise _Invalid(name)
        op_of.append(op)
    if not (0 <= output < n) or (len(named) and (named.min() < 0 or named.max() >= n)):
        raise _Invalid("positions")
    # the program's lists, made by numpy's loops over arrays of Python objects (codes -2
    # and -1, a constant and an input, index the tables from the end)
    ops = _objects(op_of + [None, None])[kinds].tolist()
    kind_names = _objects(vocab + ["const", "input"])[kinds].tolist()
    parents: list = [()] * n
    starts = np.cumsum(arity) - arity
    for a in _present(arity[~leaf]):  # the nodes of each arity at once
        at = np.flatnonzero(arity == a)
        tuples = list(zip(*(flat[starts[at] + j].tolist() for j in range(a))))
        # each run of consecutive positions by one slice
        cuts = [0, *(np.flatnonzero(np.diff(at) != 1) + 1).tolist(), len(at)]
        for first, end in zip(cuts, cuts[1:]):
            start = int(at[first])
            parents[start:start + end - first] = tuples[first:end]
    leaves = np.flatnonzero(leaf)
    values = np.full(n, None, dtype=object)
    values[leaves] = np.fromiter(leaf_values.tolist(), dtype=object, count=len(leaves))
    program = Program(order=list(range(n)), index=range(n), ops=ops, kinds=kind_names,
                      parents=parents, leaf_values=values.tolist(),
                      leaves=leaves.tolist())
    return CompiledFile(program, names, named.tolist(), output, output_label)


def _present(counts: np.ndarray) -> set[int]:
    """The numbers in an array of small non-negative integers (``np.unique`` would import
    ``numpy.ma``, a tenth of the time of a cached run of a small graph)."""
    return set(np.flatnonzero(np.bincount(counts)).tolist()) if len(counts) else set()


def _objects(items: list) -> np.ndarray:
    table = np.empty(len(items), dtype=object)
    table[:] = items
    return table


class _Labels:
    """What the passes ask a graph for (a node's label, in a message) when there is none."""

    def __init__(self, compiled: CompiledFile) -> None:
        self._names = dict(zip(compiled.named, compiled.names))

    def label(self, position: int) -> str:
        return self._names.get(position, f"u{position}")


def replay(compiled: CompiledFile, output: str | None = None
           ) -> tuple[str, list[tuple[str, str, float, float | None]]] | None:
    """The passes over a loaded program: the output's label, and each named node's name, op,
    value and gradient (what ``eval`` prints; nodes the gradient does not reach get 0, as
    :func:`~graphstudio.core.engine.evaluate` gives them). ``output``: the name of the node to
    differentiate (default: the file's output). None when ``output`` names no node or the
    passes meet any problem: reading the file the usual way then says what it is."""
    program = compiled.program
    picked = pick_output(compiled.names, compiled.named, output, compiled.output,
                         compiled.output_label)
    if picked is None:
        return None
    out, out_label = picked
    n = len(program.order)
    values: list = [None] * n
    errors: dict = {}
    labels = _Labels(compiled)
    _run_forward(program, values, errors, range(n), labels)
    if errors:
        return None
    problems: dict = {}
    grads = _run_backward(program, values, out, 1.0, problems)
    if problems:
        return None
    kinds = program.kinds
    rows = []
    for name, i in zip(compiled.names, compiled.named):
        g = grads[i]
        if g is None:
            g = None if kinds[i] == "const" else 0.0
        elif type(g) is not float:
            g = float(g)
        rows.append((name, kinds[i], values[i], g))
    return out_label, rows
