"""Exercises of notebook 01 (neurons and networks).

``from nnlib.exercises import nb01 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/01_neurons_and_networks.py``, not here. The code exercise (q3)
compares the student's forward pass with an ``nnlib`` network of Dense and ReLU layers holding
the same weights, on random architectures and inputs.
"""

from __future__ import annotations

import numpy as np

from .. import layers
from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion, compare_arrays

q1 = NumericExercise(
    "q1", digest="48c0e91ebd199cb590f2cc0e59a8d7bfbb3ca8d5e3597b8691bc3f4498edaed2",
    size="78bd2dfac2312f106351e78d3c033461b7fdc32cfddca520f3b1d1aa1b2e4db8",
    step=0.01,
    prompt="Predict first: the [3, 2, 1] network of section 2 (same weights and thresholds) at "
           "the input x = (0, 1, 1). What does it output?",
    hints=("Work unit by unit: weighted sum minus threshold, then ReLU; the output unit has no "
           "activation.",
           "One hidden unit is negative before the ReLU, so it contributes nothing; the output "
           "unit still subtracts its own threshold."))

q2 = ChoiceExercise(
    "q2", digest="a4a4d2f5b7095956f1321ae611de26ace2c1c501bfc7bfc42080b159a569053f",
    choices=("a", "b", "c"),
    prompt="Predict first: with φ(t) = t², going from 8 to 128 hidden units makes the largest "
           "error on the wave target (a) about the same, (b) about 16 times smaller, (c) larger.",
    hints=("What kind of function is a sum of terms (w x − b)²?",
           "Expand (w x − b)²: what kind of function is any sum of such terms, and does adding "
           "more terms change that kind? Then ask what that kind can do near the wave's many "
           "wiggles."))


def _check_forward(fn, rng):
    """fn(x, weights, biases) with x (n0,), weights[l] (n_{l+1}, n_l), biases[l] (n_{l+1},):
    ReLU after every affine map but the last."""
    for _ in range(4):
        depth = int(rng.integers(1, 5))
        sizes = [int(s) for s in rng.integers(1, 6, size=depth + 1)]
        weights = [rng.standard_normal((sizes[i + 1], sizes[i])) for i in range(depth)]
        biases = [rng.standard_normal(sizes[i + 1]) for i in range(depth)]
        stack = []
        for i, (W, b) in enumerate(zip(weights, biases)):
            dense = layers.Dense(sizes[i], sizes[i + 1], rng=rng)
            dense.W.data[...] = W.T          # nnlib stores W^T and works on rows
            dense.b.data[...] = b
            stack += [dense, layers.ReLU()] if i < depth - 1 else [dense]
        net = layers.Sequential(*stack)
        x = rng.standard_normal(sizes[0])
        got = fn(x.copy(), [W.copy() for W in weights], [b.copy() for b in biases])
        ok, why = compare_arrays(f"Φ(x) for the architecture {sizes}", np.ravel(got),
                                 net.forward(x[None, :])[0], rtol=1e-9, atol=1e-12)
        if not ok:
            extra = ""
            if np.asarray(got).size == sizes[-1]:
                extra = (" (is the ReLU applied after every hidden layer, and NOT after the "
                         "last affine map?)")
            return False, why + extra
    return True, "matches nnlib's Dense/ReLU network on random architectures"


q3 = CodeExercise(
    "q3", checker=_check_forward,
    prompt="Write network_forward(x, weights, biases): Φ(x) = A_L(φ(A_{L−1}(…φ(A_1(x))))) with "
           "A_l(x) = W_l x + b_l and φ = ReLU, for any number of layers; x has shape (n_0,), "
           "weights[l] shape (n_{l+1}, n_l), biases[l] shape (n_{l+1},).",
    hints=("Loop over the layers: an affine map, then the ReLU, except after the last layer.",
           "Treat the last (W, b) pair separately: every earlier pair is followed by the ReLU "
           "(`np.maximum` with 0), the last one is not."))

q4 = NumericExercise(
    "q4", digest="3f7297aa2ceda98ebf3a33ad4f41078a1a162141f3f5454be53197f2cbe99ed2",
    size="47dbb9a55bac2d3256d2b554d62ded678e27adc231e892d9ffaf015f718407dd",
    step=1, neighbours=0,
    prompt="In the lab, choose the target 'abs' and the 'heaviside' activation. What is the "
           "smallest number of units N for which the error drops below 0.05?",
    hints=("The lab shows the error for the N you choose; the error is not monotone in N for "
           "steps, so try the values around where it first dips below 0.05.",
           "Measure rather than guess: `universal_approximation.fit_shallow` and "
           "`universal_approximation.approximation_error` (what the lab calls) give the error for "
           "one N; loop over a range of N and keep the first one below 0.05."))

q5 = OpenQuestion(
    "q5",
    prompt="Why do the ReLU errors fall about fourfold per doubling of N, but the Heaviside "
           "errors only about twofold? (What can Φ be between two switching points?)")

q6 = NumericExercise(
    "q6", digest="487cbc9417b0e76c9dbac0c54bd7c2502b13f87a31870f788c2a4cdc50e30b7e",
    size="4b6ed8f1ca9078ce6b5e6f81033f4d13555dea4a985fb6ade1e00b728d79f627",
    step=1, neighbours=0,
    prompt="With the construction of section 6 (one AND unit per polygon, 24 lines per polygon), "
           "how many hidden units in total (both hidden layers) does a network need whose "
           "positive region is the ring plus a disc of radius 0.2 inside its hole?",
    hints=("Count the polygons: each needs its own 24 lines and its own AND unit.",
           "Count the polygons the region needs (the ring alone already needs two). The output "
           "unit is not hidden: can one threshold unit combine the AND units into 'ring or small "
           "disc'?"))
