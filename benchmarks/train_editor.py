"""How often the editor redraws while it trains: frames per second of the Training panel's loss
curve, of its output over the input plane and of the canvas.

    python benchmarks/train_editor.py                       # both examples, 3 runs each
    python benchmarks/train_editor.py --example seoul_sgd_l2.gs
    python benchmarks/train_editor.py --before PYTHON       # an older GraphStudio too, alternating
    python benchmarks/train_editor.py --screenshot out.png  # and the window as it trains

Each run is a process of its own: it opens the editor's main window (1366 x 768) on an example
(``seoul_sgd_l2.gs``: learning rate 0.5, minibatches of 8, as its comment says;
``cmu11785_classify.gs``, the 11-785 classifier: learning rate 0.5, full batch), with the
Training panel's plane view and View > Unit Responses on (the default), opens Graph > Train…,
sets the example's settings with a number of steps the run cannot finish, clicks Start, lets a
second go by, and then counts for ``--seconds`` seconds the paint events that reach the loss
curve's viewport, the plane's picture and the canvas's viewport (an event filter on each: a
paint event is a frame that was actually drawn, not one that was asked for). It prints, per
run, the frames per second of each, the longest gap between two of the canvas's frames, the
training steps per second in the same time and, for a version whose training thread counts
them, the milliseconds the window took to draw a frame while the thread waited, and the CPU
time of the window's thread per canvas frame (what a frame costs, less sensitive than the
frame rate to other work on the machine); then the median of the runs.

The window is drawn on the display Qt is given (``QT_QPA_PLATFORM``, ``DISPLAY``); without one
it is drawn offscreen, into memory, which paints the same widgets the same way. Settings and
autosaves go to a temporary folder, never the user's.

``--before PYTHON`` names a Python interpreter that imports another GraphStudio (a virtual
environment with a checkout of an earlier version installed); its runs alternate with this
one's, so a drift in the machine's speed touches both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: each example and its settings: learning rate, minibatch size (None: full batch); NETWORK is
#: not a file but the network Graph > New Network… builds by default on two_blobs.csv
NETWORK = "network_2-4-2"
EXAMPLES = {"seoul_sgd_l2.gs": ("0.5", "8"), "cmu11785_classify.gs": ("0.5", None),
            NETWORK: ("0.5", None)}


def network_file(folder: Path) -> Path:
    """The New Network dialog's default on two_blobs.csv (2-4-2, scalar neurons, softmax and
    cross-entropy, 73 nodes), written as a .gs file: a network drawn neuron by neuron, whose
    hidden units show their responses on the canvas (View > Unit Responses)."""
    from graphstudio.core.dataset import load_csv, set_row
    from graphstudio.core.networks import NetworkSpec, build_network
    from graphstudio.io.gs import write_text

    csv = HERE.parent / "examples" / "data" / "two_blobs.csv"
    g = build_network(NetworkSpec((2, 4, 2), loss="softmax_ce", form="scalar", dataset=str(csv)))
    set_row(g, load_csv(csv), 0)
    path = folder / "network.gs"
    path.write_text(write_text(g))
    return path


def measure(example: str, seconds: float, screenshot: str | None) -> dict:
    """One run in this process (see the module docstring); returns the figures."""
    if "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    home = Path(tempfile.mkdtemp(prefix="gs-train-editor-"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())

    from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
    from PySide6.QtTest import QTest

    import graphstudio
    from graphstudio.ui.app import application
    from graphstudio.ui.main_window import MainWindow

    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(home / "settings"))
    app = application()

    def wait(ms: int) -> None:
        """Run the event loop for ``ms`` milliseconds, as the editor's own loop runs (it lets
        the training thread have the GIL; QTest.qWait would not)."""
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    class Frames(QObject):
        """The times of the paint events a widget receives."""

        def __init__(self, widget) -> None:
            super().__init__(widget)
            self.times: list[float] = []
            widget.installEventFilter(self)

        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Paint:
                self.times.append(time.perf_counter())
            return False

    window = MainWindow(restore_layout=False)
    window.resize(1366, 768)
    window.show()
    QTest.qWaitForWindowExposed(window)
    path = network_file(home) if example == NETWORK else HERE.parent / "examples" / example
    window.open_file(str(path), ask=False)
    window.training.show_panel()
    panel = window.training.panel
    wait(300)

    def type_into(spin, text: str) -> None:
        spin.setFocus()
        spin.selectAll()
        QTest.keyClicks(spin, text)
        QTest.keyClick(spin, Qt.Key_Return)

    lr, batch = EXAMPLES[example]
    type_into(panel.steps, "1000000")
    type_into(panel.lr, lr)
    if batch:
        panel.batch_kind.setCurrentIndex(1)  # Minibatch (the combo box's own signal runs)
        type_into(panel.batch_size, batch)
    units = window.findChild(QObject, "act_unit_responses")
    if units is not None and not units.isChecked():
        raise SystemExit("View > Unit Responses is off")
    chart = Frames(panel.chart.viewport())
    plane = Frames(panel.plane.canvas)
    canvas = Frames(window.canvas.viewport())
    QTest.mouseClick(panel.start_button, Qt.LeftButton)
    if panel.trainer is None:
        raise SystemExit(f"training did not start: {panel.problem.text()}")
    wait(1000)
    def frames() -> tuple[int, float]:  # frames sent and their time (an older version: none)
        return getattr(panel.thread, "frames", 0), getattr(panel.thread, "frame_seconds", 0.0)

    begin, steps0, (frames0, drawing0) = time.perf_counter(), panel.trainer.step_count, frames()
    cpu0 = time.thread_time()
    wait(int(seconds * 1000))
    cpu1 = time.thread_time()
    end, steps1, (frames1, drawing1) = time.perf_counter(), panel.trainer.step_count, frames()
    if screenshot:
        window.grab().save(screenshot, "PNG")
    panel.stop()
    wait(200)
    panel.discard()
    window.document.undo_stack.setClean()
    window.close()
    app.processEvents()

    def rate(times: list[float]) -> float:
        return sum(begin <= t < end for t in times) / (end - begin)

    shown = [t for t in canvas.times if begin <= t < end]
    gaps = [b - a for a, b in zip([begin] + shown, shown + [end])]
    return {"graphstudio": str(Path(graphstudio.__file__).parent.parent),
            "chart_fps": rate(chart.times), "plane_fps": rate(plane.times),
            "canvas_fps": rate(canvas.times),
            "canvas_longest_gap_ms": max(gaps) * 1e3,
            "gui_cpu_ms": (cpu1 - cpu0) / max(1, len(shown)) * 1e3,
            "steps_per_s": (steps1 - steps0) / (end - begin),
            "frame_ms": ((drawing1 - drawing0) / (frames1 - frames0) * 1e3
                         if frames1 > frames0 else None)}


def run(python: str, example: str, seconds: float) -> dict:
    out = subprocess.run([python, str(Path(__file__).resolve()), "--one", "--example", example,
                          "--seconds", str(seconds)], capture_output=True, text=True, timeout=300)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{python}: the run failed:\n{out.stdout}{out.stderr}")
    return json.loads(lines[-1])


def _line(res: dict) -> str:
    frame = f", {res['frame_ms']:4.1f} ms a frame" if res.get("frame_ms") is not None else ""
    return (f"curve {res['chart_fps']:5.1f} fps, plane {res['plane_fps']:5.1f} fps, canvas "
            f"{res['canvas_fps']:5.1f} fps (longest gap {res['canvas_longest_gap_ms']:4.0f} ms), "
            f"{res['steps_per_s']:5.0f} steps/s{frame}, window's CPU {res['gui_cpu_ms']:4.1f} ms "
            f"a canvas frame")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3, help="runs of each GraphStudio (default 3)")
    p.add_argument("--seconds", type=float, default=5.0, help="seconds counted per run")
    p.add_argument("--example", choices=sorted(EXAMPLES), action="append",
                   help="the example to train (more than once; default: both)")
    p.add_argument("--before", metavar="PYTHON",
                   help="an interpreter importing another GraphStudio, run alternately")
    p.add_argument("--screenshot", metavar="PNG", help="one run in this process, and its window")
    p.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    examples = args.example or list(EXAMPLES)
    if args.one or args.screenshot:
        print(json.dumps(measure(examples[0], args.seconds, args.screenshot)), flush=True)
        return 0
    who = {"this": sys.executable}
    if args.before:
        who["before"] = args.before
    for example in examples:
        lr, batch = EXAMPLES[example]
        results: dict[str, list[dict]] = {k: [] for k in who}
        print(f"Training {example} in the editor (lr {lr}, "
              f"{f'batches of {batch}' if batch else 'full batch'}): frames per second over "
              f"{args.seconds:g} s, {args.runs} runs each, alternating")
        for r in range(args.runs):
            for name, python in who.items():
                res = run(python, example, args.seconds)
                results[name].append(res)
                print(f"  {name:6s} run {r + 1}: {_line(res)}", flush=True)
        print("medians")
        for name, rs in results.items():
            med = {k: statistics.median(r[k] for r in rs) if rs[0][k] is not None else None
                   for k in rs[0] if k != "graphstudio"}
            print(f"  {name:6s} {rs[0]['graphstudio']}: {_line(med)}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
