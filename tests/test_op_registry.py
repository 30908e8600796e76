"""The op registry is the one source of every fact about an op: an op registered in a fixture
(``hinge``, see tests/new_op.py) parses, evaluates, exports, is written back as text, gets its
formula from sympy and its kink diagnosed, with no other file knowing it; and the registry
refuses an entry that does not hold together."""

from __future__ import annotations

import numpy as np
import pytest

from export_support import svg_texts
from graphstudio.core import explain as ex
from graphstudio.core.engine import evaluate
from graphstudio.core.ops import OPS, Operator, call_names, register, reserved_name, unregister
from graphstudio.core.records import replace
from graphstudio.io.gs import ParseError, parse_text, write_text
from graphstudio.render.export import ExportSettings, export_graph
from graphstudio.render.picture import build_picture
from new_op import HINGE, hinge  # noqa: F401  (the fixture)

TEXT = "x = 0.25\nh = hinge(x)\ny = 3 * h\n"


def test_a_registered_op_parses_and_evaluates_with_its_gradient(hinge):
    g = parse_text(TEXT)
    h, x, y = g.by_name("h"), g.by_name("x"), g.by_name("y")
    assert g.op(h) == "hinge"
    ev = evaluate(g)
    assert ev.values[h] == 0.75 and ev.values[y] == 2.25
    assert ev.grads[x] == -3.0  # 3 · d hinge/dx = 3 · (-1)
    assert ev.formula(x, h, 0) == "∂h/∂x = -[x < 1]"
    # arrays: elementwise, each side of the kink
    g2 = parse_text("v = [0.5, 2]\ns = sum(hinge(v))")
    ev2 = evaluate(g2)
    assert ev2.values[g2.by_name("s")] == 0.5
    np.testing.assert_array_equal(ev2.grads[g2.by_name("v")], [-1.0, 0.0])


def test_a_registered_op_is_written_back_as_text_and_read_again(hinge):
    text = write_text(parse_text(TEXT))
    assert "h = hinge(x)" in text.splitlines()
    again = parse_text(text)
    assert evaluate(again).values[again.by_name("y")] == 2.25


def test_a_registered_op_is_drawn_and_exported(hinge, tmp_path):
    g = parse_text(TEXT)
    ev = evaluate(g)
    view = build_picture(g, ev, {}).nodes[g.by_name("h")]
    assert (view.symbol, view.n_ports, view.value_text) == ("hinge", 1, "0.75")
    (svg,) = export_graph(g, ev, tmp_path / "g.svg", ExportSettings(edge_labels=True))
    texts = svg_texts(svg)
    assert "hinge" in texts and "0.75" in texts
    assert "∂h/∂x = -[x < 1] = -1" in texts
    (tex,) = export_graph(g, ev, tmp_path / "g.tex")
    assert r"\textbf{h}\enspace \textcolor{gsmuted}{hinge}" in tex.read_text(encoding="utf-8")


def test_the_gradient_check_names_a_registered_ops_kink(hinge):
    g = parse_text(TEXT.replace("0.25", "1"))
    (entry,) = ex.check(evaluate(g))
    # backprop takes the subgradient 0 at x = 1; the central difference sees (0 - 3h)/2h = -1.5
    assert entry.backprop == 0.0 and entry.numeric == pytest.approx(-1.5) and not entry.ok
    assert entry.kinks == (g.by_name("h"),)
    assert entry.note.startswith("kink: h = hinge(x) at 1, where there is no derivative")
    # away from the kink it passes without a note
    (smooth,) = ex.check(evaluate(parse_text(TEXT)))
    assert smooth.ok and smooth.note == ""


def test_the_symbolic_view_uses_a_registered_ops_sympy_form(hinge):
    g = parse_text(TEXT)
    s = ex.symbolic(evaluate(g))
    x = g.by_name("x")
    assert s.gradient_values[x] == -3.0
    assert str(s.expr) == "3*Max(0, 1 - x)"


def test_registering_names_the_function_and_unregistering_forgets_it(hinge):
    assert "hinge" in call_names() and reserved_name("hinge", {"hinge"})
    with pytest.raises(ParseError, match="'hinge' cannot name a node: line 2 calls"):
        parse_text("hinge = 1\nz = hinge(hinge)")
    unregister("hinge")
    try:
        assert "hinge" not in call_names()
        with pytest.raises(ParseError, match="unknown function 'hinge'"):
            parse_text(TEXT)
    finally:
        register(HINGE)  # the fixture takes it away again


@pytest.mark.parametrize("change, why", [
    ({"name": "exp"}, "the name is taken"),
    ({"name": "input"}, "the name is taken"),
    ({"name": "not a name"}, "its name must be an identifier"),
    ({"formulas": ("1", "2")}, "one local-derivative formula per argument (1)"),
    ({"call": "exp"}, "exp() with 1 argument(s) is already exp"),
    ({"call": "data"}, "'data' cannot be a function name"),
    ({"call": None, "infix": Operator("+", 10, "Add")}, "an infix operator takes two arguments"),
    ({"call": None, "arity": (2,), "formulas": ("1", "1"), "infix": Operator("+", 10, "Add")},
     "the operator + is already add"),
    ({"call": None, "arity": (2,), "formulas": ("1", "1"), "infix": Operator("%", 20, object)},
     'an operator names its Python ast class: "Add" for ast.Add'),
])
def test_register_refuses_an_entry_that_does_not_fit(change, why):
    op = replace(HINGE, **change)
    with pytest.raises(ValueError, match="cannot register op") as exc:
        register(op)
    assert why in str(exc.value)
    assert OPS.get(op.name) is not op


def test_the_documentation_lists_every_function_and_operator_of_the_registry():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    functions = " ".join(dict.fromkeys(op.call for op in OPS.values() if op.call))
    operators = " ".join(op.infix.text for op in OPS.values() if op.infix)
    prefixes = " ".join(op.prefix.text for op in OPS.values() if op.prefix)
    for doc in (root / "README.md", root / "docs" / "gs-format.md"):
        text = " ".join(doc.read_text(encoding="utf-8").split())
        assert f"`{functions}`" in text, doc.name
        assert f"`{operators}` and unary `{prefixes}`" in text, doc.name
