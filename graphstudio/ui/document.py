"""The open document: the core :class:`~graphstudio.core.graph.Graph` (the truth), its undo
stack, its file, its view settings, and its latest evaluation, as a QObject with signals.

How an edit flows: a widget pushes an undo command (:mod:`graphstudio.ui.commands`); the command
changes the graph inside :meth:`GraphDocument.batch`; the graph announces each change and the
document re-emits it as :attr:`graph_event`; when the batch ends the forward and backward passes
run once and :attr:`evaluated` carries the new :class:`~graphstudio.core.engine.Evaluation`;
then :attr:`changed` fires. Widgets never hold values of their own: they redraw from these
signals.

Scrubbing an input (dragging over its number) uses the engine's incremental
:class:`~graphstudio.core.engine.Evaluator`, which recomputes only the input's descendants, and
records one undo step when the drag ends.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core.engine import Evaluation, Evaluator
from ..core.events import GraphEvent
from ..core.graph import Graph, GraphError

__all__ = ["GraphDocument", "DEFAULT_VIEW"]

#: view settings kept in the JSON document's "view" object
DEFAULT_VIEW: dict[str, Any] = {"grid": True, "show_grad": True, "edge_labels": False,
                                "theme": "light"}


class GraphDocument(QObject):
    """Signals: ``changed()`` after every edit, ``evaluated(Evaluation)`` after every pass,
    ``graph_event(GraphEvent)`` for each model announcement, ``replaced()`` when a new graph is
    loaded, ``path_changed()``, ``modified_changed(bool)``, ``view_changed(str)``."""

    changed = Signal()
    evaluated = Signal(object)
    graph_event = Signal(object)
    replaced = Signal()
    path_changed = Signal()
    modified_changed = Signal(bool)
    view_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        # a bound method, not a lambda: Qt drops the connection when the document is destroyed,
        # before the undo stack (its child) announces its last change while being deleted
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.graph = Graph()
        self.path: Path | None = None
        self.view: dict[str, Any] = dict(DEFAULT_VIEW)
        self.evaluation: Evaluation | None = None
        self._evaluator = Evaluator(self.graph)
        self.graph.subscribe(self._on_event)
        self._depth = 0
        self._dirty = False
        self._quiet = False
        self.evaluate()

    def __del__(self) -> None:
        # Python's garbage collector finalizes a whole cycle before it clears any of it: empty
        # the undo stack here, while the stack and its commands are whole. Otherwise the
        # collector may first clear the stack's Python wrapper, which hands its commands back to
        # Python and frees them, and Qt later deletes them a second time (a segmentation fault
        # at a random later moment, seen under the test suite).
        if shiboken6.isValid(self):
            self.undo_stack.clear()

    # ---- the graph --------------------------------------------------------------------------

    def replace(self, graph: Graph, path: str | Path | None = None,
                view: dict[str, Any] | None = None) -> None:
        """Show another graph (New, Open): a fresh undo stack, clean state."""
        self.graph.unsubscribe(self._on_event)
        self._evaluator.close()
        self.graph = graph
        self._evaluator = Evaluator(graph)
        graph.subscribe(self._on_event)
        self.view = {**DEFAULT_VIEW, **(view or {})}
        self.path = Path(path) if path is not None else None
        self.undo_stack.clear()
        self.undo_stack.setClean()
        # the new graph's results before anyone shows it: the views are built once, with them
        self.evaluation = self._evaluator.evaluate()
        self.replaced.emit()
        self.path_changed.emit()
        self.modified_changed.emit(False)
        self.evaluated.emit(self.evaluation)
        self.changed.emit()

    def folder(self) -> Path | None:
        """The folder of the document's file (its dataset path is relative to it), or None."""
        return self.path.parent if self.path is not None else None

    def set_path(self, path: str | Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self.path_changed.emit()

    def _clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def set_view(self, key: str, value: Any) -> None:
        """Change a view setting (grid, show_grad, edge_labels, theme)."""
        if self.view.get(key) == value:
            return
        self.view[key] = value
        self.view_changed.emit(key)

    # ---- edits --------------------------------------------------------------------------------

    def push(self, command: QUndoCommand) -> bool:
        """Run ``command`` and put it on the undo stack, all or nothing: an edit the graph
        refuses raises :class:`GraphError`, and so does any other failure on the way (a bug in
        a command, in the engine or in a listener), after the graph is put back as it was.
        Either way the graph, the undo stack and the modified flag stay as they were."""
        before = self.graph.snapshot()
        try:
            command.redo()
        except Exception as exc:
            with self.batch():
                self.graph.revert_to(before)
            if isinstance(exc, GraphError):
                raise
            raise GraphError(f"{command.text()} failed and was undone: "
                             f"{type(exc).__name__}: {exc}") from exc
        command.done = True
        self.undo_stack.push(command)  # push calls redo(), which skips its first run
        return True

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group model changes: one evaluation and one ``changed`` when the outermost ends."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                dirty, self._dirty = self._dirty, False
                if dirty:
                    self.evaluate()
                self.changed.emit()

    def _on_event(self, event: GraphEvent) -> None:
        self.graph_event.emit(event)
        if self._quiet or not event.affects_values:
            return
        if self._depth:
            self._dirty = True
        else:
            self.evaluate()
            self.changed.emit()

    def evaluate(self) -> Evaluation:
        """Run the forward and backward passes over the whole graph."""
        self.evaluation = self._evaluator.evaluate()
        self.evaluated.emit(self.evaluation)
        return self.evaluation

    def scrub(self, node: int, value: float) -> Evaluation:
        """Set an input while dragging over it: only its descendants are recomputed; no undo
        step (the drag records one when it ends)."""
        if not self.graph.is_leaf(node):
            raise GraphError(f"{self.graph.label(node)} is computed; it has no value to set")
        self._quiet = True
        try:
            self.evaluation = self._evaluator.set_input(node, value)
        finally:
            self._quiet = False
        self.evaluated.emit(self.evaluation)
        return self.evaluation

    # ---- reading -------------------------------------------------------------------------------

    def display_name(self) -> str:
        return self.path.name if self.path is not None else "Untitled"

    def error_text(self, node: int) -> str | None:
        """Why ``node`` has no number (or a warning), from the latest evaluation."""
        if self.evaluation is None:
            return None
        err = self.evaluation.errors.get(node)
        return err.message if err is not None else None
