"""lessons.lockstep: several seeds at once compute what training.fit computes for each alone."""

import numpy as np
import pytest

from nnlib import models, optim, training
from nnlib.lessons.lockstep import train_in_lockstep


def _data(n=200, d=12, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d)).astype(np.float32)
    X[:, 0] = 0  # an input that is 0 everywhere: left out, must stay untouched
    y = rng.integers(0, classes, n)
    return X, y


def _net(sizes, seed):
    rng = np.random.default_rng(seed)
    net = models.mlp(sizes, rng=rng, activation="sigmoid", output_activation="sigmoid",
                     init="normal", std=1.0, bias_std=1.0, dtype=np.float32)
    return net, rng


@pytest.mark.parametrize("sizes", [[12, 6, 4], [12, 5, 5, 4]])
def test_each_seed_matches_fit(sizes):
    X, y = _data()
    X_val, y_val = _data(n=60, seed=1)
    X_val[:, 0] = np.linspace(0, 1, 60)  # an input unused in training still counts here
    seeds = (0, 1, 2)
    alone = []
    for s in seeds:
        net, rng = _net(sizes, s)
        h = training.fit(net, X, y, optimizer=optim.SGD(net.parameters(), lr=3.0),
                         loss="quadratic", epochs=3, batch_size=10, rng=rng, X_val=X_val,
                         y_val=y_val, progress=False)
        alone.append((net, h))
    pairs = [_net(sizes, s) for s in seeds]
    seen = []
    together = train_in_lockstep([n for n, _ in pairs], [r for _, r in pairs], X, y, lr=3.0,
                                 epochs=3, batch_size=10, X_val=X_val, y_val=y_val,
                                 on_epoch=lambda s, h: seen.append((s, len(h.epoch))),
                                 chunk_steps=7)
    for (net_a, h_a), (net_b, _), h_b in zip(alone, pairs, together):
        for p, q in zip(net_a.parameters(), net_b.parameters()):
            assert np.allclose(p.data, q.data, rtol=1e-4, atol=1e-5)
        assert np.allclose(h_a.train_loss, h_b.train_loss, rtol=1e-4)
        assert np.allclose(h_a.val_loss, h_b.val_loss, rtol=1e-4)
        assert h_a.val_accuracy == h_b.val_accuracy
        assert h_b.engine == "lockstep" and h_b.epoch == [1, 2, 3] and len(h_b.seconds) == 3
    assert seen == [(s, e) for e in (1, 2, 3) for s in range(3)]
    # the rngs moved on exactly as fit's did: the next draw is the same
    for s, (_, rng) in zip(seeds, pairs):
        net, ref = _net(sizes, s)
        for _ in range(3):
            ref.permutation(len(X))
        assert rng.random() == ref.random()


@pytest.mark.parametrize("compiled", ["1", "0"])
def test_nets_of_different_architectures_train_together(monkeypatch, compiled):
    # notebook 02 trains nine nets of three architectures in one call: each still computes
    # what fit computes for it alone, with the compiled loop (nets take turns on the cores)
    # and without it (one batched stack per architecture), and on_epoch runs in lockstep order
    monkeypatch.setenv("NNLIB_COMPILED", compiled)
    X, y = _data()
    X_val, y_val = _data(n=60, seed=1)
    archs = [[12, 6, 4], [12, 5, 5, 4], [12, 6, 4], [12, 3, 3, 3, 4], [12, 5, 5, 4]]
    alone = []
    for i, sizes in enumerate(archs):
        net, rng = _net(sizes, i)
        h = training.fit(net, X, y, optimizer=optim.SGD(net.parameters(), lr=3.0),
                         loss="quadratic", epochs=3, batch_size=10, rng=rng, X_val=X_val,
                         y_val=y_val, progress=False)
        alone.append((net, h))
    pairs = [_net(sizes, i) for i, sizes in enumerate(archs)]
    seen = []
    together = train_in_lockstep([n for n, _ in pairs], [r for _, r in pairs], X, y, lr=3.0,
                                 epochs=3, batch_size=10, X_val=X_val, y_val=y_val,
                                 on_epoch=lambda s, h: seen.append((s, len(h.epoch))))
    for (net_a, h_a), (net_b, _), h_b in zip(alone, pairs, together):
        for p, q in zip(net_a.parameters(), net_b.parameters()):
            assert np.allclose(p.data, q.data, rtol=1e-4, atol=1e-5)
        assert np.allclose(h_a.val_loss, h_b.val_loss, rtol=1e-4)
        assert h_a.val_accuracy == h_b.val_accuracy and len(h_b.seconds) == 3
    assert seen == [(s, e) for e in (1, 2, 3) for s in range(len(archs))]


def test_a_wrong_implementation_would_be_caught():
    # a different learning rate must not pass for fit's result: the comparison has teeth
    X, y = _data()
    net_a, rng_a = _net([12, 6, 4], 0)
    training.fit(net_a, X, y, optimizer=optim.SGD(net_a.parameters(), lr=3.0), loss="quadratic",
                 epochs=1, batch_size=10, rng=rng_a, progress=False)
    net_b, rng_b = _net([12, 6, 4], 0)
    train_in_lockstep([net_b], [rng_b], X, y, lr=2.9, epochs=1, batch_size=10)
    assert not np.allclose(net_a[0].W.data, net_b[0].W.data, rtol=1e-4, atol=1e-5)


def test_bad_inputs_are_named():
    X, y = _data()
    net, rng = _net([12, 6, 4], 0)
    relu = models.mlp([12, 6, 4], rng=np.random.default_rng(0), activation="relu",
                      output_activation="sigmoid")
    other, rng2 = _net([12, 7, 3], 1)
    wide, _ = _net([12, 7, 4], 1)
    wide64 = models.mlp([12, 7, 4], rng=np.random.default_rng(1), activation="sigmoid",
                        output_activation="sigmoid", dtype=np.float64)
    with pytest.raises(ValueError, match="nets and rngs"):
        train_in_lockstep([net], [], X, y, lr=1.0, epochs=1, batch_size=10)
    with pytest.raises(ValueError, match=r"nets\[0\] must alternate Dense and Sigmoid"):
        train_in_lockstep([relu], [rng], X, y, lr=1.0, epochs=1, batch_size=10)
    with pytest.raises(ValueError, match="input and output widths"):
        train_in_lockstep([net, other], [rng, rng2], X, y, lr=1.0, epochs=1, batch_size=10)
    with pytest.raises(ValueError, match="one dtype"):
        train_in_lockstep([wide, wide64], [rng, rng2], X, y, lr=1.0, epochs=1, batch_size=10)
    with pytest.raises(ValueError, match="batch_size must divide"):
        train_in_lockstep([net], [rng], X, y, lr=1.0, epochs=1, batch_size=7)
    with pytest.raises(TypeError, match=r"rngs\[0\]"):
        train_in_lockstep([net], [0], X, y, lr=1.0, epochs=1, batch_size=10)
    with pytest.raises(ValueError, match="y must hold"):
        train_in_lockstep([net], [rng], X, y.astype(float), lr=1.0, epochs=1, batch_size=10)
    with pytest.raises(ValueError, match=r"y must hold class labels in \[0, 3\]"):
        train_in_lockstep([net], [rng], X, y + 1, lr=1.0, epochs=1, batch_size=10)
    # the validation data are checked before any training: the net is left as it was
    before = net[0].W.data.copy()
    for X_val, y_val, match in ((X[:, :5], y, r"X_val must have shape \(N, 12\)"),
                                (X, y[:-1], "y_val must hold one integer label per row"),
                                (X, y + 4, r"y_val must hold class labels in \[0, 3\]")):
        with pytest.raises(ValueError, match=match):
            train_in_lockstep([net], [rng], X, y, lr=1.0, epochs=1, batch_size=10,
                              X_val=X_val, y_val=y_val)
    assert np.array_equal(net[0].W.data, before)
