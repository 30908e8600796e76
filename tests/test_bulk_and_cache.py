"""Building in bulk gives the graph that building node by node gives, and announces it in a
form a listener can follow; a compiled graph is kept until its structure changes.

A bulk (``graph.bulk()``) is how readers build large graphs: one networkx call for the nodes,
one for the edges and one :class:`NodesAdded` instead of one call and one event per node and
per edge. Nothing may tell the two graphs apart: ids, records, edges and their ports, names,
networkx's own order of nodes and neighbours, the next id and order of assignment."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphstudio.core import engine
from graphstudio.core.engine import Evaluator, compile_graph, evaluate
from graphstudio.core.events import EdgeAdded, NodeAdded, NodesAdded
from graphstudio.core.graph import Graph, GraphError
from graphstudio.core.ops import OPS

OP_NAMES = sorted(n for n, op in OPS.items() if op.scalar_forward is not None)


@st.composite
def scripts(draw):
    """A list of building calls: (kind, op, argument indices, name, fields)."""
    steps = []
    count = draw(st.integers(1, 25))
    for k in range(count):
        made = len(steps)
        kind = "leaf" if made == 0 else draw(st.sampled_from(["leaf", "op", "op", "const"]))
        name = draw(st.one_of(st.none(), st.just(f"n{k}")))
        if kind == "leaf":
            steps.append(("input", None, (), name, {"trainable": draw(st.booleans())},
                          draw(st.floats(-3, 3))))
        elif kind == "const":
            steps.append(("const", None, (), None, {}, draw(st.floats(-3, 3))))
        else:
            op = draw(st.sampled_from(OP_NAMES))
            arity = min(OPS[op].arity)
            args = tuple(draw(st.integers(0, made - 1)) for _ in range(arity))
            steps.append(("op", op, args, name, {"source": (k + 1, 1)}, None))
    return steps


def run(script, target, reader: bool = False) -> list[int]:
    """Run ``script`` on a graph or a bulk; ``reader``: the ops as the ``.gs`` reader adds
    them to a bulk (``add_read_op``, then a name)."""
    ids: list[int] = []
    for kind, op, args, name, fields, value in script:
        if kind == "input":
            ids.append(target.add_input(name, value, **fields))
        elif kind == "const":
            ids.append(target.add_const(value))
        elif reader:
            ids.append(target.add_read_op(op, [ids[a] for a in args], fields["source"]))
            if name is not None:
                target.rename(ids[-1], name)
        else:
            ids.append(target.add_op(op, [ids[a] for a in args], name=name, **fields))
    return ids


def assert_same_graph(a: Graph, b: Graph) -> None:
    assert list(a.records()) == list(b.records())
    for n in a.nodes():
        assert a.node(n).same(b.node(n)), n
    assert a.names() == b.names()
    assert list(a.g.nodes) == list(b.g.nodes)
    assert list(a.g.edges(keys=True, data=True)) == list(b.g.edges(keys=True, data=True))
    for n in a.nodes():  # networkx's neighbour order, which its algorithms follow
        assert list(a.g.pred[n]) == list(b.g.pred[n]) and list(a.g.succ[n]) == list(b.g.succ[n])
    assert a.topological_order() == b.topological_order()
    # the next node gets the same id and the same order of assignment
    assert a.add_input("next", 1.0) == b.add_input("next", 1.0)
    assert a.node(a.by_name("next")).seq == b.node(b.by_name("next")).seq


@settings(max_examples=150, deadline=None)
@given(script=scripts(), before=st.integers(0, 3))
def test_bulk_builds_the_graph_node_by_node_building_builds(script, before):
    one, bulk = Graph(), Graph()
    for g in (one, bulk):  # a graph that already holds nodes (the expression bar's case)
        for k in range(before):
            g.add_input(f"old{k}", float(k))
    heard_one, heard_bulk = [], []
    one.subscribe(heard_one.append)
    bulk.subscribe(heard_bulk.append)
    ids_one = run(script, one)
    with bulk.bulk() as b:
        ids_bulk = run(script, b)
        assert len(bulk) == before and heard_bulk == []  # nothing reaches the graph before the end
    assert ids_one == ids_bulk
    # one announcement, which stands for the node-by-node ones: every node, then every edge
    assert len(heard_bulk) == 1 and isinstance(heard_bulk[0], NodesAdded)
    singles = list(heard_bulk[0].singles())
    assert singles == ([e for e in heard_one if isinstance(e, NodeAdded)]
                       + [e for e in heard_one if isinstance(e, EdgeAdded)])
    assert len(singles) == len(heard_one)
    assert_same_graph(one, bulk)
    # and the two graphs evaluate alike, bit for bit
    ev_one, ev_bulk = evaluate(one), evaluate(bulk)
    for n in one.nodes():
        assert repr(ev_one.values[n]) == repr(ev_bulk.values[n])
        assert repr(ev_one.grads[n]) == repr(ev_bulk.grads[n])


@settings(max_examples=100, deadline=None)
@given(script=scripts())
def test_a_graph_read_in_bulk_is_evaluated_before_networkx_holds_it(script):
    """A reader's bulk (``add_read_op``) into an empty graph: the graph sorts, compiles and
    evaluates from its edge list, networkx untouched, exactly as the graph built node by node
    (whose structure networkx holds) does; networkx gets it all when first asked."""
    one, read = Graph(), Graph()
    run(script, one)
    with read.bulk() as b:
        run(script, b, reader=True)
    edges = read.edge_list()
    assert sorted(edges) == sorted(one.edges())
    found = (read.sinks(), read.topological_order(), read.default_output(),
             compile_graph(read).parents, evaluate(read))
    assert read.edge_list() is not None  # still not in networkx
    assert found[:4] == (one.sinks(), one.topological_order(), one.default_output(),
                         compile_graph(one).parents)
    ev_one = evaluate(one)
    for n in one.nodes():
        assert repr(ev_one.values[n]) == repr(found[4].values[n])
        assert repr(ev_one.grads[n]) == repr(found[4].grads[n])
    assert_same_graph(one, read)  # (which reads networkx)
    assert read.edge_list() is None


def test_a_second_thread_never_sees_the_structure_half_built():
    """A bulk-read chain of 60,000 edges: while one thread puts it into networkx (its first
    reader), another asking for the edges waits for all of them; it never sees the part
    added so far (the pending list used to be dropped before networkx had it all)."""
    import threading

    graph = Graph()
    with graph.bulk() as b:
        last = b.add_input("x", 1.0)
        for _ in range(60_000):
            last = b.add_read_op("sin", [last], (1, 0))
    started, seen = threading.Event(), []

    def first_reader():
        started.set()
        graph.g

    thread = threading.Thread(target=first_reader)
    thread.start()
    started.wait()
    while graph._nx is None:  # the first reader has begun to build it
        pass
    seen.append(graph.g.number_of_edges())
    thread.join()
    assert seen == [60_000]


def test_eval_of_a_file_never_puts_its_structure_into_networkx(tmp_path):
    from graphstudio.cli import load_and_evaluate

    path = tmp_path / "f.gs"
    path.write_text("x = 2\nw = param(0.5)\nh = relu(w * x + 1)\nloss = sin(h) * h\n")
    doc, ev = load_and_evaluate(str(path))
    assert doc.graph.edge_list() is not None
    assert ev.grads[doc.graph.by_name("x")] == pytest.approx(
        0.5 * (math.cos(2.0) * 2.0 + math.sin(2.0)))


def test_a_listener_following_node_by_node_can_follow_a_bulk():
    """What a scene does: it adds an item per node and per edge; given a bulk's singles, it
    ends with the graph's nodes and edges, and never meets an edge before its nodes."""
    g = Graph()
    x = g.add_input("x", 1.0)
    items: set[int] = {x}
    wires: set[tuple[int, int, int]] = set()

    def follow(event):
        for e in event.singles() if isinstance(event, NodesAdded) else [event]:
            if isinstance(e, NodeAdded):
                items.add(e.node)
            elif isinstance(e, EdgeAdded):
                assert e.src in items and e.dst in items
                wires.add((e.src, e.dst, e.port))

    g.subscribe(follow)
    with g.bulk() as b:
        u = b.add_op("sin", [x])
        b.add_op("mul", [u, x], name="z")
    assert items == set(g.nodes()) and wires == set(g.edges())


def test_a_bulk_that_fails_leaves_the_graph_as_it_was():
    g = Graph()
    x = g.add_input("x", 1.0)
    heard = []
    g.subscribe(heard.append)
    with pytest.raises(GraphError, match="already used"):
        with g.bulk() as b:
            b.add_op("exp", [x], name="y")
            b.add_input("y", 2.0)
    assert g.nodes() == [x] and heard == [] and g.structure_version == 1
    assert g.add_input("w", 0.0) == x + 1  # no id was spent


@pytest.mark.parametrize("build, message", [
    (lambda b, x: b.add_op("nope", [x]), "unknown op"),
    (lambda b, x: b.add_op("mul", [x]), "mul takes 2 arguments, not 1"),
    (lambda b, x: b.add_op("exp", [99]), "no node 99"),
    (lambda b, x: b.add_input("x", 1.0), "already used"),
    (lambda b, x: b.add_input("1x", 1.0), "not a valid name"),
    (lambda b, x: b.add_input("a", 1.0, colour="red"), "no field 'colour'"),
    (lambda b, x: b.rename(x, "q"), "not added in this bulk"),
])
def test_a_bulk_checks_what_the_graph_checks(build, message):
    g = Graph()
    x = g.add_input("x", 1.0)
    with pytest.raises((GraphError, KeyError), match=message):
        with g.bulk() as b:
            build(b, x)
    assert g.nodes() == [x]


def test_a_bulk_refuses_a_graph_changed_behind_it():
    g = Graph()
    b = g.bulk()
    b.add_input("x", 1.0)
    g.add_input("y", 2.0)
    with pytest.raises(GraphError, match="changed while"):
        b.commit()
    assert g.names() == {"y": 0}


def test_bulk_renames_and_sets_fields_of_its_own_nodes():
    g = Graph()
    with g.bulk() as b:
        x = b.add_input("x", 2.0)
        y = b.add_op("mul", [x, x])
        b.rename(y, "y")
        b.set_attr(y, "source", (2, 1))
        assert b.by_name("y") == y and b.node(y).source == (2, 1)
    assert g.by_name("y") == y and g.node(y).source == (2, 1)
    assert evaluate(g).grads[x] == 4.0


# ---- the compiled program is kept -----------------------------------------------------------


@pytest.fixture
def compiles(monkeypatch):
    """How many times the engine really compiles a graph."""
    count = []
    real = engine._compile
    monkeypatch.setattr(engine, "_compile", lambda graph: count.append(1) or real(graph))
    return count


def test_an_unchanged_graph_is_not_compiled_again(compiles):
    g = Graph()
    x = g.add_input("x", 3.0)
    z = g.add_op("mul", [x, x], name="z")
    assert evaluate(g).values[z] == 9.0
    g.set_value(x, 4.0)  # a value, a name, a move, a seed: the structure is the same
    g.rename(z, "y")
    g.set_position(x, (1.0, 2.0))
    g.set_attr(z, "seed", 2.0)
    assert evaluate(g).values[z] == 16.0 and evaluate(g).grads[x] == 16.0
    assert len(compiles) == 1
    g.set_op(z, "add")  # an op is structure
    assert evaluate(g).values[z] == 8.0 and len(compiles) == 2
    w = g.add_op("exp", [z])
    g.disconnect(w, 0)
    g.connect(x, w, 0)
    assert evaluate(g).values[w] == pytest.approx(np.exp(4.0)) and len(compiles) == 3


def test_programs_handed_out_do_not_share_leaf_values(compiles):
    """Training sets leaf values in its own program: another program of the same graph, and
    the graph, do not see them."""
    g = Graph()
    x = g.add_input("x", 3.0)
    z = g.add_op("mul", [x, x])
    mine = compile_graph(g)
    mine.leaf_values[mine.index[x]] = 10.0
    assert evaluate(g, program=mine).values[z] == 100.0
    assert evaluate(g).values[z] == 9.0 and g.value(x) == 3.0
    assert len(compiles) == 1


def test_the_editors_evaluator_compiles_only_on_a_new_structure(compiles):
    g = Graph()
    a, b = g.add_input("a", 1.0), g.add_input("b", 2.0)
    z = g.add_op("mul", [a, b], name="z")
    ev = Evaluator(g)
    ev.evaluate()
    g.rename(z, "y")
    g.set_position(a, (3.0, 4.0))
    assert ev.evaluate().values[z] == 2.0
    assert ev.set_input(a, 5.0).values[z] == 10.0
    assert len(compiles) == 1
    with g.bulk() as bulk:
        w = bulk.add_op("exp", [z])
    result = ev.set_input(b, 0.0)  # a new structure: everything is computed again
    assert result.values[w] == 1.0 and result.recomputed == {a, b, z, w}
    assert len(compiles) == 2


def test_a_restored_node_keeps_the_order_counter_ahead_of_it():
    """Nodes built on a copy come back by restore(); a node added after them is assigned
    after them (a tie would make the default output depend on the order of insertion)."""
    g = Graph()
    a = g.add_input("a")
    copy = g.copy()
    built = copy.add_op("exp", [a], name="built")
    g.restore(built, copy.node(built))
    later = g.add_input("later")
    assert g.node(a).seq < g.node(built).seq < g.node(later).seq
    bulk = g.bulk()  # and a bulk after it
    more = bulk.add_input("more")
    bulk.commit()
    assert g.node(more).seq > g.node(later).seq


def test_the_edges_kept_follow_every_change_of_structure():
    """graph.edges() is kept until the structure changes: every way of adding or removing an
    edge or a node gives the edges networkx holds, and a caller's list is its own."""
    g = Graph()
    a, b = g.add_input("a", 1.0), g.add_input("b", 2.0)
    c = g.add_op("add", [a, b], name="c")

    def truth():
        return [(s, d, k) for s, d, k in g.g.edges(keys=True)]

    seen = g.edges()
    assert seen == truth() == [(a, c, 0), (b, c, 1)]
    seen.append((9, 9, 9))  # the caller's own list
    assert g.edges() == truth()
    d = g.add_op("mul", [c, c], name="d")
    assert g.edges() == truth() and (c, d, 1) in g.edges()
    g.disconnect(d, 1)
    assert g.edges() == truth() and (c, d, 1) not in g.edges()
    g.connect(a, d, 1)
    assert g.edges() == truth() and (a, d, 1) in g.edges()
    g.remove_node(c)
    assert g.edges() == truth() and all(c not in e[:2] for e in g.edges())
    with g.bulk() as b:
        e = b.add_op("neg", [a], name="e")
    assert (a, e, 0) in g.edges() and sorted(g.edges()) == sorted(truth())


def _parents_from_networkx(g: Graph, n: int) -> list:
    """A node's parents by port as networkx holds them (the plain answer)."""
    if g.is_leaf(n):
        return []
    by_port = {k: s for s, _d, k in g.g.in_edges(n, keys=True)}
    count = max(max(by_port, default=-1) + 1, min(OPS[g.op(n)].arity))
    return [by_port.get(p) for p in range(count)]


def _children_from_networkx(g: Graph, n: int) -> list:
    return list(dict.fromkeys(d for _s, d in g.g.out_edges(n)))


@settings(max_examples=100, deadline=None)
@given(script=scripts(), reader=st.booleans(), asked=st.integers(0, 30))
def test_parents_and_children_found_all_at_once_are_networkxs(script, reader, asked):
    """Asked of many nodes, parents and children are found for every node in one pass over
    the edges: the same lists as networkx's node by node, in its order; and after each kind
    of change of structure (the first few asked one by one, then all at once again)."""
    g = Graph()
    with g.bulk() as b:
        ids = run(script, b, reader=reader)
    g.add_input("lone", 1.0)  # a node of no edge
    order = g.nodes()
    for n in order[:asked] + order + order[::-1]:
        assert g.parents(n) == _parents_from_networkx(g, n)
        assert g.children(n) == _children_from_networkx(g, n)
    ops = [n for n in g.nodes() if not g.is_leaf(n)]
    if ops:  # change the structure: a port freed and fed again, a node removed, one added
        dst = ops[-1]
        g.disconnect(dst, 0)
        for n in g.nodes():
            assert g.parents(n) == _parents_from_networkx(g, n)
            assert g.children(n) == _children_from_networkx(g, n)
        g.connect(ids[0], dst, 0)
        g.remove_node(ops[0]) if ops[0] != dst else None
        g.add_op("neg", [ids[0]], name="fresh")
        for n in reversed(g.nodes()):
            assert g.parents(n) == _parents_from_networkx(g, n)
            assert g.children(n) == _children_from_networkx(g, n)
