"""Exercises of notebook 10 (convolution layers: padding, stride, dilation, channels, 1×1).

``from nnlib.exercises import nb10 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/10_convolution_layers.py``, not here.
"""

from __future__ import annotations

from .. import conv
from . import CodeExercise, NumericExercise, OpenQuestion, compare_arrays

q1 = NumericExercise(
    "q1", digest="77c994126465866cdc47086ccec10d02c9131094b48015c793892b46ac5f938c",
    size="49f92979840a884a965efc3dc7c1af0802cd78cb4dc07d80d5a6bd318ee1e664",
    step=1, neighbours=0,
    prompt="Predict first: a 28×28 input, a 5×5 mask, padding 2, stride 2, dilation 1. How many "
           "outputs per side?",
    hints=("Use n_out = ⌊(n + 2P − D(k − 1) − 1) / S⌋ + 1.",
           "Put n = 28, k = 5, P = 2, S = 2, D = 1 into the formula; ⌊·⌋ rounds down before the + "
           "1."))

q2 = NumericExercise(
    "q2", digest="e9885dbd9d36a2d1497640af44fd514169074403f57177d06a0d5b4194b4ff81",
    size="bf26c7e12dca8c057fb6ad9839db9820567d9a6722e330b6ccf2bae17fd23c10",
    step=1, neighbours=0,
    prompt="An 8×8 input, a 3×3 mask, no padding: stride 3 gives 2 outputs per side. What is the "
           "LARGEST stride that still gives 2?",
    hints=("The second window must still fit: it starts at S and ends at S + 2.",
           "Require the second window's last pixel to stay inside the input (indices 0 to 7), and "
           "take the largest S that does."))

q4 = NumericExercise(
    "q4", digest="998888a0f90706c2722c304e88693d1792a9a3c2313f4bc88517a4a078c8ae29",
    size="a1beda2224df361f638e3cbd5c44d936dcff98f43d5e0be0c29e8c916404f001",
    step=1, neighbours=0,
    prompt="Which padding P keeps a 5×5 mask with dilation 2 'same size' (n_out = n) at "
           "stride 1?",
    hints=("The dilated mask spans D(k − 1) + 1 pixels.",
           "At stride 1 the output has n + 2P − (span − 1) values: choose P so that the padding "
           "gives back what the dilated mask's span takes away."))

q3 = NumericExercise(
    "q3", digest="feb84db5ada55ec045d5a7999280de40257966b453ad58b29693c4882510ec5c",
    size="342a7d7de8a60af05a414c6e88f7b97ea2a1435513b11b1fd49559555a6fa2dd",
    step=1, neighbours=0,
    prompt="How many multiplications does a 1×1 convolution from 256 to 64 channels on a 14×14 "
           "map need (one image, no bias)?",
    hints=("Each output value is one dot product over the input channels.",
           "Count the output values (positions × output channels), then the multiplications each "
           "one needs (one per input channel)."))


def _check_conv1x1(fn, rng):
    """fn(x (N, C, H, W), w (F, C)) -> (N, F, H, W): a 1×1 convolution without bias."""
    for shape, f in (((2, 3, 4, 5), 4), ((1, 6, 3, 3), 2), ((3, 1, 2, 7), 5)):
        x = rng.standard_normal(shape)
        w = rng.standard_normal((f, shape[1]))
        got = fn(x.copy(), w.copy())
        expected = conv.conv2d(x, w[:, :, None, None])
        ok, why = compare_arrays(f"the output for x of shape {shape} and w of shape {w.shape}",
                                 got, expected, rtol=1e-9, atol=1e-12)
        if not ok:
            return False, why
    return True, "the same as a conv2d with 1×1 masks, on random inputs"


q5 = CodeExercise(
    "q5", checker=_check_conv1x1,
    prompt="Write conv1x1(x, w) without nnlib.conv: x (N, C, H, W), w (F, C), returning "
           "(N, F, H, W) where each output pixel is the weighted sum of that pixel's C channels.",
    hints=("At pixel (h, w) of image n: out[n, f, h, w] = Σ_c w[f, c] · x[n, c, h, w].",
           "That sum over c is a matrix product of w with every pixel's channel vector: "
           "`np.einsum` or `np.tensordot` does it for all pixels at once, if you name the axes "
           "right."))

q6 = OpenQuestion(
    "q6", prompt="A 1×1 bottleneck cut the multiplications of section 4 about tenfold. What could "
                 "it cost the network, and why does it work in practice?")
