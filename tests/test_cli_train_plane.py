"""graphstudio train --holdout and --plane: the held-out loss beside the training loss, and
the trained output over the input plane as a PNG."""

import re

import numpy as np
import pytest

from graphstudio.cli import main
from graphstudio.core.dataset import load_for_graph
from graphstudio.core.train import TrainingSettings, Schedule
from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file

CLASSIFY = examples_dir() / "cmu11785_classify.gs"


def test_holdout_prints_both_losses_the_trainer_computes(capsys):
    assert main(["train", str(CLASSIFY), "--steps", "25", "--lr", "0.5", "--holdout", "0.25",
                 "--seed", "4"]) == 0
    out = capsys.readouterr().out
    g = parse_file(CLASSIFY)
    t = TrainingSettings(25, Schedule(0.5), None, 4, 0.25).trainer(g, load_for_graph(g, CLASSIFY.parent))
    list(t.run(25))
    assert re.search(r"on 30 examples .*10 held out", out)
    assert float(re.search(r"^final loss: (\S+)$", out, re.M).group(1)) == pytest.approx(t.loss(), rel=1e-5)
    held = re.search(r"^held-out loss: (\S+) \(10 rows not trained on\)$", out, re.M)
    assert float(held.group(1)) == pytest.approx(t.held_out_loss(), rel=1e-5)
    steps = re.findall(r"^step \d+/25  loss \S+  lr 0.5  held-out (\S+)$", out, re.M)
    assert steps and float(steps[-1]) == pytest.approx(t.history[-1].held_out_loss, rel=1e-5)


def test_plane_writes_a_png_of_both_classes(tmp_path, capsys):
    from PySide6.QtGui import QImage

    out = tmp_path / "plane.png"
    assert main(["train", str(CLASSIFY), "--steps", "100", "--lr", "0.5", "--plane", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    image = QImage(str(out))
    assert (image.width(), image.height()) == (520, 440)
    pixels = np.array([[image.pixelColor(x, y).getRgb()[:3] for x in range(0, 520, 8)]
                       for y in range(0, 440, 8)])
    from graphstudio.render.plane import BACKGROUND_STRENGTH
    from graphstudio.render.style import THEMES, diverging

    def near(level):  # the heat map's colour of a confident class (probability near 0 or 1)
        c = diverging(THEMES["light"], level * BACKGROUND_STRENGTH)
        rgb = [int(c[i:i + 2], 16) for i in (1, 3, 5)]
        return np.all(np.abs(pixels - rgb) < 25, axis=-1).sum()

    assert near(-1.0) > 400 and near(1.0) > 400  # both classes' regions, each a good share


@pytest.mark.parametrize("args, message", [
    (["examples/siegen_fit_curve.gs", "--plane", "OUT.png"],
     "--plane: .*siegen_fit_curve.gs: the output over the input plane needs two input columns"),
    ([str(CLASSIFY), "--plane", "OUT.jpg"], "--plane .*out.jpg: the picture is a PNG"),
    ([str(CLASSIFY), "--holdout", "0.95"], "--holdout 0.95: the share of rows held out must be "
                                            "between 0 and 0.9"),
])
def test_bad_plane_or_holdout_is_one_line_and_status_1(tmp_path, capsys, args, message):
    args = [a.replace("OUT", str(tmp_path / "out")).replace("examples/", str(examples_dir()) + "/")
            for a in args]
    assert main(["train"] + args) == 1
    err = capsys.readouterr().err
    assert re.search(message, err) and "Traceback" not in err
    assert not list(tmp_path.iterdir())
