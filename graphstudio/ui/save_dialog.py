"""File > Save As: the platform's file dialog, with one more choice when the document reads a
dataset: carry the dataset inside the document, so a lecturer can send one file.

That choice needs a check box in the dialog, which only Qt's own file dialog can hold, so that
dialog is used then; otherwise the platform's native one is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QDialog, QFileDialog, QWidget

__all__ = ["SaveAsDialog", "ask_save_path"]


class SaveAsDialog(QFileDialog):
    """Qt's file dialog in save mode with the *embed* check box below the file name."""

    def __init__(self, parent: QWidget | None, title: str, suggestion: str, filters: str,
                 dataset_name: str, embedded: bool) -> None:
        super().__init__(parent, title, str(Path(suggestion).parent), filters)
        self.setObjectName("save-as")
        self.setAcceptMode(QFileDialog.AcceptSave)
        self.setOption(QFileDialog.DontUseNativeDialog)
        self.embed = QCheckBox(f"Carry the dataset ({dataset_name}) inside the document, so "
                               f"this one file is all another computer needs")
        self.embed.setObjectName("embed-data")
        self.embed.setChecked(embedded)
        if embedded:  # there is no file to link to any more
            self.embed.setEnabled(False)
            self.embed.setToolTip("The dataset already travels inside this document")
        grid = self.layout()
        grid.addWidget(self.embed, grid.rowCount(), 0, 1, grid.columnCount())
        if Path(suggestion).name:
            self.selectFile(Path(suggestion).name)


def ask_save_path(parent: QWidget | None, title: str, suggestion: str, filters: str, *,
                  dataset_name: str | None = None,
                  embedded: bool = False) -> tuple[str, str, bool] | None:
    """The file to save to, the filter entry chosen and whether to embed the dataset; None
    when cancelled."""
    if dataset_name is None:
        path, chosen = QFileDialog.getSaveFileName(parent, title, suggestion, filters)
        return (path, chosen, False) if path else None
    dialog = SaveAsDialog(parent, title, suggestion, filters, dataset_name, embedded)
    if dialog.exec() != QDialog.Accepted or not dialog.selectedFiles():
        return None
    return dialog.selectedFiles()[0], dialog.selectedNameFilter(), dialog.embed.isChecked()
