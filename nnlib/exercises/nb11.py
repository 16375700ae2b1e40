"""Exercises of notebook 11 (pooling and fully-connected layers).

``from nnlib.exercises import nb11 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/11_pooling_and_fully_connected.py``, not here.
"""

from __future__ import annotations

import numpy as np

from .. import pooling
from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion, compare_arrays

q1 = NumericExercise(
    "q1", digest="d0c8748033a866e9b37c9bbab3fad03820ce4a0f1020690a90530fc73358be46",
    size="f984cd7bdc26e0a3ed1c7cc599f88db86ac54f9e2cfe6822231a7a96fc648eb2",
    step=0.05,
    prompt="Predict first: 2×2 AVERAGE pooling with stride 2 of the lecture's map: the top-left "
           "output.",
    hints=("The top-left region is [[1, 3], [2, 9]].",
           "Average pooling replaces the region by the mean of its values, where max pooling kept "
           "the largest."))

q2 = ChoiceExercise(
    "q2", digest="676b39bc30baf3dca17a50f2c6f193394602f87d35b4000b4fb9af3e698480f7",
    choices=("90 %", "50 %", "20 %"),
    prompt="Predict first: after 14×14 max pooling each digit is 4 numbers. Is the "
           "nearest-neighbour accuracy closest to 90 %, 50 % or 20 %?",
    hints=("Chance is 10 %: ten classes.",
           "Four numbers say only whether each quarter of the image has some ink."))

q3 = NumericExercise(
    "q3", digest="3be537b6a8f4577abdb59ac93cfb69c6b5b6c31fe1dc8ebc26e386757a7fa0cd",
    size="ad618e5e7b917a3d04c91ad4cbb57f563e72af180bfa20ac8616d662373ab159",
    step=1, neighbours=0,
    prompt="Which stride makes 3×3 max pooling turn a 13×13 map into 6×6?",
    hints=("Use the output-size formula with P = 0 and D = 1.",
           "Put n = 13 and k = 3 into the formula and try the small strides until the output has 6"
           " values per side."))

q4 = NumericExercise(
    "q4", digest="2961f6f3a221509c4bcbc5fabfb5f5c853d2b32e89d4bed9b73b3ba6cb94bfd6",
    size="40933d5331e86832016bee9791545a89a54d8507bb02c2d03d1775a2ef8dd8a6",
    step=1, neighbours=0,
    prompt="How many parameters (weights and biases) would AlexNet's fc6 (4096 units) have if "
           "the last pooling layer were removed, so that it read 13×13×256 inputs?",
    hints=("A fully-connected layer from m to n units has m·n weights and n biases.",
           "Here m is the number of values in a 13×13×256 block and n is the 4096 units of fc6; do"
           " not forget the biases."))


def _check_max_pool_backward(fn, rng):
    """fn(x (H, W), dout (H/2, W/2)) -> dx (H, W) for 2×2 max pooling, stride 2."""
    for h, w in ((4, 4), (6, 8), (2, 10)):
        x = rng.standard_normal((h, w))            # continuous values: no ties
        dout = rng.standard_normal((h // 2, w // 2))
        _, cache = pooling.max_pool2d_forward(x[None, None], 2, 2)
        expected = pooling.max_pool2d_backward(dout[None, None], cache)[0, 0]
        got = fn(x.copy(), dout.copy())
        if np.shape(got) == expected.shape and np.allclose(
                got, np.repeat(np.repeat(dout, 2, 0), 2, 1) / 4):
            return False, "that spreads dout evenly (average pooling): max pooling routes it"
        ok, why = compare_arrays(f"dx for a {h}×{w} input", got, expected, rtol=1e-12,
                                 atol=1e-12)
        if not ok:
            return False, why
    return True, "each gradient goes to its region's maximum, zeros elsewhere"


q5 = CodeExercise(
    "q5", checker=_check_max_pool_backward,
    prompt="Write max_pool_backward(x, dout) for 2×2 max pooling with stride 2 on one map: "
           "x (H, W) with H, W even, dout (H/2, W/2); return dx (H, W).",
    hints=("Only the maximum of each region influenced the output, so only it gets a gradient.",
           "For each region, find the position of its max in x and put that region's dout "
           "there; everything else is 0."))

q6 = OpenQuestion(
    "q6", prompt="Replace the max pooling of the small CNN of section 4 by average pooling "
                 "(pooling.AvgPool2d(2)) and train again. Which reaches the higher test "
                 "accuracy, and why might that be?")

q7 = OpenQuestion(
    "q7", prompt="The inception block of section 6 runs four branches in parallel. Why does "
                 "it put 1×1 convolutions before its 3×3 and 5×5 branches, and what would the "
                 "block cost without them?")
