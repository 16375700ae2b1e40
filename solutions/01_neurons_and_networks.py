"""Instructor solutions for notebook 01 (neurons and networks); see solutions/README.md."""

from __future__ import annotations

import numpy as np


def network_forward(x, weights, biases):
    a = np.asarray(x, dtype=float)
    for W, b in zip(weights[:-1], biases[:-1]):
        a = np.maximum(W @ a + b, 0.0)
    return weights[-1] @ a + biases[-1]


def network_forward_relu_on_output(x, weights, biases):
    """A common slip: the ReLU after the last affine map too."""
    a = np.asarray(x, dtype=float)
    for W, b in zip(weights, biases):
        a = np.maximum(W @ a + b, 0.0)
    return a


SOLUTIONS = {
    "q1": 0.5,     # hidden: ReLU(-0.5) = 0, ReLU(0.5) = 0.5; output 2·0 + 3·0.5 − 1
    "q2": "a",     # every square-unit network is a parabola: error 0.985 for all N
    "q3": network_forward,
    "q4": 21,      # measured: N = 21 gives 0.0476; N = 19, 20 give 0.0526, 0.0523
    "q6": 75,      # 3 × 24 lines + 3 AND units; output: outer − hole + small > 1/2
}

WRONG = {
    "q1": 1.5,     # forgot the output threshold
    "q2": "b",
    "q3": network_forward_relu_on_output,
    "q4": 25,
    "q6": 74,
}

ANSWERS = {
    "q5": "Between two neighbouring switching points a Heaviside network is constant, a ReLU "
          "network is linear. With N units the gaps have width h ∝ 1/N. A constant can miss a "
          "smooth target by about |f'|·h/2 on a gap (the first-order Taylor term), so the "
          "error is O(h) and halves per doubling. A line through the target at both ends of "
          "the gap (piecewise-linear interpolation) misses it by about |f''|·h²/8 (the "
          "second-order term), so the error is O(h²) and falls fourfold per doubling. (The "
          "abs target's kink costs the ReLU fit only locally; the staircase's error never "
          "beats O(h).)",
}
