"""Desktop integration: the files in resources/, ``graphstudio --install-desktop`` into a
temporary XDG data folder, and what the desktop's own tools make of them (desktop-file-validate,
appstreamcli, update-mime-database, gio; .ci/run installs them)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import sysconfig
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

from graphstudio import cli, desktop
from graphstudio.desktop import APP_ID

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "resources"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return exe


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh XDG data folder for the user."""
    data = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    return data


def install(home: Path, capsys) -> str:
    assert cli.main(["--install-desktop"]) == 0
    return capsys.readouterr().out


def fake_program(folder: Path, name: str, body: str) -> Path:
    """An executable shell script ``folder/name`` running ``body`` (a stand-in for a tool)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def desktop_keys(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


# ---- the resources ----------------------------------------------------------------------------


def test_the_application_icon_has_every_hicolor_size():
    for size in desktop.ICON_SIZES:
        png = RES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png_size(png) == (size, size)
    assert (RES / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


def test_the_desktop_file_validates():
    out = subprocess.run([tool("desktop-file-validate"), str(RES / desktop.DESKTOP_FILE)],
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "", out.stdout + out.stderr


def test_the_metainfo_validates_and_names_this_version():
    path = RES / "metainfo" / f"{APP_ID}.metainfo.xml"
    out = subprocess.run([tool("appstreamcli"), "validate", "--no-net", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    text = path.read_text()
    assert f'<release version="{VERSION}"' in text, "add this version to the metainfo's releases"
    assert f"<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>" in text


def test_the_desktop_file_offers_every_mime_type_declared():
    keys = desktop_keys((RES / desktop.DESKTOP_FILE).read_text())
    mime = (RES / desktop.MIME_FILE).read_text()
    declared = {part.split('"')[0] for part in mime.split('<mime-type type="')[1:]}
    assert declared == {"text/x-graphstudio", "application/x-graphstudio+json"}
    assert set(keys["MimeType"].rstrip(";").split(";")) == declared
    assert keys["Icon"] == APP_ID


def _render_icons_script():
    spec = importlib.util.spec_from_file_location("render_icons", ROOT / "tools" / "render_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dark_toolbar_icons_are_the_light_ones_recoloured():
    script = _render_icons_script()
    light = sorted(p.name for p in (RES / "actions" / "light").glob("*.svg"))
    dark = sorted(p.name for p in (RES / "actions" / "dark").glob("*.svg"))
    assert light == dark and len(light) >= 12
    for name in light:
        source = (RES / "actions" / "light" / name).read_text()
        assert (RES / "actions" / "dark" / name).read_text() == script.dark_svg(source), \
            f"run tools/render_icons.py: actions/dark/{name} is not in step"
        assert script.dark_svg(source) != source, f"{name}: no colour of the light set"


def test_the_png_icons_are_renders_of_their_svg(qapp):
    """The committed PNGs show what the SVGs draw now (tools/render_icons.py was run)."""
    from PySide6.QtGui import QImage

    script = _render_icons_script()
    for size in desktop.ICON_SIZES:
        fresh = script.render(script.app_icon_source(size), size)
        saved = QImage(str(script.app_icon_png(size))).convertToFormat(fresh.format())
        assert saved.size() == fresh.size()
        new = np.frombuffer(bytes(fresh.constBits()), np.uint8).astype(int)
        old = np.frombuffer(bytes(saved.constBits()), np.uint8).astype(int)
        assert np.abs(new - old).mean() < 2.0, f"{size}px icon differs from its SVG"
        alpha = old[3::4]  # ARGB32 in memory: B, G, R, A
        assert (alpha > 200).mean() > 0.5, f"{size}px icon is mostly empty"


# ---- --install-desktop -----------------------------------------------------------------------


def test_install_registers_the_launcher_the_icons_and_the_mime_types(home, capsys):
    out = install(home, capsys)
    for rel in desktop.installed_files():
        assert (home / rel).is_file(), rel
    assert str(home) in out and "applications/" in out
    keys = desktop_keys((home / desktop.DESKTOP_FILE).read_text())
    script = Path(keys["TryExec"])
    # the Exec runs this installation's graphstudio, by its absolute path
    assert script.is_absolute() and os.access(script, os.X_OK)
    assert keys["Exec"] == f"{script} %f"
    assert script == Path(sysconfig.get_path("scripts")) / "graphstudio"
    assert (home / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").read_bytes() == \
        (RES / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").read_bytes()


def test_the_installed_desktop_file_validates(home, capsys):
    install(home, capsys)
    out = subprocess.run([tool("desktop-file-validate"), str(home / desktop.DESKTOP_FILE)],
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "", out.stdout


def test_after_install_the_desktop_knows_gs_files_and_graphstudio_documents(home, capsys, tmp_path):
    """gio (GLib: GNOME and most launchers) reads the types and the default application from
    the folders install wrote and the caches it refreshed."""
    gio = tool("gio")
    tool("update-mime-database")
    tool("update-desktop-database")
    install(home, capsys)
    from graphstudio.io import open_document
    from graphstudio.io.document import save

    doc = open_document(ROOT / "examples" / "grosse_csc311.gs")
    saved = tmp_path / "lecture.json"
    save(saved, doc.graph, doc.view)
    plain = tmp_path / "settings.json"
    plain.write_text('{"app": "something else", "nodes": []}\n')
    # the user's own choices (mimeapps.list) are left out of it
    env = {**os.environ, "XDG_DATA_HOME": str(home), "XDG_CONFIG_HOME": str(tmp_path / "config")}

    def content_type(path: Path) -> str:
        out = subprocess.run([gio, "info", "-a", "standard::content-type", str(path)],
                             capture_output=True, text=True, env=env, check=True).stdout
        return out.split("standard::content-type:")[1].split()[0]

    assert content_type(ROOT / "examples" / "grosse_csc311.gs") == "text/x-graphstudio"
    assert content_type(saved) == "application/x-graphstudio+json"
    assert content_type(plain) == "application/json"  # GraphStudio does not claim every JSON file
    for mime in ("text/x-graphstudio", "application/x-graphstudio+json"):
        out = subprocess.run([gio, "mime", mime], capture_output=True, text=True, env=env).stdout
        assert f"Default application for “{mime}”: {APP_ID}.desktop" in out, out


def test_the_launcher_passes_a_file_to_graphstudio_even_with_awkward_paths(tmp_path):
    """The Exec line is quoted as the Desktop Entry spec asks: gio launches a stand-in
    graphstudio in a folder named with a space and a dollar sign, on a file with a percent."""
    gio = tool("gio")
    record = tmp_path / "args.txt"
    fake = fake_program(tmp_path / "my apps $HOME", "graphstudio",
                        f"printf '%s\\n' \"$@\" > '{record}'")
    home = tmp_path / "share"
    desktop.install(home, [str(fake)])
    document = tmp_path / "week 3 50%.gs"
    document.write_text("a = 1\n")
    subprocess.run([gio, "launch", str(home / desktop.DESKTOP_FILE), str(document)],
                   env={**os.environ, "XDG_DATA_HOME": str(home)}, check=True, timeout=30)
    deadline = time.monotonic() + 10
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.read_text().splitlines() == [str(document)]


def test_exec_line_quotes_reserved_characters_and_doubles_percent_and_backslash():
    assert desktop.exec_line(["/usr/bin/graphstudio"]) == "/usr/bin/graphstudio %f"
    assert desktop.exec_line(["/a b/graphstudio"]) == '"/a b/graphstudio" %f'
    assert desktop.exec_line(["/x/50%/gs"]) == "/x/50%%/gs %f"
    # a backslash: escaped inside the quotes, then again as a string value
    assert desktop.exec_line(["/x\\y/gs"]) == '"/x\\\\\\\\y/gs" %f'
    with pytest.raises(desktop.DesktopError, match="line break"):
        desktop.exec_line(["/x\ny/gs"])


def test_without_the_script_the_launcher_runs_python_dash_m(monkeypatch, tmp_path):
    monkeypatch.setattr(sysconfig, "get_path", lambda name, scheme=None: str(tmp_path))
    args = desktop.command()
    assert args == [str(Path(sys.executable).absolute()), "-m", "graphstudio"]
    out = subprocess.run(args + ["--version"], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == f"graphstudio {VERSION}"


def test_the_cache_tools_that_are_absent_are_skipped_and_those_present_run(home, monkeypatch,
                                                                          tmp_path, capsys):
    calls = tmp_path / "calls.txt"
    fake = fake_program(tmp_path / "bin", "update-mime-database", f"echo \"$@\" >> '{calls}'")
    monkeypatch.setenv("PATH", str(fake.parent))
    out = install(home, capsys)
    assert calls.read_text().split() == [str(home / "mime")]
    assert "Updated: update-mime-database" in out
    assert "skipped: update-desktop-database, gtk-update-icon-cache" in out


def test_a_failing_cache_tool_is_a_warning_and_the_files_stay(home, monkeypatch, tmp_path, capsys):
    fake = fake_program(tmp_path / "bin", "update-desktop-database",
                        "echo 'broken cache' >&2\nexit 3")
    monkeypatch.setenv("PATH", str(fake.parent))
    out = install(home, capsys)
    assert "warning: update-desktop-database" in out and "broken cache" in out
    assert (home / desktop.DESKTOP_FILE).is_file()


def test_uninstall_removes_exactly_what_install_wrote(home, capsys):
    install(home, capsys)
    mine = home / "applications" / "someone-else.desktop"
    mine.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    other_icon = home / "icons" / "hicolor" / "48x48" / "apps" / "other.png"
    other_icon.write_bytes(b"x")
    assert cli.main(["--uninstall-desktop"]) == 0
    out = capsys.readouterr().out
    assert "Removed" in out
    for rel in desktop.installed_files():
        assert not (home / rel).exists(), rel
    assert mine.is_file() and other_icon.is_file()
    if shutil.which("update-mime-database"):  # the refreshed cache no longer knows the type
        assert "graphstudio" not in (home / "mime" / "globs2").read_text()
    assert cli.main(["--uninstall-desktop"]) == 0
    assert "nothing to remove" in capsys.readouterr().out


def test_a_folder_that_cannot_be_written_is_one_clear_line(home, capsys):
    home.mkdir(parents=True)
    (home / "applications").write_text("a file where the folder should be")
    assert cli.main(["--install-desktop"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(home / "applications") in err and "cannot write" in err


def test_on_windows_and_macos_the_desktop_options_say_what_they_are_for(home, monkeypatch, capsys):
    for platform in ("win32", "darwin"):
        monkeypatch.setattr(sys, "platform", platform)
        for option in ("--install-desktop", "--uninstall-desktop"):
            assert cli.main([option]) == 1
            assert "for Linux" in capsys.readouterr().err
    assert not home.exists()


def test_install_desktop_takes_no_file(capsys):
    assert cli.main(["--install-desktop", "x.gs"]) == 1
    assert "take no file" in capsys.readouterr().err


def test_data_home_follows_the_xdg_rules():
    assert desktop.data_home({"XDG_DATA_HOME": "/x/share", "HOME": "/h"}) == Path("/x/share")
    assert desktop.data_home({"XDG_DATA_HOME": "", "HOME": "/h"}) == Path("/h/.local/share")
    # a relative path is to be ignored (XDG Base Directory specification)
    assert desktop.data_home({"XDG_DATA_HOME": "rel/share", "HOME": "/h"}) == Path("/h/.local/share")


def test_version_is_the_one_in_pyproject(capsys):
    import graphstudio

    assert graphstudio.__version__ == VERSION
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"graphstudio {VERSION}"
