"""Offering unsaved work back after a crash: the dialog the editor shows when it starts and
finds documents a crashed (or killed) editor had autosaved (:mod:`graphstudio.ui.autosave`).

Each document is listed with the file it belongs to, its size and when it was autosaved, ticked
to be restored. *Restore* brings back the ticked ones (the first into the window, the others in
windows of their own), each marked modified and with its own file name, so Save writes where
the user meant; the unticked ones are discarded. *Discard All* deletes them. Closing the dialog
(*Decide Later*) keeps them for the next start.
"""

from __future__ import annotations

import json
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem,
                               QVBoxLayout, QWidget)

from .autosave import Orphan, OrphanSession, age_text

__all__ = ["RecoveryDialog", "offer_recovery"]


def _size(orphan: Orphan) -> str:
    try:
        nodes = len(json.loads(orphan.file.read_text(encoding="utf-8")).get("nodes", []))
    except (OSError, ValueError, AttributeError):
        return ""
    return f"{nodes} node{'s' if nodes != 1 else ''}"


class RecoveryDialog(QDialog):
    """Lists ``orphans``; after ``exec()``, :attr:`choice` is "restore", "discard" or
    "later", and :meth:`ticked` the documents to restore."""

    def __init__(self, orphans: list[Orphan], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recover Unsaved Work")
        self.orphans = orphans
        self.choice = "later"
        intro = QLabel("GraphStudio did not close normally. These documents had changes that "
                       "were not saved. Restore the ticked ones? (The unticked ones are "
                       "discarded.)")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("recovery-list")
        for orphan in orphans:
            where = str(orphan.path) if orphan.path is not None else "never saved"
            details = ", ".join(t for t in (_size(orphan), age_text(orphan.saved)) if t)
            item = QListWidgetItem(f"{orphan.title()}  —  {where}\n{details}")
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked)
            item.setToolTip(f"autosave: {orphan.file}")
            self.list.addItem(item)
        self.list.setMinimumWidth(min(640, 120 + 7 * max(len(self.list.item(i).text().split("\n")[0])
                                                         for i in range(self.list.count()))))
        rows = sum(self.list.sizeHintForRow(i) for i in range(min(self.list.count(), 8)))
        self.list.setFixedHeight(rows + 2 * self.list.frameWidth() + 4)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.AcceptRole)
        self.discard_button = buttons.addButton("Discard All", QDialogButtonBox.DestructiveRole)
        self.later_button = buttons.addButton("Decide Later", QDialogButtonBox.RejectRole)
        self.restore_button.setDefault(True)
        self.restore_button.clicked.connect(lambda: self._done("restore"))
        self.discard_button.clicked.connect(lambda: self._done("discard"))
        self.later_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def _done(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def ticked(self) -> list[Orphan]:
        return [o for i, o in enumerate(self.orphans)
                if self.list.item(i).checkState() == Qt.Checked]


def offer_recovery(sessions: list[OrphanSession], window, new_window: Callable[[], object]) -> list:
    """Ask what to do with the documents crashed ``sessions`` left, and do it: the first
    restored document goes into ``window`` when it holds nothing of its own, the others into
    ``new_window()``. Returns the windows that received a document."""
    orphans = [o for s in sessions for o in s.documents]
    if not orphans:
        for s in sessions:
            s.finish()
        return []
    dialog = RecoveryDialog(orphans, window)
    dialog.exec()
    restored = []
    if dialog.choice != "later":
        keep = dialog.ticked() if dialog.choice == "restore" else []
        for session in sessions:
            for orphan in list(session.documents):
                if orphan in keep:
                    empty = not restored and not window.document.modified and \
                        window.document.path is None and len(window.document.graph) == 0
                    target = window if empty else new_window()
                    if target.restore(orphan.file, orphan.path):
                        restored.append(target)
                    else:
                        continue  # unreadable: kept on disk, the window said why
                session.remove(orphan)
    for session in sessions:
        session.finish()
    return restored
