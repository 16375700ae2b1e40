"""Instructor solutions for notebook 11 (pooling and fully-connected layers); see
solutions/README.md."""

from __future__ import annotations

import numpy as np


def max_pool_backward(x, dout):
    dx = np.zeros_like(x)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            region = x[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            r, c = np.unravel_index(region.argmax(), region.shape)
            dx[2 * i + r, 2 * j + c] = dout[i, j]
    return dx


def avg_pool_backward(x, dout):
    """A common slip: the average-pooling gradient (spread evenly) for max pooling."""
    return np.repeat(np.repeat(dout, 2, axis=0), 2, axis=1) / 4


SOLUTIONS = {
    "q1": 3.75,           # (1 + 3 + 2 + 9) / 4
    "q2": "20 %",         # measured 0.19: a little better than chance (10 %)
    "q3": 2,              # ⌊(13 − 3) / 2⌋ + 1 = 6
    "q4": 177_213_440,    # 13 · 13 · 256 · 4096 + 4096
    "q5": max_pool_backward,
}

WRONG = {
    "q1": 9.0,            # the max, not the mean
    "q2": "50 %",
    "q3": 3,
    "q4": 37_752_832,     # fc6 with pooling (9216 · 4096 + 4096)
    "q5": avg_pool_backward,
}

ANSWERS = {
    "q6": "On this small setup (5000 training digits, SGD with lr 0.1, minibatches of 32) the "
          "two end up close: a seeded run measured 0.65 / 0.87 / 0.82 test accuracy after "
          "epochs 1-3 with max pooling and 0.63 / 0.85 / 0.82 with average pooling, so one "
          "seed and 3 epochs cannot separate them (the accuracy also jumps from epoch to "
          "epoch at this learning rate). The usual argument for max: it keeps the strongest "
          "response of an edge detector in each region, so a thin stroke anywhere in the "
          "region is reported at full strength, while the mean dilutes it with the empty "
          "pixels around it. Average pooling passes gradient to every pixel of the region, "
          "max pooling only to the winner. Students should report their own numbers and "
          "say how much of the difference a second seed changes.",
    "q7": "Each 3×3 or 5×5 mask must span all input channels, so on a 192-channel input a "
          "5×5 layer with 32 masks alone has 5·5·192·32 ≈ 154 k weights and as many "
          "multiply-adds per pixel. The 1×1 convolutions first reduce the channels (to 96 "
          "and 16 in GoogLeNet's block 3a), which cuts the 3×3 and 5×5 branches' weights and "
          "work several-fold (notebook 10 measured about ten times for the 5×5 case); without "
          "them, the block measured in section 6 would have several times its parameters, "
          "and the output channels would keep growing from block to block.",
}
