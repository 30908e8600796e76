"""HIPS autograd on the engine benchmark's MLP, as a whole process: the same network as
:mod:`ref_micrograd`, written as a function of a dict of numbers, ``grad`` of it, the same JSON.

    python benchmarks/ref_autograd.py > out.json
"""

from __future__ import annotations

import json

import autograd.numpy as anp
from autograd import value_and_grad

from networks import SIZES, TARGET, mlp_parameters


def names(xs, layers):
    leaves = {f"x{i}": x for i, x in enumerate(xs, start=1)}
    for depth, layer in enumerate(layers, start=1):
        for j, (bias, ws) in enumerate(layer, start=1):
            leaves[f"b{depth}_{j}"] = bias
            for k, w in enumerate(ws, start=1):
                leaves[f"w{depth}_{j}_{k}"] = w
    return leaves


def loss_of(leaves, sizes=SIZES):
    current = [leaves[f"x{i}"] for i in range(1, sizes[0] + 1)]
    for depth in range(1, len(sizes)):
        nxt = []
        for j in range(1, sizes[depth] + 1):
            acc = leaves[f"b{depth}_{j}"]
            for k, x in enumerate(current, start=1):
                acc = acc + leaves[f"w{depth}_{j}_{k}"] * x
            if depth < len(sizes) - 1:
                acc = anp.maximum(acc, 0.0)
            nxt.append(acc)
        current = nxt
    d = current[0] - TARGET
    return d * d


def main() -> None:
    leaves = names(*mlp_parameters(SIZES))
    loss, grads = value_and_grad(lambda ls: loss_of(ls, SIZES))(leaves)
    print(json.dumps({"loss": float(loss), "grads": {k: float(v) for k, v in grads.items()}}))


if __name__ == "__main__":
    main()
