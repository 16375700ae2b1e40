"""Minibatch SGD: the fused engine equals the layer-by-layer one; training actually learns."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import _fused as fused
from nnlib.layers import Dense, Flatten, ReLU, Sequential, mlp
from nnlib.training import mean_loss, per_example_sgd_epoch, sgd_fit


def _data(rng, n=203, d=7, c=4):
    X = rng.standard_normal((n, d))
    y = (X[:, :c] + 0.3 * rng.standard_normal((n, c))).argmax(axis=1)
    return X, y


def _weights(net):
    return [p.data.copy() for p in net.parameters()]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("loss,out_act", [("quadratic", "sigmoid"), ("quadratic", "tanh"),
                                          ("softmax_cross_entropy", None)])
def test_fused_engine_matches_layer_engine(activation, loss, out_act):
    """Same rng, same data: both engines end with the same weights (float64, 2 epochs,
    a last minibatch smaller than the others)."""
    results = []
    for engine in ("fused", "layers"):
        rng = np.random.default_rng(7)
        net = mlp([7, 9, 6, 4], rng=rng, activation=activation, output_activation=out_act,
                  init="xavier_normal", bias_std=0.5)
        X, y = _data(np.random.default_rng(1))
        X[:, 2] = 0  # an input that is zero everywhere: the fused engine drops it
        h = sgd_fit(net, X, y, epochs=2, batch_size=10, lr=0.5, rng=rng, loss=loss,
                    engine=engine, X_val=X[:50], y_val=y[:50])
        assert h.engine == engine
        results.append((_weights(net), h))
    for a, b in zip(results[0][0], results[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(results[0][1].train_loss, results[1][1].train_loss, rtol=1e-10)
    assert results[0][1].val_accuracy == results[1][1].val_accuracy


def test_auto_engine_choice():
    rng = np.random.default_rng(0)
    assert fused.plan(mlp([4, 3, 2], rng=rng, output_activation="sigmoid"), "quadratic")
    # raw scores with the quadratic cost, or an activated output with softmax CE: layer path
    assert fused.plan(mlp([4, 3, 2], rng=rng), "quadratic") is None
    assert fused.plan(mlp([4, 3, 2], rng=rng, output_activation="sigmoid"),
                      "softmax_cross_entropy") is None
    assert fused.plan(Sequential(Flatten(), Dense(4, 2, rng=rng), ReLU()), "quadratic") is None
    assert fused.plan(mlp([4, 3, 2], rng=rng, activation="heaviside",
                          output_activation="sigmoid"), "quadratic") is None


def test_fused_engine_refuses_unsupported_network():
    rng = np.random.default_rng(0)
    net = Sequential(Flatten(), Dense(4, 2, rng=rng), ReLU())
    X, y = _data(rng, n=20, d=4, c=2)
    with pytest.raises(ValueError, match="engine='fused'"):
        sgd_fit(net, X, y, epochs=1, batch_size=5, lr=0.1, rng=rng, engine="fused")
    h = sgd_fit(net, X, y, epochs=1, batch_size=5, lr=0.1, rng=rng)  # auto -> layers
    assert h.engine == "layers"


def test_per_example_epoch_equals_vectorised_epoch():
    """Nielsen's per-example loop and the vectorised minibatch step are the same algorithm."""
    rng = np.random.default_rng(3)
    X, y = _data(rng, n=60, d=5, c=3)
    nets = [mlp([5, 6, 3], rng=np.random.default_rng(4), activation="sigmoid",
                output_activation="sigmoid", init="normal", bias_std=1.0) for _ in range(2)]
    order = np.random.default_rng(5).permutation(60)
    per_example_sgd_epoch(nets[0], X, y, order=order, batch_size=10, lr=3.0)
    sgd_fit(nets[1], X[order], y[order], epochs=1, batch_size=10, lr=3.0,
            rng=_FixedOrder(), engine="layers")
    for a, b in zip(_weights(nets[0]), _weights(nets[1])):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


class _FixedOrder(np.random.Generator):
    """A Generator whose permutation is the identity (the data are already shuffled)."""

    def __init__(self):
        super().__init__(np.random.PCG64(0))

    def permutation(self, n):
        return np.arange(n)


def test_sgd_learns_a_separable_task():
    rng = np.random.default_rng(0)
    X, y = _data(rng, n=600, d=7, c=4)
    net = mlp([7, 16, 4], rng=rng, activation="tanh", init="xavier_uniform")
    Y = np.eye(4)[y[:500]]
    before = mean_loss(net, X[:500], Y, "softmax_cross_entropy")
    h = sgd_fit(net, X[:500], y[:500], epochs=15, batch_size=16, lr=0.3, rng=rng,
                loss="softmax_cross_entropy", X_val=X[500:], y_val=y[500:])
    assert h.train_loss[-1] < 0.6 * before
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.val_accuracy[-1] > 0.8
    assert len(h.seconds) == 15 and all(s > 0 for s in h.seconds)


def test_sgd_fit_bad_arguments():
    rng = np.random.default_rng(0)
    net = mlp([3, 2], rng=rng, output_activation="sigmoid")
    X, y = rng.standard_normal((8, 3)), np.zeros(8, dtype=int)
    with pytest.raises(ValueError, match="unknown loss 'mse'"):
        sgd_fit(net, X, y, epochs=1, batch_size=2, lr=0.1, rng=rng, loss="mse")
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1; got 0"):
        sgd_fit(net, X, y, epochs=1, batch_size=0, lr=0.1, rng=rng)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        sgd_fit(net, X, y, epochs=1, batch_size=2, lr=-1.0, rng=rng)
    with pytest.raises(ValueError, match="y must have one row per row of X"):
        sgd_fit(net, X, y[:5], epochs=1, batch_size=2, lr=0.1, rng=rng)
    with pytest.raises(ValueError, match="X contains NaN"):
        sgd_fit(net, np.full((8, 3), np.nan), y, epochs=1, batch_size=2, lr=0.1, rng=rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        sgd_fit(net, X, y, epochs=1, batch_size=2, lr=0.1, rng=np.random)


def test_fused_epoch_over_many_prefetched_chunks_matches_layer_engine():
    """Several gather chunks (the double buffer alternates) and a short last minibatch."""
    rng = np.random.default_rng(11)
    X, y = _data(rng, n=257, d=6, c=3)
    Y = np.eye(3)[y]
    order = rng.permutation(257)
    nets = [mlp([6, 5, 3], rng=np.random.default_rng(12), activation="tanh",
                output_activation="sigmoid", bias_std=0.3) for _ in range(2)]
    runner = fused.FusedMLP(fused.plan(nets[0], "quadratic"), 10, np.float64)
    fused_loss = runner.epoch(fused.with_ones(X, np.float64), Y, order, 0.7, "quadratic",
                              chunk_batches=3)
    runner.write_back()
    from nnlib.losses import quadratic
    from nnlib.optim import SGD
    from nnlib.training import _layer_epoch
    layer_loss = _layer_epoch(nets[1], X, Y, order, 10, SGD(nets[1].parameters(), lr=0.7),
                              quadratic)
    assert fused_loss == pytest.approx(layer_loss, rel=1e-12)
    for a, b in zip(_weights(nets[0]), _weights(nets[1])):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
