"""Exercises of notebook 07 (batch normalisation and skip connections). Answers live in
``solutions/07_batchnorm_and_skip_connections.py``.

The code exercise compares the student's batch-norm backward pass with
:class:`nnlib.normalization.BatchNorm1d`, which ``tests/test_normalization.py`` pins to
``torch.nn.BatchNorm1d`` in float64, on fresh random batches, scales and shifts.
"""

from __future__ import annotations

from ..normalization import BatchNorm1d
from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion, compare_arrays

q1 = ChoiceExercise(
    "q1", digest="dee0ad8a87564e74b6df254d68ae8ad0e5fd4a8c7f70b06bfc1721d450d64ec8",
    choices=("yes", "no"),
    prompt="Predict: will the 10-layer sigmoid network without batch norm beat 50 % test "
           "accuracy after 628 SGD steps?",
    hints=("Notebook 04: each sigmoid layer multiplies the gradient by about σ'(z)·w, and "
           "σ' ≤ 1/4.",
           "Ten such factors: how much of the gradient is left for the first layers?"))

q2 = NumericExercise(
    "q2", digest="d34c117d430b24586b1b4be23f1711b223753f308b49fc3082559113c4494260",
    size="a1beda2224df361f638e3cbd5c44d936dcff98f43d5e0be0c29e8c916404f001", step=0.01,
    prompt="BN of the batch (1, 2, 3, 6) with γ = 2, β = 1, ε = 0: the output for x = 6?",
    hints=("First the batch mean and the (biased, divide by N) batch variance.",
           "The variance is the mean of the squared deviations from the batch mean (divide by N, "
           "not N − 1). Then normalise x = 6 with it and apply γ and β, in that order."))


def _bn_backward_checker(fn, rng):
    for trial in range(3):
        n, f = int(rng.integers(2, 9)), int(rng.integers(1, 6))
        bn = BatchNorm1d(f)
        bn.gamma.data[:] = rng.normal(size=f)
        bn.beta.data[:] = rng.normal(size=f)
        x = rng.normal(size=(n, f)) * rng.uniform(0.5, 3, size=f) + rng.normal(size=f)
        dout = rng.normal(size=(n, f))
        bn.forward(x)
        dx_ref = bn.backward(dout)
        xhat, inv_std, _ = bn.cache
        out = fn(dout.copy(), xhat.copy(), bn.gamma.data.copy(), inv_std.copy())
        if not (isinstance(out, tuple) and len(out) == 3):
            return False, "return a triple (dx, dgamma, dbeta)"
        dx, dgamma, dbeta = out
        for name, got, ref in (("dbeta", dbeta, bn.beta.grad), ("dgamma", dgamma, bn.gamma.grad),
                               ("dx", dx, dx_ref)):
            ok, why = compare_arrays(name, got, ref, rtol=1e-7, atol=1e-10)
            if not ok:
                hint = (" (the mean and variance depend on x too: dx has three terms)"
                        if name == "dx" else "")
                return False, f"batch {trial + 1} ({n}×{f}): {why}{hint}"
    return True, "matches BatchNorm1d's backward on 3 random batches"


q3 = CodeExercise(
    "q3", checker=_bn_backward_checker,
    prompt="Write batchnorm_backward(dout, xhat, gamma, inv_std) -> (dx, dgamma, dbeta) for a "
           "training-mode batch (N, F).",
    hints=("dbeta = Σ_n dout, dgamma = Σ_n dout ⊙ x̂ (sums over the batch axis).",
           "dx has three parts: the direct path through x̂, the path through the batch mean (every"
           " example moves it) and the path through the batch variance. The last two need sums "
           "over the batch, which you already have in dbeta and dgamma."))

q4 = NumericExercise(
    "q4", digest="671705cf5f19e2bf2f8c5362cd8456f803cb67a3a621348d86f7dcf694084f9c",
    size="2e68f107ca787726e6dad09d59ae24aad59811dbf925dc8c219de47c588b133c", step=1,
    neighbours=0,
    prompt="A residual network with 12 blocks: how many gradient paths go through exactly 3 "
           "branches?",
    hints=("Each path chooses, block by block, branch or skip.",
           "Choose which 3 of the 12 blocks: a binomial coefficient."))

q5 = OpenQuestion(
    "q5", prompt="Why does BN before the sigmoid make training insensitive to the initial "
                 "weight scale, and what does the scale still change?")
