"""The step-through player on Bristol lecture 2 (f = 4, g = 2): the grad_table fills in row by
row as the slides fill it, ending with da/df = 25·2 + 10·1 = 60."""

from __future__ import annotations

from PySide6.QtCore import Qt

from graphstudio.ui.teaching.player import StepPlayer

from teaching_helpers import (lecture, main_window, menu_action, open_lecture,  # noqa: F401
                              requested, shown, type_expression)

# Bristol, "Example Calculation": values and grads by hand (a = b·c, b = d + e, c = e + 2,
# d = 3 + f, e = f·g): e = 8, d = 7, c = 10, b = 15, a = 150; da/db = c = 10, da/dc = b = 15,
# da/dd = 10, da/de = 10 + 15 = 25, da/df = 25·g + 10·1 = 60, da/dg = 25·f = 100.
VALUES = {"f": "4", "g": "2", "e": "8", "d": "7", "c": "10", "b": "15", "a": "150"}
GRADS = {"a": "1", "b": "10", "c": "15", "d": "10", "e": "25", "f": "60", "g": "100"}
N_NODES = 9  # f, g, e, d, c, b, a and the constants 3 and 2
N_BACKWARD = 7  # every node but the constants


def rows_by_node(player):
    return {row[0]: row for row in player.table_rows()}


def test_next_fills_the_grad_table_row_by_row(qtbot):
    graph, ev = lecture("bristol_lecture2")
    player = shown(qtbot, StepPlayer(), graph, ev)
    pictures = requested(player)

    qtbot.mouseClick(player.next_button, Qt.LeftButton)
    assert len(player.table_rows()) == 1
    assert pictures[-1].meta["phase"] == "forward"
    first = player.table_rows()[0]
    assert pictures[-1].nodes[graph.by_name(first[0])].highlight == "current"

    for _ in range(N_NODES - 1):
        qtbot.mouseClick(player.next_button, Qt.LeftButton)
    rows = rows_by_node(player)
    assert len(rows) == N_NODES
    assert {n: rows[n][1] for n in VALUES} == VALUES
    assert all(row[2] == "" for row in rows.values())  # no gradient yet

    qtbot.mouseClick(player.next_button, Qt.LeftButton)  # the backward pass starts at a
    assert pictures[-1].meta["phase"] == "backward"
    assert rows_by_node(player)["a"][2] == "1"
    assert rows_by_node(player)["b"][2] == ""

    while player.next_button.isEnabled():
        qtbot.mouseClick(player.next_button, Qt.LeftButton)
    rows = rows_by_node(player)
    assert {n: rows[n][2] for n in GRADS} == GRADS
    assert rows["f"][3] == "25 × 2 + 10 × 1"
    assert rows["e"][3] == "15 × 1 + 10 × 1"
    assert rows["3"][2] == "" and rows["2"][2] == ""  # constants get no gradient
    assert player.index == N_NODES + N_BACKWARD - 1
    assert "60" in pictures[-1].caption
    assert f"Step {N_NODES + N_BACKWARD} of {N_NODES + N_BACKWARD}" in player.caption.text()


def test_back_first_last_and_the_highlighted_edges(qtbot):
    graph, ev = lecture("bristol_lecture2")
    player = shown(qtbot, StepPlayer(), graph, ev)
    pictures = requested(player)
    qtbot.mouseClick(player.last_button, Qt.LeftButton)
    last = pictures[-1]
    f = graph.by_name("f")
    assert last.nodes[f].highlight == "current"
    # the last backward step sums over f's successors e and d: exactly those edges are lit
    lit = {(e.src, e.dst) for e in last.edges if e.highlight}
    assert lit == {(f, graph.by_name("e")), (f, graph.by_name("d"))}
    qtbot.mouseClick(player.back_button, Qt.LeftButton)
    assert player.index == N_NODES + N_BACKWARD - 2
    assert rows_by_node(player)["f"][2] == ""  # f's row is not filled in yet
    assert rows_by_node(player)["g"][2] == "100"
    qtbot.mouseClick(player.first_button, Qt.LeftButton)
    assert player.index == 0 and len(player.table_rows()) == 1
    assert not player.back_button.isEnabled()


def test_play_runs_to_the_end_at_the_chosen_speed(qtbot):
    graph, ev = lecture("grosse_csc311")
    player = shown(qtbot, StepPlayer(), graph, ev)
    player.speed.setValue(player.speed.maximum())  # 8 steps a second
    assert player.timer.interval() == 125
    qtbot.mouseClick(player.play_button, Qt.LeftButton)
    assert player.playing
    qtbot.waitUntil(lambda: not player.playing, timeout=5000)
    assert player.index == len(player.pictures) - 1
    rows = rows_by_node(player)
    # Grosse: dz/dx = y = 7, dz/dy = x = 2, dz/db = 7·1 + 2·1 = 9
    assert (rows["x"][2], rows["y"][2], rows["b"][2]) == ("7", "2", "9")
    assert rows["b"][3] == "7 × 1 + 2 × 1"


def test_stop_goes_back_to_the_live_view(qtbot):
    graph, ev = lecture("grosse_csc311")
    player = shown(qtbot, StepPlayer(), graph, ev)
    pictures = requested(player)
    qtbot.mouseClick(player.next_button, Qt.LeftButton)
    qtbot.mouseClick(player.stop_button, Qt.LeftButton)
    assert pictures[-1] is None and not player.active and player.table_rows() == []


def test_new_numbers_end_step_mode(qtbot):
    graph, ev = lecture("grosse_csc311")
    player = shown(qtbot, StepPlayer(), graph, ev)
    pictures = requested(player)
    qtbot.mouseClick(player.next_button, Qt.LeftButton)
    graph.set_value(graph.by_name("a"), 5.0)
    from graphstudio.core.engine import evaluate

    player.set_context(graph, evaluate(graph))
    assert pictures[-1] is None and not player.active and player.table_rows() == []


def test_in_the_editor_step_through_then_an_edit_leaves_step_mode(qtbot, main_window):
    w = main_window
    open_lecture(qtbot, w, "bristol_lecture2")
    player = w.teaching.player
    menu_action(w, "Graph", "Step Through").trigger()
    assert w.canvas.step_mode and player.active
    assert w.teaching.docks["Steps"].isVisible()
    for _ in range(3):
        qtbot.mouseClick(player.next_button, Qt.LeftButton)
    shown_now = w.scene.picture
    assert shown_now is player.pictures[3]
    assert "Forward pass, step 4" in w.statusBar().currentMessage()
    # the canvas items show the step's numbers: the nodes not reached yet show "?"
    later = [n for n, v in shown_now.nodes.items() if v.value_text == "?"]
    assert later and all(w.scene.nodes[n].view.value_text == "?" for n in later)

    type_expression(qtbot, w, "q = f + 1")  # an edit: a new node
    q = w.document.graph.by_name("q")
    assert q is not None
    assert not w.canvas.step_mode
    assert not player.active and player.table_rows() == []
    assert w.scene.nodes[q].view.value_text == "5"  # live numbers again
    assert all(v.value_text for v in w.scene.picture.nodes.values())


def test_a_value_cell_says_how_it_was_computed(qtbot):
    graph, ev = lecture("bristol_lecture2")
    player = shown(qtbot, StepPlayer(), graph, ev)
    qtbot.mouseClick(player.last_button, Qt.LeftButton)
    row = next(i for i, r in enumerate(player.table_rows()) if r[0] == "e")
    assert player.table.item(row, 1).toolTip() == "e = f × g = 4 × 2 = 8"


def test_constants_show_their_value_from_the_first_forward_step(qtbot, main_window):
    """A constant is known before the pass starts: its number, never "?", in every step
    (the nodes the pass has not reached still show "?")."""
    w = main_window
    open_lecture(qtbot, w, "seoul_mlp_l2")  # J = (yhat - y) ** 2 + lam * (...): three 2s
    qtbot.keyClick(w.canvas, Qt.Key_F5)
    player = w.teaching.player
    assert player.active and player.index == 0
    g = w.document.graph
    consts = [n for n in g.nodes() if g.op(n) == "const"]
    assert len(consts) == 3
    assert all(w.scene.nodes[n].view.value_text == "2" for n in consts)
    assert w.scene.nodes[g.by_name("J")].view.value_text == "?"  # not computed yet


def seoul_stepped_to_the_end(qtbot):
    """The step player on Seoul's network after the last step, in a panel as wide as the
    Steps dock."""
    graph, ev = lecture("seoul_mlp_l2")
    player = shown(qtbot, StepPlayer(), graph, ev)
    player.resize(460, 640)
    while player.next_button.isEnabled():
        qtbot.mouseClick(player.next_button, Qt.LeftButton)
    return player


def test_array_rows_leave_every_column_room_for_its_words(qtbot):
    # Seoul's network: vectors in the value and grad columns, "Σ upstream · Jacobian over h"
    # in the last; in a panel as wide as the Steps dock, no column is squeezed so narrow that
    # its words break letter by letter
    player = seoul_stepped_to_the_end(qtbot)
    table = player.table
    metrics = table.fontMetrics()
    jacobian = [r for r in range(table.rowCount()) if "Jacobian" in table.item(r, 3).text()]
    assert jacobian  # the rows this is about
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            item = table.item(r, c)
            words = item.text().split() if item is not None else []
            widest = max((metrics.horizontalAdvance(w) for w in words), default=0)
            assert widest <= table.columnWidth(c), (table.item(r, 0).text(), c, item.text())


def test_a_matrix_keeps_its_rows_whole_and_its_columns_aligned(qtbot):
    # W's gradient on Seoul's network is 3×2; in a panel as wide as the Steps dock its cell
    # shows three lines, one per row of the matrix, each fitting its column (with equal
    # shares a row was broken in two, six lines of loose numbers), the columns right-aligned
    from PySide6.QtGui import QFontMetrics

    player = seoul_stepped_to_the_end(qtbot)
    table = player.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "W")
    for column in (1, 2):  # value and gradient
        item = table.item(row, column)
        lines = item.text().split("\n")
        assert len(lines) == 3, item.text()
        metrics = QFontMetrics(item.font())
        for line in lines:
            assert " " not in line  # no place to break inside a row ...
            assert metrics.horizontalAdvance(line) <= table.columnWidth(column), (line, column)
        assert len({len(line.rstrip("]")) for line in lines}) == 1, lines  # ... right-aligned
    grads = table.item(row, 2).text().replace("\u00a0", " ")
    assert "-0.008774" in grads and "0.03015" in grads  # Seoul's ∂J/∂W, as the lecture has it


def test_a_caption_writes_a_matrix_on_one_line(qtbot):
    # the caption is a sentence (and the status bar's message): W's gradient in it is one
    # line, its rows side by side, as in Seoul's ∂J/∂W
    player = seoul_stepped_to_the_end(qtbot)
    while "∂J/∂W =" not in player.caption.text():
        assert player.back_button.isEnabled(), "no step for W"
        qtbot.mouseClick(player.back_button, Qt.LeftButton)
    assert player.caption.text().endswith(
        "∂J/∂W = [[-0.02832 0.02432] [0.02477 -0.008774] [-0.02615 0.03015]]")


def test_a_row_clicked_goes_to_its_step_and_names_what_an_unnamed_node_computes(qtbot):
    # an unnamed node's row said only "u2", a name no box on the canvas shows, and the table
    # could only be read, not used to find a step again
    from teaching_helpers import click_row, graph_of

    graph, ev = graph_of("x = 1\ny = 2\nf = sin(x * y) + x")
    player = shown(qtbot, StepPlayer(), graph, ev)
    pictures = requested(player)
    qtbot.mouseClick(player.last_button, Qt.LeftButton)
    rows = player.table_rows()
    product = next(n for n in graph.nodes() if graph.op(n) == "mul")
    r = next(i for i, row in enumerate(rows) if row[0] == graph.label(product))
    assert player.table.item(r, 0).toolTip().startswith(f"{graph.label(product)} = x × y")
    click_row(qtbot, player.table, r, 2)  # its grad: the backward step that wrote it
    assert pictures[-1].meta["phase"] == "backward"
    assert pictures[-1].meta["row"].node == product
    assert pictures[-1].nodes[product].highlight == "current"
    assert player.index == len(player.pictures) - 3  # f, then sin, then the product
    click_row(qtbot, player.table, 1, 0)  # y's name: its forward step
    assert pictures[-1].meta["phase"] == "forward"
    assert pictures[-1].meta["row"].node == graph.by_name("y")
    assert [row[0] for row in player.table_rows()] == ["x", "y"]
