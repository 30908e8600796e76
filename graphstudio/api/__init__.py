"""The Python API, as ``import graphstudio as gs`` offers it (see ``docs/python-api.md``).

* graphs: :func:`parse`, :func:`load`, :class:`Graph` (``evaluate``, ``save``, ``export``,
  ``open``, ``steps``) and :class:`Results` (``value``, ``grad``);
* tracing: :class:`Var`, the operators, every registry function (``gs.tanh``...; looked up
  when asked for, see :func:`graphstudio.api.tracing.function`) and :func:`graph_of`;
* :func:`from_micrograd`; :func:`set_display` for the notebook's pictures.

Layers: this sits beside the command line, above ``core``, ``io`` and ``render``; it never
imports ``ui`` (the editor runs in a process of its own), and Qt only when it draws.
"""

from .display import Frame, Steps, set_display
from .editor import Editor, EditorError
from .graph import Graph, Results, load, parse
from .micrograd import MicrogradError, from_micrograd
from .tracing import Var, function, functions, graph_of

__all__ = ["Graph", "Results", "parse", "load", "Var", "graph_of", "function", "functions",
           "from_micrograd", "MicrogradError", "Steps", "Frame", "set_display", "Editor",
           "EditorError"]
