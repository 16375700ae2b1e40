"""Instructor solutions for notebook 10 (convolution layers); see solutions/README.md."""

from __future__ import annotations

import numpy as np


def conv1x1(x, w):
    return np.einsum("fc,nchw->nfhw", w, x)


def conv1x1_transposed(x, w):
    """A common slip: the weights read as (C, F), mixing up masks and channels."""
    return np.einsum("cf,nchw->nfhw", w.reshape(w.shape[1], w.shape[0]), x)


SOLUTIONS = {
    "q1": 14,          # ⌊(28 + 4 − 4 − 1) / 2⌋ + 1
    "q2": 5,           # windows start at 0 and S; S + 2 ≤ 7
    "q4": 4,           # 2P = D(k − 1) = 8
    "q3": 3_211_264,   # 14 · 14 · 64 outputs × 256 weights each
    "q5": conv1x1,
}

WRONG = {
    "q1": 13,          # forgot the + 1
    "q2": 4,
    "q4": 2,           # the undilated answer (k − 1) / 2
    "q3": 16_384,      # 256 · 64: the parameters, not the multiplications
    "q5": conv1x1_transposed,
}

ANSWERS = {
    "q6": "The 1×1 layer squeezes 192 channels into 16 before the 5×5 layer sees them, so the "
          "5×5 masks can only use what survives in 16 weighted sums per pixel: if the "
          "information the next layer needs does not fit in 16 channels, accuracy drops "
          "(a representational bottleneck), and the extra layer adds depth (and, with an "
          "activation, a nonlinearity). It works in practice because neighbouring channels "
          "of a feature map are highly correlated (redundant), so a learned linear projection "
          "keeps most of what matters; and because the 1×1 weights are learned with the rest, "
          "the network chooses what to keep. GoogLeNet's inception modules use exactly this "
          "to afford 3×3 and 5×5 branches.",
}
