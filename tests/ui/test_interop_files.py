"""The interop formats in the editor: File > Open reads a node-link graph.json that networkx
wrote, Ctrl+S does not write over it in another format, and Save As writes the format of the
list entry chosen when the name has no suffix."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog


@pytest.fixture
def networkx_file(tmp_path):
    g = nx.MultiDiGraph()
    g.add_node("a", op="input", value=3.0)
    g.add_node("b", op="input", value=4.0)
    g.add_node("z", op="mul")
    g.add_edge("a", "z", port=0)
    g.add_edge("b", "z", port=1)
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(nx.node_link_data(g, edges="edges")))
    return path


def test_a_networkx_json_opens_and_ctrl_s_asks_for_a_name(window, qtbot, monkeypatch,
                                                          networkx_file):
    before = networkx_file.read_text()
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(networkx_file), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (asked.append(a[3]) or "", ""))
    qtbot.keyClick(window, Qt.Key_O, Qt.ControlModifier)  # File > Open…
    doc = window.document
    assert doc.path == networkx_file
    assert doc.evaluation.values[doc.graph.by_name("z")] == 12.0
    assert doc.evaluation.grads[doc.graph.by_name("a")] == 4.0  # dz/da = b
    qtbot.keyClick(window, Qt.Key_S, Qt.ControlModifier)  # File > Save
    assert len(asked) == 1  # Save As, not a GraphStudio document written over the networkx file
    assert "networkx node-link JSON (*.nodelink.json *.json)" in asked[0]
    assert "GraphML (*.graphml)" in asked[0] and "Graphviz DOT (*.dot *.gv)" in asked[0]
    assert networkx_file.read_text() == before


@pytest.mark.parametrize("entry, written, first_line", [
    ("GraphML (*.graphml)", "g.graphml", "<graphml"),
    ("networkx node-link JSON (*.nodelink.json *.json)", "g.nodelink.json", "{"),
    ("Graphviz DOT (*.dot *.gv)", "g.dot", "digraph graphstudio {"),
])
def test_save_as_writes_the_chosen_entry_s_format(window, qtbot, monkeypatch, tmp_path, entry,
                                                  written, first_line):
    window.build_expression("a = 3\nb = 4\nz = a * b")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(tmp_path / "g"), entry))
    qtbot.keyClick(window, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)  # File > Save As…
    path = tmp_path / written
    assert path.read_text().startswith(first_line)
    assert "12" in path.read_text()  # z's value, for the other tool to show
    assert window.document.path == path
