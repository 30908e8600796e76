"""SVG: vector, the text stays ``<text>`` (searchable, sharp at any size); ``bounds × scale``
pixels at 96 dpi, drawn by the canvas's painter code through QSvgGenerator."""

from __future__ import annotations

import math
from pathlib import Path

from ..export import ExportError, check_vector_size, paint_cropped, painter_on
from . import ExportFormat, register

#: the largest side of an SVG drawing, in pixels at 96 dpi (about 26 metres)
MAX_SIDE = 100_000


def svg_text(picture, *, scale, theme, bounds) -> str:
    """The SVG document of ``picture`` cropped to ``bounds``, as text."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
    from PySide6.QtSvg import QSvgGenerator

    w, h = check_vector_size(bounds, scale, MAX_SIDE, "an SVG drawing")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
    gen.setSize(QSize(math.ceil(w), math.ceil(h)))
    gen.setViewBox(QRectF(0, 0, w, h))
    gen.setResolution(96)
    gen.setTitle(picture.caption or "GraphStudio graph")
    gen.setDescription("Computation graph with values and gradients, exported by GraphStudio")
    painter = painter_on(gen)
    try:
        paint_cropped(painter, picture, theme, bounds, scale)
    finally:
        painter.end()
    buffer.close()
    return bytes(data).decode("utf-8")


def write(pictures, path: Path, *, scale, theme, bounds) -> None:
    text = svg_text(pictures[0], scale=scale, theme=theme, bounds=bounds)
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the SVG file: {exc.strerror or exc}") from None


def size_in_cm(bounds, scale: float, options: dict) -> str:
    """A vector drawing's size on paper: scene units are pixels at 96 dpi."""
    cm = scale * 0.75 / 72 * 2.54
    return f"{bounds.width() * cm:.1f} × {bounds.height() * cm:.1f} cm"


register(ExportFormat("svg", "SVG", (".svg",), write, description="vector", size=size_in_cm,
                      order=1))
