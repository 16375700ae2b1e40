"""Exercises of notebook 05 (activations and initialisation).

``from nnlib.exercises import nb05 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/05_activations_and_initialisation.py``, not here.
"""

from __future__ import annotations

from .. import layers
from . import CodeExercise, NumericExercise, OpenQuestion, compare_arrays

q1 = NumericExercise(
    "q1", digest="555ccb446d11391cec7ba036dae3ae89e10ebadb29e83c6a78604c06ba06927b",
    size="78bd2dfac2312f106351e78d3c033461b7fdc32cfddca520f3b1d1aa1b2e4db8",
    step=0.05,
    prompt="Predict first: in a ReLU layer fed by zero-mean weights, what fraction of the "
           "(example, unit) pairs is inactive (z ≤ 0)?",
    hints=("z is a sum of many zero-mean terms: what is its distribution?",
           "Sketch the distribution of z and shade the part with z ≤ 0: how much of the area is "
           "that?"))


def _check_prelu_backward(fn, rng):
    """fn(z, a, dout) -> (dz, da) for PReLU with one slope per unit; against nnlib.layers.PReLU."""
    for n, f in ((5, 1), (8, 3), (16, 6)):
        z, dout = rng.standard_normal((n, f)), rng.standard_normal((n, f))
        a = rng.uniform(0.05, 0.5, f)
        layer = layers.PReLU(f, init=0.25)
        layer.slope.data[:] = a
        layer.forward(z)
        layer.zero_grad()
        dz_ref = layer.backward(dout)
        got = fn(z.copy(), a.copy(), dout.copy())
        if not (isinstance(got, tuple) and len(got) == 2):
            return False, "return a pair (dz, da)"
        for name, mine, ref in (("dz", got[0], dz_ref), ("da", got[1], layer.slope.grad)):
            ok, why = compare_arrays(f"{name} for z of shape {(n, f)}", mine, ref, rtol=1e-9,
                                     atol=1e-12)
            if not ok:
                return False, why + " (compared with nnlib.layers.PReLU, itself checked " \
                                    "against torch.nn.PReLU)"
    return True, "dz and da match nnlib.layers.PReLU on random inputs"


q2 = CodeExercise(
    "q2", checker=_check_prelu_backward,
    prompt="Write prelu_backward(z, a, dout) for φ(z) = max(0, z) + a_j min(0, z) with one "
           "slope a_j per unit: z, dout (N, F), a (F,). Return (dz, da) with dz (N, F) and "
           "da (F,) = ∂L/∂a summed over the batch.",
    hints=("dz is dout times φ'(z): 1 where z > 0, a_j where z ≤ 0.",
           "∂φ/∂a_j is min(0, z). One slope a_j is shared by every example, so its gradient adds "
           "up over the batch axis (`np.minimum`, then a sum over axis 0)."))

q3 = NumericExercise(
    "q3", digest="674c8590bcfc9e9405e376983c51aca763d208205afe8fa23b87285bcfbe9144",
    size="a1beda2224df361f638e3cbd5c44d936dcff98f43d5e0be0c29e8c916404f001",
    step=0.1,
    prompt="Predict first: near z = 0, σ(z) ≈ ½ + z/4. Ignoring the constant ½, by what factor "
           "must Xavier's std be multiplied (square layers) so that the backward factor "
           "√(n σ_w² E[σ'(z)²]) is 1?",
    hints=("With Xavier on a square layer n σ_w² = 1, so the factor is σ'(0).",
           "Look up the sigmoid's slope at 0 (notebook 04, section 2). The backward factor grows "
           "in proportion to the std's scale: which scale cancels that slope?"))

q4 = NumericExercise(
    "q4", digest="2510116289e244120cd6217750e8ceca4bd9aaf459f8f52250ff8b305c63af0f",
    size="26f29575955045b7bd1b9edbea9a3ddcc41a5a978a0b2b687f23f2af76ccd24f",
    step=0.005,
    prompt="Leaky ReLU with slope a = 0.5: He's variance becomes 2/((1 + a²) m). By what "
           "factor (the lab's scale) must he_normal's std be multiplied?",
    hints=("For z ~ N(0, q), E[leaky_relu(z)²] = (1 + a²) q / 2 instead of q / 2.",
           "Compare the leaky variance with He's 2/m for ReLU: the std's scale is the square root "
           "of their ratio, with your a."))

q5 = OpenQuestion(
    "q5", prompt="Scaled by about 10, Xavier keeps a 50-layer sigmoid network's gradient the "
                 "same size in every layer, yet on MNIST that network still trails ReLU + He by "
                 "far. Name two reasons from this notebook's measurements.")
