"""Groups in what is drawn, stepped and explained: a collapsed group is one gate (its inner
nodes left out, its local derivative shown, one step of each pass, one term of a ledger), an
expanded one its nodes in a labelled frame, in SVG, TikZ and step frames alike."""

from __future__ import annotations

import pytest

from graphstudio.core.engine import backward_steps, evaluate, forward_steps
from graphstudio.core.explain import ledger
from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file
from graphstudio.render.export import ExportSettings, export_graph
from graphstudio.render.picture import build_picture, step_pictures
from graphstudio.render.positions import graph_positions
from graphstudio.render.tikz import PREAMBLE, to_tikz
from test_export import _pdflatex, needs_pdflatex


def swish(collapsed=True):
    graph = parse_file(examples_dir() / "swish_function.gs")
    for gid in graph.groups():
        graph.set_group(gid, collapsed=collapsed)
    return graph, evaluate(graph)


def test_a_collapsed_group_is_one_gate_in_the_picture():
    graph, ev = swish()
    picture = build_picture(graph, ev, graph_positions(graph), edge_labels=True)
    h1, u = graph.by_name("h1"), graph.by_name("u")
    inner = [n for n in graph.nodes() if graph.op(n) == "sigmoid"]
    assert inner and not any(n in picture.nodes for n in inner)
    gate = picture.nodes[h1]
    assert gate.symbol == "swish" and gate.n_ports == 1
    assert gate.gate_text == "∂h1/∂u = 1.041"
    (edge,) = [e for e in picture.edges if e.dst == h1]
    assert (edge.src, edge.port, edge.label) == (u, 0, "∂h1/∂u = 1.041")
    expanded = build_picture(graph, ev, graph_positions(graph))
    assert expanded.groups == ()
    graph2, ev2 = swish(collapsed=False)
    open_picture = build_picture(graph2, ev2, graph_positions(graph2))
    assert all(n in open_picture.nodes for n in inner)
    assert [f.name for f in open_picture.groups] == ["swish", "swish", "squared_sum"]
    assert open_picture.nodes[h1].gate_text == ""


def test_svg_export_draws_the_gate_or_the_frame(tmp_path):
    graph, ev = swish()
    (svg,) = export_graph(graph, ev, tmp_path / "collapsed.svg")
    text = svg.read_text()
    assert "swish" in text and "∂h1/∂u = 1.041" in text and "σ" not in text
    graph, ev = swish(collapsed=False)
    (svg,) = export_graph(graph, ev, tmp_path / "expanded.svg")
    text = svg.read_text()
    assert "σ" in text and "squared_sum" in text and "∂h1/∂u" not in text


def test_a_collapsed_group_is_one_step():
    graph, ev = swish()
    pictures = step_pictures(graph, ev, graph_positions(graph), edge_labels=True)
    opened, open_ev = swish(collapsed=False)
    more = step_pictures(opened, open_ev, graph_positions(opened), edge_labels=True)
    # collapsed: u, v, h1, h2, L forward and backward; expanded: each inner node too
    assert len(pictures) == 10 and len(more) > len(pictures)
    captions = [p.caption for p in pictures]
    assert "Forward pass, step 3 of 5: h1 = swish(u) = swish(1.5) = 1.226" in captions
    back_u = next(c for c in captions if c.startswith("Backward pass") and "∂L/∂u" in c)
    assert "2.075 × 1.041 = 2.161" in back_u and "swish: one gate" in back_u
    assert len(forward_steps(ev)) > 5 and len(backward_steps(ev)) > 5  # the engine's own


def test_the_ledger_has_one_term_through_a_collapsed_group():
    graph, ev = swish()
    u = graph.by_name("u")
    (term,) = ledger(ev, u).terms
    assert term.child == graph.by_name("h1") and term.local == pytest.approx(1.0413, abs=1e-4)
    assert ledger(ev, u).agrees
    opened, open_ev = swish(collapsed=False)
    assert len(ledger(open_ev, opened.by_name("u")).terms) == 2  # into sigmoid and into ×


def test_tikz_writes_the_gate_and_the_frame():
    graph, ev = swish()
    collapsed = to_tikz(build_picture(graph, ev, graph_positions(graph)))
    assert "\\textcolor{gsmuted}{swish}" in collapsed
    assert "\\ensuremath{\\partial}h1/\\ensuremath{\\partial}u = 1.041" in collapsed
    assert "fit=" not in collapsed
    graph, ev = swish(collapsed=False)
    expanded = to_tikz(build_picture(graph, ev, graph_positions(graph)))
    assert expanded.count("fit=") == 3 and "north west:swish" in expanded


@needs_pdflatex
def test_tikz_of_groups_compiles(tmp_path):
    bodies = []
    for collapsed in (True, False):
        graph, ev = swish(collapsed)
        bodies.append(to_tikz(build_picture(graph, ev, graph_positions(graph), edge_labels=True)))
    source = ("\\documentclass{article}\n" + PREAMBLE + "\n\\begin{document}\n"
              + "\n\\clearpage\n".join(bodies) + "\\end{document}\n")
    assert _pdflatex(tmp_path, "groups", source).exists()


def test_step_frames_export_with_a_collapsed_group(tmp_path):
    graph, ev = swish()
    files = export_graph(graph, ev, tmp_path / "frames", ExportSettings(steps=True))
    assert len(files) == 10


def test_paths_go_through_a_collapsed_group_as_one_edge():
    from graphstudio.core.explain import paths

    graph, ev = swish()
    u, h1, L = (graph.by_name(n) for n in ("u", "h1", "L"))
    ps = paths(ev, u)
    assert ps.count == 1 and ps.agrees
    (path,) = ps.paths
    assert path.nodes == (u, h1, L)
    assert path.locals[0] == pytest.approx(1.0413, abs=1e-4)
    assert path.product == pytest.approx(ev.grad(u))
    assert ps.multiplications_backprop == 6  # the graph's own edges, inside the gate too
    opened, open_ev = swish(collapsed=False)
    assert paths(open_ev, opened.by_name("u")).count == 4


def test_a_collapsed_group_is_laid_out_as_one_box(qapp):
    from graphstudio.render.draw import arrange
    from graphstudio.render.style import THEMES

    def gate_x(collapsed):
        graph = parse_file(examples_dir() / "cs231n_sigmoid_gate.gs")
        for gid in graph.groups():
            graph.set_group(gid, collapsed=collapsed)
        pos = arrange(graph, evaluate(graph), THEMES["light"])
        assert set(pos) == set(graph.nodes())  # the hidden nodes have places too
        last_add = max(pos[n][0] for n in graph.nodes()
                       if graph.op(n) == "add" and graph.group_of(n) is None)
        return pos[graph.by_name("f")][0] - last_add

    assert gate_x(True) < 250 < gate_x(False)  # four columns fewer while it is one box


def test_a_gate_of_an_array_shows_the_gradient_of_a_number_output_only():
    from graphstudio.io.gs import parse_text
    from graphstudio.render.groups import gate_lines

    graph = parse_text("def f(v):\n    return sum(v * v)\nx = [1, -2, 0.5]\ny = f(x)\n")
    assert gate_lines(graph, evaluate(graph), 0) == "∂y/∂x = [2 -4 1]"  # 2v
    graph = parse_text("def f(v):\n    return v * v\nx = [1, -2, 0.5]\ny = f(x)\n")
    assert gate_lines(graph, evaluate(graph), 0) == ""  # a Jacobian: read it expanded
