"""The gradient checker itself: exact on known derivatives, and it FAILS on wrong backprop."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import gradcheck, layers, losses


class DenseDropsFactor(layers.Dense):
    """Wrong: dW misses the factor x (uses dout summed as if x were all ones)."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.W.grad = np.ones_like(self.cache).T @ dout
        return dx


class DenseWrongTranspose(layers.Dense):
    """Wrong: dx = dout W instead of dout Wᵀ (only shape-compatible for a square W)."""

    def backward(self, dout):
        super().backward(dout)
        return dout @ self.W.data


class DenseHalfGradient(layers.Dense):
    """Wrong: forgets a factor 2 the way a mistaken chain rule would (db halved)."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.b.grad = 0.5 * self.b.grad
        return dx


def test_rel_error_basics():
    a = np.array([1.0, -2.0, 3.0])
    assert gradcheck.rel_error(a, a) == 0.0
    assert gradcheck.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.rel_error(a, -a) == pytest.approx(1.0)
    assert gradcheck.rel_error(a, 1.01 * a) == pytest.approx(0.01 / 2.01)
    assert gradcheck.rel_error(np.zeros(0), np.zeros(0)) == 0.0
    with pytest.raises(ValueError, match=r"a and b must have the same shape; got \(3,\) and "):
        gradcheck.rel_error(a, a[:2])


def test_numerical_gradient_of_a_known_function(rng):
    x = rng.normal(size=(3, 4))
    num = gradcheck.numerical_gradient(lambda: float(np.sum(np.sin(x) * x**2)), x)
    assert gradcheck.rel_error(num, np.cos(x) * x**2 + 2 * x * np.sin(x)) <= 1e-9


def test_numerical_gradient_restores_x(rng):
    x = rng.normal(size=(4, 3))
    keep = x.copy()
    gradcheck.numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_array_equal(x, keep)


def test_numerical_gradient_array_is_a_vector_jacobian_product(rng):
    x, dout = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    num = gradcheck.numerical_gradient_array(lambda: np.tanh(x), x, dout)
    assert gradcheck.rel_error(num, dout * (1 - np.tanh(x) ** 2)) <= 1e-9


def test_numerical_gradient_requires_float64():
    with pytest.raises(TypeError, match="x must be a float64 numpy array"):
        gradcheck.numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))
    with pytest.raises(TypeError, match="x must be a float64 numpy array"):
        gradcheck.numerical_gradient(lambda: 0.0, [0.0, 1.0])


def test_checker_passes_the_correct_dense(rng):
    errors = gradcheck.check_layer(layers.Dense(4, 4, rng=rng), rng.normal(size=(3, 4)), rng=rng)
    assert max(errors.values()) <= 1e-7


@pytest.mark.parametrize("cls,bad_key", [
    (DenseDropsFactor, "W"), (DenseWrongTranspose, "x"), (DenseHalfGradient, "b"),
])
def test_checker_fails_on_wrong_backward(cls, bad_key, rng):
    layer = cls(4, 4, rng=rng, bias_std=1.0)
    errors = gradcheck.check_layer(layer, rng.normal(size=(3, 4)), rng=rng)
    assert errors[bad_key] > 1e-2, errors
    # the parts that are still right are still reported as right
    assert all(err <= 1e-7 for key, err in errors.items() if key != bad_key), errors


def test_checker_fails_inside_a_sequential(rng):
    net = layers.Sequential(layers.Dense(3, 4, rng=rng), layers.Sigmoid(),
                            DenseDropsFactor(4, 2, rng=rng))
    errors = gradcheck.check_layer(net, rng.normal(size=(5, 3)), rng=rng)
    assert errors["W[2]"] > 1e-2
    assert errors["W[0]"] <= 1e-7 and errors["x"] <= 1e-7


def test_check_loss_fails_on_a_wrong_loss_gradient(rng):
    def quadratic_missing_batch_average(a, y):
        loss, da = losses.quadratic(a, y)
        return loss, da * a.shape[0]

    a, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert gradcheck.check_loss(losses.quadratic, a, y) <= 1e-7
    assert gradcheck.check_loss(quadratic_missing_batch_average, a, y) > 0.5


def test_checker_sees_a_single_wrong_element(rng):
    """One wrong component among 20 still gives a clearly failing error."""
    layer = layers.Dense(4, 5, rng=rng)

    def backward(dout):
        dx = layers.Dense.backward(layer, dout)
        layer.W.grad[2, 3] += 0.1 * np.abs(layer.W.grad).max()
        return dx

    layer.backward = backward
    errors = gradcheck.check_layer(layer, rng.normal(size=(3, 4)), rng=rng)
    assert errors["W"] > 1e-3 and errors["b"] <= 1e-7
