"""The first ``eval`` of a text of numbers reads the op registry without importing numpy
(core/lazy_numpy.py), and whatever it then meets, it prints what reading the file the usual
way prints. Each run is a process of its own: in this one numpy is long imported."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from test_gs_program import chain, mlp
from test_program_cache import network_text

from graphstudio.core import lazy_numpy

#: runs ``eval``, then says on stderr's last line whether numpy was imported
EVAL = ("import sys; from graphstudio.cli import main; code = main(sys.argv[1:]); "
        "print('numpy' in sys.modules, file=sys.stderr); sys.exit(code)")


def run(tmp_path, *argv: str) -> tuple[int, str, str, bool]:
    """``graphstudio eval ARGV`` in a process of its own with an empty cache folder: its exit
    status, output, messages, and whether it imported numpy."""
    cache = tmp_path / "cache"
    done = subprocess.run([sys.executable, "-c", EVAL, "eval", *argv], capture_output=True,
                          text=True, timeout=120,
                          env={"XDG_CACHE_HOME": str(cache), "PATH": "/usr/bin:/bin"})
    for entry in cache.rglob("*"):  # (the next run is a first run too)
        if entry.is_file():
            entry.unlink()
    err, _, numpy = done.stderr.rstrip("\n").rpartition("\n")
    return done.returncode, done.stdout, err, numpy == "True"


@pytest.mark.parametrize("text", [mlp((12, 6, 3, 1)), chain(50, "sin cos tanh"),
                                  network_text(2)], ids=["mlp", "chain", "network"])
def test_a_first_run_of_numbers_does_not_import_numpy(text, tmp_path):
    path = tmp_path / "f.gs"
    path.write_text(text)
    code, out, err, numpy = run(tmp_path, str(path), "--json")
    assert (code, err, numpy) == (0, "", False)
    assert (code, out, err) == run(tmp_path, str(path), "--json", "--no-cache")[:3]


@pytest.mark.parametrize("text", [
    "x = [1.0, -2.0]\nz = sum(x * x)\n",  # arrays: the full reader, numpy's rules
    "x = 2\ny = sin(x)\nz = x ** y + abs(y)\n",  # ops whose rules on floats need numpy
    "x = 0\nz = sqrt(x)\n",  # read, but the passes give what numpy gives (an inf gradient)
    "x = -1\nz = log(x) * x\n",  # a warning
    "x = 1\nz = sin(y)\n",  # an error
    "x = 1e200\ny = x * x\nz = relu(-(y - y))\n",
], ids=["arrays", "numpy-rules", "inf", "warning", "error", "overflow"])
def test_what_a_first_run_leaves_to_the_full_reader_prints_the_same(text, tmp_path):
    """The registry's entries read without numpy compute numpy's numbers when the full reader
    and the engine take the file after all."""
    path = tmp_path / "f.gs"
    path.write_text(text)
    first = run(tmp_path, str(path), "--json")
    assert first[:3] == run(tmp_path, str(path), "--json", "--no-cache")[:3]
    assert first[3]  # (numpy was needed in the end)


def test_stand_ins_are_numpy_once_used():
    namespace = {}
    stand_in = lazy_numpy._Module(namespace)
    assert stand_in.float64 is np.float64 and namespace == {"np": np}
    add = lazy_numpy._Function("add")
    assert np.array_equal(add(np.array([1.0, 2.0]), 3.0), [4.0, 5.0])
    assert "numpy.add" in repr(add)


def test_outside_deferred_and_with_numpy_imported_it_is_numpy_itself():
    assert lazy_numpy.module({}) is np and lazy_numpy.function("sin") is np.sin
    with lazy_numpy.deferred():  # (numpy is imported in this process)
        assert lazy_numpy.module({}) is np and lazy_numpy.function("sin") is np.sin
