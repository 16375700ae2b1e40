"""Instructor solutions of notebook 13 (read by tests/test_exercises.py)."""

import numpy as np


def dropout_forward(x, p, rng):
    keep = rng.random(x.shape) >= p
    return x * keep / (1 - p)


def dropout_unscaled(x, p, rng):  # forgets the 1/(1 - p): the expectation shrinks
    return x * (rng.random(x.shape) >= p)


def l1_grad(w, lam):
    return lam * np.sign(w)


def l1_grad_divides(w, lam):  # w/|w| is NaN at w = 0
    return lam * w / np.abs(w)


SOLUTIONS = {
    "q3": 1.25,            # 1 / (1 - 0.2)
    "q4": 0.9998,          # 1 - 2 · lr · λ = 1 - 2 · 0.1 · 1e-3
    "q1": "L1",            # a constant pull λ sgn(w) takes small weights all the way to 0
    "q2": "same",          # evaluation mode: both fit the 1 000 training images (section 3)
    "q5": dropout_forward,
    "q6": l1_grad,
    "q7": 0.0128,          # 32 steps/epoch · 40 epochs · lr 0.1 · λ 1e-4
}

WRONG = {
    "q3": 0.8,
    "q4": 0.9999,
    "q1": "L2",
    "q2": "lower",         # the training-mode accuracy, a different quantity
    "q5": dropout_unscaled,
    "q6": l1_grad_divides,
    "q7": 0.00032,         # one epoch only
}

ANSWERS = {
    "q8": "Each unit is either kept or dropped, so a layer of n units defines 2^n thinned "
          "networks, all sharing the same weights; training takes one SGD step on one randomly "
          "drawn thinned network per minibatch. For a linear layer, the evaluation pass with all "
          "units on and the kept units' scale 1/(1 - p) folded in gives exactly the expected "
          "output over the masks, i.e. the average of all 2^n thinned networks' outputs; with "
          "nonlinearities it is an approximation of that average (a geometric-mean-like "
          "ensemble), which the notebook measures: the average of k thinned networks agrees "
          "more and more with the full network as k grows.",
}
