"""Held-out rows: set aside by a seed, never trained on, their loss reported beside the
training loss; checked against the loss computed by hand on those rows."""

import numpy as np
import pytest

from graphstudio.core.dataset import load_for_graph
from graphstudio.core.train import Trainer, TrainingError, TrainingSettings, held_out_rows
from graphstudio.examples import examples_dir
from graphstudio.io.gs import parse_file, parse_text


def seoul():
    path = examples_dir() / "seoul_sgd_l2.gs"
    g = parse_file(path)
    return g, load_for_graph(g, path.parent)


def seoul_loss_by_hand(g, ds, params, rows):
    """Seoul's J = (v·σ(W x) − y)² + λ(‖W‖² + ‖v‖²), averaged over ``rows``, in numpy."""
    W, v = params[g.by_name("W")], params[g.by_name("v")]
    lam = 0.001
    x = np.column_stack([ds.column("x1"), ds.column("x2")])[list(rows)]
    y = ds.column("y")[list(rows)]
    yhat = (1 / (1 + np.exp(-(x @ W.T)))) @ v
    return float(np.mean((yhat - y) ** 2) + lam * (np.sum(W ** 2) + np.sum(v ** 2)))


def test_rows_are_chosen_by_the_seed():
    a = held_out_rows(40, 0.25, seed=3)
    assert len(a) == 10 and len(set(a)) == 10 and all(0 <= r < 40 for r in a)
    assert a == held_out_rows(40, 0.25, seed=3)
    assert a != held_out_rows(40, 0.25, seed=4)
    assert held_out_rows(40, 0.0) == ()
    assert len(held_out_rows(5, 0.01)) == 1  # a share > 0 holds out at least one row
    assert len(held_out_rows(3, 0.9)) == 2  # and never every row


def test_held_out_loss_equals_the_loss_by_hand_on_those_rows():
    g, ds = seoul()
    t = TrainingSettings(steps=30, holdout=0.25, seed=3).trainer(g, ds)
    assert t.held_out == held_out_rows(40, 0.25, seed=3)
    assert t.n_examples == 30
    initial = t.parameters()
    records = list(t.run(30))
    # each record's held-out loss is at the parameters before its update, as its loss is
    first = records[0]
    assert first.held_out_loss == pytest.approx(seoul_loss_by_hand(g, ds, initial, t.held_out), rel=1e-12)
    train_rows = [r for r in range(40) if r not in t.held_out]
    assert first.loss == pytest.approx(seoul_loss_by_hand(g, ds, initial, train_rows), rel=1e-12)
    later = records[-2].params  # the parameters the last step started from
    assert records[-1].held_out_loss == pytest.approx(seoul_loss_by_hand(g, ds, later, t.held_out), rel=1e-12)
    now = t.parameters()
    assert t.held_out_loss() == pytest.approx(seoul_loss_by_hand(g, ds, now, t.held_out), rel=1e-12)
    assert t.loss() == pytest.approx(seoul_loss_by_hand(g, ds, now, train_rows), rel=1e-12)


def test_held_out_rows_are_never_trained_on():
    g, ds = seoul()
    t = Trainer(g, ds, schedule=0.5, batch_size=8, seed=1, holdout=0.2)
    held = set(t.held_out)
    seen = set()
    for record in t.run(40):  # many epochs of minibatches
        assert not held & set(record.batch)
        seen |= set(record.batch)
    assert seen == set(range(40)) - held


def test_one_at_a_time_gives_the_batched_numbers():
    g, ds = seoul()
    a = Trainer(g, ds, schedule=0.5, holdout=0.3, seed=2)
    b = Trainer(g, ds, schedule=0.5, holdout=0.3, seed=2, batched=False)
    ra, rb = list(a.run(5)), list(b.run(5))
    assert [r.held_out_loss for r in ra] == pytest.approx([r.held_out_loss for r in rb], rel=1e-10)


def test_no_holdout_reports_none():
    g, ds = seoul()
    t = Trainer(g, ds, schedule=0.5)
    assert t.held_out == () and t.held_out_loss() is None
    assert next(iter(t.run(1))).held_out_loss is None


def test_bad_holdout_is_refused_with_a_message():
    with pytest.raises(ValueError, match="between 0 and 0.9"):
        TrainingSettings(holdout=0.95)
    g = parse_text("w = param(3)\nL = (w - 1) ** 2")
    with pytest.raises(TrainingError, match="needs a dataset"):
        Trainer(g, holdout=0.2)
