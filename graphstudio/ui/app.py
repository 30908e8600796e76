"""Starting the editor: ``graphstudio [FILE] [--screenshot OUT.png]``.

:func:`run` creates the QApplication and the main window (an :class:`Editor`: the autosave
session, the crash reporter, the windows), opens FILE, offers back the unsaved work of an
editor that crashed, and runs the event loop; with ``screenshot`` it renders the whole window
into a PNG and returns (no autosave, no recovery). With no display, ``--screenshot`` uses Qt's
offscreen platform by itself; the editor itself says there is no display and what works
without one (Qt would die with a misleading message about its xcb plugin). A file that cannot
be opened: with ``--screenshot`` the error is printed and the exit status is 1; interactively
the editor opens with an error dialog.
"""

from __future__ import annotations

import os
import re
import socket
import sys

from .. import __version__
from ..desktop import APP_ID

__all__ = ["run", "application", "grab_window"]


def application():
    """The QApplication (created once)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(["graphstudio"])
        app.setApplicationVersion(__version__)
        # the launcher entry that --install-desktop writes: Wayland and the task bars match
        # the window to it (its icon, its name)
        app.setDesktopFileName(APP_ID)
        from .icons import app_icon

        app.setWindowIcon(app_icon())
    # the names QStandardPaths and QSettings file things under (autosaves, settings), also
    # when a test harness made the application
    app.setApplicationName("GraphStudio")
    app.setOrganizationName("GraphStudio")
    return app


def grab_window(window, path: str) -> bool:
    """Render the whole window (menus, panels, canvas) into the PNG ``path``."""
    from PySide6.QtWidgets import QApplication

    window.show()
    for _ in range(3):
        QApplication.processEvents()
    window.canvas.show_graph()
    QApplication.processEvents()
    return window.grab().save(str(path), "PNG")


WITHOUT_DISPLAY = ("Without a display:\n"
                   "  graphstudio FILE --screenshot OUT.png   renders the editor's window to a PNG\n"
                   "  graphstudio export FILE -o OUT.png      exports the annotated graph "
                   "(png, svg, pdf, tikz)\n"
                   "  graphstudio eval FILE                   prints every value and gradient")


def display_problem() -> str | None:
    """Why the editor cannot open a window here, or None. Without this, Qt dies with a
    message about its xcb plugin ("xcb-cursor0 is needed", "reinstalling the application may
    fix this") that sends people looking for a missing library."""
    from ..render.export import headless

    if os.environ.get("QT_QPA_PLATFORM") or sys.platform.startswith(("win", "darwin")):
        return None
    if headless():
        return ("there is no display to open the editor on (neither DISPLAY nor "
                "WAYLAND_DISPLAY is set)")
    display = os.environ.get("DISPLAY", "")
    local = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    if os.environ.get("WAYLAND_DISPLAY") or not local:
        return None  # Wayland, or a remote X display (ssh -X): let Qt try
    path = f"/tmp/.X11-unix/X{local.group(1)}"
    for address in (path, "\0" + path):  # the socket file, or Linux's abstract socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            try:
                sock.connect(address)
                return None
            except OSError:
                continue
    return f"cannot reach the display {display} (no X server is listening there)"


class Editor:
    """The running editor: its autosave session, its windows, the crash reporter
    (``crash_reports=False`` leaves ``sys.excepthook`` alone, for a test harness that has its
    own)."""

    def __init__(self, crash_reports: bool = True) -> None:
        from . import crash
        from .autosave import Session

        self.app = application()
        self.session = Session.start()
        self.windows: list = []
        self.reporter = crash.install(self.session.write_all if self.session else None) \
            if crash_reports else None
        if self.session is not None:
            self.app.aboutToQuit.connect(self.session.close)

    def new_window(self, restore_layout: bool = True):
        """Another main window (restored documents beyond the first get their own)."""
        from PySide6.QtCore import Qt

        from .main_window import MainWindow

        window = MainWindow(restore_layout=restore_layout, session=self.session)
        window.setAttribute(Qt.WA_DeleteOnClose)
        window.destroyed.connect(lambda *_a, w=window: self._forget(w))
        self.windows.append(window)
        if self.windows[:-1]:  # cascade, so the new one does not hide the first
            first = self.windows[0].geometry()
            window.move(first.x() + 30 * (len(self.windows) - 1), first.y() + 30 * (len(self.windows) - 1))
        window.show()
        return window

    def _forget(self, window) -> None:
        if window in self.windows:
            self.windows.remove(window)

    def offer_recovery(self) -> list:
        """Documents a crashed editor left: offered back (restore or discard)."""
        from .autosave import orphaned_sessions
        from .recovery import offer_recovery

        if self.session is None or not self.windows:
            return []
        sessions = orphaned_sessions(self.session.folder, exclude=self.session.sid)
        return offer_recovery(sessions, self.windows[0], self.new_window) if sessions else []


def run(file: str | None = None, screenshot: str | None = None) -> int:
    """Open the editor (on ``file``); returns the exit status."""
    problem = display_problem()
    if problem and not screenshot:
        print(f"graphstudio: {problem}.\n{WITHOUT_DISPLAY}", file=sys.stderr)
        return 1
    if screenshot:
        if problem:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return _screenshot(file, screenshot)
    editor = Editor()
    window = editor.new_window()
    if editor.session is None:
        from .autosave import Session

        window.statusBar().showMessage(Session.problem, 15000)
    if file is not None:
        window.open_file(file, ask=False)  # an unreadable file shows an error dialog
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, editor.offer_recovery)
    return editor.app.exec()


def _screenshot(file: str | None, screenshot: str) -> int:
    application()
    from ..io import OpenError, open_document
    from .main_window import DEFAULT_SIZE, MainWindow

    window = MainWindow(restore_layout=False)
    # the window a person first sees on a laptop, whatever screen Qt reports (the offscreen
    # platform's is 800 x 800, which left the canvas a strip too narrow for most graphs)
    window.resize(*DEFAULT_SIZE)
    if file is not None:
        try:
            open_document(file)
        except OpenError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        window.open_file(file, ask=False)
    ok = grab_window(window, screenshot)
    window.document.undo_stack.setClean()
    window.close()
    if not ok:
        print(f"{screenshot}: cannot write the PNG", file=sys.stderr)
        return 1
    return 0
