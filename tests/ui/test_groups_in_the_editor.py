"""Groups in the editor, driven as a person does: Ctrl+click the nodes, Ctrl+G, double-click
the gate to open it and inside its frame to close it, Ctrl+Shift+G, undo and redo; the canvas
hides a collapsed group's inner boxes and shows its local derivative."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file
from ui_helpers import view_point


def header_of(window, node: int) -> QPoint:
    """A point on the node's header (its name), away from its ports and its number."""
    item = window.scene.nodes[node]
    rect = item.scene_rect()
    return view_point(window, rect.topLeft() + (rect.topRight() - rect.topLeft()) * 0.5
                      + type(rect.topLeft())(0, 12))


def ctrl_click(window, nodes) -> None:
    vp = window.canvas.viewport()
    QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier, header_of(window, nodes[0]))
    for n in nodes[1:]:
        QTest.mouseClick(vp, Qt.LeftButton, Qt.ControlModifier, header_of(window, n))


def key(window, k, modifiers=Qt.ControlModifier) -> None:
    QTest.keyClick(window.canvas, k, modifiers)


def open_grosse(window):
    window.open_file(str(examples_dir() / "grosse_csc311.gs"), ask=False)
    g = window.document.graph
    return g, [g.by_name(n) for n in "xyz"]


def test_ctrl_g_groups_the_selection_into_one_gate_and_undo_takes_it_back(window, qtbot):
    g, (x, y, z) = open_grosse(window)
    ctrl_click(window, [x, y, z])
    assert sorted(window.scene.selected_nodes()) == sorted([x, y, z])
    key(window, Qt.Key_G)
    (gid,) = g.groups()
    assert g.groups()[gid].members == {x, y, z} and g.groups()[gid].collapsed
    scene = window.scene
    assert not scene.nodes[x].isVisible() and not scene.nodes[y].isVisible()
    gate = scene.nodes[z].view
    assert gate.symbol == "group" and gate.n_ports == 3
    # the gate's local derivatives: dz/da = y = 7, dz/db = x + y = 9, dz/dc = x = 2
    assert gate.gate_text.splitlines() == ["∂z/∂a = 7", "∂z/∂b = 9", "∂z/∂c = 2"]
    assert "in the group <b>group</b>, collapsed" in window.inspector.heading.text()
    a = g.by_name("a")
    assert scene.edges[(a, z, 0)].isVisible()  # a arrives at the gate's first port
    assert not scene.edges[(a, x, 0)].isVisible()
    key(window, Qt.Key_Z)
    assert g.groups() == {}
    assert scene.nodes[x].isVisible() and scene.nodes[z].view.symbol == "×"
    assert (a, z, 0) not in scene.edges
    key(window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # redo
    assert len(g.groups()) == 1 and not scene.nodes[x].isVisible()


def test_double_clicks_expand_and_collapse(window, qtbot):
    g, (x, y, z) = open_grosse(window)
    ctrl_click(window, [x, y, z])
    key(window, Qt.Key_G)
    (gid,) = g.groups()
    vp = window.canvas.viewport()
    QTest.mouseDClick(vp, Qt.LeftButton, Qt.NoModifier, header_of(window, z))
    assert g.groups()[gid].collapsed is False
    scene = window.scene
    assert scene.nodes[x].isVisible() and scene.nodes[y].isVisible()
    assert scene.nodes[z].view.symbol == "×"
    frame = window.group_tools.layer.frames[gid]
    assert frame.isVisible() and frame.name == "group"
    for n in (x, y, z):
        assert frame.frame.contains(scene.nodes[n].scene_rect())
    # inside the frame, below the boxes: collapse again
    inside = frame.frame.bottomLeft() + type(frame.frame.bottomLeft())(8, -4)
    QTest.mouseDClick(vp, Qt.LeftButton, Qt.NoModifier, view_point(window, inside))
    assert g.groups()[gid].collapsed is True
    assert not scene.nodes[x].isVisible() and gid not in window.group_tools.layer.frames
    key(window, Qt.Key_Z)
    assert g.groups()[gid].collapsed is False  # each toggle is one undo step
    assert window.document.undo_stack.undoText() == "Expand group"


def test_ungroup_and_a_refused_group(window, qtbot):
    g, (x, y, z) = open_grosse(window)
    stack = window.document.undo_stack
    ctrl_click(window, [x, y])  # x and y each feed z: two values, not one
    key(window, Qt.Key_G)
    assert g.groups() == {} and stack.count() == 0
    message = window.statusBar().currentMessage()
    assert message.startswith("cannot group: ") and "x, y are each used outside" in message
    ctrl_click(window, [x, y, z])
    key(window, Qt.Key_G)
    ctrl_click(window, [z])
    key(window, Qt.Key_G, Qt.ControlModifier | Qt.ShiftModifier)
    assert g.groups() == {} and window.scene.nodes[x].isVisible()
    key(window, Qt.Key_Z)
    assert len(g.groups()) == 1


def test_a_group_made_by_hand_is_saved_as_a_def(window, qtbot, tmp_path):
    g, (x, y, z) = open_grosse(window)
    ctrl_click(window, [x, y, z])
    key(window, Qt.Key_G)
    out = tmp_path / "grouped.gs"
    assert window.save_to(out)
    text = out.read_text()
    assert "def group(a, b, c):\n    x = a + b\n    y = b + c\n    return x * y\n" in text
    assert "z = group(a, b, c)" in text
    again = parse_file(out)
    assert [grp.name for grp in again.groups().values()] == ["group"]
    json_out = tmp_path / "grouped.json"
    assert window.save_to(json_out)
    window.open_file(str(json_out), ask=False)
    (grp,) = window.document.graph.groups().values()
    assert grp.members == {x, y, z} and grp.collapsed


def test_a_file_with_functions_opens_with_its_calls_collapsed(window, qtbot):
    window.open_file(str(examples_dir() / "swish_function.gs"), ask=False)
    g = window.document.graph
    scene = window.scene
    hidden = [n for n, item in scene.nodes.items() if not item.isVisible()]
    assert sorted(g.op(n) for n in hidden) == ["add", "sigmoid", "sigmoid"]
    h1 = scene.nodes[g.by_name("h1")].view
    assert h1.symbol == "swish" and h1.gate_text == "∂h1/∂u = 1.041"


def test_copy_paste_and_delete_take_a_collapsed_group_whole(window, qtbot):
    window.open_file(str(examples_dir() / "cs231n_sigmoid_gate.gs"), ask=False)
    g = window.document.graph
    f = g.by_name("f")
    (gid,) = g.groups()
    members = set(g.groups()[gid].members)
    ctrl_click(window, [f])
    key(window, Qt.Key_C)
    key(window, Qt.Key_V)
    assert len(g.groups()) == 2
    (new,) = set(g.groups()) - {gid}
    pasted = g.groups()[new]
    assert pasted.name == "sigmoid_gate" and len(pasted.members) == len(members)
    assert pasted.members.isdisjoint(members)
    key(window, Qt.Key_Z)  # the paste, group and all, is one step
    assert set(g.groups()) == {gid} and all(m in g for m in members)
    count = len(g)
    ctrl_click(window, [f])
    QTest.keyClick(window.canvas, Qt.Key_Delete)
    assert g.groups() == {} and len(g) == count - len(members)
    key(window, Qt.Key_Z)
    assert g.groups()[gid].members == members and g.groups()[gid].collapsed
    assert not window.scene.nodes[min(members - {f})].isVisible()


def test_expanding_a_group_makes_room_for_its_nodes_in_one_undo_step(window, qtbot):
    window.open_file(str(examples_dir() / "cs231n_sigmoid_gate.gs"), ask=False)
    g = window.document.graph
    f = g.by_name("f")
    (gid,) = g.groups()
    before = {n: g.position(n) for n in g.nodes()}
    scene = window.scene
    # opened collapsed, laid out as shown: the gate sits a column after the last +
    plus = max((n for n in g.nodes() if g.op(n) == "add" and g.group_of(n) is None),
               key=lambda n: g.position(n)[0])
    assert scene.nodes[f].scene_rect().left() - scene.nodes[plus].scene_rect().right() < 200
    QTest.mouseDClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, header_of(window, f))
    assert not g.groups()[gid].collapsed
    rects = {n: item.scene_rect() for n, item in scene.nodes.items()}
    members = g.groups()[gid].members
    for m in members:
        for n, r in rects.items():
            if n not in members:
                assert not rects[m].intersects(r), (g.label(m), g.label(n))
    assert window.document.undo_stack.undoText() == "Expand sigmoid_gate"
    key(window, Qt.Key_Z)
    assert g.groups()[gid].collapsed
    assert {n: g.position(n) for n in g.nodes()} == before


def test_expand_a_sigmoid_into_its_circuit(window, qtbot, tmp_path):
    build_text = "a = 0.5\nb = 2\ny = sigmoid(a * b)\nz = y * 3\n"
    path = tmp_path / "sig.gs"
    path.write_text(build_text)
    window.open_file(str(path), ask=False)
    g = window.document.graph
    before = window.document.evaluation.grad(g.by_name("a"))
    y = g.by_name("y")
    ctrl_click(window, [y])
    action = next(a for a in window.menu("Graph").actions() if a.objectName() == "act_circuit")
    action.trigger()
    (gid,) = g.groups()
    group = g.groups()[gid]
    assert group.name == "sigmoid" and not group.collapsed
    assert sorted(g.op(n) for n in group.members if not g.is_leaf(n)) == ["add", "div", "exp", "neg"]
    assert "sigmoid" not in [g.op(n) for n in g.nodes()]
    out = g.by_name("y")  # the circuit's output took the name and the use
    assert g.group_of(out) == gid and g.children(out) == [g.by_name("z")]
    ev = window.document.evaluation
    assert ev.grad(g.by_name("a")) == pytest.approx(before)
    assert all(window.scene.nodes[n].isVisible() for n in group.members)
    # collapsed, the circuit is the sigmoid gate again: its local derivative σ(1)(1 - σ(1))
    QTest.mouseDClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier,
                      view_point(window, window.group_tools.layer.frames[gid].frame.bottomLeft()
                                 + type(window.group_tools.layer.frames[gid].frame.bottomLeft())(8, -4)))
    assert window.scene.nodes[out].view.gate_text == "∂y/∂u2 = 0.1966"
    key(window, Qt.Key_Z)
    key(window, Qt.Key_Z)
    assert g.groups() == {} and g.op(g.by_name("y")) == "sigmoid"
    # a node without a circuit is refused, with the reason
    ctrl_click(window, [g.by_name("z")])
    action.trigger()
    assert "has no circuit of simpler ops" in window.statusBar().currentMessage()


def test_rename_a_group_through_its_dialog(window, qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

    window.open_file(str(examples_dir() / "swish_function.gs"), ask=False)
    g = window.document.graph
    h1 = g.by_name("h1")
    gid = g.group_of(h1)
    ctrl_click(window, [h1])

    def answer():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        edit = dialog.findChild(QLineEdit)
        edit.selectAll()
        QTest.keyClicks(edit, "silu")
        QTest.keyClick(edit, Qt.Key_Return)

    QTimer.singleShot(200, answer)
    next(a for a in window.menu("Graph").actions() if a.objectName() == "act_rename_group").trigger()
    assert g.groups()[gid].name == "silu" and g.groups()[gid].function == "silu"
    assert window.scene.nodes[h1].view.symbol == "silu"
    out = tmp_path / "renamed.gs"
    assert window.save_to(out)
    text = out.read_text()
    assert "def silu(x):" in text and "h1 = silu(u)" in text and "h2 = swish(v)" in text
    assert window.document.undo_stack.undoText() == "Rename group swish to silu"
    window.act_undo.trigger()  # Edit > Undo
    assert g.groups()[gid].name == "swish" and window.scene.nodes[h1].view.symbol == "swish"


def test_a_group_edited_into_two_values_is_not_collapsed(window, qtbot):
    g, (x, y, z) = open_grosse(window)
    ctrl_click(window, [x, y, z])
    key(window, Qt.Key_G)
    (gid,) = g.groups()
    QTest.mouseDClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, header_of(window, z))
    assert not g.groups()[gid].collapsed
    # a new node fed by x, from inside the group: x is now used outside it
    build = window.expression_bar.edit
    build.setFocus()
    QTest.keyClicks(build, "w = x * 2")
    QTest.keyClick(build, Qt.Key_Return)
    assert g.parents(g.by_name("w"))[0] == x
    count = window.document.undo_stack.count()
    ctrl_click(window, [z])
    action = next(a for a in window.menu("Graph").actions()
                  if a.objectName() == "act_collapse_group")
    action.trigger()
    assert not g.groups()[gid].collapsed and window.document.undo_stack.count() == count
    message = window.statusBar().currentMessage()
    assert message.startswith("cannot collapse group: ") and "used outside" in message
    assert all(window.scene.nodes[n].isVisible() for n in (x, y, z))


def test_the_expression_bar_builds_a_function_and_its_call(window, qtbot):
    edit = window.expression_bar.edit
    edit.setFocus()
    for line in ("def sq(t):", "    return t * t", "q = sq(k) + 1"):
        QTest.keyClicks(edit, line)
        QTest.keyClick(edit, Qt.Key_Return, Qt.ShiftModifier)
    QTest.keyClick(edit, Qt.Key_Return)
    g = window.document.graph
    assert sorted(g.names()) == ["k", "q"]  # k is new (value 1); t is sq's own name
    (group,) = g.groups().values()
    assert group.name == "sq" and group.collapsed
    assert window.document.evaluation.grad(g.by_name("k")) == 2.0
    key(window, Qt.Key_Z)
    assert len(g) == 0 and g.groups() == {}


def _right_click_menu(window, node, choose: str | None = None) -> list[str]:
    """Right-click the node's header; the texts of the menu that opens, closed unchosen or
    with the entry ``choose`` clicked."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    shown: list[list[str]] = []

    def read_and_close() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(10, read_and_close)
            return
        entries = {a.text().replace("&", ""): a for a in menu.actions() if not a.isSeparator()}
        shown.append(list(entries))
        if choose is None:
            menu.close()
        else:
            QTest.mouseClick(menu, Qt.LeftButton, Qt.NoModifier,
                             menu.actionGeometry(entries[choose]).center())

    vp = window.canvas.viewport()
    at = header_of(window, node)
    QTimer.singleShot(0, read_and_close)
    # what the platform sends for a right click (offscreen Qt has no platform to send it)
    QApplication.sendEvent(vp, QContextMenuEvent(QContextMenuEvent.Mouse, at, vp.mapToGlobal(at)))
    assert len(shown) == 1
    return shown[0]


def test_a_node_s_right_click_menu_offers_the_group_actions(window, qtbot, monkeypatch):
    g, (x, y, z) = open_grosse(window)
    assert "Group" not in _right_click_menu(window, x)
    ctrl_click(window, [x, y, z])
    menu = _right_click_menu(window, z)
    assert "Group" in menu and "Ungroup" not in menu
    _right_click_menu(window, z, choose="Group")
    assert len(g.groups()) == 1
    gate = next(n for n in (x, y, z) if window.scene.nodes[n].isVisible())
    menu = _right_click_menu(window, gate)
    assert {"Collapse/Expand Group", "Rename Group…", "Ungroup"} <= set(menu)


def test_a_sigmoid_s_right_click_menu_offers_its_circuit(window, qtbot, monkeypatch):
    window.build_expression("h = sigmoid(a)")
    g = window.document.graph
    assert "Expand into Circuit" in _right_click_menu(window, g.by_name("h"))
    assert "Expand into Circuit" not in _right_click_menu(window, g.by_name("a"))


def test_a_scrub_beside_a_collapsed_group_gives_new_views_only_to_what_changed(
        window, qtbot, monkeypatch):
    import graphstudio.ui.items as items_module
    from graphstudio.render.draw import row_rect
    from graphstudio.render.picture import build_picture

    g, (x, y, z) = open_grosse(window)
    ctrl_click(window, [x, y, z])
    key(window, Qt.Key_G)
    assert window.build_expression("q = 5\nr = q * 2")  # nothing to do with c
    scene = window.scene
    c, q, r = g.by_name("c"), g.by_name("q"), g.by_name("r")
    before = {n: item.view for n, item in scene.nodes.items()}
    measured: list[int] = []
    real = items_module.node_rect
    monkeypatch.setattr(items_module, "node_rect",
                        lambda view, *a: measured.append(view.node) or real(view, *a))
    item = scene.nodes[c]  # drag over c's number, as a person scrubs it
    start = view_point(window, item.mapToScene(row_rect(item.view, item.rect, item.theme,
                                                        "value").center()))
    vp = window.canvas.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for dx in (10, 20, 40):
        QTest.mouseMove(vp, start + QPoint(dx, 0))
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + QPoint(40, 0))
    assert g.value(c) != 4.0
    # what is shown is what a picture made from scratch shows, the gate's local derivatives too
    fresh = build_picture(g, window.document.evaluation, {})
    assert set(fresh.nodes) == {n for n, i in scene.nodes.items() if i.isVisible()}
    for n, view in fresh.nodes.items():
        shown = scene.nodes[n].view
        assert (shown.value_text, shown.grad_text, shown.gate_text, shown.symbol) == \
            (view.value_text, view.grad_text, view.gate_text, view.symbol)
    assert scene.nodes[z].view.gate_text != before[z].gate_text  # ∂z/∂a = y changed with c
    # the nodes beside it kept their views and were not measured again
    assert scene.nodes[q].view is before[q] and scene.nodes[r].view is before[r]
    assert q not in measured and r not in measured
    assert not scene.nodes[x].isVisible() and not scene.nodes[y].isVisible()
