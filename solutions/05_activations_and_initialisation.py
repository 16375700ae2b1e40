"""Instructor solutions for notebook 05 (activations and initialisation); see
solutions/README.md."""

from __future__ import annotations

import numpy as np


def prelu_backward(z, a, dout):
    neg = z <= 0
    dz = np.where(neg, a * dout, dout)
    da = np.where(neg, dout * z, 0.0).sum(axis=0)
    return dz, da


def prelu_backward_all_of_z(z, a, dout):
    """A common slip: ∂φ/∂a taken as z everywhere, not only on the negative side."""
    neg = z <= 0
    return np.where(neg, a * dout, dout), (dout * z).sum(axis=0)


SOLUTIONS = {
    "q1": 0.5,                  # measured in the notebook: 0.44-0.51 per layer
    "q2": prelu_backward,
    "q3": 4.0,                  # σ'(0) = 1/4; the notebook then shows 4 is not enough
    "q4": 1 / np.sqrt(1.25),    # 0.894
}

WRONG = {
    "q1": 0.25,
    "q2": prelu_backward_all_of_z,
    "q3": 2.0,
    "q4": 1 / 1.25,             # the variance factor, not its square root
}

ANSWERS = {
    "q5": "(1) Half the units are saturated at that scale (σ' below 5 % of its peak): they pass "
          "almost no gradient to their own weights and their outputs are nearly binary, so the "
          "network behaves like a much narrower one. The gradient norm per layer is preserved "
          "only on average, carried by the units that happen to sit in the steep part. "
          "(2) The sigmoid's outputs are all positive with mean about ½: every weight into a "
          "unit receives a gradient of the same sign (δ times positive inputs), so updates "
          "zig-zag, and the layer's input has a large common component that the next layer's "
          "pre-activations inherit. tanh (zero-centred) or ReLU with He avoids both; batch "
          "normalisation (notebook 07) is the other remedy.",
}
