"""Gradient descent on a graph's trainable inputs, as the lectures write it.

Siegen (Moeller): ``θ(k+1) = θ(k) − τ ∇E(θ(k))``, with a *learning-rate schedule* such as "run 30
iterations with τ1, 20 more with τ2". Seoul (U Kang), minibatch SGD: sample a minibatch
``B = {x(1) … x(m')}``, compute each example's gradient ``∇θ J(i)`` by backpropagation, average
them, ``g = 1/m' Σ ∇θ J(i)``, and update ``θ ← θ − ε g``.

* The **parameters** are the graph's trainable inputs (``W = param(...)``); the **loss** is its
  output (a number). Inputs bound to dataset columns (``x = data("x")``) take each example's
  values in turn; a graph without data inputs is one example (full-batch descent on it).
* Each step evaluates the examples of one batch (the whole dataset, or ``batch_size`` examples
  of a seeded shuffle, reshuffled every epoch), averages their losses and gradients, and
  updates the parameters with the step's learning rate. The loss of a step is the mean of the
  output over the batch's examples, ``1/m' Σᵢ J(i)``: a term that does not depend on the data,
  such as an L2 penalty ``λ ‖W‖²`` in ``J``, is the same in every ``J(i)``, so the mean counts
  it once per step, with its gradient ``2λW`` once.
* **Batched**: the whole batch goes through the graph at once, the data inputs holding every
  example along a leading batch axis (:mod:`graphstudio.core.batch`): one forward and one
  backward pass per step. A graph that cannot be evaluated that way (an op with no rule for a
  batch) is evaluated one example at a time, with the engine, giving the same numbers; then
  :attr:`Trainer.batch_refusal` says why. ``batched=False`` asks for that path (the reference
  the tests compare the batched one with).
* A :class:`Trainer` works on its own copy of the graph and of the parameter values: the graph
  you pass in is untouched until you call :meth:`Trainer.apply`, so a Qt worker thread can run
  the trainer while the window keeps the graph. :meth:`Trainer.run` yields one
  :class:`StepRecord` per step and checks between steps for :meth:`~Trainer.pause`,
  :meth:`~Trainer.resume` and :meth:`~Trainer.stop` (thread-safe).
* **Divergence**: a loss that is NaN or inf, or grows beyond ``divergence_factor`` times the
  initial loss, raises :class:`Diverged` and puts the parameters back to the last step whose
  loss was finite, so nothing downstream sees a graph full of NaN.

Driving it from a Qt worker thread (the GUI's plan): make the trainer in the main thread, call
``for record in trainer.run(n): emit(record)`` in the worker, and call ``pause()``,
``resume()`` or ``stop()`` from the main thread; show ``record.params`` on the canvas, and on
"keep" call ``trainer.apply(graph)`` (its return value is the undo), on "revert" do nothing.

>>> from graphstudio.io.gs import parse_text
>>> g = parse_text("w = param(3)\\nL = (w - 1) ** 2")
>>> t = Trainer(g, schedule=Schedule(0.25))
>>> [round(r.loss, 4) for r in t.run(3)]
[4.0, 1.0, 0.25]
>>> t.parameters()[g.by_name("w")]
1.25
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any, Iterator

import networkx as nx
import numpy as np

from .batch import BatchPlan, BatchRefused
from .dataset import Dataset, DatasetError, bind, bound_inputs
from .engine import Evaluation, compile_graph, evaluate
from .graph import Graph, as_value
from .numbers import format_value

__all__ = ["Schedule", "TrainingSettings", "StepRecord", "Trainer", "TrainingError", "Diverged",
           "parameters_of", "held_out_rows"]


class TrainingError(ValueError):
    """A graph or dataset that cannot be trained; the message says where and what."""


class Diverged(TrainingError):
    """The loss became NaN/inf or exploded; the trainer's parameters are back at ``step - 1``."""

    def __init__(self, message: str, step: int, loss: float, lr: float) -> None:
        super().__init__(message)
        self.step, self.loss, self.lr = step, loss, lr


@dataclass(frozen=True)
class Schedule:
    """The learning rate of each step: ``lr`` at first, then ``(after, lr)`` pairs: after
    ``after`` steps the rate becomes ``lr``. Siegen's "30 iterations with τ1, 20 more with τ2,
    20 more with τ3" is ``Schedule(τ1, ((30, τ2), (50, τ3)))``.

    >>> s = Schedule.parse(0.1, "30:0.05,50:0.01")
    >>> s.lr_at(30), s.lr_at(31), s.lr_at(51)
    (0.1, 0.05, 0.01)
    """

    lr: float
    steps: tuple[tuple[int, float], ...] = ()

    def __post_init__(self) -> None:
        for value in [self.lr] + [lr for _s, lr in self.steps]:
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"a learning rate must be a positive number, not {value!r}")
        afters = [s for s, _lr in self.steps]
        if any(s < 0 for s in afters) or afters != sorted(set(afters)):
            raise ValueError("schedule steps must be increasing step counts, as in 30:0.05,50:0.01")

    def lr_at(self, step: int) -> float:
        """The learning rate of step ``step`` (counting from 1)."""
        lr = self.lr
        for after, value in self.steps:
            if step > after:
                lr = value
        return lr

    @classmethod
    def parse(cls, lr: float, text: str | None) -> "Schedule":
        """``Schedule.parse(0.1, "30:0.05,50:0.01")``; ``ValueError`` with a clear message."""
        steps = []
        for part in (text or "").split(","):
            part = part.strip()
            if not part:
                continue
            after, sep, value = part.partition(":")
            try:
                if not sep:
                    raise ValueError
                steps.append((int(after), float(value)))
            except ValueError:
                raise ValueError(f"{part!r}: expected STEPS:RATE, as in 30:0.05") from None
        return cls(lr, tuple(steps))

    def describe(self) -> str:
        text = f"lr {self.lr:g}"
        for after, value in self.steps:
            text += f", {value:g} after step {after}"
        return text


@dataclass(frozen=True)
class TrainingSettings:
    """How to train: the Training panel's widgets and ``graphstudio train``'s options both fill
    one in, from these defaults, and make their trainer with :meth:`trainer`.

    ``steps`` is how many steps a run takes, ``schedule`` the learning rate of each,
    ``batch_size`` the examples a step averages over (None: every example, full-batch
    gradient descent), ``seed`` the seed of the minibatch shuffle and of the choice of
    held-out rows, ``holdout`` the share of the dataset's rows set aside (0 … 0.9): never
    trained on, their loss reported beside the training loss (:func:`held_out_rows`)."""

    steps: int = 100
    schedule: Schedule = Schedule(0.1)
    batch_size: int | None = None
    seed: int = 0
    holdout: float = 0.0

    def __post_init__(self) -> None:
        if self.steps < 0:  # (the trainer checks the batch size, for every caller)
            raise ValueError(f"expected a number of steps >= 0, not {self.steps}")
        if not (0.0 <= self.holdout <= MAX_HOLDOUT):
            raise ValueError(f"the share of rows held out must be between 0 and {MAX_HOLDOUT:g}, "
                             f"not {self.holdout:g}")

    def trainer(self, graph: Graph, dataset: Dataset | None = None,
                output: int | None = None) -> "Trainer":
        """A :class:`Trainer` of ``graph`` over ``dataset`` with these settings."""
        return Trainer(graph, dataset, schedule=self.schedule, batch_size=self.batch_size,
                       seed=self.seed, output=output, holdout=self.holdout)


@dataclass(frozen=True)
class StepRecord:
    """What one step did: the mean loss of its batch and its mean gradient (at the parameters
    before the update), the learning rate, the epoch (passes over the data so far), the
    batch's row indices, and the parameters after the update (``grads`` and ``params`` are
    copies: safe to hand to another thread). ``held_out_loss`` is the mean loss over the
    held-out rows at the same parameters as ``loss`` (None when no row is held out)."""

    step: int
    loss: float
    lr: float
    epoch: int
    batch: tuple[int, ...]
    grad_norm: float
    params: dict[int, Any] = field(repr=False)
    grads: dict[int, Any] = field(repr=False, default_factory=dict)
    held_out_loss: float | None = None


#: the largest share of rows that can be held out
MAX_HOLDOUT = 0.9


def held_out_rows(n: int, share: float, seed: int = 0) -> tuple[int, ...]:
    """The rows (of ``n``) set aside when holding out ``share`` of them: ``round(share·n)``
    rows (at least one when ``share`` > 0, and never all), chosen by a shuffle seeded with
    ``seed``, in increasing order. The panel and ``graphstudio train`` both call this, so the
    same settings hold out the same rows.

    >>> rows = held_out_rows(10, 0.3, seed=0)
    >>> len(rows), rows == held_out_rows(10, 0.3, seed=0), rows == tuple(sorted(rows))
    (3, True, True)
    """
    if share <= 0 or n == 0:
        return ()
    k = min(max(1, round(share * n)), n - 1)
    if k < 1:
        raise TrainingError(f"cannot hold out rows of a dataset of {n} row{'s' * (n != 1)}: "
                            "none would be left to train on")
    rows = np.random.default_rng(seed).permutation(n)[:k]
    return tuple(sorted(int(r) for r in rows))


def parameters_of(graph: Graph) -> list[int]:
    """The trainable inputs, in assignment order."""
    return [n for n in graph.inputs() if graph.node(n).trainable]


def _copy(v: Any) -> Any:
    return v.copy() if isinstance(v, np.ndarray) else v


def _finite(v: Any) -> bool:
    if type(v) is float:
        return math.isfinite(v)
    return bool(np.all(np.isfinite(v)))


def _total(v: Any) -> float:
    return v if type(v) is float else float(np.sum(v))


class Trainer:
    """Gradient descent on ``graph``'s parameters over ``dataset`` (see the module docstring).

    ``batch_size`` None (or at least the number of examples) is full-batch gradient descent.
    ``output`` is the loss node (default: the graph's output). ``batched`` False evaluates
    the examples one at a time even when the graph could take the whole batch at once.
    ``holdout`` sets that share of the rows aside (:func:`held_out_rows`): the steps, the
    batches and :meth:`loss` use the other rows; :meth:`held_out_loss` and each record's
    ``held_out_loss`` the rows set aside.
    """

    def __init__(self, graph: Graph, dataset: Dataset | None = None, *,
                 schedule: Schedule | float = 0.1, batch_size: int | None = None, seed: int = 0,
                 shuffle: bool = True, output: int | None = None,
                 divergence_factor: float = 1e6, batched: bool = True,
                 holdout: float = 0.0) -> None:
        self.graph = graph.copy()
        self.schedule = schedule if isinstance(schedule, Schedule) else Schedule(float(schedule))
        self.dataset = dataset
        self.divergence_factor = divergence_factor
        self.output = output if output is not None else self.graph.default_output()
        if self.output is None:
            raise TrainingError("the graph has no output to use as the loss")
        self.param_nodes = parameters_of(self.graph)
        if not self.param_nodes:
            raise TrainingError("nothing to train: no trainable parameters; mark them with "
                                "param(...), as in 'W = param([[0.1, -0.2]])'")
        bound = bound_inputs(self.graph)
        if bound and dataset is None:
            name = self.graph.label(next(iter(bound)))
            raise TrainingError(f"{name} is bound to dataset columns, but there is no dataset; "
                                f"declare one with dataset(\"file.csv\")")
        try:
            self.columns = bind(self.graph, dataset) if bound else {}
        except DatasetError as exc:
            raise TrainingError(str(exc)) from None
        rows = len(dataset) if bound else 1
        if holdout and not bound:
            raise TrainingError("holding rows out needs a dataset: this graph has none")
        #: the rows set aside, never trained on
        self.held_out = held_out_rows(rows, holdout, seed)
        held = set(self.held_out)
        self._all = tuple(r for r in range(rows) if r not in held)  # the rows of a full batch
        #: the rows trained on
        self.n_examples = len(self._all)
        if batch_size is not None and batch_size < 1:
            raise TrainingError(f"the batch size must be at least 1, not {batch_size}")
        self.batch_size = min(batch_size or self.n_examples, self.n_examples)
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.array(self._all, dtype=np.intp)
        self._pos = 0
        self.epoch = 0
        self.step_count = 0
        self._program = compile_graph(self.graph)
        self.initial = {n: _copy(self.graph.value(n)) for n in self.param_nodes}
        self._params = {n: _copy(v) for n, v in self.initial.items()}
        self._previous = dict(self._params)
        self.history: list[StepRecord] = []
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._plan: BatchPlan | None = None
        #: why the examples are evaluated one at a time although there is a dataset (None:
        #: they are not, or there is no dataset)
        self.batch_refusal: str | None = None
        self.initial_loss = self._check_setup(batched)
        if self.batch_size < self.n_examples and shuffle:
            self._order = self._rng.permutation(self._order)

    # ---- evaluating examples -----------------------------------------------------------------

    def _set(self, node: int, value: Any) -> None:
        self._program.leaf_values[self._program.index[node]] = value

    def evaluation(self, row: int = 0) -> Evaluation:
        """The full evaluation (values and gradients of every node) of example ``row`` at the
        current parameters, keyed by the same node ids as the graph given to the trainer.
        Not while :meth:`run` is stepping in another thread (they share the compiled graph):
        between steps, use :attr:`StepRecord.params` instead."""
        for n, v in self._params.items():
            self._set(n, v)
        for n, values in self.columns.items():
            self._set(n, as_value(values[row]))
        return evaluate(self.graph, self.output, program=self._program)

    def _where(self, row: int) -> str:
        return f"example {row + 1} ({self.dataset.where(row)})" if self.columns else "the graph"

    def _example(self, row: int) -> Evaluation:
        ev = self.evaluation(row)
        fatal = ev.fatal_errors
        if fatal:
            err = fatal[0]
            raise TrainingError(f"{self._where(row)}: {self.graph.label(err.node)}: {err.message}")
        return ev

    def _batch(self, rows) -> tuple[float, dict[int, Any]]:
        """Mean loss and mean gradient over ``rows`` at the current parameters."""
        if self._plan is not None:
            try:
                return self._batched(rows)
            except BatchRefused as exc:  # a rule failed on these rows: say so, go on without
                self._plan, self.batch_refusal = None, str(exc)
        return self._one_at_a_time(rows)

    @property
    def batched(self) -> bool:
        """Whether the steps take their batch through the graph at once."""
        return self._plan is not None

    def _make_plan(self) -> None:
        """The batched evaluation of the loss over the data inputs, or why there is none."""
        bound = [n for n in self.columns if n in self.param_nodes]
        if bound:
            self.batch_refusal = (f"{self.graph.label(bound[0])} is both a parameter and bound "
                                  "to the dataset")
            return
        try:
            self._plan = BatchPlan(self.graph, self.columns, self.output, nodes=(),
                                   program=self._program)
        except BatchRefused as exc:
            self.batch_refusal = str(exc)

    def _batched(self, rows) -> tuple[float, dict[int, Any]]:
        for n, v in self._params.items():
            self._set(n, v)
        if rows is self._all and not self.held_out:
            inputs = self.columns
        else:
            index = np.fromiter(rows, dtype=np.intp, count=len(rows))
            inputs = {n: values[index] for n, values in self.columns.items()}
        values, grads, m = self._plan.run_lists(inputs)
        position = self._program.index
        loss = values[position[self.output]]
        # the output's gradients summed over the batch; one that does not depend on the data
        # is every example's, and so already their mean
        scale = m if self._plan.batched(self.output) else 1
        loss = float(np.sum(loss)) / scale
        mean = {}
        for n in self.param_nodes:
            g = grads[position[n]]
            mean[n] = as_value(g / scale) if g is not None else as_value(np.zeros_like(self._params[n]))
        return loss, mean

    def _one_at_a_time(self, rows) -> tuple[float, dict[int, Any]]:
        """The reference: each example evaluated by the engine, losses and gradients summed."""
        total = 0.0
        grads: dict[int, Any] = {n: 0.0 for n in self.param_nodes}
        for row in rows:
            ev = self._example(int(row))
            total += float(ev.values[self.output])
            for n in self.param_nodes:
                grads[n] = grads[n] + ev.grads[n]
        m = len(rows)
        return total / m, {n: as_value(g / m) for n, g in grads.items()}

    def _check_setup(self, batched: bool) -> float:
        ev = self._example(0)
        loss = ev.values[self.output]
        if not isinstance(loss, float):
            raise TrainingError(f"the loss {self.graph.label(self.output)} must be a number, but "
                                f"its value has shape {np.shape(loss)}; sum it, as in L = sum(...)")
        reached = [n for n in self.param_nodes if n in self._ancestors()]
        if not reached:
            raise TrainingError(f"no parameter affects the loss {self.graph.label(self.output)}")
        if batched and self.columns:
            self._make_plan()
        full = self.loss()
        if not math.isfinite(full):
            raise TrainingError(f"the loss {self.graph.label(self.output)} is {format_value(full)} "
                                f"at the initial parameters")
        return full

    def _ancestors(self) -> set[int]:
        return nx.ancestors(self.graph.g, self.output)

    def loss(self) -> float:
        """The mean loss over every example trained on (every row but those held out) at the
        current parameters."""
        return self._batch(self._all)[0]

    def held_out_loss(self) -> float | None:
        """The mean loss over the held-out rows at the current parameters (None: none)."""
        return self._batch(self.held_out)[0] if self.held_out else None

    # ---- stepping ------------------------------------------------------------------------------

    def _next_batch(self) -> tuple[int, ...]:
        if self.batch_size >= self.n_examples:
            self.epoch += 1
            return self._all
        rows = self._order[self._pos:self._pos + self.batch_size]
        self._pos += self.batch_size
        if self._pos >= self.n_examples:
            self.epoch += 1
            self._pos = 0
            if self.shuffle:
                self._order = self._rng.permutation(self._order)
        return tuple(int(r) for r in rows)

    def step(self) -> StepRecord:
        """One gradient-descent step; raises :class:`Diverged` (parameters put back to their
        last finite-loss values) when the loss is not finite or explodes."""
        k = self.step_count + 1
        lr = self.schedule.lr_at(k)
        rows = self._next_batch()
        loss, grads = self._batch(rows)
        held = self.held_out_loss()
        limit = self.divergence_factor * max(self.initial_loss, 1e-12)
        if not math.isfinite(loss) or loss > limit:
            self._params = self._previous
            why = "is " + format_value(loss) if not math.isfinite(loss) else (
                f"grew to {loss:.3g}, over {self.divergence_factor:g} times the initial {self.initial_loss:.3g}")
            raise Diverged(f"training diverged at step {k}: the loss {why}; the learning rate "
                           f"{lr:g} is probably too large. {self._kept(k - 1)}", k, loss, lr)
        new = {n: as_value(self._params[n] - lr * grads[n]) for n in self.param_nodes}
        squares = sum(g * g if type(g) is float else float(np.vdot(g, g)) for g in grads.values())
        # a finite total says every number is finite (one NaN or inf makes the total so)
        if not (math.isfinite(squares) and _finite(sum(_total(v) for v in new.values()))) and (
                not all(_finite(g) for g in grads.values())
                or not all(_finite(v) for v in new.values())):
            raise Diverged(f"training diverged at step {k}: the gradient or the update is not "
                           f"finite. {self._kept(k)}", k, loss, lr)
        self._previous, self._params = self._params, new
        self.step_count = k
        norm = math.sqrt(squares)
        record = StepRecord(k, loss, lr, self.epoch, rows, norm, self.parameters(), grads, held)
        self.history.append(record)
        return record

    def _kept(self, step: int) -> str:
        """Where the parameters were put back to: as they were when step ``step`` measured
        its loss (that loss was finite)."""
        if step < 1:
            return "The parameters are back at their initial values."
        loss = self.history[step - 1].loss if step <= len(self.history) else self.initial_loss
        return f"The parameters are back at their values of step {step} (loss {loss:.6g})."

    def run(self, steps: int) -> Iterator[StepRecord]:
        """Up to ``steps`` steps, one record each; waits while paused and ends early when
        :meth:`stop` is called (checked between steps)."""
        for _ in range(steps):
            self._running.wait()
            if self._stop.is_set():
                return
            yield self.step()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    # ---- results ------------------------------------------------------------------------------

    def parameters(self) -> dict[int, Any]:
        """Copies of the current parameter values, by node id."""
        return {n: _copy(v) for n, v in self._params.items()}

    def revert(self) -> None:
        """Back to the initial parameters (the graph's values when the trainer was made)."""
        self._params = {n: _copy(v) for n, v in self.initial.items()}
        self._previous = dict(self._params)

    def apply(self, graph: Graph) -> dict[int, Any]:
        """Write the current parameters into ``graph`` (the one the trainer was made from, or
        a copy with the same ids); returns the old values, for undo."""
        old = {}
        for n, v in self._params.items():
            old[n] = _copy(graph.value(n))
            graph.set_value(n, _copy(v))
        return old
