"""The ``graphstudio`` command.

::

    graphstudio [FILE] [--screenshot OUT.png]     open the editor (on FILE)
    graphstudio --install-desktop                 add GraphStudio to the desktop's menu, .gs files
    graphstudio --uninstall-desktop               and take it away again
    graphstudio eval FILE [--output NAME] [--json] values and gradients of every named node
    graphstudio export FILE -o OUT [...]          annotated images (PNG, SVG, PDF, TikZ, HTML)
    graphstudio convert IN -o OUT [--format F]    another file format (GraphML, DOT, node-link...)
    graphstudio explain FILE [...]                ledger, paths, formulas, gradient check
    graphstudio train FILE --steps N --lr X       gradient descent, headless

Errors in the user's input print one line ``FILE:LINE:COL: message`` (or ``FILE: message``)
on stderr and exit with status 1; there is never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from .core.collector import collector_paused
from .core.numbers import format_value, jsonable

TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Callable, Sequence

    from .core.engine import Evaluation
    from .core.graph import Graph
    from .io.document import Document

# The readers (and with them networkx and every file format) are imported where a file is
# opened: ``eval`` of a file whose compiled program is cached never opens it
# (core/program_cache.py), and starts in a third of the time without them.

__all__ = ["main", "UsageError", "load_and_evaluate", "graph_file"]

#: subcommand -> "module:function" taking (argv) and returning an exit status. Subcommands
#: live in their own modules so that ``eval`` never imports Qt.
SUBCOMMANDS: dict[str, str] = {
    "eval": "graphstudio.cli:eval_main",
    "export": "graphstudio.cli_export:main",
    "convert": "graphstudio.cli_convert:main",
    "explain": "graphstudio.cli_explain:main",
    "train": "graphstudio.cli_train:main",
}


class UsageError(Exception):
    """A problem with the user's input: printed as one line, exit status 1."""


#: the help text of an argument that is a graph file, filled in when help is printed
#: (:func:`graph_file` lists every reader's suffixes, which imports every reader)
GRAPH_FILE_HELP = "a graph file"


def _help_formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter, its width found as argparse finds it
    (``shutil.get_terminal_size().columns - 2``) without importing shutil, which argparse
    imports for it whenever a parser is made (with bz2 and lzma: several milliseconds of a
    first ``eval``'s start-up)."""
    return argparse.HelpFormatter(prog, width=_terminal_columns() - 2)


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs) -> None:
        super().__init__(formatter_class=_help_formatter, **kwargs)

    def format_help(self) -> str:
        for action in self._actions:
            if action.help is GRAPH_FILE_HELP:
                action.help = graph_file()
        return super().format_help()

    def error(self, message: str) -> None:  # exit status 1 with one clear line, like other errors
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(1)


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    return _Parser(prog=prog, description=description)


def graph_file(what: str = "graph") -> str:
    """The help text of a FILE argument: the suffixes of every format GraphStudio reads."""
    from .io.formats import readers, suffix_list

    return f"a {suffix_list(readers())} {what}"


def load_and_evaluate(path: str, output: str | None = None) -> tuple[Document, Evaluation]:
    """Open FILE, pick the output by name, evaluate; raise UsageError with a located message
    for anything the user must fix (including shape mismatches, which are fatal here)."""
    from .core.engine import evaluate
    from .core.graph import GraphError
    from .io import OpenError, open_document

    try:
        doc = open_document(path)
    except OpenError as exc:
        raise UsageError(str(exc)) from None
    graph = doc.graph
    out_node = None
    if output is not None:
        try:
            out_node = graph.find(output)
        except GraphError:
            names = ", ".join(sorted(graph.names())) or "none"
            raise UsageError(f"{path}: --output {output}: no node of that name (names: {names})") from None
    if len(graph) == 0:
        raise UsageError(f"{path}: the file defines no nodes")
    ev = evaluate(graph, out_node)
    fatal = ev.fatal_errors
    if fatal:
        err = min(fatal, key=lambda e: graph.node(e.node).source or (0, 0))
        raise UsageError(f"{locate(path, graph, err.node)}: {err.message}")
    return doc, ev


def locate(path: str, graph: Graph, node: int) -> str:
    """``FILE:LINE:COL`` for nodes parsed from text, else ``FILE: node NAME``."""
    src = graph.node(node).source
    if src:
        return f"{path}:{src[0]}:{src[1]}"
    return f"{path}: node {graph.label(node)}"


def warn_domain(path: str, graph: Graph, ev: Evaluation) -> None:
    for w in sorted(ev.warnings, key=lambda e: graph.node(e.node).source or (0, 0)):
        line = (graph.node(w.node).source or (None,))[0]
        where = f"{path}:{line}" if line else path
        print(f"{where}: warning: {graph.label(w.node)}: {w.message}", file=sys.stderr)


def named_nodes(graph: Graph) -> list[int]:
    return graph.in_order(graph.names().values())


def eval_main(argv: Sequence[str]) -> int:
    p = parser("graphstudio eval", "Print every named node's value and gradient.")
    p.add_argument("file", help=GRAPH_FILE_HELP)
    p.add_argument("--output", metavar="NAME", help="differentiate this node (default: the only "
                   "sink, else the last assigned name)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--no-cache", action="store_true", help="read and compile the file even if "
                   "its compiled program is in the cache, and keep nothing there "
                   "(GRAPHSTUDIO_CACHE=off does the same)")
    args = p.parse_args(argv)
    # The command reads one graph, prints and ends: the collector would only walk the graph
    # again and again while it is read, evaluated and printed (a fifth of the time).
    with collector_paused():
        return _eval(args)


#: one printed row of ``eval``: a named node's name, op, value and gradient
Row = tuple[str, str, object, object]


def _eval(args: argparse.Namespace) -> int:
    cache = None if args.no_cache else _cache_entry(args.file)
    if cache is not None:
        from .core import program_cache

        replayed = program_cache.replay(cache[0], cache[1], args.output)
        if replayed:
            out_label, rows = replayed
            _print_eval(args, out_label, 1.0, rows)
            return 0
        if _first_run(args, cache):
            return 0
    doc, ev = load_and_evaluate(args.file, args.output)
    graph = doc.graph
    for note in doc.notes:
        print(f"{args.file}: note: {note}", file=sys.stderr)
    warn_domain(args.file, graph, ev)
    nodes = named_nodes(graph)
    out_label = graph.label(ev.output) if ev.output is not None else None
    _print_eval(args, out_label, ev, _rows(graph, ev, nodes))
    if cache is not None:
        _keep(cache, args.file, doc, ev, nodes, args.output is None)
    return 0


def _first_run(args: argparse.Namespace, cache: tuple[str, str, bytes]) -> bool:
    """The first run of a ``.gs`` text of numbers whose every op has rules in plain Python,
    without a graph: the text read straight into its program (:mod:`graphstudio.io.gs_program`),
    its passes run, the program kept and the result printed, as reading the file would print
    it. False, having printed nothing, for any other file (and for any problem the passes
    meet): reading it the usual way then says what there is to say."""
    if _suffix(args.file).lower() != ".gs":
        return False
    from .core import lazy_numpy, program_cache, scalar_program

    with lazy_numpy.deferred():  # (its ops' rules on floats need no numpy: 0.2 s saved)
        from .io import gs_program
    program = gs_program.read_program(cache[2])
    if program is None:
        return False
    answer = scalar_program.run(program, args.output, fresh=True)
    if answer is None:
        return False
    _print_eval(args, answer[0], 1.0, answer[1])
    program_cache.store_scalar(cache[0], cache[1], program)
    return True


def _cache_entry(path: str) -> tuple[str, str, bytes] | None:
    """Where the cache is, the key of ``path``'s content and that content; None when the cache
    is off or the file cannot be read (opening it says why)."""
    from .core.program_cache import MAX_FILE_BYTES, cache_folder, entry_key
    from .core.textfile import CannotRead, read_bytes

    folder = cache_folder()
    if folder is None:
        return None
    try:  # (only a regular file: a device never ends, a pipe waits for a writer)
        data = read_bytes(path, MAX_FILE_BYTES)
    except CannotRead:
        return None
    return folder, entry_key(data, _suffix(path)), data


def _suffix(path: str) -> str:
    """``pathlib.PurePath(path).suffix`` (``.gs``; "" for none), the suffix the readers go by,
    without importing pathlib (with what it imports, several milliseconds of a first
    ``eval``'s start-up)."""
    name = os.path.basename(path.rstrip(os.sep))
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _keep(cache: tuple[str, str, bytes], path: str, doc: Document, ev: Evaluation,
          nodes: list[int], default: bool) -> None:
    """Keep the compiled program of a file just evaluated, if it may be replayed and the file
    still holds what was read (it may have been saved again meanwhile); ``default``: ``ev``
    differentiated the file's own output."""
    from .core import program_cache

    graph = doc.graph
    output = ev.output if default else graph.default_output()  # (the file's own output)
    if output is None or not program_cache.cacheable(graph, ev.program, ev.values, ev.errors,
                                                     doc.notes):
        return
    from .core.textfile import CannotRead, read_bytes

    try:
        if read_bytes(path, len(cache[2])) != cache[2]:
            return
    except CannotRead:
        return
    records = graph.records()
    program_cache.store(cache[0], cache[1], ev.program, [records[n].name for n in nodes], nodes,
                        output, graph.label(output))


def _rows(graph: Graph, ev: Evaluation, nodes: list[int]) -> list[Row]:
    records = graph.records()
    return [(records[n].name or graph.label(n), records[n].op, ev.values.get(n), ev.grads.get(n))
            for n in nodes]


def _print_eval(args: argparse.Namespace, out_label: str | None, seed: Evaluation | float,
                rows: list[Row]) -> None:
    """Print what ``eval`` prints: ``seed`` is the evaluation (which says what the backward
    pass started from), or the 1.0 of a number output."""
    if args.json:
        print(json_text(out_label, seed if type(seed) is float else seed_json(seed), rows))
        return
    lines = [("name", "op", "value", f"grad d{out_label}/d·")]
    for name, op, value, grad in rows:
        lines.append((name, op, format_value(value, 6), format_value(grad, 6)))
    print(table(lines))
    if type(seed) is not float and seed.seed_text(6):
        print(f"seed: {seed.seed_text(6)}"
              + (f" (the gradients are those of the sum of {out_label}'s elements)"
                 if seed.seeds_sum else f" (given: the gradients are those of Σ seedᵢ·{out_label}ᵢ)"))


def json_text(out_label: str | None, seed, rows: list[Row]) -> str:
    """``json.dumps`` of :func:`_json`, the same text, written directly: a number in JSON is
    its ``repr`` and a plain name needs no escaping, so the common rows skip the encoder's
    general path (which takes twice as long on a network's 50,000 numbers)."""
    dumps = json.dumps
    ops: dict[str, str] = {}
    parts = []
    names = [row[0] for row in rows]
    if "".join(names).isascii() and all(map(str.isidentifier, names)):  # (all plain: at once)
        keys = [f'"{name}"' for name in names]
    else:
        keys = list(map(_json_name, names))
    for key, (_, op, value, grad) in zip(keys, rows):
        op_text = ops.get(op)
        if op_text is None:
            op_text = ops[op] = _json_name(op)
        # (each number inline: a function call a number is a tenth of the time)
        parts.append(
            f'{key}: {{"op": {op_text}, "value": '
            f'{repr(value) if type(value) is float and value - value == 0.0 else dumps(jsonable(value))}, '
            f'"grad": {repr(grad) if type(grad) is float and grad - grad == 0.0 else dumps(jsonable(grad))}}}')
    nodes = ", ".join(parts)
    return f'{{"output": {dumps(out_label)}, "seed": {dumps(seed)}, "nodes": {{{nodes}}}}}'


def _json_name(text: str) -> str:
    return f'"{text}"' if text.isidentifier() and text.isascii() else json.dumps(text)


def _json(out_label: str | None, seed, rows: list[Row]) -> dict:
    return {"output": out_label, "seed": seed,
            "nodes": {name: {"op": op, "value": jsonable(value), "grad": jsonable(grad)}
                      for name, op, value, grad in rows}}


def eval_json(graph: Graph, ev: Evaluation, nodes: list[int]) -> dict:
    """What ``eval --json`` prints: the output, the seed, and ``nodes``' op, value and
    gradient by name."""
    return _json(graph.label(ev.output) if ev.output is not None else None, seed_json(ev),
                 _rows(graph, ev, nodes))


def seed_json(ev: Evaluation):
    """What the backward pass started from, for ``--json``: ``"sum"`` for an array output
    seeded with ones (the sum of its elements), else the seed's numbers (1 for a number
    output), None when it did not run."""
    return "sum" if ev.seeds_sum else jsonable(ev.seed)


def table(rows: list[tuple[str, ...]]) -> str:
    """Rows as aligned columns; multi-line cells (arrays) continue under their column."""
    split = [[c.splitlines() or [""] for c in r] for r in rows]
    widths = [max(len(line) for r in split for line in r[i]) for i in range(len(rows[0]))]
    out = []
    for k, r in enumerate(split):
        height = max(len(c) for c in r)
        for h in range(height):
            cells = [(c[h] if h < len(c) else "").ljust(w) for c, w in zip(r, widths)]
            out.append("  ".join(cells).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def editor_main(argv: Sequence[str]) -> int:
    p = parser("graphstudio", "Open the GraphStudio editor. Subcommands: "
               + ", ".join(SUBCOMMANDS) + " (graphstudio SUBCOMMAND --help).")
    p.add_argument("file", nargs="?", help=graph_file("file") + " to open")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="render the whole window to a PNG and exit (works headless)")
    p.add_argument("--version", action="version", version=f"graphstudio {_version()}")
    desktop = p.add_mutually_exclusive_group()
    desktop.add_argument("--install-desktop", action="store_true",
                         help="register GraphStudio with the desktop for this user (menu entry, "
                         "icon, .gs files) under $XDG_DATA_HOME or ~/.local/share")
    desktop.add_argument("--uninstall-desktop", action="store_true",
                         help="remove what --install-desktop registered")
    args = p.parse_args(argv)
    if args.install_desktop or args.uninstall_desktop:
        if args.file or args.screenshot:
            raise UsageError(f"{p.prog}: --install-desktop and --uninstall-desktop take no file")
        return desktop_main(args.install_desktop)
    from pathlib import Path

    if args.screenshot and not Path(args.screenshot).resolve().parent.is_dir():
        raise UsageError(f"{args.screenshot}: the folder does not exist")
    try:
        app = importlib.import_module("graphstudio.ui.app")
    except ImportError as exc:
        raise UsageError(f"the editor cannot start: {exc}") from None
    return app.run(args.file, screenshot=args.screenshot)


def _version() -> str:
    from . import __version__

    return __version__


def desktop_main(install: bool) -> int:
    """``--install-desktop`` (``install``) or ``--uninstall-desktop``: no Qt needed."""
    from . import desktop

    try:
        report = desktop.install() if install else desktop.uninstall()
    except desktop.DesktopError as exc:
        raise UsageError(f"graphstudio: {exc}") from None
    print(desktop.describe(report, install))
    return 0


def _resolve(target: str) -> Callable[[Sequence[str]], int]:
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            try:
                fn = _resolve(SUBCOMMANDS[argv[0]])
            except (ImportError, AttributeError):
                raise UsageError(f"'graphstudio {argv[0]}' is not available in this version") from None
            return fn(argv[1:])
        return editor_main(argv)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
