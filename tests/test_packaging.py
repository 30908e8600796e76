"""The installed package must hold every module and every example, not only the checkout."""

import tomllib
from pathlib import Path

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
