"""Every test runs headless (Qt's offscreen platform, set before anything imports Qt) and with
private per-user folders, so no test (nor an editor a test starts in a subprocess) reads or
writes the real user's settings, recent files or autosaves.

A Python exception that reaches ``sys.excepthook`` outside a test's own run (pytest-qt fails
the test for those inside it), for example while Qt deletes a window after the test, fails the
session."""

import os
import sys
import traceback

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The property tests draw the same cases on every run, so a red run points at a change and not
# at the luck of the draw (a continuous-integration run that fails on a case no one changed
# anything for helps no one). To look for new failures, draw fresh cases:
#     HYPOTHESIS_PROFILE=explore .venv/bin/python -m pytest -q tests/test_fuzz_readers.py
# and when one turns up, add it to the test as an @example so every run keeps trying it.
# (Loaded here, before the test modules build their @settings, which inherit from it.)
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

_stray: list[str] = []


@pytest.fixture(autouse=True)
def _private_user_folders(tmp_path_factory, monkeypatch):
    base = tmp_path_factory.mktemp("user")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(base / var.lower()))
    from PySide6.QtCore import QSettings

    # Qt reads the settings folder once per process: point it at this test's folder
    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(base / "settings"))


def _record(exc_type, exc, tb) -> None:
    _stray.append("".join(traceback.format_exception(exc_type, exc, tb)))
    sys.__excepthook__(exc_type, exc, tb)


def pytest_configure(config) -> None:
    sys.excepthook = _record


def pytest_sessionfinish(session, exitstatus) -> None:
    if _stray:
        print(f"\n{len(_stray)} uncaught exception(s) outside the tests:\n" + "\n".join(_stray),
              file=sys.stderr)
        session.exitstatus = 1
