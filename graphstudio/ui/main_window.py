"""The GraphStudio main window: menus, toolbar, status bar, the canvas and its panels.

Extension points (stable; the teaching views and the training panel use them)
-------------------------------------------------------------------------------
``window.menu(title) -> QMenu``
    The menu "File", "Edit", "View", "Graph" or "Help", or a new menu of that title (placed
    before Help). Add your actions to it.
``window.add_panel(title, widget, area=Qt.RightDockWidgetArea) -> QDockWidget``
    Put ``widget`` in a dock panel; it is listed under View > Panels.
``window.document``
    The :class:`~graphstudio.ui.document.GraphDocument`: ``document.graph`` (the core graph),
    ``document.evaluation`` (the latest :class:`~graphstudio.core.engine.Evaluation`), signals
    ``changed()`` after every edit and ``evaluated(Evaluation)`` after every pass, and
    ``document.push(command)`` to make an undoable edit (see :mod:`graphstudio.ui.commands`).
``window.canvas.show_picture(picture | None)``
    Show a given :class:`~graphstudio.render.picture.Picture` (one step of a pass) instead of
    the live values; editing the graph leaves that mode (``canvas.graph_scene.step_mode_changed``
    tells when).
``window.selected_nodes() -> list[int]``
    The selected node ids.
``window.leave_checks``
    A list of callables asked, in order, before the document is closed, replaced or the window
    quits (File > New, Open, Quit); each returns False to keep things as they are (e.g. the
    training panel asks whether to keep trained parameters). They run before "Save the
    changes?", so what they put in the document is saved with it.
``window.node_menu_providers``
    A list of callables ``provider(node) -> list[QAction]``: the actions each adds to a node's
    right-click menu (after the editor's own), e.g. Group and Ungroup.
``graphstudio/ui/extensions.py``
    ``EXTENSIONS``: module names whose ``install(window)`` runs when the window starts.

Keyboard: the platform's standard shortcuts (New, Open, Save, Save As, Undo, Redo, Cut, Copy,
Paste, Select All, Delete, Zoom in/out), Backspace deletes too, Ctrl+D duplicates, F2 renames,
Tab or a double-click on empty canvas adds a node, Ctrl+0 fits the graph in the view, Ctrl+I
imports.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import shiboken6
from PySide6.QtCore import QPointF, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow,
                               QMenu, QMessageBox, QTabBar, QUndoView, QVBoxLayout, QWidget)

from ..core.dataset import (DatasetError, bound_inputs, dataset_candidates, embedded_text,
                            is_embedded, load_csv)
from ..core.collector import collector_paused
from ..core.engine import evaluate
from ..core.groups import whole_groups
from ..core.graph import Graph, GraphError
from ..core.numbers import format_value
from ..examples import example_files, example_title
from ..io import OpenError, open_document
from ..io.document import DocumentError
from ..io.formats import (base_name, dialog_filter, filter_format, reader_for, readers,
                          save_document, suffix_list, writer_for, writers)
from ..io.gs import ParseError
from ..render.draw import arrange, arrange_picture
from ..render.picture import Picture
from ..render.room import room_for_labels
from ..render.style import THEMES, mix
from . import extensions, icons
from .about import show_about
from .canvas import Canvas
from .commands import (ArrangeCommand, DisconnectCommand, RemoveNodesCommand, SetDatasetCommand,
                       SetOutputCommand, build_command, clipboard_graph, copy_text,
                       paste_command)
from .document import GraphDocument
from .expression_bar import ExpressionBar
from .guide import GuideDialog
from .inspector import Inspector
from .palette import Palette
from .panel_scroll import VerticalScroll
from .places import is_template, recent_label, remember_folder, settings, start_folder
from .quick_search import QuickSearch
from .save_dialog import ask_save_path

__all__ = ["MainWindow"]

MAX_RECENT = 10
#: the panels' arrangement as saved in the settings; a layout saved by an older version (the
#: right-hand panels stacked) is not restored
LAYOUT_VERSION = 2


def lay_out_missing(graph: Graph, view: dict) -> Picture | None:
    """Give nodes without a position one from the layered layout (files without positions);
    positions the file has are kept. The picture the layout measured, or None when every
    node had a position: the canvas shows it rather than make and measure it again."""
    missing = [n for n in graph.nodes() if graph.position(n) is None]
    if not missing:
        return None
    theme = THEMES.get(view.get("theme", "light"), THEMES["light"])
    edge_labels = bool(view.get("edge_labels"))
    ev = evaluate(graph)
    picture = arrange_picture(graph, ev, edge_labels)
    positions = arrange(graph, ev, theme, edge_labels, picture=picture)
    for n in missing:
        graph.set_position(n, positions[n])
    return picture


#: the window's size the first time, on a screen big enough for it
DEFAULT_SIZE = (1360, 860)


def default_size(available: QSize) -> QSize:
    """The window's first size: :data:`DEFAULT_SIZE`, or the screen's free area where that is
    smaller (1366×768 laptops), so that no part of the window, the canvas's lower edge and the
    status bar included, starts off the screen."""
    return QSize(min(DEFAULT_SIZE[0], available.width()), min(DEFAULT_SIZE[1], available.height()))


class MainWindow(QMainWindow):
    """The editor window; ``restore_layout=False`` ignores the size and panels saved last time
    (screenshots are then the same everywhere). With an autosave ``session``
    (:class:`~graphstudio.ui.autosave.Session`) the document's unsaved changes are autosaved."""

    def __init__(self, restore_layout: bool = True, session=None) -> None:
        super().__init__()
        self.leave_checks: list = []  # see the module's extension points
        self.node_menu_providers: list = []
        self.document = GraphDocument(self)
        self.autosaver = session.track(self.document) if session is not None else None
        self.canvas = Canvas(self.document)
        self.canvas.setObjectName("canvas")
        self.scene = self.canvas.graph_scene
        self.expression_bar = ExpressionBar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.expression_bar)
        layout.addWidget(self.canvas, 1)
        self.setCentralWidget(central)
        self.quick_search = QuickSearch(self.canvas.viewport())
        self._menus: dict[str, QMenu] = {}
        self._right_docks: list[QDockWidget] = []  # one tabbed area, the first is its anchor
        self._problem_shown: str | None = None  # the graph problem the status bar says
        self._panels_menu: QMenu | None = None
        self.palette = Palette()
        self.inspector = Inspector(self.document, self.scene)
        self.history = QUndoView(self.document.undo_stack)
        self.history.setEmptyLabel("<opened>")
        self.eval_label = QLabel()
        self.statusBar().addPermanentWidget(self.eval_label)
        self.zoom_label = QLabel("Zoom 100%")
        self.statusBar().addPermanentWidget(self.zoom_label)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.palette_dock = self.add_panel("Palette", self.palette, Qt.LeftDockWidgetArea)
        self.inspector_dock = self.add_panel("Inspector", self.inspector, Qt.RightDockWidgetArea)
        self.history_dock = self.add_panel("History", self.history, Qt.RightDockWidgetArea)
        self.history_dock.hide()
        # open or closed, not whether its tab is in front
        self.history_dock.toggleViewAction().toggled.connect(self.act_history.setChecked)
        self._connect()
        self._update_title()
        self.resize(default_size(self.screen().availableGeometry().size()))
        self.resizeDocks([self.palette_dock, self.inspector_dock],
                         [self.palette.sizeHint().width(), 250], Qt.Horizontal)
        self._install_extensions()
        self._finish_toolbar()
        self.setWindowIcon(icons.app_icon())
        if restore_layout:
            self._restore_layout()

    def _restore_layout(self) -> None:
        """The window's size and panels as the user left them (QSettings), within the screen
        it is on now (the last one may have been larger)."""
        store = settings()
        geometry, state = store.value("geometry"), store.value("state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)
        self.fit_screen()

    def fit_screen(self) -> None:
        """Keep the whole window (its frame included) on the screen's free area: a small
        screen, a large ``QT_SCALE_FACTOR`` or a layout saved on a bigger monitor."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        free = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size()  # 0 before it is shown
        extra_w = max(frame.width(), 0) or 8
        extra_h = max(frame.height(), 0) or 40  # a title bar the window manager adds
        width = min(self.width(), free.width() - extra_w)
        height = min(self.height(), free.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(max(width, 200), max(height, 200))
        x = min(max(self.x(), free.left()), free.right() - self.width() - extra_w + 1)
        y = min(max(self.y(), free.top()), free.bottom() - self.height() - extra_h + 1)
        if (x, y) != (self.x(), self.y()):
            self.move(max(x, free.left()), max(y, free.top()))

    # ---- extension points -------------------------------------------------------------------------

    def menu(self, title: str) -> QMenu:
        """The menu called ``title`` (File, Edit, View, Graph, Help), created if new."""
        key = title.replace("&", "")
        if key not in self._menus:
            menu = QMenu(title if "&" in title else f"&{title}", self)
            help_menu = self._menus.get("Help")
            if help_menu is not None:
                self.menuBar().insertMenu(help_menu.menuAction(), menu)
            else:
                self.menuBar().addMenu(menu)
            self._menus[key] = menu
        return self._menus[key]

    def add_panel(self, title: str, widget: QWidget, area=Qt.RightDockWidgetArea) -> QDockWidget:
        """``widget`` in a dock panel titled ``title``, listed under View > Panels. The
        right-hand panels share one tabbed area (stacked, each would be too short to use and
        the window would outgrow a laptop's screen); opening one brings its tab to the front."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"panel-{title}")
        if area == Qt.RightDockWidgetArea:
            # a panel taller than the room left to it scrolls, rather than pushing the window
            # (the Training panel's Keep and Revert) past the bottom of a small screen
            widget = VerticalScroll(widget)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if area == Qt.RightDockWidgetArea:
            if self._right_docks:
                self.tabifyDockWidget(self._right_docks[0], dock)
            self._right_docks.append(dock)
            dock.visibilityChanged.connect(self._whole_tab_titles_soon)
        toggle = dock.toggleViewAction()
        toggle.triggered.connect(lambda on, d=dock: d.raise_() if on else None)
        if self._panels_menu is not None:
            self._panels_menu.addAction(toggle)
        return dock

    def _whole_tab_titles_soon(self, _shown: bool = True) -> None:
        # a window torn down without closing (a script's window at exit) hides its docks
        # after its C++ half is gone: nothing is left to retitle then
        if shiboken6.isValid(self):
            QTimer.singleShot(0, self, self._whole_tab_titles)

    def _whole_tab_titles(self) -> None:
        """The tabs of the docked panels show whole titles ("Le…" tells nobody it is the
        Ledger) and scroll with arrows when they do not all fit. Qt makes these tab bars when
        panels are tabbed together, so this runs whenever a panel is shown or hidden."""
        for bar in self.findChildren(QTabBar, options=Qt.FindDirectChildrenOnly):
            if bar.elideMode() != Qt.ElideNone:
                bar.setElideMode(Qt.ElideNone)
                bar.setUsesScrollButtons(True)

    def selected_nodes(self) -> list[int]:
        return self.scene.selected_nodes()

    def _install_extensions(self) -> None:
        for name in extensions.EXTENSIONS:
            try:
                importlib.import_module(name).install(self)
            except Exception as exc:  # an extension must not stop the editor from starting
                self.statusBar().showMessage(f"extension {name} failed to start: {exc}", 10000)

    # ---- actions and menus -----------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, tip: str = "", checkable: bool = False) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                act.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                act.setShortcut(QKeySequence(shortcut))
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(tip)
        act.setCheckable(checkable)
        if checkable:
            act.toggled.connect(slot)
        else:
            act.triggered.connect(lambda _checked=False: slot())
        return act

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        a = self._action
        self.act_new = a("&New", self.new_document, K.New, "Start an empty graph")
        self.act_open = a("&Open…", self.open_dialog, K.Open,
                          f"Open a {suffix_list(readers())} graph")
        self.act_import = a("&Import…", self.import_dialog, "Ctrl+I",
                            "Open a file another tool wrote as a new, untitled graph")
        self.act_save = a("&Save", self.save, K.Save, "Save the graph")
        self.act_save_as = a("Save &As…", self.save_as, K.SaveAs, "Save the graph under another name")
        self.act_quit = a("&Quit", self.close, K.Quit)
        stack = self.document.undo_stack
        self.act_undo = stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(QKeySequence(K.Undo))
        self.act_redo = stack.createRedoAction(self, "&Redo")
        redo_keys = QKeySequence.keyBindings(K.Redo)
        if QKeySequence("Ctrl+Y") not in redo_keys:
            redo_keys.append(QKeySequence("Ctrl+Y"))
        self.act_redo.setShortcuts(redo_keys)
        self.act_cut = a("Cu&t", self.cut, K.Cut)
        self.act_copy = a("&Copy", self.copy, K.Copy)
        self.act_paste = a("&Paste", self.paste, K.Paste)
        self.act_duplicate = a("&Duplicate", self.duplicate, "Ctrl+D")
        self.act_delete = a("De&lete", self.delete_selection,
                            [QKeySequence(K.Delete), QKeySequence(Qt.Key_Backspace)])
        self.act_select_all = a("Select &All", self.select_all, K.SelectAll)
        self.act_rename = a("&Rename…", self.rename_selected, "F2")
        self.act_history = a("&History", self.history_toggled, None, "Show the undo history", True)
        self.act_fit = a("&Fit to View", self.canvas.fit, "Ctrl+0")
        # Ctrl+= as well: on most keyboards "+" needs Shift, and every browser takes Ctrl+=
        zoom_keys = QKeySequence.keyBindings(K.ZoomIn)
        if QKeySequence("Ctrl+=") not in zoom_keys:
            zoom_keys.append(QKeySequence("Ctrl+="))
        self.act_zoom_in = a("Zoom &In", self.canvas.zoom_in, zoom_keys)
        self.act_zoom_out = a("Zoom &Out", self.canvas.zoom_out, K.ZoomOut)
        self.act_zoom_reset = a("&Actual Size", self.canvas.zoom_reset, "Ctrl+1")
        self.act_grid = a("&Grid", lambda on: self._set_view("grid", on), None, "", True)
        self.act_grad = a("Show &Gradients", lambda on: self._set_view("show_grad", on), "Ctrl+Alt+G",
                          "Show each node's gradient", True)
        self.act_labels = a("Show &Edge Labels", lambda on: self._set_view("edge_labels", on),
                            "Ctrl+E", "Show each edge's local derivative", True)
        self.theme_group = QActionGroup(self)
        self.theme_actions = {}
        for name in ("light", "dark"):
            act = QAction(name.capitalize(), self, checkable=True)
            act.triggered.connect(lambda _c=False, n=name: self._set_view("theme", n))
            self.theme_group.addAction(act)
            self.theme_actions[name] = act
        self.act_arrange = a("&Arrange", self.arrange, "Ctrl+L", "Lay the graph out in layers")
        self.act_add = a("Add &Node…", self.open_quick_search, None, "Add a node (Tab on the canvas)")
        self.act_output = a("Set as &Output", self.set_output_selected, None,
                            "Differentiate this node: every gradient becomes d(this)/d(node)")
        self.act_expression = a("&Build from Expression", lambda: self.expression_bar.edit.setFocus(),
                                "Ctrl+Shift+E", "Type an expression to build")
        self.act_about = a("&About GraphStudio", self.about)
        self.act_howto = a("GraphStudio &Guide", self.howto, QKeySequence.StandardKey.HelpContents,
                           "The views, the mouse and keyboard, and the .gs format")
        for name, act in vars(self).items():  # the names graphstudio.ui.icons finds them by
            if name.startswith("act_") and isinstance(act, QAction):
                act.setObjectName(name)

    def _build_menus(self) -> None:
        f = self.menu("&File")
        f.addActions([self.act_new, self.act_open])
        self.recent_menu = f.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu = f.addMenu("&Examples")
        for path in example_files():
            act = self.examples_menu.addAction(example_title(path).replace("&", "&&"))
            act.setData(str(path))
            act.setStatusTip(path.name)
            act.triggered.connect(lambda _c=False, p=path: self.open_file(p))
        f.addSeparator()
        f.addActions([self.act_save, self.act_save_as])
        f.addSeparator()
        f.addAction(self.act_import)  # File > Export… (ui/export_menu.py) joins it here
        f.addSeparator()
        f.addAction(self.act_quit)
        e = self.menu("&Edit")
        e.addActions([self.act_undo, self.act_redo])
        e.addSeparator()
        e.addActions([self.act_cut, self.act_copy, self.act_paste, self.act_duplicate, self.act_delete])
        e.addSeparator()
        e.addActions([self.act_select_all, self.act_rename])
        e.addSeparator()
        e.addAction(self.act_history)
        v = self.menu("&View")
        v.addActions([self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset])
        v.addSeparator()
        v.addActions([self.act_grid, self.act_grad, self.act_labels])
        themes = v.addMenu("&Theme")
        themes.addActions(list(self.theme_actions.values()))
        v.addSeparator()
        self._panels_menu = v.addMenu("&Panels")
        g = self.menu("&Graph")
        g.addActions([self.act_add, self.act_expression, self.act_arrange, self.act_output])
        h = self.menu("&Help")
        h.addActions([self.act_howto, self.act_about])

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Main")
        tb.setObjectName("toolbar-main")
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        tb.addActions([self.act_new, self.act_open, self.act_save])
        tb.addSeparator()
        tb.addActions([self.act_undo, self.act_redo])
        tb.addSeparator()
        tb.addActions([self.act_arrange, self.act_fit, self.act_grad, self.act_labels])
        self.toolbar = tb

    def _finish_toolbar(self) -> None:
        """Export, Step Through and Train (from the extensions that started) join the
        toolbar; New, Open, Save, Undo and Redo show their icon alone (the tooltip names them)."""
        extra = [a for a in (self.findChild(QAction, n) for n in ("act_export", "act_step", "act_train"))
                 if a is not None]
        if extra:
            self.toolbar.addSeparator()
            self.toolbar.addActions(extra)
        for act in (self.act_new, self.act_open, self.act_save, self.act_undo, self.act_redo):
            self.toolbar.widgetForAction(act).setToolButtonStyle(Qt.ToolButtonIconOnly)
        icons.decorate(self, self.document.view.get("theme", "light"))

    def _connect(self) -> None:
        doc = self.document
        doc.modified_changed.connect(lambda _m: self._update_title())
        doc.path_changed.connect(self._update_title)
        doc.evaluated.connect(self.show_evaluation)
        doc.replaced.connect(self._sync_view_actions)
        doc.replaced.connect(self._forget_messages)
        self.canvas.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.canvas.quick_search_requested.connect(self._quick_search_at)
        self.canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"Zoom {round(z * 100)}%"))
        self.quick_search.chosen.connect(lambda op, pos: self.canvas.add_node(op, pos))
        self.palette.add_requested.connect(lambda op: self.canvas.add_node(op))
        self.expression_bar.build_requested.connect(self.build_expression)
        self.scene.menu_requested.connect(self._node_menu)
        self.scene.edge_menu_requested.connect(self._edge_menu)
        self.canvas.menu_requested.connect(self._canvas_menu)
        self.scene.selectionChanged.connect(self._selection_status)
        self._sync_view_actions()
        self.show_evaluation(doc.evaluation)

    # ---- title and status -------------------------------------------------------------------------------

    def _update_title(self) -> None:
        origin = self.document.origin
        came = f" (imported from {origin.name})" if origin is not None else ""
        self.setWindowTitle(f"{self.document.display_name()}{came}[*] — GraphStudio")
        self.setWindowModified(self.document.modified)

    def show_evaluation(self, ev, note: str = "") -> None:
        """The output's value (and the graph's problems) in the status bar, from ``ev``; a
        panel showing other numbers on the canvas (a training preview) passes its own
        evaluation and a ``note`` saying whose numbers they are."""
        if ev is None:
            return
        g = self.document.graph
        problems = [e for e in ev.errors.values() if e.kind != "upstream"]
        if ev.output is not None and ev.output in g:
            out = f"output {g.label(ev.output)} = {format_value(ev.values.get(ev.output))}"
            if ev.seed_text():
                out += f", seed: {ev.seed_text()}"
            if note:
                out += f" ({note})"
        else:
            out = "no output"
        text = out
        current = {f"{g.label(e.node)}: {e.message}" for e in problems if e.node in g}
        if self.statusBar().currentMessage() == self._problem_shown and \
                self._problem_shown not in current:
            self.statusBar().clearMessage()  # the problem is gone: so is its message
        self._problem_shown = None
        if problems:
            first = problems[0]
            text += f"  ·  {len(problems)} problem{'s' if len(problems) > 1 else ''}: " \
                    f"{g.label(first.node)}: {first.message}"
            self._show_problem(f"{g.label(first.node)}: {first.message}")
        self.eval_label.setText(text + "   ")

    def _forget_messages(self) -> None:
        """Another document: what was said about the last one no longer holds."""
        self.statusBar().clearMessage()
        self._problem_shown = None
        self.expression_bar.clear_status()

    def _show_problem(self, text: str) -> None:
        """A problem of the graph in the status bar, cleared as soon as it is gone."""
        self.statusBar().showMessage(text, 8000)
        self._problem_shown = text

    def _selection_status(self) -> None:
        try:
            nodes = self.scene.selected_nodes()
        except RuntimeError:
            return
        if len(nodes) == 1:
            err = self.document.error_text(nodes[0])
            if err:
                self._show_problem(f"{self.document.graph.label(nodes[0])}: {err}")

    def _sync_view_actions(self) -> None:
        view = self.document.view
        for act, key in ((self.act_grid, "grid"), (self.act_grad, "show_grad"),
                         (self.act_labels, "edge_labels")):
            act.blockSignals(True)
            act.setChecked(bool(view.get(key)))
            act.blockSignals(False)
        theme = view.get("theme", "light")
        if theme in self.theme_actions:
            self.theme_actions[theme].setChecked(True)
        self._apply_palette(THEMES.get(theme, THEMES["light"]))
        icons.decorate(self, theme)
        self.canvas.viewport().update()

    def _apply_palette(self, theme) -> None:
        """Panels, menus and tables follow a dark canvas (a light theme keeps the platform's
        own colours)."""
        if theme.name != "dark":
            self.setPalette(self.style().standardPalette())
            return
        pal = QPalette()
        for role, colour in ((QPalette.Window, theme.node_fill), (QPalette.Base, theme.background),
                             (QPalette.AlternateBase, theme.const_fill),
                             (QPalette.Button, theme.node_fill), (QPalette.WindowText, theme.text),
                             (QPalette.Text, theme.text), (QPalette.ButtonText, theme.text),
                             (QPalette.ToolTipBase, theme.node_fill), (QPalette.ToolTipText, theme.text),
                             (QPalette.PlaceholderText, theme.muted), (QPalette.Highlight, theme.selection),
                             (QPalette.HighlightedText, "#ffffff"), (QPalette.Link, theme.edge_label)):
            pal.setColor(role, QColor(colour))
        # a disabled control (Pause before a run, Keep and Revert during one) must look it:
        # its text half-way from the muted colour to the panel's, its button sunk into the panel
        faded = QColor(mix(theme.muted, theme.node_fill, 0.5))
        for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
            pal.setColor(QPalette.Disabled, role, faded)
        pal.setColor(QPalette.Disabled, QPalette.Button, QColor(theme.background))
        self.setPalette(pal)

    def _set_view(self, key: str, value) -> None:
        labels_on = key == "edge_labels" and value and not self.document.view.get(key, False)
        # the room first: the labels are then placed once, where they stay
        moved = self._make_room_for_labels() if labels_on else 0
        self.document.set_view(key, value)
        self._sync_view_actions()
        if labels_on:
            if self.document.graph.groups():
                hint = "; Graph > Arrange (Ctrl+L) makes room for them"
            elif moved:
                hint = (f"; {moved} nodes moved right to make room for them (Edit > Undo puts "
                        "them back)")
            else:
                hint = ""
            self.statusBar().showMessage(f"Edge labels show each local derivative{hint}", 8000)

    def _make_room_for_labels(self) -> int:
        """The edge labels are being turned on: the columns spread apart where a label would
        have no room between them (one undo step), the boxes' own arrangement kept. How many
        nodes moved."""
        doc, graph = self.document, self.document.graph
        if not len(graph) or graph.groups():
            return 0
        positions = {n: graph.position(n) or (0.0, 0.0) for n in graph.nodes()}
        moves = room_for_labels(graph, doc.evaluation, positions, self.scene.theme,
                                show_grad=doc.view.get("show_grad", True))
        in_view = self.canvas.graph_in_view()
        if not moves or not self._push(ArrangeCommand(doc, moves, "Make Room for Edge Labels")):
            return 0
        if in_view and not self.canvas.graph_in_view():
            self.canvas.fit()  # the whole graph was in sight: it stays so
        return len(moves)

    def history_toggled(self, on: bool) -> None:
        """Edit > History: the panel, its tab in front."""
        self.history_dock.setVisible(on)
        if on:
            self.history_dock.raise_()

    # ---- files ---------------------------------------------------------------------------------------------

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current graph (saved, discarded, or unmodified)."""
        if not all(check() for check in self.leave_checks):
            return False
        if not self.document.modified:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes",
            f"Save the changes to {self.document.display_name()} first?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def new_document(self) -> bool:
        if not self.maybe_save():
            return False
        self.document.replace(Graph())
        self.canvas.resetTransform()
        self.canvas.centerOn(0, 0)
        return True

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open graph", self._last_dir(),
                                              dialog_filter(readers()))
        if path:
            remember_folder(path)
            self.open_file(path)

    def open_file(self, path, *, ask: bool = True) -> bool:
        """Open ``path``; a file that cannot be read shows an error and changes nothing."""
        if ask and not self.maybe_save():
            return False
        doc = self._read(path, "Cannot open the file")
        if doc is None:
            return False
        self._show_document(doc, path=path)
        self._add_recent(path)
        notes = "; ".join(doc.notes)
        self.statusBar().showMessage(f"Opened {path}" + (f" ({notes})" if notes else ""), 8000)
        self._offer_dataset(doc)
        return True

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a graph as a new document",
                                              self._last_dir(), dialog_filter(readers()))
        if path:
            remember_folder(path)
            self.import_file(path)

    def import_file(self, path) -> bool:
        """Open a file another tool wrote (any format the registry reads) as a new Untitled
        document, as LibreOffice and Inkscape import: Save then asks for a name, so the other
        tool's file is never written over. The file is read before anything is asked or
        changed: one that cannot be read or mapped shows why and leaves the document as it
        was."""
        doc = self._read(path, "Cannot import the file")
        if doc is None or not self.maybe_save():
            return False
        self._show_document(doc, origin=path)
        notes = "; ".join(doc.notes)
        self.statusBar().showMessage(
            f"Imported {path} as a new document; File > Save As… names it"
            + (f" ({notes})" if notes else ""), 10000)
        self._offer_dataset(doc)
        return True

    def _read(self, path, title: str):
        """The document in ``path``, or None after showing why it cannot be read."""
        try:
            return open_document(path)
        except OpenError as exc:
            QMessageBox.critical(self, title, str(exc))
            self.statusBar().showMessage(str(exc), 10000)
            return None

    def _show_document(self, doc, *, path=None, origin=None) -> None:
        view = doc.view if isinstance(doc.view, dict) else {}
        with collector_paused():  # thousands of items and views made, none of them garbage
            picture = lay_out_missing(doc.graph, view)
            if picture is not None:
                self.scene.offer_picture(doc.graph, picture, edge_labels=bool(view.get("edge_labels")))
            self.document.replace(doc.graph, path, view, origin=origin)
            QTimer.singleShot(0, self.canvas.show_graph)
            self.canvas.show_graph()

    def _offer_dataset(self, doc) -> None:
        missing = next((n for n in doc.notes if "cannot find the dataset" in n), None)
        if missing is not None:
            self._offer_locate(missing.removeprefix("dataset not loaded: "))

    def _offer_locate(self, problem: str) -> QMessageBox:
        """Say that the dataset is missing and where it was looked for, and offer to locate
        it (a window-modal message that does not block)."""
        box = QMessageBox(QMessageBox.Warning, "Dataset not found",
                          f"{self.document.display_name()} reads its data from a file that "
                          f"cannot be found.", QMessageBox.NoButton, self)
        box.setObjectName("dataset-missing")
        box.setInformativeText(f"{problem}.\n\nThe graph opens without it: its data inputs "
                               f"show 0 until the file is located.")
        locate = box.addButton("Locate…", QMessageBox.AcceptRole)
        box.addButton("Not Now", QMessageBox.RejectRole)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda b: self.locate_dataset() if b is locate else None)
        box.open()
        return box

    def locate_dataset(self) -> bool:
        """Ask for the CSV file the graph's data inputs read, and use it (one undoable step;
        the data inputs show its first row)."""
        graph = self.document.graph
        ref = graph.meta.get("dataset")
        if not ref or is_embedded(graph):
            return False
        looked = dataset_candidates(ref, self.document.folder())
        start = next((p.parent for p in looked if p.parent.is_dir()), start_folder(self.document.path))
        path, _ = QFileDialog.getOpenFileName(self, f"Locate {Path(ref).name}",
                                              str(start / Path(ref).name),
                                              "CSV files (*.csv);;All files (*)")
        if not path:
            return False
        try:
            ds = load_csv(path)
            values = {n: b.values(ds)[0] for n, b in bound_inputs(graph).items()} if len(ds) else {}
        except DatasetError as exc:
            QMessageBox.critical(self, "Cannot use this file", str(exc))
            return False
        remember_folder(path)
        self._push(SetDatasetCommand(self.document, Path(path).resolve().as_posix(), values))
        self.statusBar().showMessage(f"The data inputs read {path} ({len(ds)} rows)", 8000)
        return True

    def save(self) -> bool:
        """Save to the document's file when its format keeps everything (the JSON document)
        and the file is the user's; a graph opened from ``.gs`` text, GraphML, a node-link
        ``graph.json``, a shipped example (a template) or a new one asks for a name, so such a
        file (and its comments) is never overwritten by surprise with less than the editor
        holds, or in another format than the one it was read in, nor the installed package."""
        path = self.document.path
        fmt = writer_for(path) if path is not None else None
        if fmt is None or not fmt.complete or (path.exists() and reader_for(path) is not fmt) \
                or is_template(path):
            return self.save_as()
        return self.save_to(path)

    def save_as(self) -> bool:
        """Ask where (starting in the user's folder, never in the installed package) and
        whether to carry the dataset inside, then save."""
        current = self.document.path or self.document.origin  # an import: beside its file
        suffix = next(f for f in writers() if f.complete).suffixes[0]
        name = base_name(current) + suffix if current else f"graph{suffix}"
        suggestion = str(start_folder(current) / name)
        graph = self.document.graph
        dataset = graph.meta.get("dataset")
        answer = ask_save_path(self, "Save graph", suggestion, dialog_filter(writers()),
                               dataset_name=Path(dataset).name if dataset else None,
                               embedded=is_embedded(graph))
        if answer is None:
            return False
        path, chosen, embed = answer
        if not Path(path).suffix:  # the name decides the format; else the list entry chosen
            fmt = filter_format(writers(), chosen)
            path += fmt.suffixes[0] if fmt is not None else suffix
        return self.save_to(path, embed_data=embed)

    def save_to(self, path, embed_data: bool = False) -> bool:
        """Write the document (atomically) to ``path`` in the format its suffix names
        (:mod:`graphstudio.io.formats`): JSON keeps everything; ``.gs`` keeps the expressions
        and values (not positions)... The dataset is named relative to the new folder where it
        can be, or carried inside with ``embed_data``."""
        path = Path(path)
        try:
            save_document(path, self.document.graph, self.document.view, embed_data=embed_data)
        except (OSError, DocumentError, GraphError, ValueError) as exc:
            QMessageBox.critical(self, "Cannot save", f"{path}: {exc}")
            return False
        if embed_data and not is_embedded(self.document.graph):
            # the document now carries its data, as the file does (a setting, not an edit)
            text = embedded_text(self.document.graph, None)
            self.document.graph.set_meta("dataset_csv", text)
        self.document.set_path(path)
        self.document.undo_stack.setClean()
        self._add_recent(path)
        remember_folder(path)
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def _last_dir(self) -> str:
        return str(start_folder(self.document.path))

    def recent_files(self) -> list[str]:
        value = settings().value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path) -> None:
        path = str(Path(path).resolve())
        recent = self.recent_files()
        files = [path] + [p for p in recent if p != path][:MAX_RECENT - 1]
        if files != recent:  # (opened again: the settings file is not written again)
            settings().setValue("recent", files)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        for p in files:
            act = self.recent_menu.addAction(recent_label(p))
            act.setStatusTip(p)  # the whole path in the status bar
            act.setData(p)
            act.triggered.connect(lambda _c=False, path=p: self.open_file(path))

    def restore(self, autosave, path) -> bool:
        """Show a document recovered from its ``autosave`` file after a crash: its graph,
        positions, output and dataset, marked modified, belonging to ``path`` (its own file,
        or None when it was never saved)."""
        try:
            doc = open_document(autosave)
        except OpenError as exc:
            QMessageBox.critical(self, "Cannot restore the document", str(exc))
            return False
        view = doc.view if isinstance(doc.view, dict) else {}
        picture = lay_out_missing(doc.graph, view)
        if picture is not None:
            self.scene.offer_picture(doc.graph, picture, edge_labels=bool(view.get("edge_labels")))
        self.document.replace(doc.graph, path, view)
        self.document.undo_stack.resetClean()  # unsaved: modified, nothing to undo
        QTimer.singleShot(0, self.canvas.show_graph)
        self.canvas.show_graph()
        self.statusBar().showMessage(f"Restored the unsaved changes to {self.document.display_name()}; "
                                     f"save them with File > Save", 10000)
        return True

    def closeEvent(self, event) -> None:
        if self.maybe_save():
            if self.autosaver is not None:  # saved or discarded: nothing left to recover
                self.autosaver.discard()
            store = settings()
            store.setValue("geometry", self.saveGeometry())
            store.setValue("state", self.saveState(LAYOUT_VERSION))
            event.accept()
        else:
            event.ignore()

    # ---- editing -----------------------------------------------------------------------------------------

    def _push(self, command) -> bool:
        try:
            return self.document.push(command)
        except GraphError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return False

    def whole_selection(self) -> list[int]:
        """The selected nodes, a collapsed group's box standing for all its nodes."""
        return whole_groups(self.document.graph, self.scene.selected_nodes())

    def delete_selection(self) -> None:
        nodes = self.whole_selection()
        if nodes:
            self._push(RemoveNodesCommand(self.document, nodes))
            return
        edges = self.scene.selected_edges()
        if edges:
            self.document.undo_stack.beginMacro("Disconnect")
            for _src, dst, port in edges:
                self._push(DisconnectCommand(self.document, dst, port))
            self.document.undo_stack.endMacro()

    def select_all(self) -> None:
        for item in self.scene.nodes.values():
            item.setSelected(True)

    def copy(self) -> bool:
        nodes = self.whole_selection()
        if not nodes:
            return False
        # plain text (a JSON document): a QMimeData handed to the clipboard from Python is
        # freed twice at exit with PySide6 6.11 on the offscreen platform
        QApplication.clipboard().setText(copy_text(self.document.graph, nodes))
        self.statusBar().showMessage(f"Copied {len(nodes)} node{'s' if len(nodes) > 1 else ''}", 3000)
        return True

    def cut(self) -> None:
        if self.copy():
            self._push(RemoveNodesCommand(self.document, self.whole_selection()))

    def paste(self) -> None:
        text = QApplication.clipboard().text()
        self._paste_text(text, "Paste")

    def _paste_text(self, text: str, label: str, near: QPointF | None = None) -> None:
        """Paste the nodes ``text`` holds into free space near ``near`` (default: the mouse
        over the canvas, else the centre of the view), never on top of other nodes."""
        try:
            pasted = clipboard_graph(text)
        except DocumentError as exc:
            self.statusBar().showMessage(f"Nothing to paste: {exc}", 6000)
            return
        box = self.scene.boxes(pasted)
        target = near if near is not None else self.canvas.cursor_scene_pos()
        spot = self.scene.free_spot(target, box.size())
        offset = (round(spot.x() - box.center().x()), round(spot.y() - box.center().y()))
        try:
            cmd = paste_command(self.document, text, offset, label=label)
        except (DocumentError, GraphError) as exc:
            self.statusBar().showMessage(f"Nothing to paste: {exc}", 6000)
            return
        if self._push(cmd):
            self.scene.select(cmd.nodes)
            if cmd.note:
                self.statusBar().showMessage(cmd.note, 10000)

    def duplicate(self) -> None:
        nodes = self.whole_selection()
        if nodes:  # beside the originals, wherever the mouse is
            self._paste_text(copy_text(self.document.graph, nodes), "Duplicate",
                             near=self.scene.boxes(self.document.graph, nodes).center())

    def rename_selected(self) -> None:
        nodes = self.scene.selected_nodes()
        if len(nodes) == 1:
            self.canvas.edit_in_place(nodes[0], "name")

    def set_output_selected(self) -> None:
        nodes = self.scene.selected_nodes()
        if len(nodes) == 1:
            self._push(SetOutputCommand(self.document, nodes[0]))

    def arrange(self) -> None:
        if len(self.document.graph):
            with collector_paused():
                self._push(ArrangeCommand(self.document, self.canvas.arrange()))
            self.canvas.fit()

    def open_quick_search(self) -> None:
        self._quick_search_at(self.canvas.cursor_scene_pos())

    def _quick_search_at(self, scene_pos) -> None:
        self.quick_search.open_at(scene_pos, self.canvas.mapFromScene(scene_pos))

    def build_expression(self, text: str, new_document: bool = False) -> bool:
        """Build ``text`` into the graph (or a new one) and lay it out; errors are shown in
        the expression bar with their line and column."""
        if new_document and not self.new_document():
            return False
        theme = self.scene.theme
        labels = self.document.view.get("edge_labels", False)
        try:
            cmd, created = build_command(self.document, text,
                                         lambda g: arrange(g, evaluate(g), theme, labels))
        except ParseError as exc:
            self.expression_bar.show_error(exc.message, exc.line, exc.col)
            return False
        except GraphError as exc:
            self.expression_bar.show_error(str(exc))
            return False
        if not self._push(cmd):
            return False
        self.scene.select(cmd.nodes)
        if cmd.note:
            self.statusBar().showMessage(cmd.note, 10000)
        made = f"; new inputs {', '.join(created)} = 1" if created else ""
        self.expression_bar.show_done(f"Built {len(cmd.nodes)} node{'s' if len(cmd.nodes) != 1 else ''}{made}")
        self.canvas.fit()
        return True

    def _node_menu(self, node: int, screen_pos) -> None:
        menu = QMenu(self)
        menu.addAction(self.act_rename)
        if self.document.graph.is_leaf(node):
            menu.addAction("Set &Value…", lambda: self.canvas.edit_in_place(node, "value"))
        menu.addAction(self.act_output)
        menu.addSeparator()
        menu.addActions([self.act_cut, self.act_copy, self.act_duplicate, self.act_delete])
        for provider in self.node_menu_providers:
            actions = provider(node)
            if actions:
                menu.addSeparator()
                menu.addActions(actions)
        menu.exec(screen_pos)

    def _canvas_menu(self, scene_pos, screen_pos) -> None:
        menu = QMenu(self)
        menu.addAction("&Add Node Here…", lambda: self._quick_search_at(scene_pos))
        menu.addActions([self.act_paste, self.act_select_all])
        menu.addSeparator()
        menu.addActions([self.act_arrange, self.act_fit])
        menu.exec(screen_pos)

    def _edge_menu(self, dst: int, port: int, screen_pos) -> None:
        menu = QMenu(self)
        menu.addAction("&Disconnect", lambda: self._push(DisconnectCommand(self.document, dst, port)))
        menu.exec(screen_pos)

    def howto(self) -> GuideDialog:
        """Help > GraphStudio Guide (F1): one window, brought to the front if open."""
        guide = self.findChild(GuideDialog, "guide")
        if guide is None:
            guide = GuideDialog(self)
        guide.show()
        guide.raise_()
        return guide

    def about(self) -> None:
        show_about(self)
