"""``graphstudio export``: annotated pictures of a graph for slides and notes.

::

    graphstudio export FILE -o OUT [--format png|svg|pdf|tikz] [--scale S] [--dpi N]
                       [--no-grad] [--edge-labels] [--theme light|dark|print] [--transparent]
                       [--output NAME] [--bare]
    graphstudio export FILE --steps -o DIR        step_001.png ... (forward, then backward)
    graphstudio export FILE --steps -o OUT.pdf    one page per step

The format comes from OUT's suffix (``.png``, ``.svg``, ``.pdf``, ``.tex``) unless
``--format`` is given. Sizes follow :mod:`graphstudio.render.export`: a PNG is
``bounds × scale × dpi / 96`` pixels. TikZ never starts Qt; the other formats start it headless
when there is no display. Every problem with the input is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Sequence

from .cli import UsageError, load_and_evaluate, parser, warn_domain
from .render.style import THEMES

__all__ = ["main"]

FORMATS = ("png", "svg", "pdf", "tikz")


def _positive(option: str, text: str | None) -> float | None:
    """``text`` as a positive number, else a one-line UsageError (not argparse's usage dump)."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"{option} must be a positive number, not {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = parser("graphstudio export", "Export a graph with its values and gradients as PNG, SVG, "
               "PDF or TikZ, or its forward and backward passes step by step.")
    p.add_argument("file", help="a .gs or .json graph")
    p.add_argument("-o", "--out", required=True, metavar="OUT",
                   help="the file to write (a folder or a .pdf with --steps)")
    p.add_argument("--format", type=str.lower, metavar="png|svg|pdf|tikz",
                   help="png, svg, pdf or tikz (default: from OUT's suffix; .tex is tikz)")
    p.add_argument("--scale", default="1", metavar="S", help="size factor (default 1)")
    p.add_argument("--dpi", metavar="N",
                   help="PNG resolution: pixels = size × scale × dpi / 96 (default 96)")
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
                   help="TikZ: write only the tikzpicture (to paste into slides), not a document")
    return p


def _format(args) -> str:
    from .render.export import ExportError, format_for

    if args.format:
        if args.format not in FORMATS:
            raise UsageError(f"--format {args.format}: unknown format; formats: {', '.join(FORMATS)}")
        return args.format
    if not args.steps and Path(args.out).is_dir():
        raise UsageError(f"{args.out}: is a folder; give a file name such as "
                         f"{Path(args.out) / 'graph.png'}")
    if args.steps and Path(args.out).suffix.lower() != ".pdf":
        return "png"  # a folder of frames
    try:
        return format_for(args.out)
    except ExportError as exc:
        raise UsageError(str(exc)) from None


def _check(args, fmt: str) -> None:
    out = Path(args.out)
    if args.dpi is not None and fmt != "png":
        raise UsageError(f"--dpi applies to PNG only ({fmt} is {'vector' if fmt != 'tikz' else 'TeX'})")
    if args.transparent and fmt != "png":
        raise UsageError(f"--transparent applies to PNG only, not {fmt}")
    if args.bare and fmt != "tikz":
        raise UsageError("--bare applies to TikZ only")
    if not out.resolve().parent.is_dir():
        raise UsageError(f"{args.out}: the folder {out.resolve().parent} does not exist")
    if args.steps:
        if out.suffix.lower() == ".pdf" and args.format not in (None, "pdf"):
            raise UsageError(f"{args.out}: a .pdf holds PDF pages, not {args.format}")
        if out.suffix.lower() != ".pdf" and out.exists() and not out.is_dir():
            raise UsageError(f"{args.out}: is a file; --steps writes a folder of images (or a .pdf)")


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    args.scale = _positive("--scale", args.scale)
    args.dpi = _positive("--dpi", args.dpi)
    if args.theme not in THEMES:
        raise UsageError(f"--theme {args.theme}: unknown theme; themes: {', '.join(THEMES)}")
    fmt = _format(args)
    _check(args, fmt)
    doc, ev = load_and_evaluate(args.file, args.output)
    graph = doc.graph
    warn_domain(args.file, graph, ev)

    from .render.export import ExportError, export_picture, export_steps

    try:
        if fmt == "tikz":
            pictures = _tikz_pictures(graph, ev, args)
        else:
            from .render.export import graph_picture, graph_steps

            if args.steps:
                pictures = graph_steps(graph, ev, edge_labels=args.edge_labels, theme=args.theme)
            else:
                pictures = [graph_picture(graph, ev, show_grad=not args.no_grad,
                                          edge_labels=args.edge_labels, theme=args.theme)]
        if args.steps:
            written = export_steps(pictures, args.out, fmt, scale=args.scale, dpi=args.dpi,
                                   theme=args.theme, transparent=args.transparent)
            print(f"{args.out}: {len(pictures)} steps"
                  + (f" in {len(written)} files" if len(written) > 1 else ""))
        else:
            export_picture(pictures[0], args.out, fmt, scale=args.scale, dpi=args.dpi,
                           theme=args.theme, transparent=args.transparent,
                           standalone=not args.bare)
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _tikz_pictures(graph, ev, args):
    """Pictures for TikZ, laid out without Qt (TikZ sizes its own boxes)."""
    from .render.picture import build_picture, step_pictures
    from .render.positions import graph_positions

    pos = graph_positions(graph)
    if args.steps:
        return step_pictures(graph, ev, pos, edge_labels=args.edge_labels)
    return [build_picture(graph, ev, pos, show_grad=not args.no_grad, edge_labels=args.edge_labels)]


if __name__ == "__main__":
    from .cli import main as cli_main

    sys.exit(cli_main(["export", *sys.argv[1:]]))
