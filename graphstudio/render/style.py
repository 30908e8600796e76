"""Themes for drawing graphs: colours as ``#rrggbb`` text and font families, no Qt, so the
canvas, the raster/vector exporters and the TikZ writer all read the same palette.

The gradient is set apart from the value by colour *and* by position (it sits on its own line
below the value, prefixed with ``∇``), so it still reads in print and for colour-blind viewers.

Array cells are coloured on a diverging scale (:func:`diverging`): the theme's ``negative``
colour for the most negative number, ``zero`` for 0, ``positive`` for the largest, as
TensorFlow Playground colours its weights (orange below zero, blue above; a pair that
colour-blind readers tell apart). A cell's number is written in whichever of a dark and a
light ink reads better on its colour (:func:`ink_on`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Theme", "THEMES", "theme", "diverging", "ink_on", "mix"]


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    node_fill: str  # op nodes
    input_fill: str  # inputs
    param_fill: str  # trainable inputs
    const_fill: str  # constants
    output_fill: str
    border: str
    output_border: str
    text: str  # names and symbols
    muted: str  # secondary text (op names, shapes)
    value: str  # the forward value
    grad: str  # the gradient
    edge: str
    edge_label: str
    error: str
    warning: str
    highlight: str  # the node being computed in a step
    used: str  # the edges a step uses
    selection: str
    grid: str
    negative: str = "#f59322"  # array cells: the most negative number (Playground's orange)
    zero: str = "#f2f3f4"  # ... zero
    positive: str = "#0877bd"  # ... the largest number (Playground's blue)
    font_family: str = "DejaVu Sans"
    mono_family: str = "DejaVu Sans Mono"


THEMES: dict[str, Theme] = {
    "light": Theme(
        name="light", background="#ffffff", node_fill="#f4f6fb", input_fill="#e8f1fd",
        param_fill="#eaf7ea", const_fill="#f3f3f3", output_fill="#fff4e0", border="#5b6b82",
        output_border="#d9822b", text="#1b2430", muted="#6b7686", value="#1b2430",
        grad="#c0392b", edge="#6f7d91", edge_label="#355c8a", error="#d62728",
        warning="#b8860b", highlight="#ffd54f", used="#f39c12", selection="#2f80ed",
        grid="#eef1f5",
    ),
    "dark": Theme(
        name="dark", background="#1e2229", node_fill="#2b313b", input_fill="#233447",
        param_fill="#23402b", const_fill="#30343a", output_fill="#4a3820", border="#8a97ab",
        output_border="#f0a04b", text="#e8ecf2", muted="#9aa5b5", value="#e8ecf2",
        grad="#ff7b6b", edge="#8f9bb0", edge_label="#8cb8ee", error="#ff5c5c",
        warning="#e8c15a", highlight="#8a6d12", used="#f5b041", selection="#5aa2ff",
        grid="#262b33", negative="#e8891f", zero="#2b313b", positive="#3d95dc",
    ),
    "print": Theme(
        name="print", background="#ffffff", node_fill="#ffffff", input_fill="#ffffff",
        param_fill="#ffffff", const_fill="#ffffff", output_fill="#ffffff", border="#000000",
        output_border="#000000", text="#000000", muted="#444444", value="#000000",
        grad="#000000", edge="#000000", edge_label="#000000", error="#000000",
        warning="#000000", highlight="#dddddd", used="#000000", selection="#000000",
        grid="#ffffff", negative="#f2a65a", zero="#ffffff", positive="#6aa8dc",
    ),
}


def theme(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        raise KeyError(f"unknown theme {name!r}; themes: {', '.join(THEMES)}") from None


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def mix(a: str, b: str, t: float) -> str:
    """``a`` moved a fraction ``t`` (0 … 1) of the way to ``b``, as ``#rrggbb``."""
    t = min(1.0, max(0.0, t))
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(_rgb(a), _rgb(b)))


def diverging(theme: Theme, level: float) -> str:
    """The colour of a cell at ``level`` (its number over the array's largest size, -1 … 1);
    a level that is not a number (NaN) is the muted colour.

    >>> diverging(THEMES["light"], -1.0), diverging(THEMES["light"], 1.0)
    ('#f59322', '#0877bd')
    """
    if level != level:
        return theme.muted
    return mix(theme.zero, theme.negative if level < 0 else theme.positive, abs(level))


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(fill: str, dark: str = "#000000", light: str = "#ffffff") -> str:
    """Of a ``dark`` and a ``light`` ink, the one with more contrast on ``fill`` (WCAG).

    >>> ink_on("#0877bd"), ink_on("#f2f3f4")
    ('#ffffff', '#000000')
    """
    return dark if _contrast(fill, dark) >= _contrast(fill, light) else light
