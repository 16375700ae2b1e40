"""Instructor solutions of notebook 15 (read by tests/test_exercises.py)."""

import torch
import torch.nn.functional as F


def my_fgsm(model, x, y, eps):
    x = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model(x), y)
    (g,) = torch.autograd.grad(loss, x)
    return (x + eps * g.sign()).clamp(0, 1).detach()


def fgsm_no_clip(model, x, y, eps):  # forgets that pixels live in [0, 1]
    x = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(F.cross_entropy(model(x), y), x)
    return (x + eps * g.sign()).detach()


SOLUTIONS = {
    "q1": "more than 30",   # measured: about 98 % at 0°, about 55 % at 45°
    "q2": 0.784,            # ε · n · mean|w| = 0.1 · 784 · 0.01
    "q3": my_fgsm,
}

WRONG = {
    "q1": "10 to 30",
    "q2": 0.1,
    "q3": fgsm_no_clip,
}

ANSWERS = {
    "q4": "In our runs the rotation-trained CNN is about as easy to fool, usually a little "
          "easier (FGSM at ε = 0.1 fooled roughly 45 % of its digits against roughly 30 % for "
          "the plain CNN). Rotation augmentation teaches invariance to rotations, a few "
          "directions in the 784-dimensional space of images; the attack uses the direction of "
          "steepest loss increase, which is unrelated to rotations, and the margin along it "
          "still falls in proportion to the number of pixels moved. The augmented network "
          "also has a smaller margin on upright digits (its clean accuracy is lower), so the "
          "same ε pushes more digits over the boundary. Robustness to one kind of change does "
          "not give robustness to another: adversarial training would be needed.",
}
