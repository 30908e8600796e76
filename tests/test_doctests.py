"""The examples in the docstrings of the Qt-free layers (core, io, render) and of the Python
API are true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import graphstudio

MODULES = sorted(m.name for m in pkgutil.walk_packages(graphstudio.__path__, "graphstudio.")
                 if m.name.split(".")[1] in ("core", "io", "render", "api"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
