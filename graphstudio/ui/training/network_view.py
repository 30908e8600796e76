"""View > Unit Responses: a small network written neuron by neuron drawn as TensorFlow
Playground draws it, each hidden unit's box showing its response over the input plane and
each weight's link its sign (colour) and size (width); see
:mod:`graphstudio.render.network_view`. On the document's own values, and on the values a run
shows while it trains.

It applies only to a graph drawn neuron by neuron whose dataset gives an input plane, with at
most :data:`~graphstudio.render.network_view.MAX_UNITS` units; for any other graph it does
nothing and costs nothing (the action is still there, checked by default). The plane of the
document's graph is worked out once per change of its structure or dataset, or of which inputs
are parameters or read data.
"""

from __future__ import annotations

from typing import Any, Mapping

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from ...core.dataset import DatasetError, load_for_graph
from ...core.plane import NoPlane, Plane
from ...render.network_view import NetworkShape, network_shape, unit_responses
from ...render.picture import Picture, node_style

__all__ = ["UnitResponses"]


class UnitResponses(QObject):
    def __init__(self, window, base_dir) -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.document
        self._base_dir = base_dir
        self._key = None
        self._plane: Plane | None = None
        self._shape: NetworkShape | None = None  # its units, weights and their ranges
        self.action = QAction("&Unit Responses", window)
        self.action.setObjectName("act_unit_responses")
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setStatusTip("In a small network drawn neuron by neuron: each hidden "
                                 "unit's response over the input plane, and each weight's sign "
                                 "and size on its link")
        self.action.toggled.connect(self.follow_document)
        window.menu("View").addAction(self.action)
        self.doc.changed.connect(self.follow_document)
        self.doc.replaced.connect(self.follow_document)
        self.follow_document()

    def follow_document(self, *_args) -> None:
        """Decorate the canvas's live picture when the graph is a small network with a plane."""
        scene = self.window.scene
        wanted = self.action.isChecked() and self.plane() is not None
        if wanted != (scene.decorate is not None):
            scene.set_decorate(self.decorate if wanted else None)

    def plane(self) -> Plane | None:
        """The plane of the document's graph when it is a small neuron network, else None."""
        g = self.doc.graph
        # which inputs are parameters or bound to data is not structure, but the plane and
        # the weights drawn depend on it
        leaves = tuple((n, g.node(n).trainable, g.node(n).data) for n in g.inputs())
        key = (id(g), g.structure_version, g.meta.get("dataset"), str(self._base_dir()), leaves)
        if key != self._key:
            self._key, self._plane, self._shape = key, None, None
            if g.meta.get("dataset") and node_style(g) == "neuron":
                try:
                    ds = load_for_graph(g, self._base_dir())
                    plane = Plane(g, ds) if ds is not None else None
                except (DatasetError, NoPlane):
                    plane = None
                if plane is not None:
                    self._shape = network_shape(g, plane)
                    self._plane = plane if self._shape.units else None
        return self._plane

    def decorate(self, picture: Picture, params: Mapping[int, Any] | None = None) -> Picture:
        """``picture`` with the unit responses at ``params`` (default: the graph's values)."""
        plane = self.plane() if self.action.isChecked() else None
        if plane is None:
            return picture
        g = self.doc.graph
        if params is None:
            params = {n: g.value(n) for n in g.inputs() if g.node(n).trainable}
        try:
            return unit_responses(picture, g, plane, params, self._shape)
        except NoPlane:
            return picture
