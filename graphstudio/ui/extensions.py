"""Modules that extend the editor: each listed module's ``install(window)`` is called when the
main window starts (see :mod:`graphstudio.ui.main_window` for what a window offers: menus,
panels, the document and its signals, the canvas's step mode). An extension that fails to start
is reported in the status bar; the editor still opens.
"""

EXTENSIONS: list[str] = [
    "graphstudio.ui.export_menu",  # File > Export…, File > Export Steps…
    "graphstudio.ui.teaching",  # step-through, ledger, paths, formulas, gradient check, quiz
    "graphstudio.ui.training",  # Graph > New Network…, Graph > Train…
    "graphstudio.ui.groups_ui",  # Graph > Group, Ungroup, Collapse/Expand; groups on the canvas
    "graphstudio.ui.backward_graph",  # Graph > Show Backward Graph
]
