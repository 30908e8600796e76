"""GraphStudio: a desktop editor for computation graphs, for teaching and learning backpropagation.

Layers (each knows only the ones below): ``core`` (the model and the maths, no Qt), ``io`` (file
formats), ``render`` (drawing, shared by canvas and exporters), ``ui`` (the Qt application),
and at the top ``cli`` (the ``graphstudio`` command) and ``api`` (this package's Python API).

The Python API (``docs/python-api.md``)::

    import graphstudio as gs
    a = gs.Var(-1.0, name="a"); b = gs.Var(3.0, name="b"); c = gs.Var(4.0, name="c")
    z = (a + b) * (b + c)
    z.backward()                    # a.grad == 7.0, b.grad == 9.0, c.grad == 2.0
    gs.graph_of(z)                  # in a notebook: the annotated picture

Its names are loaded on first use (``gs.Var`` imports :mod:`graphstudio.api`), so the command
line and the editor start without it; every function of the op registry is ``gs.<name>``
(``gs.tanh``, ``gs.relu``...), looked up in the registry when asked for.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing's constant, without importing typing at start-up)
if TYPE_CHECKING:  # for type checkers and editors; at run time they come from __getattr__
    from typing import Any

    from .api import (Editor, EditorError, Frame, Graph, MicrogradError, Results, Steps, Var,
                      from_micrograd, function, functions, graph_of, load, parse, set_display)

#: the Python API; the registry's functions (gs.tanh...) are not listed, as numpy's ``sum``
#: and ``max`` would shadow Python's own after ``from graphstudio import *``
__all__ = ["Graph", "Results", "parse", "load", "Var", "graph_of", "function", "functions",
           "from_micrograd", "MicrogradError", "Steps", "Frame", "set_display", "Editor",
           "EditorError", "__version__"]


def _version() -> str:
    """One source for the version: pyproject.toml, through the installed package's metadata
    (read on first use: importing ``importlib.metadata`` costs a twentieth of a second, a
    tenth of ``graphstudio eval`` of a cached program)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("graphstudio")
    except PackageNotFoundError:  # a checkout used without installing it
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()["__version__"] = value = _version()
        return value
    if name in __all__:
        from . import api

        return getattr(api, name)
    if not name.startswith("_"):
        from .core.ops import call_arities

        if call_arities(name):
            from .api import function

            return function(name)
    raise AttributeError(f"module 'graphstudio' has no attribute {name!r}")


def __dir__() -> list[str]:
    from .core.ops import call_names

    return sorted(set(globals()) | set(__all__) | set(call_names()))
