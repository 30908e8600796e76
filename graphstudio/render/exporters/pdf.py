"""PDF: vector with the fonts embedded; a page of ``bounds × scale × 0.75`` points. Step
frames go into one PDF, a page a step, all of one size."""

from __future__ import annotations

from pathlib import Path

from ..export import ExportError, check_vector_size, paint_cropped, painter_on
from . import ExportFormat, register
from .svg import size_in_cm

#: the largest side of a PDF page, in pixels at 96 dpi: 200 inches (14,400 points), the most
#: PDF readers show
MAX_SIDE = 19_200


def _writer(path, bounds, scale: float):
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setResolution(96)  # painter units = scene pixels at 96 dpi
    writer.setCreator("GraphStudio")
    points = QSizeF(bounds.width() * scale * 0.75, bounds.height() * scale * 0.75)
    size = QPageSize(points, QPageSize.Point, "GraphStudio", QPageSize.ExactMatch)
    writer.setPageLayout(QPageLayout(size, QPageLayout.Portrait, QMarginsF(0, 0, 0, 0)))
    return writer


def write(pictures, path: Path, *, scale, theme, bounds) -> None:
    check_vector_size(bounds, scale, MAX_SIDE, "a PDF page")
    writer = _writer(path, bounds, scale)
    writer.setTitle(pictures[0].caption if len(pictures) == 1 and pictures[0].caption
                    else "GraphStudio graph")
    painter = painter_on(writer)
    try:
        for i, picture in enumerate(pictures):
            if i:
                writer.newPage()
            paint_cropped(painter, picture, theme, bounds, scale)
    finally:
        painter.end()
    if not Path(path).is_file() or Path(path).stat().st_size == 0:
        raise ExportError(f"{path}: cannot write the PDF file")


register(ExportFormat("pdf", "PDF", (".pdf",), write, description="vector", pages=True,
                      size=size_in_cm, order=2))
