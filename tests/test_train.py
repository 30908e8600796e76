"""Gradient descent: updates, minibatches, schedules, divergence, pause and stop."""

import math
import threading
import time

import numpy as np
import pytest

from graphstudio.core.dataset import load_for_graph, parse_csv
from graphstudio.core.engine import evaluate
from graphstudio.core.train import Diverged, Schedule, Trainer, TrainingError
from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file, parse_text

LINE = 'dataset("d.csv")\nx = data("x")\ny = data("y")\nw = param(0.5)\nb = param(-1)\nL = (w * x + b - y) ** 2\n'
ROWS = "x,y\n1,2\n2,3\n-1,0.5\n3,-1\n0.5,1\n"


def line_trainer(**kw):
    g = parse_text(LINE)
    return g, Trainer(g, parse_csv(ROWS, "d.csv"), **kw)


def test_quadratic_by_hand():
    # L = (w - 1)^2, dL/dw = 2(w - 1): w = 3 -> 2 -> 1.5 -> 1.25 at tau = 0.25
    g = parse_text("w = param(3)\nL = (w - 1) ** 2")
    t = Trainer(g, schedule=0.25)
    records = list(t.run(3))
    assert [r.loss for r in records] == [4.0, 1.0, 0.25]
    assert [r.step for r in records] == [1, 2, 3]
    assert [r.params[g.by_name("w")] for r in records] == [2.0, 1.5, 1.25]
    assert t.loss() == pytest.approx(0.0625)


def test_full_batch_step_is_the_mean_gradient():
    g, t = line_trainer(schedule=0.1)
    data = np.array([[1, 2], [2, 3], [-1, 0.5], [3, -1], [0.5, 1]])
    x, y = data[:, 0], data[:, 1]
    r = 0.5 * x - 1 - y  # residuals at w = 0.5, b = -1
    rec = t.step()
    assert rec.batch == (0, 1, 2, 3, 4)
    assert rec.loss == pytest.approx(np.mean(r ** 2))
    p = t.parameters()
    assert p[g.by_name("w")] == pytest.approx(0.5 - 0.1 * np.mean(2 * r * x))
    assert p[g.by_name("b")] == pytest.approx(-1 - 0.1 * np.mean(2 * r))
    assert rec.grads[g.by_name("w")] == pytest.approx(np.mean(2 * r * x))
    assert rec.grad_norm == pytest.approx(np.hypot(np.mean(2 * r * x), np.mean(2 * r)))


def test_minibatch_gradient_is_the_mean_of_its_examples_gradients():
    g, t = line_trainer(schedule=0.1, batch_size=2, shuffle=False)
    x = np.array([1, 2, -1, 3, 0.5])
    y = np.array([2, 3, 0.5, -1, 1])
    w, b = 0.5, -1.0
    for expected_rows in [(0, 1), (2, 3), (4,), (0, 1)]:
        rec = t.step()
        assert rec.batch == expected_rows
        rows = list(expected_rows)
        r = w * x[rows] + b - y[rows]
        assert rec.loss == pytest.approx(np.mean(r ** 2))
        w, b = w - 0.1 * np.mean(2 * r * x[rows]), b - 0.1 * np.mean(2 * r)
        p = t.parameters()
        assert p[g.by_name("w")] == pytest.approx(w)
        assert p[g.by_name("b")] == pytest.approx(b)
    assert t.epoch == 1  # completed passes over the data


def test_minibatch_step_on_a_network_matches_per_example_backprop():
    # Seoul: g = 1/m' sum_i grad J(i); each J(i) evaluated here by the engine on its own
    g = parse_file(examples_dir() / "seoul_sgd_l2.gs")
    ds = load_for_graph(g, examples_dir())
    t = Trainer(g, ds, schedule=0.3, batch_size=4, seed=1)
    rec = t.step()
    W, v, x, y = (g.by_name(n) for n in ("W", "v", "x", "y"))
    grads = {W: 0.0, v: 0.0}
    losses = []
    for row in rec.batch:
        g.set_value(x, ds.values[row, :2])
        g.set_value(y, ds.values[row, 2])
        ev = evaluate(g)
        losses.append(ev.values[ev.output])
        for n in grads:
            grads[n] = grads[n] + ev.grads[n] / len(rec.batch)
    assert rec.loss == pytest.approx(np.mean(losses), rel=1e-12)
    for n in grads:
        np.testing.assert_allclose(rec.params[n], g.value(n) - 0.3 * grads[n], rtol=1e-12)


def test_seeded_shuffle_covers_every_example_once_per_epoch():
    _g, t = line_trainer(batch_size=2, seed=7, schedule=0.01)
    batches = [t.step().batch for _ in range(6)]  # two epochs of 2 + 2 + 1
    for epoch in (batches[:3], batches[3:]):
        assert sorted(sum(epoch, ())) == [0, 1, 2, 3, 4]
    _g, again = line_trainer(batch_size=2, seed=7, schedule=0.01)
    assert [again.step().batch for _ in range(6)] == batches
    _g, other = line_trainer(batch_size=2, seed=8, schedule=0.01)
    assert [other.step().batch for _ in range(6)] != batches


def test_step_schedule_changes_lr_at_the_right_steps():
    s = Schedule.parse(0.1, "30:0.05, 50:0.01")
    assert s == Schedule(0.1, ((30, 0.05), (50, 0.01)))
    _g, t = line_trainer(schedule=s)
    lrs = [r.lr for r in t.run(55)]
    assert lrs[:30] == [0.1] * 30  # "30 iterations with tau1"
    assert lrs[30:50] == [0.05] * 20  # "20 more with tau2"
    assert lrs[50:] == [0.01] * 5


@pytest.mark.parametrize("text, message", [
    ("30", "'30': expected STEPS:RATE"), ("a:0.1", "expected STEPS:RATE"),
    ("30:-1", "positive number"), ("50:0.1,30:0.01", "increasing"),
])
def test_bad_schedules(text, message):
    with pytest.raises(ValueError, match=message):
        Schedule.parse(0.1, text)


def test_divergent_learning_rate_is_caught_and_parameters_stay_finite():
    # w <- w - 1.5 * 2(w - 1) = 3 - 2w: |w - 1| doubles, the loss grows 4x per step
    g = parse_text("w = param(3)\nL = (w - 1) ** 2")
    t = Trainer(g, schedule=1.5)
    with pytest.raises(Diverged) as info:
        list(t.run(100))
    err = info.value
    assert "diverged" in str(err) and "learning rate 1.5" in str(err)
    assert err.loss > 1e6 * 4.0
    w = t.parameters()[g.by_name("w")]
    assert math.isfinite(w)
    assert (w - 1) ** 2 <= 1e6 * 4.0  # back at parameters whose loss was acceptable
    assert (w - 1) ** 2 == t.history[-1].loss


def test_nan_loss_is_caught():
    # at w = 2: dL/dw = 2(w - 1) + 1/w = 2.5, and w - 5 * 2.5 < 0 makes log(w) NaN
    g = parse_text("w = param(2)\nL = (w - 1) ** 2 + log(w)")
    t = Trainer(g, schedule=5)
    with pytest.raises(Diverged, match="at step 2: the loss is nan"):
        list(t.run(10))
    assert t.parameters()[g.by_name("w")] == 2.0


def test_the_graph_is_untouched_until_apply_and_revert_goes_back():
    g, t = line_trainer(schedule=0.1)
    w = g.by_name("w")
    list(t.run(5))
    assert g.value(w) == 0.5
    trained = t.parameters()[w]
    assert trained != 0.5
    old = t.apply(g)
    assert old[w] == 0.5 and g.value(w) == trained
    t.revert()
    assert t.parameters()[w] == 0.5


def test_stop_between_steps():
    _g, t = line_trainer(schedule=0.01)
    seen = []
    for rec in t.run(100):
        seen.append(rec.step)
        if rec.step == 3:
            t.stop()
    assert seen == [1, 2, 3] and t.stopped


def test_pause_and_resume_from_another_thread():
    _g, t = line_trainer(schedule=0.001)
    seen = []
    t.pause()
    worker = threading.Thread(target=lambda: seen.extend(r.step for r in t.run(1000)))
    worker.start()
    time.sleep(0.1)
    assert seen == [] and t.paused
    t.resume()
    deadline = time.time() + 5
    while not seen and time.time() < deadline:
        time.sleep(0.01)
    t.stop()
    worker.join(5)
    assert not worker.is_alive()
    assert 1 <= len(seen) < 1000


@pytest.mark.parametrize("text, rows, message", [
    ("a = 1\nL = a * a", None, "nothing to train: no trainable parameters"),
    ('x = data("x")\nw = param(1)\nL = w * x', None, "x is bound to dataset columns, but there is no dataset"),
    ('x = data("z")\nw = param(1)\nL = w * x', ROWS, r"d.csv:1: no column 'z' \(columns: x, y\)"),
    ("w = param([1, 2])\nL = w * 2", None, "the loss L must be a number, but its value has shape"),
    ('x = data(["x", "y"])\nw = param([1, 2, 3])\nL = sum(w * x)', ROWS, r"example 1 \(d.csv:2\): .*shape mismatch"),
    ("w = param(-1)\nL = log(w)", None, "the loss L is nan at the initial parameters"),
    ("w = param(1)\nc = 2\nL = c * c", None, "no parameter affects the loss L"),
])
def test_setup_errors(text, rows, message):
    with pytest.raises(TrainingError, match=message):
        Trainer(parse_text(text), parse_csv(rows, "d.csv") if rows else None)


@pytest.mark.parametrize("name, kw, steps", [
    ("siegen_fit_curve.gs", {"schedule": 0.5}, 60),
    ("seoul_sgd_l2.gs", {"schedule": 0.5, "batch_size": 8}, 40),
    ("cmu11785_classify.gs", {"schedule": 0.5}, 30),
    ("seoul_mlp_l2.gs", {"schedule": 0.5}, 30),
    ("siegen_regression.gs", {"schedule": 0.5}, 30),
])
def test_loss_falls_on_each_training_example(name, kw, steps):
    g = parse_file(examples_dir() / name)
    t = Trainer(g, load_for_graph(g, examples_dir()), **kw)
    records = list(t.run(steps))
    assert len(records) == steps
    assert t.loss() < 0.7 * t.initial_loss


def test_full_batch_gradient_matches_central_differences_of_the_mean_loss():
    g = parse_file(examples_dir() / "cmu11785_classify.gs")
    ds = load_for_graph(g, examples_dir())
    rec = Trainer(g, ds, schedule=0.1).step()
    W1 = g.by_name("W1")
    h = 1e-6
    for idx in [(0, 0), (1, 1), (2, 0)]:
        losses = []
        for sign in (1, -1):
            trial = g.copy()
            value = trial.value(W1).copy()
            value[idx] += sign * h
            trial.set_value(W1, value)
            losses.append(Trainer(trial, ds).initial_loss)
        assert rec.grads[W1][idx] == pytest.approx((losses[0] - losses[1]) / (2 * h), abs=1e-7)
