"""CSV datasets, data() bindings in .gs text and the JSON document."""

import json

import numpy as np
import pytest

from graphstudio.core.dataset import (Binding, DatasetError, bind, binding, load_csv,
                                      load_for_graph, parse_csv,
                                      set_row)
from graphstudio.io.document import DocumentError, from_json, to_json
from graphstudio.io.gs import ParseError, parse_text, write_text


def test_csv_values_columns_and_lines():
    text = "# made by hand\nx,y\n1,2\n\n-3.5, 4e1\n"
    ds = parse_csv(text, "pts.csv")
    assert ds.columns == ["x", "y"]
    assert ds.values.tolist() == [[1.0, 2.0], [-3.5, 40.0]]
    assert ds.lines == [3, 5]
    assert ds.where(1) == "pts.csv:5"
    assert len(ds) == 2


@pytest.mark.parametrize("text, message", [
    ("x,y\n1,2\n3,abc\n", "pts.csv:3: column 'y': 'abc' is not a number"),
    ("x,y\n1,2\n3,\n", "pts.csv:3: column 'y': an empty cell is not a number"),
    ("x,y\n1,2\n3,4,5\n", "pts.csv:3: 3 values, but the header has 2 columns (x, y)"),
    ("# c\nx,y\n1\n", "pts.csv:3: 1 values, but the header has 2 columns"),
    ("x,y\n1,nan\n", "pts.csv:2: column 'y': 'nan' is not a finite number"),
    ("x,x\n1,2\n", "pts.csv:1: column 'x' appears twice"),
    ("x,\n1,2\n", "pts.csv:1: the header has an empty column name"),
    ("", "pts.csv:1: the file is empty"),
    ("\n# only a header\nx,y\n", "pts.csv:3: no rows of data"),
])
def test_csv_errors_name_file_and_line(text, message):
    with pytest.raises(DatasetError) as info:
        parse_csv(text, "pts.csv")
    assert str(info.value).startswith(message)


def test_missing_column_names_the_header_line_and_the_columns():
    ds = parse_csv("# comment\nx,y\n1,2\n", "pts.csv")
    with pytest.raises(DatasetError, match=r"^pts.csv:2: no column 'z' \(columns: x, y\)$"):
        ds.column("z")


def test_unreadable_file(tmp_path):
    with pytest.raises(DatasetError, match="nope.csv: cannot read the file"):
        load_csv(tmp_path / "nope.csv")


def test_bindings_give_numbers_vectors_onehot_and_indicators():
    ds = parse_csv("a,b,label\n1,2,0\n3,4,2\n5,6,1\n", "d.csv")
    assert Binding(("a",)).values(ds).tolist() == [1, 3, 5]
    assert Binding(("b", "a"), vector=True).values(ds).tolist() == [[2, 1], [4, 3], [6, 5]]
    assert Binding(("label",), onehot=3).values(ds).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert Binding(("label",), equals=1.0).values(ds).tolist() == [0, 0, 1]


def test_onehot_label_out_of_range_names_the_line():
    ds = parse_csv("label\n0\n1\n\n2\n", "d.csv")
    with pytest.raises(DatasetError, match=r"^d.csv:5: column 'label': 2 is not a class 0..1 \(onehot=2\)"):
        Binding(("label",), onehot=2).values(ds)
    ds = parse_csv("label\n0.5\n", "d.csv")
    with pytest.raises(DatasetError, match="d.csv:2: column 'label': 0.5 is not a class"):
        Binding(("label",), onehot=2).values(ds)


GS = '''# a test graph
dataset("data/pts.csv")
x = data(["x1", "x2"])
s = data("x1")
t = data("label", onehot=3)
t2 = data("label", equals=2)
W = param([[1, 2], [3, 4], [5, 6]])
p = softmax(W @ x)
L = cross_entropy(p, t) + t2 * s
'''


def test_parser_reads_dataset_and_bindings():
    g = parse_text(GS)
    assert g.meta == {"dataset": "data/pts.csv"}
    assert binding(g, g.by_name("x")) == Binding(("x1", "x2"), vector=True)
    assert binding(g, g.by_name("s")) == Binding(("x1",))
    assert binding(g, g.by_name("t")) == Binding(("label",), onehot=3)
    assert binding(g, g.by_name("t2")) == Binding(("label",), equals=2.0)
    assert binding(g, g.by_name("W")) is None
    # placeholder values have the bound shape, so the graph evaluates before any data arrives
    assert np.shape(g.value(g.by_name("x"))) == (2,)
    assert np.shape(g.value(g.by_name("t"))) == (3,)
    assert g.value(g.by_name("s")) == 0.0


def test_writer_keeps_dataset_param_and_data():
    text = write_text(parse_text(GS))
    lines = text.splitlines()
    assert lines[0] == 'dataset("data/pts.csv")'
    assert 'x = data(["x1", "x2"])' in lines
    assert 's = data("x1")' in lines
    assert 't = data("label", onehot=3)' in lines
    assert 't2 = data("label", equals=2)' in lines
    assert "W = param([[1, 2], [3, 4], [5, 6]])" in lines
    assert write_text(parse_text(text)) == text


@pytest.mark.parametrize("text, message", [
    ('dataset("a.csv")\ndataset("b.csv")', "<text>:2:1: a second dataset(); the graph already reads 'a.csv'"),
    ('x = dataset("a.csv")', "<text>:1:5: dataset() stands on a line of its own"),
    ('x = 1 + dataset("a.csv")', "<text>:1:9: dataset() stands on a line of its own"),
    ("dataset(3)", "<text>:1:1: dataset() takes one file name"),
    ('dataset = 3\ndataset("a.csv")', "<text>:1:1: 'dataset' cannot name a node: line 2 calls"),
    ('x = data("a", "b")', "<text>:1:5: data() takes a column name"),
    ("x = data([])", "<text>:1:10: data() takes a column name"),
    ('x = data("a", onehot=1)', "<text>:1:22: onehot= takes the number of classes"),
    ('x = data("a", onehot=2.5)', "<text>:1:22: onehot= takes the number of classes"),
    ('x = data(["a"], onehot=3)', "<text>:1:5: onehot= and equals= read one column"),
    ('x = data("a", scale=2)', "<text>:1:15: data() takes the keywords onehot= and equals=, not scale="),
    ('x = data("a", equals="b")', "<text>:1:22: equals= takes a number"),
    ("W = param(1, lr=2)", "<text>:1:14: param() takes no keyword arguments"),
    ("print(1)", "<text>:1:1: expected an assignment 'name = expression', found a bare expression"),
])
def test_parser_errors(text, message):
    with pytest.raises(ParseError) as info:
        parse_text(text)
    assert str(info.value).startswith(message)


def test_json_document_keeps_dataset_and_bindings():
    g = parse_text(GS)
    doc = json.loads(json.dumps(to_json(g)))
    assert doc["dataset"] == "data/pts.csv"
    by_name = {n["name"]: n for n in doc["nodes"]}
    assert by_name["x"]["data"] == ["x1", "x2"]
    assert by_name["t"]["onehot"] == 3 and by_name["t2"]["equals"] == 2.0
    back = from_json(doc).graph
    assert back.meta["dataset"] == "data/pts.csv"
    assert write_text(back) == write_text(g)


@pytest.mark.parametrize("patch, message", [
    ({"dataset": 3}, "dataset: expected a file name"),
    ({"node": {"data": 5}}, "nodes[0].data: expected a column name or a list of them"),
    ({"node": {"data": "a", "onehot": 1}}, "nodes[0].onehot: expected a number of classes from 2 to 10,000"),
    ({"node": {"data": ["a"], "equals": 1}}, "nodes[0].equals: expected a number for one column"),
])
def test_json_document_refuses_bad_bindings(patch, message):
    doc = {"format_version": 1, "nodes": [{"id": 0, "op": "input", "name": "x", "value": 0}],
           "edges": []}
    if "dataset" in patch:
        doc["dataset"] = patch["dataset"]
    doc["nodes"][0].update(patch.get("node", {}))
    with pytest.raises(DocumentError, match=message.replace("[", r"\[").replace("]", r"\]")):
        from_json(doc, "f.json")


def test_load_for_graph_is_relative_to_the_graph_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "pts.csv").write_text("x1,x2,label\n1,2,0\n3,4,2\n")
    g = parse_text(GS)
    ds = load_for_graph(g, tmp_path)
    values = bind(g, ds)
    assert values[g.by_name("x")].tolist() == [[1, 2], [3, 4]]
    assert values[g.by_name("t")].tolist() == [[1, 0, 0], [0, 0, 1]]
    assert load_for_graph(parse_text("a = 1"), tmp_path) is None


def test_set_row_gives_bound_inputs_one_example():
    g = parse_text(GS)
    set_row(g, parse_csv("x1,x2,label\n1,2,0\n3,4,2\n", "d.csv"), 1)
    assert g.value(g.by_name("x")).tolist() == [3, 4]
    assert g.value(g.by_name("s")) == 3.0
    assert g.value(g.by_name("t")).tolist() == [0, 0, 1]
    assert g.value(g.by_name("t2")) == 1.0


@pytest.mark.parametrize("suffix", [".graphml", ".nodelink.json"])
def test_graphml_and_node_link_keep_dataset_and_bindings(tmp_path, suffix):
    from graphstudio.io.formats import reader_for, save_document
    g = parse_text(GS)
    save_document(tmp_path / f"g{suffix}", g)
    back = reader_for(tmp_path / f"g{suffix}").read(tmp_path / f"g{suffix}").graph
    assert back.meta["dataset"] == "data/pts.csv"
    assert write_text(back) == write_text(g)


def test_opening_a_training_graph_shows_the_first_example_not_zeros(tmp_path):
    from graphstudio.io import open_document

    (tmp_path / "pts.csv").write_text("x,y\n2,5\n3,7\n")
    (tmp_path / "g.gs").write_text('dataset("pts.csv")\nx = data("x")\ny = data("y")\nw = param(1.5)\nL = (w * x - y) ** 2\n')
    doc = open_document(tmp_path / "g.gs")
    g = doc.graph
    assert g.value(g.by_name("x")) == 2.0 and g.value(g.by_name("y")) == 5.0
    assert any("row 1" in n for n in doc.notes)


def test_a_missing_dataset_does_not_stop_the_graph_from_opening(tmp_path):
    from graphstudio.io import open_document

    (tmp_path / "g.gs").write_text('dataset("gone.csv")\nx = data("x")\nz = x * 2\n')
    doc = open_document(tmp_path / "g.gs")
    assert doc.graph.value(doc.graph.by_name("x")) == 0.0
    assert any("dataset not loaded" in n and "gone.csv" in n for n in doc.notes)
