"""A vector output's backward pass says what it seeds: ones (the sum of the elements) by
default, or the seed the user gives with ``seed(z, [...])``; every view uses the same seed.

The numbers are d2l's (Dive into Deep Learning, 2.5.2 "Backward for Non-Scalar Variables"):
for x = [0, 1, 2, 3] and y = x * x, ``y.backward(gradient=torch.ones(len(y)))`` gives
x.grad = [0, 2, 4, 6].
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from export_support import svg_texts
from graphstudio.cli import main
from graphstudio.core import explain as ex
from graphstudio.core.engine import evaluate
from graphstudio.io.document import from_json, to_json
from graphstudio.io.gs import ParseError, parse_text, write_text
from graphstudio.render.export import export_graph
from graphstudio.render.picture import build_picture, step_pictures

D2L = "x = [0, 1, 2, 3]\ny = x * x\n"


def test_an_array_output_is_seeded_with_ones_and_says_so():
    g = parse_text(D2L)
    ev = evaluate(g)
    x, y = g.by_name("x"), g.by_name("y")
    np.testing.assert_array_equal(ev.grads[x], [0.0, 2.0, 4.0, 6.0])  # d2l's x.grad
    assert ev.seeds_sum and not ev.seed_given
    np.testing.assert_array_equal(ev.seed, np.ones(4))
    assert ev.seed_text() == "sum of the elements"
    # a number output says nothing: its seed is the plain 1
    scalar = evaluate(parse_text("a = 2\nb = a * a"))
    assert scalar.seed == 1.0 and scalar.seed_text() == "" and not scalar.seeds_sum


def test_a_given_seed_starts_the_backward_pass():
    g = parse_text(D2L + "seed(y, [0, 1, 0, 0])\n")
    ev = evaluate(g)
    x = g.by_name("x")
    np.testing.assert_array_equal(ev.grads[x], [0.0, 2.0, 0.0, 0.0])  # d y[1] / dx
    assert ev.seed_given and not ev.seeds_sum and ev.seed_text() == "[0 1 0 0]"
    # a number output may be seeded too: every gradient is scaled
    two = parse_text("a = 3\nb = a * a\nseed(b, 2)")
    assert evaluate(two).grads[two.by_name("a")] == 12.0


def test_every_view_uses_the_same_seed():
    g = parse_text("x = [0.5, 1, 2]\ny = x * x * x\nseed(y, [1, -2, 0.5])\n")
    ev = evaluate(g)
    x, y = g.by_name("x"), g.by_name("y")
    want = np.array([1.0, -2.0, 0.5]) * 3 * np.array([0.5, 1.0, 2.0]) ** 2
    np.testing.assert_allclose(ev.grads[x], want)
    (entry,) = ex.check(ev)  # the central difference of Σ seedᵢ·yᵢ
    assert entry.ok, entry
    np.testing.assert_allclose(entry.numeric, want, rtol=1e-6)
    assert ex.forward_mode(ev, x).agrees
    np.testing.assert_allclose(ex.forward_mode(ev, x).forward, want)
    ps = ex.paths(ev, x)
    assert ps.agrees and ps.count == 3
    led = ex.ledger(ev, y)
    np.testing.assert_array_equal(led.total, [1.0, -2.0, 0.5])
    assert "given seed [1 -2 0.5]" in led.note
    assert "sum of its elements" in ex.ledger(evaluate(parse_text(D2L)), 1).note


def test_a_seed_of_the_wrong_shape_is_a_warning_on_the_output_and_no_gradient():
    g = parse_text(D2L + "seed(y, [1, 0])\n")
    ev = evaluate(g)
    y = g.by_name("y")
    (warning,) = ev.warnings
    assert warning.node == y and warning.kind == "seed" and not warning.fatal
    assert warning.message == ("the seed [1 0] is a vector of 2, but the output is a vector of "
                               "4: a seed has the output's shape")
    np.testing.assert_array_equal(ev.values[y], [0.0, 1.0, 4.0, 9.0])  # values are kept
    assert ev.grads[g.by_name("x")] is None and ev.seed is None
    assert ex.check(ev) == []
    with pytest.raises(ex.ExplainError, match="no gradients: the seed"):
        ex.paths(ev, g.by_name("x"))


@pytest.mark.parametrize("text,message", [
    ("seed(q, 1)", "<text>:3:6: seed(): 'q' is not assigned above"),
    ("seed(y)", "<text>:3:1: seed() takes a node and a value of its shape"),
    ("seed(y, x)", "<text>:3:9: seed() takes a node and a value of its shape"),
    ("seed(y, [1, 1, 1, 1], 2)", "<text>:3:1: seed() takes a node and a value"),
    ("z = seed(y, 1)", "<text>:3:5: seed() stands on a line of its own"),
    ("seed(y, 1)\nseed(y, 2)", "<text>:4:1: a second seed() for y"),
    ("seed = 2", "<text>:3:1: 'seed' cannot name a node"),  # (a name the file does not call is
])                                                           # fine: see the next test)
def test_seed_errors_are_located(text, message):
    if text == "seed = 2":
        text += "\nseed(y, 1)"
    with pytest.raises(ParseError) as exc:
        parse_text(D2L + text)
    assert str(exc.value).startswith(message)


def test_seed_is_a_name_where_the_file_calls_no_seed():
    g = parse_text("seed = 4\nz = seed * 2")
    assert evaluate(g).grads[g.by_name("seed")] == 2.0


def test_the_seed_survives_the_text_and_the_document():
    text = D2L + "seed(y, [0, 1, 0, 0])\n"
    g = parse_text(text)
    assert write_text(g) == text
    back = from_json(json.loads(json.dumps(to_json(g)))).graph
    np.testing.assert_array_equal(back.node(back.by_name("y")).seed, [0, 1, 0, 0])
    # an unnamed output gets a name so that its seed can be written
    g2 = parse_text("x = [1, 2]\ns = x * 2")
    s = g2.by_name("s")
    g2.rename(s, None)
    g2.set_attr(s, "seed", [1.0, 0.0])
    again = parse_text(write_text(g2))
    np.testing.assert_array_equal(evaluate(again).grads[again.by_name("x")], [2.0, 0.0])


def test_the_canvas_the_exports_and_the_captions_name_the_seed(tmp_path):
    g = parse_text(D2L)
    ev = evaluate(g)
    y = g.by_name("y")
    view = build_picture(g, ev, {}).nodes[y]
    assert view.seed_text == "seed: sum of the elements"
    assert build_picture(g, ev, {}).nodes[g.by_name("x")].seed_text == ""
    (svg,) = export_graph(g, ev, tmp_path / "y.svg")
    assert "seed: sum of the elements" in svg_texts(svg)
    (tex,) = export_graph(g, ev, tmp_path / "y.tex")
    assert r"\scriptsize seed: sum of the elements" in tex.read_text(encoding="utf-8")
    first_backward = [p for p in step_pictures(g, ev, {}) if p.meta["phase"] == "backward"][0]
    assert first_backward.caption == ("Backward pass, step 1 of 2: ∂y/∂y = [1 1 1 1] "
                                      "(seed: the sum of y's elements)")
    given = parse_text(D2L + "seed(y, [0, 1, 0, 0])")
    gev = evaluate(given)
    assert build_picture(given, gev, {}).nodes[y].seed_text == "seed: [0 1 0 0]"
    # hiding gradients hides the seed line too
    assert build_picture(g, ev, {}, show_grad=False).nodes[y].seed_text == ""


def test_eval_json_and_table_say_what_was_seeded(tmp_path, capsys):
    path = tmp_path / "d2l.gs"
    path.write_text(D2L, encoding="utf-8")
    assert main(["eval", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seed"] == "sum" and data["nodes"]["x"]["grad"] == [0.0, 2.0, 4.0, 6.0]
    assert main(["eval", str(path)]) == 0
    assert ("seed: sum of the elements (the gradients are those of the sum of y's elements)"
            in capsys.readouterr().out)
    path.write_text(D2L + "seed(y, [0, 1, 0, 0])\n", encoding="utf-8")
    assert main(["eval", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["seed"] == [0.0, 1.0, 0.0, 0.0]
    scalar = tmp_path / "s.gs"
    scalar.write_text("a = 2\nb = a * a\n", encoding="utf-8")
    assert main(["eval", str(scalar), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["seed"] == 1.0
    path.write_text(D2L + "seed(y, [1, 0])\n", encoding="utf-8")
    assert main(["eval", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:2: warning: y: the seed [1 0] is a vector of 2" in err
