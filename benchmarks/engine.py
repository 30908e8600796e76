"""Forward + backward speed of GraphStudio's engine beside micrograd, on the same graphs.

    python benchmarks/engine.py           # the full run (a 50,000-node MLP, a 1,000,000-node chain)
    python benchmarks/engine.py --quick   # a smaller run, for a quick look

(a) A neuron-level MLP built from +, * and relu only, with every weight a node of its own
    (about 50,000 nodes), the network micrograd's ``nn.Neuron`` builds:
    ``relu(b + w0*x0 + w1*x1 + ...)``, and a squared-error loss ``(out - 0.5)²``.
    GraphStudio's ``evaluate(graph)`` on a pre-built ``Graph`` (it compiles the graph, runs the
    forward pass and the backward pass of the loss) is timed beside micrograd's forward (which
    builds its ``Value`` objects) plus ``loss.backward()``. Both must give the same loss and
    gradients; the script checks that before timing.
(b) A chain of 1,000,000 relu nodes. Graph construction is timed separately from
    ``evaluate``. micrograd cannot run it: ``Value.backward()`` sorts the graph with a recursive
    function, so a chain deeper than Python's recursion limit raises ``RecursionError``; the
    script shows that on a chain of 10,000.

Figures are medians over several repetitions, printed side by side with their ratio.
Needs micrograd (``pip install micrograd``); without it, only GraphStudio is timed.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphstudio.core.engine import compile_graph, evaluate  # noqa: E402
from graphstudio.core.graph import Graph  # noqa: E402

try:
    from micrograd.engine import Value
except ImportError:  # the comparison is optional; GraphStudio is still timed
    Value = None

TARGET = 0.5  # the regression target of the MLP's loss


def median_time(fn, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


# ---- (a) the MLP ------------------------------------------------------------------------------


def mlp_parameters(sizes: list[int], seed: int = 0):
    """Inputs and, per layer, per neuron, (bias, weights): the same numbers for both engines."""
    rng = random.Random(seed)
    xs = [rng.uniform(-1, 1) for _ in range(sizes[0])]
    layers = []
    for nin, nout in zip(sizes, sizes[1:]):
        layers.append([(rng.uniform(-0.1, 0.1), [rng.uniform(-1, 1) * nin**-0.5 for _ in range(nin)])
                       for _ in range(nout)])
    return xs, layers


def build_graph_mlp(xs, layers):
    """GraphStudio graph of the MLP: returns (graph, input nodes, weight nodes, loss node)."""
    g = Graph()
    inputs = [g.add_input(f"x{i}", x) for i, x in enumerate(xs)]
    weights = []
    current = inputs
    for depth, layer in enumerate(layers):
        nxt = []
        for bias, ws in layer:
            acc = g.add_input(None, bias, trainable=True)
            weights.append(acc)
            for w, x in zip(ws, current):
                wn = g.add_input(None, w, trainable=True)
                weights.append(wn)
                acc = g.add_op("add", [acc, g.add_op("mul", [wn, x])])
            if depth < len(layers) - 1:
                acc = g.add_op("relu", [acc])
            nxt.append(acc)
        current = nxt
    d = g.add_op("add", [current[0], g.add_const(-TARGET)])
    loss = g.add_op("mul", [d, d], name="loss")
    return g, inputs, weights, loss


def micrograd_mlp(xs, layers):
    """micrograd's forward (building Values) and backward; returns (loss, inputs, weights)."""
    inputs = [Value(x) for x in xs]
    weights = []
    current = inputs
    for depth, layer in enumerate(layers):
        nxt = []
        for bias, ws in layer:
            acc = Value(bias)
            weights.append(acc)
            for w, x in zip(ws, current):
                wv = Value(w)
                weights.append(wv)
                acc = acc + wv * x
            if depth < len(layers) - 1:
                acc = acc.relu()
            nxt.append(acc)
        current = nxt
    d = current[0] + (-TARGET)
    loss = d * d
    loss.backward()
    return loss, inputs, weights


def count_values(root) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def bench_mlp(sizes: list[int], repeat: int) -> bool:
    xs, layers = mlp_parameters(sizes)
    theirs_t = None
    if Value is not None:
        # micrograd first, while the process holds nothing else: its best case. (With our
        # graph alive in memory its runs are about 1.5x slower.)
        theirs_t, _ = median_time(lambda: micrograd_mlp(xs, layers), repeat)
    start = time.perf_counter()
    graph, inputs, weights, loss = build_graph_mlp(xs, layers)
    build = time.perf_counter() - start
    print(f"(a) neuron-level MLP {'-'.join(map(str, sizes))} from +, * and relu: "
          f"{len(graph):,} nodes")
    print(f"    building the Graph (once, not timed below): {build:.3f} s")

    ev = evaluate(graph)
    ok = True
    if Value is not None:
        m_loss, m_inputs, m_weights = micrograd_mlp(xs, layers)
        print(f"    micrograd builds {count_values(m_loss):,} Values for the same network")
        ours = [ev.grads[n] for n in inputs + weights]
        theirs = [v.grad for v in m_inputs + m_weights]
        worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours, theirs))
        same_loss = abs(ev.values[loss] - m_loss.data) <= 1e-12 * max(1.0, abs(m_loss.data))
        ok = same_loss and worst <= 1e-12
        print(f"    loss: GraphStudio {ev.values[loss]:.15g}, micrograd {m_loss.data:.15g}; "
              f"{len(ours):,} gradients, largest relative difference {worst:.1e}: "
              f"{'the same' if ok else 'DIFFERENT'}")
        del m_loss, m_inputs, m_weights

    ours_t, _ = median_time(lambda: evaluate(graph), repeat)
    program = compile_graph(graph)
    run_t, _ = median_time(lambda: evaluate(graph, program=program), repeat)
    compile_t, _ = median_time(lambda: compile_graph(graph), repeat)
    print(f"    forward + backward, median of {repeat}:")
    print(f"      GraphStudio evaluate(graph)                    {ours_t:8.3f} s")
    print(f"        of which compile_graph                       {compile_t:8.3f} s")
    print(f"        and the passes on the compiled program       {run_t:8.3f} s")
    if theirs_t is not None:
        print(f"      micrograd forward (building Values) + backward {theirs_t:8.3f} s")
        print(f"      ratio micrograd / GraphStudio                  {theirs_t / ours_t:8.2f}x")
    else:
        print("      micrograd is not installed: pip install micrograd")
    faster = theirs_t is None or ours_t < theirs_t
    print(f"    requirement (under 1 s and faster than micrograd): "
          f"{'met' if ours_t < 1.0 and faster else 'NOT met'}")
    return ok


# ---- (b) the chain ------------------------------------------------------------------------------


def build_chain(n: int):
    g = Graph()
    x = g.add_input("x", 0.5)
    u = x
    for _ in range(n - 1):
        u = g.add_op("relu", [u])
    return g, x, u


def micrograd_chain(n: int) -> str:
    v = x = Value(0.5)
    for _ in range(n - 1):
        v = v.relu()
    try:
        v.backward()
    except RecursionError:
        return (f"RecursionError on a chain of only {n:,} (Python's recursion limit is "
                f"{sys.getrecursionlimit():,}): Value.backward() sorts the graph with a "
                f"recursive function")
    return f"ran a chain of {n:,} (d/dx = {x.grad})"


def bench_chain(n: int, repeat: int) -> bool:
    print(f"(b) a chain of {n:,} relu nodes")
    start = time.perf_counter()
    graph, x, end = build_chain(n)
    print(f"    building the Graph                               {time.perf_counter() - start:8.3f} s")
    ev = None

    def run():
        nonlocal ev
        ev = evaluate(graph)

    ours_t, _ = median_time(run, repeat)
    print(f"    GraphStudio evaluate(graph), median of {repeat}          {ours_t:8.3f} s"
          f"   ({ours_t / n * 1e6:.2f} µs a node)")
    ok = ev.values[end] == 0.5 and ev.grads[x] == 1.0
    print(f"    value {ev.values[end]}, d end/d x = {ev.grads[x]}: {'right' if ok else 'WRONG'}")
    if Value is not None:
        print(f"    micrograd cannot run it: {micrograd_chain(10_000)}")
    return ok


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller graphs, fewer repetitions")
    p.add_argument("--repeat", type=int, help="repetitions per timing (default 5, quick 3)")
    args = p.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 5)
    sizes = [16, 48, 32, 1] if args.quick else [32, 128, 96, 1]
    chain = 100_000 if args.quick else 1_000_000
    versions = f"Python {platform.python_version()}"
    if Value is not None:
        from importlib.metadata import version
        versions += f", micrograd {version('micrograd')}"
    print(f"GraphStudio engine benchmark ({versions})\n")
    ok = bench_mlp(sizes, repeat)
    print()
    ok = bench_chain(chain, max(1, repeat // 2 if not args.quick else repeat)) and ok
    if not ok:
        print("\nresults differ: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
