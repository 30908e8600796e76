"""Annotated pictures written as PNG, SVG or PDF, drawn by the canvas's own painter code
(:mod:`graphstudio.render.draw`), so an exported image looks like the screen.

* **Size.** Drawings are in scene units, one unit being one pixel at 96 dpi. Every export is
  cropped to :func:`~graphstudio.render.draw.picture_bounds` (the nodes, edges, edge labels and
  caption plus a margin). A PNG is ``bounds × scale × dpi / 96`` pixels. ``dpi`` defaults to
  :data:`PNG_DPI` = 192: twice the pixels of the screen drawing, crisp on a projector or a
  high-density screen, and written into the file, so a word processor still places it at
  ``bounds × scale`` ninety-sixths of an inch, the size of the SVG and the PDF. SVG and
  PDF are vector: their size is ``bounds × scale`` (pixels at 96 dpi; a PDF page of
  ``bounds × scale × 0.75`` points) and ``dpi`` does not apply.
* **Text stays text**: QSvgGenerator writes ``<text>`` elements and QPdfWriter embeds the fonts,
  so a lecturer can search the numbers and scale the drawing without blur.
* **Background**: the theme's (white for ``light`` and ``print``); a PNG may be transparent.
* **Step frames** (:func:`export_steps`) share one frame, the union of every step's bounds, so
  the graph does not jump from slide to slide.

Qt needs an application object for fonts: :func:`ensure_app` makes one when there is none, and
on a machine with no display it selects Qt's ``offscreen`` platform by itself before Qt starts.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Sequence

from ..core.engine import Evaluation
from ..core.graph import Graph
from .picture import Picture, build_picture, step_pictures
from .positions import saved_positions
from .style import THEMES, Theme

__all__ = ["FORMATS", "ensure_app", "headless", "export_picture", "export_steps", "image_size",
           "render_image", "ExportError", "format_for", "export_bounds", "export_layout", "export_graph",
           "pictures_for", "graph_picture", "graph_steps"]

FORMATS = ("png", "svg", "pdf", "tikz")
#: the PNG resolution unless one is given (see the module docstring)
PNG_DPI = 192
#: the largest PNG side we agree to allocate (a 20000² ARGB image is 1.6 GB)
MAX_PIXELS = 20000

_app = None  # keeps the application made by ensure_app() alive


class ExportError(ValueError):
    """An export that cannot be done as asked; the message says why in one line."""


def headless() -> bool:
    """True when Qt would find no display to connect to."""
    if sys.platform.startswith(("win", "darwin")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def ensure_app():
    """The running Qt application, made if there is none (offscreen when headless).

    A QApplication rather than a QGuiApplication, so that widgets (the export dialog, the
    editor, pytest-qt) still work in a process where an export ran first."""
    global _app
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        if headless() and not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication

        app = _app = QApplication(["graphstudio"])
    return app


def _theme(theme: Theme | str) -> Theme:
    return THEMES[theme] if isinstance(theme, str) else theme


def export_layout(graph: Graph, ev: Evaluation | None, *, edge_labels: bool = False,
                  theme: Theme | str = "light") -> dict[int, tuple[float, float]]:
    """Positions for an export: the graph's own when every node has one (a saved document,
    or the editor's canvas), else the canvas's own Graph > Arrange layout (boxes sized as
    drawn, room for edge labels), so the export looks like the file opened in the editor."""
    from .draw import arrange

    saved = saved_positions(graph)
    if saved is not None:
        return saved
    ensure_app()
    return arrange(graph, ev, _theme(theme), edge_labels)


def pictures_for(graph: Graph, ev: Evaluation, format: str, *, steps: bool = False,
                 show_grad: bool = True, edge_labels: bool = False,
                 theme: Theme | str = "light") -> list[Picture]:
    """What an export of ``graph`` in ``format`` draws: one picture, or with ``steps`` one per
    step of the forward pass then the backward pass. TikZ gets the plain layout and never
    starts Qt (LaTeX sizes its own boxes); the other formats get :func:`export_layout`."""
    if format == "tikz":
        from .tikz import tikz_layout

        sketch = build_picture(graph, ev, {}, show_grad=show_grad or steps, edge_labels=edge_labels)
        pos = tikz_layout(graph, sketch)
    else:
        pos = export_layout(graph, ev, edge_labels=edge_labels, theme=theme)
    if steps:
        return step_pictures(graph, ev, pos, edge_labels=edge_labels)
    return [build_picture(graph, ev, pos, show_grad=show_grad, edge_labels=edge_labels)]


def graph_picture(graph: Graph, ev: Evaluation | None, *, show_grad: bool = True,
                  edge_labels: bool = False, theme: Theme | str = "light") -> Picture:
    """The picture a PNG/SVG/PDF export draws of ``graph``."""
    return pictures_for(graph, ev, "png", show_grad=show_grad, edge_labels=edge_labels,
                        theme=theme)[0]


def graph_steps(graph: Graph, ev: Evaluation, *, edge_labels: bool = False,
                theme: Theme | str = "light") -> list[Picture]:
    """The forward steps then the backward steps, as PNG/SVG/PDF exports draw them."""
    return pictures_for(graph, ev, "png", steps=True, edge_labels=edge_labels, theme=theme)


def export_graph(graph: Graph, ev: Evaluation, out: str | os.PathLike, format: str | None = None,
                 *, steps: bool = False, show_grad: bool = True, edge_labels: bool = False,
                 scale: float = 1.0, dpi: float | None = None, theme: Theme | str = "light",
                 transparent: bool = False, standalone: bool = True,
                 width: int | None = None) -> list[Path]:
    """Everything an export does, for the command line and the editor alike: the format (from
    the suffix unless given; step frames default to PNG in a folder, or pages of a ``.pdf``),
    the pictures, and the files. ``width`` (PNG only) picks the scale that makes the image
    that many pixels wide, e.g. 1920 for a slide. Returns the files written; raises
    :class:`ExportError`."""
    out = Path(out)
    is_pdf = out.suffix.lower() == ".pdf"
    if len(graph) == 0:
        raise ExportError("there is nothing to export: the graph has no nodes")
    if not steps and out.is_dir():
        raise ExportError(f"{out}: is a folder; give a file name such as {out / 'graph.png'}")
    if steps and not is_pdf and out.exists() and not out.is_dir():
        raise ExportError(f"{out}: is a file; step frames go into a folder (or a .pdf)")
    if format is None:
        format = "png" if steps and not is_pdf else format_for(out)
    if format not in FORMATS:
        raise ExportError(f"unknown format {format!r}; formats: {', '.join(FORMATS)}")
    if steps and is_pdf and format != "pdf":
        raise ExportError(f"{out}: a .pdf holds PDF pages, not {format}")
    if dpi is not None and format != "png":
        raise ExportError(f"dpi applies to PNG only ({format} is {'TeX' if format == 'tikz' else 'vector'})")
    if transparent and format != "png":
        raise ExportError(f"a transparent background applies to PNG only, not {format}")
    if width is not None and format != "png":
        raise ExportError(f"a width in pixels applies to PNG only, not {format}")
    if width is not None and not (isinstance(width, int) and 0 < width <= MAX_PIXELS):
        raise ExportError(f"width must be a whole number of pixels from 1 to {MAX_PIXELS}, not {width!r}")
    _check_scale(scale, dpi)
    _check_folder(out)
    pictures = pictures_for(graph, ev, format, steps=steps, show_grad=show_grad,
                            edge_labels=edge_labels, theme=theme)
    if width is not None and pictures:
        scale = width / (export_bounds(pictures, theme).width() * (dpi or PNG_DPI) / 96)
    if steps:
        return export_steps(pictures, out, format, scale=scale, dpi=dpi, theme=theme,
                            transparent=transparent)
    return [export_picture(pictures[0], out, format, scale=scale, dpi=dpi, theme=theme,
                           transparent=transparent, standalone=standalone)]


def _suffix(format: str) -> str:
    return "tex" if format == "tikz" else format


def _check_scale(scale: float, dpi: float | None) -> None:
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise ExportError(f"scale must be a positive number, not {scale!r}")
    if dpi is not None and not (math.isfinite(dpi) and dpi > 0):
        raise ExportError(f"dpi must be a positive number, not {dpi!r}")


def export_bounds(pictures: Sequence[Picture], theme: Theme | str = "light"):
    """The crop of an export: every picture's bounds (with the margin) united, as a QRectF."""
    from .draw import picture_bounds

    ensure_app()
    theme = _theme(theme)
    bounds = picture_bounds(pictures[0], theme)
    for p in pictures[1:]:
        bounds = bounds.united(picture_bounds(p, theme))
    return bounds


def image_size(bounds, scale: float = 1.0, dpi: float | None = None) -> tuple[int, int]:
    """Pixel size of a PNG of ``bounds``: ``bounds × scale × dpi / 96``, rounded up."""
    f = scale * (dpi or PNG_DPI) / 96
    w, h = math.ceil(bounds.width() * f - 1e-6), math.ceil(bounds.height() * f - 1e-6)
    if max(w, h) > MAX_PIXELS:
        raise ExportError(f"the image would be {w}×{h} pixels (at most {MAX_PIXELS} a side); "
                          "use a smaller --scale or --dpi")
    return max(w, 1), max(h, 1)


def _paint(painter, picture: Picture, theme: Theme, bounds, factor: float,
           background: bool = True) -> None:
    """Paint ``picture`` with an active ``painter``, cropped to ``bounds`` and scaled by
    ``factor``, on the theme's background unless ``background`` is false."""
    from .draw import paint_picture

    painter.save()
    if background:
        from PySide6.QtCore import QRectF
        from PySide6.QtGui import QColor

        painter.fillRect(QRectF(0, 0, bounds.width() * factor, bounds.height() * factor),
                         QColor(theme.background))
    painter.scale(factor, factor)
    painter.translate(-bounds.left(), -bounds.top())
    paint_picture(painter, picture, theme)
    painter.restore()


def _painter(device):
    from PySide6.QtGui import QPainter

    painter = QPainter()
    if not painter.begin(device):
        raise ExportError("cannot start drawing (is the output writable?)")
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setRenderHint(QPainter.TextAntialiasing, True)
    painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
    return painter


def render_image(picture: Picture, *, scale: float = 1.0, dpi: float | None = None,
                 theme: Theme | str = "light", transparent: bool = False, bounds=None):
    """The picture as a QImage (see the module docstring for its size)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage

    theme = _theme(theme)
    _check_scale(scale, dpi)
    bounds = bounds if bounds is not None else export_bounds([picture], theme)
    w, h = image_size(bounds, scale, dpi)
    image = QImage(w, h, QImage.Format_ARGB32_Premultiplied)
    image.fill(QColor(Qt.transparent) if transparent else QColor(theme.background))
    painter = _painter(image)
    try:
        _paint(painter, picture, theme, bounds, scale * (dpi or PNG_DPI) / 96, background=False)
    finally:
        painter.end()
    # recorded after painting: draw.py sizes fonts in pixels, but keep every device alike
    dots_per_metre = round((dpi or PNG_DPI) / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


def _write_png(picture, path, scale, dpi, theme, transparent, bounds=None) -> None:
    image = render_image(picture, scale=scale, dpi=dpi, theme=theme, transparent=transparent,
                         bounds=bounds)
    if not image.save(str(path), "PNG"):
        raise ExportError(f"{path}: cannot write the PNG file")


def _write_svg(picture, path, scale, theme, bounds=None) -> None:
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtSvg import QSvgGenerator

    bounds = bounds if bounds is not None else export_bounds([picture], theme)
    w, h = bounds.width() * scale, bounds.height() * scale
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(QSize(math.ceil(w), math.ceil(h)))
    gen.setViewBox(QRectF(0, 0, w, h))
    gen.setResolution(96)
    gen.setTitle(picture.caption or "GraphStudio graph")
    gen.setDescription("Computation graph with values and gradients, exported by GraphStudio")
    painter = _painter(gen)
    try:
        _paint(painter, picture, theme, bounds, scale)
    finally:
        painter.end()
    if not Path(path).is_file():
        raise ExportError(f"{path}: cannot write the SVG file")


def _pdf_writer(path, bounds, scale: float):
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setResolution(96)  # painter units = scene pixels at 96 dpi
    writer.setCreator("GraphStudio")
    points = QSizeF(bounds.width() * scale * 0.75, bounds.height() * scale * 0.75)
    size = QPageSize(points, QPageSize.Point, "GraphStudio", QPageSize.ExactMatch)
    writer.setPageLayout(QPageLayout(size, QPageLayout.Portrait, QMarginsF(0, 0, 0, 0)))
    return writer


def _write_pdf(pictures: Sequence[Picture], path, scale, theme, bounds=None) -> None:
    bounds = bounds if bounds is not None else export_bounds(pictures, theme)
    writer = _pdf_writer(path, bounds, scale)
    writer.setTitle(pictures[0].caption if len(pictures) == 1 and pictures[0].caption
                    else "GraphStudio graph")
    painter = _painter(writer)
    try:
        for i, picture in enumerate(pictures):
            if i:
                writer.newPage()
            _paint(painter, picture, theme, bounds, scale)
    finally:
        painter.end()
    if not Path(path).is_file():
        raise ExportError(f"{path}: cannot write the PDF file")


def _write_tikz(picture, path, scale, theme, standalone: bool = True) -> None:
    from .tikz import to_tikz

    Path(path).write_text(to_tikz(picture, theme=theme, standalone=standalone, scale=scale),
                          encoding="utf-8")


def _check_folder(path: Path) -> None:
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ExportError(f"{path}: the folder {folder} does not exist")


def export_picture(picture: Picture, path: str | os.PathLike, format: str | None = None, *,
                   scale: float = 1.0, dpi: float | None = None, theme: Theme | str = "light",
                   transparent: bool = False, standalone: bool = True, bounds=None) -> Path:
    """Write ``picture`` to ``path`` as ``format`` (png, svg, pdf or tikz; default: from the
    suffix). ``dpi`` and ``transparent`` apply to PNG only; ``standalone`` to TikZ only (a
    whole document, else the bare ``tikzpicture``). Raises :class:`ExportError`; I/O errors
    are reported as ExportError too."""
    path = Path(path)
    format = format or format_for(path)
    theme = _theme(theme)
    _check_scale(scale, dpi)
    _check_folder(path)
    try:
        if format == "tikz":
            _write_tikz(picture, path, scale, theme, standalone)
            return path
        ensure_app()
        if format == "png":
            _write_png(picture, path, scale, dpi, theme, transparent, bounds)
        elif format == "svg":
            _write_svg(picture, path, scale, theme, bounds)
        elif format == "pdf":
            _write_pdf([picture], path, scale, theme, bounds)
        else:
            raise ExportError(f"unknown format {format!r}; formats: {', '.join(FORMATS)}")
    except OSError as exc:
        raise ExportError(f"{path}: {exc.strerror or exc}") from None
    return path


SUFFIXES = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".tex": "tikz", ".tikz": "tikz"}


def format_for(path: str | os.PathLike) -> str:
    """The format a file name asks for: ``.png``, ``.svg``, ``.pdf``, ``.tex``/``.tikz``."""
    suffix = Path(path).suffix.lower()
    try:
        return SUFFIXES[suffix]
    except KeyError:
        raise ExportError(f"{path}: cannot tell the format from {suffix or 'a name without a suffix'!r}; "
                          f"use .png, .svg, .pdf or .tex, or give --format") from None


def export_steps(pictures: Sequence[Picture], out: str | os.PathLike, format: str = "png", *,
                 scale: float = 1.0, dpi: float | None = None, theme: Theme | str = "light",
                 transparent: bool = False) -> list[Path]:
    """Write step frames: one PDF with a page per step when ``out`` ends in ``.pdf``, else a
    folder ``out`` (made if missing, its parent must exist) of ``step_001.png`` ... in
    ``format``. All frames share one crop. Returns the files written."""
    if not pictures:
        raise ExportError("there are no steps to export (the graph has no nodes)")
    out = Path(out)
    theme = _theme(theme)
    _check_scale(scale, dpi)
    _check_folder(out)
    try:
        if out.suffix.lower() == ".pdf":
            ensure_app()
            _write_pdf(pictures, out, scale, theme)
            return [out]
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out}: is a file; step frames go into a folder (or a .pdf)")
        if format not in FORMATS:
            raise ExportError(f"unknown format {format!r}; formats: {', '.join(FORMATS)}")
        out.mkdir(exist_ok=True)
        bounds = None if format == "tikz" else export_bounds(pictures, theme)
        suffix = _suffix(format)
        digits = max(3, len(str(len(pictures))))
        written = []
        for i, picture in enumerate(pictures, 1):
            path = out / f"step_{i:0{digits}d}.{suffix}"
            export_picture(picture, path, format, scale=scale, dpi=dpi, theme=theme,
                           transparent=transparent, bounds=bounds)
            written.append(path)
        return written
    except OSError as exc:
        raise ExportError(f"{out}: {exc.strerror or exc}") from None
