"""File > Export… and File > Export Steps…, added to the editor's window by :func:`install`
(the editor loads the modules named in :mod:`graphstudio.ui.extensions`).

The window needs two things: ``window.menu("File")`` (the File menu, a QMenu) and
``window.document`` (the open :class:`~graphstudio.ui.document.GraphDocument`, whose ``graph``,
``evaluation``, ``view`` and ``path`` the export reads). What is exported is what the canvas
shows: the document's own node positions and its latest evaluation.
"""

from __future__ import annotations

from PySide6.QtGui import QAction

from ..io.formats import writers
from ..render.exporters import export_formats
from .export_dialog import ExportDialog

__all__ = ["install", "open_export_dialog"]


def open_export_dialog(window, steps: bool = False) -> ExportDialog:
    """Show the export dialog for the window's document (window-modal, not blocking)."""
    doc = window.document
    dialog = ExportDialog(doc.graph, getattr(doc, "evaluation", None),
                          view=getattr(doc, "view", None), base=getattr(doc, "path", None),
                          steps=steps, decorate=getattr(window.scene, "decorate", None),
                          parent=window)

    def done(result: int) -> None:
        status = getattr(window, "statusBar", None)
        if result and dialog.summary() and callable(status):
            status().showMessage(dialog.summary(), 5000)
        dialog.deleteLater()  # (it holds the graph and its evaluation as they were)

    dialog.finished.connect(done)
    dialog.open()
    return dialog


def install(window) -> list[QAction]:
    """Add Export… and Export Steps… to the window's File menu, after Import… when there is
    one, else in their own group before Quit. Returns the two actions. (No shortcut: the editor already uses
    Ctrl+E and Ctrl+Shift+E; the mnemonics are Alt+F, X and Alt+F, P.)"""
    menu = window.menu("File")
    export = QAction("E&xport…", window)
    export.setObjectName("act_export")  # its toolbar button and icon (graphstudio.ui.icons)
    titles = [f.title for f in export_formats()] + [f.title for f in writers()]
    export.setStatusTip("Save the graph with its values and gradients as "
                        + (", ".join(titles[:-1]) + " or " + titles[-1] if len(titles) > 1
                           else titles[0]))
    export.triggered.connect(lambda: open_export_dialog(window))
    steps = QAction("Export Ste&ps…", window)
    steps.setStatusTip("Save the forward and backward passes step by step, one image per step")
    steps.triggered.connect(lambda: open_export_dialog(window, steps=True))
    actions = menu.actions()
    imports = next((i for i, a in enumerate(actions) if a.objectName() == "act_import"), None)
    quit_action = next((a for a in actions if a.menuRole() == QAction.QuitRole
                        or a.text().replace("&", "").lower() in ("quit", "exit")), None)
    if imports is not None:  # Import…, Export…, Export Steps…: one group
        after = actions[imports + 1] if imports + 1 < len(actions) else None
        menu.insertActions(after, [export, steps])
    elif quit_action is not None:
        menu.insertAction(quit_action, export)
        menu.insertAction(quit_action, steps)
        menu.insertSeparator(quit_action)
    else:
        menu.addSeparator()
        menu.addAction(export)
        menu.addAction(steps)
    return [export, steps]
