"""Greedy pre-training: the tied autoencoder's gradients, the layer-wise loop, the stacking."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.gradcheck import check_layer
from nnlib.layers import Dense, Sequential
from nnlib.lessons import pretraining as P
from nnlib.training import accuracy


def test_tied_autoencoder_gradcheck(rng):
    ae = P.TiedAutoencoder(5, 3, rng=rng)
    ae.b.data[:] = rng.normal(size=3)
    ae.c.data[:] = rng.normal(size=5)
    errors = check_layer(ae, rng.uniform(size=(4, 5)), rng=rng)
    assert set(errors) == {"x", "W", "b", "c"}
    assert max(errors.values()) <= 1e-7, errors


def test_tied_autoencoder_matches_torch(rng, torch):
    ae = P.TiedAutoencoder(6, 4, rng=rng)
    x, dout = rng.uniform(size=(3, 6)), rng.normal(size=(3, 6))
    out = ae.forward(x)
    ae.backward(dout)
    tW = torch.tensor(ae.W.data, requires_grad=True)
    tb = torch.tensor(ae.b.data, requires_grad=True)
    tc = torch.tensor(ae.c.data, requires_grad=True)
    tout = torch.sigmoid(torch.sigmoid(torch.tensor(x) @ tW + tb) @ tW.T + tc)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12)
    for ours, theirs in ((ae.W, tW), (ae.b, tb), (ae.c, tc)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)
    enc = ae.encoder()
    np.testing.assert_array_equal(enc.W.data, ae.W.data)
    assert enc.W is not ae.W


def _digits_like(rng, n=600, d=20, classes=4):
    """Binary-ish patterns: each class a prototype with flipped pixels."""
    protos = rng.uniform(size=(classes, d)) > 0.5
    y = rng.integers(0, classes, size=n)
    flips = rng.uniform(size=(n, d)) < 0.1
    return (protos[y] ^ flips).astype(np.float64), y


@pytest.mark.parametrize("tied", [False, True])
def test_pretrain_autoencoders_reduces_every_layers_reconstruction_loss(tied, rng):
    X, _ = _digits_like(rng)
    pre = P.pretrain_autoencoders(X, [12, 8, 6], rng=rng, lr=1.0, epochs=3, batch_size=20,
                                  tied=tied)
    assert [e.W.shape for e in pre.encoders] == [(20, 12), (12, 8), (8, 6)]
    assert all(isinstance(e, Dense) for e in pre.encoders)
    assert all(a < 0.8 * b for a, b in zip(pre.loss_after, pre.loss_before)), pre
    assert pre.steps == 3 * 3 * 30


def test_stack_then_fine_tune_and_discriminative(rng):
    X, y = _digits_like(rng)
    pre = P.pretrain_autoencoders(X, [12, 8], rng=rng, lr=1.0, epochs=2, batch_size=20)
    net = P.stack(pre.encoders, 4, rng=rng)
    assert isinstance(net, Sequential) and len(net) == 5 and net[0] is pre.encoders[0]
    assert net.forward(X[:3]).shape == (3, 4)
    deep, steps = P.pretrain_discriminative(X, y, [20, 12, 8, 4], rng=rng, lr=1.0, epochs=3,
                                            batch_size=20)
    assert steps == 2 * 3 * 30
    assert [layer.W.shape for layer in deep.layers if isinstance(layer, Dense)] == \
        [(20, 12), (12, 8), (8, 4)]
    assert accuracy(deep, X, y) > 0.9


def test_bad_arguments(rng):
    with pytest.raises(ValueError, match="hidden_sizes must list at least one"):
        P.pretrain_autoencoders(np.zeros((4, 3)), [], rng=rng, lr=0.1)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        P.pretrain_autoencoders(np.zeros((4, 3)), [2], rng=rng, lr=0)
    with pytest.raises(ValueError, match=r"encoders\[1\] takes 5 inputs but the layer below "
                                         r"gives 4"):
        P.stack([Dense(3, 4, rng=rng), Dense(5, 2, rng=rng)], 2, rng=rng)
    with pytest.raises(ValueError, match="sizes must have at least one hidden layer"):
        P.pretrain_discriminative(np.zeros((4, 3)), np.zeros(4, int), [3, 2], rng=rng, lr=0.1)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 5\)"):
        P.TiedAutoencoder(5, 2, rng=rng).forward(np.zeros((2, 4)))
