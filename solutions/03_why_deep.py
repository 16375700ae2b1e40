"""Instructor solutions for notebook 03 (why deep); see solutions/README.md."""

from __future__ import annotations

import math

import numpy as np


def bptt_step(dh, z, W):
    return (dh * (1 - np.tanh(z) ** 2)) @ W.T


def bptt_step_untransposed(dh, z, W):
    """A common slip: W instead of its transpose."""
    return (dh * (1 - np.tanh(z) ** 2)) @ W


SOLUTIONS = {
    "q1": 32,                                             # 2^5
    "q2": math.ceil(2 ** 11 * (1 - 12 * 0.01 ** 2)),      # 2046
    "q3": bptt_step,
    "q4": 0,                                              # first.W = [[0.5, 0.5]]
}

WRONG = {
    "q1": 16,                                             # the number of teeth, 2^(k-1)
    "q2": 2048,                                           # forgot the (1 − 12·10⁻⁴)
    "q3": bptt_step_untransposed,
    "q4": 2,
}

ANSWERS = {
    "q5": "With small activations tanh'(z) ≈ 1, and each step multiplies the gradient by Wᵀ, "
          "whose entries have variance g²/n; a random matrix scaled so that σ_w² n = g² keeps "
          "the squared norm of a vector on average (its factor per step is ≈ g). So g = 1 "
          "predicts a factor of about 1 per step: the ratio ‖∂L/∂h_1‖/‖∂L/∂h_T‖ stays of order "
          "one from T = 5 to T = 50 (measured ≈ 1.00 per step). It can differ because tanh' < 1 "
          "wherever the state is not small (a factor below g), because one fixed matrix is "
          "reused every step (the RNN's norm growth follows W's largest singular values and "
          "eigenvalues, not an average over fresh matrices as in a deep untied MLP), and "
          "because a batch of 128 sequences is a finite sample.",
    "q6": "The cell state c_t = f_t ⊙ c_(t−1) + i_t ⊙ g_t. Along c the backward pass multiplies "
          "by the forget gate f_t only (no weight matrix, no squashing derivative), so when the "
          "network keeps f_t ≈ 1 the gradient passes many steps almost unchanged: an additive "
          "path, like the identity branch of a residual block, where x + F(x) lets ∂L/∂x reach "
          "earlier layers through the '+ x' whatever F's factors are. The gates are learned, so "
          "the network decides when to keep and when to forget.",
}
