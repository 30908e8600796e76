"""``graphstudio eval`` keeps a file's compiled program in the user's cache folder and replays it
when the same bytes are evaluated again (core/program_cache.py). A replay must print exactly
what reading the file prints, and nothing in the cache (a changed file, another GraphStudio, a
damaged or unreadable entry) may ever give another answer or a traceback. Both formats are
covered: a program of plain-Python rules (``.gsp``, replayed without numpy) and any other
program of numbers (``.npz``)."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import graphstudio.io as gs_io
from graphstudio.cli import main
from graphstudio.core import program_cache, scalar_program
from graphstudio.io import gs_program

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["eval", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def entries() -> list[Path]:
    folder = Path(program_cache.cache_folder())
    if not folder.exists():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(program_cache.SUFFIXES))


#: ops whose rules need numpy (``pow``'s backward, ``max``'s): a network using them is kept
#: as an ``.npz``
NUMPY_OPS = ["{a} ** 2 + {b}", "max({a}, {b})"]


def network_text(seed: int, width: int = 6, depth: int = 4, extra: list[str] = ()) -> str:
    """A random layered network of the ops a neuron-level network uses, and a few others
    (and ``extra``)."""
    rng = random.Random(seed)
    lines = [f"x{i} = {rng.uniform(-2, 2)!r}" for i in range(width)]
    layer = [f"x{i}" for i in range(width)]
    ops = ["{a} + {b}", "{a} * {b}", "{a} - {b}", "relu({a})", "tanh({a}) * {b}",
           "sin({a}) + 0.5 * {b}", "{a} * {a}", "sigmoid({a} - {b})", "-{a}",
           "exp(0.1 * {a}) / (1 + {b} * {b})", "sqrt(abs({a}) + 1) - cos({b})",
           "log(1 + {a} * {a})", "sqerr({a}, {b})", *extra]
    for d in range(depth):
        nxt = []
        for j in range(width):
            w = f"w{d}_{j}"
            lines.append(f"{w} = param({rng.uniform(-1, 1)!r})")
            a, b = rng.choice(layer), rng.choice(layer)
            lines.append(f"h{d}_{j} = {w} * " + rng.choice(ops).format(a=a, b=b))
            nxt.append(f"h{d}_{j}")
        layer = nxt
    lines.append("loss = " + " + ".join(f"{h} * {h}" for h in layer))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("extra, suffix", [([], ".gsp"), (NUMPY_OPS, ".npz")])
def test_a_replay_prints_what_reading_the_file_prints(extra, suffix, tmp_path, capsys,
                                                      monkeypatch):
    for seed in range(6):
        path = tmp_path / f"net{seed}.gs"
        path.write_text(network_text(seed, extra=extra))
        reference = run(capsys, str(path), "--json", "--no-cache")
        assert reference[0] == 0
        assert len(entries()) == seed  # --no-cache keeps nothing
        assert run(capsys, str(path), "--json") == reference  # read, compiled and kept
        assert len(entries()) == seed + 1
        assert {p.suffix for p in entries()} == {suffix}
        with monkeypatch.context() as m:
            m.setattr(gs_io, "open_document", lambda p: pytest.fail("read again"))
            m.setattr(gs_program, "read_program", lambda data: pytest.fail("read again"))
            assert run(capsys, str(path), "--json") == reference  # replayed
            # the table and another output, from the same entry
            table = run(capsys, str(path))
            output = run(capsys, str(path), "--json", "--output", "h1_2")
        assert table == run(capsys, str(path), "--no-cache")
        assert output == run(capsys, str(path), "--json", "--output", "h1_2", "--no-cache")
        assert json.loads(output[1])["output"] == "h1_2"


@pytest.mark.parametrize("name", ["cs231n_gates.gs", "siegen_backprop.gs", "grosse_csc311.gs",
                                  "bristol_lecture2.gs", "swish_function.gs",
                                  "cs231n_sigmoid_gate.gs"])
def test_the_examples_of_numbers_replayed(name, capsys, monkeypatch):
    path = str(EXAMPLES / name)
    reference = run(capsys, path, "--json", "--no-cache")
    assert run(capsys, path, "--json") == reference
    assert len(entries()) == 1
    monkeypatch.setattr(gs_io, "open_document", lambda p: pytest.fail("read again"))
    monkeypatch.setattr(gs_program, "read_program", lambda data: pytest.fail("read again"))
    assert run(capsys, path, "--json") == reference


def test_a_changed_file_is_read_again(tmp_path, capsys):
    path = tmp_path / "f.gs"
    path.write_text("x = 2\ny = 3\nz = x * y + x\n")
    assert json.loads(run(capsys, str(path), "--json")[1])["nodes"]["z"]["value"] == 8.0
    path.write_text("x = 5\ny = 3\nz = x * y + x\n")  # the same structure, another number
    out = json.loads(run(capsys, str(path), "--json")[1])
    assert out["nodes"]["z"]["value"] == 20.0 and out["nodes"]["x"]["grad"] == 4.0
    assert len(entries()) == 2


def replays(monkeypatch) -> list[bool]:
    """Whether each ``eval`` from now on was answered by the cache (True) or read the file
    (False; with either reader: a first run of a plain text reads it without a graph)."""
    answered = []
    real = program_cache.replay

    def replay(*args, **kwargs):
        result = real(*args, **kwargs)
        answered.append(result is not None)
        return result

    monkeypatch.setattr(program_cache, "replay", replay)
    return answered


def test_another_graphstudio_finds_no_entry(tmp_path, capsys, monkeypatch):
    path = tmp_path / "f.gs"
    path.write_text("x = 2\nz = x * x\n")
    run(capsys, str(path), "--json")
    answered = replays(monkeypatch)
    run(capsys, str(path), "--json")
    assert answered == [True]
    monkeypatch.setattr(program_cache, "code_stamp", lambda root=None: "another version")
    assert json.loads(run(capsys, str(path), "--json")[1])["nodes"]["x"]["grad"] == 4.0
    assert answered == [True, False]
    assert len(entries()) == 2  # kept under the other version's key


def test_the_code_stamp_follows_the_code(tmp_path):
    package = tmp_path / "pkg"
    (package / "core").mkdir(parents=True)
    (package / "core" / "engine.py").write_text("A = 1\n")
    (package / "cli.py").write_text("B = 2\n")
    before = program_cache.code_stamp(package)
    assert program_cache.code_stamp(package) == before
    (package / "core" / "engine.py").write_text("A = 12\n")  # an edit
    edited = program_cache.code_stamp(package)
    assert edited != before
    (package / "core" / "new.py").write_text("")  # a new module (another version)
    assert program_cache.code_stamp(package) not in (before, edited)
    # the key changes with the stamp, the content and the suffix
    keys = {program_cache.entry_key(b"x = 1\n", ".gs", "a"),
            program_cache.entry_key(b"x = 1\n", ".gs", "b"),
            program_cache.entry_key(b"x = 2\n", ".gs", "a"),
            program_cache.entry_key(b"x = 1\n", ".json", "a")}
    assert len(keys) == 4


def _damaged_entries(entry: Path) -> dict[str, bytes]:
    """Ways an entry can be wrong: each must be ignored."""
    if entry.suffix == ".gsp":
        return _damaged_scalar_entries(entry)
    good = entry.read_bytes()
    with np.load(entry, allow_pickle=False) as e:
        arrays = {k: e[k] for k in e.files}

    def saved(**changes) -> bytes:
        import io
        buffer = io.BytesIO()
        np.savez(buffer, **{**arrays, **changes})
        return buffer.getvalue()

    parents = arrays["parents"].copy()
    parents[-1] = len(arrays["kinds"]) - 1  # a node its own parent
    kinds = arrays["kinds"].copy()
    kinds[-1] = len(arrays["vocab"])  # an op that is not there
    return {
        "garbage": b"not a cache entry at all",
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "a flipped byte": good[:200] + bytes([good[200] ^ 0xFF]) + good[201:],
        "another key": saved(key=np.array("0" * 64)),
        "a parent after its child": saved(parents=parents),
        "an unknown op code": saved(kinds=kinds),
        "an op that is not registered": saved(vocab=np.array(
            ["no_such_op" if v == "mul" else v for v in arrays["vocab"].tolist()])),
        "too few leaf values": saved(leaf_values=arrays["leaf_values"][:-1]),
        "a missing array": _without(arrays, "names"),
        "a pickled object": saved(names=np.array([object()], dtype=object)),
    }


def _scalar_parts(entry: Path) -> dict:
    """What :func:`scalar_program.encode` takes, from a sound entry."""
    program = scalar_program.decode(entry.read_bytes(), entry.stem)
    return {"key": entry.stem, "kinds": program.kinds, "kind": program.kind,
            "first": program.first, "second": program.second, "leaves": program.leaves,
            "names": program.names, "named": program.named, "output": program.output,
            "output_label": program.output_label}


def signed(body: bytes) -> bytes:
    """An entry of ``body`` with its digest: the checks after the digest must catch it."""
    return scalar_program.MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def _damaged_scalar_entries(entry: Path) -> dict[str, bytes]:
    good = entry.read_bytes()
    parts = _scalar_parts(entry)
    n = len(parts["kind"])
    last_binary = max(i for i in range(n) if parts["kinds"][parts["kind"][i]][3] == 2)

    def saved(**changes) -> bytes:  # re-encoded: a sound digest over wrong content
        return scalar_program.encode(**{**parts, **changes})

    def changed(name: str, i: int, value) -> list:
        items = list(parts[name])
        items[i] = value
        return items

    def kinds_with(**rule) -> list:
        return [[k[0], rule.get("forward", k[1]), rule.get("backward", k[2]), k[3]]
                if k[1] else k for k in parts["kinds"]]

    header_end = good.index(b"\n", good.index(b"\n") + 1)
    return {
        "garbage": b"not a cache entry at all",
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "a flipped byte in the header": good[:120] + bytes([good[120] ^ 0x01]) + good[121:],
        "a flipped byte in a number": good[:-20] + bytes([good[-20] ^ 0x01]) + good[-19:],
        "a byte more": good + b"\0",
        "no digest": scalar_program.MAGIC + good[good.index(b"\n"):],
        "another key": saved(key="0" * 64),
        "a parent after its child": saved(first=changed("first", last_binary, n - 1)),
        "a second parent after its child": saved(second=changed("second", last_binary, n - 1)),
        "a negative parent": saved(first=changed("first", last_binary, -2)),
        "an unknown kind": saved(kind=changed("kind", n - 1, len(parts["kinds"]))),
        "a rule that is not known": saved(kinds=kinds_with(forward="os.system")),
        "a backward rule that is not known": saved(kinds=kinds_with(backward="eval")),
        "a leaf with a rule": saved(kinds=[[k[0], "math.sin", "sin_vjp", 1] if not k[1] else k
                                           for k in parts["kinds"]]),
        "an op of three arguments": saved(kinds=[[*k[:3], 3] if k[1] else k
                                                  for k in parts["kinds"]]),
        "an output beyond the end": saved(output=n),
        "a named node beyond the end": saved(named=changed("named", 0, n)),
        "a name that is not text": saved(names=changed("names", 0, 7)),
        "a header that is not JSON": signed(b"{" + good[header_end:]),
        "a header without the key": signed(b"{}" + good[header_end:]),
    }


def _without(arrays: dict, name: str) -> bytes:
    import io
    buffer = io.BytesIO()
    np.savez(buffer, **{k: v for k, v in arrays.items() if k != name})
    return buffer.getvalue()


@pytest.mark.parametrize("extra", [[], NUMPY_OPS], ids=["gsp", "npz"])
def test_a_damaged_entry_is_never_an_answer(extra, tmp_path, capsys):
    path = tmp_path / "net.gs"
    path.write_text(network_text(7, extra=extra))
    reference = run(capsys, str(path), "--json", "--no-cache")
    run(capsys, str(path), "--json")
    (entry,) = entries()
    good = entry.read_bytes()
    for what, data in _damaged_entries(entry).items():
        entry.write_bytes(data)
        assert run(capsys, str(path), "--json") == reference, what
        assert entry.read_bytes() == good, what  # replaced by a sound entry


def test_an_unreadable_or_unwritable_cache_is_no_cache(tmp_path, capsys, monkeypatch):
    path = tmp_path / "f.gs"
    path.write_text("x = 2\nz = x * x\n")
    reference = run(capsys, str(path), "--json", "--no-cache")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert run(capsys, str(path), "--json") == reference
    assert run(capsys, str(path), "--json") == reference
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    run(capsys, str(path), "--json")
    (entry,) = entries()
    entry.unlink()
    entry.mkdir()  # an entry that is a folder
    assert run(capsys, str(path), "--json") == reference


def test_turned_off_keeps_nothing(tmp_path, capsys, monkeypatch):
    path = tmp_path / "f.gs"
    path.write_text("x = 2\nz = x * x\n")
    monkeypatch.setenv("GRAPHSTUDIO_CACHE", "off")
    run(capsys, str(path), "--json")
    monkeypatch.delenv("GRAPHSTUDIO_CACHE")
    assert not entries()


@pytest.mark.parametrize("text", [
    "x = [1, 2]\ny = x * x\n",  # arrays
    "x = -1\ny = log(x)\n",  # a domain warning, which must be printed every time
    "x = 2\ny = x * x\nseed(y, 3)\n",  # a seed
    "x = [1, 2, 3]\ny = x[1] * 2\n",  # an op with a parameter
])
def test_graphs_that_are_not_kept_are_read_every_time(text, tmp_path, capsys):
    path = tmp_path / "f.gs"
    path.write_text(text)
    reference = run(capsys, str(path), "--json", "--no-cache")
    assert run(capsys, str(path), "--json") == reference
    assert run(capsys, str(path), "--json") == reference
    assert not entries()


def test_a_replay_that_meets_a_problem_reads_the_file(tmp_path, capsys):
    """An entry whose passes meet a problem (here a sound entry of the file, whose input was
    made negative so that sqrt gets a domain warning) is not an answer: the file is read."""
    path = tmp_path / "f.gs"
    path.write_text("x = 4\nz = sqrt(x)\n")
    reference = run(capsys, str(path), "--json", "--no-cache")
    run(capsys, str(path), "--json")
    (entry,) = entries()
    parts = _scalar_parts(entry)
    assert parts["leaves"] == [4.0, 0.0]
    entry.write_bytes(scalar_program.encode(**{**parts, "leaves": [-4.0, 0.0]}))
    assert run(capsys, str(path), "--json") == reference
    assert json.loads(reference[1])["nodes"]["z"]["value"] == 2.0


def test_a_replay_that_meets_a_problem_reads_the_file_npz(tmp_path, capsys):
    """The same for an entry replayed with numpy (pow's rules need it)."""
    path = tmp_path / "f.gs"
    path.write_text("x = 4\nz = x ** 0.5\n")
    reference = run(capsys, str(path), "--json", "--no-cache")
    run(capsys, str(path), "--json")
    (entry,) = entries()
    assert entry.suffix == ".npz"
    with np.load(entry, allow_pickle=False) as e:
        arrays = {k: e[k] for k in e.files}
    assert arrays["leaf_values"].tolist()[0] == 4.0
    leaf_values = arrays["leaf_values"].copy()
    leaf_values[0] = -4.0
    np.savez(entry, **{**arrays, "leaf_values": leaf_values})
    assert run(capsys, str(path), "--json") == reference
    assert json.loads(reference[1])["nodes"]["z"]["value"] == 2.0


def test_a_gradient_numpy_gives_as_inf_is_read_from_the_file(tmp_path, capsys, monkeypatch):
    """sqrt'(0) is 1/0: Python raises where the engine's numpy rule gives inf, so the replay
    without numpy hands the file to the usual reading, which prints the same inf."""
    path = tmp_path / "f.gs"
    path.write_text("x = 0\nz = sqrt(x)\n")
    reference = run(capsys, str(path), "--json", "--no-cache")
    assert json.loads(reference[1])["nodes"]["x"]["grad"] == "inf"
    run(capsys, str(path), "--json")
    assert [p.suffix for p in entries()] == [".gsp"]
    opened = []
    real = gs_io.open_document
    monkeypatch.setattr(gs_io, "open_document", lambda p: opened.append(p) or real(p))
    assert run(capsys, str(path), "--json") == reference
    assert opened == [str(path)]


def test_unknown_output_is_the_same_error(tmp_path, capsys):
    path = tmp_path / "f.gs"
    path.write_text("x = 2\nz = x * x\n")
    reference = run(capsys, str(path), "--output", "nope", "--no-cache")
    run(capsys, str(path), "--json")
    assert run(capsys, str(path), "--output", "nope") == reference
    assert reference[0] == 1 and "no node of that name" in reference[2]


@pytest.mark.parametrize("extra, loaded", [([], []), (NUMPY_OPS, ["numpy"])])
def test_a_replay_loads_neither_networkx_nor_the_readers(extra, loaded, tmp_path):
    """Nor numpy, when every op's rules on floats are plain Python. (Neither run builds
    networkx's structure: the first evaluates the graph from its edge list.)"""
    path = tmp_path / "f.gs"
    path.write_text(network_text(3, extra=extra))
    code = ("import sys; from graphstudio.cli import main; main(['eval', sys.argv[1], '--json']);"
            "print(sorted(m for m in ('networkx', 'sympy', 'graphstudio.io', 'PySide6', "
            "'numpy') if m in sys.modules), file=sys.stderr)")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    runs = [subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                           text=True, env=env, check=True) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout
    assert "'graphstudio.io'" in runs[0].stderr  # the first run reads the file...
    assert "'networkx'" not in runs[0].stderr  # ...and evaluates it from the edge list
    assert runs[1].stderr.strip() == str(loaded)


def test_the_json_text_is_json_dumps():
    from graphstudio.cli import _json, json_text

    rows = [("x", "input", 1.5, -0.0), ("y_2", "mul", float("nan"), float("inf")),
            ("z", "const", 3.0, None), ("a b", "add", -float("inf"), 1e-300),
            ('q"\\é', "sin", np.array([[1.0, float("nan")], [2.5, -3.0]]), [0.1, 0.2]),
            ("ß", "relu", 0.1 + 0.2, 12345678901234567890.0)]
    for out, seed in [("x", 1.0), (None, None), ("q\"", "sum"), ("y", [1.0, 0.0])]:
        assert json_text(out, seed, rows) == json.dumps(_json(out, seed, rows))
    assert json_text("x", 1.0, []) == json.dumps(_json("x", 1.0, []))


def test_the_cache_keeps_the_newest_entries(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(program_cache, "MAX_ENTRIES", 3)
    paths = []
    for k in range(5):
        path = tmp_path / f"f{k}.gs"
        path.write_text(f"x = {k + 1}\nz = x * x\n")
        paths.append(path)
        run(capsys, str(path), "--json")
        assert len(entries()) == min(k + 1, 3)
    # the newest three are replayed; the oldest are read again
    answered = replays(monkeypatch)
    for path in paths[2:]:
        run(capsys, str(path), "--json")
    assert answered == [True, True, True]
    monkeypatch.setattr(program_cache, "MAX_BYTES", 1)  # only the newest entry fits
    run(capsys, str(paths[0]), "--json")
    assert answered[3:] == [False] and len(entries()) == 1
    run(capsys, str(paths[0]), "--json")
    assert answered[3:] == [False, True]


@pytest.mark.parametrize("kind", ["a pipe", "a device"])
def test_a_pipe_or_a_device_is_never_read_for_the_key(kind, tmp_path):
    """The key is the file's bytes; a pipe would wait for a writer and a device never ends:
    neither is read, and reading the file says what it is (in a process of its own, so that a
    wait would end the test rather than hang it)."""
    import os

    if kind == "a pipe":
        path = tmp_path / "f.gs"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
        if not path.exists():
            pytest.skip("no /dev/zero here")
    code = "import sys; from graphstudio.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, "eval", str(path), "--json"],
                          capture_output=True, text=True, timeout=60,
                          env={"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (f"{path}:1:1: cannot read the file: not a regular file (a device, a "
                           "pipe or a socket)\n")


@pytest.mark.parametrize("xdg, home", [
    ("/tmp/gs-cache", "/home/u"), ("/tmp/gs-cache/", "/home/u"), ("/", "/home/u"),
    (None, "/home/u"), (None, "/home/u/"), (None, "/"), ("", "/home/u"), ("   ", "/home/u"),
    ("relative/cache", "/home/u"), ("~/cache", "/home/u"), (None, "relative/home"),
    (None, None), ("/x", None)])
def test_the_cache_folder_is_platformdirs_folder(xdg, home, monkeypatch):
    """On Linux the folder is found without importing platformdirs where every version gives
    the same one; it is platformdirs' own answer in every case."""
    import platformdirs

    for var, value in (("XDG_CACHE_HOME", xdg), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)
    monkeypatch.delenv("GRAPHSTUDIO_CACHE", raising=False)
    try:
        expected = Path(platformdirs.user_cache_dir("graphstudio", appauthor=False)) / "programs"
    except RuntimeError:  # (no home at all: platformdirs refuses, and so may the cache)
        expected = None
    if expected is not None:
        assert program_cache.cache_folder() == str(expected)
    assert (program_cache._linux_cache_dir() is not None) == (
        sys.platform == "linux" and (xdg or "").startswith("/")
        or not xdg and (home or "").startswith("/"))


@pytest.mark.parametrize("platform", ["darwin", "win32", "freebsd14"])
def test_elsewhere_the_cache_folder_is_asked_of_platformdirs(platform, monkeypatch):
    import platformdirs

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("XDG_CACHE_HOME", "/tmp/gs-cache")
    monkeypatch.delenv("GRAPHSTUDIO_CACHE", raising=False)
    asked = []
    monkeypatch.setattr(platformdirs, "user_cache_dir",
                        lambda *args, **kw: asked.append((args, kw)) or "/from/platformdirs")
    assert program_cache.cache_folder() == "/from/platformdirs/programs"
    assert asked == [(("graphstudio",), {"appauthor": False})]


def test_an_entry_is_renamed_into_place_and_stale_temporaries_go(tmp_path, capsys):
    import os
    import time

    path = tmp_path / "f.gs"
    path.write_text("x = 2\nz = x * x\n")
    folder = Path(program_cache.cache_folder())
    folder.mkdir(parents=True)
    stale, fresh = folder / ".a.gsp.1.tmp", folder / ".b.gsp.2.tmp"
    for temporary in (stale, fresh):
        temporary.write_bytes(b"half an entry")
    old = time.time() - program_cache.STALE_AFTER - 10
    os.utime(stale, (old, old))
    run(capsys, str(path), "--json")
    assert len(entries()) == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted([entries()[0].name, fresh.name])


def test_an_entry_that_cannot_be_written_leaves_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "cache"

    def fail(src, dst):
        raise OSError("no room")

    monkeypatch.setattr(program_cache.os, "replace", fail)
    program = gs_program.read_program(b"x = 2\nz = x * x\n")
    assert program_cache.store_scalar(folder, "k" * 64, program) is False
    assert list(folder.iterdir()) == []
