"""micrograd on the engine benchmark's MLP, as a whole process: the same inputs and parameters
(:mod:`networks`, from the same seed, so no file to read: micrograd's best case), forward,
``loss.backward()``, and the JSON of the loss and every parameter's and input's gradient.

    python benchmarks/ref_micrograd.py > out.json
"""

from __future__ import annotations

import json

from micrograd.engine import Value

from networks import SIZES, mlp_forward, mlp_parameters


def forward(xs, layers):
    """micrograd's forward (it builds its Values as it goes): the loss and every leaf."""
    return mlp_forward(xs, layers, Value, Value.relu)


def report(loss: Value, leaves: dict) -> str:
    return json.dumps({"loss": loss.data,
                       "grads": {name: v.grad for name, v in leaves.items()}})


def main() -> None:
    loss, leaves = forward(*mlp_parameters(SIZES))
    loss.backward()
    print(report(loss, leaves))


if __name__ == "__main__":
    main()
