"""nnlib.layers.PReLU: a learned negative slope per channel, checked against torch.nn.PReLU."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.gradcheck import check_layer
from nnlib.layers import PReLU


@pytest.mark.parametrize(("shape", "num"), [((6, 5), 5), ((6, 5), 1), ((3, 2, 4, 4), 2),
                                            ((3, 2, 4, 4), 1)])
def test_prelu_passes_gradient_check(shape, num, rng):
    layer = PReLU(num, init=0.3)
    x = rng.standard_normal(shape)
    x[np.abs(x) < 1e-3] = 0.5  # keep finite differences off the kink
    errors = check_layer(layer, x, rng=rng)
    assert errors["x"] < 1e-7 and errors["slope"] < 1e-7, errors


@pytest.mark.parametrize(("shape", "num"), [((8, 4), 4), ((8, 4), 1), ((2, 3, 5, 5), 3)])
def test_prelu_matches_torch_forward_and_backward(torch, shape, num, rng):
    layer = PReLU(num, init=0.25)
    layer.slope.data[:] = rng.uniform(-0.5, 0.5, size=num)
    x = rng.standard_normal(shape)
    x.flat[0] = 0.0  # the kink: both use the slope side there
    dout = rng.standard_normal(shape)
    out = layer.forward(x)
    dx = layer.backward(dout)

    ref = torch.nn.PReLU(num_parameters=num, init=0.25)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(layer.slope.data))
    xt = torch.tensor(x, requires_grad=True)
    yt = ref(xt)
    yt.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, yt.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.slope.grad, ref.weight.grad.numpy(), rtol=1e-10)


def test_prelu_slope_is_learned_by_sgd(rng):
    # data whose negative side has slope 0.1: gradient descent on the slope finds it
    layer = PReLU(1, init=0.25)
    x = rng.standard_normal((200, 3))
    target = np.where(x > 0, x, 0.1 * x)
    for _ in range(200):
        out = layer.forward(x)
        layer.zero_grad()
        layer.backward((out - target) / len(x))
        layer.slope.data -= 0.5 * layer.slope.grad
    assert layer.slope.data[0] == pytest.approx(0.1, abs=1e-6)


def test_prelu_rejects_bad_input():
    with pytest.raises(ValueError, match="num_parameters must be an integer >= 1; got 0"):
        PReLU(0)
    with pytest.raises(TypeError, match="init must be a finite number"):
        PReLU(2, init="0.25")
    with pytest.raises(ValueError, match="must have 3 channels"):
        PReLU(3).forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"shape \(N, C, ...\)"):
        PReLU(1).forward(np.zeros(4))
    layer = PReLU(2)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.zeros((1, 2)))
    layer.forward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="dout must have shape"):
        layer.backward(np.zeros((2, 2)))
