"""Symbolic gradients: Bristol's da/df = 2fg² + 2fg + 5g + 2, copyable as LaTeX."""

from __future__ import annotations


from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from graphstudio.ui.teaching.symbolic import SymbolicPanel, pretty_line

from teaching_helpers import graph_of, lecture, shown


def formulas_shown(qtbot, graph, ev) -> SymbolicPanel:
    """The panel once sympy (in its worker thread) has derived the formulas."""
    panel = shown(qtbot, SymbolicPanel(), graph, ev)
    qtbot.waitUntil(lambda: "Deriving" not in panel.message.text(), timeout=10000)
    return panel


def test_bristol_da_df_and_copy_latex(qtbot):
    graph, ev = lecture("bristol_lecture2")
    panel = formulas_shown(qtbot, graph, ev)
    f, g = graph.by_name("f"), graph.by_name("g")
    card = panel.card_for(f)
    assert card.formula.text() == "da/df = 2·f·g² + 2·f·g + 5·g + 2"
    # at f = 4, g = 2: 2·4·4 + 2·4·2 + 5·2 + 2 = 32 + 16 + 10 + 2 = 60, as backprop finds
    assert card.detail.text() == "= 60 here; backprop: 60 ✓ equal"
    # da/dg = f(2fg + f + 5) = 4·(16 + 4 + 5) = 100
    assert panel.card_for(g).formula.text() == "da/dg = f·(2·f·g + f + 5)"
    assert "= 100 here; backprop: 100" in panel.card_for(g).detail.text()
    assert panel.cards["output"].formula.text() == "a = (f·g + 2)·(f·g + f + 3)"

    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(card.copy_button, Qt.LeftButton)
    assert QGuiApplication.clipboard().text() == (
        r"\frac{\partial a}{\partial f} = 2 f g^{2} + 2 f g + 5 g + 2")
    assert card.copy_button.text() == "Copied ✓"  # it says so, then offers to copy again
    qtbot.waitUntil(lambda: card.copy_button.text() == "Copy LaTeX", timeout=10000)
    qtbot.mouseClick(panel.cards["output"].copy_button, Qt.LeftButton)
    assert QGuiApplication.clipboard().text().startswith("a = ")


def test_a_fraction_is_written_in_two_dimensions(qtbot):
    graph, ev = graph_of("x = 1\ny = 2\nz = x / y")
    panel = formulas_shown(qtbot, graph, ev)
    text = panel.card_for(graph.by_name("y")).formula.text()
    # dz/dy = -x / y²: a fraction bar over two lines of its own
    assert text.startswith("dz/dy =\n") and "─" in text and "x" in text
    assert "= -0.25 here; backprop: -0.25 ✓" in panel.card_for(graph.by_name("y")).detail.text()


def test_an_array_input_has_a_matrix_of_formulas(qtbot):
    graph, ev = lecture("cmu11785_relu_max")
    panel = formulas_shown(qtbot, graph, ev)
    W = graph.by_name("W")
    card = panel.card_for(W)
    text = card.formula.text()
    assert text.startswith("dy/dW =\n") and "⎡" in text  # drawn as a matrix
    assert "✓ equal" in card.detail.text()
    assert card.latex.startswith("\\frac{\\partial y}{\\partial W} = \\left[\\begin{matrix}")
    # the sentence above the cards names the point on one line, W's rows side by side
    assert "W = [[1 -0.5] [-1 -1] [0.5 1]]" in panel.message.text()


def test_arrays_too_large_for_formulas_say_why(qtbot):
    graph, ev = graph_of("W = " + str([[0.5] * 9] * 9) + "\ns = sum(W * W)")
    panel = formulas_shown(qtbot, graph, ev)
    assert "the arrays here hold 162 (at most 64)" in panel.message.text()
    assert panel.cards == {}


def test_the_formulas_follow_a_new_value_without_recomputing(qtbot):
    graph, ev = lecture("grosse_csc311")
    panel = formulas_shown(qtbot, graph, ev)
    b = graph.by_name("b")
    assert panel.card_for(b).formula.text() == "dz/db = a + 2·b + c"
    graph.set_value(graph.by_name("a"), 2.0)
    from graphstudio.core.engine import evaluate

    panel.set_context(graph, evaluate(graph))  # the same structure: no new derivation
    assert "Deriving" not in panel.message.text()
    # a + 2b + c = 2 + 6 + 4 = 12
    assert panel.card_for(b).detail.text() == "= 12 here; backprop: 12 ✓ equal"


def test_pretty_line_writes_powers_as_superscripts():
    import sympy

    x, y = sympy.symbols("x y")
    assert pretty_line(3 * x**2 * y**12) == "3·x²·y¹²"
    assert pretty_line(x**-2) == "x⁻²"


def test_inputs_the_output_does_not_need_are_left_out(qtbot):
    graph, ev = graph_of("a = [1, 2]\nb = [1, 2, 3]\nc = a + b\nk = 2\nm = k * 3")
    panel = formulas_shown(qtbot, graph, ev)
    assert set(panel.cards) == {"output", graph.by_name("k")}
    assert panel.cards["output"].formula.text() == "m = 3·k"
    assert panel.card_for(graph.by_name("k")).formula.text() == "dm/dk = 3"


def test_slow_formulas_never_freeze_the_editor(qtbot):
    # each level multiplies two sums of the one below: sympy needs a while for these
    lines = ["x = 1.5", "y = 0.5", "h0 = x + y"]
    lines += [f"h{i} = (h{i - 1} + x) * (h{i - 1} - y)" for i in range(1, 6)]
    graph, ev = graph_of("\n".join(lines))
    panel = shown(qtbot, SymbolicPanel(), graph, ev)
    # back at once, before sympy is done: the panel says it is working and has no cards yet...
    assert panel.message.text() == "Deriving the formulas…"
    assert panel.card_for(graph.by_name("x")) is None
    qtbot.waitUntil(lambda: panel.card_for(graph.by_name("x")) is not None, timeout=30000)
    # ... and the formulas arrive when sympy is done
    assert "backprop" in panel.card_for(graph.by_name("x")).detail.text()
