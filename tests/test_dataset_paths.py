"""Documents keep their data: the dataset link survives Save As and ``train -o`` to any folder
and a folder copied elsewhere, says where it looked when the CSV is missing, and a document
can carry its dataset inside."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graphstudio.cli import main
from graphstudio.core.dataset import (DatasetError, DatasetNotFound, express_path,
                                      find_dataset, load_for_graph)
from graphstudio.examples import examples_dir
from graphstudio.io import open_document
from graphstudio.io.formats import save_document

CSV = "x,y\n1,3\n2,5\n4,9\n"
GS = 'dataset("data/pts.csv")\nx = data("x")\ny = data("y")\nw = param(1.5)\nL = (w * x - y) ** 2\n'


@pytest.fixture
def course(tmp_path) -> Path:
    """A folder with a graph and its data below it."""
    folder = tmp_path / "course"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "pts.csv").write_text(CSV)
    (folder / "fit.gs").write_text(GS)
    return folder


def dataset_field(path: Path) -> str:
    if path.suffix == ".json":
        return json.loads(path.read_text())["dataset"]
    line = next(l for l in path.read_text().splitlines() if l.startswith("dataset("))
    return json.loads(line[len("dataset("):-1])


def test_express_path_relative_where_the_two_share_a_folder(tmp_path):
    csv = tmp_path / "g" / "data" / "pts.csv"
    assert express_path(csv, tmp_path / "g") == "data/pts.csv"  # below
    assert express_path(csv, tmp_path / "g" / "data") == "pts.csv"  # beside
    assert express_path(csv, tmp_path / "other") == "../g/data/pts.csv"  # a sibling folder
    assert express_path(csv, None) == csv.as_posix()
    assert express_path("/srv/data/pts.csv", "/home/me") == "/srv/data/pts.csv"  # only / shared
    installed = "/home/me/venv/lib/python3.11/site-packages/graphstudio/_examples/data/c.csv"
    assert express_path(installed, "/home/me/work") == installed


@pytest.mark.parametrize("suffix", [".json", ".gs"])
def test_save_as_to_another_folder_keeps_the_dataset(course, tmp_path, suffix):
    doc = open_document(course / "fit.gs")
    # the opened document holds where the data really is
    assert doc.graph.meta["dataset"] == (course / "data" / "pts.csv").as_posix()
    elsewhere = tmp_path / "elsewhere" / "deep"
    elsewhere.mkdir(parents=True)
    target = elsewhere / f"fit{suffix}"
    save_document(target, doc.graph, doc.view)
    assert dataset_field(target) == "../../course/data/pts.csv"
    back = open_document(target)
    assert len(load_for_graph(back.graph, target.parent)) == 3
    # into the same folder: the path as the user wrote it
    save_document(course / f"again{suffix}", doc.graph, doc.view)
    assert dataset_field(course / f"again{suffix}") == "data/pts.csv"
    assert doc.graph.meta["dataset"] == (course / "data" / "pts.csv").as_posix()  # untouched


def test_a_folder_copied_to_another_machine_finds_its_data(course, tmp_path):
    doc = open_document(course / "fit.gs")
    outside = tmp_path / "sent"
    outside.mkdir()
    save_document(outside / "fit.json", doc.graph, doc.view)
    # the copy: the document and its CSV beside it, the original folder gone
    copy = tmp_path / "other-machine"
    copy.mkdir()
    shutil.copy(outside / "fit.json", copy / "fit.json")
    shutil.copy(course / "data" / "pts.csv", copy / "pts.csv")
    shutil.rmtree(course)
    reopened = open_document(copy / "fit.json")
    assert reopened.graph.meta["dataset"] == (copy / "pts.csv").as_posix()
    assert any("using" in n and str(copy / "pts.csv") in n for n in reopened.notes)
    assert reopened.graph.value(reopened.graph.by_name("x")) == 1.0  # the first row
    assert main(["train", str(copy / "fit.json"), "--steps", "5", "--lr", "0.05"]) == 0


def test_a_missing_dataset_names_every_place_it_looked(course, capsys):
    (course / "data" / "pts.csv").unlink()
    with pytest.raises(DatasetNotFound) as info:
        find_dataset("data/pts.csv", course)
    message = str(info.value)
    for place in (course / "data" / "pts.csv", course / "pts.csv"):
        assert str(place) in message
    assert message.startswith("data/pts.csv: cannot find the dataset")
    doc = open_document(course / "fit.gs")  # still opens, and says why there is no data
    assert any("cannot find the dataset" in n for n in doc.notes)
    assert main(["train", str(course / "fit.gs"), "--steps", "5"]) == 1
    err = capsys.readouterr().err
    assert "cannot find the dataset" in err and str(course / "pts.csv") in err


@pytest.mark.parametrize("suffix", [".json", ".gs"])
def test_train_o_to_any_folder_keeps_the_dataset(course, tmp_path, capsys, suffix):
    out = tmp_path / "results" / f"trained{suffix}"
    out.parent.mkdir()
    assert main(["train", str(course / "fit.gs"), "--steps", "10", "--lr", "0.05", "-o", str(out)]) == 0
    assert dataset_field(out) == "../course/data/pts.csv"
    assert main(["train", str(out), "--steps", "3", "--lr", "0.05"]) == 0
    # the shipped example trained into a folder of one's own: an absolute path into the
    # installed package only when the two share nothing; here they may share the checkout
    shipped = out.parent / f"shipped{suffix}"
    assert main(["train", str(examples_dir() / "siegen_fit_curve.gs"), "--steps", "3", "-o",
                 str(shipped)]) == 0
    named = Path(dataset_field(shipped))
    where = named if named.is_absolute() else shipped.parent / named
    assert where.resolve() == (examples_dir() / "data" / "siegen_curve.csv").resolve()


@pytest.mark.parametrize("suffix", [".json", ".gs"])
def test_embed_data_carries_the_dataset_inside_one_file(course, tmp_path, capsys, suffix):
    out = tmp_path / f"one-file{suffix}"
    assert main(["train", str(course / "fit.gs"), "--steps", "10", "--lr", "0.05", "-o", str(out),
                 "--embed-data"]) == 0
    shutil.rmtree(course)  # nothing else needed
    doc = open_document(out)
    assert doc.graph.meta["dataset"] == "pts.csv" and doc.graph.meta["dataset_csv"] == CSV
    assert len(load_for_graph(doc.graph, None)) == 3
    assert doc.graph.value(doc.graph.by_name("y")) == 3.0
    assert main(["train", str(out), "--steps", "3", "--lr", "0.05"]) == 0
    # saved again, it stays inside
    again = tmp_path / f"again{suffix}"
    save_document(again, doc.graph, doc.view)
    assert open_document(again).graph.meta["dataset_csv"] == CSV


def test_embed_data_needs_a_file_to_write_and_a_readable_dataset(course, tmp_path, capsys):
    assert main(["train", str(course / "fit.gs"), "--steps", "1", "--embed-data"]) == 1
    assert "--embed-data: give the file to write with -o OUT" in capsys.readouterr().err
    doc = open_document(course / "fit.gs")
    (course / "data" / "pts.csv").unlink()
    with pytest.raises(DatasetError, match="cannot find the dataset"):
        save_document(tmp_path / "x.json", doc.graph, doc.view, embed_data=True)
    assert not (tmp_path / "x.json").exists()


def test_a_bad_embedded_dataset_is_a_located_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format_version": 1, "nodes": [], "edges": [],
                               "dataset_csv": "x\n1\n"}))
    from graphstudio.io import OpenError
    with pytest.raises(OpenError, match="dataset_csv: expected the CSV text"):
        open_document(bad)
    broken = tmp_path / "broken.gs"
    broken.write_text('dataset("p.csv", csv="x,y\\n1,oops\\n")\nx = data("x")\n')
    doc = open_document(broken)
    assert any("p.csv (inside the document):2: column 'y': 'oops' is not a number" in n
               for n in doc.notes)
