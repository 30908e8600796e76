"""``graphstudio export``: annotated pictures of a graph for slides and notes.

::

    graphstudio export FILE -o OUT [--format png|svg|pdf|tikz] [--scale S | --width PX] [--dpi N]
                       [--no-grad] [--edge-labels] [--theme light|dark|print] [--transparent]
                       [--output NAME] [--bare]
    graphstudio export FILE --steps -o DIR        step_001.png ... (forward, then backward)
    graphstudio export FILE --steps -o OUT.pdf    one page per step

The format comes from OUT's suffix (``.png``, ``.svg``, ``.pdf``, ``.tex``) unless
``--format`` is given. Sizes follow :mod:`graphstudio.render.export`: a PNG is
``bounds × scale × dpi / 96`` pixels. TikZ never starts Qt; the other formats start it headless
when there is no display. Every problem with the input is one line on stderr and exit status 1
(options are checked here rather than by argparse, whose complaints span several lines).
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Sequence

from .cli import UsageError, load_and_evaluate, parser, warn_domain
from .render.export import FORMATS, ExportError, export_graph
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
    p = parser("graphstudio export", "Export a graph with its values and gradients as PNG, SVG, "
               "PDF or TikZ, or its forward and backward passes step by step.")
    p.add_argument("file", help="a .gs or .json graph")
    p.add_argument("-o", "--out", required=True, metavar="OUT",
                   help="the file to write (a folder or a .pdf with --steps)")
    p.add_argument("--format", type=str.lower, metavar="|".join(FORMATS),
                   help="default: from OUT's suffix (.png .svg .pdf .tex)")
    p.add_argument("--scale", default="1", metavar="S", help="size factor (default 1)")
    p.add_argument("--dpi", metavar="N",
                   help="PNG resolution: pixels = size × scale × dpi / 96 (default 192)")
    p.add_argument("--width", metavar="PX",
                   help="PNG: scale to this many pixels wide (e.g. 1920 for a slide); "
                        "instead of --scale")
    p.add_argument("--no-grad", action="store_true", help="leave out the gradients")
    p.add_argument("--edge-labels", action="store_true",
                   help="label every edge with its local derivative")
    p.add_argument("--theme", default="light", metavar="|".join(THEMES),
                   help="colours (default light)")
    p.add_argument("--transparent", action="store_true", help="PNG with a transparent background")
    p.add_argument("--output", metavar="NAME", help="differentiate this node (default: the only "
                   "sink, else the last assigned name)")
    p.add_argument("--steps", action="store_true",
                   help="one image per step of the forward then the backward pass")
    p.add_argument("--bare", action="store_true",
                   help="TikZ: only the tikzpicture (to paste into slides), not a document")
    return p


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    scale = _positive("--scale", args.scale)
    dpi = _positive("--dpi", args.dpi)
    width = _positive("--width", args.width)
    if width is not None:
        if width != int(width):
            raise UsageError(f"--width must be a whole number of pixels, not {args.width!r}")
        if args.scale != "1":
            raise UsageError("give --width or --scale, not both")
        width = int(width)
    _choice("--format", args.format, FORMATS)
    _choice("--theme", args.theme, tuple(THEMES))
    if args.bare and (args.format or "") != "tikz" and not args.out.lower().endswith((".tex", ".tikz")):
        raise UsageError("--bare applies to TikZ only")
    doc, ev = load_and_evaluate(args.file, args.output)
    warn_domain(args.file, doc.graph, ev)
    try:
        written = export_graph(doc.graph, ev, args.out, args.format, steps=args.steps,
                               show_grad=not args.no_grad, edge_labels=args.edge_labels,
                               scale=scale, dpi=dpi, theme=args.theme,
                               transparent=args.transparent, standalone=not args.bare,
                               width=width)
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    if args.steps:
        print(f"{args.out}: one page per step" if len(written) == 1
              else f"{args.out}: {len(written)} steps, {written[0].name} to {written[-1].name}")
    return 0


if __name__ == "__main__":
    from .cli import main as cli_main

    sys.exit(cli_main(["export", *sys.argv[1:]]))
