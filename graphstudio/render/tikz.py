r"""An annotated graph as TikZ, for lecture notes and beamer slides.

:func:`to_tikz` writes a ``tikzpicture`` from a :class:`~graphstudio.render.picture.Picture`:
the same nodes (name, op symbol, value, gradient), colours (from the theme) and positions
(from the layout, scaled to centimetres) as the canvas and the image exporters. With
``standalone=True`` it is a whole document (``\documentclass[tikz]{standalone}``) that
``pdflatex`` compiles on its own; without, it is the bare picture to paste into slides, which
needs ``\usepackage{tikz}`` and ``\usetikzlibrary{arrows.meta}`` in the preamble (the first
line of the output says so). Only standard TikZ and the ``arrows.meta`` library are used.

Text from the graph goes through :func:`tex`: LaTeX specials are escaped and the unicode
symbols the pictures use (``×``, ``∂``, ``∇``, ``σ``, ``−``, ``²``, ``ᵀ`` ...) are written as
math (``\ensuremath{\times}``), so the output compiles with plain ``pdflatex``; a character
with no LaTeX spelling becomes ``?`` rather than breaking the build.

Positions are scene units with y pointing down; TikZ's y points up, so y is negated.
:func:`tikz_layout` lays a graph out for TikZ without running TeX: it estimates each box from
its text and leaves room between columns for edge labels. One scene unit is ``unit_cm``
(1/70 cm); pass ``scale`` to spread or squeeze the positions (node sizes stay the same, like
TikZ's own ``scale``).

No Qt here.
"""

from __future__ import annotations

import unicodedata

from ..core.graph import Graph
from .arrays import MAX_CELLS, Grid, cell_text
from .picture import EdgeView, NodeView, Picture
from .positions import graph_positions
from .style import THEMES, Theme, diverging, ink_on

__all__ = ["to_tikz", "tex", "PREAMBLE", "tikz_layout", "box_size_cm"]

#: what the bare picture needs in the document's preamble
PREAMBLE = "\\usepackage{tikz}\n\\usepackage{amsmath}\n\\usetikzlibrary{arrows.meta, fit}"

#: centimetres per scene unit at scale 1: the layout's 210-unit columns become 3 cm
UNIT_CM = 3.0 / 210.0

_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
    "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "[": "{[}", "]": "{]}",  # never read as an optional argument (after \\ in a node)
    "<": r"\ensuremath{<}", ">": r"\ensuremath{>}", "|": r"\ensuremath{|}",
}

_MATH = {
    "×": r"\times", "÷": r"\div", "−": "-", "·": r"\cdot", "∂": r"\partial", "∇": r"\nabla",
    "σ": r"\sigma", "Σ": r"\Sigma", "∑": r"\sum", "√": r"\surd", "‖": r"\|", "ᵀ": r"^{\top}",
    "²": "^{2}", "³": "^{3}", "ᵢ": "_{i}", "ⱼ": "_{j}", "≤": r"\leq", "≥": r"\geq",
    "≠": r"\neq", "≈": r"\approx", "∞": r"\infty", "→": r"\to", "⊙": r"\odot", "∘": r"\circ",
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "η": r"\eta", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "π": r"\pi", "τ": r"\tau",
    "φ": r"\phi", "ω": r"\omega", "Δ": r"\Delta",
}

_TEXT = {"—": "---", "–": "--", "…": r"\ldots{}", "…": r"\ldots{}", "\u00a0": "~"}


def tex(text: str) -> str:
    r"""``text`` as LaTeX for text mode: specials escaped, symbols as math.

    >>> tex("∂z/∂x = y")
    '\\ensuremath{\\partial}z/\\ensuremath{\\partial}x = y'
    >>> tex("h_1 = 50%")
    'h\\_1 = 50\\%'
    """
    out = []
    for ch in text:
        if ch in _SPECIALS:
            out.append(_SPECIALS[ch])
        elif ch in _MATH:
            out.append(f"\\ensuremath{{{_MATH[ch]}}}")
        elif ch in _TEXT:
            out.append(_TEXT[ch])
        elif ch == "-":
            out.append(r"\ensuremath{-}")  # a minus sign, not a hyphen: names never hold "-"
        elif ch == "\n":
            out.append(r"\\")
        elif ch.isascii():
            out.append(ch)
        else:
            out.append(_accented(ch))
    return "".join(out)


#: combining accents (after NFD) as LaTeX text accents: ŷ -> \^{y}, é -> \'{e}
_ACCENTS = {"\u0302": "^", "\u0301": "'", "\u0300": "`", "\u0303": "~", "\u0308": '"',
            "\u0304": "=", "\u0307": ".", "\u030c": "v", "\u0306": "u"}


def _accented(ch: str) -> str:
    """A Latin letter with one accent as a LaTeX accent command, else ``?``."""
    base, *marks = unicodedata.normalize("NFD", ch)
    if base.isascii() and base.isalpha() and len(marks) == 1 and marks[0] in _ACCENTS:
        return f"\\{_ACCENTS[marks[0]]}{{{base}}}"
    return "?"


def _lines(text: str, wrap: str, first: str = "") -> list[str]:
    """Multi-line text (arrays) as one TeX line each, every line wrapped on its own as
    ``wrap`` (``\\`` must not sit inside a group in a TikZ node); runs of spaces kept."""
    return [wrap.format(first * (i == 0) + tex(line.rstrip()).replace("  ", "~~"))
            for i, line in enumerate(text.splitlines())]


# what LaTeX's \small sans-serif needs, roughly: a character's width and a line's height (cm)
CHAR_CM, LINE_CM, SCRIPT_CHAR_CM = 0.19, 0.46, 0.15
CELL_LINE_CM, CELL_SEP_CM = 0.55, 0.06  # a row of matrix cells; a cell's colour beyond its text
MIN_W_CM, MIN_H_CM, PAD_CM = 1.7, 0.9, 0.35


def box_size_cm(v: NodeView) -> tuple[float, float]:
    """An estimate of the node's box in cm (no TeX run): the widest line and the line count;
    a matrix counts its widest row of cells and a line per row."""
    head = len(v.title) + (len(v.symbol) + 2 if v.symbol else 0) + (len(v.badge) + 2 if v.badge else 0)
    widths = [head * CHAR_CM] if head else []
    height = LINE_CM if head else 0.0
    for grid, text, lead in ((v.value_grid, v.value_text, 0), (v.grad_grid, v.grad_text, 2)):
        if grid is not None:
            rows, cols = _picked(grid.rows), _picked(grid.cols)
            chars = [max(len(_cell(grid, r, c)) for r in rows) for c in cols]
            widths.append((lead + 2) * CHAR_CM + sum(n * CHAR_CM + 2 * CELL_SEP_CM for n in chars))
            height += len(rows) * CELL_LINE_CM + 0.2
        elif text:
            lines = text.splitlines()
            widths += [(len(line) + lead) * CHAR_CM for line in lines]
            height += len(lines) * LINE_CM
    for extra in (v.seed_text, *v.gate_text.splitlines()):
        if extra:
            widths.append(len(extra) * SCRIPT_CHAR_CM)
            height += LINE_CM
    width = max(MIN_W_CM, max(widths, default=CHAR_CM) + PAD_CM)
    return width, max(MIN_H_CM, height + PAD_CM)


def tikz_layout(graph: Graph, sketch: Picture, unit_cm: float | None = None) -> dict[int, tuple[float, float]]:
    """Positions (scene units) for a TikZ picture of ``graph``: the graph's own when it has
    them, else the layered layout with room for each box as LaTeX will set it (estimated from
    ``sketch``'s texts) and, when there are edge labels, for the widest label between columns."""
    unit_cm = unit_cm or UNIT_CM
    sizes = {n: tuple(c / unit_cm for c in box_size_cm(v)) for n, v in sketch.nodes.items()}
    widest = max((len(e.label) * SCRIPT_CHAR_CM + 0.6 for e in sketch.edges if e.label), default=0.0)
    gap_x = max(1.3, widest) / unit_cm
    return graph_positions(graph, sizes, gap_x=gap_x, gap_y=0.45 / unit_cm)


def _colour_defs(theme: Theme) -> list[str]:
    names = ("background", "node_fill", "input_fill", "param_fill", "const_fill", "output_fill", "border",
             "output_border", "text", "muted", "value", "grad", "edge", "edge_label", "error",
             "warning", "highlight", "used")
    return [f"\\definecolor{{gs{n.replace('_', '')}}}{{HTML}}{{{getattr(theme, n)[1:].upper()}}}"
            for n in names]


#: the rows or columns of a large array written out: the first three, then the last two
SHOWN_HEAD, SHOWN_TAIL = 3, 2


def _picked(n: int) -> list[int | None]:
    """Indices written out of ``n`` rows (or columns), None for the elided middle."""
    if n <= MAX_CELLS:
        return list(range(n))
    return list(range(SHOWN_HEAD)) + [None] + list(range(n - SHOWN_TAIL, n))


def _cell(grid: Grid, r: int | None, c: int | None) -> str:
    if r is None or c is None:
        return "."
    return grid.texts[r][c] if grid.texts is not None else cell_text(grid.value_at(r, c))


def matrix_tex(grid: Grid, theme: Theme) -> str:
    r"""An array as a LaTeX ``pmatrix`` (amsmath), each entry on its colour of the diverging
    scale, in the ink that reads on it, right-aligned in its column; an array of more than
    :data:`~graphstudio.render.arrays.MAX_CELLS` rows or columns shows its first three and
    last two with ``\cdots``, ``dots`` and ``\ddots`` between."""
    rows, cols = _picked(grid.rows), _picked(grid.cols)
    widest = {c: max((_cell(grid, r, c) for r in rows if r is not None),
                     key=lambda t: len(t) + 0.6 * t.count("-"))  # a minus is wider than a digit
              for c in cols if c is not None}
    lines = []
    for r in rows:
        cells = []
        for c in cols:
            if r is None or c is None:
                cells.append(r"\ddots" if r is None and c is None else r"\vdots" if r is None else r"\cdots")
                continue
            fill = diverging(theme, float(grid.levels[r, c]))
            ink = ink_on(fill)
            cells.append(f"\\colorbox[HTML]{{{fill[1:].upper()}}}{{\\hphantom{{{tex(widest[c])}}}"
                         f"\\llap{{\\textcolor[HTML]{{{ink[1:].upper()}}}{{{tex(_cell(grid, r, c))}}}}}}}")
        lines.append(" & ".join(cells))
    return (r"$\arraycolsep=1pt\fboxsep=1.5pt\begin{pmatrix}" + r" \\ ".join(lines)
            + r"\end{pmatrix}$")


def _node_text(v: NodeView, theme: Theme) -> str:
    """The node's lines as the canvas draws them: name (bold), the shape badge and the op
    symbol; the value, then ``∇`` and the gradient in the gradient colour; an array as a matrix
    (:func:`matrix_tex`). An unnamed constant shows its value in bold."""
    head = []
    if v.title:
        head.append(f"\\textbf{{{tex(v.title)}}}")
    if v.badge:
        head.append(f"\\textcolor{{gsmuted}}{{\\footnotesize({tex(v.badge)})}}")
    if v.symbol:
        head.append(f"\\textcolor{{gsmuted}}{{{tex(v.symbol)}}}")
    lines = ["\\enspace ".join(head)] if head else []
    if v.error:
        lines.append(r"\textcolor{gserror}{error}")
    elif v.value_grid is not None:
        lines.append(matrix_tex(v.value_grid, theme))
    elif v.value_text:
        unnamed_const = v.kind == "const" and not v.title
        lines += _lines(v.value_text, r"\textbf{{{}}}" if unnamed_const else r"\textcolor{{gsvalue}}{{{}}}")
    if v.grad_grid is not None:
        lines.append(_grad_prefix(v) + "\\," + matrix_tex(v.grad_grid, theme))
    elif v.grad_text:
        lines += _lines(v.grad_text, r"\textcolor{{gsgrad}}{{{}}}", first=tex(v.grad_prefix.strip()) + "\\,")
    for extra in (v.seed_text, *v.gate_text.splitlines()):  # a gate's local derivatives
        if extra:
            lines.append(f"\\textcolor{{gsgrad}}{{\\scriptsize {tex(extra)}}}")
    return r"\\".join(lines) or "~"


def _grad_prefix(v: NodeView) -> str:
    """``∇`` (or forward mode's ``d/dx =``) in the gradient colour."""
    return f"\\textcolor{{gsgrad}}{{{tex(v.grad_prefix.strip())}}}"


def _node_style(v: NodeView) -> str:
    fill = {"input": "gsinputfill", "param": "gsparamfill", "const": "gsconstfill"}.get(v.kind, "gsnodefill")
    style = ["gs node", f"fill={fill}"]
    if v.is_output:
        style += ["fill=gsoutputfill", "draw=gsoutputborder", "very thick"]
    if v.kind == "const":
        style.append("gs const")
    if v.error:
        style += ["draw=gserror", "dashed"]
    elif v.warning:
        style.append("draw=gswarning")
    if v.highlight:
        style += ["fill=gshighlight", "very thick"]
    return ", ".join(style)


def _port_offset(port: int, n_ports: int, spacing_mm: float = 3.0) -> str:
    """The y shift of argument ``port`` on the node's west side (port 0 on top)."""
    if n_ports <= 1:
        return ""
    mm = ((n_ports - 1) / 2 - port) * spacing_mm
    return f"[yshift={mm:g}mm]"


def _edge(e: EdgeView, nodes: dict[int, NodeView]) -> str:
    style = "gs edge, draw=gsused, very thick" if e.highlight else "gs edge"
    target = f"({_port_offset(e.port, nodes[e.dst].n_ports)}n{e.dst}.west)"
    label = ""
    if e.label:
        label = f" node[gs edge label] {{{tex(e.label)}}}"
    return f"  \\draw[{style}] (n{e.src}.east) to[out=0, in=180]{label} {target};"


def to_tikz(picture: Picture, *, theme: Theme | str = "light", standalone: bool = False,
            scale: float = 1.0, unit_cm: float = UNIT_CM) -> str:
    """The picture as TikZ source: a whole document when ``standalone``, else the bare
    ``tikzpicture`` (preceded by a comment naming the preamble it needs)."""
    if isinstance(theme, str):
        theme = THEMES[theme]
    k = unit_cm * scale
    lines = []
    if standalone:
        lines += [r"\documentclass[tikz, border=4mm]{standalone}", r"\usepackage{amsmath}",
                  r"\usetikzlibrary{arrows.meta, fit}", r"\begin{document}"]
    else:
        lines.append("% GraphStudio picture; needs in the preamble: "
                     + PREAMBLE.replace("\n", " "))
        lines.append("% too wide for a slide? wrap it: \\resizebox{\\linewidth}{!}{...}")
    lines.append(r"\begin{tikzpicture}[")
    lines.append(r"  font=\sffamily\small, >={Stealth[length=2.2mm, width=1.8mm]},")
    lines.append(r"  gs node/.style={draw=gsborder, thick, rounded corners=3pt, align=center,"
                 r" minimum width=17mm, minimum height=9mm, inner sep=1.5mm, text=gstext},")
    lines.append(r"  gs const/.style={dashed, minimum width=10mm},")
    lines.append(r"  gs edge/.style={->, draw=gsedge, thick},")
    lines.append(r"  gs edge label/.style={pos=0.5, align=center, font=\sffamily\scriptsize, text=gsedgelabel,"
                 r" fill=gsbackground, draw=gsedgelabel!40, rounded corners=2pt, inner sep=1.5pt},")
    lines.append("]")
    lines += ["  " + d for d in _colour_defs(theme)]
    for n, v in sorted(picture.nodes.items()):
        x, y = picture.positions[n]
        lines.append(f"  \\node[{_node_style(v)}] (n{n}) at ({x * k:.3f}, {-y * k:.3f}) "
                     f"{{{_node_text(v, theme)}}};")
    for frame in picture.groups:  # an expanded group: a dashed frame, labelled
        inside = " ".join(f"(n{n})" for n in frame.members if n in picture.nodes)
        if inside:
            lines.append(f"  \\node[draw=gsmuted, dashed, rounded corners=6pt, inner sep=3mm, "
                         f"fit={inside}, label={{[text=gsmuted, font=\\sffamily\\scriptsize]"
                         f"north west:{tex(frame.name)}}}] {{}};")
    for e in picture.edges:
        lines.append(_edge(e, picture.nodes))
    if picture.caption:
        lines.append(r"  \path (current bounding box.south) node[below=2mm, text=gstext] "
                     f"{{{tex(picture.caption)}}};")
    lines.append(r"\end{tikzpicture}")
    if standalone:
        lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
