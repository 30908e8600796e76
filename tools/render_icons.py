"""Make the derived icon files in ``resources/`` from the hand-drawn SVGs.

    .venv/bin/python tools/render_icons.py [--sheet OUT.png]

* ``resources/actions/dark/*.svg``: the light toolbar icons (``actions/light``) with their
  colours swapped for ones that read on the dark theme (:data:`DARK`);
* ``resources/icons/hicolor/NxN/apps/org.graphstudio.GraphStudio.png``: the application icon
  rendered at the hicolor sizes, from ``icons/app-small.svg`` (a simpler drawing that stays
  legible) up to 32 px and from the scalable SVG above;
* ``--sheet OUT.png``: every icon at 16, 24 and 32 px on the light and the dark toolbar
  colours, and the application icon at every size, to look at.

Run it after editing an SVG; ``tests/test_desktop.py`` checks that the derived files are in
step with their sources.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
APP_ID = "org.graphstudio.GraphStudio"

#: light-theme colour -> dark-theme colour (line, accent, gradient red)
DARK = {"#3a4453": "#d8dee8", "#2f80ed": "#5aa2ff", "#c0392b": "#ff7b6b"}
#: the application icon's hicolor sizes; up to SMALL_MAX it is drawn from app-small.svg
APP_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
SMALL_MAX = 32


def dark_svg(light_text: str) -> str:
    """The dark variant of a light icon's SVG text."""
    for light, dark in DARK.items():
        light_text = light_text.replace(light, dark)
    return light_text


def app_icon_source(size: int) -> Path:
    if size <= SMALL_MAX:
        return RESOURCES / "icons" / "app-small.svg"
    return RESOURCES / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def app_icon_png(size: int) -> Path:
    return RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(svg: Path, size: int):
    """``svg`` drawn into a transparent ``size`` x ``size`` QImage."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def write_dark() -> list[Path]:
    written = []
    for light in sorted((RESOURCES / "actions" / "light").glob("*.svg")):
        out = RESOURCES / "actions" / "dark" / light.name
        out.write_text(dark_svg(light.read_text(encoding="utf-8")), encoding="utf-8")
        written.append(out)
    return written


def write_pngs() -> list[Path]:
    written = []
    for size in APP_SIZES:
        out = app_icon_png(size)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not render(app_icon_source(size), size).save(str(out), "PNG"):
            raise OSError(f"{out}: cannot write")
        written.append(out)
    return written


def contact_sheet(out: Path) -> None:
    """The toolbar icons at 16/24/32 px on both toolbar colours, the app icon at every size."""
    from PySide6.QtGui import QColor, QImage, QPainter

    names = sorted(p.stem for p in (RESOURCES / "actions" / "light").glob("*.svg"))
    sizes = (16, 24, 32)
    cell = 40
    width = max(len(names) * cell, sum(APP_SIZES[:7]) + 8 * 7) + 16
    height = 2 * len(sizes) * cell + 140
    sheet = QImage(width, height, QImage.Format_ARGB32_Premultiplied)
    sheet.fill(QColor("#ffffff"))
    p = QPainter(sheet)
    y = 0
    for variant, background in (("light", "#efefef"), ("dark", "#2b313b")):
        for size in sizes:
            p.fillRect(0, y, width, cell, QColor(background))
            for i, name in enumerate(names):
                icon = render(RESOURCES / "actions" / variant / f"{name}.svg", size)
                p.drawImage(8 + i * cell + (cell - size) // 2, y + (cell - size) // 2, icon)
            y += cell
    x = 8
    for size in APP_SIZES[:7]:
        p.drawImage(x, y + 8, QImage(str(app_icon_png(size))))
        x += size + 8
    p.end()
    sheet.save(str(out), "PNG")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sheet", metavar="OUT.png", help="also draw a contact sheet to look at")
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts, images)
    for path in write_dark() + write_pngs():
        print(path.relative_to(ROOT))
    if args.sheet:
        contact_sheet(Path(args.sheet))
        print(args.sheet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
