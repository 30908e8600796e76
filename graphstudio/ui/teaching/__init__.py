"""The teaching views in the editor: what the lectures do on their slides by hand.

Panels (each a :class:`~graphstudio.ui.teaching.common.TeachingPanel`, usable on its own):

* :class:`StepPlayer` (``player``): the forward then the backward pass, step by step, with the
  lectures' ``grad_table`` filling in;
* :class:`LedgerPanel` (``ledger``): how the selected node's gradient was assembled, and forward
  mode beside reverse mode;
* :class:`PathsPanel` (``paths``): Bristol's sum over paths;
* :class:`SymbolicPanel` (``symbolic``): the formulas, copyable as LaTeX;
* :class:`CheckPanel` (``check``): the gradient check, kinks named;
* :class:`QuizPanel` (``quiz``): hide the gradients or the values and find them.

:func:`install` puts them into the main window as docks with their menu items, feeds them the
document's evaluations and the canvas selection, and routes their picture requests to the
canvas through a :class:`PictureRouter`: one panel owns the canvas picture at a time; an edit
ends a step-through (the canvas leaves step mode by itself) while forward mode and the quiz,
which are modes rather than moments, come back after the edit.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence

from .check import CheckPanel
from .common import TeachingPanel
from .ledger import LedgerPanel
from .paths import PathsPanel
from .player import StepPlayer
from .quiz import QuizPanel
from .symbolic import SymbolicPanel

__all__ = ["install", "Teaching", "PictureRouter", "StepPlayer", "LedgerPanel", "PathsPanel",
           "SymbolicPanel", "CheckPanel", "QuizPanel"]


class PictureRouter(QObject):
    """Which panel's picture the canvas shows. ``show(picture | None)`` is the canvas's
    ``show_picture``; ``step_mode_changed(bool)`` from the canvas tells when an edit ended it;
    ``caption(text)`` shows the picture's caption ("" when back to the live view)."""

    def __init__(self, show, panels: list[TeachingPanel], parent: QObject | None = None,
                 caption=None) -> None:
        super().__init__(parent)
        self._show = show
        self._caption = caption
        self.panels = panels
        self.owner: TeachingPanel | None = None
        self._showing = False  # our own show() call is under way
        for panel in panels:
            panel.picture_requested.connect(lambda pic, p=panel: self.request(p, pic))

    def request(self, panel: TeachingPanel, picture) -> None:
        if picture is None:
            if self.owner is panel:
                self.owner = None
                self._fall_back(exclude=panel)
            return
        previous, self.owner = self.owner, panel
        if previous is not None and previous is not panel:
            previous.release()
        self._put(picture)

    def _put(self, picture) -> None:
        self._showing = True
        try:
            self._show(picture)
        finally:
            self._showing = False
        if self._caption is not None:
            self._caption(picture.caption if picture is not None else "")

    def _fall_back(self, exclude: TeachingPanel | None = None) -> None:
        """Back to a persistent mode that is still on (forward mode, the quiz), else live."""
        for panel in self.panels:
            if panel.persistent and panel is not exclude:
                picture = panel.current_picture()
                if picture is not None:
                    self.owner = panel
                    self._put(picture)
                    return
        self._put(None)

    def step_mode_changed(self, on: bool) -> None:
        """The canvas left step mode by itself (the graph was edited)."""
        if on or self._showing or self.owner is None:
            return
        owner, self.owner = self.owner, None
        owner.release()
        if self._caption is not None:
            self._caption("")
        # after the edit's evaluation has reached every panel
        QTimer.singleShot(0, self, self._restore)

    def _restore(self) -> None:
        if self.owner is None and any(p.persistent and p.current_picture() is not None
                                      for p in self.panels):
            self._fall_back()


class Teaching(QObject):
    """The installed teaching views of one main window: ``panels`` and ``docks`` by name, the
    ``router``, and the menu actions ``act_step``, ``act_check``, ``act_forward``, ``act_quiz``."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.player = StepPlayer()
        self.ledger = LedgerPanel()
        self.paths = PathsPanel()
        self.symbolic = SymbolicPanel()
        self.check = CheckPanel()
        self.quiz = QuizPanel()
        self.panels: dict[str, TeachingPanel] = {
            "Steps": self.player, "Ledger": self.ledger, "Paths": self.paths,
            "Formulas": self.symbolic, "Check": self.check, "Quiz": self.quiz}
        for name, panel in self.panels.items():
            panel.setObjectName(f"teaching-{name.lower().replace(' ', '-')}")
        canvas = window.canvas
        # The player first: a persistent mode (forward mode, the quiz) is the fallback.
        self.router = PictureRouter(canvas.show_picture, list(self.panels.values()), self,
                                    caption=self._caption)
        scene = getattr(canvas, "graph_scene", None)
        if scene is not None and hasattr(scene, "step_mode_changed"):
            scene.step_mode_changed.connect(self.router.step_mode_changed)
        self.docks = {}
        self._last_caption = ""
        self._hidden_for_quiz: list = []
        for name, panel in self.panels.items():  # tabs of the right-hand area (add_panel)
            self.docks[name] = window.add_panel(name, panel, Qt.RightDockWidgetArea)
        # The panels wait until asked for (Graph menu, View > Panels): open all at once they
        # would squeeze the canvas, which is what a person opens the editor to see.
        for name, dock in self.docks.items():
            dock.hide()
            # opened from View > Panels too, a panel gets the room its tables need
            dock.toggleViewAction().triggered.connect(
                lambda on, n=name: self.raise_panel(n) if on else None)
        self._actions()
        if hasattr(canvas, "add_key_handler"):
            canvas.add_key_handler(self._step_key)
        doc = window.document
        doc.evaluated.connect(self._evaluated)
        self.player.values_requested.connect(self._keep_values)
        doc.replaced.connect(self._replaced)
        if scene is not None:
            scene.selectionChanged.connect(self._selection)
        self._evaluated(doc.evaluation)

    def _keep_values(self, values: dict, text: str) -> None:
        """The Steps panel's Keep the Update: set the parameters, one undoable step."""
        from ..training.commands import SetValuesCommand

        doc = self.window.document
        doc.push(SetValuesCommand(doc, values, text))
        self.window.statusBar().showMessage(f"{text} kept (Edit > Undo puts the old values back)",
                                            8000)

    def _step_key(self, key) -> bool:
        """The arrow keys (and Home, End) on the canvas step through the passes while a step
        is shown, as they do in the Steps panel."""
        if self.router.owner is not self.player or not self.player.active:
            return False
        slot = {Qt.Key_Right: self.player.next, Qt.Key_Left: self.player.back,
                Qt.Key_Home: self.player.first, Qt.Key_End: self.player.last}.get(key)
        if slot is None:
            return False
        slot()
        return True

    # ---- menus -------------------------------------------------------------------------------

    def _actions(self) -> None:
        w = self.window
        graph_menu, view_menu = w.menu("Graph"), w.menu("View")
        graph_menu.addSeparator()

        def action(text: str, slot, shortcut: str | None = None, tip: str = "",
                   checkable: bool = False) -> QAction:
            act = QAction(text, w)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.setStatusTip(tip)
            act.setCheckable(checkable)
            (act.toggled if checkable else act.triggered).connect(slot)
            return act

        self.act_step = action("&Step Through…", self.step_through, "F5",
                               "Step through the forward and the backward pass")
        self.act_step.setObjectName("act_step")  # its toolbar button and icon (ui.icons)
        self.act_check = action("&Check Gradients", self.check_gradients, "Ctrl+Shift+K",
                                "Compare every gradient with a central difference")
        self.act_forward = action("&Forward Mode", self.forward_mode, "Ctrl+Shift+F",
                                  "Show d node / d input on every node, computed in forward mode",
                                  checkable=True)
        self.act_quiz = action("&Quiz", self.quiz_mode, "Ctrl+Shift+Q",
                               "Hide the gradients and find them yourself", checkable=True)
        self.act_paths = action("Sum over &Paths", lambda: self.raise_panel("Paths"), None,
                                "Every path from an input to the output and its product")
        self.act_symbolic = action("Symbolic &Gradients", lambda: self.raise_panel("Formulas"),
                                   None, "The formulas of the output and of every gradient")
        for act in (self.act_step, self.act_check, self.act_paths, self.act_symbolic):
            graph_menu.addAction(act)
        graph_menu.addSeparator()
        graph_menu.addAction(self.act_forward)
        graph_menu.addAction(self.act_quiz)
        view_menu.addSeparator()
        view_menu.addAction(self.act_forward)
        view_menu.addAction(self.act_quiz)
        self.ledger.forward_toggle.toggled.connect(self._sync(self.act_forward))
        self.quiz.start_button.toggled.connect(self._sync(self.act_quiz))
        self.quiz.start_button.toggled.connect(self._quiz_toggled)

    @staticmethod
    def _sync(act: QAction):
        def follow(on: bool) -> None:
            act.blockSignals(True)
            act.setChecked(on)
            act.blockSignals(False)
        return follow

    #: the width a teaching panel's tables need (the right-hand column is widened to it)
    PANEL_WIDTH = 440

    def raise_panel(self, name: str) -> None:
        dock = self.docks[name]
        was_hidden = not any(d.isVisible() for d in self.docks.values())
        dock.show()
        dock.raise_()
        # the tables need room: widen the right-hand column when they appear, or when the
        # column is narrower (the Inspector's, when the panel shares its tabs)
        if was_hidden or dock.width() < self.PANEL_WIDTH:
            self.window.resizeDocks([dock], [self.PANEL_WIDTH], Qt.Horizontal)

    def step_through(self) -> None:
        self.raise_panel("Steps")
        self.player.first()

    def check_gradients(self) -> None:
        self.raise_panel("Check")
        self.check.run()

    def forward_mode(self, on: bool) -> None:
        if on:
            self.raise_panel("Ledger")
            selected = self.window.selected_nodes()
            inputs = self.window.document.graph.inputs()
            chosen = next((n for n in selected if n in inputs), None)
            self.ledger.set_forward(True, chosen)
        else:
            self.ledger.set_forward(False)

    def quiz_mode(self, on: bool) -> None:
        self.quiz.start_button.setChecked(on)

    def _caption(self, text: str) -> None:
        """The shown picture's caption in the status bar, while it is shown."""
        bar = self.window.statusBar()
        if text:
            bar.showMessage(text)
        elif bar.currentMessage() == self._last_caption:
            bar.clearMessage()
        self._last_caption = text

    def _quiz_toggled(self, on: bool) -> None:
        """The panels that would give the answers away are hidden during the quiz."""
        if on:
            self._hidden_for_quiz = [dock for dock in self._spoilers() if dock.isVisible()]
            for dock in self._hidden_for_quiz:
                dock.hide()
            self.raise_panel("Quiz")
        else:
            for dock in self._hidden_for_quiz:
                dock.show()
            self._hidden_for_quiz = []
            self.docks["Quiz"].raise_()

    def _spoilers(self) -> list:
        docks = [self.docks[name] for name in ("Ledger", "Paths", "Formulas", "Check")]
        inspector = getattr(self.window, "inspector_dock", None)
        return docks + ([inspector] if inspector is not None else [])

    # ---- feeding the panels ------------------------------------------------------------------

    def _evaluated(self, ev) -> None:
        graph = self.window.document.graph
        for panel in self.panels.values():
            panel.set_context(graph, ev)

    def _replaced(self) -> None:
        for panel in self.panels.values():
            panel.set_selected(None)

    def _selection(self) -> None:
        try:
            nodes = self.window.selected_nodes()
        except RuntimeError:  # the scene is being torn down
            return
        node = nodes[0] if len(nodes) == 1 else None
        if node is None:
            return  # keep explaining the last node until another is chosen
        for panel in self.panels.values():
            panel.set_selected(node)


def install(window) -> Teaching:
    """Add the teaching panels and their menu items to the editor's main window."""
    teaching = Teaching(window)
    window.teaching = teaching
    return teaching
