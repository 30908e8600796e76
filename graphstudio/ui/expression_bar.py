"""The expression bar: type ``z = (a + b) * (b + c)``, or several lines of the ``.gs`` format,
and press Enter to build it into the document (Shift+Enter starts a new line).

Names that already exist in the graph are reused; names nothing defines become new inputs with
the value 1 (set them in the inspector or by scrubbing). The result is laid out. A mistake is
shown under the bar as ``line L, column C: message`` with the cursor put there; the graph is
left unchanged.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette, QTextCursor
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

__all__ = ["ExpressionBar", "ExpressionEdit"]

#: (light theme, dark theme) colours of the bar's messages: each at least 4.5:1 against its
#: theme's panels (WCAG AA), so an error is as easy to read on the dark theme as on the light
ERROR = ("#c62828", "#ff8a80")
DONE = ("#1b5e20", "#81c784")


class ExpressionEdit(QPlainTextEdit):
    """Enter submits, Shift+Enter inserts a line break."""

    submitted = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not event.modifiers() & Qt.ShiftModifier:
            self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ExpressionBar(QWidget):
    """Signal ``build_requested(text, new_document)``; :meth:`show_error` and
    :meth:`show_done` report back."""

    build_requested = Signal(str, bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.edit = ExpressionEdit()
        self.edit.setObjectName("expression")
        self.edit.setPlaceholderText("Type an expression and press Enter:  z = (a + b) * (b + c)\n"
                                     "Shift+Enter for another line")
        font = QFont("DejaVu Sans Mono")
        font.setPointSize(11)
        self.edit.setFont(font)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 2 + 14)
        self.edit.setTabChangesFocus(True)
        self.new_doc = QCheckBox("in a new document")
        self.button = QPushButton("Build")
        self.button.setToolTip("Build the expression into the graph and lay it out (Enter)")
        self.status = QLabel()
        self.status.setObjectName("expression-status")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        side = QVBoxLayout()
        side.addWidget(self.button)
        side.addWidget(self.new_doc)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 2)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.status.hide()
        self._error = False  # the status line shows an error
        self.edit.submitted.connect(self.submit)
        # an error's line and column point into the text it was about
        self.edit.textChanged.connect(lambda: self._error and self.clear_status())
        self.button.clicked.connect(self.submit)

    def submit(self) -> None:
        text = self.edit.toPlainText().strip()
        if text:
            self.build_requested.emit(text, self.new_doc.isChecked())

    def show_error(self, message: str, line: int | None = None, col: int | None = None) -> None:
        where = f"line {line}, column {col}: " if line is not None else ""
        self.status.setStyleSheet(f"color: {self._tone(ERROR)}")
        self.status.setText(where + message)
        self.status.show()
        self._error = True
        if line is not None:
            block = self.edit.document().findBlockByLineNumber(max(0, line - 1))
            if block.isValid():
                cursor = QTextCursor(block)
                cursor.movePosition(QTextCursor.Right, n=max(0, min((col or 1) - 1, block.length() - 1)))
                self.edit.setTextCursor(cursor)
        self.edit.setFocus()

    def _tone(self, tones: tuple[str, str]) -> str:
        """The light or the dark theme's colour of a message, by the bar's own background."""
        return tones[1] if self.palette().color(QPalette.Window).lightness() < 128 else tones[0]

    def clear_status(self) -> None:
        """Say nothing (another document; the text typed changed since the error)."""
        self._error = False
        self.status.clear()
        self.status.hide()

    def show_done(self, message: str) -> None:
        self._error = False
        self.status.setStyleSheet(f"color: {self._tone(DONE)}")
        self.status.setText(message)
        self.status.show()
