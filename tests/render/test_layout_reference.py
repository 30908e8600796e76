"""The layered layout (which places the boxes of each column with numpy) gives the positions
of the plain-Python layout it replaced (tests/render/layout_reference.py), to the bit: on random
graphs (several ports, a parent feeding two ports of one child, constants with one use,
leaves pulled right, nodes assigned out of order), with and without box sizes, on the shipped
examples and on the benchmark's generated MLP and DAG."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import layout_reference
from graphstudio.io import open_document
from graphstudio.io.gs import parse_text
from graphstudio.render.layout import layered_layout

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.gs"))
UNARY = ("sin", "tanh", "relu", "exp")
BINARY = ("+", "-", "*")


def random_text(rng: random.Random, size: int) -> str:
    """A random graph as ``.gs`` text: inputs, constants and ops of one or two arguments over
    nodes defined before (sometimes the same node twice), ending in a sum of what is unused."""
    names: list[str] = []
    lines = []
    for i in range(size):
        name = f"n{i}"
        roll = rng.random()
        if len(names) < 2 or roll < 0.2:
            lines.append(f"{name} = {rng.randint(1, 9)}")
        elif roll < 0.45:
            lines.append(f"{name} = {rng.choice(UNARY)}({rng.choice(names)})")
        else:
            a = rng.choice(names)
            b = a if rng.random() < 0.1 else rng.choice(names[-8:])
            if rng.random() < 0.15:
                b = str(rng.randint(2, 5))  # a constant with a single use
            lines.append(f"{name} = {a} {rng.choice(BINARY)} {b}")
        names.append(name)
    return "\n".join(lines) + "\n"


def random_sizes(rng: random.Random, graph) -> dict[int, tuple[float, float]]:
    return {n: (rng.choice([60.0, 92.0, 131.5, 300.0]), rng.choice([40.0, 56.0, 80.0, 37.25]))
            for n in graph.nodes()}


def same(graph, rng: random.Random) -> None:
    assert layered_layout(graph) == layout_reference.layered_layout(graph)
    assert layered_layout(graph, sweeps=2) == layout_reference.layered_layout(graph, sweeps=2)
    sizes = random_sizes(rng, graph)
    new = layered_layout(graph, 50.0, 20.0, sizes=sizes)
    assert new == layout_reference.layered_layout(graph, 50.0, 20.0, sizes=sizes)
    assert set(new) == set(graph.nodes())


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9), st.integers(1, 60))
def test_random_graphs_are_laid_out_as_the_reference_does(seed, size):
    rng = random.Random(seed)
    same(parse_text(random_text(rng, size)), rng)


def test_random_graphs_differ_enough_to_test_the_sweeps():
    """The comparison is not empty: in the random graphs the crossing sweeps reorder columns
    and the boxes move off their first stacking (the sweeps that place them with numpy)."""
    rng = random.Random(7)
    graph = parse_text(random_text(rng, 60))
    assert layered_layout(graph, sweeps=0) != layered_layout(graph)
    sizes = random_sizes(rng, graph)
    assert len({y for _x, y in layered_layout(graph, 50.0, 20.0, sizes=sizes).values()}) > 10


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_are_laid_out_as_the_reference_does(path):
    same(open_document(path).graph, random.Random(path.stem))


def generated(spec: str, folder: Path):
    """The graph the benchmark generates for ``spec`` (benchmarks/editor.py ``--generate``)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import editor
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    (path,) = editor.generate([spec], folder)
    return open_document(path).graph


@pytest.mark.parametrize("spec", ["mlp:300", "dag:300"])
def test_generated_graphs_are_laid_out_as_the_reference_does(spec, tmp_path):
    same(generated(spec, tmp_path), random.Random(spec))
