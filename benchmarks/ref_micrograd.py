"""micrograd on the engine benchmark's MLP, as a whole process: the same inputs and parameters
(:mod:`networks`, from the same seed, so no file to read: micrograd's best case), forward,
``loss.backward()``, and the JSON of the loss and every parameter's and input's gradient.

    python benchmarks/ref_micrograd.py > out.json
"""

from __future__ import annotations

import json

from micrograd.engine import Value

from networks import SIZES, TARGET, mlp_parameters


def forward(xs, layers):
    """micrograd's forward (it builds its Values as it goes): the loss and every leaf, named
    as in GraphStudio's file."""
    leaves = {f"x{i}": Value(x) for i, x in enumerate(xs, start=1)}
    current = list(leaves.values())
    for depth, layer in enumerate(layers, start=1):
        nxt = []
        for j, (bias, ws) in enumerate(layer, start=1):
            acc = leaves[f"b{depth}_{j}"] = Value(bias)
            for k, (w, x) in enumerate(zip(ws, current), start=1):
                wv = leaves[f"w{depth}_{j}_{k}"] = Value(w)
                acc = acc + wv * x
            if depth < len(layers):
                acc = acc.relu()
            nxt.append(acc)
        current = nxt
    d = current[0] - TARGET
    return d * d, leaves


def report(loss: Value, leaves: dict) -> str:
    return json.dumps({"loss": loss.data,
                       "grads": {name: v.grad for name, v in leaves.items()}})


def main() -> None:
    loss, leaves = forward(*mlp_parameters(SIZES))
    loss.backward()
    print(report(loss, leaves))


if __name__ == "__main__":
    main()
