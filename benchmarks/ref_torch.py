"""PyTorch, eager, one scalar tensor a number (float64), on the engine benchmark's MLP, as a
whole process: the same network as :mod:`ref_micrograd`, ``loss.backward()``, the same JSON.

    python benchmarks/ref_torch.py > out.json
"""

from __future__ import annotations

import json

import torch

from networks import SIZES, TARGET, mlp_parameters


def forward(xs, layers):
    def leaf(v):
        return torch.tensor(v, dtype=torch.float64, requires_grad=True)
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
                acc = torch.relu(acc)
            nxt.append(acc)
        current = nxt
    d = current[0] - TARGET
    return d * d, leaves


def main() -> None:
    loss, leaves = forward(*mlp_parameters(SIZES))
    loss.backward()
    print(json.dumps({"loss": loss.item(),
                      "grads": {name: v.grad.item() for name, v in leaves.items()}}))


if __name__ == "__main__":
    main()
