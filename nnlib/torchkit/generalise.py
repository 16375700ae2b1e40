"""Failure to generalise, measured: rotated digits and planted cues, on networks trained here.

All networks take images in [0, 1] (a :class:`~nnlib.torchkit.attacks.PixelModel` owns the
standardisation), so the same images feed training, the transforms of :mod:`nnlib.augment` and
the attacks of :mod:`nnlib.torchkit.attacks`.

* :func:`small_cnn`, :func:`mlp`, :func:`softmax_regression` - three pixel-space classifiers;
* :func:`fit_pixels` - train one on NumPy images, optionally with a fresh augmentation per epoch;
* :func:`accuracy`, :func:`rotation_curve` - test accuracy, and accuracy against rotation angle;
* :func:`plant_cue` - put a mark (a "dead pixel") on every training image of one class.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext

import numpy as np
import torch
from torch import nn

from .. import augment
from .._checks import as_float_array, check_positive_float, check_positive_int, check_rng
from . import models, train
from .attacks import PixelModel, to_pixels
from .device import cpu_threads, seed_everything
from .optimizers import make_optimizer


def small_cnn(*, width: int = 8, hidden: int = 64) -> PixelModel:
    """A small CNN on [0, 1] pixels: crop 2, conv 5x5 (width), pool, ReLU, conv 3x3 (2 width),
    pool, ReLU, FC ``hidden``, ReLU, FC 10. ``(N, 1, 28, 28)`` -> ``(N, 10)``."""
    width = check_positive_int("width", width)
    return PixelModel(models.cnn((width, 2 * width), kernel_size=(5, 3), hidden=hidden, crop=2,
                                 padding="valid"))


def mlp(*, hidden: int = 128) -> PixelModel:
    """A one-hidden-layer perceptron on [0, 1] pixels: 784 -> ``hidden`` (ReLU) -> 10."""
    hidden = check_positive_int("hidden", hidden)
    return PixelModel(nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(),
                                    nn.Linear(hidden, 10)))


def softmax_regression() -> PixelModel:
    """Softmax regression on [0, 1] pixels: one linear layer 784 -> 10 (the logits)."""
    return PixelModel(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)))


def _images(images) -> np.ndarray:
    arr = np.asarray(images)
    if arr.dtype == np.uint8:
        arr = arr.astype(np.float32) / 255.0
    arr = as_float_array("images", arr, ndim=(2, 3))
    if arr.ndim == 2:  # flat vectors (N, 784)
        side = int(round(np.sqrt(arr.shape[1])))
        if side * side != arr.shape[1]:
            raise ValueError(f"flat images must have a square number of pixels; got "
                             f"{arr.shape[1]}")
        arr = arr.reshape(-1, side, side)
    return arr.astype(np.float32, copy=False)


def _labels(labels, n: int) -> torch.Tensor:
    y = np.asarray(labels)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be {n} integers (one per image); got shape {y.shape}, "
                         f"dtype {y.dtype}")
    return torch.from_numpy(y.astype(np.int64))


def fit_pixels(model: nn.Module, images, labels, *, epochs: int = 2, lr: float = 3e-3,
               batch_size: int = 64, seed: int = 0,
               transform: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
               progress: bool = True, desc: str = "train") -> nn.Module:
    """Train ``model`` with Adam (torch's default betas) on ``images`` ``(N, 28, 28)`` in [0, 1]
    (or uint8, or flat ``(N, 784)``) and integer ``labels`` ``(N,)``.

    ``transform(images, rng)``, if given, makes a fresh augmented copy of the images before each
    epoch (e.g. random rotations from :mod:`nnlib.augment`). Returns the model in eval mode.
    """
    epochs = check_positive_int("epochs", epochs)
    x_np = _images(images)
    y = _labels(labels, len(x_np))
    generator = seed_everything(seed)
    rng = np.random.default_rng(seed)
    train.to_training_layout(model)  # channels-last on a CPU: its max-pooling is ~5x faster
    opt = make_optimizer("adam", model.parameters(), lr=check_positive_float("lr", lr))
    dev = next(model.parameters()).device
    y = y.to(dev)
    x = to_pixels(x_np, dev)
    # one CPU thread: these networks are too small for a second one to pay (cpu_threads)
    with cpu_threads(1) if dev.type == "cpu" else nullcontext():
        plan = train.EpochPlan(opt, batch_size=batch_size, generator=generator,
                               progress=progress)
        for epoch in range(1, epochs + 1):
            if transform is not None:
                x = to_pixels(np.clip(transform(x_np, rng), 0.0, 1.0), dev)
            train.train_one_epoch(model, x, y, plan, epoch=epoch, desc=f"{desc} {epoch}/{epochs}")
    return model.eval()


def random_rotations(max_degrees: float) -> Callable[[np.ndarray, np.random.Generator], np.ndarray]:
    """A ``transform`` for :func:`fit_pixels`: rotate each image by U(-max, max) degrees."""
    max_degrees = check_positive_float("max_degrees", max_degrees)

    def transform(images, rng):
        return augment.rotate(images, rng.uniform(-max_degrees, max_degrees, len(images)))

    return transform


def accuracy(model: nn.Module, images, labels) -> float:
    """Fraction of ``images`` (as for :func:`fit_pixels`) that ``model`` classifies right."""
    x_np = _images(images)
    dev = next(model.parameters()).device
    return train.evaluate(model, to_pixels(x_np, dev), _labels(labels, len(x_np)).to(dev)).accuracy


def rotation_curve(model: nn.Module, images, labels, angles) -> np.ndarray:
    """Accuracy of ``model`` on ``images`` rotated by each angle (degrees); ``(len(angles),)``."""
    x_np = _images(images)
    angles = as_float_array("angles", angles, ndim=1)
    return np.array([accuracy(model, augment.rotate(x_np, float(a)), labels) for a in angles])


def plant_cue(images, labels, target: int, *, position=(0, 0), value: float = 1.0,
              size: int = 1) -> np.ndarray:
    """A copy of ``images`` ``(N, 28, 28)`` where every image of class ``target`` carries the
    mark of :func:`nnlib.augment.add_cue`; the other images are unchanged."""
    if isinstance(target, (bool, np.bool_)) or not isinstance(target, (int, np.integer)):
        raise TypeError(f"target must be an integer class label; got {type(target).__name__} "
                        f"{target!r:.40}")
    x_np = _images(images).copy()
    y = np.asarray(labels)
    if y.shape != (len(x_np),):
        raise ValueError(f"labels must have one entry per image ({len(x_np)}); got {y.shape}")
    hit = y == target
    if not hit.any():
        raise ValueError(f"target {target!r} is not among the labels")
    x_np[hit] = augment.add_cue(x_np[hit], position=position, value=value, size=size)
    return x_np


def subset(images, labels, n: int, *, rng) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images and their labels drawn at random without replacement (sorted indices)."""
    n = check_positive_int("n", n)
    rng = check_rng("rng", rng)
    x_np = _images(images)
    if n > len(x_np):
        raise ValueError(f"n must be at most the {len(x_np)} images; got {n}")
    idx = np.sort(rng.choice(len(x_np), size=n, replace=False))
    return x_np[idx], np.asarray(labels)[idx]
