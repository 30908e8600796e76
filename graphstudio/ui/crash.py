"""A crash report instead of a silent traceback: :func:`install` sets ``sys.excepthook`` so an
exception that escapes a slot or a Qt override (which Qt would only print on stderr, leaving
the user guessing) writes every modified document's autosave at once, then shows a dialog
that says what happened, that the document is kept, and gives the details to copy into a bug
report. The editor keeps running with the document as it was.

One dialog at a time: further errors while it is open are counted in it rather than stacking
new dialogs (an error in a paint method repeats at every repaint).
"""

from __future__ import annotations

import sys
import traceback
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

__all__ = ["install", "CrashReporter"]


class CrashReporter:
    """The installed hook. ``autosave()`` is called first (it writes the modified documents)."""

    def __init__(self, autosave: Callable[[], None] | None = None) -> None:
        self.autosave = autosave
        self.previous = sys.excepthook
        self.box: QMessageBox | None = None
        self.count = 0
        self._inside = False

    def __call__(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt) or self._inside:
            self.previous(exc_type, exc, tb)
            return
        self._inside = True
        try:
            details = "".join(traceback.format_exception(exc_type, exc, tb))
            print(details, file=sys.stderr, end="")  # for whoever started it from a terminal
            if self.autosave is not None:
                try:
                    self.autosave()
                except Exception:  # noqa: BLE001 - the report must still be shown
                    pass
            self._show(exc_type, exc, details)
        except Exception:  # noqa: BLE001 - never raise from the hook itself
            self.previous(exc_type, exc, tb)
        finally:
            self._inside = False

    def _show(self, exc_type, exc, details: str) -> None:
        if QApplication.instance() is None:
            return
        self.count += 1
        what = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
        if self.box is not None and self.box.isVisible():
            self.box.setInformativeText(self._advice() + f"\n\n({self.count} errors so far; "
                                        f"the last: {what})")
            self.box.setDetailedText(details)
            return
        self.count = 1
        parent = QApplication.activeWindow()
        box = QMessageBox(QMessageBox.Critical, "Internal Error",
                          f"Something went wrong inside GraphStudio:\n{what}", QMessageBox.Ok, parent)
        box.setObjectName("crash-report")
        box.setInformativeText(self._advice())
        box.setDetailedText(details)
        box.setTextInteractionFlags(Qt.TextSelectableByMouse)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.finished.connect(self._closed)
        self.box = box
        box.open()  # not exec(): the error may come from inside an event handler

    @staticmethod
    def _advice() -> str:
        return ("Your document is kept as it was, and any unsaved changes have been autosaved. "
                "Save your work (File > Save As) before you go on. The details below help to "
                "report the problem.")

    def _closed(self, *_args) -> None:
        self.box = None


def install(autosave: Callable[[], None] | None = None) -> CrashReporter:
    """Route uncaught exceptions to a :class:`CrashReporter` (for the editor's lifetime)."""
    reporter = CrashReporter(autosave)
    sys.excepthook = reporter
    return reporter
