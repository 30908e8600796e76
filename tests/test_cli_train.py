"""graphstudio train: progress, final loss, -o, divergence and bad input."""

import re

import numpy as np
import pytest

from graphstudio.cli import main
from graphstudio.core.dataset import load_for_graph
from graphstudio.core.train import Schedule, Trainer
from graphstudio.examples import examples_dir
from graphstudio.io import open_document
from graphstudio.io.gs import parse_file

from new_op import unbatchable  # noqa: F401  (the fixture)

CURVE = str(examples_dir() / "siegen_fit_curve.gs")


def final_loss(out: str) -> float:
    last = out.strip().splitlines()[-1]
    m = re.fullmatch(r"final loss: (\S+)", last)
    assert m, last
    return float(m.group(1))


def initial_loss(out: str) -> float:
    return float(re.search(r"initial loss (\S+)", out).group(1))


@pytest.mark.parametrize("name, args", [
    ("siegen_fit_curve.gs", ["--steps", "60", "--lr", "0.5"]),
    ("seoul_sgd_l2.gs", ["--steps", "40", "--lr", "0.5", "--batch", "8"]),
    ("cmu11785_classify.gs", ["--steps", "30", "--lr", "0.5"]),
])
def test_prints_progress_and_final_loss(capsys, name, args):
    assert main(["train", str(examples_dir() / name)] + args) == 0
    out = capsys.readouterr().out
    assert final_loss(out) < 0.7 * initial_loss(out)
    steps = re.findall(r"^step (\d+)/\d+  loss \S+  lr \S+$", out, re.M)
    assert 2 <= len(steps) <= 12  # plain periodic lines when stdout is not a terminal
    assert steps[-1] == args[1]


def test_schedule_on_the_command_line(capsys):
    assert main(["train", CURVE, "--steps", "40", "--lr", "0.5", "--lr-steps", "20:0.1"]) == 0
    out = capsys.readouterr().out
    assert "step 20/40  loss" in out and re.search(r"step 20/40 .* lr 0\.5$", out, re.M)
    assert re.search(r"step 40/40 .* lr 0\.1$", out, re.M)
    assert "lr 0.5, 0.1 after step 20" in out


@pytest.mark.parametrize("suffix", [".gs", ".json"])
def test_writes_the_trained_graph_that_loads_back(tmp_path, capsys, suffix):
    out_file = tmp_path / f"trained{suffix}"
    assert main(["train", CURVE, "--steps", "25", "--lr", "0.5", "-o", str(out_file)]) == 0
    printed = final_loss(capsys.readouterr().out.replace(f"wrote {out_file}\n", ""))
    # the same run done here, directly
    g = parse_file(CURVE)
    t = Trainer(g, load_for_graph(g, examples_dir()), schedule=Schedule(0.5))
    list(t.run(25))
    back = open_document(out_file).graph
    for node, value in t.parameters().items():
        name = g.label(node)
        np.testing.assert_allclose(back.value(back.by_name(name)), value, rtol=1e-12)
        assert not np.allclose(back.value(back.by_name(name)), g.value(node))
    assert back.node(back.by_name("x")).data == "x"
    # the dataset path still names the CSV from the new folder
    reloaded = Trainer(back, load_for_graph(back, tmp_path))
    assert reloaded.initial_loss == pytest.approx(printed, rel=1e-5)


def test_divergence_exits_1_with_a_message_and_writes_nothing(tmp_path, capsys):
    out_file = tmp_path / "x.gs"
    assert main(["train", CURVE, "--steps", "50", "--lr", "100", "-o", str(out_file)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{CURVE}: training diverged at step ")
    assert "learning rate 100 is probably too large" in err
    assert not out_file.exists()


@pytest.mark.parametrize("args, message", [
    (["train", str(examples_dir() / "grosse_csc311.gs")], "grosse_csc311.gs: nothing to train"),
    (["train", CURVE, "--lr-steps", "30"], "--lr/--lr-steps: '30': expected STEPS:RATE"),
    (["train", CURVE, "--lr", "-1"], "a learning rate must be a positive number"),
    (["train", CURVE, "-o", "out.png"], "out.png: unknown output type '.png'; write .gs, .json, .graphml or .nodelink.json"),
    (["train", CURVE, "--batch", "0"], "the batch size must be at least 1"),
    (["train", CURVE, "--output", "nope"], "--output nope: no node of that name"),
    (["train", "missing.gs"], "missing.gs: no such file"),
])
def test_bad_input_is_one_line_and_status_1(capsys, args, message):
    assert main(args) == 1
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_csv_errors_name_file_and_line(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("x,y\n1,2\n3,oops\n")
    (tmp_path / "g.gs").write_text('dataset("d.csv")\nx = data("x")\ny = data("y")\n'
                                   "w = param(1)\nL = (w * x - y) ** 2\n")
    assert main(["train", str(tmp_path / "g.gs")]) == 1
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'd.csv'}:3: column 'y': 'oops' is not a number"


class _Terminal:
    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass

    def isatty(self):
        return True


def test_progress_bar_on_a_terminal(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr("sys.stdout", term)
    assert main(["train", CURVE, "--steps", "20", "--lr", "0.5"]) == 0
    text = "".join(term.parts)
    bars = re.findall(r"\r\[([#.]+)\] step (\d+)/20", text)
    assert len(bars) == 20  # redrawn in place every step
    assert bars[-1][0] == "#" * len(bars[-1][0])  # full at the end
    assert "." in bars[0][0]
    assert re.search(r"\n(final loss: \S+)\n$", text)


def test_says_when_it_evaluates_one_example_at_a_time(tmp_path, capsys, unbatchable):
    (tmp_path / "d.csv").write_text("x,y\n1,2\n2,3\n-1,0.5\n")
    graph = tmp_path / "g.gs"
    graph.write_text('dataset("d.csv")\nx = data("x")\ny = data("y")\nw = param(0.5)\n'
                     "L = (spread(w * x) - y) ** 2\n")
    assert main(["train", str(graph), "--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^one example at a time, not the whole batch at once: .*spread has no "
                     r"rule for a batch of examples", out, re.M), out
    assert final_loss(out) < initial_loss(out)
    (tmp_path / "batched.gs").write_text(graph.read_text().replace("spread(w * x)", "w * x + 1"))
    assert main(["train", str(tmp_path / "batched.gs"), "--steps", "3"]) == 0
    assert "one example at a time" not in capsys.readouterr().out
