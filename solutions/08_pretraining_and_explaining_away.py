"""Instructor solutions for notebook 08 (pre-training, explaining away); see solutions/README.md."""

from __future__ import annotations


def posterior_battery(p_battery, p_pump, p_fail, pump):
    pz = p_pump if pump else 1 - p_pump
    joint = [(p_battery if y else 1 - p_battery) * pz * p_fail[y][pump] for y in (0, 1)]
    return joint[1] / (joint[0] + joint[1])


def posterior_battery_ignoring_pump(p_battery, p_pump, p_fail, pump):
    """The slip: condition on X only, summing over the pump instead of fixing it."""
    joint = [(p_battery if y else 1 - p_battery)
             * sum((p_pump if z else 1 - p_pump) * p_fail[y][z] for z in (0, 1))
             for y in (0, 1)]
    return joint[1] / (joint[0] + joint[1])


_P_FAIL = ((0.01, 0.95), (0.95, 0.99))
_PX_Z1 = 0.05 * (0.9 * _P_FAIL[0][1] + 0.1 * _P_FAIL[1][1])
_PX_Z0 = 0.95 * (0.9 * _P_FAIL[0][0] + 0.1 * _P_FAIL[1][0])

SOLUTIONS = {
    "q1": "less",                               # 0.650 -> 0.104
    "q2": _PX_Z1 / (_PX_Z1 + _PX_Z0),           # ≈ 0.326
    "q3": posterior_battery,
}

WRONG = {
    "q1": "more",
    "q2": 0.05,                                 # the prior: forgot to condition on X
    "q3": posterior_battery_ignoring_pump,
}

ANSWERS = {
    "q4": "With small random weights every layer of a deep sigmoid network maps its input to "
          "nearly the same output (all units near σ(0) = 1/2), so the signal reaching the top "
          "carries almost no information about the image, and the gradient reaching the lower "
          "layers is multiplied by σ'(z)·w ≤ w/4 at every layer on the way down: it vanishes "
          "(notebook 04). The top layers then learn from features that are nearly constant and "
          "the bottom layers barely move. After greedy pre-training each layer already encodes "
          "its input faithfully (its autoencoder could reconstruct it), so the top layer sees "
          "informative features from the first step, the weights are large enough that the "
          "units sit in the sensitive part of the sigmoid with varied activations, and backprop "
          "only has to adjust a working representation (fine-tuning) instead of building one "
          "through a vanishing gradient. Pre-training also acted as a regulariser, placing the "
          "network in a region suited to the input distribution (Erhan et al., 2010).",
}
