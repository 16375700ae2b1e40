"""Instructor solutions for notebook 09 (cross-correlation); see solutions/README.md."""

from __future__ import annotations

import numpy as np


def cross_correlate(x, h):
    kh, kw = h.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * h)
    return out


def convolve(x, h):
    """A common slip: the mask flipped (that is convolution, not cross-correlation)."""
    return cross_correlate(x, np.rot90(h, 2))


def diagonal_mask():
    return np.array([[1.0, -1.0], [-1.0, 1.0]])


def anti_diagonal_mask():
    """Prefers the other diagonal."""
    return np.array([[-1.0, 1.0], [1.0, -1.0]])


SOLUTIONS = {
    "q1": 3.0,         # (−1)(−2) + (1)(−1) + (0)(−1) + (−2)(−1) = 2 − 1 + 0 + 2
    "q2": 1.5,         # rotated mask [[−2, 0], [1, −1]] on [[0, −2], [0.5, −1]]: 0 + 0 + 0.5 + 1
    "q3": "row by row",
    "q4": cross_correlate,
    "q5": diagonal_mask,
}

WRONG = {
    "q1": -1.0,        # the convolution's value there, or a sign slip
    "q2": 3.0,         # the cross-correlation's value at (1, 1)
    "q3": "column by column",
    "q4": convolve,
    "q5": anti_diagonal_mask,
}

ANSWERS = {
    "q6": "M has 9 × 16 = 144 entries, so an unconstrained fully-connected layer learns 144 "
          "weights (plus 9 biases) instead of the 4 shared mask weights (plus 1 bias), and "
          "nothing forces its 9 rows to be copies of one pattern or to be zero outside their "
          "window. To detect the pattern everywhere, each row must be learned separately, so "
          "the training data must show the pattern at every one of the 9 locations (often "
          "enough at each); a convolution learns it from examples at any location and applies "
          "it everywhere for free. On realistic images (e.g. 28×28 inputs and 3×3 masks) the "
          "gap is hundreds of thousands of weights against 9.",
}
