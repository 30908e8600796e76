"""The export formats: one module each in this package, found by looking.

Every module here registers one :class:`ExportFormat` when imported (PNG, SVG, PDF, TikZ,
HTML): its name and title, its file suffixes, its own options
(:class:`~graphstudio.core.options.Option`) and its writer. The registry
(:class:`~graphstudio.core.registry.Registry`) imports every module of the package the first
time it is asked, so a new format is one new file here; File > Export (its format list, option
widgets and file filter), ``graphstudio export`` (``--format`` and the option flags) and
:func:`graphstudio.render.export.export_graph` are all built from :func:`export_formats`.
A test or a plug-in can also :func:`register` a format of its own (and :func:`unregister` it).

A writer is called as ``write(pictures, path, scale=..., theme=..., bounds=..., **options)``
with one picture, or every step's picture when the format holds pages (``pages``: steps into
one PDF). ``bounds`` is the crop (a QRectF, shared by every step frame) for formats drawn by
Qt's painter (``drawn``); the others (TikZ) get None, never start Qt, and may lay the graph
out themselves (``layout``). ``size`` says in words how big the result will be, for the dialog.
A ``player`` format (HTML) always gets the annotated picture followed by every step's picture,
the edges each step uses labelled with their local derivative, and writes them into one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...core.options import Option
from ...core.registry import Registry

__all__ = ["ExportFormat", "register", "unregister", "export_formats", "export_format",
           "format_options"]


@dataclass(frozen=True)
class ExportFormat:
    """One export format (see the module docstring)."""

    name: str  # the --format word and the key of the registry: "png"
    title: str  # what the dialog lists: "PNG image"
    suffixes: tuple[str, ...]  # the first is the one proposed: (".tex", ".tikz")
    write: Callable[..., None]
    options: tuple[Option, ...] = ()
    description: str = ""  # a few words for help texts: "vector, the text stays text"
    pages: bool = False  # step frames go into one file, a page each
    drawn: bool = True  # drawn by Qt's painter and cropped; False: text of its own (no Qt)
    layout: Callable[..., dict[int, tuple[float, float]]] | None = None  # (graph, ev, show_grad, edge_labels)
    size: Callable[[Any, float, dict[str, Any]], str] | None = None  # (bounds, scale, options)
    check: Callable[[Any], None] | None = None  # (settings): a rule among the settings
    player: bool = False  # always the whole step-through: the picture, then every step's
    order: int = 100  # place in lists

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)


_REGISTRY: Registry[ExportFormat] = Registry(__name__)
register = _REGISTRY.register
unregister = _REGISTRY.unregister


def export_formats() -> list[ExportFormat]:
    """Every export format, in list order."""
    return _REGISTRY.all()


def export_format(name: str) -> ExportFormat | None:
    return _REGISTRY.get(name)


def format_options() -> list[Option]:
    """Every option of every format, once each (formats may share one, such as a resolution)."""
    seen: dict[str, Option] = {}
    for fmt in export_formats():
        for option in fmt.options:
            seen.setdefault(option.name, option)
    return list(seen.values())
