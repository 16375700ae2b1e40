"""Instructor solutions for notebook 06 (optimisers); see solutions/README.md."""

from __future__ import annotations

import math

import numpy as np


def momentum_update(p, g, b, lr, mu):
    b = mu * b + g
    return p - lr * b, b


def momentum_update_dampened(p, g, b, lr, mu):
    """A common slip: an exponential average (1 − μ) g instead of torch's sum."""
    b = mu * b + (1 - mu) * g
    return p - lr * b, b


def adam_update(p, g, m, v, t, lr, betas, eps):
    b1, b2 = betas
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_update_no_bias_correction(p, g, m, v, t, lr, betas, eps):
    b1, b2 = betas
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return p - lr * m / (np.sqrt(v) + eps), m, v


SOLUTIONS = {
    "q1": 0.2,                                   # 2 / λ_max = 2 / 10
    "q2": "c",                                   # measured: Adam 121 -> 412 steps, GD 286 both
    "q3": math.log(1000) / math.log(101 / 99),   # ≈ 345.4
    "q4": momentum_update,
    "q5": adam_update,
}

WRONG = {
    "q1": 0.1,                                   # 1/λ_max: stable but not the limit
    "q2": "a",
    "q3": math.log(1000) / math.log(101 / 99) / 2,   # confused the gap with the error
    "q4": momentum_update_dampened,
    "q5": adam_update_no_bias_correction,
}

ANSWERS = {
    "q6": "Not literally. None of them watches whether the cost rose or fell. AdaGrad divides "
          "each coordinate's step by the root of the sum of all its past squared gradients, so "
          "its rate only ever shrinks (fast for coordinates with large gradients); with small "
          "gradients the sum grows slowly and the rate stays near η, but it never recovers. "
          "RMSprop divides by the root of an exponential moving average of g², which forgets: "
          "when gradients stay small the denominator shrinks too, so the step grows back to "
          "about η per coordinate (this is what crosses plateaus). Adam does the same with a "
          "moving average of g in the numerator (momentum) and bias corrections; with "
          "consistently small gradients its step is about η in each coordinate, whatever the "
          "gradient's size. The signal is the size (and, for Adam, the consistency of sign) of "
          "recent gradients per coordinate, not the change in the cost. Schemes that do adapt "
          "to the cost's rise and fall exist (e.g. 'bold driver', Rprop's sign rule on the "
          "gradient), but they are not these.",
}
