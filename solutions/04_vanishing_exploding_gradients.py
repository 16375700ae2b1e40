"""Instructor solutions for notebook 04 (vanishing and exploding gradients); see
solutions/README.md."""

from __future__ import annotations

import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def error_signals(w, b, x):
    z, a = [], x
    for wl, bl in zip(w, b):
        z.append(wl * a + bl)
        a = _sigmoid(z[-1])
    delta = np.ones(len(w))
    for ell in range(len(w) - 2, -1, -1):
        s = _sigmoid(z[ell])
        delta[ell] = delta[ell + 1] * w[ell + 1] * s * (1 - s)
    return delta


def error_signals_without_the_derivative(w, b, x):
    """A common slip: multiplying by the weights only, forgetting σ'(z_ℓ)."""
    delta = np.ones(len(w))
    for ell in range(len(w) - 2, -1, -1):
        delta[ell] = delta[ell + 1] * w[ell + 1]
    return delta


SOLUTIONS = {
    "q1": 0.25 * 0.75 ** 3,   # 0.1055: three factors σ'(0)·3 = 3/4
    "q3": "shrinks",          # measured in the notebook: ~1e-21 at s = 4, ~1e-63 at s = 16
    "q2": error_signals,
    "q4": 3,                  # measure(depth=3, activation="sigmoid", ...) ratio 0.053
    "q5": 10 ** (1 / 49),     # 1.048
}

WRONG = {
    "q1": 0.25 * 0.25 ** 3,   # the ×¼ of w = 1, forgetting the weight
    "q3": "grows",
    "q2": error_signals_without_the_derivative,
    "q4": 2,
    "q5": 1.1,                # a "small" scale that still gives 1.1^49 ≈ 107
}

ANSWERS = {
    "q6": "∂L/∂W_ℓ = a_{ℓ−1}ᵀ δ_ℓ multiplies the layer's input by its error signal. With "
          "N(0, 1) weights and width n, each layer forward multiplies the activations by about "
          "√(n/2) (ReLU keeps half the variance of n·1), so a_{ℓ−1} grows like (√(n/2))^ℓ; "
          "backward, δ_ℓ grows by the same factor per layer towards the input, like "
          "(√(n/2))^{L−ℓ}. The product of the two is about (√(n/2))^L in every layer: the "
          "growth of one cancels the decay of the other, so ‖∂L/∂W_ℓ‖ is flat while "
          "‖∂L/∂a_ℓ‖ explodes. Each layer's relative update ‖ΔW‖/‖W‖ is then huge everywhere, "
          "which is why such a network diverges.",
}
