"""How often the editor redraws while it trains: frames per second of the Training panel's loss
curve and of the canvas.

    python benchmarks/train_editor.py                       # the Seoul example, 3 runs
    python benchmarks/train_editor.py --before PYTHON       # an older GraphStudio too, alternating
    python benchmarks/train_editor.py --screenshot out.png  # and the window as it trains

Each run is a process of its own: it opens the editor's main window (1366 x 768) on
``examples/seoul_sgd_l2.gs``, opens Graph > Train…, sets the example's settings (learning rate
0.5, minibatches of 8, as its comment says) with a number of steps the run cannot finish, clicks
Start, lets a second go by, and then counts for ``--seconds`` seconds the paint events that
reach the loss curve's viewport and the canvas's viewport (an event filter on each: a paint
event is a frame that was actually drawn, not one that was asked for). It prints, per run, the
frames per second of each, the longest gap between two of the canvas's frames, and the training
steps per second in the same time; then the median of the runs.

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
EXAMPLE = HERE.parent / "examples" / "seoul_sgd_l2.gs"


def measure(seconds: float, screenshot: str | None) -> dict:
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
    window.open_file(str(EXAMPLE), ask=False)
    window.training.show_panel()
    panel = window.training.panel
    wait(300)

    def type_into(spin, text: str) -> None:
        spin.setFocus()
        spin.selectAll()
        QTest.keyClicks(spin, text)
        QTest.keyClick(spin, Qt.Key_Return)

    type_into(panel.steps, "1000000")
    type_into(panel.lr, "0.5")
    panel.batch_kind.setCurrentIndex(1)  # Minibatch (the combo box's own signal runs)
    type_into(panel.batch_size, "8")
    chart = Frames(panel.chart.viewport())
    canvas = Frames(window.canvas.viewport())
    QTest.mouseClick(panel.start_button, Qt.LeftButton)
    if panel.trainer is None:
        raise SystemExit(f"training did not start: {panel.problem.text()}")
    wait(1000)
    begin, steps0 = time.perf_counter(), panel.trainer.step_count
    wait(int(seconds * 1000))
    end, steps1 = time.perf_counter(), panel.trainer.step_count
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
            "chart_fps": rate(chart.times), "canvas_fps": rate(canvas.times),
            "canvas_longest_gap_ms": max(gaps) * 1e3,
            "steps_per_s": (steps1 - steps0) / (end - begin)}


def run(python: str, seconds: float) -> dict:
    out = subprocess.run([python, str(Path(__file__).resolve()), "--one", "--seconds",
                          str(seconds)], capture_output=True, text=True, timeout=300)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{python}: the run failed:\n{out.stdout}{out.stderr}")
    return json.loads(lines[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3, help="runs of each GraphStudio (default 3)")
    p.add_argument("--seconds", type=float, default=5.0, help="seconds counted per run")
    p.add_argument("--before", metavar="PYTHON",
                   help="an interpreter importing another GraphStudio, run alternately")
    p.add_argument("--screenshot", metavar="PNG", help="one run in this process, and its window")
    p.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one or args.screenshot:
        print(json.dumps(measure(args.seconds, args.screenshot)), flush=True)
        return 0
    who = {"this": sys.executable}
    if args.before:
        who["before"] = args.before
    results: dict[str, list[dict]] = {k: [] for k in who}
    print(f"Training {EXAMPLE.name} in the editor (lr 0.5, batches of 8): frames per second "
          f"over {args.seconds:g} s, {args.runs} runs each, alternating")
    for r in range(args.runs):
        for name, python in who.items():
            res = run(python, args.seconds)
            results[name].append(res)
            print(f"  {name:6s} run {r + 1}: curve {res['chart_fps']:5.1f} fps, canvas "
                  f"{res['canvas_fps']:5.1f} fps (longest gap {res['canvas_longest_gap_ms']:4.0f}"
                  f" ms), {res['steps_per_s']:7.0f} steps/s", flush=True)
    print("\nmedians")
    for name, rs in results.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0] if k != "graphstudio"}
        print(f"  {name:6s} {rs[0]['graphstudio']}: curve {med['chart_fps']:.1f} fps, canvas "
              f"{med['canvas_fps']:.1f} fps (longest gap {med['canvas_longest_gap_ms']:.0f} ms), "
              f"{med['steps_per_s']:.0f} training steps/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
