"""``stop_gradient(x)``: x's value, a local derivative of 0, and every teaching view saying
why (the registry entry's note), the gradient check holding it fixed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from export_support import svg_texts
from graphstudio.cli import main
from graphstudio.core import explain as ex
from graphstudio.core.engine import evaluate
from graphstudio.io.gs import parse_text, write_text
from graphstudio.render.export import ExportSettings, export_graph
from graphstudio.render.picture import step_pictures

TEXT = "x = 3\ny = x * x\nu = stop_gradient(y)\nz = u * x\n"
NOTE = "stop_gradient: ∂u/∂y taken as 0; the value passes, the gradient does not"


def setup():
    g = parse_text(TEXT)
    return g, evaluate(g), {n: g.by_name(n) for n in "xyuz"}


def test_the_value_passes_and_the_gradient_stops():
    g, ev, n = setup()
    assert ev.values[n["u"]] == 9.0 and ev.values[n["z"]] == 27.0
    assert ev.grads[n["y"]] == 0.0 and ev.grads[n["u"]] == 3.0
    assert ev.grads[n["x"]] == 9.0  # u, not d(x³)/dx = 27
    assert ev.formula(n["y"], n["u"], 0) == "∂u/∂y = 0"
    # a NaN upstream still sends exactly 0 back
    nan = parse_text("x = 2\nu = stop_gradient(x)\nz = u * log(0 - 1)")
    assert evaluate(nan).grads[nan.by_name("x")] == 0.0


def test_the_ledger_the_paths_and_the_captions_say_why():
    g, ev, n = setup()
    (term,) = ex.ledger(ev, n["y"]).terms
    assert term.note == NOTE and term.contribution == 0.0
    ps = ex.paths(ev, n["x"])
    stopped = [p for p in ps.paths if n["u"] in p.nodes]
    assert len(stopped) == 2 and all(p.notes == (NOTE,) and p.product == 0.0 for p in stopped)
    assert [p.notes for p in ps.paths if n["u"] not in p.nodes] == [()]
    assert ps.total == ps.grad == 9.0
    captions = {p.caption for p in step_pictures(g, ev, {})}
    assert f"Backward pass, step 3 of 4: ∂z/∂y = 3 × 0 = 0 ({NOTE})" in captions


def test_the_gradient_check_holds_it_fixed_and_says_so():
    g, ev, n = setup()
    (entry,) = ex.check(ev)
    assert entry.ok and entry.numeric == pytest.approx(9.0)  # not 27: u held at 9
    assert entry.note == "holds u = stop_gradient(y) fixed (no gradient flows through it, by definition)"
    # arrays, and an input with no stop on its way gets no note
    g2 = parse_text("x = [0.5, 1, 2]\nw = 2\ny = x * x\nz = sum(stop_gradient(y) * x * w)")
    entries = {e.label: e for e in ex.check(evaluate(g2))}
    assert entries["x"].ok and entries["w"].ok and entries["w"].note == ""
    np.testing.assert_allclose(entries["x"].numeric, 2 * np.array([0.25, 1.0, 4.0]), rtol=1e-6)


def test_the_symbolic_view_differentiates_it_as_zero():
    g, ev, n = setup()
    s = ex.symbolic(ev)
    assert str(s.expr) == "x*stop_gradient(x**2)"
    assert str(s.gradients[n["x"]]) == "stop_gradient(x**2)"
    assert s.gradient_values[n["x"]] == 9.0
    assert s.gradient_latex[n["x"]] == r"\operatorname{stop\_gradient}\left(x^{2}\right)"


def test_written_back_drawn_and_exported(tmp_path):
    g, ev, n = setup()
    assert write_text(g) == TEXT
    (svg,) = export_graph(g, ev, tmp_path / "g.svg", ExportSettings(edge_labels=True))
    texts = svg_texts(svg)
    assert "stop ∇" in texts and "∂u/∂y = 0" in texts


def test_explain_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "sg.gs"
    path.write_text(TEXT, encoding="utf-8")
    assert main(["explain", str(path), "--node", "y", "--paths", "x"]) == 0
    out = capsys.readouterr().out
    assert f"via u: {NOTE}" in out and f"path 1: {NOTE}" in out
    assert main(["explain", str(path), "--node", "y", "--json"]) == 0
    (term,) = json.loads(capsys.readouterr().out)["terms"]
    assert term["note"] == NOTE and term["local"] == 0.0
