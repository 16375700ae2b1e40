"""Exercises of notebook 04 (vanishing and exploding gradients).

``from nnlib.exercises import nb04 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/04_vanishing_exploding_gradients.py``, not here.
"""

from __future__ import annotations

from ..lessons.gradient_flow import backprop_error_signals
from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion, compare_arrays

q1 = NumericExercise(
    "q1", digest="d238dab592b11366969702f7e806fa6a2fe9c57dbab52f7a471dec4637c4d008",
    size="722b6a1c8549f0224891ea545f3eb166fb1bcf1b14a1d9270e8e0b653f5241d3",
    step=0.002,
    prompt="Predict first: every weight is 3 and every neuron sits at z = 0. The error signal "
           "at the output neuron is 0.25. What is it three neurons further down?",
    hints=("Each step back multiplies the error signal by φ'(z)·w.",
           "At z = 0 the sigmoid's slope is at its largest (section 2): times the weight, that is "
           "one step's factor. How many steps are there?"))

def _check_error_signals(fn, rng):
    """fn(w, b, x) -> (L,) error signals δ_ℓ = ∂Φ/∂z_ℓ of the sigmoid scalar chain."""
    for L in (1, 2, 3, 5, 8):
        w, b = rng.normal(0, 2, L), rng.normal(0, 1, L)
        x = float(rng.normal())
        got = fn(w.copy(), b.copy(), x)
        expected = backprop_error_signals(w, b, x)
        ok, why = compare_arrays(f"the error signals of a {L}-layer chain", got, expected,
                                 rtol=1e-8, atol=1e-14)
        if not ok:
            return False, why + " (compared with backprop through nnlib layers)"
    return True, "matches backprop through nnlib layers on random chains"


q2 = CodeExercise(
    "q2", checker=_check_error_signals,
    prompt="Write error_signals(w, b, x) for the sigmoid scalar chain "
           "Φ(x) = w_L σ(⋯ σ(w_1 x + b_1) ⋯) + b_L: return the array (δ_1, …, δ_L) with "
           "δ_ℓ = ∂Φ/∂z_ℓ, where z_ℓ = w_ℓ a_{ℓ−1} + b_ℓ. Run the chain forward, then backward.",
    hints=("The top layer has no σ: δ_L = 1. Keep the z_ℓ of the forward pass.",
           "Going down one layer, the chain rule multiplies by two factors: how z_{ℓ+1} depends on"
           " a_ℓ, and how a_ℓ depends on z_ℓ."))

q3 = ChoiceExercise(
    "q3", digest="7de88acf1b5557e49c4cc8d7cb659a14ac1757ac90792128a162616cebd4d247",
    choices=("grows", "shrinks", "stays about the same"),
    prompt="Predict first: random sigmoid chains of 30 neurons, weights drawn from N(0, s²). "
           "When s goes from 4 to 16, what does the median |∂Φ/∂b_1| do?",
    hints=("Each factor is |w|·σ'(z) and σ'(z) ≤ e^{−|z|}; how big is |z| when |w| is 16?",
           "Compare how the two parts of |w|·σ'(z) change as the scale grows: one grows in "
           "proportion to |w|, the other decays like e^{−|z|} with |z| of the order of |w|. Which "
           "wins?"))

q4 = NumericExercise(
    "q4", digest="bd08c0b2534971a0524584fa67a6ae2c5352544153a6c67ce39d711d658b4092",
    size="babfdeeadc6a8092c22ed62c44fcc038c2044dcc1ef8b445201a2d4fb91ac755",
    step=1, neighbours=0,
    prompt="In the gradient lab (width 64, sigmoid, xavier_normal), the smallest depth whose "
           "verdict is 'vanishing'. Predict it from the theory's per-layer factor first.",
    hints=("The verdict says vanishing when ‖∂L/∂a_1‖/‖∂L/∂a_L‖ < 1/10.",
           "Take the theory's factor per layer from the notebook and count how many such factors "
           "it takes to fall below 1/10; the ratio at depth d spans d − 1 layers."))

q5 = NumericExercise(
    "q5", digest="ba6bafca2f23a5fd001a4fca495c8ceb25c1daf9621b39ba0cf787f61ef4a936",
    size="493bf32ea6ccbb27b5d499324a95e1e8c708656bcad0970ec19ab73e12bfd585",
    step=0.005,
    prompt="ReLU with he_normal times a scale s, depth 50: each layer back multiplies the "
           "gradient by about s. At which s does the ratio ‖∂L/∂a_1‖/‖∂L/∂a_50‖ reach 10 "
           "(the edge of 'healthy')? Predict it, then try it in the lab.",
    hints=("Between layer 50 and layer 1 there are 49 steps back.",
           "Write the ratio as a power of s (one factor per step back), set it equal to 10 and "
           "solve for s with a logarithm or a root."))

q6 = OpenQuestion(
    "q6", prompt="For ReLU + N(0, 1), ‖∂L/∂a_ℓ‖ explodes towards the input, yet ‖∂L/∂W_ℓ‖ is "
                 "about the same in every layer. Why? (∂L/∂W_ℓ = a_{ℓ−1}ᵀ δ_ℓ: how do a_{ℓ−1} "
                 "and δ_ℓ change with ℓ?)")
