"""Exercises of notebook 13 (over-fitting, L1/L2, dropout, augmentation).

``from nnlib.exercises import nb13 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/13_overfitting_dropout_augmentation.py``, not here.
"""

from __future__ import annotations

import numpy as np

from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion, compare_arrays

q3 = NumericExercise(
    "q3", digest="357503da7953aa169dac3c5d1f9bc816a2deb5463b219ce61f4ce7d28766181b",
    size="433db7b318dd61e1b84a9613e938d8a79e7b31a5fe23a72f294ac4f1296b93d0",
    step=0.01,
    prompt="Inverted dropout with p = 0.2: a unit that is kept during training is multiplied "
           "by what factor?",
    hints=("Kept units are scaled so that the expected output equals the input.",
           "A unit is kept with probability 1 − p and then multiplied by c: choose c so that the "
           "expected output equals x."))

q4 = NumericExercise(
    "q4", digest="dfe17d65eaef5b001a2cec46c64f04de1a9e167f2027877948c3e4bcfb3f39ef",
    size="493bf32ea6ccbb27b5d499324a95e1e8c708656bcad0970ec19ab73e12bfd585",
    step=1e-5,
    prompt="SGD with lr = 0.1 and the penalty L2(λ = 1e-3), i.e. R = λ Σ w². A weight whose "
           "data gradient is zero (it reads a pixel that is always blank) is multiplied by what "
           "factor at each step?",
    hints=("The step is w ← w − lr · ∂R/∂w.",
           "Differentiate λ w² with respect to w, put it into the step and factor out w."))

q1 = ChoiceExercise(
    "q1", digest="14446a342c7a66e79a0af539a4de4ea086bd566d8a1835aeafb958c7c19fdb2b",
    choices=("L1", "L2", "about the same"),
    prompt="Predict first: trained to about the same test accuracy, which penalty leaves more "
           "weights below 1e-3: L1, L2, or about the same?",
    hints=("Compare the pulls towards zero: λ sgn(w) for one penalty, 2λw for the other.",
           "How strong is each pull on a weight that is already small?"))

q2 = ChoiceExercise(
    "q2", digest="adb39a0557d263379134a8c88f14e6bfcb626a27c8e495b29c758fa508002702",
    choices=("higher", "same", "lower"),
    prompt="Predict first: measured like the test digits (evaluation mode, all units on), is "
           "the dropout network's accuracy on its own training images higher, about the same, "
           "or lower than the plain network's?",
    hints=("The plain network already fits its 1 000 training images (section 1). Can dropout, "
           "trained for the same 40 epochs, leave many of them misread?",
           "At evaluation every unit is on: it is the full network, not one of the thinned ones "
           "that training scored."))


def _check_dropout(fn, rng):
    """fn(x, p, rng) -> out: inverted dropout of x (any shape)."""
    for p in (0.2, 0.5):
        x = rng.normal(size=(200, 300)) + 3.0  # no exact zeros in x
        seed = int(rng.integers(1 << 31))
        out = np.asarray(fn(x.copy(), p, np.random.default_rng(seed)))
        if out.shape != x.shape:
            return False, f"the output has shape {out.shape}; it should have the shape of x"
        if not np.all(np.isfinite(out)):
            return False, "the output contains NaN or inf"
        dropped = np.mean(out == 0)
        sigma = np.sqrt(p * (1 - p) / x.size)
        if abs(dropped - p) > 5 * sigma:
            return False, (f"with p = {p} the fraction of units set to zero is {dropped:.3f}: "
                           f"each unit should be dropped with probability p")
        kept = out != 0
        ratio = out[kept] / x[kept]
        if not np.allclose(ratio, ratio.flat[0]):
            return False, "the kept units are not all scaled by the same factor"
        if abs(np.mean(out) / np.mean(x) - 1) > 0.02:
            return False, (f"with p = {p} the mean output is {np.mean(out) / np.mean(x):.3f} "
                           f"times the mean input: scale the kept units to keep expectations")
        again = np.asarray(fn(x.copy(), p, np.random.default_rng(seed)))
        if not np.array_equal(again, out):
            return False, "the same seed gave a different mask: draw the mask from rng only"
    x = rng.normal(size=(10, 10))
    ok, why = compare_arrays("the output for p = 0", fn(x.copy(), 0.0, rng), x)
    return ok, why or "inverted dropout: the right fraction dropped, kept units scaled"


q5 = CodeExercise(
    "q5", checker=_check_dropout,
    prompt="Write dropout_forward(x, p, rng): drop each entry with probability p (mask from "
           "rng), scale the kept ones so the expectation is unchanged.",
    hints=("`rng.random(x.shape)` gives uniform numbers in [0, 1); comparing them with p gives a "
           "mask that is True with probability 1 − p.",
           "Zero the dropped entries with the mask, then scale the kept ones so that each entry's "
           "expected value stays what it was (the kept-unit factor of the inverted-dropout "
           "question)."))


def _check_l1_grad(fn, rng):
    """fn(w, lam) -> ∂(lam Σ|w|)/∂w, with 0 at w = 0."""
    w = rng.normal(size=(30, 20))
    w[rng.random(w.shape) < 0.2] = 0.0
    lam = float(rng.uniform(1e-4, 1e-2))
    got = np.asarray(fn(w.copy(), lam), dtype=float)
    if got.shape != w.shape:
        return False, f"the gradient has shape {got.shape}; it should have the shape of w"
    if not np.all(np.isfinite(got)):
        return False, "the gradient contains NaN or inf (what happens at w = 0?)"
    zero = w == 0
    if np.any(got[zero] != 0):
        return False, "at w = 0 the gradient should be 0 (sgn(0) = 0)"
    return compare_arrays("the gradient away from 0", got[~zero], lam * np.sign(w[~zero]))


q6 = CodeExercise(
    "q6", checker=_check_l1_grad,
    prompt="Write l1_grad(w, lam): the gradient of λ Σ|w| with respect to w, 0 where w = 0.",
    hints=("d|w|/dw is +1 for w > 0 and −1 for w < 0.",
           "NumPy has a function that gives the sign of every entry; check what it gives at 0, and"
           " multiply by λ."))

q7 = NumericExercise(
    "q7", digest="3ddcb9fa1c5992d4f8a25ddfbdc008e2a1a4924ebea59506d1c6fb302424f1d9",
    size="09a6e838643f84f8ba54bcd045f1fd6140c6196653c693f2ea23424e52d5b6ae",
    step=1e-4,
    prompt="SGD with lr = 0.1 on 1 000 images in batches of 32 for 40 epochs, with L1(λ = 1e-4): "
           "how far in total can the penalty's pull alone move one weight?",
    hints=("Each step moves w by lr · λ sgn(w) because of the penalty.",
           "Count the steps of the whole run (a last, smaller batch is still a step) and multiply "
           "by the distance one step moves the weight."))

q8 = OpenQuestion(
    "q8", prompt="Dropout is said to average many thinned networks. How many different thinned "
                 "networks does a layer of n units define, and why can one evaluation pass "
                 "with all units on stand in for their average?")
