"""The toolbar's icons (light and dark), its tooltips with shortcuts, the window icon and
Help > About, in the real main window."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QHelpEvent, QIcon, QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QToolTip

from graphstudio.ui.icons import ICONS

from teaching_helpers import menu_action

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
EXAMPLE = ROOT / "examples" / "grosse_csc311.gs"


def button(window, name: str):
    action = window.findChild(QAction, name)
    assert action is not None, name
    widget = window.toolbar.widgetForAction(action)
    assert widget is not None, f"{name} is not on the toolbar"
    return widget


def hover_tooltip(widget) -> str:
    """What the tooltip says when the mouse rests on ``widget``."""
    QToolTip.hideText()
    pos = QPoint(5, 5)
    QApplication.sendEvent(widget, QHelpEvent(QEvent.ToolTip, pos, widget.mapToGlobal(pos)))
    return QToolTip.text()


def ink(icon: QIcon, mode=QIcon.Normal) -> tuple[float, float]:
    """(mean lightness of the drawn pixels, how much is drawn) of a 24 px rendering."""
    image = icon.pixmap(24, 24, mode).toImage().convertToFormat(QImage.Format_ARGB32)
    px = np.frombuffer(bytes(image.constBits()), np.uint8).reshape(-1, 4).astype(float)
    alpha = px[:, 3]
    drawn = alpha > 128
    light = px[drawn, :3].mean() if drawn.any() else 0.0
    return light, alpha.sum() / 255


def test_every_main_action_is_on_the_toolbar_with_an_icon(qtbot, window):
    # as wide as a 1366-pixel laptop screen (the test platform's screen is 800 wide, and the
    # window keeps within it when it starts)
    window.resize(1360, window.height())
    qtbot.waitUntil(lambda: window.width() == 1360)
    for name in ICONS:
        b = button(window, name)
        assert b.isVisible(), name
        assert not b.icon().isNull(), f"{name} has no icon"
        assert ink(b.icon())[1] > 15, f"{name}'s icon draws (almost) nothing"
    # the standard five by their icon alone, the others with their words beside it
    for name in ("act_new", "act_open", "act_save", "act_undo", "act_redo"):
        assert button(window, name).toolButtonStyle() == Qt.ToolButtonIconOnly
    texts = {n: button(window, n).text() for n in ("act_arrange", "act_fit", "act_grad",
                                                    "act_labels", "act_export", "act_step",
                                                    "act_train")}
    assert texts == {"act_arrange": "Arrange", "act_fit": "Fit to View", "act_grad": "Gradients",
                     "act_labels": "Edge Labels", "act_export": "Export",
                     "act_step": "Step Through", "act_train": "Train"}
    for name in texts:
        assert button(window, name).toolButtonStyle() == Qt.ToolButtonTextBesideIcon


def test_hovering_a_button_shows_what_it_does_and_its_shortcut(window):
    assert hover_tooltip(button(window, "act_save")) == "Save the graph (Ctrl+S)"
    assert hover_tooltip(button(window, "act_grad")) == "Show each node's gradient (Ctrl+Alt+G)"
    assert hover_tooltip(button(window, "act_step")) == \
        "Step through the forward and the backward pass (F5)"
    assert hover_tooltip(button(window, "act_train")).endswith("(Ctrl+T)")
    assert hover_tooltip(button(window, "act_fit")) == "Fit to View (Ctrl+0)"
    assert hover_tooltip(button(window, "act_export")).startswith("Save the graph with its values")


def test_the_undo_tooltip_names_the_edit_it_would_undo(window, qtbot):
    assert window.open_file(EXAMPLE, ask=False)
    assert hover_tooltip(button(window, "act_undo")) == "Undo (Ctrl+Z)"
    qtbot.mouseClick(button(window, "act_arrange"), Qt.LeftButton)
    assert hover_tooltip(button(window, "act_undo")) == "Undo Arrange (Ctrl+Z)"
    qtbot.mouseClick(button(window, "act_undo"), Qt.LeftButton)
    assert hover_tooltip(button(window, "act_redo")).startswith("Redo Arrange (Ctrl+")


def test_the_icons_follow_the_theme(window):
    save = button(window, "act_save")
    light_theme_ink = ink(save.icon())[0]
    window.theme_actions["dark"].trigger()  # View > Theme > Dark
    dark_theme_ink = ink(button(window, "act_save").icon())[0]
    assert light_theme_ink < 110 < 170 < dark_theme_ink  # dark lines, then light lines
    window.theme_actions["light"].trigger()
    assert ink(button(window, "act_save").icon())[0] == light_theme_ink


def test_a_disabled_button_is_drawn_faint_on_both_themes(window):
    undo = window.findChild(QAction, "act_undo")
    assert not undo.isEnabled()  # nothing to undo yet
    for theme in ("light", "dark"):
        window.theme_actions[theme].trigger()
        icon = button(window, "act_undo").icon()
        assert ink(icon, QIcon.Disabled)[1] < 0.5 * ink(icon, QIcon.Normal)[1], theme


def test_toolbar_buttons_still_do_their_job(window, qtbot):
    assert window.open_file(EXAMPLE, ask=False)
    shown = window.document.view.get("show_grad")
    qtbot.mouseClick(button(window, "act_grad"), Qt.LeftButton)
    assert window.document.view.get("show_grad") == (not shown)
    qtbot.mouseClick(button(window, "act_step"), Qt.LeftButton)
    assert window.teaching.docks["Steps"].isVisible()


def test_the_window_has_the_application_icon(window):
    sizes = {s.width() for s in window.windowIcon().availableSizes()}
    assert {16, 32, 48, 256, 512} <= sizes


def test_help_about_names_the_version_and_the_licence(window, qtbot):
    seen = {}

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, read_and_close)
            return
        seen["title"], seen["text"] = box.windowTitle(), box.text()
        seen["icon"] = not box.iconPixmap().isNull()
        box.accept()

    QTimer.singleShot(0, read_and_close)
    menu_action(window, "Help", "About GraphStudio").trigger()
    assert seen["title"] == "About GraphStudio"
    assert f"GraphStudio {VERSION}" in seen["text"]
    assert "Licence: MIT" in seen["text"]
    assert "backpropagation" in seen["text"]
    assert seen["icon"]  # the application icon
