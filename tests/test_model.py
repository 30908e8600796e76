"""The model's contract: one typed record per node, attributes read-only from outside, every
write announced as a declared event, and one merge for paste, New Network and imports."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest

from graphstudio.core import events
from graphstudio.core.engine import Evaluator
from graphstudio.core.events import (EdgeAdded, EdgeRemoved, MetaChanged, NodeAdded, NodeChanged,
                                     NodeMoved, NodeRemoved, OutputChanged, ValueChanged)
from graphstudio.core.graph import Graph, GraphError
from graphstudio.core.merge import free_name, merge_into
from graphstudio.core.node import FIELDS, SAVED_FIELDS, Node
from graphstudio.core.params import Slice
from graphstudio.io.document import from_json, to_json
from graphstudio.io.gs import parse_text


def small() -> Graph:
    return parse_text('dataset("d.csv")\nt = data("label", onehot=3)\nW = param([[1, 2, 3]])\n'
                      "z = W @ t\n")


# ---- read-only from outside --------------------------------------------------------------------


def test_a_node_is_an_immutable_record():
    g = small()
    record = g.node(g.by_name("t"))
    assert isinstance(record, Node)
    assert (record.op, record.name, record.data, record.onehot) == ("input", "t", "label", 3)
    with pytest.raises(AttributeError):
        record.onehot = 4
    assert not hasattr(g, "data")  # the live attribute dict is no longer handed out


def test_array_values_cannot_be_changed_in_place():
    g = small()
    W = g.value(g.by_name("W"))
    with pytest.raises(ValueError):
        W[0, 0] = 99.0
    given = np.array([1.0, 2.0])
    n = g.add_input("v", given)
    given[0] = 5.0  # the caller's array stays the caller's
    assert g.value(n)[0] == 1.0


def test_output_meta_and_structure_are_read_only():
    g = small()
    with pytest.raises(AttributeError):
        g.output = 0
    with pytest.raises(TypeError):
        g.meta["dataset"] = "other.csv"
    with pytest.raises(nx.NetworkXError):
        g.g.add_edge(0, 2)
    assert g.meta["dataset"] == "d.csv"


def test_set_attr_refuses_fields_with_their_own_setters_and_unknown_fields():
    g = small()
    t = g.by_name("t")
    for field in ("name", "op", "value", "pos", "seq", "colour"):
        with pytest.raises(GraphError):
            g.set_attr(t, field, None)
    with pytest.raises(GraphError, match="no field 'colour'"):
        g.add_input("u", 1.0, colour="red")


# ---- every write announces itself ------------------------------------------------------------


def test_every_write_is_announced_as_a_declared_event():
    g = small()
    seen = []
    g.subscribe(seen.append)
    t, W, z = g.by_name("t"), g.by_name("W"), g.by_name("z")
    g.set_position(t, (10, 20))
    g.set_attr(z, "source", (7, 1))
    g.set_meta("dataset", "other.csv")
    g.set_output(z)
    g.set_value(W, [[0, 0, 1]])
    g.rename(z, "loss")
    g.set_attr(t, "onehot", 4)
    g.disconnect(z, 1)
    g.connect(t, z, 1)
    c = g.add_const(2.0)
    g.remove_node(c)
    g.set_meta("dataset", None)
    assert seen == [NodeMoved(t), NodeChanged(z, ("source",)), MetaChanged("dataset"),
                    OutputChanged(z), ValueChanged(W), NodeChanged(z, ("name",)),
                    NodeChanged(t, ("onehot",)), EdgeRemoved(t, z, 1), EdgeAdded(t, z, 1),
                    NodeAdded(c), NodeRemoved(c), MetaChanged("dataset")]
    assert g.position(t) == (10.0, 20.0) and g.node(z).source == (7, 1)
    assert "dataset" not in g.meta and g.output == z


def test_parents_follow_every_change_of_the_structure():
    """The parents a node's box reads at every frame are kept, and follow each change: an
    argument disconnected or connected, an op changed, and a node's parents read by a listener
    while add_op is still wiring its arguments."""
    g = parse_text("a = 1\nb = 2\nz = a * b")
    a, b, z = g.by_name("a"), g.by_name("b"), g.by_name("z")
    assert g.parents(z) == [a, b] and g.parents(a) == []
    g.disconnect(z, 1)
    assert g.parents(z) == [a, None]
    g.connect(a, z, 1)
    assert g.parents(z) == [a, a]
    g.parents(z).append(b)  # a copy: the kept list does not change
    assert g.parents(z) == [a, a]
    g.set_op(z, "neg")
    assert g.parents(z) == [a]
    g.set_op(z, "input")
    assert g.parents(z) == []
    read = []
    g.subscribe(lambda event: read.append(g.parents(event.node))
                if isinstance(event, NodeAdded) else None)
    s = g.add_op("add", [a, b])
    assert read == [[None, None]] and g.parents(s) == [a, b]


def test_events_are_declared_in_one_module_and_cannot_change():
    declared = {c for c in vars(events).values()
                if isinstance(c, type) and issubclass(c, events.GraphEvent)}
    assert {NodeAdded, NodeRemoved, EdgeAdded, EdgeRemoved, NodeChanged, ValueChanged, NodeMoved,
            OutputChanged, MetaChanged} < declared
    with pytest.raises(dataclasses.FrozenInstanceError):
        NodeMoved(1).node = 2
    assert not NodeMoved.affects_values and not MetaChanged.affects_values
    assert ValueChanged.affects_values and NodeChanged.affects_values


def test_the_evaluator_follows_event_types():
    """A move, a setting or a new name changes nothing compiled: setting an input afterwards
    still recomputes only what depends on it; a new op recompiles everything."""
    g = parse_text("a = 1\nb = 2\nz = a * b")
    a, b, z = g.by_name("a"), g.by_name("b"), g.by_name("z")
    ev = Evaluator(g)
    ev.evaluate()
    g.set_position(a, (5, 5))
    g.set_meta("dataset", "x.csv")
    g.rename(z, "y")
    result = ev.set_input(a, 3.0)
    assert result.recomputed == {a, z} and result.values[z] == 6.0
    g.set_op(z, "add")
    result = ev.set_input(a, 4.0)
    assert result.recomputed == {a, b, z} and result.values[z] == 6.0


# ---- one list of fields -------------------------------------------------------------------------

#: a value other than the default for every saved field
SAMPLES = {"name": "t", "value": 2.0, "pos": (3.0, 4.0), "trainable": True, "data": "label",
           "onehot": 3, "equals": 1.0, "seed": -2.5}
#: the fields of an op node (an index's parameter), sampled on an op node
OP_SAMPLES = {"params": (1, Slice(None, None, -1))}


def test_every_saved_field_survives_the_json_document():
    assert set(SAMPLES) | set(OP_SAMPLES) == set(SAVED_FIELDS) - {"op"}, \
        "a new node field needs a sample here"
    g = Graph()
    fields = {k: v for k, v in SAMPLES.items() if k not in ("name", "value", "pos")}
    n = g.add_node("input", name="t", value=2.0, pos=(3.0, 4.0), **fields)
    m = g.add_op("index", [n], **OP_SAMPLES)
    back = from_json(to_json(g)).graph
    for f in SAVED_FIELDS:
        assert getattr(back.node(n), f) == getattr(g.node(n), f), f
        assert getattr(back.node(m), f) == getattr(g.node(m), f), f
    assert back.node(m).params == OP_SAMPLES["params"]


def test_fields_are_listed_once_in_order():
    assert FIELDS[:5] == ("op", "name", "value", "pos", "seq")
    assert set(FIELDS) - set(SAVED_FIELDS) == {"seq", "source"}


# ---- one merge ------------------------------------------------------------------------------------


def test_merge_carries_every_field_renames_clashes_and_shifts():
    target = parse_text("t = 1\nW = 2\n")
    source = small()
    ids = merge_into(target, source, (100.0, 50.0))
    t2 = target.node(ids[source.by_name("t")])
    assert (t2.name, t2.data, t2.onehot) == ("t_2", "label", 3)
    assert target.node(ids[source.by_name("W")]).trainable
    assert target.node(ids[source.by_name("z")]).name == "z"
    assert t2.source is None  # where the other text put it means nothing here
    assert t2.pos == (100.0, 50.0)
    assert t2.seq > target.node(target.by_name("W")).seq
    assert sorted(target.parents(ids[source.by_name("z")])) == sorted(ids[source.by_name(n)]
                                                                      for n in ("W", "t"))
    assert "dataset" not in target.meta  # settings are the caller's to carry


def test_free_name():
    assert free_name("x", {"y"}) == "x"
    assert free_name("x", {"x", "x_2"}) == "x_3"
