"""nnlib.lessons.gradient_flow.scalar_chain_network: notebook 04's scalar chain as real layers,
backprop checked against finite differences and against the chain's closed-form gradient."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import activations
from nnlib.lessons import gradient_flow


def _phi(net, x):
    return float(net.forward(np.array([[x]]))[0, 0])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_bias_gradient_matches_finite_differences_and_the_product_formula(activation):
    rng = np.random.default_rng(3)
    for L in (1, 2, 5, 9):
        w, b, x = rng.normal(0, 1.5, L), rng.normal(0, 1, L), float(rng.normal())
        net = gradient_flow.scalar_chain_network(w, b, activation=activation)
        _phi(net, x)
        net.zero_grad()
        net.backward(np.ones((1, 1)))
        dense = net.layers[::2]
        db1 = float(dense[0].b.grad[0])
        h, e1 = 1e-6, np.arange(L) == 0
        up = gradient_flow.scalar_chain_network(w, b + h * e1, activation=activation)
        down = gradient_flow.scalar_chain_network(w, b - h * e1, activation=activation)
        fd = (_phi(up, x) - _phi(down, x)) / (2 * h)
        assert db1 == pytest.approx(fd, rel=1e-6, abs=1e-9)  # centred-difference round-off ~eps/h
        # the closed form ∂Φ/∂b_1 = Π_{ℓ≥2} w_ℓ · Π_{ℓ<L} φ'(z_ℓ)
        _, dphi = activations.get_activation(activation)
        z, a = [], x
        for wl, bl in zip(w[:-1], b[:-1]):
            z.append(wl * a + bl)
            a = activations.get_activation(activation)[0](z[-1])
        assert db1 == pytest.approx(np.prod(w[1:]) * np.prod(dphi(np.array(z))), rel=1e-10)


def test_layers_and_output_activation():
    net = gradient_flow.scalar_chain_network([1.0, 2.0, 3.0], 0.5)
    assert len(net.layers) == 5 and [d.b.data[0] for d in net.layers[::2]] == [0.5] * 3
    net = gradient_flow.scalar_chain_network([1.0, 2.0], [0.0, 0.0], output_activation=True)
    assert len(net.layers) == 4
    assert _phi(net, 0.0) == pytest.approx(activations.sigmoid(2 * 0.5))


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="weights"):
        gradient_flow.scalar_chain_network([])
    with pytest.raises(ValueError, match="activation"):
        gradient_flow.scalar_chain_network([1.0], activation="swish")
    with pytest.raises(ValueError, match="biases"):
        gradient_flow.scalar_chain_network([1.0, 2.0], [1.0, 2.0, 3.0])


def test_backprop_error_signals_follow_the_recursion():
    rng = np.random.default_rng(5)
    w, b, x = rng.normal(0, 2, 6), rng.normal(0, 1, 6), 0.3
    delta = gradient_flow.backprop_error_signals(w, b, x)
    z, a = [], x
    for wl, bl in zip(w, b):
        z.append(wl * a + bl)
        a = activations.sigmoid(z[-1])
    assert delta[-1] == 1.0
    for ell in range(5):
        assert delta[ell] == pytest.approx(
            delta[ell + 1] * w[ell + 1] * activations.sigmoid_prime(z[ell]), rel=1e-12)
    top = gradient_flow.backprop_error_signals(w, b, x, output_activation=True)
    assert top[-1] == pytest.approx(activations.sigmoid_prime(z[-1]), rel=1e-12)
    with pytest.raises(TypeError, match="x"):
        gradient_flow.backprop_error_signals(w, b, "0.3")
