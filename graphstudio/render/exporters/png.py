"""PNG: a raster image, drawn by the canvas's painter code.

A PNG is ``bounds × scale × dpi / 96`` pixels. ``dpi`` defaults to :data:`PNG_DPI` = 192:
twice the pixels of the screen drawing, crisp on a projector or a high-density screen, and
written into the file, so a word processor still places it at ``bounds × scale``
ninety-sixths of an inch, the size of the SVG and the PDF. ``width`` picks the scale that
makes the image that many pixels wide instead (1920 for a slide). The background is the
theme's unless ``transparent``.
"""

from __future__ import annotations

import math
from pathlib import Path

from ...core.options import Option
from ..export import ExportError, ensure_app, export_bounds, paint_cropped, painter_on
from ..picture import Picture
from ..style import Theme
from . import ExportFormat, register

#: the resolution unless one is given (see the module docstring)
PNG_DPI = 192
#: the largest side we agree to allocate
MAX_PIXELS = 20000
#: the most pixels in all (4 bytes each: 200 MB; a 20000² image would be 1.6 GB and take minutes
#: to paint); a slide is 2 megapixels, a 300-dpi A1 poster 68
MAX_MEGAPIXELS = 50

DPI = Option("dpi", int, PNG_DPI, label="Resolution", minimum=24, maximum=1200, unit=" dpi",
             help=f"PNG resolution: pixels = size × scale × dpi / 96 (default {PNG_DPI})")
TRANSPARENT = Option("transparent", bool, False, label="Transparent background",
                     help="PNG with a transparent background", words="a transparent background")
WIDTH = Option("width", int, None, label="Width", minimum=1, maximum=MAX_PIXELS, unit=" px",
               dialog=False, words="a width in pixels",
               help="PNG: scale to this many pixels wide (e.g. 1920 for a slide); instead of --scale")


def _factor(bounds, scale: float, dpi: int, width: int | None) -> float:
    """Pixels per scene unit."""
    return width / bounds.width() if width else scale * dpi / 96


def image_size(bounds, scale: float = 1.0, dpi: int = PNG_DPI,
               width: int | None = None) -> tuple[int, int]:
    """Pixel size of a PNG of ``bounds`` (see the module docstring), rounded up."""
    f = _factor(bounds, scale, dpi, width)
    fw, fh = bounds.width() * f, bounds.height() * f
    if not (math.isfinite(fw) and math.isfinite(fh)) or max(fw, fh) > MAX_PIXELS:
        raise ExportError(f"the image would be {_pixels(fw)}×{_pixels(fh)} pixels (at most "
                          f"{MAX_PIXELS:,} a side); use a smaller --scale or --dpi")
    w, h = max(math.ceil(fw - 1e-6), 1), max(math.ceil(fh - 1e-6), 1)
    if w * h > MAX_MEGAPIXELS * 1e6:
        widest = int(math.sqrt(MAX_MEGAPIXELS * 1e6 * w / h))
        raise ExportError(f"the image would be {w:,}×{h:,} pixels, {w * h / 1e6:,.0f} megapixels "
                          f"(at most {MAX_MEGAPIXELS}); this graph fits in {widest:,} pixels wide: "
                          "use --width, or a smaller --scale or --dpi")
    return w, h


def _pixels(n: float) -> str:
    return f"{n:,.0f}" if math.isfinite(n) and n < 1e15 else f"{n:.3g}"


def render_image(picture: Picture, *, scale: float = 1.0, dpi: int = PNG_DPI,
                 theme: Theme, transparent: bool = False, bounds=None, width: int | None = None):
    """The picture as a QImage (see the module docstring for its size)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage

    ensure_app()
    bounds = bounds if bounds is not None else export_bounds([picture], theme)
    w, h = image_size(bounds, scale, dpi, width)
    image = QImage(w, h, QImage.Format_ARGB32_Premultiplied)
    image.fill(QColor(Qt.transparent) if transparent else QColor(theme.background))
    painter = painter_on(image)
    try:
        paint_cropped(painter, picture, theme, bounds, _factor(bounds, scale, dpi, width),
                      background=False)
    finally:
        painter.end()
    # recorded after painting: draw.py sizes fonts in pixels, but keep every device alike
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


def write(pictures, path: Path, *, scale, theme, bounds, dpi, transparent, width) -> None:
    image = render_image(pictures[0], scale=scale, dpi=dpi, theme=theme, transparent=transparent,
                         bounds=bounds, width=width)
    if not image.save(str(path), "PNG"):
        raise ExportError(f"{path}: cannot write the PNG file")


def size(bounds, scale: float, options: dict) -> str:
    try:
        w, h = image_size(bounds, scale, options.get("dpi") or PNG_DPI, options.get("width"))
    except ExportError as exc:
        return str(exc)
    return f"{w} × {h} pixels"


def check(settings) -> None:
    if settings.options.get("width") is not None and settings.scale != 1.0:
        raise ExportError("give a width in pixels (--width) or a scale (--scale), not both")


register(ExportFormat("png", "PNG", (".png",), write, options=(DPI, TRANSPARENT, WIDTH),
                      description="image", size=size, check=check, order=0))
