"""Where the shipped examples are: the installed package's copy, or the source tree's."""

from __future__ import annotations

from pathlib import Path


def examples_dir() -> Path:
    """The folder holding the lecture examples (``examples/`` in the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "examples", here.parent / "examples"):
        if candidate.is_dir():
            return candidate
    return here.parent / "examples"


def example_files() -> list[Path]:
    """Every example, sorted by name."""
    folder = examples_dir()
    return sorted(p for p in folder.glob("*") if p.suffix in (".gs", ".json"))
