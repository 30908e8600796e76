"""The layers (docs/architecture.md) are import-linter contracts in pyproject.toml: core imports
no Qt and nothing above it; io and render import nothing from ui or the Python API (nor from
each other); the API never imports ui; ui never reaches into networkx. The tree keeps them,
and each contract catches a break of its rule (on a copy of the package with one bad import
added)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the contracts of ``root``/pyproject.toml, on ``root``'s package."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_code_keeps_every_layer_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


BREAKS = {
    "core imports Qt": ("core/numbers.py", "from PySide6 import QtCore  # noqa\n",
                        "core imports no Qt and nothing above it BROKEN"),
    "core imports io": ("core/merge.py", "from ..io import document  # noqa\n",
                        "core imports no Qt and nothing above it BROKEN"),
    "render imports ui": ("render/picture.py", "from ..ui import values  # noqa\n",
                          "io and render import nothing from ui BROKEN"),
    "io imports render": ("io/nxgraph.py", "from ..render import style  # noqa\n",
                          "io and render are independent of each other BROKEN"),
    "ui imports networkx": ("ui/scene.py", "import networkx  # noqa\n",
                            "ui never reaches into networkx BROKEN"),
    "api imports ui": ("api/editor.py", "from ..ui import app  # noqa\n",
                       "the Python API never imports the editor (it runs in a process of its "
                       "own) BROKEN"),
}


@pytest.mark.parametrize("module, line, says", BREAKS.values(), ids=BREAKS)
def test_each_contract_catches_a_break(tmp_path, module, line, says):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "graphstudio", tmp_path / "graphstudio",
                    ignore=shutil.ignore_patterns("__pycache__", "_examples", "_resources"))
    path = tmp_path / "graphstudio" / module
    text = path.read_text()
    future = "\nfrom __future__ import annotations\n"
    head = text.index(future) + len(future)
    path.write_text(text[:head] + line + text[head:])
    result = lint(tmp_path)
    assert result.returncode != 0
    assert says in result.stdout, result.stdout
    assert "1 broken" in result.stdout
