"""``graphstudio explain``: the teaching views on the command line.

::

    graphstudio explain FILE                   the output's formula and the gradient check
    graphstudio explain FILE --node NAME       the chain-rule ledger of NAME
    graphstudio explain FILE --paths INPUT     every path from INPUT to the output (sum over paths)
    graphstudio explain FILE --symbolic        the output and each input's gradient as formulas
    graphstudio explain FILE --check           backprop against central differences, kinks named

Options combine (the sections print in the order above); ``--output NAME`` picks the node to
differentiate. With ``--json`` each section prints one JSON object (several sections: one
object keyed ``node``/``paths``/``symbolic``/``check``). The computations live in
:mod:`graphstudio.core.explain`; this module only turns their data into text and JSON.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import warnings
from typing import Any, Sequence

import numpy as np

from .cli import UsageError, graph_file, load_and_evaluate, parser, table, warn_domain
from .core import explain as ex
from .core.engine import Evaluation
from .core.graph import Graph, GraphError
from .core.numbers import format_value
from .io.document import jsonable

__all__ = ["main"]

DIGITS = 6


def _fmt(value: Any) -> str:
    return format_value(value, DIGITS)


def _find(path: str, graph: Graph, option: str, name: str) -> int:
    try:
        return graph.find(name)
    except GraphError:
        names = ", ".join(sorted(graph.names())) or "none"
        raise UsageError(f"{path}: {option} {name}: no node of that name (names: {names})") from None


def _agree(ok: bool) -> str:
    return "✓ equal" if ok else "✗ DIFFERENT"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _equation(left: str, value: Any, remark: str = "") -> str:
    """``left = value  remark``; an array that needs several lines goes below, indented."""
    text = _fmt(value)
    remark = f"  {remark}" if remark else ""
    if "\n" not in text:
        return f"{left} = {text}{remark}"
    block = "\n".join("    " + line for line in text.splitlines())
    return f"{left} =\n{block}{remark}"


def _size(local: Any) -> str:
    if local is None:
        return "(too large)"
    shape = np.shape(local)
    return "1" if shape == () else "×".join(str(s) for s in shape)


# ---- the ledger ---------------------------------------------------------------------------------


def ledger_text(ev: Evaluation, led: ex.Ledger) -> str:
    out, name = led.output_label, led.label
    head = f"Ledger of {name}: d{out}/d{name}, how backprop assembled it"
    if not led.terms:
        return f"{head}\n\n{led.note or 'no terms'}\nd{out}/d{name} = {_fmt(led.grad)}"
    rows = [("successor", "local derivative", f"upstream d{out}/d·", "× local", "= contribution")]
    for t in led.terms:
        local = t.local if t.local is not None else "Jacobian too large to show"
        rows.append((t.child_label, t.formula, _fmt(t.upstream), _fmt(local), _fmt(t.contribution)))
    scalar = all(isinstance(t.upstream, float) and isinstance(t.local, float) for t in led.terms)
    if scalar:
        terms = " + ".join(f"{_fmt(t.upstream)}·{_fmt(t.local)}" for t in led.terms)
        total = f"d{out}/d{name} = {terms} = {_fmt(led.total)}"
    else:
        total = _equation(f"d{out}/d{name} = sum of the contributions (vector-Jacobian products)",
                          led.total)
    check = _equation(f"backprop stored d{out}/d{name}", led.grad, _agree(led.agrees))
    notes = [f"via {t.child_label}: {t.note}" for t in led.terms if t.note]
    return "\n".join([head, "", table(rows), *([""] + notes if notes else []), "", total, check])


def ledger_json(ev: Evaluation, led: ex.Ledger) -> dict:
    return {
        "node": led.label,
        "output": led.output_label,
        "terms": [{"successor": t.child_label, "port": t.port, "formula": t.formula,
                   "upstream": jsonable(t.upstream), "local": jsonable(t.local),
                   "contribution": jsonable(t.contribution),
                   **({"note": t.note} if t.note else {})} for t in led.terms],
        "sum": jsonable(led.total),
        "grad": jsonable(led.grad),
    }


# ---- sum over paths ------------------------------------------------------------------------------


def paths_text(ev: Evaluation, ps: ex.PathSum, *, limit: int) -> str:
    graph = ev.graph
    src, out = graph.label(ps.input), graph.label(ps.output)
    lines = []
    if ps.count == 0:
        return (f"No path from {src} to {out}: {out} does not depend on {src}, "
                f"so d{out}/d{src} = {_fmt(ps.grad)}")
    plural = "path" if ps.count == 1 else "paths"
    if ps.listed:
        lines.append(f"{ps.count} {plural} from {src} to {out} (sum over paths: the chain rule "
                     f"along each path, then their sum)")
        rows = [("#", "path", "local derivatives", "product")]
        for i, p in enumerate(ps.paths, 1):
            route = " → ".join(graph.label(n) for n in p.nodes)
            if all(isinstance(v, float) for v in p.locals):
                locals_ = " · ".join(_fmt(v) for v in p.locals) or "1"
            else:
                locals_ = "Jacobians " + " · ".join(_size(v) for v in p.locals)
            rows.append((str(i), route, locals_, _fmt(p.product)))
        notes = [f"path {i}: {note}" for i, p in enumerate(ps.paths, 1) for note in p.notes]
        lines += ["", table(rows), *notes, ""]
    else:
        lines.append(f"{ps.count} paths from {src} to {out}: too many to list (--limit {limit}); "
                     f"counted, not enumerated, by dynamic programming in topological order")
        lines.append("")
    how = "" if ps.listed else "(accumulated edge by edge, without listing)"
    left = ("sum over paths", f"backprop d{out}/d{src}")
    width = max(map(len, left))
    lines.append(_equation(left[0].ljust(width), ps.total, how))
    lines.append(_equation(left[1].ljust(width), ps.grad, _agree(ps.agrees)))
    lines += [
        "",
        f"multiplications for d{out}/d{src}:",
        f"  sum over paths: {ps.multiplications_paths}  (a path of L edges: L − 1; "
        f"then {_plural(ps.count - 1, 'addition')})",
        f"  backprop:       {ps.multiplications_backprop}  (one per edge on these paths: linear in "
        f"the edges; one backward pass gives every input's gradient with "
        f"{ps.edges_backprop_all})",
    ]
    return "\n".join(lines)


def paths_json(ev: Evaluation, ps: ex.PathSum) -> dict:
    graph = ev.graph
    data = {
        "input": graph.label(ps.input),
        "output": graph.label(ps.output),
        "paths": [{"nodes": [graph.label(n) for n in p.nodes], "product": jsonable(p.product),
                   **({"notes": list(p.notes)} if p.notes else {})}
                  for p in ps.paths or ()],
        "total": jsonable(ps.total),
        "grad": jsonable(ps.grad),
        "multiplications": {"paths": ps.multiplications_paths,
                            "backprop": ps.multiplications_backprop},
    }
    if not ps.listed:
        data["count"] = ps.count  # too many to list: "paths" is empty, this is how many
    return data


# ---- symbolic -----------------------------------------------------------------------------------


def symbolic_text(ev: Evaluation, sym: ex.Symbolic) -> str:
    graph = ev.graph
    out = graph.label(sym.output)
    lines = [f"{out} = {sym.expr}", f"  LaTeX: {out} = {sym.latex}", ""]
    rows = [("gradient", "formula", "at the inputs", "backprop")]
    for n, d in sym.gradients.items():
        rows.append((f"d{out}/d{graph.label(n)}", str(d), _fmt(sym.gradient_values[n]),
                     _fmt(ev.grads.get(n))))
    lines += [table(rows), "", "LaTeX:"]
    for n, tex in sym.gradient_latex.items():
        lines.append(f"  \\frac{{\\partial {out}}}{{\\partial {graph.label(n)}}} = {tex}")
    return "\n".join(lines)


def symbolic_json(ev: Evaluation, sym: ex.Symbolic) -> dict:
    graph = ev.graph
    return {
        "output": graph.label(sym.output),
        "formula": str(sym.expr),
        "latex": sym.latex,
        "gradients": {graph.label(n): {"formula": str(d), "latex": sym.gradient_latex[n],
                                       "value": jsonable(sym.gradient_values[n]),
                                       "backprop": jsonable(ev.grads.get(n))}
                      for n, d in sym.gradients.items()},
    }


#: how long the command line lets sympy derive the formulas before it answers "too large"
SYMBOLIC_SECONDS = 10.0


def bounded_symbolic(path: str, output: str | None) -> tuple[str, dict]:
    """:func:`symbolic_text` and :func:`symbolic_json` of FILE's formulas, derived in a worker
    process that is ended after :data:`SYMBOLIC_SECONDS`: sympy cannot be interrupted, and a
    formula that passed the size checks of :func:`graphstudio.core.explain.symbolic` may still
    take minutes to simplify. Raises :class:`~graphstudio.core.explain.ExplainError`."""
    methods = multiprocessing.get_all_start_methods()
    # fork: the worker has sympy and the graph's modules loaded already (a spawned one would
    # spend seconds importing them); elsewhere (Windows, macOS) spawn
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux")
                                          and "fork" in methods else "spawn")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_derive, args=(send, path, output), daemon=True)
    with warnings.catch_warnings():  # (Python 3.12 warns about forking a threaded process;
        warnings.simplefilter("ignore", DeprecationWarning)  # the worker only runs sympy)
        worker.start()
    send.close()
    try:
        if not receive.poll(SYMBOLIC_SECONDS):
            raise ex.ExplainError(f"{ex.TOO_LARGE}: the formulas were not derived within "
                                  f"{SYMBOLIC_SECONDS:g} s (sympy's simplification of a large "
                                  "formula can take much longer)")
        kind, answer = receive.recv()
    except EOFError:
        raise ex.ExplainError("the formulas could not be derived: the worker process "
                              "ended without an answer") from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receive.close()
    if kind == "error":
        raise ex.ExplainError(answer)
    return answer


def _derive(send, path: str, output: str | None) -> None:
    """In the worker process: FILE's formulas as text and JSON data, or the reason."""
    try:
        _doc, ev = load_and_evaluate(path, output)
        sym = ex.symbolic(ev)
        send.send(("ok", (symbolic_text(ev, sym), symbolic_json(ev, sym))))
    except ex.ExplainError as exc:
        send.send(("error", str(exc)))
    except Exception as exc:  # an answer, whatever happens: the parent must not wait for it
        send.send(("error", f"the formulas could not be derived: {type(exc).__name__}: {exc}"))
    finally:
        send.close()


# ---- gradient check --------------------------------------------------------------------------------


def check_text(ev: Evaluation, entries: list[ex.CheckEntry]) -> str:
    out = ev.graph.label(ev.output)
    head = f"Gradient check of {out}: backprop against central differences"
    if not entries:
        return f"{head}\n\nno inputs to check"
    rows = [("input", "backprop", "numeric", "rel. error", "ok", "note")]
    for e in entries:
        rows.append((e.label, _fmt(e.backprop), _fmt(e.numeric), f"{e.rel_error:.1e}",
                     "✓" if e.ok else "✗", e.note))
    bad = sum(not e.ok for e in entries)
    summary = "all gradients agree" if not bad else f"{bad} of {len(entries)} disagree"
    return "\n".join([head, "", table(rows), "", summary])


def check_json(ev: Evaluation, entries: list[ex.CheckEntry]) -> dict:
    return {"inputs": {e.label: {"backprop": jsonable(e.backprop), "numeric": jsonable(e.numeric),
                                 "rel_error": jsonable(e.rel_error), "ok": e.ok, "note": e.note}
                       for e in entries}}


# ---- the command -----------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    p = parser("graphstudio explain", "Explain a graph's gradients: the chain-rule ledger of a "
               "node, the sum over paths, symbolic formulas, the gradient check.")
    p.add_argument("file", help=graph_file())
    p.add_argument("--output", metavar="NAME", help="differentiate this node (default: the only "
                   "sink, else the last assigned name)")
    p.add_argument("--node", metavar="NAME", help="the chain-rule ledger of NAME's gradient")
    p.add_argument("--paths", metavar="INPUT", help="every path from INPUT to the output, with "
                   "the products of local derivatives and their sum")
    p.add_argument("--limit", type=int, default=100, metavar="N",
                   help="list at most N paths; more are counted (default 100)")
    p.add_argument("--symbolic", action="store_true",
                   help="the output and each input's gradient as formulas (scalar graphs)")
    p.add_argument("--check", action="store_true", help="gradient check with central differences")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = p.parse_args(argv)
    if args.limit < 0:
        raise UsageError("--limit must be 0 or more")

    doc, ev = load_and_evaluate(args.file, args.output)
    graph = doc.graph
    if not args.json:
        warn_domain(args.file, graph, ev)
    try:
        texts, data = _sections(args, graph, ev)
    except ex.ExplainError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    if args.json:
        print(json.dumps(next(iter(data.values())) if len(data) == 1 else data))
    else:
        print("\n\n".join(texts))
    return 0


def _sections(args: Any, graph: Graph, ev: Evaluation) -> tuple[list[str], dict[str, Any]]:
    """Text and JSON for each section asked for, in a fixed order."""
    path = args.file
    texts: list[str] = []
    data: dict[str, Any] = {}
    if args.node is not None:
        led = ex.ledger(ev, _find(path, graph, "--node", args.node))
        texts.append(ledger_text(ev, led))
        data["node"] = ledger_json(ev, led)
    if args.paths is not None:
        ps = ex.paths(ev, _find(path, graph, "--paths", args.paths), limit=args.limit)
        texts.append(paths_text(ev, ps, limit=args.limit))
        data["paths"] = paths_json(ev, ps)
    if args.symbolic:
        text, sym_data = bounded_symbolic(args.file, args.output)
        texts.append(text)
        data["symbolic"] = sym_data
    if args.check:
        entries = ex.check(ev)
        texts.append(check_text(ev, entries))
        data["check"] = check_json(ev, entries)
    if not data:  # the overview: the formula (scalar graphs) and the gradient check
        out = graph.label(ev.output)
        texts.append(f"{out} = {_fmt(ev.values[ev.output])}")
        data["output"] = out
        data["value"] = jsonable(ev.values[ev.output])
        try:
            text, data["symbolic"] = bounded_symbolic(args.file, args.output)
            texts.append(text)
        except ex.ExplainError as exc:
            texts.append(f"(no formulas: {exc})")
            data["symbolic"] = None
        entries = ex.check(ev)
        texts.append(check_text(ev, entries))
        data["check"] = check_json(ev, entries)
        texts.append("More: --node NAME (ledger), --paths INPUT (sum over paths), --symbolic, "
                     "--check, --json")
    return texts, data
