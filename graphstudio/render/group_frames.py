"""The frame around an expanded group (:mod:`graphstudio.render.groups`): a dashed rounded
rectangle around its nodes' boxes with the group's name above its top-left corner, painted
under the edges and nodes, for the canvas and the drawn exports alike."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from .fonts import fonts
from .style import Theme

__all__ = ["frame_rect", "label_rect", "paint_frame", "frames_bounds"]

MARGIN = 14.0  # between the frame and the boxes inside it


def frame_rect(member_rects: list[QRectF]) -> QRectF:
    """The frame around the members' boxes (null when none is drawn)."""
    box = QRectF()
    for r in member_rects:
        box = box.united(r)
    return box.adjusted(-MARGIN - 10, -MARGIN, MARGIN, MARGIN) if not box.isNull() else box


def label_rect(frame: QRectF, name: str, theme: Theme) -> QRectF:
    fm = fonts(theme).fm["tag"]
    return QRectF(frame.left() + 6, frame.top() - fm.height() - 2,
                  fm.horizontalAdvance(name) + 8, fm.height())


def paint_frame(painter: QPainter, frame: QRectF, name: str, theme: Theme) -> None:
    if frame.isNull():
        return
    painter.save()
    color = QColor(theme.muted)
    pen = QPen(color, 1.5, Qt.DashLine)
    painter.setPen(pen)
    fill = QColor(theme.muted)
    fill.setAlpha(18)
    painter.setBrush(fill)
    painter.drawRoundedRect(frame, 10, 10)
    painter.setFont(fonts(theme).tag)
    painter.setPen(color)
    painter.drawText(label_rect(frame, name, theme), Qt.AlignLeft | Qt.AlignVCenter, name)
    painter.restore()


def frames_bounds(picture, rects: dict, theme: Theme) -> QRectF:
    """Everything the frames of ``picture`` draw, given its nodes' boxes."""
    bounds = QRectF()
    for frame in picture.groups:
        r = frame_rect([rects[n] for n in frame.members if n in rects])
        if not r.isNull():
            bounds = bounds.united(r).united(label_rect(r, frame.name, theme))
    return bounds
