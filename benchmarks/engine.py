"""From file to gradients: ``graphstudio eval FILE --json`` beside its references, in one run.

    python benchmarks/engine.py                  # everything (12 minutes on 2 busy cores with
                                                 # --skip autograd, which takes many more)
    python benchmarks/engine.py --quick          # smaller graphs, fewer runs
    python benchmarks/engine.py --before DIR     # also a checkout of an older GraphStudio
                                                 # (DIR/.venv/bin/python), e.g. before-session8
                                                 # (more than one: --before A --before B)

GraphStudio is timed twice: "first run", each run with an empty cache folder (it reads the file,
compiles it and keeps the compiled program: what a user sees the first time), and "cached",
each run finding the program its first run kept (every later ``eval`` of the same file; see
``graphstudio/core/program_cache.py``). Both print the same JSON, which is checked.

Every figure is a median; the commands compared run in turn (A B C A B C ...), so a machine
that slows down during the run slows every one of them alike, and the ratios are taken between
figures of the same run. Whole-process figures are each run's own CPU time (user + system),
wall time and peak memory, from the operating system's accounting of the finished process.
Every process runs with its modules compiled (``.pyc``, as ``pip install`` leaves them), kept
in a folder of the benchmark's own whatever PYTHONDONTWRITEBYTECODE says, each command once
untimed first.

(a) A neuron-level MLP of 49,924 nodes built from +, * and relu, micrograd's network
    (:mod:`networks`), as a ``.gs`` file GraphStudio's writer wrote. References, each a whole
    process on the same network from the same numbers (no file to read: their best case):
    micrograd (``pip install '.[bench]'``), and PyTorch (scalar tensors, eager) and HIPS
    autograd when installed; the script says when one is not. Each reference's loss and
    gradients are checked against GraphStudio's before anything is timed.
(b) A chain of 200,000 ``sin`` beside the floor: a hand-written pure-Python program doing the
    same job (``floor_chain.py``: read the file, forward, backward, print the same JSON),
    whose output must be GraphStudio's, byte for byte after parsing.
(c) A chain of 1,000,000 nodes: time and peak memory; and how the cost grows from 100,000 to
    1,000,000 nodes (10x the nodes).

Then GraphStudio's phases, in this process (medians): a cached run's (hashing the file,
loading the program, the passes); a first run's when the text is read straight into its program
without a graph (``graphstudio/io/gs_program.py``: reading, the passes, keeping the program,
and apart, starting Python with the imports); the full reader's, which a first run of any
other text takes (reading the text, of which parsing alone, compiling, the forward pass, the
backward pass); and the JSON that ``eval`` prints.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import networks  # noqa: E402
from graphstudio.cli import _rows, json_text, named_nodes, seed_json  # noqa: E402
from graphstudio.core import engine  # noqa: E402
from graphstudio.core.collector import collector_paused  # noqa: E402
from graphstudio.io import gs, gs_program  # noqa: E402

PY = sys.executable


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# ---- whole processes ---------------------------------------------------------------------------


#: the cache folders of the runs (removed at the end)
CACHES = tempfile.mkdtemp(prefix="gs-bench-caches-")
atexit.register(shutil.rmtree, CACHES, ignore_errors=True)
#: the compiled modules (.pyc) of every timed process, as a user's installation has them
#: (``pip install`` compiles them; a machine with PYTHONDONTWRITEBYTECODE set would otherwise
#: compile every module of a checkout at every run), in a folder of their own, so that no
#: checkout is written to; each command runs once untimed first, which writes them
PYCACHE = os.path.join(CACHES, "pycache")


class Eval(list):
    """``graphstudio eval FILE --json`` of one GraphStudio, with its cache folder: ``cache``
    "cold" (a new empty folder for every run) or "warm" (one folder, kept from a first run
    before the timing)."""

    def __init__(self, python: str, path: Path, cache: str = "cold") -> None:
        super().__init__([python, "-m", "graphstudio", "eval", str(path), "--json"])
        self.cache = cache
        self.folder = tempfile.mkdtemp(dir=CACHES) if cache == "warm" else None
        if self.folder:
            run(self)  # the first run keeps the program

    def env(self) -> dict[str, str]:
        folder = self.folder or tempfile.mkdtemp(dir=CACHES)
        return {"XDG_CACHE_HOME": folder}


def run(cmd: list[str], out_path: str | None = None) -> dict:
    """Run ``cmd`` to its end (through ``measured.py``, so that its peak memory is its own):
    its wall and CPU seconds and its peak memory (MB)."""
    # (not from the checkout's folder: python -m puts the working folder first on the path,
    # so another checkout's python would import this checkout's graphstudio)
    env = dict(os.environ, PYTHONPATH=str(HERE), PYTHONPYCACHEPREFIX=PYCACHE,
               **(cmd.env() if isinstance(cmd, Eval) else {}))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run([PY, str(HERE / "measured.py"), out_path or "-", "--", *cmd],
                          capture_output=True, text=True, cwd=tempfile.gettempdir(), env=env)
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if proc.returncode == 0 and lines else {"code": "?"}
    if result["code"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result['code']}): {proc.stderr[-500:]}")
    return result


def compare(commands: dict[str, list[str]], repeat: int) -> dict[str, dict]:
    """Each command ``repeat`` times, in turn; the medians of each."""
    runs: dict[str, list[dict]] = {name: [] for name in commands}
    for cmd in commands.values():  # (untimed: its modules compiled, see PYCACHE)
        run(cmd)
    for _ in range(repeat):
        for name, cmd in commands.items():
            runs[name].append(run(cmd))
    return {name: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "peak")}
            for name, rs in runs.items()}


def table(results: dict[str, dict], base: str, note: str = "") -> None:
    """The medians side by side, and each one's ratio to ``base`` (CPU and wall)."""
    b = results[base]
    print(f"    {'':34s} {'cpu s':>8s} {'wall s':>8s} {'peak MB':>8s}   ratio to {base}{note}")
    for name, r in results.items():
        ratio = f"{r['cpu'] / b['cpu']:6.2f}x cpu, {r['wall'] / b['wall']:5.2f}x wall"
        print(f"    {name:34s} {r['cpu']:8.2f} {r['wall']:8.2f} {r['peak']:8.0f}   {ratio}")


def eval_cmds(path: Path, befores: list[str], label: str = "GraphStudio",
              warm: bool = True) -> dict[str, Eval]:
    """This GraphStudio's first and cached runs on ``path``, and each older one's."""
    commands = {f"{label}, first run": Eval(PY, path)}
    if warm:
        commands[f"{label}, cached"] = Eval(PY, path, "warm")
    for python in befores:
        commands[f"{label} {Path(python).parents[2].name}"] = Eval(python, path)
    return commands


# ---- GraphStudio's phases in this process ---------------------------------------------------


def settle() -> None:
    """Keep the collector off what this process already holds (the graphs of earlier parts),
    which a program timed in its own process would not hold."""
    gc.collect()
    gc.freeze()


def median_time(fn, repeat: int, paused: bool = False) -> float:
    """The median CPU time of ``fn``; ``paused``: with the collector paused, as
    ``graphstudio eval`` runs."""
    times = []
    for _ in range(repeat):
        with collector_paused() if paused else contextlib.nullcontext():
            start = time.process_time()
            fn()
            times.append(time.process_time() - start)
        gc.collect()
    return statistics.median(times)


def phases(path: Path, repeat: int) -> dict[str, float]:
    settle()
    text = path.read_text(encoding="utf-8")
    lines = gs.text_lines(text)

    def parse_only():  # every statement parsed (fast path or ast), nothing built
        for _ in gs._Reader(str(path), None, lines)._statements():
            pass

    graph = gs.parse_text(text)
    program = engine.compile_graph(graph)
    n = len(program.order)
    values: list = [None] * n
    out = graph.default_output()

    def forward():
        values[:] = [None] * n
        engine._run_forward(program, values, {}, range(n), graph)

    forward()
    pos = program.index[out]
    ev = engine.evaluate(graph)
    nodes = named_nodes(graph)
    from graphstudio.core import program_cache, program_npz, scalar_program

    folder = Path(tempfile.mkdtemp(dir=CACHES))
    key = program_cache.entry_key(path.read_bytes(), path.suffix)
    records = graph.records()
    program_cache.store(folder, key, program, [records[m].name for m in nodes], nodes, out,
                        graph.label(out))
    entry = folder / f"{key}{program_cache.SCALAR_SUFFIX}"
    if entry.exists():  # replayed without numpy
        def load():
            return scalar_program.decode(entry.read_bytes(), key)
        passes = scalar_program.run
    else:
        def load():
            return program_npz.load(folder / f"{key}{program_npz.SUFFIX}", key)
        passes = program_npz.replay
    loaded = load()
    data = path.read_bytes()
    read = gs_program.read_program(data)  # None: a first run takes the full reader
    steps = {
        "cached: key (hash the file)": lambda: program_cache.entry_key(path.read_bytes(),
                                                                       path.suffix),
        f"cached: load the program ({entry.suffix if entry.exists() else '.npz'})": load,
        "cached: both passes": lambda: passes(loaded),
    }
    if read is not None:  # a first run without a graph (io/gs_program.py)
        keep = Path(tempfile.mkdtemp(dir=CACHES))
        steps.update({
            "first run: read into the program": lambda: gs_program.read_program(data),
            "first run: both passes": lambda: scalar_program.run(read, fresh=True),
            "first run: keep the program": lambda: program_cache.store_scalar(keep, key, read),
        })
    steps.update({
        "full reader: read (parse + build)": lambda: gs.parse_text(text),
        "  of which parse": parse_only,
        "full reader: compile": lambda: engine._compile(graph),
        "full reader: forward": forward,
        "full reader: backward": lambda: engine._run_backward(program, values, pos, 1.0),
        "full reader: evaluate (both passes)": lambda: engine.evaluate(graph),
        "JSON": lambda: json_text(**eval_json_parts(graph, ev, nodes)),
    })
    result = {name: median_time(fn, repeat, paused=True) for name, fn in steps.items()}
    if read is not None:
        result["first run: start Python, imports"] = start_time(repeat)  # (a process)
    return result


def start_time(repeat: int) -> float:
    """The CPU time of a process that starts Python and imports what a first run without a
    graph imports (the registry of ops, without numpy: core/lazy_numpy.py), and does nothing
    else."""
    code = ("import graphstudio.cli, graphstudio.core.program_cache, "
            "graphstudio.core.scalar_program\n"
            "from graphstudio.core import lazy_numpy\n"
            "with lazy_numpy.deferred():\n    import graphstudio.io.gs_program")
    return statistics.median(run([PY, "-c", code])["cpu"] for _ in range(repeat))


def eval_json_parts(graph, ev, nodes) -> dict:
    """What ``eval --json`` writes, as :func:`graphstudio.cli.json_text` takes it."""
    return {"out_label": graph.label(ev.output), "seed": seed_json(ev),
            "rows": _rows(graph, ev, nodes)}


def print_phases(title: str, result: dict[str, float], nodes: int) -> None:
    print(f"    {title}, in this process (CPU, median):")
    for name, t in result.items():
        print(f"      {name:38s} {t:8.3f} s  {t / nodes * 1e6:7.2f} µs a node")


def micrograd_phases(repeat: int, sizes) -> dict[str, float]:
    import ref_micrograd

    settle()
    params = networks.mlp_parameters(sizes)
    box = {}

    def build():
        box["loss"], box["leaves"] = ref_micrograd.forward(*params)

    def backward():
        box["loss"].backward()

    result = {"forward (building its Values)": median_time(build, repeat)}
    times = []
    for _ in range(repeat):
        build()
        start = time.process_time()
        backward()
        times.append(time.process_time() - start)
    result["backward"] = statistics.median(times)
    result["JSON"] = median_time(lambda: ref_micrograd.report(box["loss"], box["leaves"]), repeat)
    return result


# ---- checks -------------------------------------------------------------------------------------


def same_numbers(ours: dict, theirs: dict, what: str) -> bool:
    """A reference's loss and gradients against GraphStudio's ``eval --json``."""
    nodes = ours["nodes"]
    worst = max(abs(nodes[k]["grad"] - g) / max(1.0, abs(g)) for k, g in theirs["grads"].items())
    loss = nodes["loss"]["value"]
    ok = abs(loss - theirs["loss"]) <= 1e-12 * max(1.0, abs(loss)) and worst <= 1e-9
    print(f"    {what}: loss {theirs['loss']:.15g} (GraphStudio {loss:.15g}), "
          f"{len(theirs['grads']):,} gradients, largest relative difference {worst:.1e}: "
          f"{'the same' if ok else 'DIFFERENT'}")
    return ok


def json_of(cmd: list[str], tmp: Path, name: str) -> dict:
    path = tmp / f"{name}.json"
    run(cmd, str(path))
    return json.loads(path.read_text())


# ---- the benchmark ------------------------------------------------------------------------------


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller graphs, fewer runs")
    p.add_argument("--repeat", type=int, help="runs of each whole process (default 5, quick 3)")
    p.add_argument("--before", metavar="DIR", action="append", default=[],
                   help="a checkout of another GraphStudio with its own virtual environment in "
                   "DIR/.venv, timed beside this one (may be given more than once)")
    p.add_argument("--no-million", action="store_true", help="leave out (c)")
    p.add_argument("--skip", action="append", default=[], metavar="NAME",
                   choices=["micrograd", "torch", "autograd"],
                   help="leave out a reference (micrograd, torch, autograd); HIPS autograd "
                   "takes minutes on the full MLP: the gradient of each number it reads from a "
                   "dict is a dict of zeros as large as the whole, so its time grows with the "
                   "square of the parameters")
    args = p.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 5)
    sizes = (16, 48, 32, 1) if args.quick else networks.SIZES
    chain = 20_000 if args.quick else 200_000
    million = 100_000 if args.quick else 1_000_000
    befores = []
    for folder in args.before:
        befores.append(str(Path(folder).resolve() / ".venv" / "bin" / "python"))
        if not Path(befores[-1]).exists():
            p.error(f"--before: no {befores[-1]}")
    ok = True

    versions = [f"Python {platform.python_version()}"]
    refs = {"micrograd": "micrograd", "PyTorch": "torch", "HIPS autograd": "autograd"}
    for label, module in refs.items():
        if have(module):
            from importlib.metadata import version
            versions.append(f"{label} {version(module)}")
        else:
            versions.append(f"{label}: not installed, skipped")
    print("GraphStudio engine benchmark: " + "; ".join(versions))
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} at the start "
          "(a shared machine: figures move with the load; the ratios hold better)\n")

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        # (a) the MLP
        mlp = tmp / "mlp.gs"
        mlp.write_text(networks.mlp_text(sizes))
        nodes = len(gs.parse_text(mlp.read_text()))
        print(f"(a) neuron-level MLP {'-'.join(map(str, sizes))} from +, * and relu: "
              f"{nodes:,} nodes, graphstudio eval {mlp.name} --json, whole process")
        commands = eval_cmds(mlp, befores)
        ours = json_of(commands["GraphStudio, first run"], tmp, "ours")
        cached = json_of(commands["GraphStudio, cached"], tmp, "cached")
        print(f"    the cached run's JSON is the first run's: {'yes' if cached == ours else 'NO'}")
        ok = cached == ours and ok
        ref_env = "" if sizes == networks.SIZES else "quick"
        for label, module in refs.items():
            if not have(module) or module in args.skip:
                print(f"    {label}: {'left out (--skip)' if have(module) else 'not installed'}")
                continue
            script = str(HERE / f"ref_{module}.py")
            cmd = [PY, script] if not ref_env else [PY, "-c", _quick_ref(module, sizes)]
            ok = same_numbers(ours, json_of(cmd, tmp, module), label) and ok
            commands[label] = cmd
        table(compare(commands, repeat), "micrograd" if "micrograd" in commands
              else "GraphStudio, first run")
        print_phases("GraphStudio", phases(mlp, repeat), nodes)
        if have("micrograd"):
            print_phases("micrograd", micrograd_phases(repeat, sizes), nodes)

        # (b) the chain of sin and its floor
        path = tmp / "chain.gs"
        path.write_text(networks.chain_text(chain))
        print(f"\n(b) a chain of {chain:,} sin, graphstudio eval {path.name} --json, whole process")
        floor = [PY, str(HERE / "floor_chain.py"), str(path)]
        commands = {"floor (pure Python)": floor, **eval_cmds(path, befores)}
        expected = json_of(floor, tmp, "floor")
        same = all(json_of(commands[f"GraphStudio, {which}"], tmp, "chain") == expected
                   for which in ("first run", "cached"))
        print(f"    the floor program's JSON is GraphStudio's (first and cached runs): "
              f"{'yes' if same else 'NO'}")
        ok = same and ok
        results = compare(commands, repeat)
        table(results, "floor (pure Python)")
        print_phases("GraphStudio", phases(path, repeat), chain)

        # (c) a million nodes, and growth
        if not args.no_million:
            small = tmp / "small.gs"
            small.write_text(networks.chain_text(million // 10))
            big = tmp / "big.gs"
            big.write_text(networks.chain_text(million))
            print(f"\n(c) chains of {million // 10:,} and {million:,} sin, whole process")
            commands = {**eval_cmds(small, [], f"GraphStudio {million // 10:,}"),
                        **eval_cmds(big, befores, f"GraphStudio {million:,}")}
            results = compare(commands, max(1, repeat // 2 + 1))
            table(results, f"GraphStudio {million // 10:,}, first run",
                  note=" (10x the nodes: at most 11x the time)")
    if not ok:
        print("\nresults differ: see above")
    return 0 if ok else 1


def _quick_ref(module: str, sizes) -> str:
    """A reference program run on the quick run's smaller network."""
    return (f"import ref_{module} as r, networks as n; n.SIZES = {tuple(sizes)!r}; "
            f"r.SIZES = n.SIZES; r.main()")


if __name__ == "__main__":
    sys.exit(main())
