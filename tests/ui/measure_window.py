"""Runs the real editor (``graphstudio.ui.app.run``) in its own process, opens every panel
from the menus as a person would (View > Panels, Graph > Train), and prints one line
``measured {JSON}``: the screen's free area, the window's frame, and where the Training
panel's Keep button is once scrolled to (all in the screen's logical pixels), then quits.

    python measure_window.py FILE

Its own process, because the screen's size and ``QT_SCALE_FACTOR`` are fixed when the
application starts.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QScrollArea

from graphstudio.ui import app


def rect(r) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def main_window():
    return next(w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow")


def open_everything() -> None:
    window = main_window()
    panels = next(a.menu() for a in window.menu("View").actions() if a.text() == "&Panels")
    for act in panels.actions():
        if act.isCheckable() and not act.isChecked():
            act.trigger()
    next(a for a in window.menu("Graph").actions() if a.text() == "&Train…").trigger()
    QTimer.singleShot(400, measure)


def measure() -> None:
    window = main_window()
    keep = window.training.panel.keep_button
    scroll = keep.parentWidget()
    while scroll is not None and not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    if scroll is not None:  # the panel scrolls when the screen is too short for it
        scroll.ensureWidgetVisible(keep)
    QApplication.processEvents()
    top_left = keep.mapToGlobal(keep.rect().topLeft())
    seen = {"screen": rect(window.screen().availableGeometry()),
            "frame": rect(window.frameGeometry()),
            "keep": [top_left.x(), top_left.y(), keep.width(), keep.height()],
            "keep_shown": not keep.visibleRegion().isEmpty()}
    print("measured " + json.dumps(seen), flush=True)
    window.document.undo_stack.setClean()
    window.close()


def main() -> int:
    app.application()  # the timer needs the application's event loop
    QTimer.singleShot(500, open_everything)
    return app.run(sys.argv[1])


if __name__ == "__main__":
    sys.exit(main())
