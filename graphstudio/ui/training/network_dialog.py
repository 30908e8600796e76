"""Graph > New Network…: a dialog that builds a fully connected network with
:func:`graphstudio.core.networks.build_network`.

The reader picks a dataset (a CSV shipped in ``examples/data/`` or their own file) and which of
its columns are the inputs ``x`` and which the targets ``t``; the input and output sizes follow
from those columns (for softmax with cross-entropy: the number of classes in the label column),
so only the hidden layers are typed, as ``4`` or ``8, 4``. Then the activation, the loss, Seoul's
L2 weight λ, the form (matrix ``W @ h + b`` or scalar neurons, the MLP slide), the seed of the
initial weights, and whether the network goes into the current graph or a new one.

The dialog never touches a document: Build emits ``network_built(graph, new_document)`` with a
finished :class:`~graphstudio.core.graph.Graph` (positions by layer; its dataset the CSV file's
full path, so it trains before it is saved, and a save names it relative to the document where
it can; the data inputs showing the first example) and the host adds it (undoably) or opens it. A problem (an unreadable CSV, a column that is not a class label,
too many scalar neurons) is shown in the dialog, which stays open.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox,
                               QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from ...core.dataset import Dataset, DatasetError, bound_inputs, load_csv, set_row
from ...core.graph import Graph
from ...core.networks import NetworkSpec, activations, build_network
from ...examples import examples_dir
from .words import count

__all__ = ["NewNetworkDialog", "shipped_datasets", "MAX_SCALAR_WEIGHTS"]

#: scalar-neuron form makes a few nodes per weight; beyond this the canvas is unreadable
MAX_SCALAR_WEIGHTS = 400
LOSS_CHOICES = (("squared", "Squared error  Σ (z − t)²"),
                ("softmax_ce", "Softmax + cross-entropy (classes)"))
TARGET_NAMES = re.compile(r"^(y|t|target|label|class)\d*$", re.IGNORECASE)


def shipped_datasets() -> list[Path]:
    """The CSV files in ``examples/data/``."""
    folder = examples_dir() / "data"
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def _parse_sizes(text: str) -> tuple[int, ...]:
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    sizes = tuple(int(p) for p in parts)
    if any(s < 1 for s in sizes):
        raise ValueError("each hidden layer needs at least 1 unit")
    return sizes


class NewNetworkDialog(QDialog):
    network_built = Signal(object, bool)  # (Graph, into a new document)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Network")
        self.base_dir: Path | None = None
        self.dataset: Dataset | None = None
        self.graph: Graph | None = None  # the one built last
        self._build()
        for path in shipped_datasets():
            self.dataset_box.addItem(path.name, str(path))
        self._dataset_changed()

    # ---- widgets ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.dataset_box = QComboBox()
        self.dataset_box.setMinimumContentsLength(18)
        self.browse_button = QPushButton("Your own file…")
        self.dataset_info = QLabel()
        self.dataset_info.setObjectName("hint")
        self.dataset_info.setWordWrap(True)
        self.inputs_list = QListWidget()
        self.targets_list = QListWidget()
        for lst in (self.inputs_list, self.targets_list):
            lst.setMinimumHeight(64)
            lst.setMaximumHeight(96)

        self.hidden = QLineEdit("4")
        self.hidden.setValidator(QRegularExpressionValidator(r"[0-9, ]*"))
        self.hidden.setPlaceholderText("none: a linear model")
        self.hidden.setToolTip("Units of each hidden layer, separated by commas: 4, or 8, 4")
        self.activation = QComboBox()
        self.activation.addItems(list(activations()))
        self.loss = QComboBox()
        for key, text in LOSS_CHOICES:
            self.loss.addItem(text, key)
        self.l2 = QDoubleSpinBox()
        self.l2.setDecimals(4)
        self.l2.setRange(0.0, 100.0)
        self.l2.setSingleStep(0.001)
        self.l2.setSpecialValueText("none")
        self.l2.setToolTip("Seoul's regularisation: L = E + λ Σ ‖W‖²")
        self.matrix_form = QRadioButton("Matrix form:  z = W @ h + b")
        self.scalar_form = QRadioButton("Scalar neurons: one node per weight and unit")
        self.matrix_form.setChecked(True)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed of the initial weights")
        self.into_current = QRadioButton("Add to the current graph")
        self.into_new = QRadioButton("Open as a new graph")
        self.into_new.setChecked(True)
        into_group = QButtonGroup(self)
        into_group.addButton(self.into_current)
        into_group.addButton(self.into_new)
        form_group = QButtonGroup(self)
        form_group.addButton(self.matrix_form)
        form_group.addButton(self.scalar_form)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("QLabel#problem { color: #8a1c1c; }")

        data_box = QGroupBox("Data")
        grid = QGridLayout(data_box)
        row = QHBoxLayout()
        row.addWidget(self.dataset_box, 1)
        row.addWidget(self.browse_button)
        grid.addLayout(row, 0, 0, 1, 2)
        grid.addWidget(self.dataset_info, 1, 0, 1, 2)
        grid.addWidget(QLabel("Inputs x"), 2, 0)
        grid.addWidget(QLabel("Targets t"), 2, 1)
        grid.addWidget(self.inputs_list, 3, 0)
        grid.addWidget(self.targets_list, 3, 1)

        net_box = QGroupBox("Network")
        form = QFormLayout(net_box)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.addRow("Hidden layers", self.hidden)
        form.addRow("Activation", self.activation)
        form.addRow("Loss", self.loss)
        form.addRow("L2 weight λ", self.l2)
        form.addRow("Form", self.matrix_form)
        form.addRow("", self.scalar_form)
        form.addRow("Seed", self.seed)
        form.addRow("Build", self.into_new)
        form.addRow("", self.into_current)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.build_button = self.buttons.button(QDialogButtonBox.Ok)
        self.build_button.setText("Build")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(data_box)
        layout.addWidget(net_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

        self.dataset_box.currentIndexChanged.connect(self._dataset_changed)
        self.browse_button.clicked.connect(self._browse)
        self.loss.currentIndexChanged.connect(self._loss_changed)
        for signal in (self.hidden.textChanged, self.inputs_list.itemChanged,
                       self.targets_list.itemChanged, self.matrix_form.toggled,
                       self.l2.valueChanged):
            signal.connect(self._update_summary)

    # ---- the host's interface ---------------------------------------------------------------------

    def set_graph(self, graph: Graph | None, base_dir: str | Path | None = None) -> None:
        """The current document's graph (to offer adding to it) and its file's folder (where
        "Your own file…" starts)."""
        self.base_dir = Path(base_dir) if base_dir is not None else None
        empty = graph is None or len(graph) == 0
        clash = graph is not None and bool(bound_inputs(graph)) and bool(graph.meta.get("dataset"))
        self.into_current.setEnabled(not clash)
        self.into_current.setToolTip("The current graph already reads its own dataset" if clash else "")
        (self.into_current if empty else self.into_new).setChecked(True)

    def set_dataset_file(self, path: str | Path) -> None:
        """Use the CSV ``path`` (also the end of "Your own file…")."""
        path = str(Path(path).resolve())
        index = self.dataset_box.findData(path)
        if index < 0:
            self.dataset_box.addItem(Path(path).name, path)
            index = self.dataset_box.count() - 1
            self.dataset_box.setItemData(index, path, Qt.ToolTipRole)
        if index == self.dataset_box.currentIndex():
            self._dataset_changed()
        else:
            self.dataset_box.setCurrentIndex(index)

    def _browse(self) -> None:
        start = str(self.base_dir or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Dataset", start, "CSV files (*.csv);;All files (*)")
        if path:
            self.set_dataset_file(path)

    # ---- reading the choices --------------------------------------------------------------------------

    def dataset_path(self) -> Path | None:
        data = self.dataset_box.currentData()
        return Path(data) if data else None

    @staticmethod
    def _checked(lst: QListWidget) -> tuple[str, ...]:
        return tuple(lst.item(i).text() for i in range(lst.count())
                     if lst.item(i).checkState() == Qt.Checked)

    def input_columns(self) -> tuple[str, ...]:
        return self._checked(self.inputs_list)

    def target_columns(self) -> tuple[str, ...]:
        return self._checked(self.targets_list)

    def loss_kind(self) -> str:
        return self.loss.currentData()

    def spec(self) -> NetworkSpec:
        """The network the choices describe; ValueError says what is missing or wrong."""
        if self.dataset is None:
            raise ValueError("choose a dataset")
        inputs, targets = self.input_columns(), self.target_columns()
        if not inputs:
            raise ValueError("tick at least one input column")
        if not targets:
            raise ValueError("tick a target column")
        if set(inputs) & set(targets):
            both = ", ".join(sorted(set(inputs) & set(targets)))
            raise ValueError(f"{both}: a column is either an input or a target, not both")
        hidden = _parse_sizes(self.hidden.text())
        loss = self.loss_kind()
        if loss == "softmax_ce":
            if len(targets) != 1:
                raise ValueError("softmax with cross-entropy takes one target column of class labels")
            labels = self.dataset.column(targets[0])
            bad = labels[(labels != np.round(labels)) | (labels < 0)]
            if bad.size:
                raise ValueError(f"column {targets[0]!r} holds {bad[0]:g}: class labels are 0, 1, 2, …")
            outputs = int(labels.max()) + 1
            if outputs < 2:
                raise ValueError(f"column {targets[0]!r} has one class only: softmax needs at least 2")
        else:
            outputs = len(targets)
        sizes = (len(inputs),) + hidden + (outputs,)
        form = "matrix" if self.matrix_form.isChecked() else "scalar"
        if form == "scalar" and _weights(sizes) > MAX_SCALAR_WEIGHTS:
            raise ValueError(f"{_weights(sizes)} weights are too many to draw as scalar neurons "
                             f"(at most {MAX_SCALAR_WEIGHTS}); use the matrix form")
        path = self.dataset_path()
        return NetworkSpec(sizes, self.activation.currentText(), loss, inputs, targets,
                           Path(os.path.abspath(path)).as_posix(), form, self.seed.value(),
                           float(self.l2.value()))

    # ---- reacting ------------------------------------------------------------------------------------

    def _dataset_changed(self, *_args) -> None:
        self.dataset = None
        path = self.dataset_path()
        for lst in (self.inputs_list, self.targets_list):
            lst.blockSignals(True)
            lst.clear()
        try:
            if path is None:
                raise DatasetError("no dataset: choose your own CSV file")
            self.dataset = load_csv(path)
        except DatasetError as exc:
            self.dataset_info.setText(str(exc))
        else:
            ds = self.dataset
            self.dataset_info.setText(f"{len(ds)} examples; columns {', '.join(ds.columns)}")
            targets = self._guess_targets(ds)
            for col in ds.columns:
                for lst, on in ((self.inputs_list, col not in targets), (self.targets_list, col in targets)):
                    item = QListWidgetItem(col)
                    item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
                    item.setCheckState(Qt.Checked if on else Qt.Unchecked)
                    lst.addItem(item)
            if "label" in [c.lower() for c in targets] and self.loss_kind() != "softmax_ce":
                self.loss.blockSignals(True)
                self.loss.setCurrentIndex(1)
                self.loss.blockSignals(False)
        for lst in (self.inputs_list, self.targets_list):
            lst.blockSignals(False)
        self._update_summary()

    @staticmethod
    def _guess_targets(ds: Dataset) -> set[str]:
        named = {c for c in ds.columns if TARGET_NAMES.match(c)}
        if named and len(named) < len(ds.columns):
            return named
        return {ds.columns[-1]} if len(ds.columns) > 1 else set()

    def _loss_changed(self, *_args) -> None:
        self._update_summary()

    def _update_summary(self, *_args) -> bool:
        try:
            spec = self.spec()
        except ValueError as exc:
            self.summary.setText("")
            self.problem.setText(str(exc))
            self.build_button.setEnabled(False)
            return False
        sizes = spec.sizes
        layers = " → ".join(str(s) for s in sizes)
        params = sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))
        what = "class" if spec.loss == "softmax_ce" else "output"
        self.summary.setText(f"Layers {layers} ({count(sizes[0], 'input')}, "
                             f"{count(sizes[-1], what)}); {count(params, 'trainable number')}")
        self.problem.setText("")
        self.build_button.setEnabled(True)
        return True

    # ---- building --------------------------------------------------------------------------------------

    def build(self) -> Graph:
        """The graph of the current choices; ValueError or DatasetError says what is wrong."""
        spec = self.spec()
        graph = build_network(spec)
        set_row(graph, self.dataset, 0)  # show a real example, not zeros
        return graph

    def accept(self) -> None:
        try:
            graph = self.build()
        except (ValueError, DatasetError) as exc:
            self.problem.setText(str(exc))
            return
        self.graph = graph
        self.network_built.emit(graph, self.into_new.isChecked())
        super().accept()


def _weights(sizes: tuple[int, ...]) -> int:
    return sum(i * o for i, o in zip(sizes[:-1], sizes[1:]))
