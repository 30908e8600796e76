"""The undoable edits of training and the network builder, on the editor's undo stack.

* :class:`SetValuesCommand`: set several inputs at once (Keep the trained parameters): one
  undo step, one evaluation.
* :class:`AddNetworkCommand`: add a built network to the current graph: its nodes (renamed
  where a name is taken, placed right of what is there), its dataset and its loss as the output.

Both follow the editor's :class:`~graphstudio.ui.commands.Command` protocol (``apply`` and
``revert`` run inside one document batch; push them with ``document.push``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...core.graph import Graph
from ...core.merge import merge_into
from ..commands import Command, diff_command

__all__ = ["SetValuesCommand", "AddNetworkCommand"]


def _copy(v: Any) -> Any:
    return v.copy() if isinstance(v, np.ndarray) else v


class SetValuesCommand(Command):
    """Set the values of several inputs in one step (nodes no longer in the graph are skipped)."""

    def __init__(self, doc, values: dict[int, Any], text: str = "Set values") -> None:
        super().__init__(doc, text)
        g = doc.graph
        self.new = {n: _copy(v) for n, v in values.items() if n in g and g.is_leaf(n)}
        self.old = {n: _copy(g.value(n)) for n in self.new}

    def apply(self) -> None:
        for n, v in self.new.items():
            self.graph.set_value(n, _copy(v))

    def revert(self) -> None:
        for n, v in self.old.items():
            self.graph.set_value(n, _copy(v))


class AddNetworkCommand(Command):
    """Add the network ``network`` to the document's graph (see
    :func:`~graphstudio.core.merge.merge_into`), make its
    loss the output and its CSV the graph's dataset."""

    def __init__(self, doc, network: Graph, offset: tuple[float, float] = (0.0, 0.0)) -> None:
        super().__init__(doc, "New network")
        new = doc.graph.copy()
        ids = merge_into(new, network, offset)
        # the network brings its own output, its loss (set below)
        self.add = diff_command(doc, new, "New network", keep_output=False)
        self.nodes = self.add.nodes
        loss = network.output if network.output is not None else network.default_output()
        self.output = ids[loss] if loss is not None else None
        self.old_output = doc.graph.output
        self.dataset = network.meta.get("dataset")
        self.old_dataset = doc.graph.meta.get("dataset")

    def apply(self) -> None:
        self.add.apply()
        self._set_dataset(self.dataset or self.old_dataset)
        if self.output is not None:
            self.graph.set_output(self.output)

    def revert(self) -> None:
        self.graph.set_output(self.old_output)
        self.add.revert()
        self._set_dataset(self.old_dataset)

    def _set_dataset(self, path: str | None) -> None:
        self.graph.set_meta("dataset", path or None)
