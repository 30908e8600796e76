"""Where the shipped examples are: the source tree's ``examples/`` folder, or the installed
package's copy of it (``graphstudio/_examples``, mapped in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path


def examples_dir() -> Path:
    """The folder holding the lecture examples."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "examples", here / "_examples"):
        if candidate.is_dir() and any(candidate.glob("*.gs")):
            return candidate
    return here.parent / "examples"


def example_files() -> list[Path]:
    """Every example, sorted by name."""
    return sorted(p for p in examples_dir().glob("*") if p.suffix in (".gs", ".json"))
