"""Pictures for the notebook and files: the export code, so a notebook shows what the canvas
and ``graphstudio export`` show.

* A graph or a result displays as the annotated picture: ``_repr_svg_`` gives the SVG export
  (vector, its numbers are ``<text>``), and ``_repr_png_`` the PNG export, but only when asked
  for with :func:`set_display` (``gs.set_display("png")``): Jupyter calls every ``_repr_*_``
  method and keeps every answer in the notebook, so offering both by default would draw each
  picture twice and store it twice. PNG is the choice where fonts must be exactly the
  editor's (an SVG uses the browser's fonts) or where SVG is not shown.
* :class:`Steps` is the forward pass then the backward pass, a frame a step. In a notebook it
  displays as the step-through player (``_repr_html_``) that ``graphstudio export -o
  OUT.html`` writes, :func:`graphstudio.render.html_player`: the annotated picture, then first
  / back / play / next / last, a slider and the arrow keys through both passes beside the
  ``grad_table`` filling in; inline SVG and plain JavaScript, no network, no server, no widget
  library. Where scripts do not run (an untrusted notebook, a static viewer) it shows the
  annotated picture and the whole ``grad_table``.

Qt is imported only when a picture is drawn (offscreen when there is no display).
"""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..core.engine import Evaluation
from ..core.graph import Graph

__all__ = ["set_display", "export", "svg_text", "png_bytes", "Steps", "Frame", "MAX_DRAWN_NODES"]

#: the formats a graph or a result offers Jupyter (see the module docstring)
_display: set[str] = {"svg"}
#: a graph with more nodes is not drawn in a notebook by itself (it would take minutes and
#: megabytes); ``graph.export("big.png")`` still draws it
MAX_DRAWN_NODES = 1000

#: the settings every export format shares (ExportSettings' fields); the others are options
_SETTINGS = ("format", "steps", "show_grad", "edge_labels", "theme", "scale")


def set_display(*formats: str) -> None:
    """Which pictures a graph or a result offers Jupyter: ``"svg"`` (the default), ``"png"``,
    or both, as matplotlib's ``set_matplotlib_formats`` does."""
    wanted = {f.lower() for f in formats}
    unknown = wanted - {"svg", "png"}
    if unknown or not wanted:
        raise ValueError(f"display formats are 'svg' and 'png', not {', '.join(sorted(unknown)) or 'none'}")
    _display.clear()
    _display.update(wanted)


def export(graph: Graph, ev: Evaluation, path: Path, **settings: Any) -> list[Path]:
    """:func:`graphstudio.render.export.export_graph` with the settings by keyword (see
    :meth:`graphstudio.Graph.export`): those every format shares go into its
    :class:`~graphstudio.render.export.ExportSettings`, the others are the format's options,
    which the export registry checks (an option no format has is an ``ExportError``)."""
    from ..render.export import ExportSettings, export_graph

    shared = {k: v for k, v in settings.items() if k in _SETTINGS}
    options = {k: v for k, v in settings.items() if k not in _SETTINGS}
    return export_graph(graph, ev, path, ExportSettings(**shared, options=options))


def _clean_svg(text: str) -> str:
    """The ``<svg>`` element alone (no XML declaration), without the empty groups Qt's SVG
    generator writes for every state change (a third of the file, and nothing to draw)."""
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    return _EMPTY_GROUP.sub("", text)


_EMPTY_GROUP = re.compile(r"<g [^>]*>\s*</g>\s*")


def svg_text(graph: Graph, ev: Evaluation | None, **settings: Any) -> str:
    """The SVG export of ``graph`` annotated with ``ev``, as text."""
    with tempfile.TemporaryDirectory(prefix="graphstudio-") as folder:
        path = Path(folder) / "graph.svg"
        export(graph, ev, path, format="svg", **settings)
        return _clean_svg(path.read_text(encoding="utf-8"))


def png_bytes(graph: Graph, ev: Evaluation | None, **settings: Any) -> bytes:
    """The PNG export of ``graph`` annotated with ``ev``, as bytes."""
    with tempfile.TemporaryDirectory(prefix="graphstudio-") as folder:
        path = Path(folder) / "graph.png"
        export(graph, ev, path, format="png", **settings)
        return path.read_bytes()


def _drawable(graph: Graph) -> bool:
    return 0 < len(graph) <= MAX_DRAWN_NODES


def svg_for_display(graph: Graph, ev: Evaluation) -> str | None:
    """What ``_repr_svg_`` answers: the SVG, or None (not wanted, or nothing to draw)."""
    if "svg" not in _display or not _drawable(graph):
        return None
    return svg_text(graph, ev)


def png_for_display(graph: Graph, ev: Evaluation):
    """What ``_repr_png_`` answers: the PNG with its size in CSS pixels (the export is drawn
    at twice that, so it is sharp on a high-density screen), or None."""
    if "png" not in _display or not _drawable(graph):
        return None
    data = png_bytes(graph, ev)
    width, height = _png_size(data)
    return data, {"width": width // 2, "height": height // 2}


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header chunk."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# ---- the step-through ---------------------------------------------------------------------------


class Frame:
    """One step: its ``caption`` (``"Backward pass, step 3 of 7: ∂a/∂e = 25"``), its
    ``phase`` (``"forward"`` or ``"backward"``) and its picture (``svg``, drawn with every
    other frame's crop)."""

    def __init__(self, caption: str, phase: str, svg: str) -> None:
        self.caption, self.phase, self.svg = caption, phase, svg

    def __repr__(self) -> str:
        return f"<Frame: {self.caption}>"

    def _repr_svg_(self) -> str:
        return self.svg


class Steps(Sequence[Frame]):
    """The forward pass node by node, then the backward pass node by node (the lectures'
    ``grad_table`` filling in), as frames. Drawn on first use."""

    def __init__(self, graph: Graph, ev: Evaluation) -> None:
        self._graph, self._ev = graph, ev
        self._frames: list[Frame] | None = None

    @property
    def frames(self) -> list[Frame]:
        if self._frames is None:
            self._frames = _draw_steps(self._graph, self._ev)
        return self._frames

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, i):  # type: ignore[override]
        return self.frames[i]

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)

    def __repr__(self) -> str:
        return f"<Steps: {len(self)} frames>"

    def _repr_html_(self) -> str | None:
        from ..render import html_player
        from ..render.export import ExportError

        if not _drawable(self._graph):
            return None
        try:
            return html_player(self._graph, self._ev)
        except ExportError as exc:  # too many steps for one page
            return f"<p>{html.escape(str(exc))}</p>"


def _draw_steps(graph: Graph, ev: Evaluation) -> list[Frame]:
    from ..render.export import export_steps, graph_steps

    if len(graph) == 0:
        return []
    pictures = graph_steps(graph, ev)
    with tempfile.TemporaryDirectory(prefix="graphstudio-") as folder:
        files = export_steps(pictures, Path(folder) / "steps", "svg")
        svgs = [_clean_svg(f.read_text(encoding="utf-8")) for f in files]
    return [Frame(p.caption, p.meta.get("phase", ""), s) for p, s in zip(pictures, svgs)]
