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
