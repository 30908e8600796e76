"""Starting the editor: ``graphstudio [FILE] [--screenshot OUT.png]``.

:func:`run` creates the QApplication and the main window, opens FILE, and either runs the event
loop or, with ``screenshot``, renders the whole window into a PNG and returns. Headless (no
display) it uses Qt's offscreen platform by itself. A file that cannot be opened: with
``--screenshot`` the error is printed and the exit status is 1; interactively the editor opens
with an error dialog.
"""

from __future__ import annotations

import os
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
        app.setApplicationName("GraphStudio")
        app.setOrganizationName("GraphStudio")
        app.setApplicationVersion(__version__)
        # the launcher entry that --install-desktop writes: Wayland and the task bars match
        # the window to it (its icon, its name)
        app.setDesktopFileName(APP_ID)
        from .icons import app_icon

        app.setWindowIcon(app_icon())
    return app


def grab_window(window, path: str) -> bool:
    """Render the whole window (menus, panels, canvas) into the PNG ``path``."""
    from PySide6.QtWidgets import QApplication

    window.show()
    for _ in range(3):
        QApplication.processEvents()
    window.canvas.fit()
    QApplication.processEvents()
    return window.grab().save(str(path), "PNG")


def run(file: str | None = None, screenshot: str | None = None) -> int:
    """Open the editor (on ``file``); returns the exit status."""
    from ..render.export import headless

    if screenshot and headless():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = application()
    from ..io import OpenError, open_document
    from .main_window import MainWindow

    window = MainWindow(restore_layout=not screenshot)
    if screenshot:
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
    window.show()
    if file is not None:
        window.open_file(file, ask=False)  # an unreadable file shows an error dialog
    return app.exec()

