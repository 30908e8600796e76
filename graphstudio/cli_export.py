"""``graphstudio export``: annotated pictures of a graph for slides and notes.

::

    graphstudio export FILE -o OUT [--format png|svg|pdf|tikz|html] [--scale S | --width PX] [--dpi N]
                       [--no-grad] [--edge-labels] [--theme light|dark|print] [--transparent]
                       [--output NAME] [--bare]
    graphstudio export FILE --steps -o DIR        step_001.png ... (forward, then backward)
    graphstudio export FILE --steps -o OUT.pdf    one page per step

The format comes from OUT's suffix (``.png``, ``.svg``, ``.pdf``, ``.tex``, ``.html``: the
page with the picture and its step-through) unless
``--format`` is given. The formats and their own flags (``--dpi``, ``--width``,
``--transparent``, ``--bare``) come from the export registry
(:mod:`graphstudio.render.exporters`), and the rest of the command line fills in the same
:class:`~graphstudio.render.export.ExportSettings` as File > Export. TikZ never starts Qt; the
other formats start it headless when there is no display. Every problem with the input is one
line on stderr and exit status 1 (options are checked here rather than by argparse, whose
complaints span several lines).
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Sequence

from .cli import UsageError, graph_file, load_and_evaluate, parser, warn_domain
from .render.export import ExportError, ExportSettings, export_graph
from .render.exporters import export_formats, format_options
from .render.style import THEMES

__all__ = ["main"]


def _positive(option: str, text: str | None) -> float | None:
    """``text`` as a positive number, else a one-line UsageError."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"{option} must be a positive number, not {text!r}")
    return value


def _choice(option: str, value: str | None, choices) -> str | None:
    if value is not None and value not in choices:
        raise UsageError(f"{option} {value}: unknown; choose from {', '.join(choices)}")
    return value


def build_parser() -> argparse.ArgumentParser:
    formats = export_formats()
    titles = ", ".join(f.title for f in formats[:-1]) + " or " + formats[-1].title
    p = parser("graphstudio export", f"Export a graph with its values and gradients as {titles}, "
               "or its forward and backward passes step by step.")
    p.add_argument("file", help=graph_file())
    p.add_argument("-o", "--out", required=True, metavar="OUT",
                   help="the file to write (a folder or a .pdf with --steps)")
    p.add_argument("--format", type=str.lower, metavar="|".join(f.name for f in formats),
                   help="default: from OUT's suffix ("
                   + " ".join(f.suffixes[0] for f in formats) + ")")
    p.add_argument("--scale", default="1", metavar="S", help="size factor (default 1)")
    p.add_argument("--no-grad", action="store_true", help="leave out the gradients")
    p.add_argument("--edge-labels", action="store_true",
                   help="label every edge with its local derivative")
    p.add_argument("--theme", default="light", metavar="|".join(THEMES),
                   help="colours (default light)")
    p.add_argument("--output", metavar="NAME", help="differentiate this node (default: the only "
                   "sink, else the last assigned name)")
    p.add_argument("--steps", action="store_true",
                   help="one image per step of the forward then the backward pass")
    for option in format_options():
        if option.is_flag:
            p.add_argument(option.flag, dest=option.name, action="store_true", help=option.help)
        else:
            p.add_argument(option.flag, dest=option.name, metavar=option.name.upper(),
                           help=option.help)
    return p


def _format_options(args: argparse.Namespace) -> dict:
    """The format options given on the command line, by name, checked."""
    given = {}
    for option in format_options():
        value = getattr(args, option.name)
        if option.is_flag:
            if value:
                given[option.name] = not option.default if option.negate else True
        elif value is not None:
            try:
                given[option.name] = option.parse(value)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
    return given


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    scale = _positive("--scale", args.scale)
    options = _format_options(args)
    _choice("--format", args.format, [f.name for f in export_formats()])
    _choice("--theme", args.theme, tuple(THEMES))
    settings = ExportSettings(format=args.format, steps=args.steps, show_grad=not args.no_grad,
                              edge_labels=args.edge_labels, theme=args.theme, scale=scale,
                              options=options)
    doc, ev = load_and_evaluate(args.file, args.output)
    warn_domain(args.file, doc.graph, ev)
    try:
        written = export_graph(doc.graph, ev, args.out, settings)
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    if args.steps:
        print(f"{args.out}: one page per step" if len(written) == 1
              else f"{args.out}: {len(written)} steps, {written[0].name} to {written[-1].name}")
    return 0


if __name__ == "__main__":
    from .cli import main as cli_main

    sys.exit(cli_main(["export", *sys.argv[1:]]))
