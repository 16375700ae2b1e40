"""Instructor solutions for notebook 07 (batch norm, skip connections); see solutions/README.md."""

from __future__ import annotations

import math


def batchnorm_backward(dout, xhat, gamma, inv_std):
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = gamma * inv_std / n * (n * dout - dbeta - xhat * dgamma)
    return dx, dgamma, dbeta


def batchnorm_backward_constant_stats(dout, xhat, gamma, inv_std):
    """The common slip: treat the batch mean and variance as constants (eval-mode backward)."""
    return gamma * inv_std * dout, (dout * xhat).sum(axis=0), dout.sum(axis=0)


SOLUTIONS = {
    "q1": "no",                                  # measured: 0.10-0.11, chance level
    "q2": 1 + 2 * (6 - 3) / math.sqrt(3.5),      # ≈ 4.207
    "q3": batchnorm_backward,
    "q4": math.comb(12, 3),                      # 220
}

WRONG = {
    "q1": "yes",
    "q2": 1 + 2 * (6 - 3) / math.sqrt(14 / 3),   # unbiased variance: ≈ 3.777
    "q3": batchnorm_backward_constant_stats,
    "q4": 12 * 11 * 10,                          # ordered choices
}

ANSWERS = {
    "q5": "BN before the activation computes φ(BN(W h)). Multiplying W by c multiplies W h and "
          "its batch mean by c and its batch standard deviation by |c|, so BN(c W h) = BN(W h) "
          "(up to ε): the forward pass, the loss and the gradient reaching the layers below do "
          "not depend on the scale, and the sigmoid always sees inputs of mean β and spread γ, "
          "far from saturation. Without BN, a small scale shrinks every layer's factor σ'(z)·w "
          "(vanishing) and a large one saturates the sigmoids. What the scale still changes is "
          "the gradient with respect to W itself: ∂L/∂(cW) = (1/c) ∂L/∂W, so the relative size "
          "of an SGD step on W scales like 1/c²: small weights take effectively larger steps "
          "(which is why the ×0.5 run is a little noisier) and large weights smaller ones. "
          "Weight decay or adaptive optimisers interact with this effective learning rate.",
}
