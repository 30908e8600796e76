"""Sum over paths, Bristol lecture 2: three paths from f to a, 2·1·15 + 2·1·10 + 1·1·10 = 60."""

from __future__ import annotations


from PySide6.QtCore import Qt

from graphstudio.ui.teaching.paths import PATH_LIMIT, PathsPanel

from teaching_helpers import (click_row, graph_of, highlighted_edges, lecture,  # noqa: F401
                              main_window, open_lecture, requested, shown)


def test_bristol_f_has_three_paths_totalling_sixty(qtbot):
    graph, ev = lecture("bristol_lecture2")
    panel = shown(qtbot, PathsPanel(), graph, ev)
    panel.choose_input(graph.by_name("f"))
    rows = panel.table_rows()
    # by hand: the local derivatives along each path (∂e/∂f = g = 2, ∂c/∂e = 1, ∂a/∂c = b = 15,
    # ∂b/∂e = 1, ∂a/∂b = c = 10, ∂d/∂f = 1, ∂b/∂d = 1)
    assert sorted((r[1], r[2], r[3]) for r in rows) == sorted([
        ("f → e → c → a", "2 × 1 × 15", "30"),
        ("f → e → b → a", "2 × 1 × 10", "20"),
        ("f → d → b → a", "1 × 1 × 10", "10")])
    total = panel.total.text()
    assert "Σ over the 3 paths" in total and total.splitlines()[0].endswith("= 60")
    assert "backprop: da/df = 60" in total and "✓" in total
    # 3 paths of 3 edges: 2 multiplications each; backprop: one per edge on a path, 7 edges
    assert "6 along the paths" in panel.work.text()
    assert "7 by backprop" in panel.work.text()


def test_selecting_a_path_highlights_exactly_its_edges(qtbot):
    graph, ev = lecture("bristol_lecture2")
    panel = shown(qtbot, PathsPanel(), graph, ev)
    panel.choose_input(graph.by_name("f"))
    pictures = requested(panel)
    row = next(i for i, r in enumerate(panel.table_rows()) if r[1] == "f → d → b → a")
    click_row(qtbot, panel.table, row, 1)
    f, d, b, a = (graph.by_name(n) for n in "fdba")
    # d = 3 + f (f is argument 2), b = d + e (d is argument 1), a = b * c (b is argument 1)
    assert highlighted_edges(pictures[-1]) == {(f, d, 1), (d, b, 0), (b, a, 0)}
    labelled = {(e.src, e.dst) for e in pictures[-1].edges if e.label}
    assert labelled == {(f, d), (d, b), (b, a)}
    assert "f → d → b → a" in pictures[-1].caption and "10" in pictures[-1].caption


def test_show_in_turn_steps_through_every_path(qtbot):
    graph, ev = lecture("bristol_lecture2")
    panel = shown(qtbot, PathsPanel(), graph, ev)
    panel.choose_input(graph.by_name("f"))
    panel.timer.setInterval(20)
    pictures = requested(panel)
    qtbot.mouseClick(panel.turn_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len({p.meta["path"] for p in pictures}) == 3, timeout=20000)
    qtbot.mouseClick(panel.turn_button, Qt.LeftButton)
    assert not panel.timer.isActive()


def test_too_many_paths_are_counted_not_listed(qtbot):
    # h1 = x + x doubles the paths at every level: 2^14 paths from x to h14, and
    # d h14 / dx = 2^14
    lines = ["x = 1", "h1 = x + x"] + [f"h{k} = h{k - 1} + h{k - 1}" for k in range(2, 15)]
    graph, ev = graph_of("\n".join(lines))
    panel = shown(qtbot, PathsPanel(), graph, ev)
    assert 2 ** 14 > PATH_LIMIT
    assert panel.table.isHidden()
    assert "16,384 paths" in panel.total.text() and "too many" in panel.total.text()
    assert "= 16384" in panel.total.text() and "backprop: dh14/dx = 16384" in panel.total.text()


def test_paths_beyond_any_listing_are_still_counted(qtbot):
    # 2^60 paths: a panel that listed (or walked) them one by one would never come back
    lines = ["x = 1", "h1 = x + x"] + [f"h{k} = h{k - 1} + h{k - 1}" for k in range(2, 61)]
    graph, ev = graph_of("\n".join(lines))
    panel = shown(qtbot, PathsPanel(), graph, ev)
    assert panel.table.isHidden()
    assert "1,152,921,504,606,846,976 paths from x to h60: too many" in panel.total.text()
    assert "backprop: dh60/dx = 1.153e+18" in panel.total.text()


def test_an_input_that_does_not_reach_the_output(qtbot):
    graph, ev = graph_of("a = 1\nb = 2\nu = b * 3\nz = a * 2")
    panel = shown(qtbot, PathsPanel(), graph, ev)
    panel.choose_input(graph.by_name("b"))
    assert panel.table_rows() == []
    assert "No path from b to z" in panel.total.text()


def test_in_the_editor_a_path_is_drawn_on_the_canvas(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "bristol_lecture2")
    w.teaching.raise_panel("Paths")
    panel = w.teaching.paths
    graph = w.document.graph
    panel.choose_input(graph.by_name("g"))
    # g reaches a along g → e → c → a and g → e → b → a: 4·1·15 + 4·1·10 = 100
    assert sorted(r[3] for r in panel.table_rows()) == ["40", "60"]
    click_row(qtbot, panel.table, 0, 1)
    assert w.canvas.step_mode
    lit = {key for key, item in w.scene.edges.items() if item.view.highlight}
    assert lit == set(panel.result.paths[0].edges)


def test_a_path_through_a_stopped_gradient_says_why(qtbot):
    graph, ev = lecture("d2l_detach")
    panel = shown(qtbot, PathsPanel(), graph, ev)
    panel.choose_input(graph.by_name("x"))
    pictures = requested(panel)
    note = "stop_gradient: ∂u/∂y taken as 0; the value passes, the gradient does not"
    rows = panel.table_rows()
    stopped = [i for i, r in enumerate(rows) if "u" in r[1].split(" → ")]
    assert len(stopped) == 2 and len(rows) == 3
    assert all(panel.table.item(i, 3).toolTip() == note for i in stopped)
    click_row(qtbot, panel.table, stopped[0], 1)
    assert pictures[-1].caption.endswith(f"({note})")
