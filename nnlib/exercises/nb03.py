"""Exercises of notebook 03 (why deep).

``from nnlib.exercises import nb03 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/03_why_deep.py``, not here. The code exercise (q3) checks one
step of backpropagation through time against centred finite differences (``nnlib.gradcheck``)
on random states, weights and sizes.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, rel_error
from . import CodeExercise, NumericExercise, OpenQuestion

q1 = NumericExercise(
    "q1", digest="495e9a75120103b6a79e92f210e39649fb43ec23600ed3aac059594794ccb58c",
    size="ce154a96d95321639154a51f56638f515441079b06ee4a3314427dd1e5af3d57",
    step=1, neighbours=0,
    prompt="Predict first: how many linear pieces does the sawtooth T^5 (the tent map composed "
           "five times) have on [0, 1]?",
    hints=("Each application of T folds [0, 1] in two: every piece becomes two.",
           "Count the pieces of T and of T∘T on paper; how does each further composition change "
           "the count?"))

q2 = NumericExercise(
    "q2", digest="9ba5843156c805e3fb19631667849eedb22e78e69b09c95d8434eff5f8c45522",
    size="fd25decab84cdabe0b4394390240499307d3a1059c490f116323cf11611d3d9a",
    step=1, neighbours=0,
    prompt="By the lower bound of section 1, how many hidden units does ANY one-hidden-layer "
           "ReLU network need at least to fit T^12 with an RMS error of at most 0.01?",
    hints=("Solve the bound √((1 − N / 2^(k−1)) / 12) ≤ 0.01 for N.",
           "Square both sides and isolate N. N counts units, so round the bound in the direction "
           "that keeps the inequality true."))


def _check_bptt_step(fn, rng):
    """fn(dh, z, W) -> dh_prev for h = tanh(z), z = h_prev W + x U + b (rows are examples)."""
    for _ in range(3):
        n, hidden = int(rng.integers(1, 5)), int(rng.integers(2, 7))
        W = rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)
        c = rng.standard_normal((n, hidden))          # the x U + b part
        h_prev = rng.standard_normal((n, hidden))
        dh = rng.standard_normal((n, hidden))
        z = h_prev @ W + c
        got = np.asarray(fn(dh.copy(), z.copy(), W.copy()), dtype=float)
        if got.shape != h_prev.shape:
            return False, (f"∂L/∂h_(t-1) has shape {got.shape}; it must have the shape of "
                           f"h_(t-1), {h_prev.shape} (N = {n} examples, H = {hidden} units)")
        numeric = numerical_gradient(
            lambda dh=dh, h_prev=h_prev, W=W, c=c: float(np.sum(dh * np.tanh(h_prev @ W + c))),
            h_prev)
        err = rel_error(got, numeric)
        if not err < 1e-7:
            return False, (f"∂L/∂h_(t-1) disagrees with finite differences (relative error "
                           f"{err:.1e}, N = {n}, H = {hidden}): check the tanh derivative and "
                           "which side W multiplies from")
    return True, "agrees with finite differences on random states and weights"


q3 = CodeExercise(
    "q3", checker=_check_bptt_step,
    prompt="Write bptt_step(dh, z, W) -> dh_prev: one step back through a tanh RNN, h_t = "
           "tanh(z_t) with z_t = h_(t-1) W + x_t U + b; dh = ∂L/∂h_t and z = z_t have shape "
           "(N, H), W (H, H).",
    hints=("First through the activation (tanh' = 1 − tanh²), then through the weight matrix.",
           "Rows are examples and W multiplies h_(t-1) from the right in the forward pass, so "
           "backwards the product is with W's transpose, again from the right."))

q4 = NumericExercise(
    "q4", digest="3f328f4dec2f815aba0b67b1203e63702b3ee73c2a60ad716902bd5796f99e6c",
    size="52779ab3b8e843c1cc2996ec4cf27b03bd0d22a058379d9477813524b6c6d8cf",
    step=1, neighbours=0,
    prompt="Change the first Dense layer of deep_tent_network so the network computes T^k(x/2) "
           "on [0, 2] (the same sawtooth stretched to twice the width). How many parameters "
           "does the change ADD?",
    hints=("Which part of the network sees x? Can it absorb a factor 1/2?",
           "Build the changed network and count its parameters next to the original's: which layer"
           " did you change, and did it need new weights or only new values?"))

q5 = OpenQuestion(
    "q5",
    prompt="Set the RNN gain to g = 1.0 and compare T = 50 with T = 5. Which per-step factor "
           "do you predict from notebook 04's variance theory (tanh, σ_w² n = g²), and why can "
           "the measured one differ from it?")

q6 = OpenQuestion(
    "q6",
    prompt="Gated recurrent units (LSTM, GRU) are the recurrent answer to vanishing gradients. "
           "Which path through time lets their gradient survive many steps, and how is it "
           "like a skip connection (notebook 07)?")
