"""Exercises of notebook 06 (optimisers). Answers live in ``solutions/06_optimisers.py``.

The code exercises compare the student's update with :mod:`nnlib.optim` (``SGD`` with momentum,
``Adam``), which ``tests/test_optim.py`` pins to ``torch.optim`` in float64 (≤ 1e-9 over 200
steps), on fresh random parameters, gradients and hyper-parameters.
"""

from __future__ import annotations

import numpy as np

from ..layers import Parameter
from ..optim import SGD, Adam
from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion, compare_arrays

STEPS = 6  # each code check chains this many updates, so the state must be carried right

q1 = NumericExercise(
    "q1", digest="9485d23f8f84b5b1310f235e15249a5fa104e4400b0be1fd1d2265543f91d875",
    size="6f014a97343a0f2c963678297a8c6868c21d08e611d14d8278582f617cae9cd9", step=0.005,
    prompt="Predict: the quadratic has Hessian eigenvalues 1 and 10. What is the largest "
           "learning rate at which gradient descent still converges?",
    hints=("Each eigen-component of the error is multiplied by (1 − ηλ) per step. When does "
           "that shrink it?",
           "|1 − ηλ| < 1 for every eigenvalue λ; the largest λ decides."))

q2 = ChoiceExercise(
    "q2", digest="a51a9f670a32381be9896f1f3311eed56fbe5af33f731280481cc0e4fc606b8f",
    choices=("a", "b", "c"),
    prompt="Predict: turn the ravine by 45° (same κ). Adam's lead over gradient descent "
           "(a) grows, (b) stays about the same, (c) shrinks or reverses.",
    hints=("Adam divides each coordinate by its own running gradient size. Which coordinates "
           "are steep when the ravine runs diagonally?",
           "A per-coordinate scale can undo a stretch along the axes, not along a diagonal."))

q3 = NumericExercise(
    "q3", digest="5a22aad8b74af45d211c2a88ceb7d70c8d340733b74a1b65e0424004326f80b0",
    size="09faeda6fd4eb5f934812c6909c2690afa57aa706434b7b649573a5899e9704b", step=5,
    prompt="Gradient descent at its best fixed learning rate on a quadratic with κ = 100: how "
           "many steps until the error ‖x_k − x*‖ has shrunk by a factor 1000?",
    hints=("At the best fixed η the error shrinks by (κ − 1)/(κ + 1) per step.",
           "Set the per-step factor to the power k equal to the shrink you need, take logarithms "
           "of both sides and solve for k."))


def _momentum_checker(fn, rng):
    shape = tuple(rng.integers(2, 5, size=2))
    lr, mu = float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.3, 0.95))
    p_ref = Parameter(rng.normal(size=shape), "p")
    opt = SGD([p_ref], lr=lr, momentum=mu)
    p, b = p_ref.data.copy(), np.zeros(shape)
    for k in range(1, STEPS + 1):
        g = rng.normal(size=shape)
        p_ref.grad[...] = g
        opt.step()
        out = fn(p.copy(), g.copy(), b.copy(), lr, mu)
        if not (isinstance(out, tuple) and len(out) == 2):
            return False, "return a pair (new p, new b)"
        p, b = (np.asarray(a, dtype=np.float64) for a in out)
        ok, why = compare_arrays(f"p after step {k}", p, p_ref.data, rtol=1e-9, atol=1e-12)
        if not ok:
            return False, why + (" (check the first step: b starts at 0)" if k == 1 else "")
        ok, why = compare_arrays(f"b after step {k}", b, opt.state[p_ref]["momentum_buffer"],
                                 rtol=1e-9, atol=1e-12)
        if not ok:
            return False, why
    return True, f"matches SGD(momentum=μ) over {STEPS} steps"


q4 = CodeExercise(
    "q4", checker=_momentum_checker,
    prompt="Write momentum_update(p, g, b, lr, mu) -> (p, b): one heavy-ball step "
           "b ← μ b + g, p ← p − η b (b starts at zeros).",
    hints=("Update the velocity first, then move p along the new velocity.",
           "Two assignments: the new b from the old b and g, then the new p from the new b; "
           "return both, in that order (p, b)."))


def _adam_checker(fn, rng):
    shape = tuple(rng.integers(2, 5, size=2))
    lr = float(10 ** rng.uniform(-3, -1))
    betas = (float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.9, 0.999)))
    eps = float(10 ** rng.uniform(-8, -4))
    p_ref = Parameter(rng.normal(size=shape), "p")
    opt = Adam([p_ref], lr=lr, betas=betas, eps=eps)
    p, m, v = p_ref.data.copy(), np.zeros(shape), np.zeros(shape)
    for t in range(1, STEPS + 1):
        g = rng.normal(size=shape) * 10 ** rng.uniform(-2, 1)
        p_ref.grad[...] = g
        opt.step()
        out = fn(p.copy(), g.copy(), m.copy(), v.copy(), t, lr, betas, eps)
        if not (isinstance(out, tuple) and len(out) == 3):
            return False, "return a triple (new p, new m, new v)"
        p, m, v = (np.asarray(a, dtype=np.float64) for a in out)
        for name, got, ref in (("m", m, opt.state[p_ref]["exp_avg"]),
                               ("v", v, opt.state[p_ref]["exp_avg_sq"])):
            ok, why = compare_arrays(f"{name} after step {t}", got, ref, rtol=1e-9, atol=1e-14)
            if not ok:
                return False, why + " (m and v are the raw averages, before bias correction)"
        ok, why = compare_arrays(f"p after step {t}", p, p_ref.data, rtol=1e-9, atol=1e-12)
        if not ok:
            hint = " (both averages need their bias correction, with this t)" if t <= 2 else ""
            return False, why + hint
    return True, f"matches Adam over {STEPS} steps"


q5 = CodeExercise(
    "q5", checker=_adam_checker,
    prompt="Write adam_update(p, g, m, v, t, lr, betas, eps) -> (p, m, v): one Adam step "
           "(t = 1 on the first step; m and v start at zeros).",
    hints=("m and v are exponential moving averages of g and g²; the step uses their "
           "bias-corrected versions m / (1 − β1^t) and v / (1 − β2^t).",
           "The step divides the corrected first moment by the square root of the corrected "
           "second: does eps go inside the square root or after it? (`optim.Adam` follows "
           "`torch.optim.Adam`.)"))

q6 = OpenQuestion(
    "q6",
    prompt="The lecture describes adaptive rates as 'raise the rate when the cost falls, lower "
           "it when it rises'. Do AdaGrad, RMSprop and Adam do that literally? What signal do "
           "they use instead, and what does each do to the step when gradients stay small?")
