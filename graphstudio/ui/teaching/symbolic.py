"""Symbolic gradients: the output as a formula of the inputs, each input's gradient simplified.

As Bristol derives ``da/df = 2fg² + 2fg + 5g + 2`` by hand, sympy derives it from the graph
(:func:`~graphstudio.core.explain.symbolic`). Formulas are written in one line with unicode
powers when that reads well, else in sympy's two-dimensional pretty form, in a monospace font,
and each has a *Copy LaTeX* button for slides. Each gradient is evaluated at the inputs' values
and set beside backprop's number.

The formulas depend on the graph's structure, not on the inputs' values, so they are computed
once per structure (:func:`cached_symbolic`) and only re-evaluated while an input is scrubbed.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import sympy
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.engine import Evaluation, evaluate
from ...core.explain import ExplainError, Symbolic, symbolic
from ...core.graph import Graph
from ...core.numbers import format_worked, one_line
from .common import RIGHT, WRONG, TeachingPanel, d, mono_font, note_label, say, scrolling

__all__ = ["SymbolicPanel", "Formulas", "formulas_or_reason", "worker",
           "pretty_line", "readable",
           "MAX_FORMULA_NODES"]

MAX_FORMULA_NODES = 120  # beyond this, sympy's simplification takes too long to wait for

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def pretty_line(expr) -> str:
    """A formula in one line as the lectures write it: ``2·f·g² + 2·f·g + 5·g + 2``."""
    text = sympy.sstr(expr)
    text = re.sub(r"\*\*\((-?\d+)\)", lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = re.sub(r"\*\*(\d+)", lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = text.replace("**", "^").replace("*", "·")
    return text


def readable(expr, width: int = 72) -> str:
    """One line when it reads well, else sympy's two-dimensional unicode form (always for an
    array of formulas, drawn as a matrix; a vector as a row)."""
    if isinstance(expr, np.ndarray):
        rows = expr.reshape(1, -1) if expr.ndim == 1 else expr.reshape(-1, expr.shape[-1])
        return sympy.pretty(sympy.Matrix(rows.tolist()), use_unicode=True, num_columns=width)
    line = pretty_line(expr)
    if "/" not in line and "^" not in line and "sqrt" not in line and len(line) <= width:
        return line
    return sympy.pretty(expr, use_unicode=True, num_columns=width)


@dataclass
class Formulas:
    """A :class:`~graphstudio.core.explain.Symbolic` (the formulas of one graph structure)
    and the graph it is evaluated on."""

    sym: Symbolic
    graph: Graph

    @property
    def output(self) -> int:
        return self.sym.output

    @property
    def gradients(self) -> dict:
        return self.sym.gradients

    def value(self, node: int):
        """The gradient formula of input ``node`` at the inputs' current values (an array for
        an array input)."""
        values = {n: self.graph.value(n) for n in self.sym.symbols}
        return self.sym.values_at(values)[node]

    def latex_name(self, node: int) -> str:
        return sympy.latex(sympy.Symbol(self.graph.label(node)))

    def output_latex(self) -> str:
        return f"{self.latex_name(self.output)} = {self.sym.latex}"

    def gradient_latex(self, node: int) -> str:
        """``\\frac{\\partial a}{\\partial f} = 2 f g^{2} + …``, ready for a slide."""
        return (f"\\frac{{\\partial {self.latex_name(self.output)}}}"
                f"{{\\partial {self.latex_name(node)}}} = {self.sym.gradient_latex[node]}")


_CACHE: OrderedDict = OrderedDict()


def _structure(graph: Graph, ev: Evaluation) -> tuple:
    """What the formulas depend on: ops and their parameters, names, constants, edges, the
    output and its seed, leaf shapes."""
    nodes = []
    for n in graph.nodes():
        record = graph.node(n)
        kind = record.op
        value = record.value
        leaf = repr(np.asarray(value).tolist()) if kind == "const" else np.shape(value)
        nodes.append((n, kind, graph.label(n), leaf if kind in ("input", "const") else None,
                      record.params))
    seed = None if ev.seed is None else repr(np.asarray(ev.seed).tolist())
    return (tuple(nodes), tuple(sorted(graph.edges())), ev.output, seed)


def _derive(graph: Graph, output: int) -> Symbolic | str:
    """Run in the worker thread, on a copy of the graph."""
    if len(graph) > MAX_FORMULA_NODES:
        return (f"The graph has {len(graph)} nodes: too many for readable formulas "
                f"(at most {MAX_FORMULA_NODES}).")
    try:
        return symbolic(evaluate(graph, output))
    except ExplainError as exc:
        return f"No formulas: {exc}."
    except Exception as exc:  # sympy can fail in many ways; the editor must go on
        return f"No formulas: sympy could not derive them ({type(exc).__name__}: {exc})."


class FormulaWorker(QObject):
    """Derives formulas in a worker thread, so a graph whose formulas take sympy a long time
    never freezes the editor; ``ready`` fires (in the GUI thread) when some are done."""

    ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[tuple, Future] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(40)
        self.timer.timeout.connect(self.collect)

    def start(self, key: tuple, graph: Graph, output: int) -> None:
        if key not in self.pending:
            # a copy: the user may edit the graph while sympy works; a daemon thread: quitting
            # the editor never waits for sympy
            future: Future = Future()
            copy = graph.copy()

            def run() -> None:
                future.set_result(_derive(copy, output))

            threading.Thread(target=run, name="formulas", daemon=True).start()
            self.pending[key] = future
            self.timer.start()

    def collect(self) -> None:
        done = [k for k, f in self.pending.items() if f.done()]
        for key in done:
            _remember(key, self.pending.pop(key).result())
        if not self.pending:
            self.timer.stop()
        if done:
            self.ready.emit()


_WORKER: FormulaWorker | None = None


def worker() -> FormulaWorker:
    global _WORKER
    if _WORKER is None:
        _WORKER = FormulaWorker()
    return _WORKER


def _remember(key: tuple, result: Symbolic | str) -> None:
    _CACHE[key] = result
    while len(_CACHE) > 16:
        _CACHE.popitem(last=False)


def formulas_or_reason(graph: Graph, ev: Evaluation) -> Formulas | str | None:
    """The formulas, or a sentence saying why there are none, or None while they are being
    derived (:func:`worker` says when they are ready)."""
    if ev is None or ev.output is None:
        return "The graph has no output to differentiate."
    key = _structure(graph, ev)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        hit = _CACHE[key]
        return Formulas(hit, graph) if isinstance(hit, Symbolic) else hit
    worker().start(key, graph, ev.output)
    return None


COPY, COPIED = "Copy LaTeX", "Copied ✓"
COPIED_MS = 1500  # how long the button says it has copied


class FormulaCard(QFrame):
    """One formula: its left-hand side and formula, its value, and a Copy LaTeX button."""

    def __init__(self, lhs: str, formula: str, latex: str, detail: str = "",
                 detail_ok: bool | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.latex = latex
        self.formula = QLabel(f"{lhs} =\n{formula}" if "\n" in formula else f"{lhs} = {formula}")
        self.formula.setFont(mono_font(2))
        self.formula.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.formula.setWordWrap(False)
        self.detail = note_label()
        say(self.detail, detail, detail_ok)
        self.copy_button = QPushButton(COPY)
        self.copy_button.setToolTip(latex)
        self.copy_button.clicked.connect(self.copy_latex)
        row = QHBoxLayout()
        row.addWidget(self.detail, 1)
        row.addWidget(self.copy_button, 0, Qt.AlignRight | Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.formula)
        layout.addLayout(row)

    def copy_latex(self) -> None:
        """Copy, and say so on the button for a moment (a click that changes nothing on the
        screen leaves a person wondering whether it worked)."""
        QGuiApplication.clipboard().setText(self.latex)
        self.copy_button.setMinimumWidth(self.copy_button.sizeHint().width())  # no jump
        self.copy_button.setText(COPIED)
        QTimer.singleShot(COPIED_MS, self, lambda: self.copy_button.setText(COPY))


class SymbolicPanel(TeachingPanel):
    """The output's formula and every input's gradient formula, each copyable as LaTeX."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formulas: Formulas | None = None
        self.cards: dict[int | str, FormulaCard] = {}
        self._waiting = False
        worker().ready.connect(self._derived)
        self.message = note_label("Open or draw a graph to see its formulas.")
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(scrolling(self.body), 1)

    def refresh(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.cards = {}
        self.formulas = None
        if not self.has_context():
            self.message.setText("Open or draw a graph to see its formulas.")
            return
        result = formulas_or_reason(self.graph, self.ev)
        if result is None:
            self.message.setText("Deriving the formulas…")
            self._waiting = True
            return
        self._waiting = False
        if isinstance(result, str):
            self.message.setText(result)
            return
        self.formulas = f = result
        graph, ev = self.graph, self.ev
        out = graph.label(f.output)
        inputs = [n for n in f.gradients if n in f.sym.nodes]  # those the output needs
        at = ", ".join(f"{graph.label(n)} = {one_line(format_worked(graph.value(n)))}"
                       for n in inputs)
        self.message.setText(f"The output {out} as a formula of the inputs, and each input's "
                             f"gradient simplified by sympy, evaluated at {at}.")
        card = FormulaCard(out, readable(f.sym.expr), f.output_latex(),
                           f"= {format_worked(ev.values.get(f.output))} (the forward pass)")
        self.cards["output"] = card
        self.body_layout.addWidget(card)
        for n in inputs:
            value, grad = f.value(n), ev.grads.get(n)
            ok = grad is not None and bool(np.allclose(value, grad, rtol=1e-6, atol=1e-9,
                                                       equal_nan=True))
            detail = (f"= {format_worked(value)} here; backprop: {format_worked(grad)} "
                      f"{RIGHT + ' equal' if ok else WRONG + ' different'}")
            card = FormulaCard(d(out, graph.label(n)), readable(f.gradients[n]),
                               f.gradient_latex(n), detail, ok)
            self.cards[n] = card
            self.body_layout.addWidget(card)
        self.body_layout.addStretch(1)

    def _derived(self) -> None:
        if self._waiting:
            self._schedule()

    def card_for(self, node: int) -> FormulaCard | None:
        return self.cards.get(node)
