"""Exercises of notebook 09 (cross-correlation).

``from nnlib.exercises import nb09 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/09_cross_correlation.py``, not here.
"""

from __future__ import annotations

import numpy as np

from .. import conv
from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion, compare_arrays

q1 = NumericExercise(
    "q1", digest="a2685042a3a0c4f82f865ababcc64b287787329a5aaa7125c7a1bbc349c11429",
    size="babfdeeadc6a8092c22ed62c44fcc038c2044dcc1ef8b445201a2d4fb91ac755",
    step=0.05,
    prompt="Predict first: compute the output Y(1, 1) of the worked example by hand (row 1, "
           "column 1, counting from 0).",
    hints=("Y(1, 1) uses the 2×2 window whose top-left pixel is X(1, 1) (row 1, column 1).",
           "Multiply each of the four weights by the pixel under it and add the four products; "
           "watch the signs."))

q2 = NumericExercise(
    "q2", digest="3c53b479285a39495369b80855839dda01fde7a74281540992573df272dc4618",
    size="5fe22cbb15d751217d32ea32ed5ec5c4a6e75509c2137b58d25ebbf9fed4b885",
    step=0.05,
    prompt="Predict first: the CONVOLUTION of the worked example (mask rotated by 180°) at row "
           "1, column 0.",
    hints=("Use the rotated mask [[−2, 0], [1, −1]] on the window X[1:3, 0:2].",
           "Lay the rotated mask on that window, multiply each weight by the pixel under it and "
           "add the four products, as in q1."))

q3 = ChoiceExercise(
    "q3", digest="861a871795b6021a599f7f25f04b5f068eb759a5f9e2c66edbf8cd8bb7c83a1f",
    choices=("row by row", "column by column"),
    prompt="Predict first: PyTorch's torch.flatten (and NumPy's ravel) turns a 4×4 map into a "
           "16-vector reading it row by row or column by column?",
    hints=("Both store arrays in 'C order' by default.",
           "Try it: compare `np.arange(16).reshape(4, 4)` with `np.arange(16).reshape(4, "
           "4).ravel()`: which index changes fastest?"))


def _check_cross_correlate(fn, rng):
    """fn(x, h) -> (H - kh + 1, W - kw + 1) cross-correlation, no padding, stride 1."""
    for shape, kshape in (((4, 4), (2, 2)), ((6, 9), (3, 2)), ((5, 5), (1, 4)), ((3, 3), (3, 3))):
        x, h = rng.standard_normal(shape), rng.standard_normal(kshape)
        got = fn(x.copy(), h.copy())
        expected = conv.cross_correlate2d(x, h)
        ok, why = compare_arrays(f"the output for a {shape} input and a {kshape} mask", got,
                                 expected, rtol=1e-9, atol=1e-12)
        if not ok:
            if np.shape(got) == expected.shape and np.allclose(
                    got, conv.cross_correlate2d(x, np.rot90(h, 2)), rtol=1e-9, atol=1e-12):
                return False, "that is the convolution (mask rotated): do not flip the mask"
            return False, why
    return True, "matches nnlib.conv.cross_correlate2d on random inputs and masks"


q4 = CodeExercise(
    "q4", checker=_check_cross_correlate,
    prompt="Write cross_correlate(x, h) with two loops over the output positions: for a 2-D "
           "input x (H, W) and mask h (kh, kw) return the (H − kh + 1, W − kw + 1) map "
           "Y(i, j) = Σ_k Σ_l x(i + k, j + l) h(k, l).",
    hints=("Make an output array of the right size with `np.zeros` and fill it position by "
           "position.",
           "At output position (i, j) take the window of x that starts at (i, j) and has the "
           "mask's shape; the output there is the sum of the element-wise product of window and "
           "mask."))


def _check_diagonal_mask(fn, rng):
    """fn() -> a (2, 2) mask whose strongest responses on a diagonal line are on the line."""
    mask = np.asarray(fn(), dtype=float)
    if mask.shape != (2, 2):
        return False, f"the mask has shape {mask.shape}; it should be 2×2"
    if not np.all(np.isfinite(mask)):
        return False, "the mask contains NaN or inf"
    for n in (5, 8):
        diagonal = conv.cross_correlate2d(np.eye(n), mask)
        on_line = np.diag(diagonal)
        off_line = diagonal[~np.eye(n - 1, dtype=bool)]
        if not on_line.min() > off_line.max():
            return False, ("on np.eye(n) the windows centred on the diagonal do not give the "
                           "strictly largest outputs")
        anti = conv.cross_correlate2d(np.fliplr(np.eye(n)), mask)
        if not on_line.min() > anti.max():
            return False, ("the mask responds as strongly to the other diagonal (bottom-left to "
                           "top-right): it should prefer top-left to bottom-right")
    return True, "strongest on the top-left to bottom-right diagonal, weaker on the other"


q5 = CodeExercise(
    "q5", checker=_check_diagonal_mask,
    prompt="Write diagonal_mask() returning a 2×2 mask that responds most strongly to a line "
           "from top-left to bottom-right (on np.eye(5)) and less to the other diagonal.",
    hints=("The output is largest where the window looks like the mask.",
           "Positive weights where the line is, negative where it is not."))

q6 = OpenQuestion(
    "q6", prompt="A fully-connected layer could learn the 9×16 matrix M of section 3 by itself. "
                 "How many weights would it have to learn instead of 4, and what would it "
                 "need to see in the training data to detect the pattern at every location?")
