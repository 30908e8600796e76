"""The live loss curve: round axis ends as QtCharts makes them, and a thinned curve whose shown
points stay where they are as points arrive."""

import math
import random

import pytest
from PySide6.QtCharts import QValueAxis

from graphstudio.ui.training.loss_chart import MAX_SHOWN, LossChart, nice_range


@pytest.fixture
def chart(qtbot):
    c = LossChart()
    qtbot.addWidget(c)
    c.resize(380, 220)
    c.show()
    qtbot.waitExposed(c)
    return c


def test_nice_range_is_what_qtcharts_makes_of_a_range(qtbot):
    rng = random.Random(3)
    for _ in range(500):
        lo = rng.choice([0.0, rng.uniform(-5, 5)])
        hi = lo + 10 ** rng.uniform(-4, 6)
        axis = QValueAxis()
        axis.setTickCount(5)
        axis.setRange(lo, hi)
        axis.applyNiceNumbers()
        got = nice_range(lo, hi)
        assert got[2] == axis.tickCount(), (lo, hi)
        assert got[0] == pytest.approx(axis.min(), abs=1e-9 * (hi - lo)), (lo, hi)
        assert got[1] == pytest.approx(axis.max(), abs=1e-9 * (hi - lo)), (lo, hi)


def losses(n, start=0):
    return [(s, 1.0 / (1 + 0.01 * s) + 0.05 * math.sin(s)) for s in range(start, start + n)]


def test_the_axes_hold_every_point_shown(chart):
    chart.reset(100000)
    chart.add_points(losses(1234))
    xs = [x for x, _y in chart.shown_points()]
    ys = [y for _x, y in chart.shown_points()]
    assert chart.x_axis.min() == 0 and chart.x_axis.max() >= 1233
    assert chart.x_axis.max() <= 2 * 1233  # a round number near the last step, not the 100000
    assert chart.y_axis.min() <= min(ys) and max(ys) <= chart.y_axis.max()
    assert max(xs) == 1233


def test_a_long_run_shows_a_few_hundred_points_that_stay_put(chart):
    chart.reset(100000)
    n = 3 * MAX_SHOWN
    chart.add_points(losses(n))
    before = chart.shown_points()
    assert len(before) <= MAX_SHOWN + 1
    assert before[0] == (0.0, chart.points[0][1])
    assert before[-1] == (float(n - 1), chart.points[-1][1])  # the latest point
    chart.add_points(losses(5, start=n))
    after = chart.shown_points()
    assert after[-1][0] == n + 4
    # the points shown before (all but the latest, which was shown only for being the latest)
    # are shown again, where they were: a noisy curve does not shimmer as it grows
    assert after[:len(before) - 1] == before[:-1]


def _mean_lightness(widget) -> float:
    image = widget.grab().toImage()
    w, h = image.width(), image.height()
    samples = [image.pixelColor(x, y).lightness() for x in range(0, w, 7) for y in range(0, h, 7)]
    return sum(samples) / len(samples)


@pytest.mark.parametrize("theme, dark", [("dark", True), ("light", False)])
def test_the_chart_follows_the_theme(window, qtbot, theme, dark):
    """On the dark theme the chart is dark with light labels, not a white block in a dark
    panel; back on the light theme it is light again."""
    window.theme_actions["dark" if not dark else "light"].trigger()
    window.theme_actions[theme].trigger()  # View > Theme
    window.training.act_train.trigger()  # Graph > Train…
    training = window.training.panel.chart
    qtbot.waitUntil(training.isVisible)
    training.add_points([(1, 0.9), (2, 0.5), (3, 0.3)])
    lightness = _mean_lightness(training)
    assert (lightness < 100) if dark else (lightness > 200)
    label = training.x_axis.labelsColor().lightness()
    assert (label > 160) if dark else (label < 100)
