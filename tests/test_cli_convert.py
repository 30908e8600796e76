"""``graphstudio convert``: every readable format to every written one, keeping every value and
gradient; the format from the name or ``--format``; notes for what a format leaves out; one
clear line with exit status 1 for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graphstudio.cli import main
from graphstudio.io.formats import readers, writers

ROOT = Path(__file__).resolve().parent.parent
BRISTOL = ROOT / "examples" / "bristol_lecture2.gs"
SUFFIXES = {"gs": ".gs", "json": ".json", "graphml": ".graphml", "nodelink": ".nodelink.json",
            "dot": ".dot"}


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main(["convert", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def evaluated(capsys, path) -> dict:
    assert main(["eval", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_formats_are_the_registry_s():
    assert sorted(SUFFIXES) == sorted(f.name for f in writers())


@pytest.mark.parametrize("first", [f.name for f in readers()])
@pytest.mark.parametrize("second", [f.name for f in readers()])
def test_every_pair_of_formats_round_trips_bristol(capsys, tmp_path, first, second):
    """.gs -> first -> second -> .json: every value and gradient as the lecture has them."""
    a, b, c = (tmp_path / f"a{SUFFIXES[first]}", tmp_path / f"b{SUFFIXES[second]}",
               tmp_path / "c.json")
    for src, dst in ((BRISTOL, a), (a, b), (b, c)):
        status, out, err = run(capsys, src, "-o", dst)
        assert (status, out) == (0, ""), err
    nodes = evaluated(capsys, c)["nodes"]
    assert nodes["f"] == {"op": "input", "value": 4.0, "grad": 60.0}  # da/df = 25·2 + 10·1
    assert nodes["g"]["grad"] == 100.0 and nodes["a"]["value"] == 150.0
    assert nodes == evaluated(capsys, BRISTOL)["nodes"]


def test_a_format_that_keeps_less_says_so(capsys, tmp_path):
    status, _, err = run(capsys, BRISTOL, "-o", tmp_path / "g.dot")
    assert status == 0
    assert err == f"{tmp_path / 'g.dot'}: note: Graphviz DOT keeps a drawing of the graph with its values and gradients\n"
    assert "∇ 60" in (tmp_path / "g.dot").read_text()
    assert run(capsys, BRISTOL, "-o", tmp_path / "g.json")[2] == ""  # the document keeps all


def test_format_option_picks_node_link_for_a_json_name(capsys, tmp_path):
    out = tmp_path / "for_networkx.json"
    assert run(capsys, BRISTOL, "-o", out, "--format", "nodelink")[0] == 0
    data = json.loads(out.read_text())
    assert "format_version" not in data and data["graph"]["grad_of"] == "a"
    assert evaluated(capsys, out)["nodes"]["f"]["grad"] == 60.0  # and it reads back as .json


def test_a_format_s_own_option(capsys, tmp_path):
    out = tmp_path / "g.gs"
    assert run(capsys, BRISTOL, "-o", out, "--header", "from Bristol")[0] == 0
    assert out.read_text().startswith("# from Bristol\n")


def test_what_the_reader_left_out_is_a_note(capsys, tmp_path):
    src = tmp_path / "net.nodelink.json"
    src.write_text(json.dumps({"nodes": [{"id": "a", "op": "input", "value": 2, "colour": "red"},
                                         {"id": "z", "op": "exp"}],
                               "edges": [{"source": "a", "target": "z", "port": 0}]}))
    status, _, err = run(capsys, src, "-o", tmp_path / "z.json")
    assert status == 0
    assert err == f"{src}: note: left out what GraphStudio does not use: node attribute colour (1×)\n"


@pytest.mark.parametrize("argv, says", [
    (["{tmp}/g.png"], "g.png: cannot tell the format from '.png'; write .gs, .json, .graphml, "
                      ".dot or .nodelink.json, or give --format (pictures: graphstudio export)"),
    (["{tmp}/g.gs", "--format", "yaml"], "--format yaml: unknown; choose from gs, json, "
                                         "graphml, dot, nodelink"),
    (["{tmp}/g.json", "--header", "hi"], "--header applies to Expression text files only, not "
                                         "GraphStudio document"),
    (["{tmp}/missing/g.json"], "missing/g.json: the folder"),
    (["{tmp}"], "is a folder; give a file name"),
])
def test_bad_input_is_one_line_and_status_1(capsys, tmp_path, argv, says):
    status, out, err = run(capsys, BRISTOL, "-o", *[a.format(tmp=tmp_path) for a in argv])
    assert status == 1 and out == ""
    assert says in err and err.count("\n") == 1


def test_an_input_that_cannot_be_read_is_one_line(capsys, tmp_path):
    dot = tmp_path / "g.dot"
    run(capsys, BRISTOL, "-o", dot)
    status, _, err = run(capsys, dot, "-o", tmp_path / "g.json")
    assert status == 1 and "GraphStudio writes Graphviz DOT files" in err
    assert not (tmp_path / "g.json").exists()


def test_convert_never_starts_qt(tmp_path):
    code = ("import sys; from graphstudio.cli import main; "
            f"status = main(['convert', {str(BRISTOL)!r}, '-o', {str(tmp_path / 'g.graphml')!r}]); "
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'; "
            "sys.exit(status)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
