"""The Training panel's picture of what the network has learned: its output over the plane of
its two input columns, behind the data points (:mod:`graphstudio.core.plane`, painted by
:mod:`graphstudio.render.plane`), following a run as it trains.

Redrawing costs one batched pass of the network over the grid (48 × 48 points, a few
milliseconds for a lecture's network) and a paint. While a run goes, :meth:`PlaneView.follow`
is called with every frame of the training thread (25 a second); the view keeps only the
latest parameters and draws at most every :data:`INTERVAL` seconds (every other frame), and
after each picture waits at least as long as it took (:data:`PAUSE`), so a big network makes
the picture slower, never the window. When the graph has no plane, the view says why in one line
instead of a picture.

The plane of a graph (its dataset read, its inputs found, a batched plan made) is worked out
only while the view is visible, once per graph given to :meth:`PlaneView.set_graph`: the
panel gives it the document's graph after every edit, and a hidden panel costs nothing.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from pathlib import Path

from ...core.dataset import Dataset, DatasetError, load_for_graph
from ...core.graph import Graph
from ...core.plane import NoPlane, Plane
from ...render.plane import (PlaneScene, overlay_key, paint_plane, plane_image, plane_scene,
                              plane_title)
from ...render.style import THEMES, Theme

__all__ = ["PlaneView", "PlaneCanvas", "INTERVAL", "PAUSE"]

INTERVAL = 1 / 15  # seconds: at most 15 pictures a second
PAUSE = 1.0  # after a picture, wait at least this many times as long as it took


class PlaneCanvas(QWidget):
    """Paints a :class:`PlaneScene`, as wide as the panel and about as high as wide.

    The picture is painted once per scene, theme and size into a pixmap in device pixels, and
    copied from it when the widget is painted again for another reason (a training frame
    repaints the panel around it at every frame, the picture changes at every other one).
    What lies over the heat map (the points, the axes, the colour bar) stays while a run
    trains: it is kept as a picture of its own and copied onto each new heat map."""

    def __init__(self, theme: Callable[[], Theme], parent=None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.scene: PlaneScene | None = None
        self.setMinimumSize(200, 150)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Expanding)
        self.paints = 0  # frames painted (what a benchmark counts)
        #: (scene, theme, width, height, pixel ratio) and its picture; a scene is told from
        #: another by identity (it holds arrays), as is a theme
        self._kept: tuple[tuple, QPixmap] | None = None
        #: what lies over the heat map (the points, axes, colour bar), which stays while a run
        #: trains: (its overlay_key with the theme, size and pixel ratio, its picture, the
        #: scene it was drawn from)
        self._over: tuple[tuple, QPixmap, PlaneScene] | None = None

    def sizeHint(self) -> QSize:
        return QSize(300, 170)

    def paintEvent(self, _event) -> None:
        if self.scene is None:
            return
        theme, ratio = self.theme(), self.devicePixelRatioF()
        key = (self.scene, theme, self.width(), self.height(), ratio)
        kept = self._kept[0] if self._kept is not None else None
        if kept is None or kept[0] is not key[0] or kept[1] is not key[1] or kept[2:] != key[2:]:
            pixmap = self._picture(theme, ratio, QColor(theme.background), "under")
            over = (overlay_key(self.scene), key[1:])
            if self._over is None or self._over[0] != over:
                # the scene is kept with it: the arrays its key names by identity stay alive
                self._over = (over, self._picture(theme, ratio, Qt.transparent, "over"),
                              self.scene)
            painter = QPainter(pixmap)
            try:
                painter.drawPixmap(0, 0, self._over[1])
            finally:
                painter.end()
            self._kept = (key, pixmap)
        painter = QPainter(self)
        try:
            painter.drawPixmap(0, 0, self._kept[1])
        finally:
            painter.end()
        self.paints += 1

    def _picture(self, theme: Theme, ratio: float, fill, part: str) -> QPixmap:
        """The scene's ``part`` (:func:`~graphstudio.render.plane.paint_plane`) in a new
        pixmap of the widget's size in device pixels, filled with ``fill`` first."""
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(fill)
        painter = QPainter(pixmap)
        try:
            paint_plane(painter, QRectF(self.rect()), self.scene, theme, part=part)
        finally:
            painter.end()
        return pixmap


class PlaneView(QWidget):
    """The output over the input plane (see the module docstring)."""

    message = Signal(str)
    dataset_changed = Signal(int)  # the rows of the dataset read (0: none)

    def __init__(self, theme: Callable[[], Theme] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("plane-view")
        self.theme = theme or (lambda: THEMES["light"])
        self.plane: Plane | None = None
        self.title = QLabel("Output over the input plane")
        self.title.setObjectName("plane-title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.save_button = QPushButton("Save PNG…")
        self.save_button.setToolTip("Save this picture as a PNG image")
        self.save_button.clicked.connect(self.save_dialog)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.save_button)
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.why.setObjectName("hint")
        self.canvas = PlaneCanvas(lambda: self.theme())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.why)
        layout.addWidget(self.canvas)
        self._params: dict[int, Any] | None = None
        self._pending: dict[int, Any] | None = None
        self._drawn_at = 0.0
        self._cost = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._redraw)
        self._source: tuple | None = None  # (graph, base_dir) not yet worked out
        self.set_context(None, None)

    # ---- what is shown -------------------------------------------------------------------------

    def set_graph(self, graph: Graph | None, base_dir: str | Path | None = None) -> None:
        """Show ``graph``'s output over its dataset's plane, at its own parameters; worked
        out now if the view is visible, else when it is shown."""
        self._source = (graph, base_dir)
        if self.isVisible():
            self._work_out()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._source is not None:
            self._work_out()

    def _work_out(self) -> None:
        graph, base_dir = self._source
        self._source = None
        dataset = None
        if graph is not None:
            try:
                dataset = load_for_graph(graph, base_dir)
            except DatasetError as exc:
                self.dataset_changed.emit(0)
                self.set_context(None, None, why=f"No output over the input plane: {exc}.")
                return
        self.dataset_changed.emit(len(dataset) if dataset is not None else 0)
        self.set_context(graph, dataset)

    def set_context(self, graph: Graph | None, dataset: Dataset | None,
                    loss: int | None = None, why: str = "") -> None:
        """Show ``graph``'s output over the plane of ``dataset`` at the graph's parameters
        (or say why there is no plane)."""
        self._timer.stop()
        self._pending = self._params = None
        self.plane = None
        if why:
            pass
        elif graph is None or dataset is None:
            why = "The output over the input plane appears here for a network on a dataset " \
                  "with two input columns."
        else:
            try:
                self.plane = Plane(graph, dataset, loss)
            except NoPlane as exc:
                why = f"No output over the input plane: {exc}."
        self.why.setText(why)
        self.why.setVisible(bool(why))
        self.canvas.setVisible(self.plane is not None)
        self.save_button.setEnabled(self.plane is not None)
        self._redraw()

    def follow(self, params: dict[int, Any], now: bool = False) -> None:
        """Show the output at ``params``: at once when a picture is due (or ``now``), else
        the next time one is (see the module docstring). A run calls this with every frame
        (:mod:`.worker`), so the picture is drawn within a frame, at every other one."""
        if self.plane is None:
            return
        self._pending = params
        wait = max(INTERVAL, PAUSE * self._cost) - (time.monotonic() - self._drawn_at)
        if now or wait <= 0:
            self._timer.stop()
            self._redraw()
        elif not self._timer.isActive():
            # a fallback when no further call comes: the next frame normally draws first
            self._timer.start(int((wait + INTERVAL) * 1000))

    def flush(self) -> None:
        """Draw the latest parameters now (the end of a run)."""
        if self._pending is not None:
            self._timer.stop()
            self._redraw()

    def _redraw(self) -> None:
        if self._pending is not None:
            self._params, self._pending = self._pending, None
        if self.plane is None:
            self.canvas.scene = None
            self.canvas.update()
            return
        started = time.monotonic()
        try:
            self.canvas.scene = plane_scene(self.plane, self._params, plane_title(self.plane))
        except NoPlane as exc:  # a batch rule failed on these points: say so, draw nothing
            self.plane = None
            self.why.setText(f"No output over the input plane: {exc}.")
            self.why.show()
            self.canvas.hide()
            return
        self.canvas.update()  # painted with the rest of a training frame (worker.paint_now)
        self._drawn_at = time.monotonic()
        self._cost = self._drawn_at - started

    def values(self):
        """The grid now shown (None: no picture)."""
        return self.canvas.scene.grid if self.canvas.scene is not None else None

    # ---- saving ------------------------------------------------------------------------------

    def save(self, path: str) -> bool:
        """Save the picture as a PNG; False (and a message) when it cannot be written."""
        if self.canvas.scene is None:
            return False
        image = plane_image(self.canvas.scene, self.theme())
        if not image.save(path, "PNG"):
            self.message.emit(f"Cannot write {path}")
            return False
        self.message.emit(f"Saved the output over the input plane to {path}")
        return True

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the Picture", "plane.png",
                                              "PNG image (*.png)")
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            self.save(path)
