"""The application's icon and the icons of the main actions, with their tooltips.

The toolbar icons are line drawings in ``resources/actions/light`` and ``actions/dark`` (the
same drawings in colours for each theme; ``tools/render_icons.py`` makes the dark ones).
:func:`decorate` gives the window's actions, found by object name (``act_new``, ``act_step``…:
the attribute names the window and its extensions keep them under), their icon for a theme,
a short text for the toolbar, and a tooltip that ends with the shortcut, e.g.
``Save the graph (Ctrl+S)``. It is called again when the theme changes.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon, QImage, QKeySequence, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from shiboken6 import isValid

from ..desktop import icon_files, resources_dir

__all__ = ["ICONS", "TOOL_TEXT", "action_icon", "app_icon", "decorate", "tooltip"]

#: action object name -> icon file (resources/actions/<variant>/<name>.svg)
ICONS: dict[str, str] = {
    "act_new": "document-new",
    "act_open": "document-open",
    "act_save": "document-save",
    "act_undo": "edit-undo",
    "act_redo": "edit-redo",
    "act_arrange": "graph-arrange",
    "act_fit": "zoom-fit-best",
    "act_grad": "show-gradients",
    "act_labels": "show-edge-labels",
    "act_export": "document-export",
    "act_step": "step-through",
    "act_train": "train",
}

#: the toolbar's text where the menu's is too long for it (the tooltip keeps the whole)
TOOL_TEXT: dict[str, str] = {
    "act_grad": "Gradients",
    "act_labels": "Edge Labels",
    "act_export": "Export",
    "act_step": "Step Through",
    "act_train": "Train",
}


#: the pixel sizes each toolbar icon is drawn at (menus 16, toolbars 24, and twice those for
#: high-density screens); Qt scales the nearest for any other
PIXEL_SIZES = (16, 20, 24, 32, 48, 64)
#: a disabled icon (Undo with nothing to undo) is drawn this opaque, on either theme; Qt's
#: own greying keeps a light line light, so on the dark theme it looked enabled
DISABLED_OPACITY = 0.35


def variant(theme_name: str) -> str:
    """The icon set for a theme: ``dark`` on the dark theme, else ``light``."""
    return "dark" if theme_name == "dark" else "light"


def _draw(renderer: QSvgRenderer, size: int, opacity: float) -> QPixmap:
    image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setOpacity(opacity)
    renderer.render(painter)
    painter.end()
    return QPixmap.fromImage(image)


@lru_cache(maxsize=None)
def action_icon(name: str, theme_name: str = "light") -> QIcon:
    """The icon ``name`` (a file stem in resources/actions) drawn for ``theme_name``, with a
    faded copy for the disabled state."""
    renderer = QSvgRenderer(str(resources_dir() / "actions" / variant(theme_name) / f"{name}.svg"))
    icon = QIcon()
    if not renderer.isValid():  # a broken installation: the text still says what it does
        return icon
    for size in PIXEL_SIZES:
        icon.addPixmap(_draw(renderer, size, 1.0), QIcon.Normal)
        icon.addPixmap(_draw(renderer, size, DISABLED_OPACITY), QIcon.Disabled)
    return icon


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """GraphStudio's icon: the hicolor PNGs (drawn for their size) and the scalable SVG."""
    icon = QIcon()
    root = resources_dir()
    for rel in icon_files():
        icon.addFile(str(root / rel))
    return icon


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").rstrip(".")


def tooltip(action: QAction) -> str:
    """What the action does (its status tip, else its text), and its first shortcut."""
    what = action.statusTip() or _plain(action.text())
    keys = action.shortcut().toString(QKeySequence.NativeText)
    return f"{what} ({keys})" if keys else what


class _TooltipFollower(QObject):
    """Keeps an action's tooltip right when its text changes (Undo becomes "Undo Arrange").
    A child of the action, so the connection ends with it."""

    def __init__(self, action: QAction) -> None:
        super().__init__(action)
        self.setObjectName("tooltip-follower")
        self.action = action
        action.changed.connect(self.update)
        self.update()

    def update(self) -> None:
        if not isValid(self.action):  # the action announces changes while it is destroyed
            return
        tip = tooltip(self.action)
        if self.action.toolTip() != tip:
            self.action.setToolTip(tip)


def decorate(window: QObject, theme_name: str = "light") -> None:
    """Icons for ``theme_name``, toolbar texts and tooltips on the window's main actions."""
    for name, icon_name in ICONS.items():
        action = window.findChild(QAction, name)
        if action is None:  # an extension that did not start
            continue
        action.setIcon(action_icon(icon_name, theme_name))
        if name in TOOL_TEXT:
            action.setIconText(TOOL_TEXT[name])
        if action.isCheckable():  # a menu shows a toggle's state by a check box, not an icon
            action.setIconVisibleInMenu(False)
        if action.findChild(_TooltipFollower) is None:
            _TooltipFollower(action)

