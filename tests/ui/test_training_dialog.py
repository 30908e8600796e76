"""Graph > New Network…: the dialog builds the network the reader asked for."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from graphstudio.core.dataset import binding
from graphstudio.ui.training.network_dialog import NewNetworkDialog

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DATA = EXAMPLES / "data"


@pytest.fixture
def dialog(qtbot):
    d = NewNetworkDialog()
    qtbot.addWidget(d)
    d.show()
    return d


def choose(combo, text):
    index = combo.findText(text)
    assert index >= 0, f"{text} is not offered"
    combo.setCurrentIndex(index)


def type_hidden(qtbot, dialog, text):
    dialog.hidden.selectAll()
    qtbot.keyClick(dialog.hidden, Qt.Key_Delete)
    qtbot.keyClicks(dialog.hidden, text)


def tick(qtbot, button):
    """Click a radio button or check box on its indicator (its box may be wider than its text)."""
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(8, button.height() // 2))
    assert button.isChecked()


def build(qtbot, dialog):
    with qtbot.waitSignal(dialog.network_built) as built:
        qtbot.mouseClick(dialog.build_button, Qt.LeftButton)
    return built.args


def first_row(csv: Path) -> dict[str, float]:
    lines = [l for l in csv.read_text().splitlines() if l.strip() and not l.startswith("#")]
    return dict(zip(lines[0].split(","), map(float, lines[1].split(","))))


def test_the_shipped_datasets_are_offered(dialog):
    offered = {dialog.dataset_box.itemText(i) for i in range(dialog.dataset_box.count())}
    assert {"siegen_curve.csv", "seoul_plane.csv", "two_blobs.csv"} <= offered


def test_matrix_network_on_the_siegen_curve(qtbot, dialog):
    choose(dialog.dataset_box, "siegen_curve.csv")
    # the target column is recognised by its name, the rest are inputs
    assert dialog.input_columns() == ("x",) and dialog.target_columns() == ("y",)
    type_hidden(qtbot, dialog, "3, 2")
    choose(dialog.activation, "tanh")
    assert dialog.summary.text().startswith("Layers 1 → 3 → 2 → 1")
    graph, new_document = build(qtbot, dialog)
    assert new_document and not dialog.isVisible()
    shapes = {name: np.shape(graph.value(graph.by_name(name)))
              for name in ("W1", "b1", "W2", "b2", "W3", "b3")}
    assert shapes == {"W1": (3, 1), "b1": (3,), "W2": (2, 3), "b2": (2,), "W3": (1, 2), "b3": (1,)}
    assert all(graph.node(graph.by_name(n)).trainable for n in shapes)
    assert graph.op(graph.by_name("h1")) == "tanh" and graph.op(graph.by_name("h2")) == "tanh"
    assert graph.label(graph.output) == "L" and graph.op(graph.output) == "sqerr"
    # the dataset path names the CSV; the data inputs show its first example
    assert Path(graph.meta["dataset"]).resolve() == (DATA / "siegen_curve.csv").resolve()
    row = first_row(DATA / "siegen_curve.csv")
    x = graph.by_name("x")
    assert binding(graph, x).columns == ("x",)
    assert np.allclose(graph.value(x), [row["x"]])
    assert np.allclose(graph.value(graph.by_name("t")), [row["y"]])
    # laid out by layers: the input left of the first layer, the loss rightmost
    xs = {n: graph.position(graph.by_name(n))[0] for n in ("x", "z1", "z2", "z3", "L")}
    assert xs["x"] < xs["z1"] < xs["z2"] < xs["z3"] < xs["L"]


def test_scalar_neurons_with_softmax_on_two_blobs(qtbot, dialog):
    choose(dialog.dataset_box, "two_blobs.csv")
    # a "label" column: softmax with cross-entropy, two classes
    assert dialog.loss_kind() == "softmax_ce"
    assert dialog.target_columns() == ("label",)
    type_hidden(qtbot, dialog, "2")
    tick(qtbot, dialog.scalar_form)
    tick(qtbot, dialog.into_current)
    graph, new_document = build(qtbot, dialog)
    assert not new_document
    names = set(graph.names())
    weights = {n for n in names if n.startswith("w")}
    # 2 inputs -> 2 hidden -> 2 classes: 4 + 4 weights, one node each
    assert weights == {f"w1_{j}_{k}" for j in (1, 2) for k in (1, 2)} | \
        {f"w2_{j}_{k}" for j in (1, 2) for k in (1, 2)}
    assert {"p_1", "p_2", "x_1", "x_2", "t_1", "t_2"} <= names
    row = first_row(DATA / "two_blobs.csv")
    assert graph.value(graph.by_name("x_1")) == row["x1"]
    # t_j is 1 where the label is j - 1: the first row's class
    assert graph.value(graph.by_name("t_1")) == float(row["label"] == 0)
    assert graph.value(graph.by_name("t_2")) == float(row["label"] == 1)


def test_l2_adds_the_regularisation_term(qtbot, dialog):
    choose(dialog.dataset_box, "seoul_plane.csv")
    dialog.l2.selectAll()
    qtbot.keyClicks(dialog.l2, "0.01")
    dialog.l2.interpretText()
    graph, _ = build(qtbot, dialog)
    assert graph.value(graph.by_name("lam")) == 0.01
    assert {"E", "R", "L"} <= set(graph.names())
    assert graph.label(graph.output) == "L"


def test_unticking_every_input_disables_build_and_says_why(qtbot, dialog):
    choose(dialog.dataset_box, "seoul_plane.csv")
    lst = dialog.inputs_list
    for row in range(lst.count()):
        if lst.item(row).checkState() == Qt.Checked:
            lst.setCurrentRow(row)
            qtbot.keyClick(lst, Qt.Key_Space)  # toggles the ticked item off
    assert dialog.input_columns() == ()
    assert not dialog.build_button.isEnabled()
    assert "input column" in dialog.problem.text()


def test_softmax_needs_class_labels(qtbot, dialog):
    choose(dialog.dataset_box, "siegen_curve.csv")
    dialog.loss.setCurrentIndex(dialog.loss.findData("softmax_ce"))
    assert not dialog.build_button.isEnabled()
    assert "class labels" in dialog.problem.text()  # y holds -0.0358, not a class


def test_too_many_scalar_neurons_are_refused(qtbot, dialog):
    choose(dialog.dataset_box, "seoul_plane.csv")
    type_hidden(qtbot, dialog, "30, 30")
    assert dialog.build_button.isEnabled()  # fine as matrices
    tick(qtbot, dialog.scalar_form)
    assert not dialog.build_button.isEnabled()
    assert "matrix form" in dialog.problem.text()


def test_own_file_that_is_not_a_csv_of_numbers(qtbot, dialog, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,oops\n")
    dialog.set_dataset_file(bad)
    assert dialog.dataset_box.currentText() == "bad.csv"
    assert f"{bad}:3:" in dialog.dataset_info.text() and "'oops' is not a number" in dialog.dataset_info.text()
    assert not dialog.build_button.isEnabled()
    good = tmp_path / "good.csv"
    good.write_text("u,v,target\n1,2,3\n4,5,6\n")
    dialog.set_dataset_file(good)
    assert dialog.input_columns() == ("u", "v") and dialog.target_columns() == ("target",)
    dialog.set_graph(None, tmp_path)
    graph, _ = build(qtbot, dialog)
    assert graph.meta["dataset"] == good.as_posix()  # where it is: a save names it relative
