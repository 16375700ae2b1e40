"""nnlib.callbacks: EvaluateEvery measures what evaluate measures, when it says; fit knows
callbacks only through the base class's hooks."""

from __future__ import annotations

import numpy as np

from nnlib import callbacks as cbs
from nnlib.models import mlp
from nnlib.optim import SGD
from nnlib.training import evaluate, fit


def _data(rng, n=60, d=5, c=3):
    X = rng.standard_normal((n, d))
    return X, (X[:, :c] + 0.3 * rng.standard_normal((n, c))).argmax(axis=1)


def _net(seed=0):
    return mlp([5, 8, 3], rng=np.random.default_rng(seed), activation="tanh")


def test_evaluate_every_measures_every_k_epochs_and_the_last(rng):
    X, y = _data(rng)
    Xv, yv = _data(rng, n=30)

    class Snapshot(cbs.Callback):
        """What evaluate says right after each epoch (the reference)."""

        def __init__(self):
            self.seen = {}

        def on_epoch_end(self, run):
            self.seen[run.epoch] = evaluate(run.net, Xv, yv)

    every, snap = cbs.EvaluateEvery(Xv, yv, every=3), Snapshot()
    net = _net()
    fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.1), epochs=7, batch_size=8,
        rng=np.random.default_rng(1), callbacks=[every, snap], progress=False)
    assert every.epoch == [3, 6, 7]
    assert every.loss == [snap.seen[e][0] for e in (3, 6, 7)]
    assert every.accuracy == [snap.seen[e][1] for e in (3, 6, 7)]


def test_evaluate_every_measures_the_epoch_a_run_stops_on(rng):
    X, y = _data(rng)

    class StopAt2(cbs.Callback):
        def on_epoch_end(self, run):
            run.stop = run.epoch == 2

    every = cbs.EvaluateEvery(X, y, every=5)
    net = _net()
    fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.1), epochs=9, batch_size=8,
        rng=np.random.default_rng(1), callbacks=[StopAt2(), every], progress=False)
    assert every.epoch == [2] and every.loss == [evaluate(net, X, y)[0]]


def test_overrides_tells_a_real_hook_from_the_base_class_no_op():
    class OnBatch(cbs.Callback):
        def on_batch_end(self, run):
            pass

    assert cbs.overrides(OnBatch(), "on_batch_end")
    assert not cbs.overrides(OnBatch(), "on_epoch_end")
    assert not cbs.overrides(cbs.Callback(), "on_batch_end")
    assert cbs.overrides(cbs.GradientNorms(), "on_batch_end")
