"""The installed package must hold every module, every example and the desktop resources, not
only the checkout."""

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "graphstudio").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    missing = found - listed
    assert not missing, f"add these packages to pyproject.toml: {sorted(missing)}"


def test_every_example_data_file_is_packaged():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    mapped = config["tool"]["setuptools"]["package-dir"]["graphstudio._examples"]
    assert mapped == "examples"
    patterns = config["tool"]["setuptools"]["package-data"]["graphstudio._examples"]
    for f in (ROOT / "examples").glob("*.*"):
        assert any(f.match(p) for p in patterns), f"{f.name} would not be installed"


def test_every_resource_file_is_packaged():
    """resources/ (desktop files and icons) is installed as graphstudio/_resources."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["setuptools"]["package-dir"]["graphstudio._resources"] == "resources"
    patterns = config["tool"]["setuptools"]["package-data"]["graphstudio._resources"]
    files = [f for f in (ROOT / "resources").rglob("*") if f.is_file()]
    assert len(files) > 30
    for f in files:
        rel = f.relative_to(ROOT / "resources")
        if rel.name == "app-small.svg":  # the source of the small PNGs, not installed
            continue
        assert any(rel.match(p) and len(rel.parts) == len(Path(p).parts) for p in patterns), \
            f"resources/{rel} would not be installed"


def test_the_wheel_holds_the_examples_the_resources_and_the_licence(tmp_path):
    """Build a wheel (offline, from a copy of the sources) and read its listing."""
    setuptools = pytest.importorskip("setuptools")
    if tuple(int(p) for p in setuptools.__version__.split(".")[:2]) < (70, 1):
        pytest.skip(f"setuptools {setuptools.__version__} cannot build a wheel by itself; the "
                    "test extra asks for 70.1 or later: pip install -e '.[test]'")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    for name in ("graphstudio", "examples", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "-q", "-w", str(tmp_path / "dist"), str(src)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    (wheel,) = (tmp_path / "dist").glob("graphstudio-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    app = "org.graphstudio.GraphStudio"
    for expected in (f"graphstudio/_resources/applications/{app}.desktop",
                     f"graphstudio/_resources/mime/packages/{app}.xml",
                     f"graphstudio/_resources/metainfo/{app}.metainfo.xml",
                     f"graphstudio/_resources/icons/hicolor/16x16/apps/{app}.png",
                     f"graphstudio/_resources/icons/hicolor/512x512/apps/{app}.png",
                     f"graphstudio/_resources/icons/hicolor/scalable/apps/{app}.svg",
                     "graphstudio/_resources/actions/dark/document-save.svg",
                     "graphstudio/_resources/actions/light/step-through.svg",
                     "graphstudio/_examples/grosse_csc311.gs",
                     "graphstudio/desktop.py", "graphstudio/ui/icons.py"):
        assert expected in names, f"{expected} is not in the wheel"
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE")
               for n in names)
