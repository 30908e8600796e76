"""TikZ: the picture as LaTeX source (:mod:`graphstudio.render.tikz`), a whole document that
compiles with pdflatex, or with ``standalone`` off just the ``tikzpicture`` to paste into slides.
LaTeX sets the text, so the layout is TikZ's own and Qt is never started."""

from __future__ import annotations

from pathlib import Path

from ...core.options import Option
from ..picture import build_picture
from ..tikz import tikz_layout, to_tikz
from . import ExportFormat, register

STANDALONE = Option("standalone", bool, True, negate=True, flag="--bare", steps=False,
                    label="Whole LaTeX document (else just the tikzpicture)",
                    help="TikZ: only the tikzpicture (to paste into slides), not a document")


def write(pictures, path: Path, *, scale, theme, bounds, standalone) -> None:
    Path(path).write_text(to_tikz(pictures[0], theme=theme, standalone=standalone, scale=scale),
                          encoding="utf-8")


def size(_bounds, _scale: float, _options: dict) -> str:
    return "TikZ: positions scaled, text set by LaTeX"


def layout(graph, ev, *, show_grad: bool, edge_labels: bool) -> dict[int, tuple[float, float]]:
    """Positions from the boxes LaTeX will draw, estimated from their text."""
    sketch = build_picture(graph, ev, {}, show_grad=show_grad, edge_labels=edge_labels)
    return tikz_layout(graph, sketch)


register(ExportFormat("tikz", "TikZ", (".tex", ".tikz"), write, options=(STANDALONE,),
                      description="for LaTeX", drawn=False, layout=layout,
                      size=size, order=3))
