"""Autosave and crash recovery, held to what VS Code's hot exit promises: no edit older than a
few seconds is ever lost.

Each running editor is one *session*. Every open document with unsaved changes is written
about a second after its first unsaved change (:data:`DELAY_MS`; later changes in the same
burst are written with it or start the next write), atomically, as an ordinary GraphStudio JSON
document, one file per document, in the per-user application data folder (Qt's
``QStandardPaths.AppDataLocation``), never beside the user's own file::

    autosave/
      s4242-1f3a9c.lock          held by the running editor (QLockFile: pid, host, app name)
      s4242-1f3a9c.session.json  {"documents": {"s4242-1f3a9c.doc1.json": {"path": ...}}}
      s4242-1f3a9c.doc1.json     the document itself: ``graphstudio eval`` reads it

Its dataset is written as an absolute path (the autosave is not beside the CSV). A save, undoing
back to the saved state, a clean quit or a discard removes the document's autosave; a clean quit
removes the session.

After a crash the session's lock is stale (its process is gone); the next editor to start finds
it with :func:`orphaned_sessions`, takes its lock (so a second editor started at the same time
does not offer the same documents) and offers each document back. Two editors running at once
each hold their own session, so they never overwrite each other's autosaves, and a live
editor's files are never offered or touched.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer

from ..core.dataset import dataset_location
from ..io.document import atomic_write_text, to_json
from .document import GraphDocument

__all__ = ["DELAY_MS", "autosave_dir", "Session", "Autosaver", "Orphan", "OrphanSession",
           "orphaned_sessions"]

#: how long after the first unsaved change a document is written (milliseconds)
DELAY_MS = 1000


def autosave_dir() -> Path:
    """``<AppDataLocation>/autosave``: per user, never beside the user's files."""
    base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
    if not base:  # no writable location on this platform: the temporary folder, per user
        base = os.path.join(QStandardPaths.writableLocation(QStandardPaths.TempLocation),
                            f"graphstudio-{os.getuid() if hasattr(os, 'getuid') else 'user'}")
    return Path(base) / "autosave"


def _lock(folder: Path, sid: str) -> QLockFile:
    lock = QLockFile(str(folder / f"{sid}.lock"))
    lock.setStaleLockTime(0)  # stale only when its process is gone, however old it is
    return lock


class Session(QObject):
    """The autosaves of this editor process. :meth:`start` makes one (or returns None when the
    folder cannot be written, with the reason in :attr:`problem`)."""

    problem = ""

    def __init__(self, folder: Path, sid: str, lock: QLockFile) -> None:
        super().__init__()
        self.folder, self.sid, self._lock = folder, sid, lock
        self._count = 0
        self._documents: dict[str, dict] = {}  # autosave file name -> {"path": ...}
        self.savers: list[Autosaver] = []

    @classmethod
    def start(cls, folder: Path | None = None) -> "Session | None":
        folder = folder or autosave_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            cls.problem = f"autosave is off: cannot make {folder}: {exc.strerror or exc}"
            return None
        sid = f"s{os.getpid()}-{secrets.token_hex(3)}"
        lock = _lock(folder, sid)
        if not lock.tryLock(0):
            cls.problem = f"autosave is off: cannot write in {folder}"
            return None
        return cls(folder, sid, lock)

    # ---- documents ---------------------------------------------------------------------------

    def track(self, doc: GraphDocument) -> "Autosaver":
        """Autosave ``doc`` from now on (until it is destroyed)."""
        self._count += 1
        saver = Autosaver(self, doc, f"{self.sid}.doc{self._count}.json")
        self.savers.append(saver)
        doc.destroyed.connect(lambda *_a, s=saver: self._untrack(s))
        return saver

    def _untrack(self, saver: "Autosaver") -> None:
        if saver in self.savers:
            self.savers.remove(saver)

    def write_all(self) -> None:
        """Write every modified document now (an internal error was caught)."""
        for saver in list(self.savers):
            saver.write()

    def record(self, name: str, path: Path | None) -> None:
        entry = {"path": os.path.abspath(path) if path is not None else None}
        if self._documents.get(name) != entry:
            self._documents[name] = entry
            self._write_manifest()

    def forget(self, name: str) -> None:
        if self._documents.pop(name, None) is not None:
            self._write_manifest()

    def _write_manifest(self) -> None:
        manifest = self.folder / f"{self.sid}.session.json"
        try:
            if self._documents:
                atomic_write_text(manifest, json.dumps({"pid": os.getpid(),
                                                        "documents": self._documents}, indent=1))
            elif manifest.exists():
                manifest.unlink()
        except OSError:
            pass  # the documents themselves are what matters; recovery works without it

    def close(self) -> None:
        """A clean quit: the autosaves of documents still modified were already discarded or
        saved by the window; remove what is left of the session and its lock."""
        for saver in list(self.savers):
            saver.timer.stop()
        for path in self.folder.glob(f"{self.sid}.*"):
            if path.suffix != ".lock":
                _unlink(path)
        self._documents.clear()
        self._lock.unlock()


class Autosaver(QObject):
    """Writes one document ``DELAY_MS`` after its first unsaved change; removes the file when
    the document is saved, undone back to its saved state, replaced or discarded."""

    def __init__(self, session: Session, doc: GraphDocument, name: str) -> None:
        super().__init__(doc)
        self.session, self.doc, self.name = session, doc, name
        self.file = session.folder / name
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.write)
        doc.changed.connect(self._changed)
        doc.path_changed.connect(self._changed)
        doc.view_changed.connect(self._changed)
        doc.modified_changed.connect(self._modified_changed)

    def _changed(self, *_args) -> None:
        if self.doc.modified and not self.timer.isActive():
            self.timer.start()

    def _modified_changed(self, modified: bool) -> None:
        if modified:
            self._changed()
        else:
            self.discard()

    def write(self) -> bool:
        """Write the document now if it has unsaved changes; True when written."""
        self.timer.stop()
        if not self.doc.modified:
            self.discard()
            return False
        doc = self.doc
        try:
            data = to_json(doc.graph, doc.view)
            dataset = dataset_location(doc.graph, doc.folder())
            if dataset is not None:  # the autosave is not beside the CSV: where it really is
                data["dataset"] = dataset.as_posix()
            text = json.dumps(data, indent=1) + "\n"
            # the session's list first: killed between the two, the document is still found
            self.session.record(self.name, doc.path)
            atomic_write_text(self.file, text)
        except (OSError, ValueError):
            return False  # a full disk must not stop the editing; the next change tries again
        return True

    def discard(self) -> None:
        """Remove this document's autosave (saved, discarded, or back to its saved state)."""
        self.timer.stop()
        _unlink(self.file)
        self.session.forget(self.name)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass


# ---- recovery -----------------------------------------------------------------------------------


@dataclass
class Orphan:
    """One document a crashed session left: its autosave, and the file it was opened from."""

    file: Path
    path: Path | None
    saved: float  # when it was autosaved (seconds since the epoch)

    def title(self) -> str:
        return self.path.name if self.path is not None else "Untitled"


@dataclass
class OrphanSession:
    """A crashed session whose lock this process now holds, with its documents."""

    folder: Path
    sid: str
    lock: QLockFile
    documents: list[Orphan] = field(default_factory=list)

    def remove(self, orphan: Orphan) -> None:
        """Forget one document (restored into a window, or discarded)."""
        _unlink(orphan.file)
        if orphan in self.documents:
            self.documents.remove(orphan)

    def finish(self) -> None:
        """Done with this session: remove it if nothing is left, and release its lock (a
        document kept for later stays, and is offered again next time)."""
        if not self.documents:
            _unlink(self.folder / f"{self.sid}.session.json")
        self.lock.unlock()


def orphaned_sessions(folder: Path | None = None, exclude: str | None = None) -> list[OrphanSession]:
    """Sessions whose editor is gone (crashed or killed), each locked by this process until
    :meth:`OrphanSession.finish`. Sessions of editors still running are left alone."""
    folder = folder or autosave_dir()
    if not folder.is_dir():
        return []
    sids = {p.name.split(".", 1)[0] for p in folder.glob("s*.*")} - {exclude}
    found = []
    for sid in sorted(sids):
        docs = sorted(folder.glob(f"{sid}.doc*.json"))
        lock = _lock(folder, sid)
        if not lock.tryLock(0):
            continue  # an editor that is running
        session = OrphanSession(folder, sid, lock)
        manifest = _read_manifest(folder / f"{sid}.session.json")
        for doc in docs:
            path = manifest.get(doc.name, {}).get("path")
            try:
                saved = doc.stat().st_mtime
            except OSError:
                continue
            session.documents.append(Orphan(doc, Path(path) if isinstance(path, str) else None, saved))
        if session.documents:
            found.append(session)
        else:
            session.finish()
    return found


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        docs = data.get("documents", {}) if isinstance(data, dict) else {}
        return {k: v for k, v in docs.items() if isinstance(v, dict)} if isinstance(docs, dict) else {}
    except (OSError, ValueError):
        return {}


def age_text(saved: float, now: float | None = None) -> str:
    """``autosaved 14:32`` today, else with the date."""
    now = time.time() if now is None else now
    fmt = "%H:%M:%S" if time.strftime("%Y%m%d", time.localtime(saved)) == \
        time.strftime("%Y%m%d", time.localtime(now)) else "%Y-%m-%d %H:%M"
    return "autosaved " + time.strftime(fmt, time.localtime(saved))
