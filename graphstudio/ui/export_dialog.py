"""File > Export: a dialog with the same choices as ``graphstudio export`` (format, scale, dpi,
gradients, edge labels, theme, transparent background, step frames), writing through the same
:func:`~graphstudio.render.export.export_graph`, so the editor and the command line give the
same files.

The dialog stays open with the reason in red when an export fails (a missing folder, an
unwritable file), so nothing typed is lost; it closes when the files are written. The size the
PNG will have is shown as the options change (``bounds × scale × dpi / 96`` pixels).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ..core.engine import Evaluation, evaluate
from ..core.graph import Graph
from ..render.export import (PNG_DPI, ExportError, export_bounds, export_graph, image_size,
                              pictures_for)
from ..render.style import THEMES

__all__ = ["ExportDialog"]

FORMAT_NAMES = {"png": "PNG image", "svg": "SVG (vector)", "pdf": "PDF (vector)",
                "tikz": "TikZ for LaTeX"}
SUFFIX = {"png": ".png", "svg": ".svg", "pdf": ".pdf", "tikz": ".tex"}


class ExportDialog(QDialog):
    """Export ``graph`` (annotated with ``ev``) to a file, or its steps to a folder or PDF.

    ``view`` holds the editor's view settings (show_grad, edge_labels, theme) used as defaults;
    ``base`` is the document's path, from which the proposed file name is made."""

    def __init__(self, graph: Graph, ev: Evaluation | None = None, *, view: dict | None = None,
                 base: str | Path | None = None, steps: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        self.ev = ev if ev is not None else evaluate(graph)
        self.written: list[Path] = []
        view = view or {}
        self._base = Path(base) if base else Path.home() / "graph"
        self.setWindowTitle("Export Steps" if steps else "Export")

        self.format = QComboBox()
        for key, name in FORMAT_NAMES.items():
            self.format.addItem(name, key)
        self.steps = QCheckBox("Step frames: the forward pass, then the backward pass")
        self.steps.setChecked(steps)
        self.path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        self.scale = QDoubleSpinBox()
        self.scale.setRange(0.1, 10.0)
        self.scale.setSingleStep(0.25)
        self.scale.setValue(1.0)
        self.scale.setSuffix(" ×")
        self.dpi = QSpinBox()
        self.dpi.setRange(24, 1200)
        self.dpi.setValue(PNG_DPI)
        self.dpi.setSuffix(" dpi")
        self.size_label = QLabel()
        self.size_label.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.show_grad = QCheckBox("Gradients")
        self.show_grad.setChecked(view.get("show_grad", True))
        self.edge_labels = QCheckBox("Edge labels (local derivatives)")
        self.edge_labels.setChecked(view.get("edge_labels", False))
        self.transparent = QCheckBox("Transparent background")
        self.standalone = QCheckBox("Whole LaTeX document (else just the tikzpicture)")
        self.standalone.setChecked(True)
        self.theme = QComboBox()
        for name in THEMES:
            self.theme.addItem(name.capitalize(), name)
        self.theme.setCurrentIndex(max(0, self.theme.findData(view.get("theme", "light"))))

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b")
        self.error.hide()

        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("", self.steps)
        form.addRow("Save to", path_row)
        form.addRow("Scale", self.scale)
        form.addRow("Resolution", self.dpi)
        form.addRow("", self.size_label)
        form.addRow("Theme", self.theme)
        form.addRow("", self.show_grad)
        form.addRow("", self.edge_labels)
        form.addRow("", self.transparent)
        form.addRow("", self.standalone)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        for signal in (self.format.currentIndexChanged, self.steps.toggled):
            signal.connect(self._propose_path)
        for signal in (self.format.currentIndexChanged, self.steps.toggled, self.scale.valueChanged,
                       self.dpi.valueChanged, self.edge_labels.toggled, self.show_grad.toggled,
                       self.theme.currentIndexChanged):
            signal.connect(self._update)
        self._propose_path()
        self._update()

    # ---- state -----------------------------------------------------------------------------

    def current_format(self) -> str:
        return self.format.currentData()

    def _propose_path(self) -> None:
        """A file name beside the document: ``name.png``, ``name_steps/`` or ``name_steps.pdf``."""
        fmt, stem = self.current_format(), self._base.with_suffix("")
        if self.steps.isChecked():
            target = Path(f"{stem}_steps.pdf") if fmt == "pdf" else Path(f"{stem}_steps")
        else:
            target = stem.with_suffix(SUFFIX[fmt])
        self.path.setText(str(target))

    def _update(self) -> None:
        fmt = self.current_format()
        png = fmt == "png"
        self.dpi.setEnabled(png)
        self.transparent.setEnabled(png)
        self.standalone.setEnabled(fmt == "tikz" and not self.steps.isChecked())
        self.show_grad.setEnabled(not self.steps.isChecked())
        self.size_label.setText(self._size_text(fmt))

    def _size_text(self, fmt: str) -> str:
        if fmt == "tikz":
            return "TikZ: positions scaled, text set by LaTeX"
        pictures = pictures_for(self.graph, self.ev, fmt, steps=self.steps.isChecked(),
                                show_grad=self.show_grad.isChecked(),
                                edge_labels=self.edge_labels.isChecked(),
                                theme=self.theme.currentData())
        if not pictures:
            return "nothing to export: the graph has no nodes"
        bounds = export_bounds(pictures, self.theme.currentData())
        if fmt == "png":
            try:
                w, h = image_size(bounds, self.scale.value(), self.dpi.value())
            except ExportError as exc:
                return str(exc)
            return f"{w} × {h} pixels"
        s = self.scale.value()
        return f"{bounds.width() * s * 0.75 / 72 * 2.54:.1f} × {bounds.height() * s * 0.75 / 72 * 2.54:.1f} cm"

    def _browse(self) -> None:
        fmt = self.current_format()
        if self.steps.isChecked() and fmt != "pdf":
            chosen = QFileDialog.getExistingDirectory(self, "Folder for the step frames",
                                                      str(Path(self.path.text()).parent))
        else:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export", self.path.text(), f"{FORMAT_NAMES[fmt]} (*{SUFFIX[fmt]})")
        if chosen:
            self.path.setText(chosen)

    # ---- export ----------------------------------------------------------------------------

    def export(self) -> bool:
        """Write the files; close on success, else show why and stay open."""
        fmt = self.current_format()
        text = self.path.text().strip()
        if not text:
            return self._fail("Choose where to save the export.")
        try:
            self.written = export_graph(
                self.graph, self.ev, Path(text).expanduser(), fmt, steps=self.steps.isChecked(),
                show_grad=self.show_grad.isChecked(), edge_labels=self.edge_labels.isChecked(),
                scale=self.scale.value(), dpi=self.dpi.value() if fmt == "png" else None,
                theme=self.theme.currentData(),
                transparent=self.transparent.isChecked() and fmt == "png",
                standalone=self.standalone.isChecked())
        except ExportError as exc:
            return self._fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - the editor must survive a failed export
            return self._fail(f"The export failed: {exc}")
        self.error.hide()
        self.accept()
        return True

    def _fail(self, message: str) -> bool:
        self.error.setText(message)
        self.error.show()
        return False

    def summary(self) -> str:
        """What was written, for the status bar."""
        if not self.written:
            return ""
        if len(self.written) == 1:
            return f"Exported {self.written[0]}"
        return f"Exported {len(self.written)} step frames to {self.written[0].parent}"
