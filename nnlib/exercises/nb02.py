"""Exercises of notebook 02 (backpropagation and minibatch SGD).

``from nnlib.exercises import nb02 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/02_backprop_and_sgd.py``, not here. The code exercise (q3) checks
the student's backprop against centred finite differences (``nnlib.gradcheck``) of the
cross-entropy loss, on random depths, widths, weights and inputs.
"""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from ..gradcheck import numerical_gradient, rel_error
from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion

q1 = NumericExercise(
    "q1", digest="58a3aa92302bd8b02ab9ed81035535e628d25cee2b93224f675ffb0b068121b8",
    size="60bc348c90d20774a036e8680b404d4850a539c462c84a7f8650c655ab56f0a3",
    step=0.5,
    prompt="Predict first: the minibatch grows from K = 4 to K = 400. By what factor does the "
           "STANDARD DEVIATION of the gradient estimate shrink?",
    hints=("The variance falls like 1/K. The standard deviation is its square root.",
           "First find how many times smaller the variance gets when K grows from 4 to 400, then "
           "go from the variance to the standard deviation."))

q2 = ChoiceExercise(
    "q2", digest="a51a9f670a32381be9896f1f3311eed56fbe5af33f731280481cc0e4fc606b8f",
    choices=("a", "b", "c"),
    prompt="Predict first: an output unit is saturated at a = 0.999 while its target is y = 0. "
           "Which cost sends the larger error dz back from it? (a) the quadratic cost, (b) both "
           "the same, (c) the cross-entropy cost.",
    hints=("Quadratic: dz = (a − y) σ'(z). Cross-entropy: dz = a − y.",
           "σ'(z) = a(1 − a): how big is that at a = 0.999?"))


def _loss(Ws, bs, x, y):
    a = x
    for W, b in zip(Ws, bs):
        a = sigmoid(W @ a + b)
    return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))


def _check_backprop(fn, rng):
    """fn(Ws, bs, x, y) -> (dWs, dbs): sigmoid after every layer, cross-entropy, one example
    as a column vector."""
    for _ in range(3):
        depth = int(rng.integers(2, 5))
        sizes = [int(s) for s in rng.integers(1, 5, size=depth + 1)]
        Ws = [rng.standard_normal((sizes[i + 1], sizes[i])) for i in range(depth)]
        bs = [rng.standard_normal((sizes[i + 1], 1)) for i in range(depth)]
        x = rng.standard_normal((sizes[0], 1))
        y = rng.integers(0, 2, size=(sizes[-1], 1)).astype(float)
        out = fn([W.copy() for W in Ws], [b.copy() for b in bs], x.copy(), y.copy())
        if not (isinstance(out, tuple) and len(out) == 2 and len(out[0]) == depth
                and len(out[1]) == depth):
            return False, (f"return a pair (dWs, dbs) of two lists with one entry per layer "
                           f"({depth})")
        for kind, params, grads in (("dW", Ws, out[0]), ("db", bs, out[1])):
            for layer, (p, g) in enumerate(zip(params, grads), start=1):
                g = np.asarray(g, dtype=float)
                if g.shape != p.shape:
                    return False, (f"{kind}{layer} has shape {g.shape}; it must have the shape "
                                   f"of its parameter, {p.shape} (architecture {sizes})")
                numeric = numerical_gradient(lambda Ws=Ws, bs=bs, x=x, y=y: _loss(Ws, bs, x, y), p)
                err = rel_error(g, numeric)
                if not err < 1e-6:
                    where = ("the output layer" if layer == depth else
                             f"layer {layer} of {depth}")
                    return False, (f"{kind}{layer} ({where}, architecture {sizes}) disagrees "
                                   f"with finite differences: relative error {err:.1e}")
    return True, "agrees with finite differences on random networks (relative error < 1e-6)"


q3 = CodeExercise(
    "q3", checker=_check_backprop,
    prompt="Generalise the six lines of section 2 to any depth: write "
           "backprop_deep(Ws, bs, x, y) -> (dWs, dbs) for z_l = W_l a_{l−1} + b_l, "
           "a_l = σ(z_l) in every layer (the output too) and the cross-entropy loss; "
           "x (n_0, 1), y (n_L, 1), bs[l] (n_l, 1).",
    hints=("Forward first, keeping every a_l (σ'(z) = a(1 − a) needs no z). Then dz_L = a_L − y "
           "and walk back.",
           "Walking down, each layer's dW needs its dz and the activation of the layer below; db "
           "is dz itself; the next dz goes back through the transposed weights and then through σ'"
           " of the layer below. Use each W before any update."))

q4 = NumericExercise(
    "q4", digest="48c0e91ebd199cb590f2cc0e59a8d7bfbb3ca8d5e3597b8691bc3f4498edaed2",
    size="78bd2dfac2312f106351e78d3c033461b7fdc32cfddca520f3b1d1aa1b2e4db8",
    step=0.01,
    prompt="Sampling a minibatch of K examples WITHOUT replacement from m multiplies the "
           "variance by (m − K)/(m − 1). By what factor does that change the variance for "
           "K = 5000 examples drawn from the pool of m = 10 000?",
    hints=("Put the numbers in the formula.",
           "Put m and K into (m − K)/(m − 1); for a pool this large the − 1 barely matters, so you"
           " can check your answer against a quick mental estimate."))

q5 = OpenQuestion(
    "q5",
    prompt="Train [784, 30, 10] with η = 0.3 and with η = 30 instead of 3 (section 6). Predict, "
           "then run: what happens to the validation curve in each case, and why?")
