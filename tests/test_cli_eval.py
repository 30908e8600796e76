"""``graphstudio eval`` as a user runs it: a separate process, its output and exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphstudio.examples import examples_dir
from test_parser import ERRORS  # the parser's error table: text and exact message

ROOT = Path(__file__).resolve().parent.parent
GROSSE = examples_dir() / "grosse_csc311.gs"


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "graphstudio", "eval", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


def write(tmp_path, text, name="g.gs"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_table_for_grosse():
    r = run(GROSSE)
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["name", "op", "value", "grad", "dz/d·"]
    assert set(lines[1]) <= {"-", " "}
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert rows == {"a": ["input", "-1", "7"], "b": ["input", "3", "9"], "c": ["input", "4", "2"],
                    "x": ["add", "2", "7"], "y": ["add", "7", "2"], "z": ["mul", "14", "1"]}


def test_json_for_grosse_is_exactly_the_documented_shape():
    r = run(GROSSE, "--json")
    assert r.returncode == 0 and r.stderr == ""
    assert json.loads(r.stdout) == {
        "output": "z",
        "seed": 1.0,
        "nodes": {
            "a": {"op": "input", "value": -1.0, "grad": 7.0},
            "b": {"op": "input", "value": 3.0, "grad": 9.0},
            "c": {"op": "input", "value": 4.0, "grad": 2.0},
            "x": {"op": "add", "value": 2.0, "grad": 7.0},
            "y": {"op": "add", "value": 7.0, "grad": 2.0},
            "z": {"op": "mul", "value": 14.0, "grad": 1.0},
        },
    }


def test_json_arrays_are_nested_lists():
    r = run(examples_dir() / "cmu11785_relu_max.gs", "--json")
    data = json.loads(r.stdout)
    assert data["output"] == "y"
    assert data["nodes"]["W"] == {"op": "input", "value": [[1.0, -0.5], [-1.0, -1.0], [0.5, 1.0]],
                                  "grad": [[0.0, 0.0], [0.0, 0.0], [1.0, 2.0]]}
    assert data["nodes"]["y"]["op"] == "amax"


def test_output_option_chooses_what_is_differentiated():
    data = json.loads(run(GROSSE, "--json", "--output", "x").stdout)
    assert data["output"] == "x"
    assert data["nodes"]["a"]["grad"] == 1.0 and data["nodes"]["c"]["grad"] == 0.0
    assert data["nodes"]["z"]["grad"] == 0.0
    assert "dx/d·" in run(GROSSE, "--output", "x").stdout.splitlines()[0]


def test_non_finite_numbers_are_strings(tmp_path):
    path = write(tmp_path, "x = -1\nzero = 0\nl = log(x)\nd = 1 / zero\nm = -d\n"
                           "r = sqrt(zero)\nn = 0 - r\nout = r + n\n")
    r = run(path, "--json")
    assert r.returncode == 0
    nodes = json.loads(r.stdout)["nodes"]
    assert nodes["l"]["value"] == "nan"
    assert nodes["d"]["value"] == "inf"
    assert nodes["m"]["value"] == "-inf"
    # d out/d zero = 1/(2√0) − 1/(2√0): inf − inf
    assert nodes["zero"]["grad"] == "nan"
    path = write(tmp_path, "z = 0\nr = sqrt(z)\n", "inf.gs")
    assert json.loads(run(path, "--json").stdout)["nodes"]["z"]["grad"] == "inf"
    path = write(tmp_path, "z = 0\nr = -sqrt(z)\n", "minf.gs")
    assert json.loads(run(path, "--json").stdout)["nodes"]["z"]["grad"] == "-inf"


def test_domain_errors_warn_with_node_and_line_and_exit_0(tmp_path):
    path = write(tmp_path, "x = -1\nzero = 0\nl = log(x)\nd = 1 / zero\nok = x * 3\n")
    r = run(path)
    assert r.returncode == 0
    assert r.stderr.splitlines() == [f"{path}:3: warning: l: log of -1 is nan",
                                     f"{path}:4: warning: d: div of 1, 0 is inf"]
    rows = {line.split()[0]: line.split()[1:] for line in r.stdout.splitlines()[2:]}
    assert rows["ok"] == ["mul", "-3", "1"] and rows["x"] == ["input", "-1", "3"]
    assert rows["l"][1] == "nan" and rows["d"][1] == "inf"


PARSE_CASES = [e for e in ERRORS if e[0] in (
    "used before assigned", "assigned twice", "unknown function", "wrong number of arguments",
    "syntax error", "__import__", "attribute access", "lambda", "comprehension", "eval",
    "unknown name", "ragged array", "non-assignment statement")]


@pytest.mark.parametrize("text,message", [e[1:] for e in PARSE_CASES],
                         ids=[e[0] for e in PARSE_CASES])
def test_parse_errors_are_one_line_and_status_1(tmp_path, text, message):
    write(tmp_path, text, "f.gs")
    r = run("f.gs", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == message + "\n"


def test_shape_mismatch_is_fatal_with_position(tmp_path):
    write(tmp_path, "a = 1\nc = a * ([[1, 2]] @ [1, 2, 3])\n", "s.gs")
    r = run("s.gs", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == "s.gs:2:10: shape mismatch: matmul of shapes (1, 2) and (3,)\n"
    write(tmp_path, "c = [[1, 2]] @ [1, 2, 3]\n", "t.gs")
    r = run("t.gs", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == "t.gs:1:1: shape mismatch: matmul of shapes (1, 2) and (3,)\n"


def test_unknown_file_and_unknown_output_name(tmp_path):
    r = run(tmp_path / "nope.gs")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == f"{tmp_path / 'nope.gs'}: no such file\n"
    r = run(GROSSE, "--output", "w")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == f"{GROSSE}: --output w: no node of that name (names: a, b, c, x, y, z)\n"


@pytest.mark.parametrize("names", [["x", "w1_2", "loss"], ["x", "é", "a b", 'q"uote', "t\\ab"],
                                   ["ü"], ["_", "if"]])
def test_eval_json_is_json_dumps_of_the_same_rows(names):
    """``--json`` is written directly (a network's rows are too many for the encoder's general
    path): it is the text ``json.dumps`` makes of the same rows, whatever the names (plain,
    not ASCII, needing escapes) and values (floats, non-finite, arrays, no gradient)."""
    import numpy as np

    from graphstudio.cli import _json, json_text

    values = [0.5, float("nan"), np.array([[1.0, -2.5], [float("inf"), 3.0]]), -0.0, 1e300]
    grads = [1.0, None, np.array([[0.25, 0.0], [1.0, -1.0]]), float("-inf"), 2.0]
    ops = ["input", "mul", "matmul", "const", "add"]
    rows = [(name, ops[k % 5], values[k % 5], grads[k % 5]) for k, name in enumerate(names)]
    for seed in (1.0, "sum", [1.0, 2.0]):
        assert json_text("loss", seed, rows) == json.dumps(_json("loss", seed, rows))
    assert json.loads(json_text(None, 1.0, rows))["nodes"].keys() == set(names)
