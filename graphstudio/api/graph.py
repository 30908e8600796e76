"""The public graph and its results: a thin facade over the model, addressed by names.

:class:`Graph` wraps a :class:`graphstudio.core.graph.Graph` (``graph.core``) and
:class:`Results` wraps an :class:`graphstudio.core.engine.Evaluation` (``results.evaluation``).
They add no state of their own beyond the variables a traced graph came from; what they add is
a small surface that stays the same while the model grows:

* nodes by **name** (or by a traced :class:`~graphstudio.api.tracing.Var`, or ``"u7"`` for an
  unnamed node), never by the model's integer ids;
* the lectures' words: ``evaluate`` runs the forward and the backward pass, the results give
  each node's ``value`` and ``grad``;
* files: :func:`parse`, :func:`load`, :meth:`Graph.save`, :meth:`Graph.export`, and
  :meth:`Graph.open` for the editor;
* the notebook: a graph and a result display as the annotated picture (``_repr_svg_``, and
  ``_repr_png_`` when asked for, see :func:`graphstudio.api.display.set_display`), and
  :meth:`Graph.steps` as a step-through player.

The model's own editing surface (listeners, ids, undo support) stays on ``graph.core``.
Importing this starts no Qt: pictures import it when they are first drawn.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ..core.engine import Evaluation, evaluate as _evaluate
from ..core.graph import Graph as CoreGraph, GraphError
from ..core.numbers import format_value

if TYPE_CHECKING:
    from .display import Steps
    from .editor import Editor
    from .tracing import Var

__all__ = ["Graph", "Results", "parse", "load"]


def parse(text: str, filename: str = "<text>") -> "Graph":
    """The graph a ``.gs`` text describes (see ``docs/gs-format.md``); raises
    ``ValueError`` (a :class:`~graphstudio.io.gs.ParseError`) reading ``FILE:LINE:COL: what``.

    >>> g = parse("a = -1\\nb = 3\\nc = 4\\nz = (a + b) * (b + c)")
    >>> g.evaluate().grad("b")
    9.0
    """
    from ..io.gs import parse_text

    return Graph(parse_text(text, filename))


def load(path: str | os.PathLike) -> "Graph":
    """The graph in a ``.gs``, ``.json`` or ``.graphml`` file; raises ``ValueError`` (an
    :class:`~graphstudio.io.OpenError`) whose message names the file and what is wrong.
    Inputs bound to a dataset's columns show its first row, as in the editor."""
    from ..io import open_document

    doc = open_document(path)
    return Graph(doc.graph, notes=doc.notes)


class Graph:
    """A computation graph (see the module docstring). ``Graph()`` is an empty one;
    :func:`parse`, :func:`load`, :func:`graphstudio.graph_of` and
    :func:`graphstudio.from_micrograd` make them with nodes."""

    def __init__(self, core: CoreGraph | None = None, vars: Mapping["Var", int] | None = None,
                 *, notes: list[str] | None = None) -> None:
        self._core = core if core is not None else CoreGraph()
        self._vars: dict[Var, int] = dict(vars or {})
        #: things worth knowing about how the graph was read (a dataset's first row shown...)
        self.notes: list[str] = list(notes or [])

    @property
    def core(self) -> CoreGraph:
        """The model itself (:class:`graphstudio.core.graph.Graph`), for what this facade
        does not cover; changing it changes this graph."""
        return self._core

    # ---- reading --------------------------------------------------------------------------

    def node(self, key: "str | Var") -> int:
        """The model's id of a node given by name, by ``"u<id>"`` or by a traced variable;
        ``KeyError`` saying which names there are otherwise."""
        from .tracing import Var

        if isinstance(key, Var):
            try:
                return self._vars[key]
            except KeyError:
                raise KeyError(f"{key!r} is not a variable of this graph") from None
        if not isinstance(key, str):
            raise TypeError(f"a node is given by its name or its Var, not {type(key).__name__}")
        try:
            return self._core.find(key)
        except GraphError:
            names = ", ".join(self.names) or "none"
            raise KeyError(f"no node named {key!r} (names: {names})") from None

    @property
    def names(self) -> list[str]:
        """The named nodes, in order of assignment."""
        core = self._core
        return [core.name(n) for n in core.in_order(core.names().values())]

    @property
    def inputs(self) -> list[str]:
        """The inputs' names, in order of assignment."""
        return [self._core.label(n) for n in self._core.inputs()]

    @property
    def output(self) -> str | None:
        """The output differentiated by default (its name or ``u<id>``); set it by name."""
        node = self._core.default_output()
        return None if node is None else self._core.label(node)

    @output.setter
    def output(self, key: "str | Var | None") -> None:
        self._core.set_output(None if key is None else self.node(key))

    def __len__(self) -> int:
        return len(self._core)

    def __contains__(self, key: object) -> bool:
        try:
            self.node(key)  # type: ignore[arg-type]
        except (KeyError, TypeError):
            return False
        return True

    def __repr__(self) -> str:
        from .display import MAX_DRAWN_NODES

        out = self.output
        return (f"<graphstudio.Graph: {len(self)} nodes, {len(self._core.edges())} edges"
                + (f", output {out}" if out is not None else "")
                + ("; too large to draw here, export it to a file" if len(self) > MAX_DRAWN_NODES
                   else "") + ">")

    # ---- changing -------------------------------------------------------------------------

    def set(self, key: "str | Var", value: Any) -> None:
        """Give input ``key`` a new value (a number or an array), as scrubbing it in the
        editor does; evaluate again to see what changed. (A traced :class:`Var` keeps the
        value it was made with: this changes the graph, not the variable.)"""
        node = self.node(key)
        try:
            self._core.set_value(node, value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{self._core.label(node)}: {exc}") from None

    # ---- the passes -----------------------------------------------------------------------

    def evaluate(self, output: "str | Var | None" = None) -> "Results":
        """The forward pass and the backward pass of ``output`` (default: :attr:`output`):
        every node's value and ``d output / d node``. Nothing is kept between calls, so
        evaluating twice gives the same gradients."""
        node = None if output is None else self.node(output)
        return Results(self, _evaluate(self._core, node))

    def steps(self, output: "str | Var | None" = None) -> "Steps":
        """The forward pass then the backward pass, a frame per step (in a notebook: a
        player with previous/next buttons)."""
        return self.evaluate(output).steps()

    # ---- files and the editor -------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> Path:
        """Write the graph to ``path`` in the file format its suffix names: a ``.json``
        document (everything), ``.gs`` text (what the text format holds), ``.graphml`` or
        ``.dot``. Returns the path; raises ``ValueError`` for a suffix no format writes or a
        graph the format cannot hold, and ``OSError`` when it cannot be written."""
        from .files import save

        return save(self._core, Path(path))

    def export(self, path: str | os.PathLike, *, output: "str | Var | None" = None,
               **settings: Any) -> list[Path]:
        """Write the annotated picture to ``path`` in any export format (``.png``, ``.svg``,
        ``.pdf``, ``.tex``...; ``format=`` to say it), drawn as the editor draws it. The
        settings are those of ``graphstudio export``: ``steps=True`` (a frame a step, into a
        folder or the pages of a ``.pdf``), ``show_grad``, ``edge_labels``, ``theme``
        (``"light"``, ``"dark"``, ``"print"``), ``scale``, and the format's own (``dpi``,
        ``transparent``, ``width`` for PNG, ``standalone`` for TikZ). Returns the files
        written; raises ``ValueError`` (an ``ExportError``) saying what is wrong."""
        from .display import export

        return export(self._core, self.evaluate(output).evaluation, Path(path), **settings)

    def open(self, path: str | os.PathLike | None = None) -> "Editor":
        """Open the editor on this graph, in a process of its own (see
        :mod:`graphstudio.api.editor`): the graph is saved to ``path`` (a ``.json`` or
        ``.gs`` file; default: a new temporary ``.json``) and the editor opens that file, so
        File > Save writes there. Returns an :class:`~graphstudio.api.editor.Editor`:
        ``editor.load()`` reads back what was saved."""
        from .editor import open_editor

        return open_editor(self, path)

    # ---- the notebook ---------------------------------------------------------------------

    def _repr_svg_(self) -> str | None:
        return self.evaluate()._repr_svg_()

    def _repr_png_(self):
        return self.evaluate()._repr_png_()


class Results:
    """What :meth:`Graph.evaluate` gives: every node's value and gradient (``d output /
    d node``), and what went wrong where. Nodes are given as to :meth:`Graph.node`."""

    def __init__(self, graph: Graph, evaluation: Evaluation) -> None:
        self._graph = graph
        self._ev = evaluation

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def evaluation(self) -> Evaluation:
        """The engine's result (:class:`graphstudio.core.engine.Evaluation`), by node id."""
        return self._ev

    @property
    def output(self) -> str | None:
        """The node that was differentiated."""
        out = self._ev.output
        return None if out is None else self._graph.core.label(out)

    def value(self, key: "str | Var") -> Any:
        """The node's value from the forward pass (None if it could not be computed)."""
        return self._ev.values.get(self._graph.node(key))

    def grad(self, key: "str | Var") -> Any:
        """``d output / d node`` from the backward pass, shaped like the value (None for a
        constant, which gets no gradient)."""
        return self._ev.grads.get(self._graph.node(key))

    @property
    def values(self) -> dict[str, Any]:
        """Every node's value by name (``u<id>`` for unnamed ones), in topological order."""
        return {self._graph.core.label(n): self._ev.values.get(n) for n in self._shown()}

    @property
    def grads(self) -> dict[str, Any]:
        """Every node's gradient by name, in topological order (constants left out)."""
        return {self._graph.core.label(n): self._ev.grads.get(n) for n in self._shown()}

    def _shown(self) -> list[int]:
        core = self._graph.core
        return [n for n in self._ev.program.order if core.op(n) != "const"]

    @property
    def warnings(self) -> list[str]:
        """Domain warnings (``log(-1)``, ``1/0``): ``"name: message"``, the value NaN/inf."""
        label = self._graph.core.label
        return [f"{label(e.node)}: {e.message}" for e in self._ev.warnings]

    @property
    def errors(self) -> list[str]:
        """Why nodes have no value (an unconnected argument, shapes that do not fit)."""
        label = self._graph.core.label
        return [f"{label(e.node)}: {e.message}" for e in self._ev.fatal_errors]

    def steps(self) -> "Steps":
        """This evaluation's forward then backward pass, a frame per step."""
        from .display import Steps

        return Steps(self._graph.core, self._ev)

    def table(self, digits: int = 6) -> str:
        """The named nodes (and the output) with their op, value and gradient, as the
        ``graphstudio eval`` command prints them."""
        from ..cli import table

        core = self._graph.core
        nodes = core.in_order(core.names().values())
        if self._ev.output is not None and self._ev.output not in nodes:
            nodes.append(self._ev.output)
        rows = [("name", "op", "value", f"grad d{self.output}/d·")]
        rows += [(core.label(n), core.op(n), format_value(self._ev.values.get(n), digits),
                  format_value(self._ev.grads.get(n), digits)) for n in nodes]
        return table(rows)

    def __repr__(self) -> str:
        return self.table()

    def _repr_svg_(self) -> str | None:
        from .display import svg_for_display

        return svg_for_display(self._graph.core, self._ev)

    def _repr_png_(self):
        from .display import png_for_display

        return png_for_display(self._graph.core, self._ev)
