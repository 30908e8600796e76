"""Adding a format is one file: a format registered by a fixture (as a new module of
``render/exporters`` or ``io/formats`` would register itself) is found by the command line, the
Export dialog, File > Open and File > Save As, with its options, and nothing else changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from graphstudio.cli import main
from graphstudio.core.options import Option
from graphstudio.io import open_document
from graphstudio.io.document import Document
from graphstudio.io.formats import FileFormat, dialog_filter, file_formats, readers, writers
from graphstudio.io.formats import register as register_file_format
from graphstudio.io.formats import unregister as unregister_file_format
from graphstudio.io.gs import parse_text, write_text
from graphstudio.render import exporters
from ui_helpers import export_dialog, export_to

ROOT = Path(__file__).resolve().parents[2]
GROSSE = ROOT / "examples" / "grosse_csc311.gs"

SHOUT = Option("shout", bool, False, label="Capital letters", help="write the names in capitals")


def _write_toy(pictures, path, *, scale, theme, bounds, shout):
    """A toy export: one line per node, its title and its value text."""
    lines = [f"{v.title or v.symbol} {v.value_text}" for v in pictures[0].nodes.values()]
    text = "\n".join(lines) + "\n"
    Path(path).write_text(text.upper() if shout else text)


@pytest.fixture
def toy_export():
    fmt = exporters.register(exporters.ExportFormat(
        "toy", "Toy", (".toy",), _write_toy, options=(SHOUT,), description="a list of nodes",
        drawn=False, layout=lambda graph, ev, **_: {n: (0.0, 0.0) for n in graph.nodes()}))
    yield fmt
    exporters.unregister("toy")


@pytest.fixture
def toy_file_format():
    def read(path: Path) -> Document:
        return Document(parse_text(json.loads(path.read_text())["text"], str(path)), {})

    def write(path, graph, view):
        Path(path).write_text(json.dumps({"text": write_text(graph)}))

    fmt = register_file_format(FileFormat("toyfile", "Toy graph", (".toyg",), read=read,
                                          write=write))
    yield fmt
    unregister_file_format("toyfile")


# ---- export formats ------------------------------------------------------------------------------


def test_a_registered_export_format_is_a_command_line_choice(toy_export, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    help_text = capsys.readouterr().out
    assert "toy" in help_text and "--shout" in help_text and ".toy" in help_text
    out = tmp_path / "g.toy"
    assert main(["export", str(GROSSE), "-o", str(out), "--shout"]) == 0
    assert "Z 14" in out.read_text().splitlines()  # Grosse: z = (a + b)(b + c) = 14
    assert main(["export", str(GROSSE), "-o", str(tmp_path / "g.txt"), "--format", "toy"]) == 0
    assert "z 14" in (tmp_path / "g.txt").read_text().splitlines()
    # its option belongs to it: asked of another format it is refused, in one line
    assert main(["export", str(GROSSE), "-o", str(tmp_path / "g.svg"), "--shout"]) == 1
    assert "shout applies to Toy only, not svg" in capsys.readouterr().err


def test_without_the_fixture_there_is_no_toy(tmp_path, capsys):
    assert "toy" not in [f.name for f in exporters.export_formats()]
    assert main(["export", str(GROSSE), "-o", str(tmp_path / "g.png"), "--format", "toy"]) == 1
    assert "toy" in capsys.readouterr().err


def test_a_registered_export_format_is_in_the_export_dialog(toy_export, qtbot, window, tmp_path):
    export, dialog = export_dialog(window, qtbot, GROSSE, "Toy")
    assert "Toy" in export.statusTip()
    assert dialog.format.currentText() == "Toy (a list of nodes)"
    shout = dialog.options["shout"]
    assert shout.text() == "Capital letters" and shout.isEnabled()
    assert not dialog.options["dpi"].isEnabled()  # PNG's, not the toy's
    assert dialog.path.text().endswith(".toy")
    qtbot.mouseClick(shout, Qt.LeftButton, pos=QPoint(8, shout.height() // 2))
    out = tmp_path / "grosse.toy"
    export_to(qtbot, dialog, out)
    assert not dialog.isVisible()
    assert "Z 14" in out.read_text().splitlines()


# ---- file formats ---------------------------------------------------------------------------------


def test_the_built_in_file_formats():
    assert [f.name for f in file_formats()] == ["gs", "json", "graphml", "dot", "nodelink"]
    assert [f.name for f in readers()] == ["gs", "json", "graphml", "nodelink"]
    assert dialog_filter(readers()) == (
        "Graphs (*.gs *.txt *.json *.graphml *.nodelink.json);;Expression text (*.gs *.txt);;"
        "GraphStudio document (*.json);;GraphML (*.graphml);;"
        "networkx node-link JSON (*.nodelink.json *.json)")


def test_graphml_opens_and_saves_from_the_editor(window, tmp_path, monkeypatch):
    """The GraphML reader used to be reachable from nowhere: now Open and Save As offer it."""
    seen = {}

    def save_name(_parent, _title, _start, filters):
        seen["save"] = filters
        return str(tmp_path / "grosse.graphml"), ""

    def open_name(_parent, _title, _start, filters):
        seen["open"] = filters
        return str(tmp_path / "grosse.graphml"), ""

    window.open_file(str(GROSSE), ask=False)
    z = window.document.graph.by_name("z")
    window.document.graph.set_output(z)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_name)
    window.act_save_as.trigger()
    assert "GraphML (*.graphml)" in seen["save"] and "Graphviz DOT (*.dot *.gv)" in seen["save"]
    window.act_open.trigger()
    assert "GraphML (*.graphml)" in seen["open"] and ".dot" not in seen["open"]
    g = window.document.graph
    assert window.document.path == tmp_path / "grosse.graphml"
    assert window.document.evaluation.values[g.by_name("z")] == 14.0
    assert g.output == g.by_name("z")  # GraphML keeps the chosen output too


def test_a_registered_file_format_opens_and_saves(toy_file_format, window, tmp_path, monkeypatch):
    seen = {}

    def open_name(_parent, _title, _start, filters):
        seen["open"] = filters
        return str(tmp_path / "g.toyg"), ""

    window.build_expression("a = 2\nb = 3\nz = a * b")
    assert window.save_to(tmp_path / "g.toyg")
    assert "z = a * b" in json.loads((tmp_path / "g.toyg").read_text())["text"]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_name)
    window.act_open.trigger()
    assert "Toy graph (*.toyg)" in seen["open"]
    assert window.document.evaluation.values[window.document.graph.by_name("z")] == 6.0
    assert open_document(tmp_path / "g.toyg").graph.names().keys() == {"a", "b", "z"}


def test_saving_to_a_format_that_does_not_keep_everything_asks_for_a_name(window, tmp_path,
                                                                           monkeypatch):
    """Ctrl+S writes only to a complete format; a .gs or .graphml file gets Save As."""
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a: (asked.append(a[3]) or "", ""))
    window.build_expression("a = 2\nz = a * a")
    assert window.save_to(tmp_path / "g.graphml")
    assert window.save() is False and len(asked) == 1
    assert window.save_to(tmp_path / "g.json")
    assert window.save() is True and len(asked) == 1
    assert [w.name for w in writers() if w.complete] == ["json"]
