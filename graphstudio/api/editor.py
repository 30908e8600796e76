"""``graph.open()``: the editor on a graph, in a process of its own.

Why a separate process rather than a window of this one: a Qt window needs Qt's event loop to
run. A script that opened one in-process would freeze it until its own ``app.exec()``, and a
Jupyter kernel runs no Qt loop unless the user has typed ``%gui qt`` first (the window then
hangs, or takes the kernel down with it when Qt aborts). A separate ``python -m graphstudio
FILE`` behaves the same from a script, a notebook and a terminal: the call returns at once,
the window lives until the user closes it (after the script has ended, too), and a crash there
cannot lose the notebook's state.

The price is that the editor works on a file, not on the Python object: the graph is saved
first (to the path given, else to a new temporary ``.json``), File > Save in the editor writes
back to that file, and :meth:`Editor.load` reads what was saved.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .graph import Graph

__all__ = ["Editor", "open_editor", "EditorError"]


class EditorError(RuntimeError):
    """The editor cannot be started here (no display); the message says what to do instead."""


class Editor:
    """A running editor: its ``path`` (the file it opened) and its ``process``."""

    def __init__(self, path: Path, process: subprocess.Popen, log: Path) -> None:
        self.path = path
        self.process = process
        #: what the editor wrote on stderr (why it did not start, if it did not)
        self.log = log

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def wait(self, timeout: float | None = None) -> int:
        """Wait until the window is closed; returns the editor's exit status."""
        return self.process.wait(timeout)

    def close(self) -> None:
        """Close the editor (what it had not saved is lost, as with a killed window)."""
        if self.running:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def load(self) -> "Graph":
        """The graph as last saved to :attr:`path` (by the editor's File > Save)."""
        from .graph import load

        return load(self.path)

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited ({self.process.returncode})"
        return f"<graphstudio Editor on {self.path}: {state}>"


def open_editor(graph: "Graph", path: str | os.PathLike | None = None) -> Editor:
    """Save ``graph`` (to ``path``, else a new temporary ``.json``) and start the editor on
    it; see the module docstring."""
    from ..render.export import headless

    if headless():
        raise EditorError("there is no display to open the editor on (DISPLAY is not set); "
                          "draw the graph into a file instead: graph.export('graph.png')")
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="graphstudio-")) / "graph.json"
    path = Path(path)
    graph.save(path)
    command = [sys.executable, "-m", "graphstudio", str(path)]
    # its own session: an interrupt of the kernel or the script does not close the window
    fd, log = tempfile.mkstemp(prefix="graphstudio-editor-", suffix=".log")
    with os.fdopen(fd, "w") as stderr:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=stderr, start_new_session=True)
    return Editor(path, process, Path(log))
