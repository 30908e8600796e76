"""An op node whose arguments do not fit its parameter (an index out of range, a reshape to
another size): the node's error, the rest of the graph unharmed, the command line's message
located in the file."""

from __future__ import annotations

from graphstudio.cli import main
from graphstudio.core.engine import evaluate
from graphstudio.io.gs import write_text


def assert_the_nodes_error(g, name: str, message: str, line: int, tmp_path, capsys) -> None:
    """Node ``name`` of ``g`` (assigned on ``line`` of its text, whose output is ``z``) has
    the shape error ``message``; ``z`` has no value and nothing raised; ``graphstudio eval``
    says ``FILE:LINE:1: message``."""
    ev = evaluate(g)
    err = ev.errors[g.by_name(name)]
    assert err.kind == "shape" and err.message == message
    assert ev.values[g.by_name("z")] is None
    path = tmp_path / "bad.gs"
    path.write_text(write_text(g), encoding="utf-8")
    assert main(["eval", str(path)]) == 1
    assert capsys.readouterr().err.strip() == f"{path}:{line}:1: {message}"
