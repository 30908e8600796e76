"""The floor for a chain of ``sin``: a hand-written pure-Python program doing the job of
``graphstudio eval FILE --json`` on such a file, and nothing more.

It reads the file (lines ``x = 0.5`` and ``u16 = sin(sin(...(x)...))``, as GraphStudio's writer
writes a chain), runs the forward pass, the backward pass (``d out/d u = Π cos`` down the
chain), and prints the same JSON: every named node's op, value and gradient.

    python benchmarks/floor_chain.py FILE > out.json
"""

from __future__ import annotations

import json
import math
import sys


def main(path: str) -> None:
    names, depth, args = [], [], []  # per line: its name, how many sin, of which name
    start = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            name, expr = line.split(" = ")
            expr = expr.strip()
            if start is None:
                start, first = float(expr), name
                continue
            k = expr.count("sin(")
            names.append(name)
            depth.append(k)
            args.append(expr[4 * k:len(expr) - k])
    # forward: every node's value, in order
    values = [start]
    sin = math.sin
    for k in depth:
        v = values[-1]
        for _ in range(k):
            v = sin(v)
            values.append(v)
    # backward: d out / d node, from the end
    grads = [0.0] * len(values)
    g = 1.0
    cos = math.cos
    for i in range(len(values) - 1, 0, -1):
        grads[i] = g
        g *= cos(values[i - 1])
    grads[0] = g
    nodes = {first: {"op": "input", "value": start, "grad": grads[0]}}
    at = 0
    for name, k in zip(names, depth):
        at += k
        nodes[name] = {"op": "sin", "value": values[at], "grad": grads[at]}
    print(json.dumps({"output": names[-1] if names else first, "seed": 1.0, "nodes": nodes}))


if __name__ == "__main__":
    main(sys.argv[1])
