"""Painting a :class:`~graphstudio.render.picture.Picture` with QPainter, shared by the canvas
and the raster/vector exporters, so an exported image looks like the screen.

Only QtGui/QtCore here (no widgets): this works on a QImage, a QSvgGenerator, a QPdfWriter and
inside a QGraphicsItem's ``paint``. Where the ports sit and how an edge's curve runs around
other boxes is :mod:`graphstudio.render.routing`. All sizes are in scene units (fonts use pixel sizes), so a
picture has the same proportions on every device; exporters scale the painter.

A node is drawn as the lectures draw a variable::

    ┌──────────────────┐
    ○1  e          ×   ●      name (bold) and op symbol; ports on the left, output on the right
    ○2  8              │      the value
    │   ∇ 5            │      the gradient: own line, own colour, prefixed "∇"
    └──────────────────┘

An array is a grid of cells (:mod:`graphstudio.render.cells`): a vector a column, a matrix its
rows and columns, each cell with its number on the diverging colour scale, the gradient's grid
under the value's (cell under cell), marked ``∇`` and framed in the gradient's colour; a badge
beside the name gives the shape (``3×2``); an array with more than 8 rows or columns is a heat
map. An array output ends with a line "seed: sum of the elements"::

    ┌───────────────────────────┐
    │ W1 (3×2)            param │
    │    ┌───────┬───────┐      │
    │    │   0.5 │  -0.3 │ ...  │     value cells, orange below zero, blue above
    │ ∇  ┌───────┬───────┐      │
    │    │ 0.227 │-0.0139│ ...  │     gradient cells
    └───────────────────────────┘

In a network written neuron by neuron (``NodeView.style == "neuron"``) the number nodes are
small boxes: the name (or an unnamed op's symbol), the value and the gradient in 3 or 4
digits, no tag.

Inputs, parameters, constants and op nodes have their own fills; the output has a coloured
border; a node that failed is outlined in the error colour with a "!" badge (a warning gets a
badge in the warning colour). Argument ports of non-commutative ops (as the op registry says,
through :attr:`NodeView.numbered_ports`) are numbered so ``a − b`` is not mistaken for
``b − a``.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QPainter, QPainterPath, QPen, QPolygonF,
                           QTransform)

from .box_grid import BoxGrid
from .cells import cell_at, column_widths, grid_size, heat_image, paint_grid
from .fonts import fonts, fonts_of
from .group_frames import frame_rect, frames_bounds, label_rect, paint_frame, paint_label
from .labels import MIDDLE_SPOT, LabelSpot, edge_label_rect, label_spots, leader_line
from .picture import EdgeView, NodeView, Picture
from .routing import PORT_RADIUS, PORT_SPACING, output_point, port_point, route_edges
from .style import Theme

__all__ = ["node_rect", "paint_node", "paint_edge", "EdgeDrawing", "edge_drawing",
           "paint_edge_drawing", "paint_picture", "picture_bounds",
           "edge_label_rect", "label_spots", "node_sizes", "row_rect", "grid_origin", "cell_under", "arrange",
           "arrange_picture", "fonts"]

PAD_X = 11.0  # horizontal padding inside a node (room for the ports)
PAD_Y = 8.0
LINE_GAP = 2.0
GRID_GAP = 5.0  # above a grid of cells
#: the space above a body row of each kind that is not a text line (those have the line gap)
ROW_GAPS = {"value-grid": GRID_GAP, "grad-label": GRID_GAP, "grad-grid": 0.0,
            "value-range": LINE_GAP, "grad-range": LINE_GAP}
MIN_WIDTH = 76.0
BADGE_PAD = 5.0  # inside the shape badge, left and right
BADGE_GAP = 8.0  # between the name and the shape badge
HEADER_GAP = 12.0  # between the name (and badge) and the op symbol or tag
#: a unit's response is drawn at this share of the full colours, so its text reads over it
THUMBNAIL_STRENGTH = 0.6
NEURON_PAD_X = 9.0  # a neuron's padding: ports still clear of the text
NEURON_PAD_Y = 4.0
NEURON_LINE_GAP = 0.0
NEURON_MIN_WIDTH = 58.0
COLUMN_GAP = 38.0  # between the columns of a layout: room for the edges' curves and arrows
ROW_GAP = 26.0  # between the boxes of a column
NEURON_COLUMN_GAP, NEURON_ROW_GAP = 32.0, 12.0  # the same for a network drawn neuron by neuron
# text alignments, combined once (combining Qt's flags in Python costs as much as a drawText)
LEFT, RIGHT, CENTRE = Qt.AlignLeft | Qt.AlignVCenter, Qt.AlignRight | Qt.AlignVCenter, Qt.AlignCenter
MIDDLE, TOP_LEFT = Qt.AlignHCenter | Qt.AlignVCenter, Qt.AlignLeft | Qt.AlignTop


# ---- what a node holds ------------------------------------------------------------------------
#
# A node is laid out as rows, top to bottom: the header, then the body. Each row is
# (kind, text, box): "header"; "value" and "grad" (a number's text lines); "value-grid" and
# "grad-grid" (an array's cells, or a heat map); "value-range" and "grad-range" (under a heat
# map, the smallest and largest of its numbers); "seed" (the output's seed). Sizes come from the
# fonts, so the canvas, the exports and the layout agree on every box.


def _tag(view: NodeView) -> str:
    """The small muted word that says what kind of leaf a node is (leaves only; not for
    neurons): in the header's right corner of a number, on the bottom border of an array
    (:func:`_legend`), where it takes no width from the columns of a network."""
    if view.kind == "op" or view.style == "neuron":
        return ""
    return {"input": "input", "param": "param", "const": "const"}[view.kind]


def _legend(view: NodeView) -> str:
    """The tag written on an array leaf's bottom border instead of in its header."""
    return _tag(view) if view.badge else ""


def _header_text(view: NodeView) -> str:
    """The bold name; a constant number shows its value; an unnamed op shows nothing (just its
    symbol)."""
    if view.title:
        return view.title
    if view.kind == "const" and not view.shape:
        return view.value_text
    return ""


def _pads(view: NodeView) -> tuple[float, float]:
    return (NEURON_PAD_X, NEURON_PAD_Y) if view.style == "neuron" else (PAD_X, PAD_Y)


def _badge_size(view: NodeView, theme: Theme) -> tuple[float, float]:
    if not view.badge:
        return 0.0, 0.0
    fm = fonts(theme).fm["tag"]
    return fm.horizontalAdvance(view.badge) + 2 * BADGE_PAD, fm.height() + 2


def _header_parts(view: NodeView, theme: Theme):
    """(left font key, left text, right font key, right text, right colour): the name and the
    op symbol (or the leaf's tag), or for an unnamed op its symbol alone in the middle."""
    title = _header_text(view)
    neuron = view.style == "neuron"
    if not title and view.kind == "op":
        return ("big_symbol" if not neuron else "symbol"), view.symbol, None, "", None
    if neuron and view.kind == "const" and not view.title:  # a small box with its number
        return "neuron", title, None, "", None
    left = "neuron" if neuron else "title"
    if view.kind == "op":
        return left, title, ("neuron" if neuron else "symbol"), view.symbol, "text"
    return left, title, "tag", "" if _legend(view) else _tag(view), "muted"


def _header_size(view: NodeView, theme: Theme) -> tuple[float, float]:
    left, title, right, rtext, _colour = _header_parts(view, theme)
    return _header_metrics(theme.font_family, theme.mono_family, left, title, right, rtext,
                           view.badge)[:2]


@lru_cache(maxsize=4096)
def _header_metrics(family: str, mono: str, left: str, title: str, right: str | None,
                    rtext: str, badge: str) -> tuple[float, float, float]:
    """A header's width and height and its left text's width, measured once for each text: a
    node's name stays while its numbers change at every frame of a training run."""
    fm = fonts_of(family, mono).fm
    title_w = w = fm[left].horizontalAdvance(title)
    h = fm[left].height()
    if badge:
        tag = fm["tag"]
        bw, bh = tag.horizontalAdvance(badge) + 2 * BADGE_PAD, tag.height() + 2
        w += (BADGE_GAP if title else 0) + bw
        h = max(h, bh)
    if right and rtext:
        w += HEADER_GAP + fm[right].horizontalAdvance(rtext)
        h = max(h, fm[right].height())
    return w, h, title_w


def _grad_label(view: NodeView) -> str:
    return view.grad_prefix.strip().rstrip("=").strip() or "∇"


def cell_widths(view: NodeView, theme: Theme) -> list[float] | None:
    """The column widths of a node's value and gradient grids (shared: each gradient cell
    sits under its value's cell), or None when it draws no grid."""
    if not view.shape:  # a number has no grids (asking its view costs more than the answer)
        return None
    grids = [g for g in (view.value_grid, view.grad_grid) if g is not None]
    return column_widths(grids, theme) if grids else None


def _lines(view: NodeView, theme: Theme) -> list[tuple[str, str, float, float]]:
    """The body's rows below the header: (kind, text, width, height)."""
    f = fonts(theme)
    neuron = view.style == "neuron"
    fm = f.fm["neuron_value" if neuron else "value"]
    out = []

    def text_line(kind: str, text: str) -> None:
        rows = text.splitlines()
        if len(rows) <= 1:  # a number (every box at every frame of a run): one measurement
            out.append((kind, text, fm.horizontalAdvance(rows[0] if rows else ""), fm.height()))
            return
        w = max(fm.horizontalAdvance(r) for r in rows)
        out.append((kind, text, w, fm.height() * len(rows)))

    if view.kind == "const" and not view.title and not view.shape:
        return out  # the header already shows the constant
    def range_line(kind: str, grid) -> None:
        if grid.range_text:  # a heat map: its numbers' range, for a reader without a pointer
            tag = f.fm["tag"]
            out.append((kind, grid.range_text, tag.horizontalAdvance(grid.range_text), tag.height()))

    if view.shape:
        value_grid, grad_grid = view.value_grid, view.grad_grid
        widths = cell_widths(view, theme)
    else:  # a number: no grids
        value_grid = grad_grid = widths = None
    if value_grid is not None:
        w, h = grid_size(value_grid, theme, widths)
        out.append(("value-grid", "", w, h))
        range_line("value-range", value_grid)
    elif view.value_text:
        text_line("value", view.value_text)
    if grad_grid is not None:
        label = _grad_label(view)
        out.append(("grad-label", label, f.fm["tag"].horizontalAdvance(label), f.fm["tag"].height()))
        w, h = grid_size(grad_grid, theme, widths)
        out.append(("grad-grid", "", w, h))
        range_line("grad-range", grad_grid)
    elif view.grad_text and view.kind != "const":
        rows = view.grad_text.splitlines()
        prefix = view.grad_prefix.replace(" ", "") if neuron else view.grad_prefix
        pad = " " * len(prefix)
        text_line("grad", "\n".join((prefix if i == 0 else pad) + r for i, r in enumerate(rows)))
    if view.seed_text:
        tag = f.fm["tag"]
        out.append(("seed", view.seed_text, tag.horizontalAdvance(view.seed_text), tag.height()))
    if view.gate_text:  # a collapsed group's local derivatives (render/groups.py)
        tag = f.fm["tag"]
        rows = view.gate_text.splitlines()
        out.append(("seed", view.gate_text, max(tag.horizontalAdvance(r) for r in rows),
                    tag.height() * len(rows)))
    return out


@dataclass(frozen=True)
class NodeLayout:
    """A node's box measured once: its size, the header's parts and each body row's place
    relative to the box's top-left corner. Measuring text is most of what sizing and painting
    a node costs, so a view is measured once (:func:`node_layout`) and its box, its painting
    and the rows the canvas edits in place all read this."""

    width: float
    height: float
    header_h: float
    header: tuple  # (left font key, text, right font key, right text, right colour) as _header_parts
    title_w: float  # the width of the header's left text
    badge: tuple[float, float]  # the shape badge's width and height (0, 0 without one)
    body: tuple[tuple[str, str, float, float, float], ...]  # (kind, text, top, width, height)
    widths: list[float] | None  # the grid columns (cell_widths)


@lru_cache(maxsize=4096)
def _header_layout(family: str, mono: str, style: str, kind: str, title: str, symbol: str,
                   text: str, shape: tuple[int, ...]) -> tuple:
    """The parts (:func:`_header_parts`), width, height and left text's width of the header
    of a node with these fields (``text``: :func:`_header_text`), and its shape badge's size:
    measured once for all the views that show it (a training frame measures every box again
    for its new numbers, under the same header)."""
    view = NodeView(node=0, title=title, symbol=symbol, kind=kind, op="", value=None,
                    grad=None, value_text=text, grad_text="", shape=shape, n_ports=0,
                    style=style)
    header = _header_parts(view, None)
    badge = view.badge
    fm = fonts_of(family, mono).fm["tag"]
    badge_size = ((fm.horizontalAdvance(badge) + 2 * BADGE_PAD, fm.height() + 2) if badge
                  else (0.0, 0.0))
    return (header, *_header_metrics(family, mono, *header[:4], badge), badge_size)


def _measure(view: NodeView, theme: Theme) -> NodeLayout:
    header, hw, hh, title_w, badge_size = _header_layout(
        theme.font_family, theme.mono_family, view.style, view.kind, view.title, view.symbol,
        _header_text(view), view.shape)
    pad_x, pad_y = _pads(view)
    neuron = view.style == "neuron"
    gap = NEURON_LINE_GAP if neuron else LINE_GAP
    body, y = [], pad_y + hh
    lines = _lines(view, theme)
    for kind, text, w, h in lines:
        y += ROW_GAPS.get(kind, gap)
        body.append((kind, text, y, w, h))
        y += h
    w = max([hw] + [ln[2] for ln in lines])
    h = hh + sum(ln[3] + ROW_GAPS.get(ln[0], gap) for ln in lines)
    width = max(NEURON_MIN_WIDTH if neuron else MIN_WIDTH, w + 2 * pad_x)
    bottom = pad_y
    if _legend(view):  # the tag on the bottom border covers the box's last half line
        bottom = max(pad_y, fonts(theme).fm["tag"].height() / 2 + 3)
    height = max(h + pad_y + bottom, view.n_ports * PORT_SPACING + 8, 40.0)
    return NodeLayout(width, height, hh, header, title_w, badge_size, tuple(body),
                      cell_widths(view, theme))


#: id(view) -> (a weak reference to the view, the theme, its layout); views never change once
#: made, and an entry goes when its view does
_layouts: dict[int, tuple[weakref.ref, Theme, NodeLayout]] = {}


#: the layouts of views of numbers (no arrays), by what they write: opening a graph lays it out
#: and then shows it, each with views of its own, and a scrub or an undo often shows again
#: texts shown before; kept for up to _TEXTS_KEPT texts, then begun anew
_by_text: dict[tuple, NodeLayout] = {}
_TEXTS_KEPT = 20000


def _text_key(view: NodeView, theme: Theme) -> tuple | None:
    """Everything a number's layout depends on, or None for an array (its cells count too)."""
    if view.shape or not isinstance(view.value, (float, type(None))) \
            or not isinstance(view.grad, (float, type(None))):
        return None
    return (theme, view.style, view.kind, view.title, view.symbol, view.value_text,
            view.grad_text, view.grad_prefix, view.seed_text, view.n_ports)


def node_layout(view: NodeView, theme: Theme) -> NodeLayout:
    """``view`` measured in ``theme``'s fonts, once for as long as the view lives (and once
    for every view of a number that writes the same texts)."""
    key = id(view)
    hit = _layouts.get(key)
    if hit is not None and hit[0]() is view and hit[1] is theme:
        return hit[2]
    texts = _text_key(view, theme)
    layout = _by_text.get(texts) if texts is not None else None
    if layout is None:
        layout = _measure(view, theme)
        if texts is not None:
            if len(_by_text) >= _TEXTS_KEPT:
                _by_text.clear()
            _by_text[texts] = layout
    _layouts[key] = (weakref.ref(view, lambda _ref: _layouts.pop(key, None)), theme, layout)
    return layout


def _rows(view: NodeView, rect: QRectF, theme: Theme) -> list[tuple[str, str, QRectF]]:
    """The node's rows inside ``rect``: ("header", title, box) then the body rows."""
    layout = node_layout(view, theme)
    pad_x, pad_y = _pads(view)
    x0, top = rect.left() + pad_x, rect.top()
    rows = [("header", _header_text(view),
             QRectF(x0, top + pad_y, rect.width() - 2 * pad_x, layout.header_h))]
    rows += [(kind, text, QRectF(x0, top + y, w, h)) for kind, text, y, w, h in layout.body]
    return rows


def row_rect(view: NodeView, rect: QRectF, theme: Theme, kind: str) -> QRectF | None:
    """Where row ``kind`` ("header", "value", "grad", "value-grid", "value-range", "grad-label",
    "grad-grid", "grad-range", "seed") of a node drawn in ``rect`` is, or None: the canvas uses it to edit a name or scrub a value in
    place, and to find the cell under the pointer."""
    for k, _text, box in _rows(view, rect, theme):
        if k == kind:
            return box
    return None


def grid_origin(view: NodeView, rect: QRectF, theme: Theme, kind: str) -> QPointF | None:
    """The top-left corner of the value grid (``kind`` "value-grid") or the gradient grid
    ("grad-grid") of a node drawn in ``rect``, or None when it has none."""
    box = row_rect(view, rect, theme, kind)
    return None if box is None else box.topLeft()


def cell_under(view: NodeView, rect: QRectF, theme: Theme,
               point: QPointF) -> tuple[str, tuple[int, ...]] | None:
    """The array cell under ``point`` in a node drawn in ``rect``: ("value" or "grad", the
    cell's index into the array), or None."""
    widths = node_layout(view, theme).widths
    for kind, grid in (("value", view.value_grid), ("grad", view.grad_grid)):
        origin = grid_origin(view, rect, theme, f"{kind}-grid")
        if grid is None or origin is None:
            continue
        hit = cell_at(grid, theme, origin, point, widths)
        if hit is not None:
            return kind, grid.index_of(*hit)
    return None


def node_rect(view: NodeView, center: tuple[float, float], theme: Theme) -> QRectF:
    """The node's box centred on ``center``, sized from what it holds."""
    layout = node_layout(view, theme)
    width, height = layout.width, layout.height
    return QRectF(center[0] - width / 2, center[1] - height / 2, width, height)


# ---- edges (their curves come from routing.py) -------------------------------------------------


@lru_cache(maxsize=256)
def _color(text: str, alpha: int | None = None) -> QColor:
    """The colour ``#rrggbb`` (with ``alpha``), parsed once: painters copy what they are
    given, so one QColor serves every paint (do not change it)."""
    c = QColor(text)
    if alpha is not None:
        c.setAlpha(alpha)
    return c


def _arrival(path: QPainterPath) -> tuple[QPointF, QPointF]:
    """Where ``path`` ends and the unit direction it arrives in. A curve ends along the line
    from its last control point, which is read off directly: asking the path for its angle at
    100 % measures the whole curve's length first (a tenth of the canvas's painting time)."""
    n = path.elementCount()
    if n >= 2:
        end, before = path.elementAt(n - 1), path.elementAt(n - 2)
        dx, dy = end.x - before.x, end.y - before.y
        length = math.hypot(dx, dy)
        if length > 1e-9:
            return QPointF(end.x, end.y), QPointF(dx / length, dy / length)
    angle = math.radians(path.angleAtPercent(1.0))
    return path.pointAtPercent(1.0), QPointF(math.cos(angle), -math.sin(angle))


@lru_cache(maxsize=64)
def _pen(colour: str, width: float) -> QPen:
    return QPen(_color(colour), width)


@lru_cache(maxsize=256)
def _edge_pen(colour: str, alpha: int | None, width: float) -> QPen:
    """An edge's pen: ``colour`` (``#rrggbb``) with ``alpha``, round ends and joins. A
    Playground weight's pen has one of a few hundred alphas and widths, hence the cache's size."""
    return QPen(_color(colour, alpha), width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)


@dataclass(frozen=True)
class EdgeDrawing:
    """What painting an edge takes, worked out once (:func:`edge_drawing`): the canvas keeps
    it until the edge's curve or view changes, so a repaint only draws."""

    path: QPainterPath
    pen: QPen
    colour: QColor  # the arrow head's
    head: QPolygonF
    label: str | None
    label_box: QRectF | None
    label_border: QPen | None
    label_fill: QColor | None
    theme: Theme
    #: a label set apart from its curve: the line joining them (see render/labels.py)
    leader: QLineF | None = None
    #: the curve as straight pieces for the screen's scale (see :func:`paint_edge_drawing`):
    #: (device pixels per unit, point pairs), made when first painted at that scale
    pieces: list = field(default_factory=list, compare=False, repr=False)


def edge_drawing(path: QPainterPath, edge: EdgeView, theme: Theme,
                 spot: LabelSpot = MIDDLE_SPOT) -> EdgeDrawing:
    """The curve's pen, the arrow head at the port and the label's box (local derivative) at
    the middle (or at ``spot``); the label of a highlighted edge beside it
    (:func:`~graphstudio.render.labels.edge_label_rect`)."""
    name = theme.used if edge.highlight else theme.edge
    alpha = None
    width = 3.0 if edge.highlight else 1.6
    if edge.weight is not None and not edge.highlight:  # Playground: sign by colour, size by width
        w = min(1.0, abs(edge.weight))
        name = theme.negative if edge.weight < 0 else theme.positive
        alpha = round(255 * (0.35 + 0.65 * w))
        width = 1.0 + 5.0 * w
    colour = _color(name, alpha)
    tip, direction = _arrival(path)
    size = 9.0 + width
    normal = QPointF(-direction.y(), direction.x())
    base = tip - direction * size
    head = QPolygonF([tip, base + normal * (size * 0.45), base - normal * (size * 0.45)])
    box = edge_label_rect(path, edge, theme, spot)
    border = fill = leader = None
    if box is not None:
        fill = _color(theme.background, 235)
        border = QPen(_color(theme.used if edge.highlight else theme.edge_label, 110), 1)
        leader = leader_line(path, box, spot)
    return EdgeDrawing(path, _edge_pen(name, alpha, width), colour, head, edge.label, box, border, fill,
                       theme, leader)


# Qt's enums looked up once: each lookup through a class costs microseconds in PySide6, and
# an edge is painted hundreds of times a frame
_ANTIALIASING = QPainter.RenderHint.Antialiasing
_TEXT_ANTIALIASING = QPainter.RenderHint.TextAntialiasing
_NO_BRUSH = Qt.BrushStyle.NoBrush
_NO_PEN = Qt.PenStyle.NoPen
_FLAT_CAP = Qt.PenCapStyle.FlatCap
#: a curve this long on screen (device pixels across its control points) is stroked in pieces
PIECES_FROM_PX = 400.0


def paint_edge_drawing(painter: QPainter, drawing: EdgeDrawing, screen: bool = False) -> None:
    """Paint an edge worked out by :func:`edge_drawing`. ``screen``: the painter draws pixels
    (the canvas), and a long curve with a pen wider than a pixel is stroked as straight
    pieces a fraction of a pixel off it (:func:`_stroke_pieces`)."""
    painter.save()
    painter.setRenderHint(_ANTIALIASING, True)
    painter.setBrush(_NO_BRUSH)
    if not (screen and _stroke_pieces(painter, drawing)):
        painter.setPen(drawing.pen)
        painter.drawPath(drawing.path)
    painter.setPen(_NO_PEN)
    painter.setBrush(drawing.colour)
    painter.drawPolygon(drawing.head)
    if drawing.leader is not None:
        _paint_leader(painter, drawing)
    if drawing.label_box is not None:
        theme = drawing.theme
        painter.setBrush(drawing.label_fill)
        painter.setPen(drawing.label_border)
        painter.drawRoundedRect(drawing.label_box, 4, 4)
        painter.setFont(fonts(theme).edge)
        painter.setPen(_color(theme.edge_label))
        painter.drawText(drawing.label_box, CENTRE, drawing.label)
    painter.restore()


def _stroke_pieces(painter: QPainter, drawing: EdgeDrawing) -> bool:
    """Stroke a long curve as the straight pieces that approximate it to half a device pixel
    (flat ends, then a dot at each end for the round cap), if its pen is wider than a device
    pixel; whether it did. Qt strokes a curve with such a pen by filling its outline, which
    for a curve running across the canvas (or far beyond it) takes several times as long as
    rasterizing its straight pieces one by one; on screen the two look the same. A short
    curve costs about the same either way, and is stroked as it is."""
    pen = drawing.pen
    device = painter.deviceTransform()
    scale = device.m11()  # device pixels per scene unit
    if pen.widthF() * scale <= 1.0:
        return False  # Qt draws a pen this thin as a cosmetic line, faster still
    pieces = drawing.pieces
    if not pieces or pieces[0] != scale:
        pieces[:] = [scale, _pieces(drawing.path, pen, scale)]
    lines = pieces[1]
    if lines is None or device.m22() != scale or device.m12() or device.m21() \
            or device.m13() or device.m23():
        return False  # turned, sheared or in perspective (never on the canvas)
    pairs, wide, radius = lines
    # the pieces are in device pixels from the scene's origin: undo the scale, keep the rest
    world = painter.worldTransform()
    painter.setWorldTransform(QTransform.fromScale(1 / scale, 1 / scale) * world)
    painter.setPen(wide)
    painter.drawLines(pairs)
    painter.setPen(_NO_PEN)
    painter.setBrush(pen.color())
    painter.drawEllipse(pairs[0], radius, radius)
    painter.drawEllipse(pairs[-1], radius, radius)
    painter.setBrush(_NO_BRUSH)
    painter.setWorldTransform(world)
    return True


def _pieces(path: QPainterPath, pen: QPen, scale: float):
    """(point pairs in device pixels, the pen for them, the radius of the ends) of ``path`` at
    ``scale``, or None for a curve short enough to be stroked as it is."""
    box = path.controlPointRect()
    if (box.width() + box.height()) * scale < PIECES_FROM_PX:
        return None
    points = path.toSubpathPolygons(QTransform.fromScale(scale, scale))[0].toList()
    if len(points) < 2:
        return None
    pairs = [None] * (2 * len(points) - 2)  # each piece's two ends
    pairs[0::2], pairs[1::2] = points[:-1], points[1:]
    wide = QPen(pen)
    wide.setWidthF(pen.widthF() * scale)
    wide.setCapStyle(_FLAT_CAP)
    return pairs, wide, wide.widthF() / 2


def _paint_leader(painter: QPainter, drawing: EdgeDrawing) -> None:
    """The line from the curve to a label set apart, in the colour of the label's border, with
    a dot where it leaves the curve."""
    colour = _color(drawing.label_border.color().name(), 200)
    painter.setPen(QPen(colour, 1.2))
    painter.drawLine(drawing.leader)
    painter.setPen(_NO_PEN)
    painter.setBrush(colour)
    painter.drawEllipse(drawing.leader.p1(), 2.5, 2.5)


def paint_edge(painter: QPainter, path: QPainterPath, edge: EdgeView, theme: Theme,
               spot: LabelSpot = MIDDLE_SPOT) -> None:
    """The curve with an arrow head at the port; the label (local derivative) on a background
    box at the middle (or at ``spot``), so it reads over other lines; the label of a
    highlighted edge beside it (:func:`~graphstudio.render.labels.edge_label_rect`)."""
    paint_edge_drawing(painter, edge_drawing(path, edge, theme, spot))


# ---- nodes ------------------------------------------------------------------------------------


def _fill(view: NodeView, theme: Theme) -> str:
    if view.is_output:
        return theme.output_fill
    return {"input": theme.input_fill, "param": theme.param_fill, "const": theme.const_fill}.get(
        view.kind, theme.node_fill)


def _paint_header(painter: QPainter, view: NodeView, layout: NodeLayout, box: QRectF,
                  theme: Theme) -> None:
    """Name, shape badge and op symbol (or tag); an unnamed op's symbol in the middle."""
    f = fonts(theme)
    left, title, right, rtext, colour = layout.header
    bw, bh = layout.badge
    painter.setFont(getattr(f, left))
    painter.setPen(_color(theme.text))
    if right is None:  # an unnamed op: its symbol centred, the badge in the right corner
        painter.drawText(box.adjusted(0, 0, -bw, 0) if bw else box, MIDDLE, title)
        badge_x = box.right() - bw
    else:
        painter.drawText(box, LEFT, title)
        badge_x = box.left() + layout.title_w + (BADGE_GAP if title else 0)
        if rtext:
            painter.setFont(getattr(f, right))
            painter.setPen(_color(getattr(theme, colour)))
            painter.drawText(box, RIGHT, rtext)
    if bw:
        badge = QRectF(badge_x, box.center().y() - bh / 2, bw, bh)
        painter.setPen(Qt.NoPen)
        painter.setBrush(_color(theme.muted, 40))
        painter.drawRoundedRect(badge, bh / 2, bh / 2)
        painter.setFont(f.tag)
        painter.setPen(_color(theme.muted))
        painter.drawText(badge, CENTRE, view.badge)


def _paint_body(painter: QPainter, view: NodeView, layout: NodeLayout, rect: QRectF,
                theme: Theme) -> None:
    f = fonts(theme)
    neuron = view.style == "neuron"
    pad_x = NEURON_PAD_X if neuron else PAD_X
    x0, top = rect.left() + pad_x, rect.top()
    font = None  # the value font, once set (a frame draws two numbers in every box)
    for kind, text, y, w, h in layout.body:
        if kind == "value" or kind == "grad":
            if font is None:
                font = f.neuron_value if neuron else f.value
                painter.setFont(font)
            painter.setPen(_color(theme.value if kind == "value" else theme.grad))
            if "\n" in text:
                painter.drawText(QRectF(x0, top + y, rect.width() - 2 * pad_x, h), TOP_LEFT,
                                 text)
            else:  # one line: the same place, drawn three times as fast as laid out in a box
                ascent = f.fm["neuron_value" if neuron else "value"].ascent
                painter.drawText(QPointF(x0, top + y + ascent), text)
            continue
        font = None
        if kind == "seed":
            painter.setFont(f.tag)
            painter.setPen(_color(theme.grad))
            painter.drawText(QRectF(x0, top + y, rect.width() - 2 * pad_x, h), LEFT, text)
        elif kind == "grad-label":
            painter.setFont(f.tag)
            painter.setPen(_color(theme.grad))
            painter.drawText(QRectF(x0, top + y, w, h), LEFT, text)
        elif kind in ("value-range", "grad-range"):
            painter.setFont(f.tag)
            painter.setPen(_color(theme.grad if kind == "grad-range" else theme.muted))
            painter.drawText(QRectF(x0, top + y, w, h), LEFT, text)
        elif kind in ("value-grid", "grad-grid"):
            gradient = kind == "grad-grid"
            paint_grid(painter, QPointF(x0, top + y),
                       view.grad_grid if gradient else view.value_grid,
                       theme, gradient=gradient, widths=layout.widths)


_THUMBNAILS: dict[int, tuple] = {}  # id(levels) -> (weak ref to levels, theme, QImage)


def _thumbnail_image(levels: np.ndarray, theme: Theme):
    """The heat map of a unit's response (row 0 of ``levels`` at the bottom), made once per
    array and theme: a repaint draws the same image again."""
    hit = _THUMBNAILS.get(id(levels))
    if hit is not None and hit[0]() is levels and hit[1] is theme:
        return hit[2]
    image = heat_image(np.asarray(levels)[::-1] * THUMBNAIL_STRENGTH, theme)
    if len(_THUMBNAILS) > 1024:
        _THUMBNAILS.clear()
    try:
        _THUMBNAILS[id(levels)] = (weakref.ref(levels), theme, image)
    except TypeError:  # not an ndarray (no weak references): not cached
        pass
    return image


def paint_node(painter: QPainter, rect: QRectF, view: NodeView, theme: Theme,
               selected: bool = False, hover: bool = False, body: bool = True,
               part: str | None = None) -> None:
    """Draw one node into ``rect`` (from :func:`node_rect`); without its ``body`` (the rows
    under the header: value, gradient, grids), the box that :func:`box_key` describes, for
    :func:`paint_node_body` to draw on (a canvas keeps the box as a picture while the
    numbers change). A unit's response (``view.thumbnail``) lies between two layers of the
    box: ``part="under"`` draws only what is under it (the halo, the fill and the border),
    ``part="over"`` what is on it, without the body (the border again, the header, the ports
    and badges); :func:`paint_thumbnail` draws it in between."""
    painter.save()
    painter.setRenderHint(_ANTIALIASING, True)
    painter.setRenderHint(_TEXT_ANTIALIASING, True)
    if part != "over":
        _paint_under(painter, rect, view, theme, selected, hover)
    if part is None:
        _paint_thumbnail(painter, rect, view, theme, selected, hover)
    if part != "under":
        _paint_over(painter, rect, view, theme, selected, hover, body and part is None)
    painter.restore()


def _radius(view: NodeView) -> float:
    return 7.0 if view.style == "neuron" else 9.0


def _border(view: NodeView, theme: Theme, selected: bool, hover: bool) -> QPen:
    """The pen of a node's border."""
    if view.error:
        border, bw = theme.error, 2.4
    elif view.is_output:
        border, bw = theme.output_border, 2.8
    else:
        border, bw = theme.border, 1.8 if hover else 1.2
    if selected:
        border, bw = theme.selection, 2.4
    pen = QPen(_color(border), bw)
    if view.kind == "const":
        pen.setStyle(Qt.DashLine)
    return pen


def _paint_under(painter: QPainter, rect: QRectF, view: NodeView, theme: Theme,
                 selected: bool, hover: bool) -> None:
    """The halo (the step's current node, the selection), the fill and the border."""
    radius = _radius(view)
    if view.highlight == "current":
        painter.setPen(Qt.NoPen)
        painter.setBrush(_color(theme.highlight))
        painter.drawRoundedRect(rect.adjusted(-6, -6, 6, 6), radius + 5, radius + 5)
    if selected:
        painter.setPen(Qt.NoPen)
        painter.setBrush(_color(theme.selection, 60))
        painter.drawRoundedRect(rect.adjusted(-5, -5, 5, 5), radius + 4, radius + 4)
    painter.setBrush(_color(_fill(view, theme)))
    painter.setPen(_border(view, theme, selected, hover))
    painter.drawRoundedRect(rect, radius, radius)


def paint_thumbnail(painter: QPainter, rect: QRectF, view: NodeView, theme: Theme,
                    selected: bool = False, hover: bool = False) -> None:
    """A unit's response over the input plane, inside the border of a node drawn in ``rect``
    (between ``paint_node``'s parts "under" and "over"); nothing for a node without one."""
    if view.thumbnail is None:
        return
    painter.save()
    painter.setRenderHint(_ANTIALIASING, True)
    painter.setRenderHint(_TEXT_ANTIALIASING, True)
    _paint_thumbnail(painter, rect, view, theme, selected, hover)
    painter.restore()


def _paint_thumbnail(painter: QPainter, rect: QRectF, view: NodeView, theme: Theme,
                     selected: bool, hover: bool) -> None:
    if view.thumbnail is None:
        return
    radius = _radius(view)
    bw = _border(view, theme, selected, hover).widthF()
    clip = QPainterPath()
    clip.addRoundedRect(rect.adjusted(bw / 2, bw / 2, -bw / 2, -bw / 2), radius, radius)
    painter.save()
    painter.setClipPath(clip)
    painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
    painter.drawImage(rect, _thumbnail_image(view.thumbnail, theme))
    painter.restore()


def _paint_over(painter: QPainter, rect: QRectF, view: NodeView, theme: Theme,
                selected: bool, hover: bool, body: bool) -> None:
    """Over a unit's response: the border again, the header (and the ``body``), the legend,
    the ports and the error or warning badge."""
    f = fonts(theme)
    radius = _radius(view)
    if view.thumbnail is not None:
        painter.setPen(_border(view, theme, selected, hover))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(rect, radius, radius)

    layout = node_layout(view, theme)
    pad_x, pad_y = _pads(view)
    _paint_header(painter, view, layout,
                  QRectF(rect.left() + pad_x, rect.top() + pad_y, rect.width() - 2 * pad_x,
                         layout.header_h), theme)
    if body:
        _paint_body(painter, view, layout, rect, theme)
    legend = _legend(view)
    if legend:  # on the bottom border, right, over a patch of the node's fill
        fm = f.fm["tag"]
        w, h = fm.horizontalAdvance(legend) + 8, fm.height()
        box = QRectF(rect.right() - radius - 6 - w, rect.bottom() - h / 2, w, h)
        painter.setPen(Qt.NoPen)
        painter.setBrush(_color(_fill(view, theme)))
        painter.drawRect(box)
        painter.setFont(f.tag)
        painter.setPen(_color(theme.muted))
        painter.drawText(box, CENTRE, legend)

    # argument ports (numbered for non-commutative ops) and the output
    numbered = view.numbered_ports
    painter.setFont(f.port)
    for p in range(view.n_ports):
        c = port_point(rect, p, view.n_ports)
        painter.setPen(_pen(theme.border, 1.2))
        painter.setBrush(_color(theme.background))
        painter.drawEllipse(c, PORT_RADIUS, PORT_RADIUS)
        if numbered:
            painter.setPen(_color(theme.muted))
            # outside, above-left of the circle: clear of the node's text and the incoming edge
            painter.drawText(QRectF(c.x() - PORT_RADIUS - 14, c.y() - PORT_RADIUS - 15, 14, 14),
                             RIGHT, str(p + 1))
    o = output_point(rect)
    painter.setPen(_pen(theme.border, 1.2))
    painter.setBrush(_color(theme.output_border if view.is_output else theme.border))
    painter.drawEllipse(o, PORT_RADIUS - 0.5, PORT_RADIUS - 0.5)

    # error / warning badge
    if view.error or view.warning:
        colour = theme.error if view.error else theme.warning
        c = QPointF(rect.right() - 2, rect.top() + 2)
        painter.setPen(QPen(_color(theme.background), 1.5))
        painter.setBrush(_color(colour))
        painter.drawEllipse(c, 9, 9)
        painter.setFont(f.badge)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(QRectF(c.x() - 9, c.y() - 9, 18, 18), CENTRE, "!")


def paint_node_body(painter: QPainter, rect: QRectF, view: NodeView, theme: Theme,
                    keep_state: bool = True) -> None:
    """Draw the rows under a node's header (what ``paint_node(..., body=False)`` leaves out).
    Without ``keep_state``, the painter is left with the body's render hints, font and pen (a
    caller that saved its state and restores it saves the second save, a frame's numbers
    being drawn for every box)."""
    if keep_state:
        painter.save()
    painter.setRenderHint(_ANTIALIASING, True)
    painter.setRenderHint(_TEXT_ANTIALIASING, True)
    _paint_body(painter, view, node_layout(view, theme), rect, theme)
    if keep_state:
        painter.restore()


def box_key(view: NodeView, rect: QRectF, theme: Theme, selected: bool = False,
            hover: bool = False) -> tuple:
    """Everything ``paint_node(..., body=False)`` draws from, as a key: two boxes with equal
    keys look the same (but for a unit's response, ``view.thumbnail``, which is not in it:
    it changes with the numbers)."""
    layout = node_layout(view, theme)
    return (rect.width(), rect.height(), theme, selected, hover, view.style, view.kind,
            view.highlight, bool(view.error), bool(view.warning), view.is_output, layout.header,
            layout.header_h, layout.title_w, layout.badge, view.badge, view.n_ports,
            view.numbered_ports)


# ---- whole pictures ----------------------------------------------------------------------------


_last_geometry: list = [None, None, None]  # a weak reference to a picture, its theme, its geometry


def _geometry(picture: Picture, theme: Theme):
    """Node boxes, edge curves and label spots of a picture. An export asks twice for the same
    picture (its bounds, then its drawing): the last answer is kept for as long as that
    picture lives (pictures are not changed once made)."""
    ref, last_theme, last = _last_geometry
    if ref is not None and ref() is picture and last_theme is theme:
        return last
    result = _geometry_of(picture, theme)
    _last_geometry[:] = [weakref.ref(picture), theme, result]
    return result


def _geometry_of(picture: Picture, theme: Theme):
    rects = {n: node_rect(v, picture.positions.get(n, (0.0, 0.0)), theme)
             for n, v in picture.nodes.items()}
    edges = [e for e in picture.edges if e.src in rects and e.dst in rects]
    routes = route_edges(rects, [(e.src, e.dst, e.port, picture.nodes[e.dst].n_ports)
                                 for e in edges])
    paths = [(e, r.path()) for e, r in zip(edges, routes)]
    avoid = dict(rects)
    for frame in picture.groups:  # an edge label keeps clear of a frame's name too
        box = frame_rect([rects[n] for n in frame.members if n in rects])
        if not box.isNull():
            avoid[("frame", frame.group)] = label_rect(box, frame.name, theme)

    def title(key) -> QRectF | None:  # a box's name (its header), or a frame's
        return row_rect(picture.nodes[key], rects[key], theme, "header") if key in rects \
            else avoid[key]
    return rects, paths, label_spots(paths, avoid, theme, title)


def _content_bounds(rects, paths, spots, theme: Theme) -> QRectF:
    bounds = QRectF()
    for r in rects.values():
        bounds = bounds.united(r.adjusted(-PORT_RADIUS - 14, -12, PORT_RADIUS + 2, 6))
    for (e, path), spot in zip(paths, spots):
        bounds = bounds.united(path.boundingRect())
        box = edge_label_rect(path, e, theme, spot)
        if box is not None:
            bounds = bounds.united(box)
    return bounds


def _caption_rect(picture: Picture, theme: Theme, content: QRectF) -> QRectF | None:
    if not picture.caption:
        return None
    fm = fonts(theme).fm["caption"]
    h = fm.height()
    return QRectF(content.left(), content.top() - h - 14, fm.horizontalAdvance(picture.caption) + 4, h)


def paint_picture(painter: QPainter, picture: Picture, theme: Theme) -> None:
    """Edges, then nodes, then highlighted edges, then the caption above the top-left of the
    drawing; no background."""
    rects, paths, spots = _geometry(picture, theme)
    for frame in picture.groups:  # an expanded group's frame, under everything
        paint_frame(painter, frame_rect([rects[n] for n in frame.members if n in rects]),
                    frame.name, theme)
    for (e, path), spot in zip(paths, spots):
        if not e.highlight:
            paint_edge(painter, path, e, theme, spot)
    for frame in picture.groups:
        paint_label(painter, frame_rect([rects[n] for n in frame.members if n in rects]),
                    frame.name, theme)
    for n, view in picture.nodes.items():
        paint_node(painter, rects[n], view, theme)
    # the highlighted edges (a step's) over everything: no other edge's label covers the path
    # the step follows, and on a short edge, where no spot for its label is clear of the
    # boxes (but for their titles), the local derivative the step is about still reads (as
    # on the canvas)
    for (e, path), spot in zip(paths, spots):
        if e.highlight:
            paint_edge(painter, path, e, theme, spot)
    box = _caption_rect(picture, theme, _content_bounds(rects, paths, spots, theme))
    if box is not None:
        painter.save()
        painter.setFont(fonts(theme).caption)
        painter.setPen(_color(theme.text))
        painter.drawText(box, LEFT, picture.caption)
        painter.restore()


def picture_bounds(picture: Picture, theme: Theme, margin: float = 24) -> QRectF:
    """Everything :func:`paint_picture` draws (edge labels and caption included) plus ``margin``."""
    rects, paths, spots = _geometry(picture, theme)
    bounds = _content_bounds(rects, paths, spots, theme)
    if picture.groups:
        bounds = bounds.united(frames_bounds(picture, rects, theme))
    box = _caption_rect(picture, theme, bounds)
    if box is not None:
        bounds = bounds.united(box)
    if bounds.isNull():
        bounds = QRectF(0, 0, 1, 1)
    return bounds.adjusted(-margin, -margin, margin, margin)


def node_sizes(picture: Picture, theme: Theme) -> dict[int, tuple[float, float]]:
    """Width and height of every node's box, for a layout that keeps boxes apart."""
    out = {}
    for n, v in picture.nodes.items():
        r = node_rect(v, (0.0, 0.0), theme)
        out[n] = (r.width(), r.height())
    return out


def arrange(graph, evaluation, theme: Theme, edge_labels: bool = False,
            picture: Picture | None = None) -> dict[int, tuple[float, float]]:
    """Layered layout of ``graph`` with every node's box drawn as it will be (values and
    gradients from ``evaluation``), so wide array nodes get wide columns: the canvas's
    Graph > Arrange and the exporters' layout for files without positions. ``picture``: the
    picture :func:`arrange_picture` made of it, when the caller keeps it (to show it)."""
    from ..core.groups import gates, hidden_members
    from .groups import shown_graph
    from .layout import layered_layout
    from .picture import build_picture
    from .room import LABEL_MARGIN, label_width

    if picture is None:
        picture = arrange_picture(graph, evaluation, edge_labels)
    sizes = node_sizes(picture, theme)
    neurons = any(v.style == "neuron" for v in picture.nodes.values())
    gap_x, gap_y = (NEURON_COLUMN_GAP, NEURON_ROW_GAP) if neurons else (COLUMN_GAP, ROW_GAP)
    if edge_labels:  # room for the widest local-derivative label between two columns
        gap_x = max(gap_x, label_width(picture, theme) + LABEL_MARGIN)
    shown = shown_graph(graph)
    if shown is graph:
        return layered_layout(graph, gap_x, gap_y, sizes=sizes)
    # collapsed groups: the graph as shown is laid out; the nodes a group hides keep their
    # places of the whole graph's layout, moved with their gate (expanding it may then ask
    # for Arrange, which lays the group's nodes out in the open)
    placed = layered_layout(shown, gap_x, gap_y, sizes=sizes)
    whole = build_picture(graph, evaluation, {}, edge_labels=edge_labels, groups=False)
    full = layered_layout(graph, gap_x, gap_y, sizes=node_sizes(whole, theme))
    for n, gid in hidden_members(graph).items():
        out = next(o for o, g in gates(graph).items() if g == gid)
        dx, dy = placed[out][0] - full[out][0], placed[out][1] - full[out][1]
        placed[n] = (full[n][0] + dx, full[n][1] + dy)
    return placed


def arrange_picture(graph, evaluation, edge_labels: bool = False) -> Picture:
    """The picture :func:`arrange` measures the boxes of (every number and gradient shown, no
    positions yet)."""
    from .picture import build_picture

    return build_picture(graph, evaluation, {}, edge_labels=edge_labels)
