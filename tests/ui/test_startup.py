"""Starting the editor where it cannot open a window: one clear message, not Qt's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland only")


def start_editor(**env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(env_changes, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "graphstudio", str(ROOT / "examples" / "grosse_csc311.gs")],
                          env=env, capture_output=True, text=True, timeout=60)


def test_no_display_says_so_and_what_works_without_one():
    proc = start_editor()
    assert proc.returncode == 1
    assert "there is no display" in proc.stderr and "DISPLAY" in proc.stderr
    assert "--screenshot OUT.png" in proc.stderr and "graphstudio export" in proc.stderr
    assert "xcb" not in proc.stderr and "Reinstalling" not in proc.stderr


def test_a_display_nobody_listens_on_is_named():
    free = next(n for n in range(400, 500) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    proc = start_editor(DISPLAY=f":{free}")
    assert proc.returncode == 1
    assert f"cannot reach the display :{free}" in proc.stderr and "--screenshot" in proc.stderr
    assert "xcb" not in proc.stderr


SCRIPT_WINDOW = """
from PySide6.QtWidgets import QApplication
from graphstudio.ui.main_window import MainWindow
app = QApplication([])
window = MainWindow(restore_layout=False)
window.show()
app.processEvents()
window.open_file({file!r}, ask=False)
app.processEvents()
print("opened", len(window.document.graph))
"""


def test_a_scripts_window_left_open_at_exit_ends_quietly(tmp_path):
    """A script (a benchmark, a notebook helper) that ends with its window still open: Python
    tears the window down, its docks hide after its C++ half is gone, and nothing may print
    a traceback then."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    code = SCRIPT_WINDOW.format(file=str(ROOT / "examples" / "grosse_csc311.gs"))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("opened 6")
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr, proc.stderr
