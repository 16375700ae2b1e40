"""Activations: values, derivatives (finite differences and torch autograd), lookup by name."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import activations as act
from nnlib.gradcheck import numerical_gradient, rel_error

SMOOTH = ["sigmoid", "tanh"]
KINKED = ["relu", "leaky_relu"]


def _away_from_kink(rng, shape, margin=1e-3):
    """Inputs in [-4, 4] at least ``margin`` away from 0 (the ReLU kink)."""
    x = rng.uniform(-4, 4, size=shape)
    return np.where(np.abs(x) < margin, np.sign(x + 0.5) * (margin + np.abs(x)), x)


def _derivative_by_fd(phi, x):
    """Element-wise derivative of ``phi`` by centred differences (phi acts element-wise)."""
    x = x.copy()
    return numerical_gradient(lambda: float(np.sum(phi(x))), x)


def test_sigmoid_known_values():
    np.testing.assert_allclose(act.sigmoid(np.array([0.0, np.log(3.0)])), [0.5, 0.75])
    assert act.sigmoid_prime(0.0) == pytest.approx(0.25)


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(over="raise"):
        s = act.sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(s, [0.0, 1.0])


def test_sigmoid_keeps_float32():
    assert act.sigmoid(np.ones(3, dtype=np.float32)).dtype == np.float32


def test_sigmoid_prime_is_at_most_a_quarter(rng):
    x = rng.normal(scale=5, size=1000)
    assert act.sigmoid_prime(x).max() <= 0.25


def test_heaviside_fires_at_and_above_threshold():
    np.testing.assert_array_equal(act.heaviside(np.array([-2.0, -1e-9, 0.0, 3.0])), [0, 0, 1, 1])
    np.testing.assert_array_equal(act.heaviside_prime(np.array([-1.0, 2.0])), [0, 0])


def test_relu_and_leaky_relu_values_and_left_derivative_at_zero():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(act.relu(x), [0, 0, 3])
    np.testing.assert_array_equal(act.relu_prime(x), [0, 0, 1])
    np.testing.assert_allclose(act.leaky_relu(x, 0.2), [-0.4, 0, 3])
    np.testing.assert_allclose(act.leaky_relu_prime(x, 0.2), [0.2, 0.2, 1])


@pytest.mark.parametrize("name", SMOOTH + KINKED)
def test_derivative_matches_finite_differences(name, rng):
    x = _away_from_kink(rng, (5, 7))
    if name == "leaky_relu":
        phi, dphi = (lambda z: act.leaky_relu(z, 0.3)), (lambda z: act.leaky_relu_prime(z, 0.3))
    else:
        phi, dphi = act.get_activation(name)
    assert rel_error(_derivative_by_fd(phi, x), dphi(x)) <= 1e-7


def test_heaviside_derivative_is_zero_away_from_threshold(rng):
    x = _away_from_kink(rng, (4, 4))
    np.testing.assert_array_equal(_derivative_by_fd(act.heaviside, x), act.heaviside_prime(x))


@pytest.mark.parametrize("name", SMOOTH + KINKED)
def test_matches_torch_value_and_gradient(name, rng, torch):
    a = 0.3
    x = _away_from_kink(rng, (6, 5))
    ours = {"sigmoid": (act.sigmoid, act.sigmoid_prime), "tanh": (act.tanh, act.tanh_prime),
            "relu": (act.relu, act.relu_prime),
            "leaky_relu": (lambda z: act.leaky_relu(z, a), lambda z: act.leaky_relu_prime(z, a))}
    theirs = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
              "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, negative_slope=a)}
    phi, dphi = ours[name]
    t = torch.tensor(x, requires_grad=True)
    out = theirs[name](t)
    out.sum().backward()
    np.testing.assert_allclose(phi(x), out.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dphi(x), t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_kink_derivatives_match_torch(torch):
    """At exactly 0 both use the left derivative (0 for ReLU, a for leaky ReLU)."""
    t = torch.zeros(1, requires_grad=True)
    torch.relu(t).sum().backward()
    assert act.relu_prime(np.zeros(1))[0] == t.grad.item() == 0.0
    t = torch.zeros(1, requires_grad=True)
    torch.nn.functional.leaky_relu(t, negative_slope=0.3).sum().backward()
    assert act.leaky_relu_prime(np.zeros(1), 0.3)[0] == pytest.approx(t.grad.item())
    assert t.grad.item() == pytest.approx(0.3)


def test_heaviside_matches_torch(rng, torch):
    x = _away_from_kink(rng, (10,))
    x[0] = 0.0
    ref = torch.heaviside(torch.tensor(x), torch.tensor(1.0)).numpy()
    np.testing.assert_array_equal(act.heaviside(x), ref)


def test_get_activation_returns_pairs():
    for name in act.ACTIVATIONS:
        phi, dphi = act.get_activation(name)
        assert callable(phi) and callable(dphi)
    assert act.get_activation("tanh") == (act.tanh, act.tanh_prime)


def test_get_activation_unknown_name_lists_allowed():
    with pytest.raises(ValueError, match=r"activation name 'softplus'.*sigmoid.*tanh.*relu"):
        act.get_activation("softplus")
    with pytest.raises(TypeError, match="activation name must be a string"):
        act.get_activation(3)


# --- the one registry -------------------------------------------------------------------------

def test_registry_specs_are_consistent(rng):
    x = _away_from_kink(rng, (200,))
    for name, spec in act.ACTIVATIONS.items():
        assert spec.kind in ("step", "smooth", "piecewise_linear", "linear"), name
        if spec.peak is not None:  # the peak of φ' is where saturation is measured from
            grid = np.linspace(-6, 6, 2401)
            assert spec.dphi(grid).max() == pytest.approx(spec.peak, rel=1e-6), name
        if spec.kind != "step":
            phi, dphi = act.get_activation(name)
            assert rel_error(_derivative_by_fd(phi, x), dphi(x)) <= 1e-7, name
    assert act.TRAINABLE == ("sigmoid", "tanh", "relu", "leaky_relu", "prelu")
    assert act.FIXED == ("sigmoid", "tanh", "relu", "leaky_relu")


def test_get_activation_slope_for_the_leaky_family(rng):
    x = _away_from_kink(rng, (50,))
    phi, dphi = act.get_activation("leaky_relu", slope=0.3)
    np.testing.assert_array_equal(phi(x), act.leaky_relu(x, 0.3))
    np.testing.assert_array_equal(dphi(x), act.leaky_relu_prime(x, 0.3))
    phi, dphi = act.get_activation("prelu")  # torch's initial slope 0.25
    np.testing.assert_array_equal(dphi(-np.ones(2)), [0.25, 0.25])
    assert act.get_activation("tanh", slope=0.3) == (act.tanh, act.tanh_prime)


@pytest.mark.parametrize("name", [n for n, s in act.ACTIVATIONS.items() if s.torch])
def test_registry_torch_twins_compute_the_same(name, rng, torch):
    spec = act.ACTIVATIONS[name]
    module = getattr(torch.nn, spec.torch)().double()
    x = _away_from_kink(rng, (6, 1))
    t = torch.tensor(x, requires_grad=True)
    out = module(t)
    out.sum().backward()
    phi, dphi = act.get_activation(name)
    np.testing.assert_allclose(phi(x), out.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dphi(x), t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_every_list_of_activations_reads_the_registry():
    from nnlib import recurrent
    from nnlib.lessons import gradient_flow, universal_approximation

    assert gradient_flow.LAB_ACTIVATIONS is act.TRAINABLE
    for name in universal_approximation.APPROX_ACTIVATIONS:
        if name != "square":  # the polynomial counter-example is the lesson's own
            assert universal_approximation.APPROX_ACTIVATIONS[name] is act.ACTIVATIONS[name].phi
    rnn = recurrent.SimpleRNN(2, 3, rng=0, activation="leaky_relu")
    assert rnn.phi is act.leaky_relu


def test_torch_models_map_registry_names(torch):
    from nnlib.torchkit import models

    assert set(models.ACTIVATIONS) == set(act.TRAINABLE)
    for name, cls in models.ACTIVATIONS.items():
        assert cls is getattr(torch.nn, act.ACTIVATIONS[name].torch)
