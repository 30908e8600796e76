"""Words on a slide (tools/slide_text.py): every shipped example and the New Network defaults,
exported to PDF by the command line and fitted to a 1920×1080 slide, have every word at least
14 px high and a median of at least 18 px, measured from the PDF with pdftotext -bbox."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys

import pytest

from graphstudio.cli_export import main as export_main
from slide_text_support import GRAPHS, ROOT, graph_file, slide_text

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext is not installed (Debian: poppler-utils)")


@pytest.fixture(scope="module")
def networks(tmp_path_factory, qapp):
    return tmp_path_factory.mktemp("networks")


@pytest.mark.parametrize("name", GRAPHS)
def test_every_word_is_readable_on_a_slide(name, networks, tmp_path):
    pdf = tmp_path / f"{name}.pdf"
    assert export_main([str(graph_file(name, networks)), "-o", str(pdf)]) == 0
    words = slide_text.slide_heights(pdf)
    assert len(words) > 20
    smallest = min(words)
    assert smallest[0] >= slide_text.MIN_WORD, f"{smallest[1]!r} is {smallest[0]:.1f} px high"
    assert statistics.median(h for h, _w in words) >= slide_text.MEDIAN_WORD


def test_the_measure_reads_word_boxes_and_fits_the_page_to_the_slide(tmp_path):
    """A one-node graph fitted to 1920×1080 is scaled up until its height fills the slide, so
    its words are many times their 14-16 px; a long chain is scaled down below 14 px."""
    small = tmp_path / "small.gs"
    small.write_text("a = 2\n")
    long = tmp_path / "long.gs"
    long.write_text("x0 = 1\n" + "".join(f"x{i} = x{i - 1} + 1\n" for i in range(1, 40)))
    for path in (small, long):
        assert export_main([str(path), "-o", str(tmp_path / f"{path.stem}.pdf")]) == 0
    words = slide_text.slide_heights(tmp_path / "small.pdf")
    assert {w for _h, w in words} >= {"a", "2", "input"}
    assert min(h for h, _w in words) > 40
    assert min(h for h, _w in slide_text.slide_heights(tmp_path / "long.pdf")) < 14


def test_the_script_prints_a_line_per_graph_and_fails_on_small_words(tmp_path):
    long = tmp_path / "long.gs"
    long.write_text("x0 = 1\n" + "".join(f"x{i} = x{i - 1} + 1\n" for i in range(1, 40)))
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "slide_text.py"),
                          str(ROOT / "examples" / "grosse_csc311.gs"), str(long)],
                         capture_output=True, text=True, timeout=300)
    lines = run.stdout.splitlines()
    assert any(line.startswith("grosse_csc311") and line.endswith("ok") for line in lines)
    assert any(line.startswith("long") and line.endswith("TOO SMALL") for line in lines)
    assert run.returncode == 1
