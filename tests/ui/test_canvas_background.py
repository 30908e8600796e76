"""The canvas's background (its grid) is cached between repaints: a view setting that changes
it is still seen at once."""

from PySide6.QtGui import QColor

from graphstudio.render.style import THEMES


def pixels(window) -> list[int]:
    """The empty canvas's pixels (every pixel of every seventh row: each crosses the grid's
    vertical lines)."""
    image = window.canvas.viewport().grab().toImage()
    return [image.pixel(x, y) for x in range(image.width()) for y in range(0, image.height(), 7)]


def colour_count(window, colour: str) -> int:
    rgb = QColor(colour).rgb()
    return sum(p == rgb for p in pixels(window))


def other_count(window, colour: str) -> int:
    """Pixels of another colour than ``colour``: on an empty canvas, the grid's lines."""
    return len(pixels(window)) - colour_count(window, colour)


def test_turning_the_grid_off_and_on_shows_at_once(qtbot, window):
    background = THEMES["light"].background
    assert other_count(window, background) > 0
    window.act_grid.trigger()  # View > Grid
    qtbot.waitUntil(lambda: other_count(window, background) == 0, timeout=3000)
    window.act_grid.trigger()
    qtbot.waitUntil(lambda: other_count(window, background) > 0, timeout=3000)


def test_another_theme_repaints_the_background(qtbot, window):
    light, dark = THEMES["light"].background, THEMES["dark"].background
    assert colour_count(window, light) > 0
    window.theme_actions["dark"].trigger()  # View > Theme > Dark
    qtbot.waitUntil(lambda: colour_count(window, dark) > 0 and colour_count(window, light) == 0,
                    timeout=3000)
