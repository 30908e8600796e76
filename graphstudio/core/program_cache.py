"""Compiled programs kept on disk, so that ``graphstudio eval`` of an unchanged file is never
read, built and compiled again.

Reading a large ``.gs`` file and building its graph cost far more than the two passes over it
(on a 50,000-node network about 25 µs a node against 2 µs). The first ``eval`` of a file keeps
its compiled :class:`~graphstudio.core.engine.Program` (the ops in topological order, each
node's parents, the inputs' numbers), the names ``eval`` prints and the output, in the user's
cache folder; the next ``eval`` of the same bytes loads that and runs the passes, without
networkx and without reading the text.

* **The key** is a SHA-256 of the file's bytes, its suffix (the same bytes mean another graph in
  another format), this cache's format number and :func:`code_stamp`, which changes whenever
  GraphStudio's code does (another version installed, an edit in a checkout). A changed file
  or a changed GraphStudio simply finds no entry.
* **Nothing read is executed**: an entry is an ``.npz`` of plain arrays, loaded with
  ``allow_pickle=False``. It is checked before use (its own key, each array's type and length,
  every parent before its child, every op in the registry); a damaged, truncated or foreign
  entry is treated as no entry (and replaced by the next run), never as an answer.
* **What is kept**: only graphs whose every node holds a number (no arrays, no op parameters,
  no dataset bindings, no seed) and whose evaluation had no error, warning or note, so that
  the passes over the loaded program are the passes over the file. When the passes over a
  loaded program meet any problem, ``eval`` reads the file the usual way and reports it from
  there.
* **Where**: ``platformdirs.user_cache_dir`` (``$XDG_CACHE_HOME/graphstudio/programs``,
  ``~/.cache/graphstudio/programs`` on Linux), at most :data:`MAX_ENTRIES` entries and
  :data:`MAX_BYTES`, the oldest removed first. ``GRAPHSTUDIO_CACHE=off`` (or ``eval --no-cache``) turns it off.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .engine import Program, _run_backward, _run_forward
from .ops import OPS
from .savefile import atomic_write_bytes

if TYPE_CHECKING:
    from .graph import Graph

__all__ = ["CompiledFile", "cache_folder", "entry_key", "code_stamp", "load", "store",
           "cacheable", "replay", "MAX_ENTRIES", "FORMAT"]

#: the layout of an entry; a new layout is a new number, so old entries are never misread
FORMAT = 1
#: entries kept, and their largest total size; the least recently written go first (an entry
#: takes about 20 bytes a node: 20 MB for a million)
MAX_ENTRIES = 32
MAX_BYTES = 256 * 2**20
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


def cache_folder() -> Path | None:
    """The folder of the entries, or None when the cache is turned off."""
    if os.environ.get("GRAPHSTUDIO_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    import platformdirs

    return Path(platformdirs.user_cache_dir("graphstudio", appauthor=False)) / "programs"


def code_stamp(root: Path | None = None) -> str:
    """What changes whenever GraphStudio's code does: the name, size and modification time of
    every Python file of the installed package (``root``, default: this one), as a new version
    installs new files and an edit in a checkout changes one. Cheap: one ``stat`` a file."""
    if root is None:
        root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith((".", "__pycache__")):
                    stack.append(entry.path)
            elif entry.name.endswith(".py"):
                st = entry.stat()
                digest.update(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def entry_key(data: bytes, suffix: str, stamp: str | None = None) -> str:
    """The key of a file of content ``data`` and suffix ``suffix`` (with ``stamp``, default
    :func:`code_stamp`)."""
    digest = hashlib.sha256(f"graphstudio program {FORMAT}\0{suffix.lower()}\0"
                            f"{code_stamp() if stamp is None else stamp}\0".encode())
    digest.update(data)
    return digest.hexdigest()


def cacheable(graph: Graph, program: Program, values: dict, errors: dict,
              notes: list) -> bool:
    """Whether the evaluation of ``graph`` may be replayed from its program alone: numbers
    everywhere, no op parameter, no dataset binding, no seed, no graph settings, and nothing
    to report."""
    if errors or notes or graph.meta:
        return False
    if any(type(v) is not float for v in values.values()):
        return False
    records = graph.records()
    for n in program.order:
        r = records[n]
        if r.data is not None or r.seed is not None or r.params is not None:
            return False
        if r.op not in _LEAF_KINDS and OPS[r.op].params is not None:
            return False
    return True


def store(folder: Path, key: str, program: Program, names: list[str], named: list[int],
          output: int, output_label: str) -> bool:
    """Keep ``program`` (its node ids as ``program.order`` has them; ``named`` and ``output``
    are node ids too) under ``key``; False when the folder cannot be written (the cache is a
    help, never a reason to fail)."""
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
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(folder / f"{key}.npz", buffer.getvalue())
        _prune(folder)
    except OSError:
        return False
    return True


def _prune(folder: Path) -> None:
    """Remove the oldest entries beyond :data:`MAX_ENTRIES` and :data:`MAX_BYTES` (the newest
    is always kept)."""
    entries = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".npz"):
            try:
                st = entry.stat()
            except OSError:
                continue
            entries.append((st.st_mtime_ns, st.st_size, entry.path))
    entries.sort(reverse=True)
    total = 0
    for k, (_, size, path) in enumerate(entries):
        total += size
        if k and (k >= MAX_ENTRIES or total > MAX_BYTES):
            try:
                os.unlink(path)
            except OSError:
                pass


class _Invalid(Exception):
    """An entry that is not what :func:`store` writes."""


def load(folder: Path, key: str) -> CompiledFile | None:
    """The entry of ``key``, or None when there is none or it is not whole and sound."""
    path = folder / f"{key}.npz"
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
    if output is None:
        out, out_label = compiled.output, compiled.output_label
    else:
        try:
            out, out_label = compiled.named[compiled.names.index(output)], output
        except ValueError:
            return None
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
