"""Adversarial examples: the fast gradient sign method (FGSM) and its iterated form.

Goodfellow, Shlens and Szegedy (2015) move every pixel of an image ``x`` by ``ε`` in the direction
that increases the loss most, to first order:

    x' = clip(x + ε · sign(∇_x L(f(x), y)), 0, 1)

Here ``x`` is always an image with pixels in [0, 1], so ``ε`` is in pixel units: ε = 0.1 means
"no pixel changes by more than a tenth of the black-to-white range". Networks trained on
standardised inputs see the image through :class:`PixelModel`, which owns the standardisation;
so ε never silently means "standard deviations" (a common confusion: on MNIST one standard
deviation is 0.31 in pixel units).

:func:`iterated_fgsm` (the "basic iterative method") takes several small signed steps and
projects back into the ε-box around ``x`` after each. Left out: random starts (PGD), other norms,
targeted attacks and defences other than what the notebook shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_positive_float, check_positive_int, check_real, check_rng
from ._checks import check_module, check_tensor
from .data import MNIST_MEAN, MNIST_STD


class Standardize(nn.Module):
    """``(N, C, H, W)`` pixels in [0, 1] -> ``(x - mean) / std`` (the network's input)."""

    def __init__(self, mean: float = MNIST_MEAN, std: float = MNIST_STD):
        super().__init__()
        std = check_positive_float("std", std)
        mean = check_real("mean", mean)
        self.register_buffer("mean", torch.tensor(float(mean)))
        self.register_buffer("std", torch.tensor(std))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std

    def extra_repr(self) -> str:
        return f"mean={float(self.mean):.4f}, std={float(self.std):.4f}"


class PixelModel(nn.Sequential):
    """A classifier that takes images in [0, 1]: ``Standardize`` then ``model``.

    ``PixelModel(model)(x)`` with x ``(N, 1, 28, 28)`` in [0, 1] gives ``model``'s logits on the
    standardised images. Train it on [0, 1] images, or wrap a network trained on standardised
    tensors (:func:`nnlib.torchkit.data.images_to_tensor`): the two are the same function.
    """

    def __init__(self, model: nn.Module, *, mean: float = MNIST_MEAN, std: float = MNIST_STD):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
        super().__init__()
        self.add_module("standardize", Standardize(mean, std))
        self.add_module("net", model)


def to_pixels(images, device=None) -> torch.Tensor:
    """uint8 ``(N, 28, 28)`` 0..255 (or floats in [0, 1]) -> float32 ``(N, 1, 28, 28)``, [0, 1]."""
    if isinstance(images, (str, bytes, dict)) or images is None:
        raise TypeError(f"images must be an array of pixels (N, H, W); got "
                        f"{type(images).__name__}")
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[:, None]
    if arr.ndim != 4:
        raise ValueError(f"images must have shape (N, H, W) or (N, 1, H, W); got {arr.shape}")
    if arr.dtype == np.uint8:
        arr = arr.astype(np.float32) / 255.0
    elif np.issubdtype(arr.dtype, np.floating):
        if arr.size and (arr.min() < 0 or arr.max() > 1):
            raise ValueError(f"float images must lie in [0, 1]; got values in "
                             f"[{arr.min():.3g}, {arr.max():.3g}]")
    else:
        raise TypeError(f"images must be uint8 0..255 or floats in [0, 1]; got dtype {arr.dtype}")
    return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32)).to(device)


def _check_batch(x, y):
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"x and y must be torch tensors; got {type(x).__name__} and "
                        f"{type(y).__name__}")
    if x.ndim != 4 or len(x) != len(y):
        raise ValueError(f"x must be (N, C, H, W) and y (N,) with the same N; got "
                         f"{tuple(x.shape)} and {tuple(y.shape)}")
    if x.numel() and (float(x.min()) < 0 or float(x.max()) > 1):
        raise ValueError("x must hold pixels in [0, 1] (wrap the network in PixelModel); got "
                         f"values in [{float(x.min()):.3g}, {float(x.max()):.3g}]")


def input_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """∂L/∂x ``(N, C, H, W)`` of the summed cross-entropy of ``model`` (eval mode) at ``x``.

    Summing the loss makes each image's gradient its own (independent of the batch size).
    The model's parameters get no gradient; its train/eval mode is restored.
    """
    _check_batch(x, y)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            x = x.detach().clone().requires_grad_(True)
            loss = F.cross_entropy(model(x), y, reduction="sum")
            (dx,) = torch.autograd.grad(loss, x)
    finally:
        model.train(was_training)
    return dx


def fgsm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float) -> torch.Tensor:
    """One signed gradient step: ``clip(x + eps * sign(∂L/∂x), 0, 1)``, shape of ``x``.

    x ``(N, C, H, W)`` in [0, 1]; y ``(N,)`` true labels; eps >= 0 in pixel units.
    """
    eps = check_positive_float("eps", eps, allow_zero=True)
    dx = input_gradient(model, x, y)
    return (x.detach() + eps * dx.sign()).clamp_(0.0, 1.0)


def iterated_fgsm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *,
                  steps: int = 10, step_size: float | None = None) -> torch.Tensor:
    """``steps`` FGSM steps of ``step_size`` (default ``2.5 * eps / steps``), each followed by
    projection onto ``|x' - x| <= eps`` (every pixel) and onto [0, 1]. Shape of ``x``."""
    eps = check_positive_float("eps", eps, allow_zero=True)
    steps = check_positive_int("steps", steps)
    alpha = 2.5 * eps / steps if step_size is None else \
        check_positive_float("step_size", step_size, allow_zero=True)
    x0 = x.detach()
    adv = x0.clone()
    for _ in range(steps):
        dx = input_gradient(model, adv, y)
        adv = adv + alpha * dx.sign()
        adv = torch.max(torch.min(adv, x0 + eps), x0 - eps).clamp_(0.0, 1.0)
    return adv


ATTACKS = {"fgsm": fgsm, "iterated": iterated_fgsm}


def check_images(x, y) -> None:
    """Raise unless ``x`` is a tensor ``(N, C, H, W)`` of pixels in [0, 1] and ``y`` ``(N,)``."""
    _check_batch(x, y)


def sign_step(x: torch.Tensor, sign: torch.Tensor, eps: float) -> torch.Tensor:
    """``clip(x + eps * sign, 0, 1)``: FGSM with a gradient sign computed earlier (for one
    image the sign does not depend on ε, so an ε slider needs no new backward pass)."""
    eps = check_positive_float("eps", eps, allow_zero=True)
    check_tensor("x", x)
    check_tensor("sign", sign)
    if sign.shape != x.shape:
        raise ValueError(f"sign must have the shape of x {tuple(x.shape)}; got "
                         f"{tuple(sign.shape)}")
    return (x.detach() + eps * sign).clamp(0.0, 1.0)


def probabilities(model: nn.Module, x: torch.Tensor) -> np.ndarray:
    """Softmax probabilities ``(N, classes)`` of ``model`` at ``x``, as a NumPy array."""
    check_module("model", model)
    check_tensor("x", x, what="a torch.Tensor (N, C, H, W)")
    with torch.inference_mode():
        return torch.softmax(model(x), dim=1).float().cpu().numpy()


@dataclass
class AttackResult:
    """Outcome of an attack on N images at one ε (all fractions in [0, 1])."""

    eps: float
    error_rate: float          # wrong predictions on the attacked images
    clean_error_rate: float    # wrong predictions on the originals
    flipped: float             # predictions that changed
    mean_confidence: float     # mean softmax probability of the (wrong) predicted class
    mean_l2: float             # mean ||x' - x||_2 per image


def attack(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *,
           method: str = "fgsm", batch_size: int = 1000, **kwargs) -> AttackResult:
    """Attack ``x`` ``(N, C, H, W)`` in [0, 1] (labels ``y``) at ``eps`` and summarise it."""
    if method not in ATTACKS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(ATTACKS)}")
    batch_size = check_positive_int("batch_size", batch_size)
    was_training = model.training
    model.eval()
    wrong = clean_wrong = flipped = 0
    conf_sum, l2_sum = 0.0, 0.0
    try:
        for s in range(0, len(x), batch_size):
            xb, yb = x[s:s + batch_size], y[s:s + batch_size]
            adv = ATTACKS[method](model, xb, yb, eps, **kwargs)
            with torch.inference_mode():
                p_clean = model(xb).argmax(1)
                prob = torch.softmax(model(adv), dim=1)
            conf, pred = prob.max(1)
            bad = pred != yb
            wrong += int(bad.sum())
            clean_wrong += int((p_clean != yb).sum())
            flipped += int((pred != p_clean).sum())
            conf_sum += float(conf[bad].sum())
            l2_sum += float((adv - xb).flatten(1).norm(dim=1).sum())
    finally:
        model.train(was_training)
    n = max(len(x), 1)
    return AttackResult(float(eps), wrong / n, clean_wrong / n, flipped / n,
                        conf_sum / max(wrong, 1), l2_sum / n)


def error_curve(model: nn.Module, x: torch.Tensor, y: torch.Tensor, epsilons, *,
                method: str = "fgsm", **kwargs) -> list[AttackResult]:
    """:func:`attack` at each ε of ``epsilons``; a list of :class:`AttackResult`."""
    if isinstance(epsilons, (str, bytes)) or not hasattr(epsilons, "__iter__"):
        raise TypeError(f"epsilons must be a sequence of numbers; got "
                        f"{type(epsilons).__name__} {epsilons!r:.40}")
    return [attack(model, x, y, e, method=method, **kwargs) for e in epsilons]


def margin(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``(N,)`` logit of the true class minus the largest other logit (> 0: correct)."""
    check_module("model", model)
    _check_batch(x, y)
    with torch.inference_mode():
        z = model(x)
    true = z.gather(1, y[:, None])[:, 0]
    other = z.scatter(1, y[:, None], float("-inf")).max(1).values
    return true - other


def margin_drop_vs_pixels(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float,
                          counts, *, rng) -> np.ndarray:
    """The linear explanation, measured: how much the true-class margin falls when only ``d``
    pixels (a random subset, the same for every image) move by ``eps`` along the gradient sign.

    For a linear score ``w·x`` the change is ``eps * sum over the d pixels of |w_i|``, which grows
    in proportion to ``d``: many tiny changes add up. Returns the mean drop for each ``d`` in
    ``counts`` (float64 ``(len(counts),)``), measured with forward passes of ``model``.
    """
    eps = check_positive_float("eps", eps, allow_zero=True)
    rng = check_rng("rng", rng)
    _check_batch(x, y)
    n_pixels = x[0].numel()
    order = torch.from_numpy(rng.permutation(n_pixels))
    sign = input_gradient(model, x, y).sign().flatten(1)
    base = margin(model, x, y)
    drops = []
    for d in counts:
        d = check_positive_int("counts", int(d), minimum=0)
        if d > n_pixels:
            raise ValueError(f"counts must be at most the {n_pixels} pixels; got {d}")
        mask = torch.zeros(n_pixels, dtype=x.dtype, device=x.device)
        mask[order[:d].to(x.device)] = 1.0
        adv = (x.flatten(1) + eps * sign * mask).clamp(0.0, 1.0).view_as(x)
        drops.append(float((base - margin(model, adv, y)).mean()))
    return np.asarray(drops, dtype=np.float64)
