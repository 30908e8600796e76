"""Writing a file so that nothing is ever half-written: every save and export goes through here.

* **Atomic**: the content goes to a temporary file in the target's folder, is flushed to the
  disk, and then replaces the target in one step (``os.replace``), so a crash, a full disk or
  a ``kill`` during a save leaves the old file whole.
* **Permissions** as any program's ``open()`` would give: a new file gets ``0666`` less the
  user's umask, a replaced file keeps its own mode (``mkstemp`` alone would make every save
  ``0600``).
* **Stale temporaries are cleaned**: the temporary file is named
  ``.NAME.PID.XXXXXXXX.tmp`` (``PID``: the process writing it); one left behind by a process
  that died mid-save is removed by the next save of the same file. A temporary of a process
  still running is left alone, unless it is more than a day old.

No Qt here: Qt's writers (QImage, QPdfWriter, QSvgGenerator) write into the temporary path that
:func:`replacing` gives them.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

__all__ = ["replacing", "atomic_write_text", "atomic_write_bytes", "stale_temporaries",
           "new_file_mode"]

#: a temporary this old is stale even if its process (or one reusing its number) still runs
STALE_AFTER = 24 * 3600


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` to write into; when the block ends without an
    exception, the file written there replaces ``path`` (see the module docstring); when it
    raises, the temporary is removed and ``path`` is untouched."""
    path = Path(path)
    folder = path.parent
    for old in stale_temporaries(path):
        try:
            old.unlink()
        except OSError:
            pass
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                                dir=folder if str(folder) else ".")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _settle(tmp, path)
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    _sync_folder(folder)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, with the permissions of a new file."""
    atomic_write_bytes(path, text.encode("utf-8"))


def stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Temporaries of ``path`` left behind by saves that never finished."""
    path = Path(path)
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.[a-z0-9_]{{8}}\.tmp")
    found = []
    try:
        entries = list(os.scandir(path.parent if str(path.parent) else "."))
    except OSError:
        return []
    now = time.time()
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
        except OSError:
            continue
        if old or not _running(int(match.group(1))):
            found.append(Path(entry.path))
    return found


def new_file_mode() -> int:
    """The mode ``open()`` gives a new file: ``0666`` less the umask."""
    return 0o666 & ~_umask()


def _settle(tmp: Path, path: Path) -> None:
    """Give the temporary its final mode and make sure its bytes are on the disk."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = new_file_mode()
    os.chmod(tmp, mode)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no folder handles to sync)."""
    if sys.platform.startswith("win"):
        return
    try:
        fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    # Linux says it without changing it; os.umask can only read it by setting it, which
    # another thread saving at the same moment could see
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform.startswith("win"):
        return True  # os.kill would end the process there: trust the age alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
