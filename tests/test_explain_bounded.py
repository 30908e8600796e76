"""``graphstudio explain`` answers within seconds (issue 9): formulas too large to show are
said to be, with the reason, before sympy starts (a tower of powers, a chain whose formula
doubles at each line), and a derivation that still runs too long is ended."""

from __future__ import annotations

import multiprocessing

import pytest

from graphstudio import cli_explain
from graphstudio.cli import main

CHAIN = "x = 0.5\ny = 1.5\nh0 = x\n" + "".join(
    f"h{i} = sin(h{i - 1}) * y + exp(h{i - 1}) * h{i - 1}\n" for i in range(1, 7))


def explain(capsys, tmp_path, text: str, *options: str) -> tuple[int, str, str]:
    path = tmp_path / "g.gs"
    path.write_text(text)
    status = main(["explain", str(path), *options])
    out, err = capsys.readouterr()
    return status, out, err.replace(f"{path}", "g.gs")


@pytest.mark.parametrize("text, reason", [
    ("a = 2\nb = a * 10 ** 10 ** 10\n",
     "u5 (line 2) = 10 ** 10000000000 is an exact number of about 1e+10 digits (at most 1,000)"),
    ("a = 2\nb = 2 ** 10000000 * a\n",
     "u3 (line 2) = 2 ** 10000000 is an exact number of about 3.01e+06 digits (at most 1,000)"),
    (CHAIN, "u31 (line 9) written out as a formula of the inputs holds about 2,426 operations "
            "(at most 2,000); each use of a node writes its formula out again"),
])
def test_formulas_too_large_to_show_are_refused_with_the_reason(capsys, tmp_path, text, reason):
    status, out, err = explain(capsys, tmp_path, text, "--symbolic")
    assert status == 1 and out == ""
    assert err.splitlines()[-1] == f"g.gs: too large to show symbolically: {reason}"


def test_the_overview_says_why_there_are_no_formulas_and_still_checks(capsys, tmp_path):
    status, out, _err = explain(capsys, tmp_path, CHAIN)
    assert status == 0
    assert "(no formulas: too large to show symbolically: u31 (line 9) written out" in out
    assert "Gradient check of h6: backprop against central differences" in out


def test_a_derivation_past_the_time_limit_is_ended(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_explain, "SYMBOLIC_SECONDS", 0.05)
    status, out, err = explain(capsys, tmp_path, CHAIN.split("h5 =")[0], "--symbolic", "--json")
    assert status == 1 and out == ""
    assert err.splitlines()[-1] == ("g.gs: too large to show symbolically: the formulas were not "
                                    "derived within 0.05 s (sympy's simplification of a large "
                                    "formula can take much longer)")
    assert multiprocessing.active_children() == []  # the worker is gone


def test_formulas_within_the_limits_come_from_the_worker(capsys, tmp_path):
    status, out, err = explain(capsys, tmp_path, "f = 4\ng = 2\ne = f * g\nd = 3 + f\n"
                               "c = e + 2\nb = d + e\na = b * c\n", "--symbolic")
    assert (status, err) == (0, "")
    assert "2*f*g**2 + 2*f*g + 5*g + 2" in out  # Bristol's da/df
