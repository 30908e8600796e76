"""Files written by saves and exports (issue 9): sizes beyond what can be drawn are refused with
the limit; a write is atomic, so an export or a save killed half-way leaves the previous file
whole, and its temporary is cleaned by the next one; and every file gets the permissions the
user's umask gives a new file (they were 0600 whatever the umask)."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graphstudio.cli import main
from graphstudio.core.savefile import atomic_write_text, stale_temporaries
from graphstudio.io.formats import save_document
from graphstudio.io.gs import parse_text

ROOT = Path(__file__).resolve().parent.parent
GROSSE = str(ROOT / "examples" / "grosse_csc311.gs")


def export(capsys, *argv) -> tuple[int, str]:
    status = main(["export", GROSSE, *map(str, argv)])
    return status, capsys.readouterr().err


# ---- sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, scale, says", [
    ("g.png", "1e308", "the image would be inf×inf pixels (at most 20,000 a side)"),
    ("g.svg", "1e308", "an SVG drawing would be inf × inf pixels at 96 dpi (at most 100,000 a side)"),
    ("g.svg", "1e9", r"an SVG drawing would be \d{3},\d{3},\d{3},\d{3} × \d{3},\d{3},\d{3},\d{3} "
                     r"pixels at 96 dpi \(at most 100,000 a side\); use a smaller --scale"),
    ("g.pdf", "1e9", r"a PDF page would be \d{3},\d{3},\d{3},\d{3} × \d{3},\d{3},\d{3},\d{3} "
                     r"pixels at 96 dpi \(at most 19,200 a side\); use a smaller --scale"),
])
def test_a_scale_beyond_what_can_be_drawn_is_one_line_with_the_limit(capsys, tmp_path, name,
                                                                    scale, says):
    status, err = export(capsys, "-o", tmp_path / name, "--scale", scale)
    assert status == 1
    assert (err.startswith(says) if scale == "1e308" else re.match(says, err))
    assert err.count("\n") == 1
    assert not (tmp_path / name).exists()


def test_a_png_of_too_many_pixels_is_refused_with_the_width_that_fits(capsys, tmp_path):
    status, err = export(capsys, "-o", tmp_path / "g.png", "--width", "20000")
    assert status == 1
    said = re.match(r"the image would be 20,000×([\d,]+) pixels, (\d+) megapixels \(at most 50\); "
                    r"this graph fits in ([\d,]+) pixels wide", err)
    assert said, err
    height, megapixels, fits = (int(g.replace(",", "")) for g in said.groups())
    assert megapixels == round(20_000 * height / 1e6) and megapixels > 50
    assert fits * (height * fits / 20_000) <= 50e6  # the same picture, scaled to that width
    status, err = export(capsys, "-o", tmp_path / "g.png", "--width", str(fits))
    assert (status, err) == (0, "")
    status, err = export(capsys, "-o", tmp_path / "g.png", "--width", str(fits + 100))
    assert status == 1 and "megapixels" in err


# ---- atomic writes -----------------------------------------------------------------------------------

KILLED_EXPORT = textwrap.dedent("""
    import dataclasses, os, signal, sys
    from graphstudio.render import exporters

    png = exporters.export_format("png")

    def write_then_die(pictures, path, **options):
        png.write(pictures, path, **options)
        with open(path, "r+b") as fh:  # half of the new file is on the disk...
            fh.truncate(os.path.getsize(path) // 2)
        os.kill(os.getpid(), signal.SIGKILL)  # ...when the process is killed

    exporters.unregister("png")
    exporters.register(dataclasses.replace(png, write=write_then_die))
    from graphstudio.cli import main
    sys.exit(main(["export", sys.argv[1], "-o", sys.argv[2], "--theme", "dark"]))
""")


def test_an_export_killed_half_way_leaves_the_previous_png_and_its_temporary_is_cleaned(
        capsys, tmp_path):
    out = tmp_path / "g.png"
    assert export(capsys, "-o", out) == (0, "")
    before = out.read_bytes()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-c", KILLED_EXPORT, GROSSE, str(out)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert out.read_bytes() == before  # the previous export, whole
    left = stale_temporaries(out)
    assert len(left) == 1 and left[0].name.startswith(".g.png.")
    assert export(capsys, "-o", out, "--theme", "dark") == (0, "")
    assert out.read_bytes() != before
    assert stale_temporaries(out) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["g.png"]


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "g.json"
    save_document(path, parse_text("a = 1\nb = a * 2\n"), {})
    before = path.read_text()
    g = parse_text("a = 1\nb = a * 2\n")
    g.add_node("add", name="unfinished")
    with pytest.raises(ValueError, match="not connected"):
        save_document(tmp_path / "g.gs", g, {})
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.json"]


def test_a_temporary_of_a_running_process_is_left_alone(tmp_path):
    target = tmp_path / "g.json"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".g.json.{other.pid}.abcd1234.tmp"
        dead = tmp_path / ".g.json.999999999.abcd1234.tmp"
        old = tmp_path / f".g.json.{other.pid}.efgh5678.tmp"
        for p in (live, dead, old):
            p.write_text("half a save")
        a_day_ago = time.time() - 25 * 3600
        os.utime(old, (a_day_ago, a_day_ago))
        atomic_write_text(target, "{}\n")
        assert live.exists() and not dead.exists() and not old.exists()
    finally:
        other.kill()
        other.wait()


# ---- permissions -------------------------------------------------------------------------------------


def write_every_kind(folder: Path, capsys) -> list[Path]:
    """A file of every kind GraphStudio writes: document, text, each export format."""
    g = parse_text("a = 1\nb = a * 2\n")
    files = [folder / "g.json", folder / "g.gs"]
    for f in files:
        save_document(f, g, {})
    for suffix in ("png", "svg", "pdf", "tex"):
        files.append(folder / f"g.{suffix}")
        assert export(capsys, "-o", files[-1]) == (0, "")
    return files


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_saved_and_exported_files_follow_the_umask(capsys, tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        files = write_every_kind(tmp_path, capsys)
    finally:
        os.umask(old)
    assert {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {
        f.name: oct(mode) for f in files}


def test_a_replaced_file_keeps_its_own_mode(tmp_path):
    path = tmp_path / "shared.json"
    path.write_text("{}")
    path.chmod(0o640)
    save_document(path, parse_text("a = 1\n"), {})
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
