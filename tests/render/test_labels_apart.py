"""The exporters place edge labels as the canvas does (render/labels.py). A graph whose own
layout leaves no room for its labels (a collapsed group's columns are not spread apart for
them), exported with its edge labels and step by step, has no label over a box's title; a label
with no room on its curve is drawn set apart, with a leader line to its curve."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPainter

import graphstudio.render.draw as draw
from graphstudio.core.engine import evaluate
from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file
from graphstudio.render.draw import arrange, picture_bounds, row_rect
from graphstudio.render.export import graph_picture, graph_steps
from graphstudio.render.style import THEMES

LIGHT = THEMES["light"]
SCALE = 2.0


def painted(picture, monkeypatch):
    """Paint ``picture`` as an export does: the image, each box's title and each label drawn
    (its box and its leader line or None)."""
    titles, labels = [], []
    real_node, real_edge = draw.paint_node, draw.paint_edge_drawing

    def node(painter, rect, view, theme, *args, **kw):
        titles.append(row_rect(view, rect, theme, "header"))
        return real_node(painter, rect, view, theme, *args, **kw)

    def edge(painter, drawing, *args, **kw):
        if drawing.label_box is not None:
            labels.append((drawing.label_box, drawing.leader))
        return real_edge(painter, drawing, *args, **kw)

    monkeypatch.setattr(draw, "paint_node", node)
    monkeypatch.setattr(draw, "paint_edge_drawing", edge)
    bounds = picture_bounds(picture, LIGHT)
    image = QImage(int(bounds.width() * SCALE), int(bounds.height() * SCALE), QImage.Format_RGB32)
    image.fill(QColor(LIGHT.background))
    painter = QPainter(image)
    painter.scale(SCALE, SCALE)
    painter.translate(-bounds.left(), -bounds.top())
    draw.paint_picture(painter, picture, LIGHT)
    painter.end()
    monkeypatch.undo()
    return image, bounds, titles, labels


def test_exported_steps_keep_every_title_clear_and_join_a_label_set_apart(monkeypatch, qapp):
    graph = parse_file(examples_dir() / "swish_function.gs")  # two collapsed swish gates
    ev = evaluate(graph)
    for n, xy in arrange(graph, ev, LIGHT).items():  # its own layout: no room for labels
        graph.set_position(n, xy)
    pictures = [graph_picture(graph, ev, edge_labels=True)] + graph_steps(graph, ev,
                                                                           edge_labels=True)
    drawn = apart = 0
    for picture in pictures:
        image, bounds, titles, labels = painted(picture, monkeypatch)
        for box, leader in labels:
            assert not any(box.intersects(t) for t in titles), (picture.caption, box)
            drawn += 1
            if leader is None:
                continue
            apart += 1
            assert box.adjusted(-0.5, -0.5, 0.5, 0.5).contains(leader.p2())
            # the leader is painted: a line of colour between the curve and the label
            background = QColor(LIGHT.background)
            drawn_along = 0
            for t in (0.2, 0.35, 0.5, 0.65, 0.8):
                p = (leader.pointAt(t) - bounds.topLeft()) * SCALE
                near = [image.pixelColor(round(p.x()) + dx, round(p.y()) + dy)
                        for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
                drawn_along += any(c != background for c in near)
            assert drawn_along == 5, (picture.caption, leader)
    assert drawn > 5 and apart >= 2  # the whole picture's ∂L/∂h1 and its backward step's
