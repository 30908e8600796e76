"""From file to gradients: ``graphstudio eval FILE --json`` beside its references, in one run.

    python benchmarks/engine.py                  # everything (12 minutes on 2 busy cores with
                                                 # --skip autograd, which takes many more)
    python benchmarks/engine.py --quick          # smaller graphs, fewer runs
    python benchmarks/engine.py --before DIR     # also a checkout of an older GraphStudio
                                                 # with its own DIR/.venv, e.g. before-session8
                                                 # (more than one: --before A --before B)

GraphStudio is timed twice: "first run", each run with an empty cache folder (it reads the file,
compiles it and keeps the compiled program: what a user sees the first time), and "cached",
each run finding the program its first run kept (every later ``eval`` of the same file; see
``graphstudio/core/program_cache.py``). Both print the same JSON, which is checked.

GraphStudio is timed as a user who followed the README runs it: installed by ``pip install .``
(not editable: the package copied into the environment's ``site-packages`` with its modules
compiled, ``.pyc``) and run by its console script, ``graphstudio eval FILE --json``. For this
checkout and each ``--before DIR``, the benchmark makes such an environment of its own (a
throwaway virtual environment without pip, into which ``DIR/.venv``'s pip installs a copy of
the checkout without its dependencies; a ``deps.pth`` there names ``DIR/.venv``'s
``site-packages``, so numpy, networkx and micrograd come from the checkout's own environment,
whose editable install's import hook is not run: a path line in a ``.pth`` file only extends
``sys.path``). The references and the floor program run under this checkout's environment's
``python``, so that every process starts the same way.

Every figure is a median; the commands compared run in turn (A B C A B C ...), so a machine
that slows down during the run slows every one of them alike, and the ratios are taken between
figures of the same run. Whole-process figures are each run's own CPU time (user + system),
wall time and peak memory, from the operating system's accounting of the finished process.
Each command runs once untimed first. The scripts run from the benchmark's folder (the
references, the floor) run with their modules compiled too, kept in a folder of the
benchmark's own whatever PYTHONDONTWRITEBYTECODE says.

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
#: what a user runs: the console script ``pip install .`` makes
SCRIPT = "graphstudio"


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# ---- whole processes ---------------------------------------------------------------------------


#: the cache folders of the runs (removed at the end)
CACHES = tempfile.mkdtemp(prefix="gs-bench-caches-")
atexit.register(shutil.rmtree, CACHES, ignore_errors=True)
#: the compiled modules (.pyc) of the scripts run from the benchmark's folder and of what they
#: import, as an installation has them (a machine with PYTHONDONTWRITEBYTECODE set would
#: otherwise compile them at every run), in a folder of their own, so that no checkout is
#: written to; each command runs once untimed first, which writes them. (An installed
#: GraphStudio has its own, which ``pip install`` wrote: it runs without this folder.)
PYCACHE = os.path.join(CACHES, "pycache")


class Installed:
    """A throwaway environment where ``checkout`` is installed as ``pip install CHECKOUT``
    installs it (a copy, its modules compiled), its dependencies taken from the checkout's own
    ``.venv`` (a ``deps.pth`` naming its ``site-packages``). ``python``: the environment's
    interpreter; ``script``: its ``graphstudio`` command."""

    def __init__(self, checkout: Path) -> None:
        venv_python = checkout / ".venv" / "bin" / "python"
        self.checkout, self.name = checkout, checkout.name
        root = Path(tempfile.mkdtemp(dir=CACHES, prefix=f"env-{checkout.name}-"))
        env, source = root / "env", root / "src"
        # (a copy: pip builds in the source folder, which must not be written to)
        shutil.copytree(checkout, source, ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
            ".hypothesis", "out"))
        subprocess.run([str(venv_python), "-m", "venv", "--without-pip", str(env)], check=True)
        self.python = str(env / "bin" / "python")
        self.script = str(env / "bin" / SCRIPT)
        proc = subprocess.run([str(venv_python), "-m", "pip", "--python", self.python,
                               "install", "-q", "--no-deps", str(source)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"pip install {checkout} failed: {proc.stderr[-1000:]}")
        site = subprocess.run([self.python, "-c", "import sysconfig; "
                               "print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
        deps = subprocess.run([str(venv_python), "-c", "import sysconfig; "
                               "print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
        Path(site, "deps.pth").write_text(deps + "\n")
        # the graphstudio it runs is the installed copy, not the checkout's editable one
        where = subprocess.run([self.python, "-c", "import graphstudio; print(graphstudio.__file__)"],
                               capture_output=True, text=True, check=True, cwd=CACHES,
                               env=_clean_env()).stdout.strip()
        if not where.startswith(site):
            raise RuntimeError(f"{self.python} imports graphstudio from {where}, not {site}")
        shutil.rmtree(source, ignore_errors=True)


def _clean_env(**more: str) -> dict[str, str]:
    """The environment of a timed process: no PYTHONPATH or .pyc folder unless given."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")}
    env.update(more)
    return env


class Eval(list):
    """``graphstudio eval FILE --json`` of one installed GraphStudio (its console script), with
    its cache folder: ``cache`` "cold" (a new empty folder for every run) or "warm" (one
    folder, kept from a first run before the timing)."""

    def __init__(self, script: str, path: Path, cache: str = "cold") -> None:
        super().__init__([script, "eval", str(path), "--json"])
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
    # (not from the checkout's folder: python puts the working folder first on the path)
    if isinstance(cmd, Eval) or getattr(cmd, "installed", False):  # pip's .pyc, nothing else
        env = _clean_env(**(cmd.env() if isinstance(cmd, Eval) else {}))
    else:  # a script of the benchmark's folder
        env = _clean_env(PYTHONPATH=str(HERE), PYTHONPYCACHEPREFIX=PYCACHE)
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


def eval_cmds(path: Path, ours: Installed, befores: list[Installed],
              label: str = "GraphStudio", warm: bool = True) -> dict[str, Eval]:
    """This GraphStudio's first and cached runs on ``path``, and each older one's."""
    commands = {f"{label}, first run": Eval(ours.script, path)}
    if warm:
        commands[f"{label}, cached"] = Eval(ours.script, path, "warm")
    for before in befores:
        commands[f"{label} {before.name}"] = Eval(before.script, path)
    return commands


class Started(list):
    """A command of the installed environment without the benchmark's scripts (``-c`` code):
    run as an installed GraphStudio is."""

    installed = True


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


def phases(path: Path, repeat: int, ours: Installed) -> dict[str, float]:
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
        result["first run: start Python, imports"] = start_time(repeat, ours)  # (a process)
    return result


def start_time(repeat: int, ours: Installed) -> float:
    """The CPU time of a process of the installed GraphStudio that starts Python and imports
    what a first run without a graph imports (the registry of ops, without numpy:
    core/lazy_numpy.py), as its console script does, and does nothing else."""
    code = ("import re, sys\n"  # (what pip's console script imports)
            "import graphstudio.cli, graphstudio.core.program_cache, "
            "graphstudio.core.scalar_program\n"
            "from graphstudio.core import lazy_numpy\n"
            "with lazy_numpy.deferred():\n    import graphstudio.io.gs_program")
    command = Started([ours.python, "-c", code])
    run(command)  # (untimed, as every command)
    return statistics.median(run(command)["cpu"] for _ in range(repeat))


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
    for folder in [ROOT, *map(Path, args.before)]:
        if not (folder / ".venv" / "bin" / "python").exists():
            p.error(f"no {folder / '.venv' / 'bin' / 'python'}")
    mine = Installed(ROOT)
    befores = [Installed(Path(folder).resolve()) for folder in args.before]
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
    print(f"GraphStudio timed as installed by `pip install .` (not editable, modules compiled) "
          f"in a throwaway environment of each checkout ({mine.name}"
          + "".join(f", {b.name}" for b in befores) + "), run by its console script "
          f"`{SCRIPT} eval FILE --json`; the references and the floor program run by the same "
          "environment's python")
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
        commands = eval_cmds(mlp, mine, befores)
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
            cmd = [mine.python, script] if not ref_env else [mine.python, "-c",
                                                              _quick_ref(module, sizes)]
            ok = same_numbers(ours, json_of(cmd, tmp, module), label) and ok
            commands[label] = cmd
        table(compare(commands, repeat), "micrograd" if "micrograd" in commands
              else "GraphStudio, first run")
        print_phases("GraphStudio", phases(mlp, repeat, mine), nodes)
        if have("micrograd"):
            print_phases("micrograd", micrograd_phases(repeat, sizes), nodes)

        # (b) the chain of sin and its floor
        path = tmp / "chain.gs"
        path.write_text(networks.chain_text(chain))
        print(f"\n(b) a chain of {chain:,} sin, graphstudio eval {path.name} --json, whole process")
        floor = [mine.python, str(HERE / "floor_chain.py"), str(path)]
        commands = {"floor (pure Python)": floor, **eval_cmds(path, mine, befores)}
        expected = json_of(floor, tmp, "floor")
        same = all(json_of(commands[f"GraphStudio, {which}"], tmp, "chain") == expected
                   for which in ("first run", "cached"))
        print(f"    the floor program's JSON is GraphStudio's (first and cached runs): "
              f"{'yes' if same else 'NO'}")
        ok = same and ok
        results = compare(commands, repeat)
        table(results, "floor (pure Python)")
        print_phases("GraphStudio", phases(path, repeat, mine), chain)

        # (c) a million nodes, and growth
        if not args.no_million:
            small = tmp / "small.gs"
            small.write_text(networks.chain_text(million // 10))
            big = tmp / "big.gs"
            big.write_text(networks.chain_text(million))
            print(f"\n(c) chains of {million // 10:,} and {million:,} sin, whole process")
            commands = {**eval_cmds(small, mine, [], f"GraphStudio {million // 10:,}"),
                        **eval_cmds(big, mine, befores, f"GraphStudio {million:,}")}
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
