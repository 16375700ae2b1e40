"""Lesson helpers of notebook 07: activation drift, input scales, batch statistics, skip paths."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.layers import Dense, Residual, Sequential, Sigmoid
from nnlib.lessons import batchnorm as B
from nnlib.lessons.skip_paths import gradient_by_path_length
from nnlib.losses import softmax_cross_entropy
from nnlib.models import mlp
from nnlib.normalization import BatchNorm1d
from nnlib.optim import SGD
from nnlib.training import fit


def _blobs(rng, n=300, d=6, classes=3):
    y = rng.integers(0, classes, size=n)
    centres = 2.0 * rng.normal(size=(classes, d))
    return centres[y] + rng.normal(size=(n, d)), y


def test_hidden_activations_match_a_manual_forward(rng):
    net = mlp([4, 5, 3, 2], rng=rng, activation="sigmoid")
    x = rng.normal(size=(7, 4))
    acts = B.hidden_activations(net, x)
    h1 = 1 / (1 + np.exp(-(x @ net[0].W.data + net[0].b.data)))
    np.testing.assert_allclose(acts[0], h1, rtol=1e-12)
    assert [a.shape for a in acts] == [(7, 5), (7, 3)]
    with pytest.raises(ValueError, match="without Residual"):
        B.hidden_activations(mlp([4, 4, 4, 2], rng=rng, skip=True), x)


def test_activation_drift_records_and_detects_learning(rng):
    X, y = _blobs(rng)
    net = mlp([6, 8, 8, 3], rng=rng, activation="sigmoid")
    drift = B.ActivationDrift(X[:50], every=5)
    fit(net, X, y, optimizer=SGD(net.parameters(), lr=2.0), epochs=3, batch_size=30, rng=rng,
        callbacks=[drift], progress=False)
    assert drift.steps[0] == 0 and drift.steps[-1] == 30
    assert drift.mean.shape == drift.std.shape == (len(drift.steps), 2)
    assert drift.unit_means.shape == (len(drift.steps), 2, 8)
    assert np.all(drift.drift() > 0.05)
    # a net that does not learn does not drift
    frozen = mlp([6, 8, 8, 3], rng=rng, activation="sigmoid")
    still = B.ActivationDrift(X[:50], every=5)
    fit(frozen, X, y, optimizer=SGD(frozen.parameters(), lr=1e-12), epochs=1, batch_size=30,
        rng=rng, callbacks=[still], progress=False)
    assert np.all(still.drift() < 1e-9)


def test_scale_influence_is_unequal_until_standardised(rng):
    X, y = B.two_scale_data(400, scale=0.01, rng=rng)
    raw = B.scale_influence(X, y, lr=0.1, steps=200)
    std = B.scale_influence(X, y, lr=0.1, steps=200, standardise=True)
    assert raw[0] / raw[1] > 10
    assert 0.5 < std[0] / std[1] < 2
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        B.two_scale_data(10, scale=0, rng=rng)


def test_batch_statistics_accuracy_restores_running_stats(rng):
    X, y = _blobs(rng, n=400)
    net = mlp([6, 16, 3], rng=rng, activation="sigmoid", batch_norm="before")
    fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.5), epochs=5, batch_size=20, rng=rng,
        progress=False)
    bn = net[1]
    assert isinstance(bn, BatchNorm1d)
    before = bn.running_mean.copy(), bn.running_var.copy(), bn.num_batches_tracked
    net.eval()
    mixed = B.batch_statistics_accuracy(net, X, y, batch_size=50)
    pure = B.batch_statistics_accuracy(net, X, y, batch_size=50, order=np.argsort(y, kind="stable"))
    assert not net.training
    np.testing.assert_array_equal(bn.running_mean, before[0])
    np.testing.assert_array_equal(bn.running_var, before[1])
    assert bn.num_batches_tracked == before[2]
    assert mixed > 0.8 and pure < mixed - 0.2
    with pytest.raises(ValueError, match="no batch norm layer"):
        B.batch_statistics_accuracy(mlp([6, 4, 3], rng=rng), X, y, batch_size=10)


def test_gradient_paths_sum_to_the_backward_gradient(rng):
    net = mlp([5, 6, 6, 6, 6, 3], rng=rng, activation="sigmoid", skip=True)
    assert sum(isinstance(layer, Residual) for layer in net.layers) == 3
    x, y = rng.normal(size=(9, 5)), rng.integers(0, 3, size=9)
    pg = gradient_by_path_length(net, x, y)
    assert all(not p.grad.any() for p in net.parameters())
    out = net.forward(x)
    _, g = softmax_cross_entropy(out, y)
    for layer in reversed(net.layers[2:]):  # the output layer and the three blocks
        g = layer.backward(g)
    np.testing.assert_allclose(pg.total, g, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(pg.paths, [1, 3, 3, 1])
    assert pg.norms[0] > pg.norms[-1] and pg.share_up_to(3) == pytest.approx(1.0)
    # with one block the split is: identity path + the branch
    one = Sequential(Dense(4, 4, rng=rng), Residual(Sequential(Dense(4, 4, rng=rng), Sigmoid())),
                     Dense(4, 2, rng=rng))
    pg1 = gradient_by_path_length(one, rng.normal(size=(3, 4)), np.array([0, 1, 1]))
    assert pg1.parts.shape == (2, 3, 4)
    with pytest.raises(ValueError, match="no Residual block"):
        gradient_by_path_length(mlp([4, 4, 2], rng=rng), x[:, :4], y)
