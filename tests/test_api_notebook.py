"""The quick-start notebook (docs/notebooks/quickstart.ipynb) run headless by nbclient, in a
Jupyter kernel on this test's own Python, and its outputs read as a person would: the pictures
are there with the values and gradients as text, the printed numbers are the published ones,
the player is there, and the exported file was written."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from export_support import svg_texts

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "quickstart.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after a run in a fresh kernel, with a last cell added (in memory) that
    prints the kernel's Python."""
    folder = tmp_path_factory.mktemp("notebook")
    spec = folder / "jupyter" / "kernels" / "graphstudio-test"
    spec.mkdir(parents=True)
    # a kernel spec of our own, found first through JUPYTER_PATH, so the kernel is this venv's
    # Python whatever kernels the machine has installed
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "GraphStudio tests", "language": "python"}))
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(folder / "jupyter"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    try:
        NotebookClient(nb, timeout=300, kernel_name="graphstudio-test",
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        mp.undo()
    return nb, folder


def outputs(nb, marker: str) -> list:
    """The outputs of the one code cell whose source holds ``marker``."""
    [cell] = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    return cell.outputs


def printed(nb, marker: str) -> str:
    return "".join(o.text for o in outputs(nb, marker) if o.output_type == "stream")


def picture(nb, marker: str) -> list[str]:
    [svg] = [o.data["image/svg+xml"] for o in outputs(nb, marker) if "image/svg+xml" in o.get("data", {})]
    return svg_texts(io.StringIO(svg))


def test_the_kernel_is_this_python(executed):
    nb, _ = executed
    assert printed(nb, "sys.executable").strip() == sys.executable


def test_no_cell_failed(executed):
    nb, _ = executed
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []


def test_the_grosse_picture_holds_the_slides_numbers(executed):
    nb, _ = executed
    texts = picture(nb, "grosse = gs.parse")

    def node(name):
        i = texts.index(name)
        return texts[i + 2], texts[i + 3]  # after the name: its kind or symbol, value, ∇ grad

    # z = (a + b)(b + c) at a = -1, b = 3, c = 4: the slide's values and gradients
    assert [node(n) for n in "abcxyz"] == [("-1", "∇ 7"), ("3", "∇ 9"), ("4", "∇ 2"),
                                           ("2", "∇ 7"), ("7", "∇ 2"), ("14", "∇ 1")]


def test_the_printed_numbers_are_the_published_ones(executed):
    nb, _ = executed
    assert printed(nb, 'results.value("z")').splitlines() == [
        "z = 14.0", "dz/da = 7.0  dz/db = 9.0  dz/dc = 2.0"]
    # micrograd's README prints 24.7041, 138.8338, 645.5773; twice gives the same
    assert printed(nb, "g += 10.0 / f").split() == ["24.7041", "138.8338", "645.5773"]
    assert printed(nb, 'print(f"{a.grad:.4f} {b.grad:.4f}")').split() == ["138.8338", "645.5773"]
    # the lecture's neuron: o = 0.7071, do/dx1 = -1.5, do/dx2 = 0.5, do/dw1 = 1, do/dw2 = 0
    assert printed(nb, "o = gs.tanh").splitlines() == [
        "o = 0.7071", "do/dx1 = -1.5000", "do/dx2 = 0.5000", "do/dw1 = 1.0000", "do/dw2 = 0.0000"]
    texts = picture(nb, "o = gs.tanh")
    assert texts[texts.index("o") + 2:texts.index("o") + 4] == ["0.7071", "∇ 1"]
    assert texts[texts.index("w1") + 2:texts.index("w1") + 4] == ["-3", "∇ 1"]


def test_the_player_and_the_export(executed):
    nb, folder = executed
    [page] = [o.data["text/html"] for o in outputs(nb, "grosse.steps()") if "text/html" in o.get("data", {})]
    assert page.count("<button") == 5 and 'max="12"' in page  # the HTML export's player
    assert "Forward pass, step 1 of 6: input a = -1" in page
    assert "∂z/∂b = 7 × 1 + 2 × 1 = 9" in page  # the grad_table row of the slide
    assert (folder / "grosse.png").read_bytes().startswith(b"\x89PNG")
