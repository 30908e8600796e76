"""One training step of GraphStudio beside the same step hand-written in numpy.

    python benchmarks/train.py                      # every case
    python benchmarks/train.py --quick              # fewer rounds, no 100,000-row case
    python benchmarks/train.py --before PYTHON      # an older GraphStudio too, alternating

A *step* is what ``Trainer.step()`` does: the loss and its gradient over a batch, and the
update ``θ ← θ − τ g``. The numpy step beside it is the same network, the same loss (the mean
over the batch's examples, an L2 term counted once) and the same update, written as one would by
hand: the batch as a matrix, the backward pass written out (the softmax and the cross-entropy
together, ``(Y − D)/m``). Before timing, the script checks that the two give the same losses
over their first steps (and so the same parameters), to 1e-9.

Cases: the Seoul network (``examples/seoul_sgd_l2.gs``: 2 inputs, 3 sigmoid units, L2) on
1,000 and on 100,000 rows like its dataset's, full batch; the shipped training examples with
the settings their comments give (Siegen's curve fit, Seoul's minibatch SGD with batches of 8,
11-785's classifier); the network Graph > New Network builds by default (2-4-1, sigmoid,
squared error, on ``seoul_plane.csv``) in matrix form and in scalar neurons.

``--before PYTHON`` names a Python interpreter that imports another GraphStudio (for example a
virtual environment with a checkout of an earlier version installed): its steps are timed in a
process of its own, in turn with this one's and numpy's (each figure is the median of rounds
that alternate the three), so a drift in the machine's speed touches all three alike.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLES = REPO / "examples"

if "--worker" not in sys.argv:  # the worker times whatever GraphStudio its interpreter has
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from graphstudio.core.dataset import load_for_graph, parse_csv  # noqa: E402
from graphstudio.core.networks import NetworkSpec, build_network  # noqa: E402
from graphstudio.core.train import Trainer  # noqa: E402
from graphstudio.io.gs import parse_file, parse_text  # noqa: E402

LR = 0.1


# ---- the cases: a trainer, and the same step in numpy ------------------------------------------


def seoul_rows(n: int, seed: int = 6) -> str:
    """``n`` rows like ``seoul_plane.csv``'s: y = 0.8 tanh(x1 − 0.5 x2) + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 2))
    y = 0.8 * np.tanh(x[:, 0] - 0.5 * x[:, 1]) + rng.normal(0, 0.05, n)
    return "x1,x2,y\n" + "\n".join(f"{a:.4f},{b:.4f},{c:.4f}" for (a, b), c in zip(x, y)) + "\n"


def seoul_graph_text() -> str:
    text = (EXAMPLES / "seoul_sgd_l2.gs").read_text()
    return text.replace('dataset("data/seoul_plane.csv")', 'dataset("rows.csv")')


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Batches:
    """The rows of each step, as the trainer picks them: every row, or a seeded shuffle cut
    into batches of ``size`` and shuffled again every epoch."""

    def __init__(self, n: int, size: int | None, seed: int = 0) -> None:
        self.n, self.size = n, min(size or n, n)
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(n) if self.size < n else None
        self.pos = 0

    def next(self):
        if self.order is None:
            return slice(None)
        rows = self.order[self.pos:self.pos + self.size]
        self.pos += self.size
        if self.pos >= self.n:
            self.pos = 0
            self.order = self.rng.permutation(self.n)
        return rows


class NumpySeoul:
    """a = W x, h = σ(a), ŷ = vᵀh, J = (ŷ − y)² + λ(‖W‖² + ‖v‖²), averaged over the batch."""

    def __init__(self, graph, ds, batch=None, seed=0):
        value = lambda name: np.array(graph.value(graph.by_name(name)), dtype=float)  # noqa: E731
        self.W, self.v, self.lam = value("W"), value("v"), float(value("lam"))
        cols = {c: i for i, c in enumerate(ds.columns)}
        self.X = ds.values[:, [cols["x1"], cols["x2"]]]
        self.y = ds.values[:, cols["y"]]
        self.batches = Batches(len(self.y), batch, seed)

    def step(self) -> float:
        rows = self.batches.next()
        X, y, W, v, lam = self.X[rows], self.y[rows], self.W, self.v, self.lam
        m = len(y)
        H = sigmoid(X @ W.T)
        r = H @ v - y
        loss = r @ r / m + lam * (np.sum(W * W) + v @ v)
        g = 2 * r / m
        gv = H.T @ g + 2 * lam * v
        gA = np.outer(g, v) * H * (1 - H)
        gW = gA.T @ X + 2 * lam * W
        self.W, self.v = W - LR * gW, v - LR * gv
        return float(loss)


class NumpySiegen:
    """N = w2 · σ(w1 x + b1) + b2, E = (N − y)², averaged over the batch."""

    def __init__(self, graph, ds, batch=None, seed=0):
        value = lambda name: np.array(graph.value(graph.by_name(name)), dtype=float)  # noqa: E731
        self.w1, self.b1, self.w2, self.b2 = (value(n) for n in ("w1", "b1", "w2", "b2"))
        self.x, self.y = ds.column("x"), ds.column("y")
        self.batches = Batches(len(self.y), batch, seed)

    def step(self) -> float:
        rows = self.batches.next()
        x, y = self.x[rows], self.y[rows]
        m = len(y)
        H = sigmoid(np.outer(x, self.w1) + self.b1)
        r = H @ self.w2 + self.b2 - y
        loss = r @ r / m
        g = 2 * r / m
        gw2, gb2 = H.T @ g, np.sum(g)
        gZ = np.outer(g, self.w2) * H * (1 - H)
        gw1, gb1 = gZ.T @ x, gZ.sum(axis=0)
        self.w1, self.b1 = self.w1 - LR * gw1, self.b1 - LR * gb1
        self.w2, self.b2 = self.w2 - LR * gw2, self.b2 - LR * gb2
        return float(loss)


class NumpyMLP:
    """z1 = W1 x + b1, h = f(z1), z2 = W2 h + b2; the squared error Σ (z2 − t)², or softmax
    and cross-entropy against the one-hot class; averaged over the batch. ``names`` are the
    graph's parameter names (W1, b1, W2, b2)."""

    def __init__(self, graph, ds, batch=None, seed=0, *, inputs, target, activation, loss,
                 names=("W1", "b1", "W2", "b2")):
        value = lambda name: np.array(graph.value(graph.by_name(name)), dtype=float)  # noqa: E731
        self.params = [value(n) for n in names]
        self.X = np.stack([ds.column(c) for c in inputs], axis=1)
        t = ds.column(target)
        self.T = np.eye(int(t.max()) + 1)[t.astype(int)] if loss == "softmax_ce" else t[:, None]
        self.activation, self.loss = activation, loss
        self.batches = Batches(len(t), batch, seed)

    def step(self) -> float:
        rows = self.batches.next()
        X, T = self.X[rows], self.T[rows]
        W1, b1, W2, b2 = self.params
        m = len(X)
        Z1 = X @ W1.T + b1
        H = np.tanh(Z1) if self.activation == "tanh" else sigmoid(Z1)
        Z2 = H @ W2.T + b2
        if self.loss == "softmax_ce":
            E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
            Y = E / E.sum(axis=1, keepdims=True)
            loss = -np.sum(T * np.log(Y)) / m
            gZ2 = (Y - T) / m
        else:
            R = Z2 - T
            loss = np.sum(R * R) / m
            gZ2 = 2 * R / m
        gW2, gb2 = gZ2.T @ H, gZ2.sum(axis=0)
        gH = gZ2 @ W2
        gZ1 = gH * (1 - H * H) if self.activation == "tanh" else gH * H * (1 - H)
        gW1, gb1 = gZ1.T @ X, gZ1.sum(axis=0)
        self.params = [p - LR * g for p, g in zip(self.params, (gW1, gb1, gW2, gb2))]
        return float(loss)


def new_network(form: str):
    spec = NetworkSpec((2, 4, 1), "sigmoid", "squared", ("x1", "x2"), ("y",),
                       "seoul_plane.csv", form)
    graph = build_network(spec)
    ds = load_for_graph(graph, EXAMPLES / "data")
    return graph, ds


def _new_network_numpy(graph, ds, batch=None, seed=0):
    return NumpyMLP(graph, ds, batch, seed, inputs=("x1", "x2"), target="y",
                    activation="sigmoid", loss="squared")


def _scalar_numpy(graph, ds, batch=None, seed=0):
    """The scalar-neuron network's weights gathered into the matrices of the same network."""
    v = lambda name: float(graph.value(graph.by_name(name)))  # noqa: E731
    net = NumpyMLP.__new__(NumpyMLP)
    net.params = [np.array([[v(f"w1_{j}_{k}") for k in (1, 2)] for j in (1, 2, 3, 4)]),
                  np.array([v(f"b1_{j}") for j in (1, 2, 3, 4)]),
                  np.array([[v(f"w2_1_{k}") for k in (1, 2, 3, 4)]]),
                  np.array([v("b2_1")])]
    net.X = np.stack([ds.column("x1"), ds.column("x2")], axis=1)
    net.T = ds.column("y")[:, None]
    net.activation, net.loss = "sigmoid", "squared"
    net.batches = Batches(len(net.T), batch, seed)
    return net


def _example(name: str):
    graph = parse_file(EXAMPLES / name)
    return graph, load_for_graph(graph, EXAMPLES)


def _seoul(n: int):
    graph = parse_text(seoul_graph_text())
    return graph, parse_csv(seoul_rows(n), "rows.csv")


#: name -> (graph and dataset, batch size, numpy step)
CASES = {
    "Seoul network, 1,000 rows": (lambda: _seoul(1_000), None, NumpySeoul),
    "Seoul network, 100,000 rows": (lambda: _seoul(100_000), None, NumpySeoul),
    "siegen_fit_curve.gs (30 rows)": (lambda: _example("siegen_fit_curve.gs"), None, NumpySiegen),
    "seoul_sgd_l2.gs (40 rows, batch 8)": (lambda: _example("seoul_sgd_l2.gs"), 8, NumpySeoul),
    "cmu11785_classify.gs (40 rows)": (
        lambda: _example("cmu11785_classify.gs"), None,
        lambda g, ds, batch=None, seed=0: NumpyMLP(g, ds, batch, seed, inputs=("x1", "x2"),
                                                   target="label", activation="tanh",
                                                   loss="softmax_ce")),
    "New Network default, matrix (40 rows)": (lambda: new_network("matrix"), None,
                                              _new_network_numpy),
    "New Network default, scalar neurons (40 rows)": (lambda: new_network("scalar"), None,
                                                       _scalar_numpy),
}
BIG = "Seoul network, 100,000 rows"


def make(case: str):
    """A fresh trainer and a fresh numpy step of ``case``, from the same parameters."""
    build, batch, numpy_step = CASES[case]
    graph, ds = build()
    trainer = Trainer(graph, ds, schedule=LR, batch_size=batch, seed=0)
    return trainer, numpy_step(graph, ds, batch, 0)


# ---- timing ----------------------------------------------------------------------------------------


def per_step(step, k: int) -> float:
    start = time.perf_counter()
    for _ in range(k):
        step()
    return (time.perf_counter() - start) / k


def steps_per_sample(step, budget: float = 0.02) -> int:
    """How many steps make one timed sample of about ``budget`` seconds (at least one)."""
    once = per_step(step, 1)
    return max(1, min(1000, int(budget / max(once, 1e-7))))


class Before:
    """Another GraphStudio in a process of its own (``--worker``), timing steps on request."""

    def __init__(self, python: str) -> None:
        self.proc = subprocess.Popen([python, str(Path(__file__).resolve()), "--worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.version = self.ask({"version": True})["version"]

    def ask(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the --before process ended")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


def worker() -> int:
    """Serve requests from the main process: check (first losses) and time steps of a case."""
    import graphstudio

    trainers: dict[str, Trainer] = {}
    for line in sys.stdin:
        request = json.loads(line)
        if "version" in request:
            reply = {"version": str(Path(graphstudio.__file__).parent.parent)}
        else:
            case = request["case"]
            if case not in trainers or request.get("fresh"):
                trainers[case] = make(case)[0]
            t = trainers[case]
            if "losses" in request:
                reply = {"losses": [t.step().loss for _ in range(request["losses"])]}
            else:
                reply = {"seconds": per_step(t.step, request["steps"])}
        print(json.dumps(reply), flush=True)
    return 0


def check(case: str, before: Before | None, n: int = 3) -> bool:
    trainer, numpy_step = make(case)
    ours = [trainer.step().loss for _ in range(n)]
    theirs = [numpy_step.step() for _ in range(n)]
    ok = np.allclose(ours, theirs, rtol=1e-9, atol=0)
    line = (f"    same losses over {n} steps as numpy: {'yes' if ok else 'NO'} "
            f"({ours[0]:.12g}, … {ours[-1]:.12g}; numpy {theirs[-1]:.12g})")
    if before is not None:
        old = before.ask({"case": case, "losses": n, "fresh": True})["losses"]
        same = np.allclose(old, ours, rtol=1e-9, atol=0)
        ok = ok and same
        line += f"; before: {'yes' if same else 'NO'}"
    print(line)
    if not trainer.batched:
        print(f"    (one example at a time: {trainer.batch_refusal})")
    return bool(ok)


def bench(case: str, rounds: int, before: Before | None, before_rounds: int) -> None:
    trainer, numpy_step = make(case)
    k_ours = steps_per_sample(trainer.step)
    k_numpy = steps_per_sample(numpy_step.step)
    ours, theirs, old = [], [], []
    k_before = 1
    if before is not None:
        once = before.ask({"case": case, "steps": 1, "fresh": True})["seconds"]
        k_before = max(1, min(1000, int(0.02 / max(once, 1e-7))))
    for r in range(rounds):
        ours.append(per_step(trainer.step, k_ours))
        theirs.append(per_step(numpy_step.step, k_numpy))
        if before is not None and r < before_rounds:
            old.append(before.ask({"case": case, "steps": k_before})["seconds"])
    mo, mn = statistics.median(ours), statistics.median(theirs)
    print(f"    GraphStudio step       {mo * 1e3:10.3f} ms   ({rounds} rounds of {k_ours})")
    print(f"    numpy step             {mn * 1e3:10.3f} ms   ({rounds} rounds of {k_numpy})")
    print(f"    GraphStudio / numpy    {mo / mn:10.1f}x")
    if old:
        mb = statistics.median(old)
        print(f"    before step            {mb * 1e3:10.3f} ms   ({len(old)} rounds of {k_before})")
        print(f"    before / numpy         {mb / mn:10.1f}x")
        print(f"    before / GraphStudio   {mb / mo:10.1f}x")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer rounds, no 100,000-row case")
    p.add_argument("--rounds", type=int, help="rounds per case (default 21, quick 7)")
    p.add_argument("--before", metavar="PYTHON",
                   help="an interpreter importing another GraphStudio, timed alternately")
    p.add_argument("--before-rounds", type=int, default=21, metavar="N",
                   help="rounds of the other GraphStudio per case (default 21; 3 on 100,000 rows)")
    p.add_argument("--case", action="append", metavar="TEXT",
                   help="only the cases whose name holds TEXT (repeatable)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return worker()
    rounds = args.rounds or (7 if args.quick else 21)
    cases = [c for c in CASES if not (args.quick and c == BIG)]
    if args.case:
        cases = [c for c in cases if any(t.lower() in c.lower() for t in args.case)]
    before = Before(args.before) if args.before else None
    print(f"One training step, GraphStudio beside numpy (Python {platform.python_version()}, "
          f"numpy {np.__version__}; medians)")
    if before is not None:
        print(f"before: the GraphStudio of {before.version}")
    ok = True
    try:
        for case in cases:
            print(f"\n{case}")
            ok = check(case, before) and ok
            bench(case, rounds, before, min(args.before_rounds, 3) if case == BIG
                  else args.before_rounds)
    finally:
        if before is not None:
            before.close()
    if not ok:
        print("\nthe losses differ: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
