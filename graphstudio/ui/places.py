"""Where file dialogs start, and which files are the user's to overwrite.

A careful desktop application never proposes to save into its own installation: the shipped
examples are *templates* (opening one and pressing Save asks where to put the copy, as Office
does with a template), and Save, Save As and Export start in the user's folder:

1. the document's own folder, when it is the user's (not inside the installed package, and
   writable);
2. else the folder the user last saved, opened or exported in (kept in QSettings);
3. else the user's Documents folder (``QStandardPaths.DocumentsLocation``), else home.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from ..examples import examples_dir

__all__ = ["settings", "is_template", "start_folder", "remember_folder", "short_path",
           "recent_label"]

_INSTALLED = ("site-packages", "dist-packages")


def settings() -> QSettings:
    """The editor's settings (window layout, recent files, folders, export options)."""
    return QSettings("GraphStudio", "GraphStudio")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def is_template(path: str | Path | None) -> bool:
    """A file the user should not overwrite: a shipped example, anything inside an installed
    Python package, or a file in a folder the user cannot write to."""
    if path is None:
        return False
    path = Path(path)
    if _inside(path, examples_dir()) or any(p in path.resolve().parts for p in _INSTALLED):
        return True
    folder = path.parent
    return folder.is_dir() and not os.access(folder, os.W_OK)


def _users(folder: Path | None) -> bool:
    return folder is not None and folder.is_dir() and not is_template(folder / "x") \
        and os.access(folder, os.W_OK)


def start_folder(document: str | Path | None = None) -> Path:
    """Where a Save, Save As or Export dialog starts (see the module docstring)."""
    if document is not None and _users(Path(document).parent):
        return Path(document).parent
    last = settings().value("last_folder")
    if isinstance(last, str) and last and _users(Path(last)):
        return Path(last)
    docs = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    if docs and Path(docs).is_dir():
        return Path(docs)
    return Path.home()


def remember_folder(path: str | Path) -> None:
    """The user chose ``path`` (a file, or a folder of step frames): next time start there."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    if _users(folder):
        settings().setValue("last_folder", str(folder.resolve()))


def short_path(path: str | Path) -> str:
    """A path as a menu shows it: ``~`` for the home folder; a shipped example as
    ``example``."""
    path = Path(path)
    if _inside(path, examples_dir()):
        return "example"
    text = str(path)
    home = str(Path.home())
    if text == home or text.startswith(home + os.sep):
        text = "~" + text[len(home):]
    return text


def recent_label(path: str | Path, width: int = 48) -> str:
    """How File > Open Recent names a file: its name, then its folder (short, and cut in the
    middle when long), e.g. ``net.json — ~/teaching/week 3`` or ``grosse_csc311.gs — example``."""
    path = Path(path)
    folder = short_path(path.parent) if not _inside(path, examples_dir()) else "example"
    if len(folder) > width:
        folder = folder[:width // 3] + "…" + folder[-(width - width // 3 - 1):]
    return f"{path.name} — {folder}".replace("&", "&&")
