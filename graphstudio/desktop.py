"""GraphStudio on the Linux desktop: ``graphstudio --install-desktop`` and ``--uninstall-desktop``.

The files live in ``resources/`` at the top of the repository, laid out as they are installed
(the installed package has them as ``graphstudio/_resources``, mapped in pyproject.toml)::

    applications/org.graphstudio.GraphStudio.desktop     the launcher entry, opens .gs files
    mime/packages/org.graphstudio.GraphStudio.xml        the document types (shared-mime-info)
    icons/hicolor/NxN/apps/org.graphstudio.GraphStudio.png, icons/hicolor/scalable/apps/...svg
    metainfo/org.graphstudio.GraphStudio.metainfo.xml    AppStream, for software centres
    actions/light/*.svg, actions/dark/*.svg              the toolbar's icons (graphstudio.ui.icons)

:func:`install` copies the first three into the user's XDG data folder (``$XDG_DATA_HOME``,
else ``~/.local/share``), with the launcher's ``Exec`` pointing at this installation's
``graphstudio`` command, then refreshes the desktop's caches with ``update-mime-database``,
``update-desktop-database`` and ``gtk-update-icon-cache`` where they are installed (a tool
that is not installed is skipped: the files work without its cache, found a little later).
:func:`uninstall` removes exactly those files. Nothing here imports Qt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .core.savefile import atomic_write_bytes

__all__ = ["APP_ID", "ICON_SIZES", "DesktopError", "Report", "resources_dir", "data_home",
           "command", "exec_line", "desktop_entry", "install", "uninstall"]

APP_ID = "org.graphstudio.GraphStudio"
#: the sizes of the application icon's PNGs in icons/hicolor (besides the scalable SVG)
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
DESKTOP_FILE = Path("applications") / f"{APP_ID}.desktop"
MIME_FILE = Path("mime") / "packages" / f"{APP_ID}.xml"
#: the cache tools, each with the folder (under the data home) it refreshes
CACHE_TOOLS = (("update-mime-database", ("mime",), ()),
               ("update-desktop-database", ("applications",), ("-q",)),
               ("gtk-update-icon-cache", ("icons", "hicolor"), ("-q", "-t", "-f")))


class DesktopError(Exception):
    """The desktop files cannot be installed or removed; the message says where and why."""


@dataclass
class Report:
    """What :func:`install` or :func:`uninstall` did: the files (relative to ``home``), the
    cache tools run, those not installed, and a line for each tool that failed."""

    home: Path
    files: list[Path] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def resources_dir() -> Path:
    """The folder holding the desktop files and icons (the checkout's, else the package's)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "resources", here / "_resources"):
        if (candidate / DESKTOP_FILE).is_file():
            return candidate
    return here / "_resources"


def icon_files() -> list[Path]:
    """The application icon's files, relative to the resources (and to the data home)."""
    hicolor = Path("icons") / "hicolor"
    files = [hicolor / f"{s}x{s}" / "apps" / f"{APP_ID}.png" for s in ICON_SIZES]
    return files + [hicolor / "scalable" / "apps" / f"{APP_ID}.svg"]


def installed_files() -> list[Path]:
    """Everything :func:`install` writes, relative to the data home."""
    return [DESKTOP_FILE, MIME_FILE, *icon_files()]


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset, empty or relative (the XDG
    base directory specification says a relative path is to be ignored)."""
    env = os.environ if environ is None else environ
    value = env.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "share"


def command() -> list[str]:
    """The absolute command line that starts this installation of GraphStudio: the
    ``graphstudio`` script beside the running interpreter (a venv's ``bin``, or the user
    scheme's for ``pip install --user``), else ``python -m graphstudio`` with this interpreter."""
    schemes = [sysconfig.get_default_scheme()]
    user = sysconfig.get_preferred_scheme("user")
    if user not in schemes:
        schemes.append(user)
    name = "graphstudio.exe" if os.name == "nt" else "graphstudio"
    for scheme in schemes:
        script = Path(sysconfig.get_path("scripts", scheme)) / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "graphstudio"]


#: characters that make the Desktop Entry spec's Exec key quote an argument
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _escape_string(value: str) -> str:
    """A Desktop Entry ``string`` value: backslash, and the control characters, escaped."""
    if "\n" in value or "\r" in value:
        raise DesktopError(f"{value!r}: a path with a line break cannot go in a desktop file")
    return value.replace("\\", "\\\\").replace("\t", "\\t")


def exec_line(args: list[str], field_code: str = "%f") -> str:
    """The value of the ``Exec`` key that runs ``args`` plus ``field_code``: each argument
    quoted where the Desktop Entry spec asks (a space, a quote, ``$``...), ``%`` doubled, then
    escaped as a string value (so a backslash in a quoted argument becomes four)."""
    quoted = []
    for arg in args:
        if any(c in _RESERVED for c in arg):
            arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
        quoted.append(arg.replace("%", "%%"))
    return _escape_string(" ".join(quoted + [field_code]))


def desktop_entry(args: list[str] | None = None) -> str:
    """The launcher entry from the resources, its ``Exec`` and ``TryExec`` set to ``args``
    (default: :func:`command`)."""
    args = command() if args is None else args
    source = (resources_dir() / DESKTOP_FILE).read_text(encoding="utf-8")
    lines = []
    for line in source.splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + exec_line(args)
        elif line.startswith("TryExec="):
            line = "TryExec=" + _escape_string(args[0])
        lines.append(line)
    return "\n".join(lines) + "\n"


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)


def _refresh(report: Report) -> None:
    for tool, folder, options in CACHE_TOOLS:
        target = report.home.joinpath(*folder)
        if not target.is_dir():
            continue
        exe = shutil.which(tool)
        if exe is None:
            report.missing.append(tool)
            continue
        try:
            done = subprocess.run([exe, *options, str(target)], capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            report.failed.append(f"{tool}: {exc}")
            continue
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip().splitlines()
            report.failed.append(f"{tool} {target}: " + (why[-1] if why else f"exit status {done.returncode}"))
        else:
            report.ran.append(tool)


def _freedesktop_only() -> None:
    if sys.platform in ("win32", "darwin"):
        raise DesktopError("--install-desktop and --uninstall-desktop are for Linux and the other "
                           "desktops that follow freedesktop.org (XDG); on this system, start "
                           "GraphStudio with the graphstudio command")


def install(home: Path | None = None, args: list[str] | None = None) -> Report:
    """Register GraphStudio for the current user under ``home`` (default :func:`data_home`):
    the launcher entry (running ``args``, default :func:`command`), the document types and the
    icons; then refresh the caches. Raises :class:`DesktopError` if a file cannot be written."""
    _freedesktop_only()
    report = Report(Path(home) if home is not None else data_home())
    source = resources_dir()
    contents = {DESKTOP_FILE: desktop_entry(args).encode("utf-8")}
    try:
        for rel in [MIME_FILE, *icon_files()]:
            contents[rel] = (source / rel).read_bytes()
    except OSError as exc:
        raise DesktopError(f"{exc.filename}: this installation lacks its desktop files "
                           f"({exc.strerror})") from None
    for rel, data in contents.items():
        target = report.home / rel
        try:
            _write(target, data)
        except OSError as exc:
            raise DesktopError(f"{target}: cannot write ({exc.strerror or exc})") from None
        report.files.append(rel)
    _refresh(report)
    return report


def uninstall(home: Path | None = None) -> Report:
    """Remove what :func:`install` wrote under ``home`` and refresh the caches."""
    _freedesktop_only()
    report = Report(Path(home) if home is not None else data_home())
    for rel in installed_files():
        target = report.home / rel
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DesktopError(f"{target}: cannot remove ({exc.strerror or exc})") from None
        report.files.append(rel)
    if report.files:
        _refresh(report)
    return report


def describe(report: Report, installed: bool) -> str:
    """The report as the lines ``graphstudio --install-desktop`` prints."""
    if not report.files:
        return f"No GraphStudio desktop files in {report.home}; nothing to remove."
    verb = "Installed" if installed else "Removed"
    icons = [f for f in report.files if f.parts[0] == "icons"]
    others = [f for f in report.files if f.parts[0] != "icons"]
    lines = [f"{verb} GraphStudio's desktop files {'in' if installed else 'from'} {report.home}:"]
    lines += [f"  {f}" for f in others]
    if icons:
        lines.append(f"  icons/hicolor/*/apps/{APP_ID}.{{png,svg}} ({len(icons)} files)")
    if report.ran:
        lines.append("Updated: " + ", ".join(report.ran))
    if report.missing:
        lines.append("Not installed here, skipped: " + ", ".join(report.missing))
    lines += [f"warning: {line}" for line in report.failed]
    if installed:
        lines.append("GraphStudio is in the applications menu and opens .gs files "
                     "(graphstudio --uninstall-desktop removes it).")
    return "\n".join(lines)
