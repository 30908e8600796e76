"""``graphstudio convert``: a graph from one file format to another.

::

    graphstudio convert IN -o OUT [--format NAME] [--header TEXT]

IN is read by the format its name says (``.gs``, ``.json``, ``.graphml``, ``.nodelink.json``,
or a ``.json`` that holds node-link data); OUT is written in the format its name says, or in
``--format``'s (``gs``, ``json``, ``graphml``, ``dot``, ``nodelink``), with that format's own
flags (``--header`` for ``.gs``). Formats, suffixes and flags all come from the file format
registry (:mod:`graphstudio.io.formats`), as File > Open and File > Save As do. What the
reader could not map and what the written format leaves out are notes on stderr; a problem is
one line there and exit status 1. Qt is never started.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .cli import UsageError, graph_file, parser
from .core.graph import GraphError
from .io import OpenError, open_document
from .io.formats import save_document, suffix_list, writer_for, writer_named, writers

__all__ = ["main"]


def _writer_options():
    """Every writer option, once each (its flag on the command line)."""
    seen = {}
    for fmt in writers():
        for option in fmt.options:
            seen.setdefault(option.name, (option, fmt))
    return list(seen.values())


def build_parser() -> argparse.ArgumentParser:
    formats = writers()
    p = parser("graphstudio convert", "Convert a graph between file formats: "
               + ", ".join(f"{f.title} ({f.suffixes[0]})" for f in formats) + ".")
    p.add_argument("file", help=graph_file())
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="the file to write")
    p.add_argument("--format", type=str.lower, metavar="|".join(f.name for f in formats),
                   help=f"default: from OUT's name ({suffix_list(formats)})")
    for option, fmt in _writer_options():
        p.add_argument(option.flag, dest=option.name, metavar=option.name.upper(),
                       help=f"{fmt.title}: {option.help}")
    return p


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    out = Path(args.out)
    if args.format is not None:
        fmt = writer_named(args.format)
        if fmt is None:
            raise UsageError(f"--format {args.format}: unknown; choose from "
                             f"{', '.join(f.name for f in writers())}")
    else:
        fmt = writer_for(out)
        if fmt is None:
            suffix = out.suffix.lower()
            raise UsageError(f"{out}: cannot tell the format from "
                             f"{suffix or 'a name without a suffix'!r}; write "
                             f"{suffix_list(writers())}, or give --format (pictures: "
                             "graphstudio export)")
    options = {}
    for option, owner in _writer_options():
        value = getattr(args, option.name)
        if value is None:
            continue
        if fmt.options and option in fmt.options:
            try:
                options[option.name] = option.parse(value)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        else:
            raise UsageError(f"{option.flag} applies to {owner.title} files only, not {fmt.title}")
    if not out.resolve().parent.is_dir():
        raise UsageError(f"{out}: the folder {out.resolve().parent} does not exist")
    if out.is_dir():
        raise UsageError(f"{out}: is a folder; give a file name")
    try:
        doc = open_document(args.file)
    except OpenError as exc:
        raise UsageError(str(exc)) from None
    for note in doc.notes:
        print(f"{args.file}: note: {note}", file=sys.stderr)
    try:
        save_document(out, doc.graph, doc.view, format=fmt.name, **options)
    except OSError as exc:
        raise UsageError(f"{out}: {exc.strerror or exc}") from None
    except (ValueError, GraphError) as exc:
        raise UsageError(f"{out}: {exc}") from None
    if not fmt.complete:
        print(f"{out}: note: {fmt.title} keeps {fmt.keeps}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    from .cli import main as cli_main

    sys.exit(cli_main(["convert", *sys.argv[1:]]))
