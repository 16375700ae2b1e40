"""Dropout and the weight penalties: definitions, gradients, and their use through fit."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import regularization as reg
from nnlib.gradcheck import numerical_gradient, rel_error
from nnlib.layers import Dense, Parameter, ReLU, Sequential
from nnlib.models import mlp
from nnlib.optim import SGD
from nnlib.training import fit

# ----------------------------------------------------------------------------- dropout


def test_dropout_keeps_a_fraction_and_scales_the_kept_units(rng):
    drop = reg.Dropout(0.3, rng=rng)
    x = rng.standard_normal((400, 500))
    out = drop.forward(x)
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.005
    np.testing.assert_allclose(out[kept], x[kept] / 0.7)


def test_dropout_masks_are_fresh_each_step_and_reproducible_from_the_seed():
    x = np.ones((20, 30))
    a = reg.Dropout(0.5, rng=np.random.default_rng(1))
    b = reg.Dropout(0.5, rng=np.random.default_rng(1))
    first, second = a.forward(x), a.forward(x)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(b.forward(x), first)


def test_dropout_backward_uses_the_forward_mask_and_never_changes_dout(rng):
    drop = reg.Dropout(0.4, rng=rng)
    x = rng.standard_normal((6, 7))
    out = drop.forward(x)
    dout = rng.standard_normal(out.shape)
    before = dout.copy()
    dx = drop.backward(dout)
    np.testing.assert_array_equal(dout, before)
    np.testing.assert_allclose(dx, dout * (out != 0) / 0.6)

    mask = drop.cache.copy()  # with the mask fixed, forward is linear: check d(sum(out·g))/dx
    g = rng.standard_normal(x.shape)
    xv = x.copy()
    numeric = numerical_gradient(lambda: float(np.sum(xv * mask * g)), xv)
    assert rel_error(drop.backward(g), numeric) < 1e-8


def test_dropout_is_the_identity_in_evaluation_and_at_p_zero(rng):
    x = rng.standard_normal((5, 4))
    drop = reg.Dropout(0.5, rng=rng).eval()
    np.testing.assert_array_equal(drop.forward(x), x)
    np.testing.assert_array_equal(drop.backward(x), x)
    zero = reg.Dropout(0.0, rng=rng)
    np.testing.assert_array_equal(zero.forward(x), x)


def test_evaluation_output_is_the_average_of_training_passes(rng):
    """Why the 1/(1 − p) scaling: E[train-mode output] = eval output, unit by unit."""
    x = rng.random((3, 50))
    drop = reg.Dropout(0.5, rng=rng)
    passes = np.stack([drop.forward(x) for _ in range(4000)])
    mean, sem = passes.mean(0), passes.std(0) / np.sqrt(len(passes))
    assert np.all(np.abs(mean - x) < 5 * sem + 1e-12)
    assert np.abs(mean - x).max() > 0  # it is an average of random passes, not a copy


def test_dropout_keeps_float32(rng):
    out = reg.Dropout(0.2, rng=rng).forward(np.ones((4, 4), np.float32))
    assert out.dtype == np.float32


@pytest.mark.parametrize("p, exc", [(1.0, ValueError), (-0.1, ValueError), ("0.5", TypeError),
                                    (True, TypeError)])
def test_dropout_rejects_bad_probabilities(rng, p, exc):
    with pytest.raises(exc, match="p must be a probability in \\[0, 1\\)"):
        reg.Dropout(p, rng=rng)


def test_dropout_needs_an_explicit_generator():
    with pytest.raises(TypeError, match="rng"):
        reg.Dropout(0.5, rng=np.random)
    with pytest.raises(TypeError):
        reg.Dropout(0.5)  # rng is required


def test_dropout_backward_before_forward_is_an_error(rng):
    with pytest.raises(RuntimeError, match="backward called before forward"):
        reg.Dropout(0.5, rng=rng).backward(np.ones((2, 2)))


def test_dropout_in_a_network_follows_train_and_eval(rng):
    net = Sequential(Dense(4, 8, rng=rng), ReLU(), reg.Dropout(0.5, rng=rng), Dense(8, 3, rng=rng))
    x = rng.standard_normal((10, 4))
    net.eval()
    np.testing.assert_array_equal(net.forward(x), net.forward(x))
    net.train()
    assert not np.array_equal(net.forward(x), net.forward(x))


# ----------------------------------------------------------------------------- penalties


def _toy_net(rng):
    return Sequential(Dense(5, 4, rng=rng), ReLU(), Dense(4, 3, rng=rng))


@pytest.mark.parametrize("pen", [reg.L1(0.3), reg.L2(0.3), reg.Lp(0.3, 0.5), reg.Lp(0.2, 3.0),
                                 reg.L1(0.1, include_biases=True)])
def test_penalty_gradient_matches_finite_differences(rng, pen):
    net = _toy_net(rng)
    for q in net.parameters():
        q.data[...] = rng.uniform(0.1, 1.0, q.data.shape) * rng.choice([-1, 1], q.data.shape)
        q.grad[...] = 0
    pen(net)
    for q in net.parameters():
        numeric = numerical_gradient(lambda: pen.value(net), q.data)  # perturbs q.data in place
        assert rel_error(q.grad, numeric) < 1e-7, q
        if q.data.ndim == 1 and not pen.include_biases:
            assert np.all(q.grad == 0)


def test_penalty_value_is_lambda_times_the_sum_over_weights_only(rng):
    net = _toy_net(rng)
    W = [q.data for q in net.parameters() if q.data.ndim == 2]
    every = [q.data for q in net.parameters()]
    assert reg.L1(0.5).value(net) == pytest.approx(0.5 * sum(np.abs(w).sum() for w in W))
    assert reg.L2(0.5).value(net) == pytest.approx(0.5 * sum((w ** 2).sum() for w in W))
    assert reg.L2(0.5, include_biases=True).value(net) == pytest.approx(
        0.5 * sum((w ** 2).sum() for w in every))
    assert reg.L2(0.5)(net) == pytest.approx(reg.L2(0.5).value(net))


def test_penalty_adds_to_the_gradient_already_there(rng):
    net = _toy_net(rng)
    W = net.parameters()[0]
    W.grad[...] = 1.0
    reg.L2(0.25)(net)
    np.testing.assert_allclose(W.grad, 1.0 + 0.5 * W.data)


def test_gradient_at_zero_is_zero_for_p_at_most_one():
    W = Parameter(np.array([[0.0, 2.0], [-0.5, 0.0]]), "W")
    for pen in (reg.L1(1.0), reg.Lp(1.0, 0.5)):
        W.grad[...] = 0
        pen([W])
        assert W.grad[0, 0] == 0 and W.grad[1, 1] == 0 and np.all(np.isfinite(W.grad))
    W.grad[...] = 0
    reg.L1(1.0)([W])
    np.testing.assert_array_equal(W.grad, [[0, 1], [-1, 0]])


def test_small_p_counts_the_nonzero_weights(rng):
    net = _toy_net(rng)
    W = net.parameters()[0].data
    W[rng.random(W.shape) < 0.4] = 0
    nonzero = reg.count_nonzero(net)
    assert nonzero == sum(np.count_nonzero(q.data) for q in net.parameters() if q.data.ndim == 2)
    errors = [abs(reg.Lp(1.0, p).value(net) - nonzero) for p in (1.0, 0.3, 0.1, 0.01, 0.001)]
    assert errors[-1] < 0.05 * nonzero and all(a > b for a, b in zip(errors[1:], errors[2:]))


def test_fraction_small(rng):
    net = _toy_net(rng)
    for q in net.parameters():
        if q.data.ndim == 2:
            q.data[...] = 0.5
    net.parameters()[0].data[0, :] = 1e-4  # 4 of 32 weights
    assert reg.fraction_small(net) == pytest.approx(4 / 32)


@pytest.mark.parametrize("make, exc, words", [
    (lambda: reg.L1(-1.0), ValueError, "lam"),
    (lambda: reg.L2("big"), TypeError, "lam"),
    (lambda: reg.Lp(0.1, 0.0), ValueError, "p must be a finite number > 0"),
    (lambda: reg.L1(0.1, include_biases="yes"), TypeError, "include_biases"),
])
def test_penalties_reject_bad_arguments(make, exc, words):
    with pytest.raises(exc, match=words):
        make()


# ----------------------------------------------------------------------------- through fit


def _data(rng, n=64):
    X = rng.random((n, 12))
    X[:, :3] = 0.0  # three inputs that are zero in every example (like MNIST's border pixels)
    return X, rng.integers(0, 3, n)


def test_fit_with_a_penalty_takes_the_exact_path(rng):
    """Each step is SGD on loss + R: compare with the loop written out by hand, and check that
    weights from always-zero inputs decay (the fused engine's shortcut would freeze them)."""
    X, y = _data(rng)
    lam, lr = 0.01, 0.1
    seed_net = mlp([12, 8, 3], rng=np.random.default_rng(0), activation="tanh")
    hand = mlp([12, 8, 3], rng=np.random.default_rng(0), activation="tanh")
    from nnlib.losses import softmax_cross_entropy

    h = fit(seed_net, X, y, optimizer=SGD(seed_net.parameters(), lr=lr), epochs=3, batch_size=16,
            rng=np.random.default_rng(5), penalties=[reg.L2(lam)], progress=False)
    assert h.engine == "layers"
    order_rng = np.random.default_rng(5)
    W0 = hand.parameters()[0].data[:3].copy()
    steps = 0
    for _ in range(3):
        order = order_rng.permutation(len(X))
        for s in range(0, len(X), 16):
            idx = order[s:s + 16]
            hand.zero_grad()
            _, dout = softmax_cross_entropy(hand.forward(X[idx]), y[idx])
            hand.backward(dout)
            for q in hand.parameters():
                if q.data.ndim == 2:
                    q.grad += 2 * lam * q.data
                q.data -= lr * q.grad
            steps += 1
    for a, b in zip(seed_net.parameters(), hand.parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(seed_net.parameters()[0].data[:3],
                               W0 * (1 - 2 * lam * lr) ** steps, rtol=1e-12)


def test_fit_with_dropout_takes_the_exact_path_and_restores_the_mode(rng):
    X, y = _data(rng)
    net = Sequential(Dense(12, 16, rng=rng), ReLU(), reg.Dropout(0.5, rng=rng),
                     Dense(16, 3, rng=rng))
    net.eval()
    h = fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.1), epochs=2, batch_size=16,
            rng=rng, progress=False)
    assert h.engine == "layers" and net.training is False


def test_l1_makes_more_weights_vanish_than_l2(rng):
    X, y = _data(rng, 128)
    fractions = {}
    for name, pen in (("l1", reg.L1(1e-3)), ("l2", reg.L2(1e-3))):
        net = mlp([12, 16, 3], rng=np.random.default_rng(1), activation="relu")
        fit(net, X, y, optimizer=SGD(net.parameters(), lr=0.2), epochs=150, batch_size=32,
            rng=np.random.default_rng(2), penalties=[pen], progress=False)
        fractions[name] = reg.fraction_small(net, tol=1e-3)
    assert fractions["l1"] > 5 * fractions["l2"] and fractions["l1"] > 0.1
