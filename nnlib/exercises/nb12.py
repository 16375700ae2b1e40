"""Exercises of notebook 12 (a CNN on MNIST).

``from nnlib.exercises import nb12 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/12_cnn_on_mnist.py``, not here.
"""

from __future__ import annotations

import numpy as np

from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion

q1 = NumericExercise(
    "q1", digest="9437a44608adbe9d4e46f27276de8af0ea50929d4ebb1f1e4e25fc2275117e23",
    size="949bab2e1dfe0082387aad4813a166af602ba4215ff1e739dc5691e23da775da",
    step=1, neighbours=0,
    prompt="Predict first: how many weights (biases included) does conv2 have: 32 masks of "
           "3×3 over the 16 channels of pool1/relu1?",
    hints=("Each mask spans all input channels: 3 · 3 · 16 weights, plus one bias.",
           "Count one mask's weights and its bias, then multiply by the number of masks."))

q2 = ChoiceExercise(
    "q2", digest="c80ec510150d20fa62e96f7c43224b7fb76670e486faf3ba7b1edbc92764b322",
    choices=("higher", "about the same", "lower"),
    prompt="Predict first: the same network trained for the same single epoch with plain SGD "
           "(constant learning rate 0.1, no label smoothing). Is its test accuracy higher, "
           "about the same (within 0.2 points), or lower than the recipe's?",
    hints=("Notebook 06 raced SGD against adaptive optimisers on an MLP.",
           "One epoch is few steps: what matters is how far each step gets."))


def _check_confusion(fn, rng):
    """fn(y_true, y_pred, num_classes) -> (K, K) counts, rows = true class."""
    for k, n in ((10, 500), (3, 40), (5, 1)):
        y_true = rng.integers(0, k, size=n)
        y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, size=n))
        got = np.asarray(fn(y_true.copy(), y_pred.copy(), k))
        expected = np.zeros((k, k), dtype=np.int64)
        np.add.at(expected, (y_true, y_pred), 1)
        if got.shape != (k, k):
            return False, (f"with {k} classes the matrix has shape {got.shape}; it should be "
                           f"{(k, k)}")
        if np.array_equal(got, expected.T) and not np.array_equal(got, expected):
            return False, "rows and columns are swapped: row = true class, column = predicted"
        if got.sum() != n:
            return False, f"the counts add up to {got.sum()}, not to the {n} samples"
        if not np.array_equal(got, expected):
            return False, f"some counts are wrong (random labels, {k} classes)"
    return True, "counts match on random labels"


q3 = CodeExercise(
    "q3", checker=_check_confusion,
    prompt="Write confusion(y_true, y_pred, num_classes): the (K, K) matrix whose entry (i, j) "
           "counts the samples of true class i predicted as j.",
    hints=("Start from a num_classes × num_classes array of integer zeros (`np.zeros`).",
           "Each sample adds one to exactly one entry: the row of its true class and the column of"
           " its prediction. A loop over the pairs is fine; `np.add.at` does it without a loop."))

q4 = NumericExercise(
    "q4", digest="713e572f4135463e87f6c50ecc83196e27a6a62d4285d27de297808e0792bdf5",
    size="c4214826255618f349063b0b49c7cb6babd78709214499229f6f80c6cbb4903a",
    step=1, neighbours=0,
    prompt="Count by hand: how many weights (biases included) does models.lenet() have? conv "
           "5×5 with 6 masks (padding 2) → 2×2 pool → conv 5×5 with 16 masks → 2×2 pool → "
           "FC 400 → 120 → 84 → 10.",
    hints=("Convolutions: (5 · 5 · c_in + 1) · c_out; FC: (n_in + 1) · n_out.",
           "Go layer by layer with those two formulas: two convolutions and three fully-connected "
           "layers (pooling has no weights). Write the five counts down before you add them."))

q5 = OpenQuestion(
    "q5", prompt="Train models.fast_cnn() for 4 epochs with shift=2 in train.fit (each image "
                 "moved by up to 2 pixels at random) and for 4 epochs without. Does the "
                 "augmentation raise the test accuracy? Why might the gain be small here?")

q6 = OpenQuestion(
    "q6", prompt="In the trial-and-error lab, find the smallest network (fewest weights) that "
                 "reaches 97 % on 6 000 training images in 2 epochs (the lab's defaults: "
                 "Adam, lr 1e-2). What did you give up, and what did you keep?")
