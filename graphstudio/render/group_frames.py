"""The frame around an expanded group (:mod:`graphstudio.render.groups`): a dashed rounded
rectangle around its nodes' boxes, painted under the edges and nodes, with the group's name
above its top-left corner painted over the edges (so a passing edge never hides it), for the
canvas and the drawn exports alike."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from .fonts import fonts
from .style import Theme

__all__ = ["frame_rect", "label_rect", "paint_frame", "paint_label", "frames_bounds"]

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
    """The frame, under the edges (its name is painted over them: :func:`paint_label`)."""
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
    painter.restore()


def paint_label(painter: QPainter, frame: QRectF, name: str, theme: Theme) -> None:
    """The frame's name on the background, over any edge that passes there."""
    if frame.isNull():
        return
    painter.save()
    box = label_rect(frame, name, theme)
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor(theme.background))
    painter.drawRoundedRect(box, 3, 3)
    painter.setFont(fonts(theme).tag)
    painter.setPen(QColor(theme.muted))
    painter.drawText(box, Qt.AlignCenter, name)
    painter.restore()


def frames_bounds(picture, rects: dict, theme: Theme) -> QRectF:
    """Everything the frames of ``picture`` draw, given its nodes' boxes."""
    bounds = QRectF()
    for frame in picture.groups:
        r = frame_rect([rects[n] for n in frame.members if n in rects])
        if not r.isNull():
            bounds = bounds.united(r).united(label_rect(r, frame.name, theme))
    return bounds
