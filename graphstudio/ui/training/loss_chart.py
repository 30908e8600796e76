"""The live loss curve: loss against step, in a QtCharts chart, on a linear or a log scale.

Points arrive in bunches from the training thread (:mod:`.worker`). The chart keeps every
point in a Python list and shows at most :data:`MAX_SHOWN` of them (every k-th point and the
latest), so a run of a hundred thousand steps redraws as fast as one of a hundred. The x axis
spans the planned number of steps from the start, so the curve grows from left to right and
the reader sees how far the run has come; the y axis follows the losses seen so far.

A log scale shows the late, slow part of a descent that a linear scale flattens into a line.
"""

from __future__ import annotations

import math

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QLogValueAxis, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

__all__ = ["LossChart", "MAX_SHOWN"]

MAX_SHOWN = 1500


class LossChart(QChartView):
    def __init__(self, parent=None) -> None:
        chart = QChart()
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.Antialiasing)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 8, 4))
        chart.setBackgroundRoundness(0)
        self.series = QLineSeries()
        self.series.setName("loss")
        pen = QPen(QColor("#1f77b4"))
        pen.setWidthF(2.0)
        self.series.setPen(pen)
        chart.addSeries(self.series)
        self.points: list[tuple[int, float]] = []
        self.total = 10
        self.log_scale = False
        self.x_axis = QValueAxis()
        self.x_axis.setTitleText("step")
        self.x_axis.setLabelFormat("%d")
        self._style_axis(self.x_axis)
        chart.addAxis(self.x_axis, Qt.AlignBottom)
        self.series.attachAxis(self.x_axis)
        self._make_y_axes()
        self.setMinimumHeight(150)

    @staticmethod
    def _style_axis(axis) -> None:
        font = QFont()
        font.setPointSizeF(8.5)
        axis.setLabelsFont(font)
        title = QFont()
        title.setPointSizeF(9)
        axis.setTitleFont(title)

    def _make_y_axes(self) -> None:
        """Both y axes live in the chart from the start; the scale switch shows one and
        attaches the series to it (a removed QtCharts axis leaves its labels on screen)."""
        linear = QValueAxis()
        linear.setLabelFormat("%.3g")
        linear.setTickCount(5)
        linear.setTitleText("loss")
        log = QLogValueAxis()
        log.setBase(10.0)
        log.setLabelFormat("%g")
        log.setMinorTickCount(8)
        log.setTitleText("loss (log scale)")
        for axis in (linear, log):
            self._style_axis(axis)
            self.chart().addAxis(axis, Qt.AlignLeft)
        self.linear_axis, self.log_axis = linear, log
        self._show_y_axis()

    def _show_y_axis(self) -> None:
        shown, hidden = ((self.log_axis, self.linear_axis) if self.log_scale
                         else (self.linear_axis, self.log_axis))
        if hidden in self.series.attachedAxes():
            self.series.detachAxis(hidden)
        hidden.setVisible(False)
        shown.setVisible(True)
        if shown not in self.series.attachedAxes():
            self.series.attachAxis(shown)
        self.y_axis = shown
        self._redraw()

    # ---- the public interface -----------------------------------------------------------------

    def reset(self, total_steps: int) -> None:
        """Forget the points; the x axis spans ``total_steps``."""
        self.points = []
        self.total = max(1, int(total_steps))
        self._redraw()

    def add_points(self, points: list[tuple[int, float]]) -> None:
        self.points.extend((int(s), float(v)) for s, v in points if math.isfinite(v))
        self._redraw()

    def set_log_scale(self, on: bool) -> None:
        if bool(on) != self.log_scale:
            self.log_scale = bool(on)
            self._show_y_axis()

    def shown_points(self) -> list[tuple[float, float]]:
        """The points the series holds now (after thinning and, on a log scale, clamping)."""
        return [(p.x(), p.y()) for p in self.series.points()]

    # ---- drawing --------------------------------------------------------------------------------

    def _redraw(self) -> None:
        pts = self.points
        if len(pts) > MAX_SHOWN:
            stride = math.ceil(len(pts) / MAX_SHOWN)
            pts = pts[::stride] + ([pts[-1]] if (len(pts) - 1) % stride else [])
        floor = None
        if self.log_scale:
            positive = [v for _s, v in self.points if v > 0]
            floor = min(positive) if positive else 1e-12
            pts = [(s, max(v, floor)) for s, v in pts]  # a log axis cannot show 0
        self.series.replace([QPointF(s, v) for s, v in pts])
        last = self.points[-1][0] if self.points else 0
        self.x_axis.setRange(0, max(last, min(self.total, 10)))
        self.x_axis.applyNiceNumbers()
        values = [v for _s, v in pts]
        if not values:
            lo, hi = (0.1, 1.0) if self.log_scale else (0.0, 1.0)
        else:
            lo, hi = min(values), max(values)
            if self.log_scale:  # whole decades, so the axis has at least two labels
                lo = 10.0 ** math.floor(math.log10(lo)) * 0.999  # the bottom label too
                hi = 10.0 ** math.ceil(math.log10(hi))
                hi = hi * 10.0 if hi <= lo else hi
            else:
                pad = (hi - lo) * 0.05 or abs(hi) * 0.1 or 1.0
                lo, hi = min(0.0, lo) if lo >= 0 else lo - pad, hi + pad
        self.y_axis.setRange(lo, hi)
        if not self.log_scale:
            self.y_axis.applyNiceNumbers()
