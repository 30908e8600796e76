"""The PySide6 trap (DESIGN.md): 6.12.0 on Python 3.11 loses a reference to None on every Python
``paint()`` override and aborts after a few thousand paints. Paint a scene of a few hundred nodes,
whose items paint in Python, until thousands of paint() calls have run; on a crashing combination the process dies."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from graphstudio.ui.items import EdgeItem, NodeItem


def test_painting_a_big_scene_thousands_of_times(window):
    lines = ["x0 = 0.5"] + [f"x{k} = tanh(x{k - 1}) * 1.5 + {k % 7}" for k in range(1, 100)]
    window.build_expression("\n".join(lines))
    scene = window.scene
    assert len(scene.nodes) >= 300
    window.canvas.zoom_reset()  # zoomed out, the overview draws instead of the items
    assert scene.text_shown
    items = list(scene.nodes.values())
    paints = 0
    image = QImage(400, 300, QImage.Format_ARGB32)
    for k in range(800):
        # render a window of the scene around a few nodes, moving along the chain
        target = items[k % len(items)].sceneBoundingRect().adjusted(-150, -100, 150, 100)
        paints += sum(isinstance(i, (NodeItem, EdgeItem)) for i in scene.items(target))
        image.fill(QColor("white"))
        painter = QPainter(image)
        scene.render(painter, QRectF(0, 0, 400, 300), target)
        painter.end()
    full = QImage(800, 600, QImage.Format_ARGB32)
    for _ in range(5):
        painter = QPainter(full)
        scene.render(painter)
        painter.end()
    paints += 5 * (len(items) + len(scene.edges))
    colours = {image.pixel(x, y) for x in range(0, 400, 7) for y in range(0, 300, 7)}
    assert len(colours) > 5  # the last window shows nodes
    assert paints >= 6000  # Python paint() calls: past where 6.12.0 on 3.11 aborts
