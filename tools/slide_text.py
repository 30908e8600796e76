"""How big the words of an exported graph are on a slide, and on screen in the editor.

**Slides.** Each graph is exported to PDF with ``graphstudio export`` (run by the Python given
with ``--python``, so the same script measures an older checkout in its own virtual
environment), every word's box is read with poppler's ``pdftotext -bbox``, the page is fitted
to a 1920×1080 slide (scaled up or down, aspect kept), and each word's height (its box's,
ascent to descent) is converted to slide pixels. A graph passes when every word is at least
14 px high and the median at least 18 px.

**Screen** (``--screen``). Each graph is opened in the editor's window at its default size on
a 1366×768 screen (the window is sized to the screen when that is smaller), the view as it
opens, and the smallest font drawn on the canvas (read from an SVG rendering of the scene:
what the items paint, in scene units) is multiplied by the zoom. It passes at 9 px or more.
It uses the display when there is one, else Qt's offscreen platform.

The graphs: every ``examples/*.gs`` and the two networks Graph > New Network… builds with its
default choices (matrix form and scalar neurons), unless files are given.

    python tools/slide_text.py                           # this checkout, slides
    python tools/slide_text.py --screen                  # ... and the editor's window
    python tools/slide_text.py --python ../old/.venv/bin/python --examples examples

Prints one line per graph and exits with status 1 when one fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SLIDE = (1920.0, 1080.0)
MIN_WORD, MEDIAN_WORD = 14.0, 18.0  # slide pixels
MIN_SCREEN = 9.0  # screen pixels
SCREEN = (1366, 768)

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')

#: run by the measured Python, in a folder of its own: :func:`build_new_networks` from this file
NEW_NETWORKS = r"""
import sys
sys.path.insert(0, sys.argv[1])
import slide_text
slide_text.build_new_networks(sys.argv[2])
"""


def build_new_networks(folder) -> list[Path]:
    """The two networks Graph > New Network… builds with its default choices (matrix form and
    scalar neurons), laid out as the editor lays a new network out, saved as documents
    (positions, values, dataset) in ``folder``."""
    from graphstudio.core.engine import evaluate
    from graphstudio.io.document import to_json
    from graphstudio.render.draw import arrange
    from graphstudio.render.export import ensure_app
    from graphstudio.render.style import THEMES

    ensure_app()
    from graphstudio.ui.training.network_dialog import NewNetworkDialog

    paths = []
    for form in ("matrix", "scalar"):
        dialog = NewNetworkDialog()
        (dialog.matrix_form if form == "matrix" else dialog.scalar_form).setChecked(True)
        graph = dialog.build()
        for n, p in arrange(graph, evaluate(graph), THEMES["light"]).items():
            graph.set_position(n, p)
        path = Path(folder) / f"new_network_{form}.json"
        path.write_text(json.dumps(to_json(graph)), encoding="utf-8")
        paths.append(path)
    return paths


#: run by the measured Python, with a display: :func:`screen_report` from this file
SCREEN_SIZES = r"""
import sys
sys.path.insert(0, sys.argv[1])
import slide_text
slide_text.screen_report(sys.argv[2:])
"""


def painted_font_sizes(scene) -> list[float]:
    """The pixel size (scene units) of every text the items of ``scene`` paint, read from an
    SVG rendering of the scene (the items' own paint code, through QSvgGenerator)."""
    from PySide6.QtWidgets import QGraphicsItem

    bounds = scene.itemsBoundingRect()
    # items that keep a pixmap of themselves would hand the SVG pictures, not text: drawn
    # afresh while measured
    cached = [i for i in scene.items() if i.cacheMode() != QGraphicsItem.NoCache]
    modes = [i.cacheMode() for i in cached]
    for item in cached:
        item.setCacheMode(QGraphicsItem.NoCache)
    try:
        return _svg_font_sizes(scene, bounds)
    finally:
        for item, mode in zip(cached, modes):
            item.setCacheMode(mode)


def _svg_font_sizes(scene, bounds) -> list[float]:
    from xml.etree import ElementTree

    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "scene.svg")
        gen = QSvgGenerator()
        gen.setFileName(path)
        gen.setSize(QSize(int(bounds.width()) + 1, int(bounds.height()) + 1))
        gen.setViewBox(QRectF(0, 0, bounds.width(), bounds.height()))
        painter = QPainter(gen)
        scene.render(painter, QRectF(0, 0, bounds.width(), bounds.height()), bounds)
        painter.end()
        root = ElementTree.parse(path).getroot()
    sizes = []
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        texts = [t for t in g if t.tag.endswith("text") and "".join(t.itertext()).strip()]
        if texts and g.get("font-size"):
            m = re.match(r"matrix\(([-\d.e]+),([-\d.e]+),", g.get("transform", ""))
            k = math.hypot(float(m.group(1)), float(m.group(2))) if m else 1.0
            sizes += [float(g.get("font-size")) * k] * len(texts)
    return sizes


def open_in_default_window(path, screen_size=SCREEN):
    """The editor's main window at its default size on a screen of ``screen_size`` with the
    file ``path`` opened as the user opens it, or the message why it cannot be opened."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication, QMessageBox

    from graphstudio.ui import main_window as mw

    problems = []
    original = QMessageBox.critical
    QMessageBox.critical = lambda _parent, _title, text, *a, **k: problems.append(text)
    try:
        window = mw.MainWindow(restore_layout=False)
        size = getattr(mw, "default_size", None)  # older checkouts: the size they set
        screen = QSize(*screen_size)
        window.resize(size(screen) if size else window.size().boundedTo(screen))
        window.show()
        opened = window.open_file(str(path), ask=False)
    finally:
        QMessageBox.critical = original
    for _ in range(5):
        QApplication.processEvents()
    if not opened:
        window.close()
        return None, problems[-1] if problems else "cannot open"
    return window, None


def smallest_on_screen(window) -> tuple[float, float, float]:
    """(zoom, smallest painted font in scene units, its height on screen in pixels)."""
    zoom = window.canvas.transform().m11()
    smallest = min(painted_font_sizes(window.scene))
    return zoom, smallest, smallest * zoom


def screen_report(paths) -> None:
    """For each file, a JSON line: the zoom it opens at in the default window and its
    smallest text on screen (run by the measured checkout's Python)."""
    from graphstudio.ui.app import application

    application()
    for path in paths:
        window, problem = open_in_default_window(path)
        if window is None:
            print(json.dumps({"path": path, "error": problem}), flush=True)
            continue
        zoom, smallest, px = smallest_on_screen(window)
        print(json.dumps({"path": path, "zoom": zoom, "smallest": smallest, "px": px}), flush=True)
        window.document.undo_stack.setClean()
        window.close()


@dataclass
class SlideResult:
    name: str
    words: int
    smallest: float
    median: float
    smallest_word: str

    @property
    def ok(self) -> bool:
        return self.smallest >= MIN_WORD and self.median >= MEDIAN_WORD


def slide_heights(pdf: Path) -> list[tuple[float, str]]:
    """Every word of the PDF's first page with its height in pixels of a 1920×1080 slide the
    page is fitted to."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    page = _PAGE.search(out)
    if page is None:
        raise ValueError(f"{pdf}: pdftotext found no page")
    width, height = float(page.group(1)), float(page.group(2))  # points
    fit = min(SLIDE[0] / width, SLIDE[1] / height)  # slide pixels per point
    return [((float(m.group(4)) - float(m.group(2))) * fit, m.group(5))
            for m in _WORD.finditer(out)]


def measure_slide(python: str, source: Path, workdir: Path) -> SlideResult:
    pdf = workdir / (source.stem + ".pdf")
    subprocess.run([python, "-m", "graphstudio", "export", str(source.resolve()), "-o", str(pdf)],
                   check=True, capture_output=True, text=True, cwd=workdir)
    words = slide_heights(pdf)
    if not words:
        raise ValueError(f"{pdf}: no words")
    smallest = min(words)
    return SlideResult(source.stem, len(words), smallest[0],
                       statistics.median(h for h, _w in words), smallest[1])


def new_networks(python: str, folder: Path) -> list[Path]:
    """:func:`build_new_networks` run by ``python`` (the checkout measured)."""
    # run in ``folder``: ``python -c`` puts the working folder first on the import path, and the
    # package must be the measured Python's own
    subprocess.run([python, "-c", NEW_NETWORKS, str(Path(__file__).resolve().parent),
                    str(folder.resolve())], check=True, capture_output=True, text=True, cwd=folder,
                   env={**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")})
    return [folder / "new_network_matrix.json", folder / "new_network_scalar.json"]


def measure_screen(python: str, sources: list[Path], folder: Path) -> list[dict]:
    """Each file opened in the editor's default window: its zoom and smallest text."""
    env = dict(os.environ)
    if not os.environ.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(folder / "config")  # no saved window layout
    env["XDG_DATA_HOME"] = str(folder / "data")
    out = subprocess.run([python, "-c", SCREEN_SIZES, str(Path(__file__).resolve().parent),
                          *(str(s.resolve()) for s in sources)],
                         check=True, capture_output=True, text=True, env=env, cwd=folder).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="graphs (default: the examples and "
                        "the New Network defaults)")
    parser.add_argument("--python", default=sys.executable, help="the Python of the checkout to measure")
    parser.add_argument("--examples", type=Path, default=Path(__file__).resolve().parent.parent / "examples")
    parser.add_argument("--screen", action="store_true", help="also measure the editor's window")
    parser.add_argument("--keep", type=Path, help="keep the PDFs (and network documents) here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = (args.keep or Path(tmp)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        sources = args.files or sorted(args.examples.glob("*.gs")) + new_networks(args.python, work)
        failed = False
        print(f"{'graph':28s} {'words':>5s} {'min px':>7s} {'median':>7s}  smallest word   "
              f"(slide 1920×1080: min ≥ {MIN_WORD:g}, median ≥ {MEDIAN_WORD:g})")
        for source in sources:
            try:
                r = measure_slide(args.python, source, work)
            except subprocess.CalledProcessError as exc:
                print(f"{source.stem:28s} cannot export: {(exc.stderr or '').strip().splitlines()[-1:]}")
                failed = True
                continue
            failed |= not r.ok
            print(f"{r.name:28s} {r.words:5d} {r.smallest:7.1f} {r.median:7.1f}  {r.smallest_word[:14]:14s}"
                  f"  {'ok' if r.ok else 'TOO SMALL'}")
        if args.screen:
            print(f"\n{'graph':28s} {'zoom':>6s} {'min font':>8s} {'on screen':>9s}  "
                  f"(default window on {SCREEN[0]}×{SCREEN[1]}: ≥ {MIN_SCREEN:g} px)")
            for r in measure_screen(args.python, sources, work):
                if "error" in r:
                    failed = True
                    print(f"{Path(r['path']).stem:28s} cannot open: {r['error'].splitlines()[0][-60:]}")
                    continue
                ok = r["px"] >= MIN_SCREEN
                failed |= not ok
                print(f"{Path(r['path']).stem:28s} {r['zoom']:6.2f} {r['smallest']:8.1f} {r['px']:9.1f}"
                      f"  {'ok' if ok else 'TOO SMALL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
