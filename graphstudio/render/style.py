"""Themes for drawing graphs: colours as ``#rrggbb`` text and font families, no Qt, so the
canvas, the raster/vector exporters and the TikZ writer all read the same palette.

The gradient is set apart from the value by colour *and* by position (it sits on its own line
below the value, prefixed with ``∇``), so it still reads in print and for colour-blind viewers.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Theme", "THEMES", "theme"]


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
        grid="#262b33",
    ),
    "print": Theme(
        name="print", background="#ffffff", node_fill="#ffffff", input_fill="#ffffff",
        param_fill="#ffffff", const_fill="#ffffff", output_fill="#ffffff", border="#000000",
        output_border="#000000", text="#000000", muted="#444444", value="#000000",
        grad="#000000", edge="#000000", edge_label="#000000", error="#000000",
        warning="#000000", highlight="#dddddd", used="#000000", selection="#000000",
        grid="#ffffff",
    ),
}


def theme(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        raise KeyError(f"unknown theme {name!r}; themes: {', '.join(THEMES)}") from None
