"""Help > About GraphStudio: the version and the licence, both from the installed package's
metadata (whose one source is pyproject.toml), and a line about what GraphStudio is for."""

from __future__ import annotations

import platform
from html import escape
from importlib.metadata import PackageNotFoundError, metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = ["about_text", "package_facts", "show_about"]

TAGLINE = ("A desktop editor for computation graphs: every value of the forward pass and every "
           "gradient of the backward pass, for teaching and learning backpropagation.")


def package_facts() -> tuple[str, str]:
    """(version, licence) of the installed graphstudio package."""
    try:
        meta = metadata("graphstudio")
    except PackageNotFoundError:  # a checkout used without installing it
        return "unknown (not installed)", "see pyproject.toml"
    licence = meta.get("License-Expression") or meta.get("License") or "not stated"
    return meta["Version"], licence


def about_text() -> str:
    version, licence = package_facts()
    return (f"<h3>GraphStudio {escape(version)}</h3>"
            f"<p>{escape(TAGLINE)}</p>"
            f"<p>Licence: {escape(licence)}</p>"
            f"<p><small>Python {escape(platform.python_version())}, Qt {escape(qVersion())}, "
            f"PySide6 {escape(pyside_version)}</small></p>")


def show_about(parent: QWidget) -> None:
    """The About box (its icon is the window's: the application icon)."""
    QMessageBox.about(parent, "About GraphStudio", about_text())
