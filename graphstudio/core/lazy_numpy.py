"""numpy for the op registry's modules, which ``graphstudio eval``'s first run of a text of
numbers may read without importing it.

Importing numpy takes about 0.2 s, more than the first ``eval`` of a 50,000-node network of
``+``, ``*`` and ``relu`` takes without it: such a text is read straight into a program run
with the registry's rules on Python floats (:mod:`graphstudio.io.gs_program`,
:mod:`graphstudio.core.scalar_rules`), which needs the registry's facts (which op ``+`` is,
what its rules on floats are called) and none of its numpy rules. The registry's modules
(:mod:`~graphstudio.core.ops`, :mod:`~graphstudio.core.arrays`,
:mod:`~graphstudio.core.vjp_ops`) therefore take numpy from here:

* ``np = lazy_numpy.module(globals())``: numpy itself, imported now, as in every program but
  one; inside :func:`deferred` (that first run imports the registry so), a stand-in that
  imports numpy at its first use and puts it in the module's ``np``, so that every later use
  is numpy itself;
* ``rule = lazy_numpy.function``, ``forward=rule("add")``: numpy's function ``add`` for an
  entry; inside :func:`deferred`, a stand-in that imports numpy when it is called and calls
  it (an entry holds its function itself, before any use).

Outside :func:`deferred` nothing here differs from ``import numpy as np``; inside it, the
registry's rules compute the same numbers, numpy's (``tests/test_lazy_numpy.py`` runs
``eval`` both ways).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["module", "function", "deferred"]

_deferring = False


def deferred() -> _Deferred:
    """``with deferred():`` while this lasts, modules that import the registry for the first
    time do not import numpy (it is imported when a rule first needs it)."""
    return _Deferred()


class _Deferred:
    """The context of :func:`deferred` (a class, not a ``contextlib`` generator: the first
    ``graphstudio eval`` starts without contextlib)."""

    __slots__ = ("before",)

    def __enter__(self) -> None:
        global _deferring
        self.before, _deferring = _deferring, True

    def __exit__(self, *exc_info) -> None:
        global _deferring
        _deferring = self.before


def _now() -> bool:
    """Whether numpy is to be imported now: outside :func:`deferred`, or when it already is."""
    return not _deferring or "numpy" in sys.modules


def module(namespace: dict[str, Any]) -> Any:
    """numpy for the module whose globals are ``namespace`` (see the module docstring)."""
    if _now():
        import numpy

        return numpy
    return _Module(namespace)


def function(name: str) -> Any:
    """numpy's function ``name`` for a registry entry (see the module docstring)."""
    if _now():
        import numpy

        return getattr(numpy, name)
    return _Function(name)


class _Module:
    """A module's ``np`` until its first use, which imports numpy and puts it there."""

    __slots__ = ("_namespace",)

    def __init__(self, namespace: dict[str, Any]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:
        import numpy

        self._namespace["np"] = numpy
        return getattr(numpy, name)


class _Function:
    """numpy's function ``name``, imported when first called."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import numpy

        return getattr(numpy, self.name)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<numpy.{self.name}, imported when first called>"
