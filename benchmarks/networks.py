"""The graphs the engine benchmark times, and their numbers, the same for every engine compared.

* :func:`mlp_parameters`: a neuron-level MLP's inputs, biases and weights from a seed (the
  network micrograd's ``nn.MLP`` builds: ``relu(b + w1*x1 + w2*x2 + ...)`` a neuron, a linear
  output, the loss ``(out - 0.5)²``); :func:`mlp_text` writes it as a ``.gs`` file with
  GraphStudio's own writer, as a user who saved it would have it.
* :func:`chain_text`: a chain ``x -> sin -> sin -> ...`` of ``n`` nodes, as the writer writes
  it (a name every 16 levels); written directly, since the writer takes minutes for a million
  nodes, and checked against the writer on a short chain.

The reference programs import this module to build the same network.
"""

from __future__ import annotations

import os
import random
import sys

# (os.path, not pathlib: the reference programs import this module, and pathlib would add its
# import, a few milliseconds, to their times)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

SIZES = (32, 128, 96, 1)  # 49,924 nodes
TARGET = 0.5


def mlp_parameters(sizes=SIZES, seed: int = 0):
    """Inputs, and per layer, per neuron, (bias, weights)."""
    rng = random.Random(seed)
    xs = [rng.uniform(-1, 1) for _ in range(sizes[0])]
    layers = []
    for nin, nout in zip(sizes, sizes[1:]):
        layers.append([(rng.uniform(-0.1, 0.1), [rng.uniform(-1, 1) * nin**-0.5 for _ in range(nin)])
                       for _ in range(nout)])
    return xs, layers


def mlp_forward(xs, layers, leaf, relu):
    """The MLP's loss built from an autodiff library's numbers, as it builds them as it goes:
    ``leaf(number)`` makes a leaf, ``relu(v)`` the activation. Returns the loss and every leaf
    by its name in GraphStudio's file."""
    leaves = {f"x{i}": leaf(x) for i, x in enumerate(xs, start=1)}
    current = list(leaves.values())
    for depth, layer in enumerate(layers, start=1):
        nxt = []
        for j, (bias, ws) in enumerate(layer, start=1):
            acc = leaves[f"b{depth}_{j}"] = leaf(bias)
            for k, (w, x) in enumerate(zip(ws, current), start=1):
                wv = leaves[f"w{depth}_{j}_{k}"] = leaf(w)
                acc = acc + wv * x
            if depth < len(layers):
                acc = relu(acc)
            nxt.append(acc)
        current = nxt
    d = current[0] - TARGET
    return d * d, leaves


def mlp_graph(sizes=SIZES, seed: int = 0):
    """GraphStudio's graph of the MLP: inputs x1.., parameters b<layer>_<j> and
    w<layer>_<j>_<k>, activations h<layer>_<j>, the output's loss named ``loss``."""
    from graphstudio.core.graph import Graph

    xs, layers = mlp_parameters(sizes, seed)
    g = Graph()
    current = [g.add_input(f"x{i}", x) for i, x in enumerate(xs, start=1)]
    for depth, layer in enumerate(layers, start=1):
        nxt = []
        for j, (bias, ws) in enumerate(layer, start=1):
            acc = g.add_input(f"b{depth}_{j}", bias, trainable=True)
            for k, (w, x) in enumerate(zip(ws, current), start=1):
                wn = g.add_input(f"w{depth}_{j}_{k}", w, trainable=True)
                acc = g.add_op("add", [acc, g.add_op("mul", [wn, x])])
            if depth < len(layers):
                acc = g.add_op("relu", [acc], name=f"h{depth}_{j}")
            nxt.append(acc)
        current = nxt
    d = g.add_op("sub", [current[0], g.add_const(TARGET)])
    g.add_op("mul", [d, d], name="loss")
    return g


def mlp_text(sizes=SIZES, seed: int = 0) -> str:
    from graphstudio.io.gs import write_text

    return write_text(mlp_graph(sizes, seed), header=f"neuron-level MLP {sizes}, seed {seed}")


def chain_text(n: int, op: str = "sin", start: float = 0.5) -> str:
    """``x = start`` and ``n - 1`` nodes of ``op``, as :func:`write_text` writes them."""
    lines = [f"x = {start!r}"]
    prev, made, k = "x", 0, 0
    while made < n - 1:
        k = min(16, n - 1 - made)  # the writer names every 16th node, and the last
        made += k
        name = f"u{made}"
        lines.append(f"{name} = {(op + '(') * k}{prev}{')' * k}")
        prev = name
    return "\n".join(lines) + "\n"


def check_chain_text() -> None:
    """:func:`chain_text` is what the writer writes (on chains of a few lengths)."""
    from graphstudio.core.graph import Graph
    from graphstudio.io.gs import write_text

    for n in (2, 16, 17, 40):
        g = Graph()
        u = g.add_input("x", 0.5)
        for _ in range(n - 1):
            u = g.add_op("sin", [u])
        assert write_text(g) == chain_text(n), n
