"""``graphstudio eval`` of a text of numbers starts without the modules it does not need.

Start-up is most of a first ``eval`` of a network (a third of it): the command, the registry
of ops and the fast reader import no ``dataclasses`` (nor ``inspect``, which it imports),
``pathlib``, ``shutil`` (which argparse imports to find the terminal's width), ``typing``,
``ast``, ``tokenize``, ``contextlib`` or numpy (see core/records.py, core/lazy_numpy.py and
cli.py). Each run is a process of its own, started without the site packages (``-S``, the
checkout on the path): the development environment's editable install imports pathlib and
more before any of GraphStudio's code runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_gs_program import chain, mlp

ROOT = Path(__file__).resolve().parent.parent

#: modules the first and the cached ``eval`` of a text of numbers do without
UNNEEDED = ("dataclasses", "inspect", "pathlib", "shutil", "typing", "ast", "tokenize",
            "contextlib", "numpy", "networkx")

#: runs ``eval``, then prints on stderr's last line which of UNNEEDED were imported
EVAL = ("import sys; from graphstudio.cli import main; code = main(sys.argv[1:]); "
        f"print(sorted(m for m in {UNNEEDED!r} if m in sys.modules), file=sys.stderr); "
        "sys.exit(code)")


def run(path: Path, cache: Path) -> tuple[str, list[str]]:
    """``graphstudio eval PATH --json`` with the cache folder ``cache``: what it prints, and
    which of UNNEEDED it imported."""
    done = subprocess.run([sys.executable, "-S", "-c", EVAL, "eval", str(path), "--json"],
                          capture_output=True, text=True, timeout=120, check=True,
                          env={"XDG_CACHE_HOME": str(cache), "PATH": "/usr/bin:/bin",
                               "PYTHONPATH": str(ROOT)})
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"'))


@pytest.mark.parametrize("text", [mlp((12, 6, 3, 1)), chain(50, "sin cos tanh")],
                         ids=["mlp", "chain"])
def test_eval_of_numbers_starts_without_what_it_does_not_need(text, tmp_path):
    path = tmp_path / "f.gs"
    path.write_text(text)
    cache = tmp_path / "cache"
    first, imported = run(path, cache)
    assert imported == []  # the first run: read into the program, run, kept
    assert any(cache.rglob("*.gsp"))
    cached, imported = run(path, cache)
    assert imported == []  # the cached run: replayed
    assert cached == first and json.loads(first)["nodes"]


def test_the_help_is_as_wide_as_argparse_makes_it():
    """The command's parsers find the width argparse would (shutil's terminal size), without
    importing shutil."""
    import argparse

    from graphstudio.cli import parser

    ours = parser("graphstudio eval", "Print every named node's value and gradient.")
    theirs = argparse.ArgumentParser(prog="graphstudio eval",
                                     description="Print every named node's value and gradient.")
    for p in (ours, theirs):
        p.add_argument("--output", metavar="NAME", help="differentiate this node " * 8)
    for columns in ("40", "120", "", "-3", "x"):
        env = {"COLUMNS": columns} if columns else {}
        with pytest.MonkeyPatch.context() as mp:
            mp.delenv("COLUMNS", raising=False)
            for k, v in env.items():
                mp.setenv(k, v)
            assert ours.format_help() == theirs.format_help(), columns
