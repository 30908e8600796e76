"""File > Export: a dialog with the same choices as ``graphstudio export``, built from the export
registry (:mod:`graphstudio.render.exporters`): its format list, the option widgets of each
format (a check box for a switch, a spin box for a number), the file filter and the size
shown. It fills in the same :class:`~graphstudio.render.export.ExportSettings` as the command
line and writes through the same :func:`~graphstudio.render.export.export_graph`, so the
editor and the command line give the same files.

Below the pictures it lists every graph file format the file-format registry writes
(:mod:`graphstudio.io.formats`: GraphML, DOT, node-link JSON, expression text, the GraphStudio
document), written through :func:`~graphstudio.io.formats.save_document` as ``graphstudio
convert`` writes them. An export is a copy: the document keeps its own file and its modified
state, and the dialog refuses to write over the document's own file (that is File > Save).

The dialog stays open with the reason in red when an export fails (a missing folder, an
unwritable file), so nothing typed is lost; it closes when the files are written. The size the
result will have is shown as the options change (for a PNG ``bounds × scale × dpi / 96`` pixels).

It starts where the user is (:mod:`graphstudio.ui.places`): the folder this document was last
exported to, else the document's own folder when it is the user's, else the last folder used,
else Documents; never inside the installed package. It remembers its choices (format, scale,
theme, gradients, edge labels, the format's options) from one export to the next (QSettings),
and choosing another format changes only the suffix of the path typed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ..core.engine import Evaluation, evaluate
from ..core.graph import Graph, GraphError
from ..core.options import Option
from ..io.formats import FileFormat, save_document, writer_named, writers
from ..render.export import ExportError, ExportSettings, export_bounds, export_graph, pictures_for
from ..render.picture import Picture
from ..render.exporters import ExportFormat, export_format, export_formats, format_options
from ..render.style import THEMES
from .places import remember_folder, settings as stored, start_folder

__all__ = ["ExportDialog", "option_widget"]

#: how the format list tells a graph file format (``file:graphml``) from an export format (``png``)
FILE = "file:"


def option_widget(option: Option) -> QWidget:
    """The widget that edits ``option``: a check box for a switch, else a spin box."""
    if option.kind is bool:
        box = QCheckBox(option.label)
        box.setChecked(bool(option.default))
        return box
    spin = QSpinBox() if option.kind is int else QDoubleSpinBox()
    spin.setRange(option.minimum if option.minimum is not None else -10**6,
                  option.maximum if option.maximum is not None else 10**6)
    if option.step is not None:
        spin.setSingleStep(option.step)
    spin.setSuffix(option.unit)
    if option.default is not None:
        spin.setValue(option.default)
    return spin


def _value(widget: QWidget) -> Any:
    return widget.isChecked() if isinstance(widget, QCheckBox) else widget.value()


def _changed(widget: QWidget):
    return widget.toggled if isinstance(widget, QCheckBox) else widget.valueChanged


class ExportDialog(QDialog):
    """Export ``graph`` (annotated with ``ev``) to a file, or its steps to a folder or PDF.

    ``view`` holds the editor's view settings (show_grad, edge_labels, theme) used as defaults;
    ``base`` is the document's path, from which the proposed file name is made. The format's
    own options are in :attr:`options`, one widget each by option name."""

    def __init__(self, graph: Graph, ev: Evaluation | None = None, *, view: dict | None = None,
                 base: str | Path | None = None, steps: bool = False,
                 decorate: Callable[[Picture], Picture] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        self.decorate = decorate  # what the canvas draws over the graph (ExportSettings)
        self.ev = ev if ev is not None else evaluate(graph)
        self.view = dict(view or {})
        self.written: list[Path] = []
        defaults = ExportSettings.from_view(view, steps=steps)
        self._document = Path(base) if base else None
        self.setWindowTitle("Export Steps" if steps else "Export")

        self.format = QComboBox()
        for fmt in export_formats():
            self.format.addItem(f"{fmt.title} ({fmt.description})" if fmt.description
                                else fmt.title, fmt.name)
        self.format.insertSeparator(self.format.count())
        for fmt in writers():
            self.format.addItem(f"{fmt.title} (graph file)" if not fmt.complete
                                else f"{fmt.title} (a copy)", FILE + fmt.name)
        self.steps = QCheckBox("Step frames: the forward pass, then the backward pass")
        self.steps.setChecked(defaults.steps)
        self.path = QLineEdit()
        self.browse_button = browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        self.scale = QDoubleSpinBox()
        self.scale.setRange(0.1, 10.0)
        self.scale.setSingleStep(0.25)
        self.scale.setValue(defaults.scale)
        self.scale.setSuffix(" ×")
        self.size_label = QLabel()
        self.size_label.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.show_grad = QCheckBox("Gradients")
        self.show_grad.setChecked(defaults.show_grad)
        self.edge_labels = QCheckBox("Edge labels (local derivatives)")
        self.edge_labels.setChecked(defaults.edge_labels)
        self.theme = QComboBox()
        for name in THEMES:
            self.theme.addItem(name.capitalize(), name)
        self.theme.setCurrentIndex(max(0, self.theme.findData(defaults.theme)))
        #: one widget per format option (every format's), enabled when the format has it
        self.options: dict[str, QWidget] = {o.name: option_widget(o) for o in format_options()
                                            if o.dialog}

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b")
        self.error.hide()

        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("", self.steps)
        form.addRow("Save to", path_row)
        form.addRow("Scale", self.scale)
        numbers = {n: w for n, w in self.options.items() if not isinstance(w, QCheckBox)}
        switches = {n: w for n, w in self.options.items() if isinstance(w, QCheckBox)}
        labels = {o.name: o.label for o in format_options()}
        for name, widget in numbers.items():
            form.addRow(labels[name], widget)
        form.addRow("", self.size_label)
        form.addRow("Theme", self.theme)
        form.addRow("", self.show_grad)
        form.addRow("", self.edge_labels)
        for widget in switches.values():
            form.addRow("", widget)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._recall()
        self.path.setText(str(self._folder() / (self._document.stem if self._document else "graph")))
        for signal in (self.format.currentIndexChanged, self.steps.toggled):
            signal.connect(self._propose_path)
        for signal in (self.format.currentIndexChanged, self.steps.toggled, self.scale.valueChanged,
                       self.edge_labels.toggled, self.show_grad.toggled,
                       self.theme.currentIndexChanged,
                       *(_changed(w) for w in self.options.values())):
            signal.connect(self._update)
        self._propose_path()
        self._update()

    # ---- state -----------------------------------------------------------------------------

    def current_format(self) -> str:
        """The chosen export format's name (``png``), or ``file:`` and a file format's."""
        return self.format.currentData()

    def _format(self) -> ExportFormat | None:
        """The chosen export format; None when a graph file format is chosen."""
        return export_format(self.current_format())

    def _file_format(self) -> FileFormat | None:
        """The chosen graph file format (GraphML...), or None for a picture."""
        name = self.current_format()
        return writer_named(name.removeprefix(FILE)) if name.startswith(FILE) else None

    def settings(self) -> ExportSettings:
        """What the dialog is set to export as a picture: the format's own options from their
        widgets (a graph file format has none of these)."""
        fmt = self._format()
        if fmt is None:
            raise ValueError(f"{self.format.currentText()} is a graph file, not a picture")
        steps = self.steps.isChecked()
        options = {o.name: _value(self.options[o.name]) for o in fmt.options
                   if o.name in self.options and (o.steps or not steps)}
        return ExportSettings(format=fmt.name, steps=steps, show_grad=self.show_grad.isChecked(),
                              edge_labels=self.edge_labels.isChecked(),
                              theme=self.theme.currentData(), scale=self.scale.value(),
                              options=options, decorate=self.decorate)

    def _propose_path(self) -> None:
        """The path typed, with the suffix of the chosen format: ``name.png``, ``name_steps/``
        or, for a format that holds pages, ``name_steps.pdf``; ``name.graphml`` for a graph
        file. The folder and the name the user typed stay."""
        fmt, graph_file = self._format(), self._file_format()
        text = self.path.text().strip() or "graph"
        typed = Path(text).expanduser()
        name = typed.name
        suffixes = {s for f in [*export_formats(), *writers()] for s in f.suffixes if s}
        known = [s for s in sorted(suffixes, key=len, reverse=True)
                 if name.lower().endswith(s) and len(name) > len(s)]
        if known:  # the longest: g.nodelink.json is g
            name = name[:-len(known[0])]
        name = name.removesuffix("_steps") or "graph"
        if graph_file is not None:
            name += graph_file.suffixes[0]
        elif self.steps.isChecked():
            name = f"{name}_steps{fmt.suffixes[0]}" if fmt.pages else f"{name}_steps"
        else:
            name += fmt.suffixes[0]
        self.path.setText(str(typed.parent / name) if typed.parent != Path(".") else name)

    # ---- what it remembers ---------------------------------------------------------------------

    def _folder(self) -> Path:
        """Where this document was last exported to, else where its dialogs start."""
        folders = _stored_json("export/folders", {})
        last = folders.get(str(self._document)) if self._document is not None else None
        if isinstance(last, str) and Path(last).is_dir():
            return Path(last)
        return start_folder(self._document)

    def _recall(self) -> None:
        """The choices of the last export (QSettings)."""
        last = _stored_json("export/settings", {})
        if not isinstance(last, dict):
            return
        chosen = last.get("format")
        index = self.format.findData(chosen) if isinstance(chosen, str) else -1
        if index >= 0:  # (findData(None) would find the separator)
            self.format.setCurrentIndex(index)
        if isinstance(last.get("scale"), (int, float)):
            self.scale.setValue(float(last["scale"]))
        index = self.theme.findData(last.get("theme"))
        if index >= 0:
            self.theme.setCurrentIndex(index)
        for box, key in ((self.show_grad, "show_grad"), (self.edge_labels, "edge_labels")):
            if isinstance(last.get(key), bool):
                box.setChecked(last[key])
        options = last.get("options")
        for name, value in (options.items() if isinstance(options, dict) else ()):
            widget = self.options.get(name)
            if isinstance(widget, QCheckBox) and isinstance(value, bool):
                widget.setChecked(value)
            elif widget is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
                widget.setValue(value)

    def _remember(self, target: Path) -> None:
        store = stored()
        chosen = {"format": self.current_format(), "scale": self.scale.value(),
                  "theme": self.theme.currentData(), "show_grad": self.show_grad.isChecked(),
                  "edge_labels": self.edge_labels.isChecked(),
                  "options": {n: _value(w) for n, w in self.options.items()}}
        store.setValue("export/settings", json.dumps(chosen))
        fmt = self._format()
        frames = fmt is not None and self.steps.isChecked() and not fmt.pages
        folder = target if frames else target.parent
        if self._document is not None and folder.is_dir():
            folders = _stored_json("export/folders", {})
            folders = folders if isinstance(folders, dict) else {}
            folders.pop(str(self._document), None)
            folders[str(self._document)] = str(folder.resolve())
            store.setValue("export/folders", json.dumps(dict(list(folders.items())[-50:])))
        remember_folder(folder)

    def _update(self) -> None:
        """Enable what the chosen format uses: a graph file uses none of the picture's
        settings, and says what it keeps where a picture says how big it will be."""
        fmt, steps = self._format(), self.steps.isChecked()
        for name, widget in self.options.items():
            option = fmt.option(name) if fmt is not None else None
            widget.setEnabled(option is not None and (option.steps or not steps))
        for widget in (self.steps, self.scale, self.theme, self.edge_labels):
            widget.setEnabled(fmt is not None)
        self.show_grad.setEnabled(fmt is not None and not steps)
        graph_file = self._file_format()
        if graph_file is not None:
            keeps = graph_file.keeps or "everything the editor holds"
            self.size_label.setText(f"A {graph_file.title} file keeps {keeps}.")
        else:
            self.size_label.setText(self._size_text(fmt))

    def _size_text(self, fmt: ExportFormat) -> str:
        if fmt.size is None:
            return ""
        settings = self.settings()
        if not fmt.drawn:
            return fmt.size(None, settings.scale, dict(settings.options))
        pictures = pictures_for(self.graph, self.ev, fmt.name, steps=settings.steps,
                                show_grad=settings.show_grad, edge_labels=settings.edge_labels,
                                theme=settings.theme)
        if not pictures:
            return "nothing to export: the graph has no nodes"
        bounds = export_bounds(pictures, settings.theme)
        return fmt.size(bounds, settings.scale, dict(settings.options))

    def _browse(self) -> None:
        fmt = self._format() or self._file_format()
        if isinstance(fmt, ExportFormat) and self.steps.isChecked() and not fmt.pages:
            chosen = QFileDialog.getExistingDirectory(self, "Folder for the step frames",
                                                      str(Path(self.path.text()).parent))
        else:
            patterns = " ".join(f"*{s}" for s in fmt.suffixes if s)
            chosen, _ = QFileDialog.getSaveFileName(self, "Export", self.path.text(),
                                                    f"{fmt.title} ({patterns})")
        if chosen:
            self.path.setText(chosen)
            self._confirmed = Path(chosen).expanduser()  # the file dialog asked before replacing

    # ---- export ----------------------------------------------------------------------------

    def export(self) -> bool:
        """Write the files; close on success, else show why and stay open."""
        text = self.path.text().strip()
        if not text:
            return self._fail("Choose where to save the export.")
        out = Path(text).expanduser()
        if self._document is not None and out.resolve() == self._document.resolve():
            return self._fail(f"{out} is this document's own file: File > Save writes it; "
                              "an export is a copy under another name.")
        graph_file = self._file_format()
        if not self._may_replace(out):
            return False
        try:
            if graph_file is not None:
                self.written = [self._write_file(graph_file, out)]
            else:
                self.written = export_graph(self.graph, self.ev, out, self.settings())
        except ExportError as exc:
            return self._fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - the editor must survive a failed export
            return self._fail(f"The export failed: {exc}")
        self._remember(Path(text).expanduser())
        self.error.hide()
        self.accept()
        return True

    def _may_replace(self, out: Path) -> bool:
        """Whether ``out`` may be written: yes when it does not exist yet or the user chose it in
        the file dialog (which asked already); else the user is asked, as every save dialog does."""
        if not out.is_file() or out == getattr(self, "_confirmed", None):
            return True
        answer = QMessageBox.question(
            self, "Replace the file?",
            f"{out.name} already exists in {out.parent}.\nReplace it with this export?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            self.error.hide()
            return False
        return True

    def _write_file(self, fmt: FileFormat, out: Path) -> Path:
        """Write the graph as a graph file, as ``graphstudio convert`` does; ExportError
        with the reason."""
        if out.is_dir():
            raise ExportError(f"{out}: is a folder; give a file name such as "
                              f"{out / ('graph' + fmt.suffixes[0])}")
        if not out.resolve().parent.is_dir():
            raise ExportError(f"{out}: the folder {out.resolve().parent} does not exist")
        try:
            save_document(out, self.graph, self.view, format=fmt.name)
        except OSError as exc:
            raise ExportError(f"{out}: {exc.strerror or exc}") from None
        except (ValueError, GraphError) as exc:
            raise ExportError(f"{out}: {exc}") from None
        return out

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


def _stored_json(key: str, default: Any) -> Any:
    try:
        value = stored().value(key)
        return json.loads(value) if isinstance(value, str) else default
    except ValueError:
        return default
