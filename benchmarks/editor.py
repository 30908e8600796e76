"""How fast the editor's canvas is, offscreen and in-process: one JSON line per file.

    python benchmarks/editor.py FILE...                      # files as the user opens them
    python benchmarks/editor.py --generate mlp:1000 dag:5000 # generated graphs of about that size
    python benchmarks/editor.py FILE... --vs /path/to/other/checkout   # before/after, alternating

For each file it prints ``{"file", "nodes", "open_ms", "repaint_ms", "scrub_ms", "arrange_ms",
...}``, each a median of several runs:

* ``open_ms``: File > Open as the editor does it (read, lay out a file without positions,
  evaluate, build the items, route the edges, fit the view) and the first paint of the canvas;
* ``repaint_ms``: a full repaint of the canvas, the slowest of the zooms in ``repaint_zoom_ms``
  (the whole graph fitted in the view, 0.25, 0.5 and 1);
* ``scrub_ms``: dragging over an input's number once: the input's descendants recomputed, the
  backward pass, the values, gradients and labels updated on the items, and the canvas
  repainted where it changed; the slower of ``scrub_zoom_ms``: the whole graph fitted in the
  view (as after opening) and zoom 1 centred on the input (the nodes out of sight are
  brought up to date when the drag pauses or ends);
* ``scrub_end_ms``: letting go of the number after those drags: the nodes out of sight brought
  up to date and every box fitted to its text again (measured once);
* ``arrange_ms``: Graph > Arrange on a shuffled graph, up to the repaint;
* ``svg_ms``: the SVG export of the graph (as ``graphstudio export -o out.svg``);
* ``labels_ms``: View > Edge Labels turned on (every edge's local derivative written, and
  each label's spot found clear of boxes and other labels), up to the repaint;
* ``scrub_labels_ms``: one step of a scrub (as ``scrub_ms``, the slower of the same two
  views) with the edge labels shown;
* ``scrub_labels_end_ms``: letting go of the number after those drags, as a person does (the
  new value kept, one undo step): as ``scrub_end_ms``, and the edge labels placed for the
  boxes as they are then (measured once).

``--generate mlp:N`` writes a neuron-level MLP (``relu(b + w0*x0 + ...)``, every weight a node
of its own) of about N nodes as a ``.gs`` file; ``dag:N`` a wide layered DAG of about N nodes
(``+``, ``*``, ``tanh``, ``sin`` of nodes in the layers before). Same N, same file.

``--vs DIR`` times the same files with another checkout of GraphStudio (e.g. the state before a
change, with its own ``DIR/.venv``), alternating: a run of this checkout, a run of the other,
``--rounds`` times, each run a fresh process; it prints both sets of medians and their ratios.
Only public parts of the editor are used, so the script runs on older checkouts too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
ZOOMS = ("fit", 0.25, 0.5, 1.0)
KEYS = ("open_ms", "repaint_ms", "scrub_ms", "scrub_end_ms", "arrange_ms", "svg_ms", "labels_ms",
        "scrub_labels_ms", "scrub_labels_end_ms")


# ---- generated graphs ----------------------------------------------------------------------------


def mlp_text(n: int, seed: int = 0) -> str:
    """A neuron-level MLP with ``w`` inputs, two hidden layers of ``w`` relu neurons and one
    linear output neuron, ``w`` as large as keeps it within about ``n`` nodes, and a squared
    error. (The output is not a relu: one that is 0 stops every gradient, and a scrub then
    changes no gradient at all.)"""
    def size(w: int) -> int:  # inputs + neurons (bias, w weights, w products, w sums, relu)
        return w + 2 * w * (3 * w + 2) + (3 * w + 1) + 3
    w = 1
    while size(w + 1) <= n:
        w += 1
    rng = random.Random(seed)
    lines = [f"# a neuron-level MLP {w}-{w}-{w}-1 (benchmarks/editor.py --generate mlp:{n})"]
    current = []
    for i in range(w):
        lines.append(f"x{i} = {rng.uniform(-1, 1):.3f}")
        current.append(f"x{i}")
    for depth, width in enumerate((w, w, 1), start=1):
        nxt = []
        for j in range(width):
            terms = [f"b{depth}_{j}"]
            lines.append(f"b{depth}_{j} = param({rng.uniform(-0.1, 0.1):.3f})")
            for k, x in enumerate(current):
                lines.append(f"w{depth}_{j}_{k} = param({rng.uniform(-1, 1) / len(current) ** 0.5:.3f})")
                terms.append(f"w{depth}_{j}_{k} * {x}")
            total = " + ".join(terms)
            lines.append(f"h{depth}_{j} = {total}" if width == 1 else f"h{depth}_{j} = relu({total})")
            nxt.append(f"h{depth}_{j}")
        current = nxt
    lines.append(f"loss = ({current[0]} - 0.5) ** 2")
    return "\n".join(lines) + "\n"


def dag_text(n: int, seed: int = 0) -> str:
    """A wide layered DAG: ``width`` inputs, then layers of ``width`` nodes, each an op of one or
    two nodes of the layers just before (every node is used), then a sum of the last layer."""
    width = max(2, int(round((n / 4) ** 0.5)))
    depth = max(1, round((n - 2 * width) / (1.5 * width)))  # half the ops are two nodes
    rng = random.Random(seed)
    lines = [f"# a wide DAG, {depth} layers of {width} (benchmarks/editor.py --generate dag:{n})"]
    layers = [[f"i{k}" for k in range(width)]]
    for k, name in enumerate(layers[0]):
        lines.append(f"{name} = {rng.uniform(-1, 1):.3f}")
    for d in range(1, depth + 1):
        prev = layers[-1]
        order = prev[:]
        rng.shuffle(order)  # every node of the layer before feeds at least one here
        layer = []
        for k in range(width):
            a = order[k]
            pool = [m for layer_ in layers[-3:] for m in layer_]
            b = rng.choice(pool)
            op = rng.choice(("add", "mul", "tanh", "sin"))
            expr = {"add": f"tanh({a} + {b})", "mul": f"{a} * {b}",
                    "tanh": f"tanh({a})", "sin": f"sin({a} - {b})"}[op] if a != b else f"tanh({a})"
            name = f"n{d}_{k}"
            lines.append(f"{name} = {expr}")
            layer.append(name)
        layers.append(layer)
    lines.append(f"out = {' + '.join(layers[-1])}")
    return "\n".join(lines) + "\n"


GENERATORS = {"mlp": mlp_text, "dag": dag_text}


def generate(specs: list[str], folder: Path) -> list[Path]:
    paths = []
    for spec in specs:
        kind, _, size = spec.partition(":")
        if kind not in GENERATORS or not size.isdigit():
            sys.exit(f"--generate {spec}: expected mlp:N or dag:N")
        path = folder / f"{kind}{size}.gs"
        path.write_text(GENERATORS[kind](int(size)), encoding="utf-8")
        paths.append(path)
    return paths


# ---- timing in this process ------------------------------------------------------------------------


class Clock:
    """CPU time of this process (the figures reported: the machine is shared, and a loaded
    machine stretches wall time but not the work done) and wall time beside it."""

    def __init__(self) -> None:
        self.cpu: dict[str, list[float]] = {}
        self.wall: dict[str, list[float]] = {}

    def time(self, key: str, fn) -> float:
        """Run ``fn``; note and return its CPU time in ms."""
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
        self.cpu.setdefault(key, []).append(cpu)
        self.wall.setdefault(key, []).append(wall)
        return cpu

    def runs(self, key: str, fn, runs: int, budget_ms: float, before=None) -> None:
        """``fn`` timed ``runs`` times (``before`` run untimed before each), fewer when the first
        runs already took ``budget_ms``."""
        spent = 0.0
        for _ in range(runs):
            if before is not None:
                before()
            spent += self.time(key, fn)
            if spent > budget_ms:
                break

    def medians(self, key: str) -> tuple[float, float]:
        return _median(self.cpu[key]), _median(self.wall[key])


def _median(xs: list[float]) -> float:
    return round(statistics.median(xs), 1)


def private_user_folders() -> Path:
    """Point the editor's settings, recent files and autosaves at a fresh temporary folder
    (set before Qt reads them), so a benchmark never reads or changes the user's own."""
    home = Path(tempfile.mkdtemp(prefix="gs-editor-bench-"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(home / "settings"))
    return home


def measure(path: Path, runs: int, budget_ms: float) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = private_user_folders()
    from PySide6.QtWidgets import QApplication

    from graphstudio.render.export import export_graph
    from graphstudio.ui.commands import MoveCommand
    from graphstudio.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(restore_layout=False)
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    canvas = window.canvas
    viewport = canvas.viewport()

    def settle() -> None:  # what the event loop does before the user sees the result
        app.processEvents()
        viewport.repaint()

    def open_() -> None:
        if not window.open_file(str(path), ask=False):
            sys.exit(f"{path}: cannot be opened")
        settle()

    clock = Clock()
    clock.runs("open_ms", open_, runs, budget_ms)
    doc = window.document
    graph = doc.graph
    for zoom in ZOOMS:
        canvas.fit() if zoom == "fit" else canvas.set_zoom(zoom)
        app.processEvents()
        clock.runs(f"repaint@{zoom}", viewport.repaint, max(runs, 5), budget_ms)

    leaves = [n for n in graph.nodes() if graph.op(n) == "input"
              and isinstance(graph.value(n), float) and graph.children(n)]
    if leaves:
        node = max(leaves[:50], key=lambda n: len(graph.children(n)))
        start = graph.value(node)
        steps = iter(range(1, 10**9))
        last = [start]  # the value the last scrub set

        def scrub() -> None:
            last[0] = start + 0.01 * next(steps)
            window.scene.scrub(node, last[0])
            app.processEvents()
        def scrubs(kind: str) -> None:
            for zoom in ("fit", 1.0):  # all of the graph in view; the input's part, legible
                if zoom == "fit":
                    canvas.fit()
                else:
                    canvas.set_zoom(zoom)
                    canvas.centerOn(window.scene.nodes[node])
                app.processEvents()
                scrub()
                clock.runs(f"{kind}@{zoom}", scrub, max(runs, 7), budget_ms)
        scrubs("scrub")
        def release(new: float | None = None) -> None:
            """Let go: the nodes out of sight catch up, every box fits its text (and ``new``,
            if given, is kept, as when a person lets go)."""
            window.scene.finish_scrub(node, start, start if new is None else new)
            app.processEvents()
        clock.time("scrub_end_ms", release)

    rng = random.Random(1)

    def shuffle() -> None:
        moves = {n: (graph.position(n), (rng.uniform(-2000, 2000), rng.uniform(-2000, 2000)))
                 for n in graph.nodes()}
        doc.push(MoveCommand(doc, moves))
        app.processEvents()

    def arrange() -> None:
        window.arrange()
        settle()
    clock.runs("arrange_ms", arrange, runs, budget_ms, before=shuffle)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "graph.svg"
        clock.runs("svg_ms", lambda: export_graph(graph, doc.evaluation, out),  # the defaults
                   runs, budget_ms)

    if leaves:  # View > Edge Labels: turning them on, then scrubbing with them shown

        def labels(on: bool) -> None:
            if bool(doc.view.get("edge_labels", False)) != on:
                window.act_labels.trigger()
                settle()
        clock.runs("labels_ms", lambda: labels(True), runs, budget_ms,
                   before=lambda: labels(False))
        scrubs("scrub_labels")
        clock.time("scrub_labels_end_ms", lambda: release(last[0]))
        labels(False)

    result: dict = {"file": str(path), "nodes": len(graph)}
    by_zoom = {kind: {key.split("@")[1]: clock.medians(key)[0] for key in clock.cpu
                      if key.startswith(kind + "@")} for kind in ("repaint", "scrub", "scrub_labels")}
    for key in KEYS:
        kind = key.removesuffix("_ms")
        if by_zoom.get(kind):
            result[key] = max(by_zoom[kind].values())  # the slowest zoom
        elif key in clock.cpu:
            result[key] = clock.medians(key)[0]
    result["repaint_zoom_ms"] = by_zoom["repaint"]
    result["scrub_zoom_ms"] = by_zoom["scrub"]
    result["wall_ms"] = {key: clock.medians(key)[1] for key in clock.wall}
    window.document.undo_stack.setClean()
    window.close()
    shutil.rmtree(home, ignore_errors=True)
    return result


# ---- before/after, alternating --------------------------------------------------------------------



def one_run(python: str, code: Path, path: Path, runs: int, budget_ms: float) -> dict:
    cmd = [python, str(Path(__file__).resolve()), str(path), "--runs", str(runs),
           "--budget", str(budget_ms), "--code", str(code)]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(paths: list[Path], other: Path, rounds: int, runs: int, budget_ms: float) -> None:
    other_python = other / ".venv" / "bin" / "python"
    if not other_python.exists():
        sys.exit(f"--vs {other}: expected a checkout with its own .venv")
    for path in paths:
        mine: list[dict] = []
        theirs: list[dict] = []
        for _ in range(rounds):  # alternate: the machine's load drifts, both see the same drift
            mine.append(one_run(sys.executable, HERE, path, runs, budget_ms))
            theirs.append(one_run(str(other_python), other, path, runs, budget_ms))
        line = {"file": str(path), "nodes": mine[0]["nodes"], "rounds": rounds}
        for key in KEYS:
            a = [r[key] for r in mine if key in r]
            b = [r[key] for r in theirs if key in r]
            if a and b:
                line[key] = _median(a)
                line[f"{key}_vs"] = _median(b)
                line[f"{key}_ratio"] = round(statistics.median(b) / max(statistics.median(a), 1e-9), 1)
        print(json.dumps(line), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--generate", nargs="+", default=[], metavar="KIND:N",
                    help="also time generated graphs: mlp:N, dag:N")
    ap.add_argument("--out", type=Path, help="folder for the generated files (default: a temporary one)")
    ap.add_argument("--runs", type=int, default=5, help="repetitions of each measurement")
    ap.add_argument("--budget", type=float, default=30000.0,
                    help="stop repeating a measurement after this many ms")
    ap.add_argument("--vs", type=Path, help="another checkout (with its .venv) to compare with")
    ap.add_argument("--rounds", type=int, default=3, help="with --vs: alternating rounds")
    ap.add_argument("--code", type=Path, default=HERE, help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        paths = list(args.files) + generate(args.generate, folder)
        if not paths:
            ap.error("give files or --generate")
        if args.vs is not None:
            compare(paths, args.vs, args.rounds, args.runs, args.budget)
            return
        for path in paths:
            print(json.dumps(measure(path, args.runs, args.budget)), flush=True)


if __name__ == "__main__":
    main()
