"""File > Import… and the graph files in File > Export…, driven through the real window: the
key (Ctrl+I), the Export dialog's format list typed to as a person does, the path typed, the
Export button clicked. The file dialog is the only thing replaced (by a function that answers
with a path, as the other GUI tests do).

Import opens a file another tool wrote as a new Untitled document, so Ctrl+S never writes over
it; Export writes a copy and leaves the document's file and modified state alone; a round trip
through the two menus keeps every value and gradient."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from graphstudio.io.formats import dialog_filter, readers, writers
from ui_helpers import export_dialog, export_to

ROOT = Path(__file__).resolve().parents[2]
GROSSE = ROOT / "examples" / "grosse_csc311.gs"
ARRAYS = ROOT / "examples" / "d2l_nonscalar_backward.gs"


def _numbers(document) -> dict[str, tuple]:
    """Every node's value and gradient, by its label."""
    g, ev = document.graph, document.evaluation
    return {g.label(n): (ev.values.get(n), ev.grads.get(n)) for n in g.nodes()}


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


def _import(window, qtbot, monkeypatch, path) -> list[str]:
    """Ctrl+I answering ``path`` in the file dialog; returns the filters the dialog offered."""
    offered = []

    def answer(_parent, _title, _start, filters):
        offered.append(filters)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    qtbot.keyClick(window, Qt.Key_I, Qt.ControlModifier)  # File > Import…
    return offered


def _errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda _parent, _title, text, *a: shown.append(text))
    return shown


@pytest.fixture
def yed_file(tmp_path):
    """What another tool writes: names in labels, an op, no ports, a colour GraphStudio has no
    use for."""
    g = nx.DiGraph()
    g.add_node("n0", label="x", value=3.0, color="#ff0000")
    g.add_node("n1", label="y", value=4.0)
    g.add_node("n2", label="z", op="mul")
    g.add_edge("n0", "n2")
    g.add_edge("n1", "n2")
    path = tmp_path / "net.graphml"
    nx.write_graphml(g, path)
    return path


def test_the_file_menu_groups_import_with_export(window):
    texts = [a.text().replace("&", "") for a in window.menu("File").actions()]
    start = texts.index("Import…")
    assert texts[start:start + 3] == ["Import…", "Export…", "Export Steps…"]
    assert texts.index("Save As…") < start and texts[start - 1] == ""  # a separator before
    assert texts[start + 3] == "" and texts[-1] == "Quit"


def test_import_opens_another_tool_s_file_as_an_untitled_document(window, qtbot, monkeypatch,
                                                                  yed_file, tmp_path):
    before = yed_file.read_bytes()
    offered = _import(window, qtbot, monkeypatch, yed_file)
    assert offered == [dialog_filter(readers())]  # the registry's readers, every one
    assert "GraphML (*.graphml)" in offered[0] and "*.nodelink.json" in offered[0]
    doc = window.document
    assert doc.path is None and doc.origin == yed_file and not doc.modified
    assert window.windowTitle().startswith("Untitled (imported from net.graphml)")
    g = doc.graph
    assert doc.evaluation.values[g.by_name("z")] == 12.0
    assert doc.evaluation.grads[g.by_name("x")] == 4.0  # dz/dx = y
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Imported {yed_file} as a new document")
    assert "color" in message  # what the file held that GraphStudio left out is said

    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda _p, _t, start, _f: (asked.append(start) or "", ""))
    qtbot.keyClick(window, Qt.Key_S, Qt.ControlModifier)  # File > Save asks for a name...
    assert asked == [str(tmp_path / "net.json")]  # ...beside the imported file, as a document
    assert yed_file.read_bytes() == before

    out = tmp_path / "net.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(out), ""))
    qtbot.keyClick(window, Qt.Key_S, Qt.ControlModifier)
    assert doc.path == out and doc.origin is None
    assert window.windowTitle().startswith("net.json")
    assert yed_file.read_bytes() == before


def test_a_node_link_import_proposes_the_name_without_both_suffixes(window, qtbot, monkeypatch,
                                                                    tmp_path):
    window.build_expression("a = 2\nz = a * a")
    assert window.save_to(tmp_path / "square.nodelink.json")
    window.new_document()
    _import(window, qtbot, monkeypatch, tmp_path / "square.nodelink.json")
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda _p, _t, start, _f: (asked.append(start) or "", ""))
    qtbot.keyClick(window, Qt.Key_S, Qt.ControlModifier)
    assert asked == [str(tmp_path / "square.json")]


@pytest.mark.parametrize("name, text, expected", [
    ("conv.graphml", None, "conv.graphml: node 'n1'"),
    ("graph.dot", "digraph { a -> b }",
     "graph.dot: GraphStudio writes Graphviz DOT files"),
    ("broken.nodelink.json", '{"nodes": [{"id": "a"}], "edges": [{"source": "a"}]}',
     "broken.nodelink.json: edges[0]: target"),
])
def test_a_file_that_cannot_be_mapped_says_where_and_leaves_the_document(
        window, qtbot, monkeypatch, tmp_path, name, text, expected):
    path = tmp_path / name
    if text is None:  # a graph tool's file with an op GraphStudio does not know
        g = nx.DiGraph()
        g.add_node("n0", value=1.0)
        g.add_node("n1", op="conv2d")
        g.add_edge("n0", "n1")
        nx.write_graphml(g, path)
    else:
        path.write_text(text)
    window.build_expression("keep = 7\nz = keep * 2")  # unsaved work
    questions = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: questions.append(a) or 0)
    shown = _errors(monkeypatch)
    graph, undo = window.document.graph, window.document.undo_stack.count()
    _import(window, qtbot, monkeypatch, path)
    assert len(shown) == 1 and shown[0].startswith(f"{tmp_path}/{expected}"), shown
    assert questions == []  # read first: nothing to save when nothing will replace it
    doc = window.document
    assert doc.graph is graph and doc.modified and doc.undo_stack.count() == undo
    assert doc.evaluation.values[graph.by_name("z")] == 14.0
    assert doc.origin is None and "imported" not in window.windowTitle()


def test_import_over_unsaved_work_asks_first_and_cancel_keeps_it(window, qtbot, monkeypatch,
                                                                 yed_file):
    window.build_expression("keep = 7")
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.Cancel)
    graph = window.document.graph
    _import(window, qtbot, monkeypatch, yed_file)
    assert asked == ["Save the changes to Untitled first?"]
    assert window.document.graph is graph and window.document.modified


def _type_again(qtbot, combo, text: str) -> None:
    """Type another entry's first letters, after the pause that starts a new search (letters
    typed within it add to the last search, as they do for a person)."""
    qtbot.wait(QApplication.keyboardInputInterval() + 100)
    qtbot.keyClicks(combo, text)
    assert combo.currentText().startswith(text)


def test_export_lists_every_graph_file_the_registry_writes(window, qtbot, tmp_path):
    _action, dialog = export_dialog(window, qtbot, GROSSE, "GraphML")
    entries = [dialog.format.itemText(i) for i in range(dialog.format.count())]
    for fmt in writers():
        assert any(e.startswith(f"{fmt.title} (") for e in entries), (fmt.title, entries)
    png = next(i for i, e in enumerate(entries) if e.startswith("PNG"))
    assert png < entries.index("GraphML (graph file)")
    assert dialog.format.currentText() == "GraphML (graph file)"
    assert dialog.path.text().endswith("grosse_csc311.graphml")
    assert not dialog.scale.isEnabled() and not dialog.theme.isEnabled()
    assert not dialog.steps.isEnabled() and not dialog.options["dpi"].isEnabled()
    assert dialog.size_label.text() == ("A GraphML file keeps the graph with its values and "
                                        "gradients, not view settings.")
    # back to a picture: its settings come back, the suffix follows
    _type_again(qtbot, dialog.format, "SVG")
    assert dialog.scale.isEnabled() and dialog.path.text().endswith("grosse_csc311.svg")
    _type_again(qtbot, dialog.format, "networkx")
    assert dialog.path.text().endswith("grosse_csc311.nodelink.json")
    _type_again(qtbot, dialog.format, "GraphML")
    assert dialog.path.text().endswith("grosse_csc311.graphml")  # not .nodelink.graphml


def _export_from_menu(window, qtbot, format_text: str):
    """File > Export… on the open document, the format list typed to ``format_text``."""
    from graphstudio.ui.export_dialog import ExportDialog

    export = next(a for a in window.menu("File").actions() if a.objectName() == "act_export")
    export.trigger()
    dialog = [d for d in window.findChildren(ExportDialog) if d.isVisible()][-1]
    dialog.format.setFocus()
    qtbot.keyClicks(dialog.format, format_text)
    return dialog


def test_export_writes_a_copy_and_leaves_the_document_alone(window, qtbot, tmp_path):
    window.open_file(str(GROSSE), ask=False)
    window.build_expression("w = z * 3")  # unsaved work
    dialog = _export_from_menu(window, qtbot, "GraphML")
    out = tmp_path / "copy.graphml"
    export_to(qtbot, dialog, out)
    assert not dialog.isVisible()
    assert window.statusBar().currentMessage() == f"Exported {out}"
    doc = window.document
    assert doc.path == GROSSE and doc.modified and doc.undo_stack.canUndo()
    copy = nx.read_graphml(out)
    assert copy.nodes["w"]["value"] == "42"  # z = 14, the unsaved w = 3z, in the copy
    assert GROSSE.read_text().count("w =") == 0


def test_export_refuses_the_document_s_own_file_and_a_missing_folder(window, qtbot, tmp_path):
    own = tmp_path / "mine.gs"
    own.write_text("# my notes\na = 2\nz = a * a\n")
    window.open_file(str(own), ask=False)
    dialog = _export_from_menu(window, qtbot, "Expression")
    export_to(qtbot, dialog, own)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text().startswith(f"{own} is this document's own file: File > Save")
    assert own.read_text().startswith("# my notes")
    missing = tmp_path / "nowhere" / "g.gs"
    export_to(qtbot, dialog, missing)
    assert dialog.isVisible()
    assert dialog.error.text() == f"{missing}: the folder {missing.parent} does not exist"
    export_to(qtbot, dialog, tmp_path / "other.gs")
    assert not dialog.isVisible() and "z = a * a" in (tmp_path / "other.gs").read_text()


ROUND_TRIP = [f.name for f in writers() if f.read is not None]


@pytest.mark.parametrize("example", [GROSSE, ARRAYS], ids=["scalars", "arrays"])
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_a_round_trip_through_the_menus_keeps_every_value_and_gradient(
        window, qtbot, monkeypatch, tmp_path, example, name):
    fmt = next(f for f in writers() if f.name == name)
    _action, dialog = export_dialog(window, qtbot, example, fmt.title)
    assert dialog.current_format() == f"file:{name}"
    before = _numbers(window.document)
    out = tmp_path / f"copy{fmt.suffixes[0]}"
    export_to(qtbot, dialog, out)
    assert not dialog.isVisible() and out.exists()
    window.new_document()
    assert _numbers(window.document) == {}
    _import(window, qtbot, monkeypatch, out)
    after = _numbers(window.document)
    assert after.keys() == before.keys()
    for label, (value, grad) in before.items():
        assert _same(after[label][0], value), (label, value, after[label][0])
        assert _same(after[label][1], grad), (label, grad, after[label][1])
    assert window.document.path is None and window.document.origin == out


def test_exporting_over_an_existing_file_asks_and_cancel_keeps_it(window, qtbot, tmp_path,
                                                                    monkeypatch):
    window.open_file(str(GROSSE), ask=False)
    out = tmp_path / "slide.gs"
    out.write_text("# a file the user wrote\n")
    asked: list[str] = []

    def answer(choice):
        def question(_parent, _title, text, *_a, **_k):
            asked.append(text)
            return choice
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    dialog = _export_from_menu(window, qtbot, "Expression")
    export_to(qtbot, dialog, out)
    assert asked == [f"slide.gs already exists in {tmp_path}.\nReplace it with this export?"]
    assert dialog.isVisible() and out.read_text() == "# a file the user wrote\n"
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert len(asked) == 2 and not dialog.isVisible()
    assert "z =" in out.read_text()


def test_a_file_chosen_in_the_file_dialog_is_not_asked_about_twice(window, qtbot, tmp_path,
                                                                     monkeypatch):
    window.open_file(str(GROSSE), ask=False)
    out = tmp_path / "chosen.gs"
    out.write_text("old\n")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: pytest.fail("asked again after the file dialog"))
    dialog = _export_from_menu(window, qtbot, "Expression")
    qtbot.mouseClick(dialog.browse_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert not dialog.isVisible() and "z =" in out.read_text()
