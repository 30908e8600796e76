"""Runs the real editor (``graphstudio.ui.app.run``, as ``graphstudio FILE`` does) in its own
process and works in it like a person, for the tests that kill it or quit it::

    python drive_editor.py FILE|- [--type TEXT] [--output NAME] [--quit-discard]

``--type`` types TEXT into the expression bar and presses Enter; ``--output`` selects the node
NAME and chooses Graph > Set as Output; then it prints one line ``edited {JSON}`` (the node
positions and the output it sees) and goes on running, to be killed. ``--quit-discard``
chooses File > Quit and answers Discard to the question.
"""

from __future__ import annotations

import argparse
import json
import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from graphstudio.ui import app


def main_window():
    return next(w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow")


def answer_discard() -> None:
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        QTest.mouseClick(box.button(QMessageBox.Discard), Qt.LeftButton)
    else:
        QTimer.singleShot(50, answer_discard)


def act(args) -> None:
    window = main_window()
    if args.type:
        bar = window.expression_bar.edit
        bar.setFocus()
        QTest.keyClicks(bar, args.type)
        QTest.keyClick(bar, Qt.Key_Return)
    g = window.document.graph
    if args.output:
        window.scene.select([g.by_name(args.output)])
        window.act_output.trigger()
    seen = {"positions": {g.label(n): g.position(n) for n in g.names().values()},
            "output": g.label(window.document.evaluation.output)}
    print("edited " + json.dumps(seen), flush=True)
    if args.quit_discard:
        QTimer.singleShot(50, answer_discard)
        window.act_quit.trigger()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--type")
    p.add_argument("--output")
    p.add_argument("--quit-discard", action="store_true")
    args = p.parse_args()
    app.application()  # the timer needs the application's event loop
    QTimer.singleShot(500, lambda: act(args))
    return app.run(None if args.file == "-" else args.file)


if __name__ == "__main__":
    sys.exit(main())
