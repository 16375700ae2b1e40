"""Activation functions φ and their derivatives φ', element-wise on arrays of any shape.

The lecture's neuron computes φ(Σ_i x_i w_i − b); these are its choices of φ.

========== ======================================= ================================
name        φ(x)                                     φ'(x)
========== ======================================= ================================
heaviside   1 if x ≥ 0 else 0                        0 (almost everywhere)
sigmoid     1 / (1 + e^{−x})                         φ(x)(1 − φ(x)) ≤ 1/4
tanh        tanh(x)                                  1 − tanh²(x)
relu        x if x ≥ 0 else 0                        1 if x > 0 else 0
leaky_relu  x if x ≥ 0 else a·x                      1 if x > 0 else a
========== ======================================= ================================

At the kink x = 0 we use the derivative from the left for ReLU and leaky ReLU
(0 and ``a``), as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_choice


def heaviside(x):
    """Threshold unit: 1 where ``x >= 0``, else 0. Shape preserved."""
    x = np.asarray(x)
    return (x >= 0).astype(np.result_type(x, np.float32))


def heaviside_prime(x):
    """Derivative of the threshold unit: 0 everywhere it exists."""
    return np.zeros_like(np.asarray(x, dtype=np.result_type(x, np.float32)))


def sigmoid(x):
    """Logistic sigmoid 1/(1+e^{−x}), computed without overflow for large |x|."""
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    # exp of a non-positive number never overflows
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def sigmoid_prime(x):
    """σ'(x) = σ(x)(1 − σ(x)); never more than 1/4 (at x = 0)."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(x)


def tanh_prime(x):
    """1 − tanh²(x); never more than 1 (at x = 0)."""
    t = np.tanh(x)
    return 1.0 - t * t


def relu(x):
    """Rectified linear unit max(x, 0)."""
    return np.maximum(x, 0)


def relu_prime(x):
    """1 where x > 0, else 0."""
    x = np.asarray(x)
    return (x > 0).astype(np.result_type(x, np.float32))


def leaky_relu(x, a: float = 0.01):
    """x for x ≥ 0, a·x otherwise (a fixed slope, the same for every neuron)."""
    x = np.asarray(x)
    return np.where(x >= 0, x, a * x)


def leaky_relu_prime(x, a: float = 0.01):
    """1 where x > 0, else a."""
    x = np.asarray(x)
    dtype = np.result_type(x, np.float32)
    return np.where(x > 0, np.ones((), dtype), np.asarray(a, dtype))


# name -> (φ, φ'), for code that chooses an activation by name
ACTIVATIONS = {
    "heaviside": (heaviside, heaviside_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
}


def get_activation(name: str):
    """Return the pair ``(phi, phi_prime)`` for an activation name.

    >>> phi, dphi = get_activation("sigmoid")
    """
    check_choice("activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]
