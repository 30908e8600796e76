"""The Python API's documentation is true: every ``>>>`` example of docs/python-api.md and of
the README runs, with the output shown there."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import graphstudio as gs

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["docs/python-api.md", "README.md"])
def test_the_examples_in_the_documentation(name):
    result = doctest.testfile(str(ROOT / name), module_relative=False, globs={"gs": gs},
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
