"""Help > GraphStudio Guide (F1): a short built-in guide to the views, the keyboard and the
``.gs`` format, readable without a network or the source tree.

The keyboard table is read from the window's own menus, so it lists every shortcut the editor
really has (extensions' included), and stays true when one changes.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ..core.ops import OPS

__all__ = ["GuideDialog", "guide_html", "shortcuts"]

VIEWS = [
    ("Canvas", "Every node shows its value (forward pass) and, in red after ∇, its gradient "
               "d output / d node (backward pass). The output has an orange border. Edge labels "
               "(Ctrl+E) show each edge's local derivative."),
    ("Expression bar", "Type <code>z = (a + b) * (b + c)</code> and press Enter: names that "
                       "exist are reused, new names become inputs with the value 1."),
    ("Palette", "Click an op to add it near the mouse, or drag it onto the canvas."),
    ("Inspector", "The selected node: its name, op and value to edit; its value and gradient."),
    ("Steps", "F5: the forward pass, then the backward pass, one node at a time, with the "
              "lectures' grad_table; the arrow keys step, on the canvas too."),
    ("Ledger, Paths, Formulas", "How a gradient is assembled: upstream × local derivative per "
                                "successor; the sum over paths; the formulas (Copy LaTeX)."),
    ("Check, Quiz", "Backprop against central differences; hide the gradients and find them."),
    ("Groups", "Select nodes that compute one value and press Ctrl+G: they become one gate, "
               "a box with the local derivative d out / d each input (each call of a .gs def "
               "is a group too). Ctrl+Shift+G ungroups; Graph > Rename Group… names it."),
    ("Training", "Ctrl+T: gradient descent on the param(...) inputs over the dataset, with a "
                 "live loss curve; Keep or Revert at the end."),
]

GESTURES = [
    ("Tab, or double-click empty canvas", "add a node by typing its op"),
    ("Drag from a node's output dot ● to a port ○", "connect"),
    ("Drag left and right over an input's number", "change it and watch every gradient move"),
    ("Double-click a name or a number", "edit it in place"),
    ("Double-click a group's box; inside its frame", "open the group; close it again"),
    ("Mouse wheel; Space + drag or middle button", "zoom around the mouse; pan"),
    ("Right-click a node, an edge or the canvas", "what can be done with it (Set as Output…)"),
]

GS_EXAMPLE = """# one assignment a line; # starts a comment
a = -1              # a number (or a list: [[1, 2], [-3, 4]]) makes an input
b = 3
c = 4
z = (a + b) * (b + c)   # anything else makes op nodes
W = param([[0.1, -0.2]])   # a parameter that training changes
"""


def _special_key(keys: QKeySequence) -> bool:
    """A multimedia key of its own (the "Zoom In" key Qt binds to Zoom In), not worth a line."""
    key = keys[0].key() if keys.count() else Qt.Key_unknown
    return key.value > Qt.Key_F35.value  # beyond the function keys: media, zoom, browser keys


def shortcuts(window) -> list[tuple[str, str]]:
    """(menu path, shortcut) of every menu action that has one, in menu order."""
    found: list[tuple[str, str]] = []
    seen: set = set()  # an action in two menus (Forward Mode) is listed once

    def walk(menu, path: str) -> None:
        for act in menu.actions():
            if act.isSeparator() or act in seen:
                continue
            seen.add(act)
            name = act.text().replace("&", "").replace("…", "")
            if act.menu() is not None:
                walk(act.menu(), f"{path} > {name}")
                continue
            keys = ", ".join(k.toString(QKeySequence.NativeText) for k in act.shortcuts()
                             if not _special_key(k))
            if keys:
                found.append((f"{path} > {name}", keys))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), top.text().replace("&", ""))
    return found


def guide_html(window) -> str:
    rows = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{v}</td></tr>" for k, v in VIEWS)
    keys = "".join(f"<tr><td>{html.escape(p)}</td><td><code>{html.escape(k)}</code></td></tr>"
                   for p, k in shortcuts(window))
    functions = " ".join(dict.fromkeys(op.call for op in OPS.values() if op.call))  # the registry
    operators = " ".join(dict.fromkeys(op.infix.text for op in OPS.values() if op.infix))
    mouse = "".join(f"<tr><td>{html.escape(g)}</td><td>{html.escape(d)}</td></tr>"
                    for g, d in GESTURES)
    return f"""
<h2>GraphStudio</h2>
<p>A computation graph with every value and gradient, for learning and teaching
backpropagation. Open a lecture example from File &gt; Examples, or type an expression.</p>
<h3>Views</h3><table cellspacing="6">{rows}</table>
<h3>Mouse</h3><table cellspacing="6">{mouse}</table>
<h3>Keyboard</h3><table cellspacing="6">{keys}</table>
<h3>The .gs format</h3>
<p>Expression text, saved with File &gt; Save As as <code>.gs</code> (the <code>.json</code>
document keeps positions and view settings too). Functions: {html.escape(functions)};
operators <code>{html.escape(operators)}</code>. Nothing in a file is ever run.</p>
<pre>{html.escape(GS_EXAMPLE)}</pre>
<p>Training data: <code>dataset("data/points.csv")</code> names a CSV file beside the graph,
and <code>x = data("x")</code> binds an input to one of its columns.</p>
<p>Unsaved changes are autosaved every second; after a crash the next start offers them
back.</p>
"""


class GuideDialog(QDialog):
    """The guide in a window of its own (not modal: it can stay open beside the editor)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("GraphStudio Guide")
        self.setObjectName("guide")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(guide_html(window))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        screen = window.screen().availableGeometry() if window.screen() else None
        width, height = 640, 600
        if screen is not None:
            width, height = min(width, screen.width() - 40), min(height, screen.height() - 80)
        self.resize(width, height)
        self.setAttribute(Qt.WA_DeleteOnClose)
