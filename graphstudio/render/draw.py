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
    └──────────────────┘      (an array output: a last line "seed: sum of the elements")

Inputs, parameters, constants and op nodes have their own fills; the output has a coloured
border; a node that failed is outlined in the error colour with a "!" badge (a warning gets a
badge in the warning colour). Arrays show their shape, small ones their numbers, larger ones a
heat map (blue negative, red positive). Argument ports of non-commutative ops (as the op
registry says, through :attr:`NodeView.numbered_ports`) are numbered so
``a − b`` is not mistaken for ``b − a``.
"""

from __future__ import annotations

import math
import weakref
from functools import lru_cache

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QImage, QPainter,
                           QPainterPath, QPen, QPolygonF)

from .picture import EdgeView, NodeView, Picture
from .routing import PORT_RADIUS, PORT_SPACING, edge_path, output_point, port_point, route_edges
from .style import Theme

__all__ = ["node_rect", "paint_node", "paint_edge", "paint_picture", "picture_bounds",
           "edge_label_rect", "label_spots", "node_sizes", "row_rect", "arrange"]

PAD_X = 14.0  # horizontal padding inside a node (room for the ports)
PAD_Y = 8.0
LINE_GAP = 2.0
MIN_WIDTH = 92.0
HEAT_MAX_W = 120.0  # heat maps fit in this box
HEAT_MAX_H = 60.0
SMALL_ARRAY = 12  # arrays with at most this many entries show their numbers
LABEL_SPOTS = (0.5, 0.38, 0.62, 0.28, 0.72, 0.44, 0.56, 0.2, 0.8)  # where along an edge its label
# may sit, best first (the last ones for long routed edges, whose middle may be crowded)


# ---- fonts ------------------------------------------------------------------------------------


class _Fonts:
    def __init__(self, family: str, mono: str) -> None:
        def font(fam: str, px: int, bold: bool = False) -> QFont:
            f = QFont(fam)
            f.setPixelSize(px)
            f.setBold(bold)
            f.setHintingPreference(QFont.PreferNoHinting)
            return f

        self.title = font(family, 16, True)
        self.symbol = font(family, 17, True)
        self.big_symbol = font(family, 22, True)
        self.value = font(mono, 14)
        self.tag = font(family, 11)
        self.port = font(family, 10, True)
        self.edge = font(family, 12)
        self.caption = font(family, 17, True)
        self.badge = font(family, 12, True)
        self.fm = {name: QFontMetricsF(getattr(self, name)) for name in
                   ("title", "symbol", "big_symbol", "value", "tag", "port", "edge", "caption")}


@lru_cache(maxsize=8)
def _fonts(family: str, mono: str) -> _Fonts:
    return _Fonts(family, mono)


def fonts(theme: Theme) -> _Fonts:
    return _fonts(theme.font_family, theme.mono_family)


# ---- what a node holds ------------------------------------------------------------------------


def _is_big_array(view: NodeView) -> bool:
    return len(view.shape) >= 1 and int(np.prod(view.shape)) > SMALL_ARRAY


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


def _tag(view: NodeView) -> str:
    """The small muted word in the header's right corner (leaves only)."""
    if view.kind == "op":
        return ""
    return {"input": "input", "param": "param", "const": "const"}[view.kind]


def _header_text(view: NodeView) -> str:
    """The bold name; a constant shows its value; an unnamed op shows nothing (just its symbol)."""
    if view.title:
        return view.title
    if view.kind == "const":
        return view.value_text
    return ""


def _heat_size(shape: tuple[int, ...]) -> tuple[float, float]:
    rows, cols = (1, shape[0]) if len(shape) == 1 else (int(np.prod(shape[:-1])), shape[-1])
    cell = max(1.0, min(14.0, HEAT_MAX_W / cols, HEAT_MAX_H / rows))
    return cols * cell, rows * cell


def _lines(view: NodeView, theme: Theme) -> list[tuple[str, str, float, float]]:
    """The body's lines below the header: (kind, text, width, height); kind is "value", "grad",
    "heat-value", "heat-grad", "shape" or "seed"."""
    f = fonts(theme)
    fm = f.fm["value"]
    out = []
    big = _is_big_array(view)
    if view.shape:
        out.append(("shape", _shape_text(view.shape), f.fm["tag"].horizontalAdvance(_shape_text(view.shape)),
                    f.fm["tag"].height()))

    def text_line(kind: str, text: str) -> None:
        rows = text.splitlines() or [""]
        w = max(fm.horizontalAdvance(r) for r in rows)
        out.append((kind, text, w, fm.height() * len(rows)))

    if view.kind == "const" and not view.title and not view.shape:
        return out  # the header already shows the constant
    if view.value_text:
        if big and isinstance(view.value, np.ndarray):
            w, h = _heat_size(view.shape)
            out.append(("heat-value", "", w, h))
        else:
            text_line("value", view.value_text)
    if view.grad_text and view.kind != "const":
        if big and isinstance(view.grad, np.ndarray) and np.shape(view.grad) == view.shape:
            w, h = _heat_size(view.shape)
            out.append(("heat-grad", "", w + fm.horizontalAdvance("∇ "), h))
        else:
            rows = view.grad_text.splitlines()
            pad = " " * len(view.grad_prefix)
            text_line("grad", "\n".join((view.grad_prefix if i == 0 else pad) + r for i, r in enumerate(rows)))
    if view.seed_text:
        tag = f.fm["tag"]
        out.append(("seed", view.seed_text, tag.horizontalAdvance(view.seed_text), tag.height()))
    return out


def _header_size(view: NodeView, theme: Theme) -> tuple[float, float]:
    f = fonts(theme)
    title = _header_text(view)
    if not title and view.kind == "op":
        return f.fm["big_symbol"].horizontalAdvance(view.symbol), f.fm["big_symbol"].height()
    w = f.fm["title"].horizontalAdvance(title)
    right = view.symbol if view.kind == "op" else _tag(view)
    rf = f.fm["symbol"] if view.kind == "op" else f.fm["tag"]
    if right:
        w += 12 + rf.horizontalAdvance(right)
    return w, max(f.fm["title"].height(), rf.height())


def _rows(view: NodeView, rect: QRectF, theme: Theme) -> list[tuple[str, str, QRectF]]:
    """The node's rows inside ``rect``: ("header", title, box) then the body lines."""
    x0, y = rect.left() + PAD_X, rect.top() + PAD_Y
    hh = _header_size(view, theme)[1]
    rows = [("header", _header_text(view), QRectF(x0, y, rect.width() - 2 * PAD_X, hh))]
    y += hh
    for kind, text, w, h in _lines(view, theme):
        y += LINE_GAP
        rows.append((kind, text, QRectF(x0, y, w, h)))
        y += h
    return rows


def row_rect(view: NodeView, rect: QRectF, theme: Theme, kind: str) -> QRectF | None:
    """Where row ``kind`` ("header", "value", "grad", "shape", "heat-value"...) of a node drawn
    in ``rect`` is, or None: the canvas uses it to edit a name or scrub a value in place."""
    for k, _text, box in _rows(view, rect, theme):
        if k == kind:
            return box
    return None


def node_rect(view: NodeView, center: tuple[float, float], theme: Theme) -> QRectF:
    """The node's box centred on ``center``, sized from the text it holds."""
    hw, hh = _header_size(view, theme)
    lines = _lines(view, theme)
    w = max([hw] + [ln[2] for ln in lines])
    h = hh + sum(ln[3] + LINE_GAP for ln in lines)
    width = max(MIN_WIDTH, w + 2 * PAD_X)
    height = max(h + 2 * PAD_Y, view.n_ports * PORT_SPACING + 8, 40.0)
    return QRectF(center[0] - width / 2, center[1] - height / 2, width, height)


# ---- edges (their curves come from routing.py) -------------------------------------------------


def _color(text: str, alpha: int | None = None) -> QColor:
    c = QColor(text)
    if alpha is not None:
        c.setAlpha(alpha)
    return c


def edge_label_rect(path: QPainterPath, edge: EdgeView, theme: Theme,
                    at: float = 0.5) -> QRectF | None:
    """Where an edge's label goes (a box around the point ``at`` along the curve, by default its
    middle), or None without a label."""
    if not edge.label:
        return None
    fm = fonts(theme).fm["edge"]
    mid = path.pointAtPercent(at)
    w = fm.horizontalAdvance(edge.label) + 10
    h = fm.height() + 4
    return QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)


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


def paint_edge(painter: QPainter, path: QPainterPath, edge: EdgeView, theme: Theme,
               label_at: float = 0.5) -> None:
    """The curve with an arrow head at the port; the label (local derivative) on a background
    box at the middle (or ``label_at`` along the curve), so it reads over other lines."""
    colour = _color(theme.used if edge.highlight else theme.edge)
    width = 3.0 if edge.highlight else 1.6
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setBrush(Qt.NoBrush)
    painter.setPen(QPen(colour, width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
    painter.drawPath(path)
    tip, direction = _arrival(path)
    size = 9.0 + width
    normal = QPointF(-direction.y(), direction.x())
    base = tip - direction * size
    head = QPolygonF([tip, base + normal * (size * 0.45), base - normal * (size * 0.45)])
    painter.setPen(Qt.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(head)
    box = edge_label_rect(path, edge, theme, label_at)
    if box is not None:
        painter.setBrush(_color(theme.background, 235))
        painter.setPen(QPen(_color(theme.used if edge.highlight else theme.edge_label, 110), 1))
        painter.drawRoundedRect(box, 4, 4)
        painter.setFont(fonts(theme).edge)
        painter.setPen(_color(theme.edge_label))
        painter.drawText(box, Qt.AlignCenter, edge.label)
    painter.restore()


# ---- nodes ------------------------------------------------------------------------------------


def _fill(view: NodeView, theme: Theme) -> str:
    if view.is_output:
        return theme.output_fill
    return {"input": theme.input_fill, "param": theme.param_fill, "const": theme.const_fill}.get(
        view.kind, theme.node_fill)


def _heat_image(values: np.ndarray) -> QImage:
    """A diverging heat map: blue for negative, white for zero, red for positive."""
    arr = np.asarray(values, dtype=float)
    arr = arr.reshape(1, -1) if arr.ndim == 1 else arr.reshape(-1, arr.shape[-1])
    finite = np.isfinite(arr)
    scale = np.abs(arr[finite]).max() if finite.any() else 1.0
    t = np.where(finite, arr / (scale or 1.0), 0.0)
    rows, cols = arr.shape
    rgb = np.empty((rows, cols, 4), dtype=np.uint8)
    pos = np.clip(t, 0, 1)
    neg = np.clip(-t, 0, 1)
    rgb[..., 0] = (255 - neg * (255 - 49)).astype(np.uint8)  # towards #3165c8 / #d03b2e
    rgb[..., 1] = (255 - pos * (255 - 59) - neg * (255 - 101)).astype(np.uint8)
    rgb[..., 2] = (255 - pos * (255 - 46) - neg * (255 - 200)).astype(np.uint8)
    rgb[..., 3] = 255
    rgb[~finite] = (120, 120, 120, 255)
    data = np.ascontiguousarray(rgb[..., [2, 1, 0, 3]])  # QImage.Format_ARGB32 is BGRA in memory
    img = QImage(data.data, cols, rows, cols * 4, QImage.Format_ARGB32)
    return img.copy()  # own the pixels


def _draw_heat(painter: QPainter, x: float, y: float, w: float, h: float, values, theme: Theme) -> None:
    target = QRectF(x, y, w, h)
    painter.drawImage(target, _heat_image(values))
    painter.setBrush(Qt.NoBrush)
    painter.setPen(QPen(_color(theme.muted), 0.8))
    painter.drawRect(target)


def paint_node(painter: QPainter, rect: QRectF, view: NodeView, theme: Theme,
               selected: bool = False, hover: bool = False) -> None:
    """Draw one node into ``rect`` (from :func:`node_rect`)."""
    f = fonts(theme)
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setRenderHint(QPainter.TextAntialiasing, True)
    radius = 9.0
    if view.highlight == "current":
        painter.setPen(Qt.NoPen)
        painter.setBrush(_color(theme.highlight))
        painter.drawRoundedRect(rect.adjusted(-6, -6, 6, 6), radius + 5, radius + 5)
    if selected:
        painter.setPen(Qt.NoPen)
        painter.setBrush(_color(theme.selection, 60))
        painter.drawRoundedRect(rect.adjusted(-5, -5, 5, 5), radius + 4, radius + 4)
    if view.error:
        border, bw = theme.error, 2.4
    elif view.is_output:
        border, bw = theme.output_border, 2.8
    else:
        border, bw = theme.border, 1.8 if hover else 1.2
    if selected:
        border, bw = theme.selection, 2.4
    painter.setBrush(_color(_fill(view, theme)))
    pen = QPen(_color(border), bw)
    if view.kind == "const":
        pen.setStyle(Qt.DashLine)
    painter.setPen(pen)
    painter.drawRoundedRect(rect, radius, radius)

    # header: name (bold) and op symbol, or a big symbol for an unnamed op
    x0, y = rect.left() + PAD_X, rect.top() + PAD_Y
    inner_w = rect.width() - 2 * PAD_X
    title = _header_text(view)
    hh = _header_size(view, theme)[1]
    box = QRectF(x0, y, inner_w, hh)
    if not title and view.kind == "op":
        parts = [(f.big_symbol, theme.text, Qt.AlignHCenter, view.symbol)]
    elif view.kind == "op":
        parts = [(f.title, theme.text, Qt.AlignLeft, title), (f.symbol, theme.text, Qt.AlignRight, view.symbol)]
    else:
        parts = [(f.title, theme.text, Qt.AlignLeft, title), (f.tag, theme.muted, Qt.AlignRight, _tag(view))]
    for font, colour, align, text in parts:
        painter.setFont(font)
        painter.setPen(_color(colour))
        painter.drawText(box, align | Qt.AlignVCenter, text)
    # body lines
    for kind, text, box in _rows(view, rect, theme)[1:]:
        x0, y, w, h = box.x(), box.y(), box.width(), box.height()
        if kind in ("shape", "seed"):
            painter.setFont(f.tag)
            painter.setPen(_color(theme.muted if kind == "shape" else theme.grad))
            painter.drawText(QRectF(x0, y, inner_w, h), Qt.AlignLeft | Qt.AlignVCenter, text)
        elif kind in ("value", "grad"):
            painter.setFont(f.value)
            painter.setPen(_color(theme.value if kind == "value" else theme.grad))
            painter.drawText(QRectF(x0, y, inner_w, h), Qt.AlignLeft | Qt.AlignTop, text)
        elif kind == "heat-value":
            _draw_heat(painter, x0, y, w, h, view.value, theme)
        elif kind == "heat-grad":
            painter.setFont(f.value)
            painter.setPen(_color(theme.grad))
            lead = f.fm["value"].horizontalAdvance("∇ ")
            painter.drawText(QRectF(x0, y, lead, f.fm["value"].height()), Qt.AlignLeft | Qt.AlignTop, "∇")
            _draw_heat(painter, x0 + lead, y, w - lead, h, view.grad, theme)

    # argument ports (numbered for non-commutative ops) and the output
    numbered = view.numbered_ports
    painter.setFont(f.port)
    for p in range(view.n_ports):
        c = port_point(rect, p, view.n_ports)
        painter.setPen(QPen(_color(theme.border), 1.2))
        painter.setBrush(_color(theme.background))
        painter.drawEllipse(c, PORT_RADIUS, PORT_RADIUS)
        if numbered:
            painter.setPen(_color(theme.muted))
            # outside, above-left of the circle: clear of the node's text and the incoming edge
            painter.drawText(QRectF(c.x() - PORT_RADIUS - 12, c.y() - PORT_RADIUS - 13, 12, 12),
                             Qt.AlignRight | Qt.AlignVCenter, str(p + 1))
    o = output_point(rect)
    painter.setPen(QPen(_color(theme.border), 1.2))
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
        painter.drawText(QRectF(c.x() - 9, c.y() - 9, 18, 18), Qt.AlignCenter, "!")
    painter.restore()


# ---- whole pictures ----------------------------------------------------------------------------


def label_spots(paths: list[tuple[EdgeView, QPainterPath]], rects: dict[int, QRectF],
                theme: Theme) -> list[float]:
    """For each edge, where along it its label sits: the first of :data:`LABEL_SPOTS` whose box
    overlaps no label placed before and no node; failing that, the spot overlapping least.
    Shorter edges are placed first (a long routed edge has room to move its label along)."""
    placed: list[QRectF] = []

    def overlap(box: QRectF) -> float:
        total = 0.0
        for other in placed + list(rects.values()):
            common = box.intersected(other)
            total += common.width() * common.height()
        return total

    spots = [0.5] * len(paths)
    # short edges first: they have little room, a long (routed) edge can move its label further
    order = sorted((k for k, (e, _p) in enumerate(paths) if e.label),
                   key=lambda k: (round(paths[k][1].length()), k))
    for k in order:
        e, path = paths[k]
        best = min(LABEL_SPOTS, key=lambda at: (overlap(edge_label_rect(path, e, theme, at)),
                                                 LABEL_SPOTS.index(at)))
        placed.append(edge_label_rect(path, e, theme, best))
        spots[k] = best
    return spots


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
    return rects, paths, label_spots(paths, rects, theme)


def _content_bounds(rects, paths, spots, theme: Theme) -> QRectF:
    bounds = QRectF()
    for r in rects.values():
        bounds = bounds.united(r.adjusted(-PORT_RADIUS - 14, -12, PORT_RADIUS + 2, 6))
    for (e, path), at in zip(paths, spots):
        bounds = bounds.united(path.boundingRect())
        box = edge_label_rect(path, e, theme, at)
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
    """Edges, then nodes, then the caption above the top-left of the drawing; no background."""
    rects, paths, spots = _geometry(picture, theme)
    for (e, path), at in zip(paths, spots):
        paint_edge(painter, path, e, theme, at)
    for n, view in picture.nodes.items():
        paint_node(painter, rects[n], view, theme)
    box = _caption_rect(picture, theme, _content_bounds(rects, paths, spots, theme))
    if box is not None:
        painter.save()
        painter.setFont(fonts(theme).caption)
        painter.setPen(_color(theme.text))
        painter.drawText(box, Qt.AlignLeft | Qt.AlignVCenter, picture.caption)
        painter.restore()


def picture_bounds(picture: Picture, theme: Theme, margin: float = 24) -> QRectF:
    """Everything :func:`paint_picture` draws (edge labels and caption included) plus ``margin``."""
    rects, paths, spots = _geometry(picture, theme)
    bounds = _content_bounds(rects, paths, spots, theme)
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


def arrange(graph, evaluation, theme: Theme, edge_labels: bool = False) -> dict[int, tuple[float, float]]:
    """Layered layout of ``graph`` with every node's box drawn as it will be (values and
    gradients from ``evaluation``), so wide array nodes get wide columns: the canvas's
    Graph > Arrange and the exporters' layout for files without positions."""
    from .layout import layered_layout
    from .picture import build_picture

    picture = build_picture(graph, evaluation, {}, edge_labels=edge_labels)
    gap_x = 90.0
    if edge_labels:  # room for the widest local-derivative label between two columns
        fm = fonts(theme).fm["edge"]
        widest = max((fm.horizontalAdvance(e.label) for e in picture.edges if e.label), default=0.0)
        gap_x = max(gap_x, widest + 60.0)
    return layered_layout(graph, gap_x, 34.0, sizes=node_sizes(picture, theme))
