"""nnlib.recurrent: backpropagation through time is backprop through the unrolled network."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import recurrent
from nnlib.gradcheck import check_layer


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_bptt_passes_gradient_check(activation, rng):
    layer = recurrent.SimpleRNN(3, 4, rng=rng, activation=activation, gain=1.2)
    errors = check_layer(layer, rng.standard_normal((2, 5, 3)), rng=rng)
    assert max(errors.values()) < 1e-6, errors


def test_bptt_matches_torch_rnn(torch, rng):
    layer = recurrent.SimpleRNN(3, 4, rng=rng, activation="tanh")
    x = rng.standard_normal((2, 6, 3))
    dout = rng.standard_normal((2, 6, 4))
    h = layer.forward(x)
    dx = layer.backward(dout)
    ref = torch.nn.RNN(3, 4, nonlinearity="tanh", batch_first=True, bias=True)
    with torch.no_grad():
        ref.weight_hh_l0.copy_(torch.tensor(layer.W.data.T))
        ref.weight_ih_l0.copy_(torch.tensor(layer.U.data.T))
        ref.bias_hh_l0.zero_()
        ref.bias_ih_l0.zero_()
    xt = torch.tensor(x, requires_grad=True)
    out, _ = ref(xt)
    out.backward(torch.tensor(dout))
    np.testing.assert_allclose(h, out.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.W.grad, ref.weight_hh_l0.grad.numpy().T, rtol=1e-9)


def test_gradient_through_time_shrinks_geometrically_for_small_gain(rng):
    layer = recurrent.SimpleRNN(8, 64, rng=rng, activation="tanh", gain=0.5)
    x = np.zeros((32, 30, 8))
    x[:, 0] = rng.standard_normal((32, 8))
    g = recurrent.gradient_through_time(layer, x, rng=rng)
    assert g.shape == (31,)
    # each step back multiplies by about the gain 0.5 (tanh' ≈ 1 near 0)
    per_step = (g[0] / g[-1]) ** (1 / 30)
    assert 0.4 < per_step < 0.6


def test_rnn_rejects_bad_input(rng):
    with pytest.raises(ValueError, match="x must have shape"):
        recurrent.SimpleRNN(3, 4, rng=rng).forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="unknown activation"):
        recurrent.SimpleRNN(3, 4, rng=rng, activation="softmax")
    with pytest.raises(RuntimeError, match="backward called before forward"):
        recurrent.SimpleRNN(3, 4, rng=rng).backward(np.zeros((1, 1, 4)))


def test_bptt_adds_into_grad_and_gradient_through_time_zeroes_first(rng):
    layer = recurrent.SimpleRNN(3, 4, rng=rng)
    x, dout = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 4))
    layer.forward(x)
    layer.backward(dout)
    once = [p.grad.copy() for p in layer.parameters()]
    layer.backward(dout)
    for p, g in zip(layer.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-14)
    a = recurrent.gradient_through_time(layer, x, rng=np.random.default_rng(1))
    w_after_one = layer.W.grad.copy()
    b = recurrent.gradient_through_time(layer, x, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(layer.W.grad, w_after_one)  # not doubled


def test_recurrent_imports_no_lesson():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(recurrent))
    modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not any("lessons" in m for m in modules), modules
