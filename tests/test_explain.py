"""The teaching computations (graphstudio.core.explain) on the lectures' worked examples.

Expected numbers come from the slides or are derived by hand / with numpy formulas here,
never from the code under test.
"""

from __future__ import annotations


import numpy as np
import pytest
import sympy

from graphstudio.core import explain as ex
from graphstudio.core.engine import evaluate
from graphstudio.core.graph import Graph
from graphstudio.examples import examples_dir
from graphstudio.io import open_document
from graphstudio.io.gs import parse_text


def load(name: str):
    graph = open_document(examples_dir() / f"{name}.gs").graph
    return graph, evaluate(graph)


def names(graph, nodes):
    return tuple(graph.label(n) for n in nodes)


def ladder(diamonds: int) -> tuple[Graph, int, int]:
    """x → (x·½, x·½) → sum, repeated: 2**diamonds paths, each stage's derivative ½ + ½ = 1."""
    g = Graph()
    x = g.add_input("x", 3.0)
    top = x
    for _ in range(diamonds):
        half = g.add_const(0.5)
        left = g.add_op("mul", [top, half])
        right = g.add_op("mul", [top, half])
        top = g.add_op("add", [left, right])
    return g, x, top


# ---- ledger ---------------------------------------------------------------------------------


def test_grosse_ledger_of_b_is_7_times_1_plus_2_times_1():
    # Grosse CSC 311, "Backward Pass": dz/db = dz/dx dx/db + dz/dy dy/db = 7·1 + 2·1 = 9.
    g, ev = load("grosse_csc311")
    led = ex.ledger(ev, g.by_name("b"))
    rows = [(t.child_label, t.upstream, t.local, t.contribution, t.formula) for t in led.terms]
    assert rows == [("x", 7.0, 1.0, 7.0, "∂x/∂b = 1"), ("y", 2.0, 1.0, 2.0, "∂y/∂b = 1")]
    assert led.total == 9.0 and led.grad == 9.0 and led.agrees
    assert led.output_label == "z"


def test_grosse_ledger_of_x_and_of_the_output():
    g, ev = load("grosse_csc311")
    (term,) = ex.ledger(ev, g.by_name("x")).terms
    assert (term.upstream, term.local, term.contribution) == (1.0, 7.0, 7.0)  # ∂z/∂x = y = 7
    assert term.formula == "∂z/∂x = y"
    out = ex.ledger(ev, g.by_name("z"))
    assert out.terms == () and out.total == 1.0 and "output" in out.note


def test_ledger_keeps_one_term_per_port_when_a_node_feeds_both():
    g = parse_text("x = 3\ny = x * x")
    led = ex.ledger(evaluate(g), g.by_name("x"))
    assert [t.port for t in led.terms] == [0, 1]
    assert [t.contribution for t in led.terms] == [3.0, 3.0]
    assert led.total == 6.0  # d(x²)/dx = 2x


def test_ledger_of_an_array_node_is_a_vector_jacobian_product():
    # Seoul: grad_h J = g v with g = 2(yhat - y).
    g, ev = load("seoul_mlp_l2")
    W = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
    v = np.array([0.6, -0.2, 0.4])
    h = 1 / (1 + np.exp(-(W @ np.array([1.0, -1.0]))))
    gyhat = 2 * (v @ h - 0.5)
    (term,) = ex.ledger(ev, g.by_name("h")).terms
    assert term.child_label == "yhat"
    np.testing.assert_allclose(term.local, v.reshape(1, 3))  # the Jacobian as a 1×3 matrix
    np.testing.assert_allclose(term.contribution, gyhat * v)
    np.testing.assert_allclose(ex.ledger(ev, g.by_name("h")).total, gyhat * v)


def test_ledger_of_a_constant_or_a_node_off_the_output():
    g = parse_text("a = 2\nb = 5\nz = a * 3\nw = b + 1\nout = z + 0")
    ev = evaluate(g, g.by_name("z"))
    const = next(n for n in g.nodes() if g.op(n) == "const")
    with pytest.raises(ex.ExplainError, match="constant"):
        ex.ledger(ev, const)
    led = ex.ledger(ev, g.by_name("b"))
    assert led.terms == () and "does not reach" in led.note and led.grad == 0.0


# ---- sum over paths ----------------------------------------------------------------------------


def test_bristol_three_paths_sum_to_60():
    # Bristol lecture 2 at f = 4, g = 2: e = 8, d = 7, c = 10, b = 15.
    # path1 f→e→b→a: ∂e/∂f ∂b/∂e ∂a/∂b = g·1·c = 20; path2 f→e→c→a: g·1·b = 30;
    # path3 f→d→b→a: 1·1·c = 10; total 60 = 2fg² + 2fg + 5g + 2.
    g, ev = load("bristol_lecture2")
    ps = ex.paths(ev, g.by_name("f"))
    got = {names(g, p.nodes): (p.locals, p.product) for p in ps.paths}
    assert got == {
        ("f", "e", "b", "a"): ((2.0, 1.0, 10.0), 20.0),
        ("f", "e", "c", "a"): ((2.0, 1.0, 15.0), 30.0),
        ("f", "d", "b", "a"): ((1.0, 1.0, 10.0), 10.0),
    }
    assert ps.count == 3 and ps.listed
    assert ps.total == 60.0 and ps.grad == 60.0 and ps.agrees


def test_bristol_multiplication_counts():
    g, ev = load("bristol_lecture2")
    ps = ex.paths(ev, g.by_name("f"))
    assert ps.multiplications_paths == 3 * 2  # three paths of three edges: 2 each
    # f→e, f→d, e→b, e→c, d→b, b→a, c→a: one multiplication per edge.
    assert ps.multiplications_backprop == 7
    assert len(ps.edges) == 7
    assert ps.edges_backprop_all == 8  # ... and g→e gives da/dg in the same pass


def test_bristol_paths_from_g():
    # da/dg = 2f²g + f² + 5f = 100 at f = 4, g = 2: paths g→e→b→a (f·1·10) and g→e→c→a (f·1·15).
    g, ev = load("bristol_lecture2")
    ps = ex.paths(ev, g.by_name("g"))
    assert sorted(p.product for p in ps.paths) == [40.0, 60.0]
    assert ps.total == 100.0 == ps.grad


def test_ladder_of_60_diamonds_is_counted_not_listed():
    g, x, top = ladder(60)
    ev = evaluate(g, top)
    ps = ex.paths(ev, x, limit=1000)  # enumerating 2**60 paths would never return
    assert ps.count == 2**60 and not ps.listed and ps.paths is None
    assert ps.total == pytest.approx(1.0) and ps.grad == pytest.approx(1.0)
    # every path has 2 edges per diamond: 120 edges, 119 multiplications
    assert ps.multiplications_paths == 2**60 * 119
    assert ps.multiplications_backprop == 4 * 60


def test_paths_listed_up_to_the_limit():
    g, x, top = ladder(3)
    ev = evaluate(g, top)
    listed = ex.paths(ev, x, limit=8)
    assert listed.count == 8 and len(listed.paths) == 8
    assert len({p.edges for p in listed.paths}) == 8
    assert all(p.product == 0.125 for p in listed.paths)  # ½ · 1 three times
    assert listed.total == 1.0
    counted = ex.paths(ev, x, limit=7)
    assert counted.paths is None and counted.count == 8 and counted.total == 1.0


def test_one_node_on_two_ports_gives_two_paths():
    g = parse_text("x = 3\ny = x * x")
    ps = ex.paths(evaluate(g), g.by_name("x"))
    assert [names(g, p.nodes) for p in ps.paths] == [("x", "y"), ("x", "y")]
    assert sorted(p.edges[0][2] for p in ps.paths) == [0, 1]
    assert ps.total == 6.0 and ps.multiplications_paths == 0 and ps.multiplications_backprop == 2


def test_no_path_means_zero():
    g = parse_text("a = 1\nb = 2\nz = a * 3")
    ev = evaluate(g, g.by_name("z"))
    ps = ex.paths(ev, g.by_name("b"))
    assert ps.count == 0 and ps.paths == () and ps.total == 0.0


def test_paths_through_arrays_multiply_jacobians():
    # Seoul: grad_W J = grad_a x^T + 2 λ W, grad_a = (g v) ⊙ σ'(a): one path through the loss,
    # one through the regulariser.
    g, ev = load("seoul_mlp_l2")
    W = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
    v = np.array([0.6, -0.2, 0.4])
    x = np.array([1.0, -1.0])
    h = 1 / (1 + np.exp(-(W @ x)))
    grad_a = 2 * (v @ h - 0.5) * v * h * (1 - h)
    ps = ex.paths(ev, g.by_name("W"))
    assert ps.count == 2
    through_a = next(p.product for p in ps.paths if g.label(p.nodes[1]) == "a")
    other = next(p.product for p in ps.paths if g.label(p.nodes[1]) != "a")
    np.testing.assert_allclose(through_a, np.outer(grad_a, x))
    np.testing.assert_allclose(other, 2 * 0.01 * W)
    np.testing.assert_allclose(ps.total, np.outer(grad_a, x) + 2 * 0.01 * W)
    assert ps.agrees


def test_paths_for_another_output():
    g, ev = load("grosse_csc311")
    ps = ex.paths(evaluate(g, g.by_name("y")), g.by_name("b"))
    assert [names(g, p.nodes) for p in ps.paths] == [("b", "y")]
    assert ps.total == 1.0 == ps.grad


# ---- symbolic -----------------------------------------------------------------------------------


def test_bristol_symbolic_gradient_is_the_slides_formula():
    g, _ev = load("bristol_lecture2")
    s = ex.symbolic(evaluate(g))
    f, gg = sympy.symbols("f g", real=True)
    slide_a = f**2 * (gg**2 + gg) + 5 * f * gg + 2 * f + 6  # "Analytical Solution"
    slide_dadf = 2 * f * gg**2 + 2 * f * gg + 5 * gg + 2
    assert sympy.simplify(s.expr - slide_a) == 0
    assert sympy.simplify(s.gradients[g.by_name("f")] - slide_dadf) == 0
    assert sympy.simplify(s.gradients[g.by_name("g")] - (2 * f**2 * gg + f**2 + 5 * f)) == 0
    assert s.gradient_values[g.by_name("f")] == 60.0
    assert s.gradient_values[g.by_name("g")] == 100.0
    # The LaTeX reads as the slide writes it, and parses back to the same formula.
    assert s.gradient_latex[g.by_name("f")] == "2 f g^{2} + 2 f g + 5 g + 2"
    assert "\\left(f g + 2\\right)" in s.latex


def test_symbolic_constants_are_exact_and_ops_come_from_the_registry():
    g = parse_text("x = 2\ny = sigmoid(0.5 * x) + log(x)")
    s = ex.symbolic(evaluate(g))
    x = sympy.Symbol("x", real=True)
    expected = 1 / (1 + sympy.exp(-x / 2)) + sympy.log(x)
    assert sympy.simplify(s.expr - expected) == 0
    assert sympy.simplify(s.gradients[g.by_name("x")] - sympy.diff(expected, x)) == 0
    assert s.gradient_values[g.by_name("x")] == pytest.approx(evaluate(g).grads[g.by_name("x")])


def test_symbolic_refuses_arrays_with_a_clear_message():
    g, _ev = load("seoul_mlp_l2")
    with pytest.raises(ex.ExplainError, match="scalar graphs: x is a vector of 2"):
        ex.symbolic(evaluate(g))


# ---- gradient check ----------------------------------------------------------------------------------


def test_gradient_check_passes_on_smooth_graphs_and_names_kinks():
    seoul = parse_text("x = [1, -1]\nW = param([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])\n"
                       "v = param([0.6, -0.2, 0.4])\nh = sigmoid(W @ x)\n"
                       "J = (v @ h - 0.5) ** 2 + 0.01 * sum(W ** 2)")
    entries = ex.check(evaluate(seoul))
    assert len(entries) == 3 and all(e.ok and e.note == "" for e in entries)
    graph = parse_text("x = 0\ny = relu(x)")
    (entry,) = ex.check(evaluate(graph))
    assert (entry.backprop, entry.ok) == (0.0, False)
    assert entry.numeric == pytest.approx(0.5)
    assert entry.note == ("kink: y = relu(x) at 0, where there is no derivative: backprop takes "
                          "a subgradient, the central difference averages both sides")


def test_the_check_leaves_the_evaluation_it_starts_from_as_it_was():
    g = parse_text("x = 2\ny = x * x")
    ev = evaluate(g)
    leaves = list(ev.program.leaf_values)
    (entry,) = ex.check(ev)
    assert entry.numeric == pytest.approx(4.0) and entry.ok
    assert ev.program.leaf_values == leaves and ev.values[g.by_name("y")] == 4.0
    assert g.value(g.by_name("x")) == 2.0


def test_relu_at_zero_mismatch_is_named_as_a_kink():
    # relu'(0) = 0 (PyTorch's subgradient) but the central difference sees (3h - 0)/2h = 1.5.
    g = parse_text("x = 0\nh = relu(x)\ny = 3 * h")
    (entry,) = ex.check(evaluate(g))
    assert entry.label == "x" and entry.backprop == 0.0
    assert entry.numeric == pytest.approx(1.5)
    assert not entry.ok
    assert entry.note.startswith("kink: h = relu(x) at 0")
    assert entry.kinks == (g.by_name("h"),)


def test_max_tie_is_named_and_agrees():
    # max(a, b) at a = b = 2 splits the gradient: 3·½ each, the central difference also 1.5.
    g = parse_text("a = 2\nb = 2\nm = max(a, b)\nz = m * 3")
    entries = {e.label: e for e in ex.check(evaluate(g))}
    for name in "ab":
        assert entries[name].ok and entries[name].backprop == 1.5
        assert "m = max(a, b) at a tie" in entries[name].note


def test_kink_off_the_path_is_not_mentioned():
    g = parse_text("x = 0\nh = relu(x)\na = 2\nz = a * 3")
    entries = {e.label: e for e in ex.check(evaluate(g, g.by_name("z")))}
    assert entries["a"].note == "" and entries["a"].ok


def test_check_passes_on_bristol():
    g, _ev = load("bristol_lecture2")
    entries = {e.label: e for e in ex.check(evaluate(g))}
    assert entries["f"].backprop == 60.0 and entries["f"].numeric == pytest.approx(60.0)
    assert all(e.ok and e.note == "" for e in entries.values())


# ---- forward mode -----------------------------------------------------------------------------------


def test_forward_mode_grosse_by_hand():
    g, ev = load("grosse_csc311")
    fm = ex.forward_mode(ev, g.by_name("b"))
    got = {g.label(n): t for n, t in fm.tangents.items()}
    assert got == {"a": 0.0, "b": 1.0, "c": 0.0, "x": 1.0, "y": 1.0, "z": 9.0}
    assert fm.forward == fm.reverse == 9.0 and fm.agrees


def test_forward_mode_bristol_by_hand():
    # de/df = g = 2, dd/df = 1, dc/df = 2, db/df = 3, da/df = c·3 + b·2 = 30 + 30 = 60.
    g, ev = load("bristol_lecture2")
    fm = ex.forward_mode(ev, g.by_name("f"))
    got = {g.label(n): fm.tangents[n] for n in g.names().values()}
    assert got == {"f": 1.0, "g": 0.0, "e": 2.0, "d": 1.0, "c": 2.0, "b": 3.0, "a": 60.0}


def test_forward_mode_with_a_matrix_input():
    # a = W x: ∂a_i/∂W_kl = δ_ik x_l; the output's derivative sums to reverse mode's grad.
    g, ev = load("seoul_mlp_l2")
    W = g.by_name("W")
    fm = ex.forward_mode(ev, W)
    x = np.array([1.0, -1.0])
    np.testing.assert_allclose(fm.tangents[g.by_name("a")], np.einsum("ik,l->ikl", np.eye(3), x))
    np.testing.assert_allclose(fm.forward, ev.grads[W])
    assert fm.agrees


@pytest.mark.parametrize("example", ["siegen_backprop", "siegen_regression",
                                     "cmu11785_relu_max", "cmu11785_softmax_ce"])
def test_forward_mode_agrees_with_reverse_on_examples(example):
    g, ev = load(example)
    for n in g.inputs():
        assert ex.forward_mode(ev, n).agrees, g.label(n)


def test_every_ledger_sums_to_the_gradient_on_every_example():
    for path in sorted(examples_dir().glob("*.gs")):
        g = open_document(path).graph
        ev = evaluate(g)
        for n in ev.program.order:
            if g.op(n) != "const":
                assert ex.ledger(ev, n).agrees, (path.name, g.label(n))
            if g.op(n) == "input":
                assert ex.paths(ev, n).agrees, (path.name, g.label(n))


# ---- quiz --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected,right", [
    ("9", 9.0, True),
    ("9.005", 9.0, True),  # relative error 5.6e-4 < 1e-3
    ("9.01", 9.0, False),  # 1.1e-3
    ("5e-7", 0.0, True),  # absolute 1e-6 near zero
    ("2e-6", 0.0, False),
    ("7·1 + 2·1", 9.0, True),
    ("−1/4", -0.25, True),
    ("[1, 2.5]", np.array([1.0, 2.5]), True),
    ("[1, 2.6]", np.array([1.0, 2.5]), False),
    ("1", np.array([1.0, 1.0]), False),
    ("nan", float("nan"), True),
])
def test_grade(text, expected, right):
    assert ex.grade(text, expected).correct is right


def test_grade_refuses_what_is_not_a_number_without_running_it():
    for text in ("abc", "__import__('os').system('true')", "", "1 +", "9" * 600):
        answer = ex.grade(text, 1.0)
        assert not answer.correct and answer.given is None and "not a number" in answer.message


def test_quiz_targets_are_the_slides_numbers():
    g, ev = load("grosse_csc311")
    grads = {g.label(n): v for n, v in ex.quiz_targets(ev, hide="grad").items()}
    assert grads == {"a": 7.0, "b": 9.0, "c": 2.0, "x": 7.0, "y": 2.0, "z": 1.0}
    values = {g.label(n): v for n, v in ex.quiz_targets(ev, hide="value").items()}
    assert values == {"x": 2.0, "y": 7.0, "z": 14.0}


def test_the_path_from_the_output_to_itself():
    g, ev = load("grosse_csc311")
    z = g.by_name("z")
    ps = ex.paths(ev, z)
    assert [p.nodes for p in ps.paths] == [(z,)] and ps.total == 1.0 == ps.grad
    assert ps.multiplications_paths == 0 and ps.multiplications_backprop == 0


def test_symbolic_gives_every_needed_node_as_a_formula():
    g, _ev = load("bristol_lecture2")
    s = ex.symbolic(evaluate(g))
    f, gg = sympy.symbols("f g", real=True)
    assert sympy.simplify(s.nodes[g.by_name("b")] - (3 + f + f * gg)) == 0  # b = d + e
    assert sympy.simplify(s.nodes[g.by_name("c")] - (f * gg + 2)) == 0


def test_symbolic_ignores_an_array_input_the_output_does_not_need():
    from graphstudio.core.explain import symbolic
    from graphstudio.io.gs import parse_text

    g = parse_text("a = [1, 2]\nb = [1, 2, 3]\nc = a + b\nk = 2\nm = k * 3")
    s = symbolic(evaluate(g, g.by_name("m")))
    assert s.gradients[g.by_name("k")] == 3  # dm/dk = 3
    assert s.gradients[g.by_name("a")] == 0  # a does not reach m


def test_symbolic_keeps_a_big_formula_as_it_comes_instead_of_expanding_it():
    from graphstudio.core.explain import symbolic
    from graphstudio.io.gs import parse_text

    # each level multiplies two sums of the one below: expanded, the gradient would be a
    # polynomial of degree 2^8 with hundreds of terms (and expanding it takes minutes)
    lines = ["x = 1.5", "y = 0.5", "h0 = x + y"]
    lines += [f"h{i} = (h{i - 1} + x) * (h{i - 1} - y)" for i in range(1, 8)]
    g = parse_text("\n".join(lines))
    s = symbolic(evaluate(g))
    x = g.by_name("x")
    as_it_comes = sympy.diff(s.expr, s.symbols[x])
    assert sympy.count_ops(as_it_comes) > 200  # big enough to be kept, not expanded
    assert s.gradients[x] == as_it_comes
    assert abs(s.gradient_values[x] - evaluate(g).grads[x]) <= 1e-9 * abs(s.gradient_values[x])
