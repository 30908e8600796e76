"""PyTorch, eager, one scalar tensor a number (float64), on the engine benchmark's MLP, as a
whole process: the same network as :mod:`ref_micrograd`, ``loss.backward()``, the same JSON.

    python benchmarks/ref_torch.py > out.json
"""

from __future__ import annotations

import json

import torch

from networks import SIZES, mlp_forward, mlp_parameters


def forward(xs, layers):
    def leaf(v):
        return torch.tensor(v, dtype=torch.float64, requires_grad=True)
    return mlp_forward(xs, layers, leaf, torch.relu)


def main() -> None:
    loss, leaves = forward(*mlp_parameters(SIZES))
    loss.backward()
    print(json.dumps({"loss": loss.item(),
                      "grads": {name: v.grad.item() for name, v in leaves.items()}}))


if __name__ == "__main__":
    main()
