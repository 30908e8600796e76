"""Networks and training in the editor: Graph > New Network… and Graph > Train….

:func:`install` is the editor extension (listed in :mod:`graphstudio.ui.extensions`). It wires
two self-contained widgets to the main window:

* :class:`~.network_dialog.NewNetworkDialog` builds a network; the result is added to the
  current graph, or to a new one, as one undoable step (:class:`~.commands.AddNetworkCommand`).
* :class:`~.train_panel.TrainPanel`, in a dock, trains the document's graph in a background
  thread. While it runs, the canvas shows the current parameters and what they give (values and
  gradients of the first example) as a *picture* (``canvas.show_picture``): the document itself
  is untouched until Keep, which sets the trained parameters as one undoable step
  (:class:`~.commands.SetValuesCommand`); Revert just stops showing them.

The widgets know nothing of the window; everything between them and the document is here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox

from ...core.engine import evaluate
from ...core.graph import Graph, GraphError
from .network_dialog import NewNetworkDialog
from .network_view import UnitResponses
from .train_panel import FINISHED, TrainPanel

__all__ = ["install", "Training", "TrainPanel", "NewNetworkDialog"]

GAP = 220.0  # between an existing graph and a network added beside it


def _base_dir(doc) -> Path | None:
    return doc.path.parent if doc.path is not None else None


class Training(QObject):
    """What :func:`install` adds to a window (kept as ``window.training``)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.document
        self.dialog = NewNetworkDialog(window)
        self.panel = TrainPanel(theme=lambda: window.scene.theme)
        self.dock = window.add_panel("Training", self.panel, Qt.RightDockWidgetArea)
        self.dock.hide()
        self.act_network = QAction("New &Network…", window)
        self.act_network.setStatusTip("Build a fully connected network on a dataset")
        self.act_network.triggered.connect(self.open_dialog)
        self.act_train = QAction("&Train…", window)
        self.act_train.setShortcut("Ctrl+T")
        self.act_train.setObjectName("act_train")  # its toolbar button and icon (ui.icons)
        self.act_train.setStatusTip("Train the parameters by gradient descent")
        self.act_train.triggered.connect(self.show_panel)
        menu = window.menu("Graph")
        menu.addSeparator()
        menu.addActions([self.act_network, self.act_train])

        self._overlap_checked = False  # once per run: do the wider boxes overlap?

        self.dialog.network_built.connect(self.add_network)
        self.panel.preview.connect(self.show_preview)
        self.panel.apply_requested.connect(self.keep)
        self.panel.reverted.connect(self.end_preview)
        self.panel.running_changed.connect(self._run_started)
        self.panel.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
        self.panel.locate_requested.connect(window.locate_dataset)
        self.panel.row_requested.connect(self.show_row)
        self.doc.view_changed.connect(lambda key: self.panel.plane.canvas.update()
                                      if key == "theme" else None)
        #: the document's graph copied for the canvas's previews of a run (its compiled program
        #: kept between frames); made again after any change of the document's graph
        self._preview_graph: Graph | None = None
        self.doc.graph_event.connect(self._forget_preview_graph)
        self.doc.replaced.connect(self._forget_preview_graph)
        self.doc.changed.connect(self.follow_document)
        self.doc.replaced.connect(self.follow_document)
        self.units = UnitResponses(window, lambda: _base_dir(self.doc))
        self.doc.path_changed.connect(self.follow_document)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.panel.shutdown)
        window.destroyed.connect(self.panel.stop_thread)
        window.leave_checks.append(self.may_leave)
        self._share_learning_rate(getattr(window, "teaching", None))
        self.follow_document()

    def _share_learning_rate(self, teaching) -> None:
        """One τ: the Steps panel's update uses the Training panel's learning rate (and a
        rate typed in either is the other's), so stepping one update shows what a training
        step with these settings does."""
        if teaching is None:
            return
        step_lr, train_lr = teaching.player.update_lr, self.panel.lr
        step_lr.setValue(train_lr.value())
        # setValue of the value a box already holds emits nothing, so the two do not loop
        train_lr.valueChanged.connect(step_lr.setValue)
        step_lr.valueChanged.connect(train_lr.setValue)

    def may_leave(self) -> bool:
        """Before the document goes (New, Open, Quit): trained parameters not yet kept are the
        user's work, so ask. Keep puts them in the graph
        (one undoable step; "Save the changes?" follows), Discard drops them, Cancel stays."""
        panel = self.panel
        if panel.state != FINISHED or panel.result is None:
            return True
        self.show_panel()
        answer = QMessageBox.question(
            self.window, "Trained parameters not kept",
            "The training panel holds trained parameters that are not in the graph yet.\n"
            "Keep them in the graph first?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            panel.keep()
        elif answer == QMessageBox.StandardButton.Discard:
            panel.revert()
        return answer != QMessageBox.StandardButton.Cancel

    # ---- the document -------------------------------------------------------------------------------

    def _forget_preview_graph(self, *_args) -> None:
        self._preview_graph = None

    def follow_document(self) -> None:
        self.panel.set_graph(self.doc.graph, _base_dir(self.doc))

    # ---- new network -------------------------------------------------------------------------------

    def open_dialog(self) -> None:
        self.dialog.set_graph(self.doc.graph, _base_dir(self.doc))
        self.dialog.open()

    def add_network(self, network: Graph, new_document: bool) -> bool:
        """Add ``network`` to the current graph, or to a new one, as one undoable step."""
        from .commands import AddNetworkCommand

        w = self.window
        if new_document and not w.new_document():
            return False
        self._lay_out(network)
        offset = (0.0, 0.0)
        placed = [p for p in (self.doc.graph.position(n) for n in self.doc.graph.nodes()) if p]
        if placed:
            xs = [p[0] for p in placed]
            ys = [p[1] for p in placed]
            left = min((network.position(n) or (0.0, 0.0))[0] for n in network.nodes())
            offset = (max(xs) + GAP - left, min(ys))
        cmd = AddNetworkCommand(self.doc, network, offset)
        try:
            self.doc.push(cmd)
        except GraphError as exc:
            w.statusBar().showMessage(f"Cannot add the network: {exc}", 8000)
            return False
        w.scene.select(cmd.nodes)
        w.canvas.show_graph()
        w.statusBar().showMessage(f"Built a network of {len(cmd.nodes)} nodes; Graph > Train… "
                                  f"trains it", 8000)
        return True

    def _lay_out(self, network: Graph) -> None:
        """Space the layers for the boxes as the canvas draws them (wide matrices get wide
        columns), when the editor's layout is there; else keep the builder's positions."""
        try:
            from ...render.draw import arrange
        except ImportError:
            return
        positions = arrange(network, evaluate(network), self.window.scene.theme)
        for n, p in positions.items():
            network.set_position(n, p)

    # ---- training -------------------------------------------------------------------------------------

    def show_panel(self) -> None:
        self.follow_document()
        self.dock.show()
        self.dock.raise_()

    def show_preview(self, values: dict[int, Any]) -> None:
        """Show the graph with ``values`` on the canvas, without changing the document,
        drawn now: the training thread sets the pace (a frame at a time, see
        :mod:`.worker`) and waits while the frame is drawn."""
        from ...render.picture import build_picture

        if self._preview_graph is None:  # one copy while the document stays as it is
            self._preview_graph = self.doc.graph.copy()
        g = self._preview_graph
        for n, v in values.items():
            if n in g and g.is_leaf(n):
                g.set_value(n, v)
        scene = self.window.scene
        positions = {n: (i.pos().x(), i.pos().y()) for n, i in scene.nodes.items()}
        view = self.doc.view
        ev = evaluate(g)
        picture = build_picture(g, ev, positions, show_grad=view.get("show_grad", True),
                                edge_labels=view.get("edge_labels", False))
        picture = self.units.decorate(picture, {n: v for n, v in values.items()
                                                if g.node(n).trainable})
        # while the run goes, boxes only grow (steady, no rerouting); its last picture fits
        scene.show_picture(picture, grow_only=self.panel.is_running())
        self.window.canvas.keep_in_view()
        self.window.show_evaluation(ev, "trained, not kept yet")
        if not self._overlap_checked:
            self._overlap_checked = True
            if _overlapping(scene.nodes.values()):
                self.window.statusBar().showMessage(
                    "Some boxes overlap while they show the trained numbers; after Keep, "
                    "Graph > Arrange (Ctrl+L) makes room", 10000)

    def _run_started(self, running: bool) -> None:
        if running:
            self._overlap_checked = False

    def end_preview(self) -> None:
        if self.window.canvas.step_mode:
            self.window.canvas.show_picture(None)
        self.window.show_evaluation(self.doc.evaluation)

    def show_row(self, row: int) -> None:
        """Give the data inputs the values of dataset row ``row`` (one undoable step), so the
        canvas and every view show that example's forward and backward values."""
        from ...core.dataset import DatasetError, bind, load_for_graph
        from .commands import SetValuesCommand

        g = self.doc.graph
        try:
            ds = load_for_graph(g, _base_dir(self.doc))
            columns = bind(g, ds) if ds is not None else {}
        except DatasetError as exc:
            self.window.statusBar().showMessage(str(exc), 8000)
            return
        if not columns or not 0 <= row < len(ds):
            return
        self.doc.push(SetValuesCommand(self.doc, {n: v[row] for n, v in columns.items()},
                                       f"Show dataset row {row + 1}"))
        self.window.statusBar().showMessage(f"The canvas shows row {row + 1} of "
                                            f"{Path(ds.path).name} ({ds.where(row)})", 8000)

    def keep(self, params: dict[int, Any]) -> None:
        from .commands import SetValuesCommand

        self.end_preview()
        self.doc.push(SetValuesCommand(self.doc, params, "Keep trained parameters"))


def _overlapping(items) -> bool:
    """Whether any two node boxes overlap (their boxes, not the port dots on their edges)."""
    rects = sorted((i.mapRectToScene(getattr(i, "rect", i.boundingRect())) for i in items),
                   key=lambda r: r.left())
    for k, r in enumerate(rects):
        for other in rects[k + 1:]:
            if other.left() >= r.right():
                break
            if r.intersects(other):
                return True
    return False


def install(window) -> Training:
    """Add Graph > New Network… and Graph > Train… to ``window`` (the editor's main window)."""
    window.training = Training(window)
    return window.training
