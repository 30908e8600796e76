"""The live loss curve: loss against step, in a QtCharts chart, on a linear or a log scale.

Points arrive in bunches from the training thread (:mod:`.worker`), twenty to thirty times a
second, so a redraw has to be cheap. The chart keeps every point in a Python list and shows at
most :data:`MAX_SHOWN` of them, about two per pixel of a docked chart: every k-th point, k a
power of two, and the latest. As k only doubles, the points shown stay the same from one
redraw to the next instead of jumping about on a noisy minibatch curve. The x axis runs to a
round number past the latest step, and the y axis spans the losses seen so far, with round
numbers at its ends. Changing an axis's range makes QtCharts lay the whole chart out again,
which costs more than drawing the curve, so the ends are worked out here (:func:`nice_range`,
what ``QValueAxis.applyNiceNumbers`` does) and given to the axis only when they change.

A log scale shows the late, slow part of a descent that a linear scale flattens into a line.

When rows are held out, a second, dashed curve gives their loss (a point is then
``(step, loss, held-out loss)``), and a legend names both: the training loss falling while
the held-out loss rises is overfitting, seen as it happens.
"""

from __future__ import annotations

import math

import numpy as np

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QLogValueAxis, QValueAxis
from PySide6.QtCore import QEvent, QMargins, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette, QPen

__all__ = ["LossChart", "MAX_SHOWN", "nice_range"]

MAX_SHOWN = 800
TICKS = 5  # the labels an axis aims for


def _nice_number(x: float, ceiling: bool) -> float:
    """1, 2 or 5 times a power of ten, near ``x`` (at least ``x`` with ``ceiling``)."""
    z = 10.0 ** math.floor(math.log10(x))
    q = x / z
    if ceiling:
        q = 1.0 if q <= 1.0 else 2.0 if q <= 2.0 else 5.0 if q <= 5.0 else 10.0
    else:
        q = 1.0 if q < 1.5 else 2.0 if q < 3.0 else 5.0 if q < 7.0 else 10.0
    return q * z


def nice_range(lo: float, hi: float, ticks: int = TICKS) -> tuple[float, float, int]:
    """Round ends around ``lo`` … ``hi`` and the number of ticks between them, as QtCharts'
    ``applyNiceNumbers`` makes them (its algorithm), from a fixed number of ticks.

    >>> nice_range(0.0, 0.37)
    (0.0, 0.4, 5)
    >>> nice_range(0, 1293)
    (0.0, 1500.0, 4)
    """
    if not hi > lo:
        return lo, hi, ticks
    step = _nice_number(_nice_number(hi - lo, True) / (ticks - 1), False)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    return first * step, last * step, int(last - first) + 1


class LossChart(QChartView):
    def __init__(self, parent=None) -> None:
        chart = QChart()
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.Antialiasing)
        chart.legend().hide()
        chart.legend().setAlignment(Qt.AlignTop)
        chart.setMargins(QMargins(4, 4, 8, 4))
        chart.setBackgroundRoundness(0)
        self.series = QLineSeries()
        self.series.setName("loss")
        pen = QPen(QColor("#1f77b4"))
        pen.setWidthF(2.0)
        self.series.setPen(pen)
        chart.addSeries(self.series)
        self.held_series = QLineSeries()
        self.held_series.setName("held-out rows")
        pen = QPen(QColor("#d9822b"))
        pen.setWidthF(2.0)
        pen.setStyle(Qt.DashLine)
        self.held_series.setPen(pen)
        chart.addSeries(self.held_series)
        self.points: list[tuple[int, float]] = []
        #: the held-out loss of each step that has one
        self.held_points: list[tuple[int, float]] = []
        self._steps: list[int] = []  # the points' two columns, to slice
        self._losses: list[float] = []
        self._held_steps: list[int] = []
        self._held: list[float] = []
        self._floor = math.inf  # the smallest positive loss: where a log axis starts
        self.total = 10
        self.log_scale = False
        self._ranges: dict[int, tuple] = {}  # the range each axis was last given (by id)
        self.x_axis = QValueAxis()
        self.x_axis.setTitleText("step")
        self.x_axis.setLabelFormat("%d")
        self._style_axis(self.x_axis)
        chart.addAxis(self.x_axis, Qt.AlignBottom)
        self.series.attachAxis(self.x_axis)
        self.held_series.attachAxis(self.x_axis)
        self._make_y_axes()
        self.setMinimumHeight(150)
        self._follow_palette()

    def changeEvent(self, event) -> None:
        """A theme change reaches the chart as a new palette (QtCharts keeps its own colours)."""
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange:
            self._follow_palette()

    def _follow_palette(self) -> None:
        """Background, labels, titles, grid and legend in the panel's colours, so the chart is
        dark on the dark theme and not a white block in a dark panel."""
        pal = self.palette()
        back, text = pal.color(QPalette.Base), pal.color(QPalette.Text)
        grid = QColor(back)
        grid = grid.lighter(160) if back.lightness() < 128 else grid.darker(115)
        chart = self.chart()
        chart.setBackgroundBrush(QBrush(back))
        self.setBackgroundBrush(QBrush(back))
        chart.legend().setLabelColor(text)
        for axis in chart.axes():
            axis.setLabelsColor(text)
            axis.setTitleBrush(QBrush(text))
            axis.setGridLineColor(grid)
            axis.setMinorGridLineColor(grid)
            axis.setLinePenColor(pal.color(QPalette.Mid) if back.lightness() >= 128 else grid)

    def sizeHint(self) -> QSize:
        """Short: the chart shares a narrow panel with the output over the plane."""
        return QSize(super().sizeHint().width(), 170)

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
        for series in (self.series, self.held_series):
            if hidden in series.attachedAxes():
                series.detachAxis(hidden)
        hidden.setVisible(False)
        shown.setVisible(True)
        for series in (self.series, self.held_series):
            if shown not in series.attachedAxes():
                series.attachAxis(shown)
        self.y_axis = shown
        self._redraw()

    # ---- the public interface -----------------------------------------------------------------

    def reset(self, total_steps: int) -> None:
        """Forget the points; the x axis spans ``total_steps``."""
        self.points, self._steps, self._losses = [], [], []
        self.held_points = []
        self._held_steps, self._held = [], []
        self._floor = math.inf
        self.total = max(1, int(total_steps))
        self._redraw()

    def add_points(self, points) -> None:
        """Points ``(step, loss)``, or ``(step, loss, held-out loss)``."""
        new = [(int(p[0]), float(p[1])) for p in points if math.isfinite(p[1])]
        held = [(int(p[0]), float(p[2])) for p in points
                if len(p) > 2 and p[2] is not None and math.isfinite(p[2])]
        self.points.extend(new)
        self._steps.extend(s for s, _v in new)
        self._losses.extend(v for _s, v in new)
        self.held_points.extend(held)
        self._held_steps.extend(s for s, _v in held)
        self._held.extend(v for _s, v in held)
        self._floor = min([self._floor] + [v for _s, v in new + held if v > 0])
        self._redraw()

    def set_log_scale(self, on: bool) -> None:
        if bool(on) != self.log_scale:
            self.log_scale = bool(on)
            self._show_y_axis()

    def shown_points(self, held: bool = False) -> list[tuple[float, float]]:
        """The points the series holds now (after thinning and, on a log scale, clamping);
        ``held``: those of the held-out curve."""
        series = self.held_series if held else self.series
        return [(p.x(), p.y()) for p in series.points()]

    # ---- drawing --------------------------------------------------------------------------------

    def _set_range(self, axis, lo: float, hi: float, ticks: int | None = None) -> None:
        """Give ``axis`` this range (and tick count) unless it has it already (a change lays
        the chart out again)."""
        if self._ranges.get(id(axis)) == (lo, hi, ticks):
            return
        self._ranges[id(axis)] = (lo, hi, ticks)
        if ticks is not None:
            axis.setTickCount(ticks)
        axis.setRange(lo, hi)

    def _thinned(self, xs: list, ys: list) -> tuple[np.ndarray, np.ndarray]:
        if len(xs) > MAX_SHOWN:
            stride = 2 ** math.ceil(math.log2(len(xs) / MAX_SHOWN))
            tail = slice(-1, None) if (len(xs) - 1) % stride else slice(0, 0)
            xs, ys = xs[::stride] + xs[tail], ys[::stride] + ys[tail]
        xs, ys = np.array(xs, dtype=float), np.array(ys, dtype=float)
        if self.log_scale:  # a log axis cannot show 0
            ys = np.maximum(ys, self._floor if math.isfinite(self._floor) else 1e-12)
        return xs, ys

    def _redraw(self) -> None:
        xs, ys = self._thinned(self._steps, self._losses)
        self.series.replaceNp(xs, ys)
        hx, hy = self._thinned(self._held_steps, self._held)
        self.held_series.replaceNp(hx, hy)
        legend = self.chart().legend()
        if legend.isVisible() != bool(self._held):
            legend.setVisible(bool(self._held))
        ys = np.concatenate([ys, hy])
        last = self.points[-1][0] if self.points else 0
        self._set_range(self.x_axis, *nice_range(0, max(last, min(self.total, 10))))
        if not len(ys):
            lo, hi = (0.1, 1.0) if self.log_scale else (0.0, 1.0)
        else:
            lo, hi = float(ys.min()), float(ys.max())
            if self.log_scale:  # whole decades, so the axis has at least two labels
                lo = 10.0 ** math.floor(math.log10(lo)) * 0.999  # the bottom label too
                hi = 10.0 ** math.ceil(math.log10(hi))
                hi = hi * 10.0 if hi <= lo else hi
            else:
                pad = (hi - lo) * 0.05 or abs(hi) * 0.1 or 1.0
                lo, hi = min(0.0, lo) if lo >= 0 else lo - pad, hi + pad
        if self.log_scale:
            self._set_range(self.y_axis, lo, hi)
        else:
            self._set_range(self.y_axis, *nice_range(lo, hi))
