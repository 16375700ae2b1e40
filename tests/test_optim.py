"""SGD: the update rule, against torch.optim.SGD step by step; argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import layers, losses, optim


def test_sgd_step_is_p_minus_lr_grad(rng):
    p = layers.Parameter(rng.normal(size=(3, 2)), "W")
    p.grad = rng.normal(size=(3, 2))
    expected = p.data - 0.1 * p.grad
    keep_id = id(p.data)
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, expected, rtol=1e-15)
    assert id(p.data) == keep_id  # updated in place


def test_zero_grad(rng):
    net = layers.mlp([3, 4, 2], rng=rng)
    opt = optim.SGD(net.parameters(), lr=1.0)
    net.forward(rng.normal(size=(5, 3)))
    net.backward(np.ones((5, 2)))
    opt.zero_grad()
    assert all(np.all(p.grad == 0) for p in net.parameters())


def test_sgd_matches_torch_for_several_steps(rng, torch):
    net = layers.mlp([4, 5, 3], rng=rng, activation="tanh", bias_std=0.3)
    dense = [layer for layer in net.layers if isinstance(layer, layers.Dense)]
    tparams = [torch.tensor(p.data.copy(), requires_grad=True)
               for d in dense for p in (d.W, d.b)]
    opt = optim.SGD(net.parameters(), lr=0.5)
    topt = torch.optim.SGD(tparams, lr=0.5)
    x, y = rng.normal(size=(8, 4)), rng.integers(0, 3, size=8)
    for _ in range(5):
        loss, dz = losses.softmax_cross_entropy(net.forward(x), y)
        net.backward(dz)
        opt.step()
        topt.zero_grad()
        W1, b1, W2, b2 = tparams
        tloss = torch.nn.functional.cross_entropy(
            torch.tanh(torch.tensor(x) @ W1 + b1) @ W2 + b2, torch.tensor(y))
        tloss.backward()
        topt.step()
        assert loss == pytest.approx(tloss.item(), rel=1e-12)
    for p, t in zip(net.parameters(), tparams):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-11, atol=1e-14)


def test_sgd_decreases_the_loss(rng):
    net = layers.mlp([2, 8, 1], rng=rng, activation="tanh")
    x = rng.normal(size=(32, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    opt = optim.SGD(net.parameters(), lr=0.5)
    first = None
    for _ in range(200):
        loss, da = losses.quadratic(net.forward(x), y)
        first = loss if first is None else first
        net.backward(da)
        opt.step()
    assert loss < 0.5 * first


@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan"), float("inf")])
def test_bad_learning_rate(lr, rng):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        optim.SGD(layers.Dense(2, 2, rng=rng).parameters(), lr=lr)


def test_learning_rate_type_and_empty_params(rng):
    with pytest.raises(TypeError, match="lr must be a real number"):
        optim.SGD(layers.Dense(2, 2, rng=rng).parameters(), lr="0.1")
    with pytest.raises(ValueError, match="params must contain at least one Parameter"):
        optim.SGD([], lr=0.1)
