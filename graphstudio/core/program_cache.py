"""Compiled programs kept on disk, so that ``graphstudio eval`` of an unchanged file is never
read, built and compiled again.

Reading a large ``.gs`` file and building its graph cost far more than the two passes over it
(on a 50,000-node network about 25 µs a node against 2 µs). The first ``eval`` of a file keeps
its compiled :class:`~graphstudio.core.engine.Program` (the ops in topological order, each
node's parents, the inputs' numbers), the names ``eval`` prints and the output, in the user's
cache folder; the next ``eval`` of the same bytes loads that and runs the passes, without
networkx and without reading the text. (A first ``eval`` of a plain ``.gs`` text builds no graph
either: :mod:`graphstudio.io.gs_program` reads it straight into the program kept here, see
:func:`store_scalar`.)

* **The key** is a SHA-256 of the file's bytes, its suffix (the same bytes mean another graph in
  another format), this cache's format number and :func:`code_stamp`, which changes whenever
  GraphStudio's code does (another version installed, an edit in a checkout). A changed file
  or a changed GraphStudio simply finds no entry.
* **Two formats.** A program whose every op has a rule on floats in plain Python (``+``,
  ``*``, ``relu``, ``sin``... :mod:`graphstudio.core.scalar_rules`) is kept in a format read
  with the standard library and replayed without importing numpy
  (:mod:`graphstudio.core.scalar_program`, ``.gsp``); any other program of numbers is an
  ``.npz`` replayed by the engine's passes (:mod:`graphstudio.core.program_npz`). This module
  imports neither numpy nor the registry.
* **Nothing read is executed**: an entry is plain arrays (an ``.npz`` loaded with
  ``allow_pickle=False``, or raw numbers with a JSON header whose rules are names from a fixed
  table). It is checked before use (its own key, a digest or the zip's checksums, each
  array's type and length, every parent before its child, every op known); a damaged,
  truncated or foreign entry is treated as no entry (and replaced by the next run), never as
  an answer.
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
import os
import sys
import time

TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:
    from .engine import Program
    from .graph import Graph
    from .scalar_program import ScalarProgram

__all__ = ["cache_folder", "entry_key", "code_stamp", "replay", "store", "store_scalar",
           "cacheable", "MAX_ENTRIES", "MAX_FILE_BYTES", "FORMAT", "SUFFIXES"]

#: the layout of an entry; a new layout is a new number, so old entries are never misread
FORMAT = 2
#: entries kept, and their largest total size; the least recently written go first (an entry
#: takes about 20 bytes a node: 20 MB for a million)
MAX_ENTRIES = 32
MAX_BYTES = 256 * 2**20
#: the largest file whose program is kept (a larger one is read the usual way, every time:
#: no reader takes more than 50 MB)
MAX_FILE_BYTES = 64 * 2**20
#: the entries' file names end with one of these: a program replayed without numpy, or not
SCALAR_SUFFIX = ".gsp"
SUFFIXES = (SCALAR_SUFFIX, ".npz")
#: an entry being written ends so; one older than STALE_AFTER seconds is removed
TEMPORARY_SUFFIX = ".tmp"
STALE_AFTER = 3600
Row = tuple[str, str, float, "float | None"]

def cache_folder() -> str | None:
    """The folder of the entries, or None when the cache is turned off. (Folders here are
    paths as text, ``os.path``'s: ``eval`` starts without pathlib, see tests/test_eval_startup.py.)"""
    if os.environ.get("GRAPHSTUDIO_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    folder = _linux_cache_dir()
    if folder is None:
        import platformdirs

        folder = platformdirs.user_cache_dir("graphstudio", appauthor=False)
    return os.path.join(folder, "programs")


def _linux_cache_dir() -> str | None:
    """``platformdirs.user_cache_dir("graphstudio")`` on Linux in the cases where every version
    of platformdirs gives the same folder (``$XDG_CACHE_HOME`` an absolute path, or unset or
    empty with an absolute ``$HOME``), found without importing it (a tenth of the time of a
    first ``eval`` of a small file); None anywhere else, where platformdirs says
    (``tests/test_program_cache.py`` compares the two)."""
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") \
            or "ANDROID_DATA" in os.environ:
        return None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg:
        return os.path.join(xdg, "graphstudio") if xdg[0] == "/" else None
    home = os.environ.get("HOME", "")
    return os.path.join(os.path.expanduser("~/.cache"), "graphstudio") if home[:1] == "/" else None


def code_stamp(root: str | None = None) -> str:
    """What changes whenever GraphStudio's code does: the name, size and modification time of
    every Python file of the installed package (``root``, default: this one), as a new version
    installs new files and an edit in a checkout changes one. Cheap: one ``stat`` a file."""
    if root is None:
        root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
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
    from .ops import OPS

    records = graph.records()
    for n in program.order:
        r = records[n]
        if r.data is not None or r.seed is not None or r.params is not None:
            return False
        if r.op not in ("input", "const") and OPS[r.op].params is not None:
            return False
    return True


def store(folder: str, key: str, program: Program, names: list[str], named: list[int],
          output: int, output_label: str) -> bool:
    """Keep ``program`` (its node ids as ``program.order`` has them; ``named`` and ``output``
    are node ids too) under ``key``, in the format without numpy when every op allows it;
    False when the folder cannot be written (the cache is a help, never a reason to fail)."""
    data = _scalar_entry(key, program, names, named, output, output_label)
    suffix = SCALAR_SUFFIX
    if data is None:
        from . import program_npz

        data = program_npz.store(key, program, names, named, output, output_label)
        suffix = program_npz.SUFFIX
    return _write(folder, f"{key}{suffix}", data)


def store_scalar(folder: str, key: str, program: ScalarProgram) -> bool:
    """Keep a program read straight into :mod:`~graphstudio.core.scalar_program`'s arrays
    (:mod:`graphstudio.io.gs_program`) under ``key``; False when the folder cannot be
    written."""
    from . import scalar_program

    return _write(folder, f"{key}{SCALAR_SUFFIX}", scalar_program.encode_program(key, program))


def _write(folder: str, name: str, data: bytes) -> bool:
    """Write an entry under a temporary name beside it and rename it into place, so that no
    reader finds half an entry. It is not flushed to the disk (as a saved file is, in
    :mod:`~graphstudio.core.savefile`): an entry a crash cut short fails its check and is
    only read again, and the flushes took a tenth of a first run's time."""
    temporary = os.path.join(folder, f".{name}.{os.getpid()}{TEMPORARY_SUFFIX}")
    try:
        os.makedirs(folder, exist_ok=True)
        try:
            with open(temporary, "wb") as fh:
                fh.write(data)
            os.replace(temporary, os.path.join(folder, name))
        except OSError:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
            raise
        _prune(folder)
    except OSError:
        return False
    return True


def _scalar_entry(key: str, program: Program, names: list[str], named: list[int], output: int,
                  output_label: str) -> bytes | None:
    """The entry in :mod:`~graphstudio.core.scalar_program`'s format, or None when an op's
    rules are not all plain Python (or an op takes more than two arguments)."""
    from . import scalar_program

    kinds: list[list] = []
    code: dict[str, int] = {}
    kind = []
    for name, op in zip(program.kinds, program.ops):
        k = code.get(name)
        if k is None:
            entry = (scalar_program.leaf_entry(name) if op is None
                     else scalar_program.kind_entry(op))
            if entry is None:
                return None
            k = code[name] = len(kinds)
            kinds.append(entry)
        kind.append(k)
    first = [ps[0] if ps else -1 for ps in program.parents]
    second = [ps[1] if len(ps) > 1 else -1 for ps in program.parents]
    leaves = [0.0 if v is None else v for v in program.leaf_values]
    index = program.index
    return scalar_program.encode(key, kinds, kind, first, second, leaves, names,
                                 [index[m] for m in named], index[output], output_label)


def _prune(folder: str) -> None:
    """Remove the oldest entries beyond :data:`MAX_ENTRIES` and :data:`MAX_BYTES` (the newest
    is always kept), and stale temporaries."""
    entries = []
    for entry in os.scandir(folder):
        if entry.name.endswith(TEMPORARY_SUFFIX):  # (left by a process that died writing it)
            try:
                if entry.stat().st_mtime < time.time() - STALE_AFTER:
                    os.unlink(entry.path)
            except OSError:
                pass
        elif entry.name.endswith(SUFFIXES):
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


def replay(folder: str, key: str, output: str | None = None
           ) -> tuple[str, list[Row]] | None:
    """The passes over the entry of ``key``: the output's label, and each named node's name,
    op, value and gradient (what ``eval`` prints; nodes the gradient does not reach get 0, as
    :func:`~graphstudio.core.engine.evaluate` gives them). ``output``: the name of the node to
    differentiate (default: the file's output). None when there is no sound entry, ``output``
    names no node or the passes meet any problem: reading the file the usual way then says
    what it is."""
    try:
        with open(os.path.join(folder, f"{key}{SCALAR_SUFFIX}"), "rb") as fh:
            data = fh.read()
    except OSError:  # none (or unreadable): perhaps an entry that needs numpy
        path = os.path.join(folder, f"{key}.npz")
        if not os.path.isfile(path):
            return None
        from . import program_npz

        compiled = program_npz.load(path, key)
        return compiled and program_npz.replay(compiled, output)
    from . import scalar_program

    try:
        program = scalar_program.decode(data, key)
    except scalar_program.Invalid:
        return None
    return scalar_program.run(program, output)
