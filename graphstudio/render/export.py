"""Exporting annotated pictures: what every export format shares, whatever it writes.

The formats themselves (PNG, SVG, PDF, TikZ) are modules of :mod:`graphstudio.render.exporters`,
each declaring its suffixes, options and writer; this module chooses the format, checks the
settings, lays the graph out, builds the pictures (one, or one per step) and hands them to the
writer. The drawn formats use the canvas's own painter code (:mod:`graphstudio.render.draw`),
so an exported image looks like the screen.

* **Settings.** :class:`ExportSettings` is what an export is asked for: File > Export and
  ``graphstudio export`` both fill one in and call :func:`export_graph`.
* **Size.** Drawings are in scene units, one unit being one pixel at 96 dpi. Every drawn export
  is cropped to :func:`~graphstudio.render.draw.picture_bounds` (the nodes, edges, edge labels
  and caption plus a margin) and scaled by ``scale``; each format says what that makes
  (:mod:`graphstudio.render.exporters.png` for pixels).
* **Step frames** (:func:`export_steps`) share one frame, the union of every step's bounds, so
  the graph does not jump from slide to slide; they go into a folder of numbered files, or into
  one file when the format holds pages (a ``.pdf``).

Qt needs an application object for fonts: :func:`ensure_app` makes one when there is none, and
on a machine with no display it selects Qt's ``offscreen`` platform by itself before Qt starts.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..core.engine import Evaluation
from ..core.graph import Graph
from ..core.savefile import replacing
from .exporters import ExportFormat, export_format, export_formats, format_options
from .picture import Picture, build_picture, step_pictures
from .positions import saved_positions
from .style import THEMES, Theme

__all__ = ["ExportSettings", "ExportError", "ensure_app", "headless", "export_graph",
           "export_picture", "export_steps", "format_for", "export_bounds", "export_layout",
           "pictures_for", "graph_picture", "graph_steps", "painter_on", "paint_cropped",
           "check_scale"]

_app = None  # keeps the application made by ensure_app() alive


class ExportError(ValueError):
    """An export that cannot be done as asked; the message says why in one line."""


@dataclass(frozen=True)
class ExportSettings:
    """What an export is asked for; File > Export and ``graphstudio export`` fill one in.

    ``format`` is an export format's name (None: from the file's suffix; step frames into a
    folder default to the first format, PNG); ``steps`` writes the forward then the backward
    pass a frame a step; ``show_grad``, ``edge_labels`` and ``theme`` are what the canvas
    shows; ``scale`` sizes the drawing; ``options`` are the format's own
    (:attr:`ExportFormat.options`: ``dpi``, ``transparent``, ``standalone``...), by name;
    ``decorate`` is what the canvas draws over its picture of the graph (a small network's
    unit responses, :func:`~graphstudio.render.network_view.unit_responses`), so the export
    shows what the canvas shows; the step frames are drawn as the steps are, without it."""

    format: str | None = None
    steps: bool = False
    show_grad: bool = True
    edge_labels: bool = False
    theme: str = "light"
    scale: float = 1.0
    options: Mapping[str, Any] = field(default_factory=dict)
    decorate: Callable[[Picture], Picture] | None = None

    @classmethod
    def from_view(cls, view: Mapping[str, Any] | None, **changes: Any) -> "ExportSettings":
        """Settings that draw what the editor's view shows (gradients, edge labels, theme)."""
        view = view or {}
        return cls(**{"show_grad": bool(view.get("show_grad", True)),
                      "edge_labels": bool(view.get("edge_labels", False)),
                      "theme": str(view.get("theme", "light")), **changes})


def headless() -> bool:
    """True when Qt would find no display to connect to."""
    if sys.platform.startswith(("win", "darwin")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def ensure_app():
    """The running Qt application, made if there is none (offscreen when headless).

    A QApplication rather than a QGuiApplication, so that widgets (the export dialog, the
    editor, pytest-qt) still work in a process where an export ran first."""
    global _app
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        if headless() and not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication

        app = _app = QApplication(["graphstudio"])
    return app


def _theme(theme: Theme | str) -> Theme:
    return THEMES[theme] if isinstance(theme, str) else theme


# ---- choosing the format and checking the settings ------------------------------------------


def format_for(path: str | os.PathLike) -> str:
    """The format a file name asks for, by its suffix (``.png``, ``.tex``...)."""
    fmt = _by_suffix(Path(path))
    if fmt is None:
        suffix = Path(path).suffix.lower()
        known = _or([f.suffixes[0] for f in export_formats()])
        raise ExportError(f"{path}: cannot tell the format from "
                          f"{suffix or 'a name without a suffix'!r}; use {known}, or give --format")
    return fmt.name


def _by_suffix(path: Path) -> ExportFormat | None:
    suffix = path.suffix.lower()
    return next((f for f in export_formats() if suffix and suffix in f.suffixes), None)


def _or(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _format(name: str) -> ExportFormat:
    fmt = export_format(name)
    if fmt is None:
        names = ", ".join(f.name for f in export_formats())
        raise ExportError(f"unknown format {name!r}; formats: {names}")
    return fmt


def _options(fmt: ExportFormat, given: Mapping[str, Any], steps: bool = False) -> dict[str, Any]:
    """The keyword arguments for ``fmt``'s writer: every option it declares, checked, at its
    default unless given. An option of another format is refused unless it is at its default;
    an option that does not apply to step frames is left out of them."""
    out: dict[str, Any] = {}
    for name, value in given.items():
        option = fmt.option(name)
        if option is None:
            other = next((o for o in format_options() if o.name == name), None)
            if other is None:
                raise ExportError(f"no export format has an option {name!r}")
            if value is None or value == other.default:
                continue
            owners = _or([f.title for f in export_formats() if f.option(name) is not None])
            raise ExportError(f"{other.words} applies to {owners} only, not {fmt.name}")
        try:
            out[name] = option.check(value)
        except ValueError as exc:
            raise ExportError(str(exc)) from None
    for option in fmt.options:
        if steps and not option.steps:
            out.pop(option.name, None)
        elif out.get(option.name) is None:
            out[option.name] = option.default
    return out


def check_vector_size(bounds, scale: float, limit: float, what: str) -> tuple[float, float]:
    """The size of a vector drawing of ``bounds`` at ``scale``, in pixels at 96 dpi; an
    ExportError when a side would be more than ``limit``."""
    w, h = bounds.width() * scale, bounds.height() * scale
    if not (math.isfinite(w) and math.isfinite(h)) or max(w, h) > limit:
        shown = " × ".join(f"{v:,.0f}" if math.isfinite(v) and v < 1e15 else f"{v:.3g}"
                           for v in (w, h))
        raise ExportError(f"{what} would be {shown} pixels at 96 dpi (at most {limit:,.0f} a "
                          "side); use a smaller --scale")
    return w, h


def check_scale(scale: float) -> None:
    if isinstance(scale, bool) or not (isinstance(scale, (int, float)) and math.isfinite(scale)
                                       and scale > 0):
        raise ExportError(f"scale must be a positive number, not {scale!r}")


def _check_folder(path: Path) -> None:
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ExportError(f"{path}: the folder {folder} does not exist")


# ---- what is drawn ------------------------------------------------------------------------------


def export_layout(graph: Graph, ev: Evaluation | None, *, edge_labels: bool = False,
                  theme: Theme | str = "light") -> dict[int, tuple[float, float]]:
    """Positions for an export: the graph's own when every node has one (a saved document,
    or the editor's canvas; with edge labels, its columns spread apart where a label has no
    room, as the canvas does when its labels are turned on, unless it has groups), else the canvas's own
    Graph > Arrange layout (boxes sized as drawn, room for edge labels), so the export looks
    like the file opened in the editor."""
    from .draw import arrange
    from .room import room_for_labels

    saved = saved_positions(graph)
    if saved is not None and (not edge_labels or graph.groups()):
        return saved  # (a collapsed group's hidden nodes move with their gate: not spread)
    ensure_app()
    if saved is not None:
        return {**saved, **room_for_labels(graph, ev, saved, _theme(theme))}
    return arrange(graph, ev, _theme(theme), edge_labels)


def pictures_for(graph: Graph, ev: Evaluation, format: str, *, steps: bool = False,
                 show_grad: bool = True, edge_labels: bool = False,
                 theme: Theme | str = "light",
                 decorate: Callable[[Picture], Picture] | None = None) -> list[Picture]:
    """What an export of ``graph`` in ``format`` draws: one picture, or with ``steps`` one per
    step of the forward pass then the backward pass (a player format, HTML: always the picture
    and then every step), laid out by the format (TikZ: LaTeX sizes its own boxes, and Qt is
    never started) or else by :func:`export_layout`. ``decorate`` (see
    :class:`ExportSettings`) is applied to the picture of the graph."""
    decorate = decorate or (lambda picture: picture)
    fmt = _format(format)
    labels = edge_labels or fmt.player  # a player labels the edges each step uses
    if fmt.layout is not None:
        pos = fmt.layout(graph, ev, show_grad=show_grad or steps, edge_labels=labels)
    else:
        pos = export_layout(graph, ev, edge_labels=labels, theme=theme)
    if fmt.player:
        return [decorate(build_picture(graph, ev, pos, show_grad=show_grad,
                                       edge_labels=edge_labels)),
                *step_pictures(graph, ev, pos, edge_labels=True)]
    if steps:
        return step_pictures(graph, ev, pos, edge_labels=edge_labels)
    return [decorate(build_picture(graph, ev, pos, show_grad=show_grad, edge_labels=edge_labels))]


def graph_picture(graph: Graph, ev: Evaluation | None, *, show_grad: bool = True,
                  edge_labels: bool = False, theme: Theme | str = "light") -> Picture:
    """The picture a drawn export (PNG, SVG, PDF) makes of ``graph``."""
    return pictures_for(graph, ev, "png", show_grad=show_grad, edge_labels=edge_labels,
                        theme=theme)[0]


def graph_steps(graph: Graph, ev: Evaluation, *, edge_labels: bool = False,
                theme: Theme | str = "light") -> list[Picture]:
    """The forward steps then the backward steps, as drawn exports draw them."""
    return pictures_for(graph, ev, "png", steps=True, edge_labels=edge_labels, theme=theme)


def export_bounds(pictures: Sequence[Picture], theme: Theme | str = "light"):
    """The crop of an export: every picture's bounds (with the margin) united, as a QRectF."""
    from .draw import picture_bounds

    ensure_app()
    theme = _theme(theme)
    bounds = picture_bounds(pictures[0], theme)
    for p in pictures[1:]:
        bounds = bounds.united(picture_bounds(p, theme))
    return bounds


# ---- writing --------------------------------------------------------------------------------------


def export_graph(graph: Graph, ev: Evaluation, out: str | os.PathLike,
                 settings: ExportSettings | None = None) -> list[Path]:
    """Everything an export does, for the command line and the editor alike: the format (from
    the suffix unless given; step frames default to PNG in a folder, or go into one file of a
    format that holds pages), the checks, the pictures and the files. Returns the files
    written; raises :class:`ExportError`."""
    s = settings or ExportSettings()
    out = Path(out)
    pages = _by_suffix(out)
    pages = pages if pages is not None and pages.pages else None
    if len(graph) == 0:
        raise ExportError("there is nothing to export: the graph has no nodes")
    if not s.steps and out.is_dir():
        raise ExportError(f"{out}: is a folder; give a file name such as {out / 'graph.png'}")
    if s.steps and pages is None and out.exists() and not out.is_dir():
        raise ExportError(f"{out}: is a file; step frames go into a folder (or a .pdf)")
    name = s.format or (export_formats()[0].name if s.steps and pages is None else format_for(out))
    fmt = _format(name)
    if s.steps and pages is not None and fmt is not pages:
        raise ExportError(f"{out}: a {out.suffix.lower()} holds {pages.title} pages, not {name}")
    options = _options(fmt, s.options, s.steps)
    if fmt.check is not None:
        fmt.check(s)
    check_scale(s.scale)
    _check_folder(out)
    pictures = pictures_for(graph, ev, name, steps=s.steps, show_grad=s.show_grad,
                            edge_labels=s.edge_labels, theme=s.theme, decorate=s.decorate)
    if fmt.player:
        return [_write_whole(fmt, pictures, out, s.scale, _theme(s.theme), options)]
    if s.steps:
        return export_steps(pictures, out, name, scale=s.scale, theme=s.theme, **options)
    return [export_picture(pictures[0], out, name, scale=s.scale, theme=s.theme, **options)]


def export_picture(picture: Picture, path: str | os.PathLike, format: str | None = None, *,
                   scale: float = 1.0, theme: Theme | str = "light", bounds=None,
                   **options: Any) -> Path:
    """Write ``picture`` to ``path`` as ``format`` (default: from the suffix) with the
    format's ``options`` (``dpi=300``, ``transparent=True``...). Raises :class:`ExportError`;
    I/O errors are reported as ExportError too."""
    path = Path(path)
    fmt = _format(format or format_for(path))
    theme = _theme(theme)
    check_scale(scale)
    options = _options(fmt, options)
    _check_folder(path)
    try:
        if fmt.drawn:
            ensure_app()
            bounds = bounds if bounds is not None else export_bounds([picture], theme)
        _write_replacing(fmt, [picture], path, scale=scale, theme=theme, bounds=bounds, **options)
    except OSError as exc:
        raise ExportError(f"{path}: {exc.strerror or exc}") from None
    return path


def _write_replacing(fmt: ExportFormat, pictures: list[Picture], path: Path,
                     **arguments: Any) -> None:
    """``fmt``'s writer, writing into a temporary file that replaces ``path`` only when it is
    complete (:mod:`graphstudio.core.savefile`): an export killed half-way, or one that fails,
    leaves the previous file as it was."""
    with replacing(path) as tmp:
        try:
            fmt.write(pictures, tmp, **arguments)
        except ExportError as exc:
            raise ExportError(str(exc).replace(str(tmp), str(path))) from None


def export_steps(pictures: Sequence[Picture], out: str | os.PathLike, format: str = "png", *,
                 scale: float = 1.0, theme: Theme | str = "light", **options: Any) -> list[Path]:
    """Write step frames: into ``out`` itself when its suffix is a format that holds pages
    (``.pdf``: a page per step), else into a folder ``out`` (made if missing, its parent must
    exist) of ``step_001.png`` ... in ``format``. All frames share one crop. Returns the files
    written."""
    if not pictures:
        raise ExportError("there are no steps to export (the graph has no nodes)")
    out = Path(out)
    theme = _theme(theme)
    check_scale(scale)
    _check_folder(out)
    pages = _by_suffix(out)
    try:
        if pages is not None and pages.pages:
            return [_write_whole(pages, pictures, out, scale, theme,
                                 _options(pages, options, steps=True))]
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out}: is a file; step frames go into a folder (or a .pdf)")
        fmt = _format(format)
        options = _options(fmt, options, steps=True)
        out.mkdir(exist_ok=True)
        bounds = export_bounds(pictures, theme) if fmt.drawn else None
        digits = max(3, len(str(len(pictures))))
        written = []
        for i, picture in enumerate(pictures, 1):
            path = out / f"step_{i:0{digits}d}{fmt.suffixes[0]}"
            export_picture(picture, path, fmt.name, scale=scale, theme=theme, bounds=bounds,
                           **options)
            written.append(path)
        return written
    except OSError as exc:
        raise ExportError(f"{out}: {exc.strerror or exc}") from None


def _write_whole(fmt: ExportFormat, pictures: Sequence[Picture], out: Path, scale: float,
                 theme: Theme, options: dict[str, Any]) -> Path:
    """Write every picture into the one file ``out`` (a format that holds pages, or a player),
    replacing it only when complete."""
    bounds = None
    if fmt.drawn:
        ensure_app()
        bounds = export_bounds(pictures, theme)
    try:
        _write_replacing(fmt, list(pictures), out, scale=scale, theme=theme, bounds=bounds,
                         **options)
    except OSError as exc:
        raise ExportError(f"{out}: {exc.strerror or exc}") from None
    return out


# ---- for the writers of drawn formats -----------------------------------------------------------


def painter_on(device):
    """A QPainter begun on ``device`` with antialiasing, or ExportError."""
    from PySide6.QtGui import QPainter

    painter = QPainter()
    if not painter.begin(device):
        raise ExportError("cannot start drawing (is the output writable?)")
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setRenderHint(QPainter.TextAntialiasing, True)
    painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
    return painter


def paint_cropped(painter, picture: Picture, theme: Theme, bounds, factor: float,
                  background: bool = True) -> None:
    """Paint ``picture`` with an active ``painter``, cropped to ``bounds`` and scaled by
    ``factor``, on the theme's background unless ``background`` is false."""
    from .draw import paint_picture

    painter.save()
    if background:
        from PySide6.QtCore import QRectF
        from PySide6.QtGui import QColor

        painter.fillRect(QRectF(0, 0, bounds.width() * factor, bounds.height() * factor),
                         QColor(theme.background))
    painter.scale(factor, factor)
    painter.translate(-bounds.left(), -bounds.top())
    paint_picture(painter, picture, theme)
    painter.restore()
