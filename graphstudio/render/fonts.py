"""The fonts pictures are drawn with, in pixel sizes of scene units (one unit is one pixel at
100 % zoom and 96 dpi), shared by the node, cell and edge painters.

Every size is at least :data:`SMALLEST` pixels: the editor opens a graph at the zoom that fits
it (never below the zoom at which this size reads 9 pixels on screen), and an export fitted to
a slide scales it up, so the smallest text drawn decides whether a picture can be read.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QFont, QFontMetricsF

from .style import Theme

__all__ = ["fonts", "Fonts", "SMALLEST", "SIZES"]

#: pixel size and weight of each font: (family "sans"/"mono", pixels, bold)
SIZES = {
    "title": ("sans", 16, True),  # a node's name
    "symbol": ("sans", 16, True),  # the op symbol beside a name
    "big_symbol": ("sans", 22, True),  # the op symbol of an unnamed node
    "value": ("mono", 14, False),  # a number's value and gradient lines
    "cell": ("mono", 13, False),  # an array cell's number
    "tag": ("sans", 13, False),  # input / param / const, the shape badge, a seed line
    "port": ("sans", 13, True),  # argument numbers of non-commutative ops
    "edge": ("sans", 13, False),  # an edge's local derivative
    "caption": ("sans", 17, True),  # a step's caption
    "badge": ("sans", 13, True),  # the error / warning "!"
    "neuron": ("sans", 13, True),  # a neuron's name
    "neuron_value": ("mono", 13, False),  # a neuron's value and gradient
}
#: the smallest pixel size of any text drawn
SMALLEST = min(px for _family, px, _bold in SIZES.values())


class Metrics:
    """A font's metrics, with the width of each text measured once: measuring is most of what
    sizing a node costs, and the same names, symbols and many of the same numbers are measured
    again at every update (the last :data:`REMEMBERED` texts of each font are kept)."""

    def __init__(self, font: QFont) -> None:
        self._fm = QFontMetricsF(font)
        self._height = self._fm.height()
        self.ascent = self._fm.ascent()  # from a line's top to its baseline
        self.horizontalAdvance = lru_cache(maxsize=REMEMBERED)(self._fm.horizontalAdvance)

    def height(self) -> float:
        return self._height


REMEMBERED = 4096


class Fonts:
    """The QFont and its metrics for each name of :data:`SIZES`, as attributes and ``fm``."""

    def __init__(self, family: str, mono: str) -> None:
        self.fm: dict[str, Metrics] = {}
        for name, (kind, px, bold) in SIZES.items():
            f = QFont(mono if kind == "mono" else family)
            f.setPixelSize(px)
            f.setBold(bold)
            f.setHintingPreference(QFont.PreferNoHinting)
            setattr(self, name, f)
            self.fm[name] = Metrics(f)


@lru_cache(maxsize=8)
def fonts_of(family: str, mono: str) -> Fonts:
    """The fonts of a theme with these families (:func:`fonts`), made once."""
    return Fonts(family, mono)


def fonts(theme: Theme) -> Fonts:
    return fonts_of(theme.font_family, theme.mono_family)
