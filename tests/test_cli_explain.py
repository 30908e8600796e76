"""``graphstudio explain``: text and the exact JSON shapes, on the lectures' examples."""

from __future__ import annotations

import json

import pytest
import sympy

from graphstudio.cli import main
from graphstudio.examples import examples_dir

BRISTOL = str(examples_dir() / "bristol_lecture2.gs")
GROSSE = str(examples_dir() / "grosse_csc311.gs")
SEOUL = str(examples_dir() / "seoul_mlp_l2.gs")


def run(capsys, *argv):
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def strict_json(text: str):
    """JSON without the non-standard NaN/Infinity literals."""
    def refuse(name):
        raise ValueError(f"bare {name} in JSON")
    return json.loads(text, parse_constant=refuse)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_paths_json_bristol_exact_shape(capsys):
    code, out, err = run(capsys, BRISTOL, "--paths", "f", "--json")
    assert code == 0 and err == ""
    data = strict_json(out)
    assert list(data) == ["input", "output", "paths", "total", "grad", "multiplications"]
    assert data["input"] == "f" and data["output"] == "a"
    assert all(list(p) == ["nodes", "product"] for p in data["paths"])
    got = sorted((p["nodes"], p["product"]) for p in data["paths"])
    # Bristol lecture 2: path1 g·1·c = 20, path2 g·1·b = 30, path3 1·1·c = 10
    assert got == [(["f", "d", "b", "a"], 10.0), (["f", "e", "b", "a"], 20.0),
                   (["f", "e", "c", "a"], 30.0)]
    assert data["total"] == 60.0 and data["grad"] == 60.0
    assert data["multiplications"] == {"paths": 6, "backprop": 7}


def test_paths_text_bristol(capsys):
    code, out, _err = run(capsys, BRISTOL, "--paths", "f")
    assert code == 0
    assert "3 paths from f to a" in out
    assert "f → e → b → a  2 · 1 · 10" in out
    assert "sum over paths = 60" in out and "backprop da/df = 60  ✓ equal" in out
    assert "sum over paths: 6" in out and "backprop:       7" in out


def test_paths_of_a_ladder_are_counted(tmp_path, capsys):
    lines = ["x0 = 3"]
    for i in range(60):
        lines += [f"l{i} = x{i} * 0.5", f"r{i} = x{i} * 0.5", f"x{i + 1} = l{i} + r{i}"]
    path = write(tmp_path, "ladder.gs", "\n".join(lines) + "\n")
    code, out, _err = run(capsys, path, "--paths", "x0", "--json")
    assert code == 0
    data = strict_json(out)
    assert data["paths"] == [] and data["count"] == 2**60
    assert data["total"] == pytest.approx(1.0) and data["grad"] == pytest.approx(1.0)
    assert data["multiplications"] == {"paths": 2**60 * 119, "backprop": 240}
    code, out, _err = run(capsys, path, "--paths", "x0")
    assert f"{2**60} paths from x0 to x60: too many to list" in out


def test_check_json_exact_shape(capsys):
    code, out, _err = run(capsys, BRISTOL, "--check", "--json")
    assert code == 0
    data = strict_json(out)
    assert list(data) == ["inputs"] and list(data["inputs"]) == ["f", "g"]
    for entry in data["inputs"].values():
        assert list(entry) == ["backprop", "numeric", "rel_error", "ok", "note"]
        assert entry["ok"] is True and entry["note"] == "" and entry["rel_error"] < 1e-6
    assert data["inputs"]["f"]["backprop"] == 60.0  # 2fg² + 2fg + 5g + 2
    assert data["inputs"]["g"]["backprop"] == 100.0  # 2f²g + f² + 5f
    assert data["inputs"]["f"]["numeric"] == pytest.approx(60.0, rel=1e-6)


def test_check_names_the_relu_kink(tmp_path, capsys):
    path = write(tmp_path, "relu0.gs", "x = 0\nh = relu(x)\ny = 3 * h\n")
    code, out, _err = run(capsys, path, "--check", "--json")
    entry = strict_json(out)["inputs"]["x"]
    assert entry["ok"] is False and entry["backprop"] == 0.0
    assert entry["numeric"] == pytest.approx(1.5)
    assert entry["note"].startswith("kink: h = relu(x) at 0")
    code, out, _err = run(capsys, path, "--check")
    assert code == 0 and "✗" in out and "kink: h = relu(x) at 0" in out and "1 of 1 disagree" in out


def test_check_json_keeps_non_finite_numbers_valid(tmp_path, capsys):
    # sqrt at 0: backprop 1/(2·0) = inf, the central difference needs sqrt(-h) = nan.
    path = write(tmp_path, "sqrt0.gs", "x = 0\ny = sqrt(x)\n")
    code, out, _err = run(capsys, path, "--check", "--json")
    entry = strict_json(out)["inputs"]["x"]
    assert entry["backprop"] == "inf" and entry["ok"] is False and entry["note"] == "not finite"


def test_node_ledger_grosse(capsys):
    code, out, _err = run(capsys, GROSSE, "--node", "b")
    assert code == 0
    assert "∂x/∂b = 1" in out and "∂y/∂b = 1" in out
    assert "dz/db = 7·1 + 2·1 = 9" in out and "✓ equal" in out


def test_node_ledger_json(capsys):
    code, out, _err = run(capsys, GROSSE, "--node", "b", "--json")
    data = strict_json(out)
    assert data["node"] == "b" and data["output"] == "z"
    assert [(t["successor"], t["upstream"], t["local"], t["contribution"]) for t in data["terms"]] \
        == [("x", 7.0, 1.0, 7.0), ("y", 2.0, 1.0, 2.0)]
    assert data["sum"] == 9.0 and data["grad"] == 9.0


def test_node_ledger_of_an_array_shows_the_jacobian(capsys):
    code, out, _err = run(capsys, SEOUL, "--node", "h")
    assert code == 0
    assert "∂yhat/∂h = vᵀ" in out and "[[0.6 -0.2 0.4]]" in out  # the 1×3 Jacobian
    assert "vector-Jacobian products" in out and "✓ equal" in out


def test_symbolic_bristol(capsys):
    code, out, _err = run(capsys, BRISTOL, "--symbolic", "--json")
    assert code == 0
    data = strict_json(out)
    f, g = sympy.symbols("f g", real=True)
    formula = sympy.sympify(data["gradients"]["f"]["formula"], locals={"f": f, "g": g})
    assert sympy.simplify(formula - (2 * f * g**2 + 2 * f * g + 5 * g + 2)) == 0
    assert data["gradients"]["f"]["value"] == 60.0 and data["gradients"]["f"]["backprop"] == 60.0
    assert data["gradients"]["f"]["latex"] == "2 f g^{2} + 2 f g + 5 g + 2"
    code, out, _err = run(capsys, BRISTOL, "--symbolic")
    assert "2*f*g**2 + 2*f*g + 5*g + 2" in out
    assert "\\frac{\\partial a}{\\partial f} = 2 f g^{2} + 2 f g + 5 g + 2" in out


def test_symbolic_of_arrays_gives_a_formula_per_element(capsys):
    code, out, err = run(capsys, SEOUL, "--symbolic", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    v = data["gradients"]["v"]
    assert len(v["value"]) == 3 and v["value"] == pytest.approx(v["backprop"], rel=1e-9)
    assert len(v["formula"]) == 3 and "v_0" in v["formula"][0]
    assert v["latex"].startswith("\\left[\\begin{matrix}")


def test_several_sections_in_json_are_keyed(capsys):
    code, out, _err = run(capsys, GROSSE, "--node", "b", "--paths", "b", "--json")
    data = strict_json(out)
    assert list(data) == ["node", "paths"]
    assert data["node"]["sum"] == 9.0 and data["paths"]["total"] == 9.0


def test_output_option(capsys):
    code, out, _err = run(capsys, GROSSE, "--output", "y", "--paths", "b", "--json")
    data = strict_json(out)
    assert data["output"] == "y" and data["paths"] == [{"nodes": ["b", "y"], "product": 1.0}]


@pytest.mark.parametrize("argv,needle", [
    (["--node", "nope"], "--node nope: no node of that name"),
    (["--paths", "nope"], "--paths nope: no node of that name"),
    (["--output", "nope"], "--output nope: no node of that name"),
    (["--node", "3"], "3 is a constant"),
])
def test_bad_names_give_one_line_and_status_1(capsys, argv, needle):
    code, out, err = run(capsys, BRISTOL, *argv)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err and "Traceback" not in err


def test_unknown_file(capsys, tmp_path):
    missing = str(tmp_path / "missing.gs")
    code, out, err = run(capsys, missing)
    assert code == 1 and out == "" and err.strip() == f"{missing}: no such file"


@pytest.mark.parametrize("path", sorted(examples_dir().glob("*.gs")), ids=lambda p: p.stem)
def test_overview_of_every_example(capsys, path):
    code, out, err = run(capsys, str(path))
    assert code == 0, err
    assert "Gradient check of" in out and "--paths INPUT" in out
    code, out, _err = run(capsys, str(path), "--json")
    data = strict_json(out)
    assert set(data) == {"output", "value", "symbolic", "check"}
    assert all(e["ok"] for e in data["check"]["inputs"].values())


def test_overview_text_bristol(capsys):
    code, out, _err = run(capsys, BRISTOL)
    assert out.startswith("a = 150\n")  # a = b·c = 15·10
    assert "2*f*g**2 + 2*f*g + 5*g + 2" in out and "all gradients agree" in out


def test_a_json_document_explains_like_its_gs(tmp_path, capsys):
    from graphstudio.io import open_document
    from graphstudio.io.document import save

    path = tmp_path / "bristol.json"
    save(path, open_document(BRISTOL).graph)
    code, out, _err = run(capsys, str(path), "--paths", "f", "--json")
    assert code == 0 and strict_json(out)["total"] == 60.0


def test_the_overview_leaves_the_formulas_of_arrays_to_symbolic(capsys):
    code, out, _err = run(capsys, SEOUL)
    assert code == 0
    assert "(no formulas: x is an array; --symbolic writes a formula per element)" in out
    code, out, _err = run(capsys, SEOUL, "--json")
    assert json.loads(out)["symbolic"] is None
