"""Exercises of notebook 15 (failure to generalise, adversarial examples).

``from nnlib.exercises import nb15 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/15_failure_to_generalise.py``, not here.
"""

from __future__ import annotations

from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion

q1 = ChoiceExercise(
    "q1", digest="40d8102057f845694754d798b44837f72aabcddc600b6de8041e11dbd74a36f0",
    choices=("less than 10", "10 to 30", "more than 30"),
    prompt="Predict first: at 45° the CNN's test accuracy falls by how many percentage points?",
    hints=("The network never saw a turned digit; its weights expect strokes in usual places.",
           "At 45° a 1 lies along a diagonal and a 7 looks like nothing it has seen."))

q2 = NumericExercise(
    "q2", digest="33339e5b26c1e1137602b2d112833cb785f6ae54e835aa6199950da1daabbfad",
    size="7bcdbe4ce4432f47e71629f5104fe291f6c82f3ba242c50bce124aaf4296eccd",
    step=0.01,
    prompt="A linear score w·x over n = 784 pixels, mean |w_i| = 0.01: the largest change a "
           "perturbation with |η_i| <= ε = 0.1 can make?",
    hints=("Choose each η_i with the sign of w_i.",
           "With that choice every term w_i η_i is positive and as large as allowed; add them up "
           "and write the sum with n, ε and mean|w_i|."))


def _check_fgsm(fn, rng):
    """fn(model, x, y, eps) -> attacked images, compared with nnlib.torchkit.attacks.fgsm."""
    from ..torchkit.exercise_checks import check_fgsm

    return check_fgsm(fn, rng)


q3 = CodeExercise(
    "q3", checker=_check_fgsm,
    prompt="Write my_fgsm(model, x, y, eps): clip(x + eps * sign(∇x L), 0, 1) with L the "
           "cross-entropy of model(x) against y.",
    hints=("Take the gradient of the loss with respect to the images: they must require a gradient"
           " (clone them first), and `torch.autograd.grad` returns it without touching the model's"
           " weights. The loss is `torch.nn.functional.cross_entropy` of the logits.",
           "Move every pixel by eps in the direction of its gradient's sign, keep the pixels in "
           "[0, 1] (`torch.clamp`), and return a tensor detached from the graph."))

q4 = OpenQuestion(
    "q4", prompt="Does the rotation-trained CNN resist FGSM at ε = 0.1 better, about the same, "
                 "or worse than the plain CNN? Explain the measurement.")
