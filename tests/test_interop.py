"""GraphML, networkx node-link JSON and DOT: round trips keep every value and gradient, other
tools read what GraphStudio writes, and files other tools wrote open as far as they map, with a
located message for the rest."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from graphstudio.core.engine import evaluate
from graphstudio.io import OpenError, open_document
from graphstudio.io.formats import reader_for, save_document, writer_for
from graphstudio.io.formats.dot import to_dot
from graphstudio.io.gs import parse_file, parse_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.gs"))
SOURCE = "a = -1\nb = 3\nW = param([[1, 2], [3, 4]])\nx = a - b\nz = sum(W * x)\n"
INTEROP = [".graphml", ".nodelink.json"]


def _results(graph):
    ev = evaluate(graph)
    return {graph.label(n): (ev.values.get(n), ev.grads.get(n)) for n in graph.nodes()}


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


@pytest.mark.parametrize("suffix", INTEROP)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_round_trips_with_every_value_and_gradient(tmp_path, example, suffix):
    graph = parse_file(example)
    path = tmp_path / f"g{suffix}"
    save_document(path, graph)
    back = open_document(path).graph
    before, after = _results(graph), _results(back)
    assert before.keys() == after.keys()
    for label, (value, grad) in before.items():
        assert _same(after[label][0], value), (label, "value")
        assert _same(after[label][1], grad), (label, "grad")
    assert back.output == (None if graph.output is None else back.by_name(graph.label(graph.output)))


@pytest.mark.parametrize("suffix", INTEROP)
def test_round_trip_keeps_ports_positions_params_and_exact_numbers(tmp_path, suffix):
    graph = parse_text(SOURCE + "t = 0.1 + 0.2\nn = log(a)\n")
    graph.set_position(graph.by_name("a"), (10.5, -20))
    graph.set_output(graph.by_name("z"))
    path = tmp_path / f"g{suffix}"
    save_document(path, graph)
    back = open_document(path).graph
    a, b, x = back.by_name("a"), back.by_name("b"), back.by_name("x")
    assert back.parents(x) == [a, b]  # a - b, not b - a
    assert back.position(a) == (10.5, -20.0)
    assert back.node(back.by_name("W")).trainable is True
    ev = evaluate(back)
    assert ev.values[back.by_name("t")] == 0.1 + 0.2  # every digit, not 0.3
    assert np.isnan(ev.values[back.by_name("n")])  # log(-1): nan survives as a value
    assert ev.grads[a] == 10.0 and ev.grads[b] == -10.0


def test_networkx_reads_the_graphml_with_values_gradients_and_labels(tmp_path):
    path = tmp_path / "bristol.graphml"
    save_document(path, parse_file(ROOT / "examples" / "bristol_lecture2.gs"))
    g = nx.read_graphml(path)
    assert g.is_directed()
    f = g.nodes["f"]
    assert (f["op"], f["value"], f["grad"]) == ("input", "4", "60")  # da/df = 60
    assert f["label"] == "f = 4, ∇ 60"  # the key Gephi shows on the node
    assert g.nodes["a"]["grad"] == "1" and g.graph["grad_of"] == "a"  # the gradients of a
    assert sorted(d["port"] for *_, d in g.in_edges("a", data=True)) == [0, 1]
    # the key declarations Gephi and yEd read: a plain string key named label
    text = path.read_text()
    assert 'attr.name="label" attr.type="string"' in text


def test_networkx_reads_the_node_link_json(tmp_path):
    path = tmp_path / "bristol.nodelink.json"
    save_document(path, parse_file(ROOT / "examples" / "bristol_lecture2.gs"))
    g = nx.node_link_graph(json.loads(path.read_text()), edges="edges")
    assert g.is_directed() and g.is_multigraph()
    assert (g.nodes["f"]["value"], g.nodes["f"]["grad"]) == (4.0, 60.0)
    assert g.nodes["e"]["grad"] == 25.0
    assert {(u, v, d["port"]) for u, v, d in g.in_edges("e", data=True)} == {("f", "e", 0),
                                                                             ("g", "e", 1)}


def test_a_node_link_json_networkx_wrote_opens_as_json(tmp_path):
    """What a networkx user saves as graph.json opens by its content; ops named as ours."""
    g = nx.MultiDiGraph(output="z")
    g.add_node("a", op="input", value=2.0)
    g.add_node("b", op="input", value=[1.0, 2.0])
    g.add_node("z", op="mul", grad=999.0)  # a stale gradient: a result, ignored
    g.add_edge("a", "z", port=0)
    g.add_edge("b", "z", port=1)
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(nx.node_link_data(g, edges="links")))  # D3's name for edges
    assert reader_for(path).name == "nodelink"
    doc = open_document(path)
    ev = evaluate(doc.graph)
    z = doc.graph.by_name("z")
    assert doc.graph.output == z
    assert ev.values[z].tolist() == [2.0, 4.0] and ev.grads[z].tolist() == [1.0, 1.0]
    assert doc.notes == []
    # a GraphStudio document under the same suffix is still a document
    save_document(tmp_path / "doc.json", doc.graph)
    assert reader_for(tmp_path / "doc.json").name == "json"
    assert writer_for(tmp_path / "x.json").name == "json"
    assert writer_for(tmp_path / "x.nodelink.json").name == "nodelink"


def test_unknown_attributes_of_a_networkx_graphml_are_named_in_a_note(tmp_path):
    g = nx.DiGraph(title="my graph")
    g.add_node("a", op="input", value=2.0, color="red")
    g.add_node("b", op="input", value=3.0, color="blue")
    g.add_node("z", op="sub", size=4)
    g.add_edge("a", "z", port=0, weight=0.5)
    g.add_edge("b", "z", port=1)
    path = tmp_path / "net.graphml"
    nx.write_graphml(g, path)
    doc = open_document(path)
    assert evaluate(doc.graph).values[doc.graph.by_name("z")] == -1.0
    note = " ".join(doc.notes)
    for what in ("node attribute color (2×)", "node attribute size (1×)",
                 "edge attribute weight (1×)", "graph attribute title (1×)"):
        assert what in note


def test_a_graph_without_our_attributes_says_which_node_cannot_be_computed(tmp_path):
    path = tmp_path / "path.graphml"
    nx.write_graphml(nx.path_graph(3, create_using=nx.DiGraph), path)
    with pytest.raises(OpenError, match=r"path.graphml: node '1': it has arguments .* no "
                                        r"attribute 'op'"):
        open_document(path)
    nx.write_graphml(nx.path_graph(3), path)
    with pytest.raises(OpenError, match="path.graphml: the graph is undirected"):
        open_document(path)


def test_leaves_without_op_are_inputs_and_missing_ports_follow_the_file(tmp_path):
    data = {"nodes": [{"id": "x"}, {"id": "y", "value": 5}, {"id": "d", "op": "sub"}],
            "links": [{"source": "y", "target": "d"}, {"source": "x", "target": "d"}]}
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(data))
    doc = open_document(path)
    g = doc.graph
    assert g.parents(g.by_name("d")) == [g.by_name("y"), g.by_name("x")]
    assert any("no value in the file for x" in n for n in doc.notes)
    assert any("edges into d have no port" in n for n in doc.notes)


BAD_NODE_LINK = [
    ({"nodes": [{"id": "a", "op": "frobnicate"}], "edges": []},
     r"node 'a', attribute 'op': unknown op 'frobnicate'"),
    ({"nodes": [{"id": "a", "value": "abc"}], "edges": []},
     r"node 'a', attribute 'value': expected a number or a list of numbers, found 'abc'"),
    ({"nodes": [{"id": "a", "value": 1, "x": "left", "y": 0}], "edges": []},
     r"node 'a', attribute 'x': expected a number"),
    ({"nodes": [{"id": "a", "value": 1}], "edges": [{"source": "a", "target": "q"}]},
     r"edges\[0\]: target 'q' is not the id of a node"),
    ({"nodes": [{"id": "a", "value": 1}, {"id": "a"}], "edges": []},
     r"nodes\[1\]: the id 'a' is used twice"),
    ({"nodes": [{"id": "a", "value": 1}, {"id": "z", "op": "exp"}],
      "edges": [{"source": "a", "target": "z", "port": 0}, {"source": "a", "target": "z", "port": 0}]},
     r"edge 'a' → 'z'"),
    ({"nodes": [{"id": "a", "value": 1}, {"id": "z", "op": "exp"}],
      "edges": [{"source": "a", "target": "z", "port": "first"}]},
     r"edge 'a' → 'z', attribute 'port': expected a whole number"),
    ({"nodes": [{"id": "a", "op": "neg"}], "edges": [{"source": "a", "target": "a", "port": 0}]},
     r"edge 'a' → 'a'"),
    ({"nodes": [{"id": "a", "name": "my node", "value": 1}], "edges": []},
     r"node 'a'.*not a valid name"),
    ({"directed": False, "nodes": [], "edges": []}, "the graph is undirected"),
    ({"nodes": {"a": 1}, "edges": []}, "not a node-link graph"),
]


@pytest.mark.parametrize("data, message", BAD_NODE_LINK)
def test_what_cannot_be_mapped_is_a_located_one_line_error(tmp_path, data, message):
    path = tmp_path / "bad.nodelink.json"
    path.write_text(json.dumps(data))
    with pytest.raises(OpenError, match=message) as info:
        open_document(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


YED = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml"
 xmlns:yed="http://www.yworks.com/xml/yed/3">
  {op_key}
  <key attr.name="url" attr.type="string" for="node" id="d4"/>
  <key attr.name="description" attr.type="string" for="node" id="d5"/>
  <key for="node" id="d6" yfiles.type="nodegraphics"/>
  <key for="graphml" id="d7" yfiles.type="resources"/>
  <key for="edge" id="d10" yfiles.type="edgegraphics"/>
  <graph edgedefault="directed" id="G">
    {nodes}
    <edge id="e0" source="n0" target="n2"><data key="d10"><y:PolyLineEdge>
      <y:Path sx="0.0" sy="0.0" tx="0.0" ty="0.0"/><y:Arrows source="none" target="standard"/>
    </y:PolyLineEdge></data></edge>
    <edge id="e1" source="n1" target="n2"><data key="d10"><y:PolyLineEdge>
      <y:Arrows source="none" target="standard"/></y:PolyLineEdge></data></edge>
  </graph>
  <data key="d7"><y:Resources/></data>
</graphml>
"""
YED_NODE = """<node id="n{i}">{op}<data key="d6"><y:ShapeNode>
      <y:Geometry height="30.0" width="30.0" x="{x}" y="40.0"/><y:Fill color="#FFCC00" transparent="false"/>
      <y:NodeLabel alignment="center" autoSizePolicy="content">{label}</y:NodeLabel>
      <y:Shape type="rectangle"/></y:ShapeNode></data></node>"""


def _yed(with_ops: bool) -> str:
    nodes = [("a", '<data key="d0">input</data>'), ("b", '<data key="d0">input</data>'),
             ("z", '<data key="d0">mul</data>')]
    body = "\n".join(YED_NODE.format(i=i, x=100.0 * i, label=label, op=op if with_ops else "")
                     for i, (label, op) in enumerate(nodes))
    key = '<key attr.name="op" attr.type="string" for="node" id="d0"/>' if with_ops else ""
    return YED.format(op_key=key, nodes=body)


def test_a_yed_file_takes_names_and_places_from_its_labels_and_shapes(tmp_path):
    """yEd keeps a node's name in its label and its place in its shape: both are used; its
    shapes themselves are left out, and said so."""
    path = tmp_path / "drawn.graphml"
    path.write_text(_yed(with_ops=True))
    doc = open_document(path)
    g = doc.graph
    assert set(g.names()) == {"a", "b", "z"}
    assert g.position(g.by_name("z")) == (200.0, 40.0)
    assert g.parents(g.by_name("z")) == [g.by_name("a"), g.by_name("b")]
    assert any("no value in the file for a, b" in n for n in doc.notes)
    assert any("node attribute shape_type" in n for n in doc.notes)


def test_a_yed_drawing_without_ops_names_the_node_and_its_label(tmp_path):
    path = tmp_path / "drawn.graphml"
    path.write_text(_yed(with_ops=False))
    with pytest.raises(OpenError, match=r"drawn.graphml: node 'n2' \(label 'z'\): it has "
                                        r"arguments .* no attribute 'op'"):
        open_document(path)


def test_malformed_graphml_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.graphml"
    path.write_text("<graphml><graph><node id='n0'>")
    with pytest.raises(OpenError, match="bad.graphml: not a readable GraphML file"):
        open_document(path)


def test_graphml_written_by_graphstudio_before_keeps_opening(tmp_path):
    """Version 0.x wrote values and positions as JSON text and ids as numbers."""
    path = tmp_path / "old.graphml"
    g = nx.MultiDiGraph(output="2")
    g.add_node("0", op="input", name="a", value="-1.0", pos="[10, 20]", trainable=False)
    g.add_node("1", op="input", name="b", value="3.0", pos="[10, 80]", trainable=True)
    g.add_node("2", op="sub", name="x", value="null", pos="null", trainable=False)
    g.add_edge("0", "2", key=0, port=0)
    g.add_edge("1", "2", key=1, port=1)
    nx.write_graphml(g, path)
    doc = open_document(path)
    back = doc.graph
    assert evaluate(back).values[back.by_name("x")] == -4.0
    assert back.position(back.by_name("a")) == (10.0, 20.0)
    assert back.node(back.by_name("b")).trainable and back.output == back.by_name("x")


def test_dot_labels_carry_values_and_gradients():
    graph = parse_text("a = -1\nb = 3\nc = 4\nx = a + b\ny = b - c\nz = x * y\n")
    dot = to_dot(graph, evaluate(graph))
    assert dot.startswith("digraph graphstudio {")
    b = graph.by_name("b")
    line = next(l for l in dot.splitlines() if l.strip().startswith(f"n{b} ["))
    assert line == f'  n{b} [label="b\\n= 3\\n∇ 1"];'  # dz/db = y + x = -1 + 2
    assert dot.count("->") == 6
    # only the arguments of b - c are numbered: a + b and x * y may be swapped
    assert dot.count("headlabel") == 2


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (.ci/run "
                                                        "installs it)")
def test_graphviz_renders_the_dot_with_the_numbers(tmp_path):
    path = tmp_path / "bristol.dot"
    save_document(path, parse_file(ROOT / "examples" / "bristol_lecture2.gs"))
    svg = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True, check=True,
                         timeout=60)
    assert svg.stderr == ""
    texts = [t.split(">", 1)[1] for t in svg.stdout.split("</text>")[:-1]]
    for expected in ("∇ 60", "∇ 100", "= 150", "∇ 25"):  # da/df = 60, da/dg = 100
        assert expected in texts


def test_dot_is_written_but_not_read(tmp_path):
    path = tmp_path / "g.dot"
    save_document(path, parse_text("a = 1\nz = exp(a)\n"))
    with pytest.raises(OpenError, match=r"g.dot: GraphStudio writes Graphviz DOT files .* but does "
                                        r"not read them; it opens .gs, .json, .graphml and "
                                        r".nodelink.json files"):
        open_document(path)


@pytest.mark.parametrize("suffix", INTEROP)
def test_every_saved_field_survives(tmp_path, suffix):
    """A new node field is carried by GraphML and node-link JSON without a change to them."""
    from test_model import SAMPLES

    from graphstudio.core.graph import Graph
    from graphstudio.core.node import SAVED_FIELDS

    g = Graph()
    fields = {k: v for k, v in SAMPLES.items() if k not in ("name", "value", "pos")}
    n = g.add_node("input", name="t", value=2.0, pos=(3.0, 4.0), **fields)
    columns = g.add_node("input", name="u", value=[1.0, 2.0], data=("x1", "x2"))
    save_document(tmp_path / f"g{suffix}", g)
    back = open_document(tmp_path / f"g{suffix}").graph
    for f in SAVED_FIELDS:
        assert getattr(back.node(n), f) == getattr(g.node(n), f), f
    assert back.node(columns).data == ("x1", "x2")
