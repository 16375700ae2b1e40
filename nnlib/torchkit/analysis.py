"""Look inside a trained CNN, returning NumPy arrays for the plotting and widget tiers.

* :func:`class_probabilities` - softmax outputs for a set of images;
* :func:`confusion_matrix` - counts of (true digit, predicted digit) pairs;
* :func:`confident_mistakes` - the wrong predictions the network was surest of;
* :func:`first_layer_filters` - the masks of the first convolution;
* :func:`layer_outputs` - every named layer's feature maps for one image.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import torch
from torch import nn

from .._checks import check_positive_int
from ._checks import check_module, check_tensor
from .models import feature_maps
from .train import predict


def class_probabilities(model: nn.Module, x: torch.Tensor, *, batch_size: int = 500) -> np.ndarray:
    """Softmax probabilities ``(N, classes)`` for images ``x`` ``(N, 1, H, W)``."""
    logits = predict(model, x, batch_size=batch_size)
    return torch.softmax(logits, dim=1).numpy()


def confusion_matrix(y_true, y_pred, num_classes: int = 10) -> np.ndarray:
    """``C[i, j]`` = how many images of class ``i`` were predicted as ``j``; int64 ``(K, K)``."""
    num_classes = check_positive_int("num_classes", num_classes)
    y_true = np.asarray(y_true).astype(np.int64).ravel()
    y_pred = np.asarray(y_pred).astype(np.int64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length; got {len(y_true)} and "
                         f"{len(y_pred)}")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= num_classes):
            raise ValueError(f"{name} must hold classes 0..{num_classes - 1}; "
                             f"got values {y.min()}..{y.max()}")
    flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def confident_mistakes(probabilities, y_true, k: int = 12):
    """Indices of the ``k`` wrong predictions with the highest confidence, most confident first.

    probabilities: ``(N, classes)``; y_true: ``(N,)``. Returns ``(indices, predicted,
    confidence)``, each ``(min(k, number of mistakes),)``.
    """
    k = check_positive_int("k", k)
    probs = np.asarray(probabilities)
    y_true = np.asarray(y_true).ravel()
    if probs.ndim != 2 or len(probs) != len(y_true):
        raise ValueError(f"probabilities must be (N, classes) with N = len(y_true) = "
                         f"{len(y_true)}; got shape {probs.shape}")
    predicted = probs.argmax(axis=1)
    confidence = probs.max(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    order = wrong[np.argsort(-confidence[wrong], kind="stable")][:k]
    return order, predicted[order], confidence[order]


def first_layer_filters(model: nn.Module) -> np.ndarray:
    """The weights of the model's first ``Conv2d``: ``(out_channels, in_channels, k, k)``."""
    check_module("model", model)
    for layer in model.modules():
        if isinstance(layer, nn.Conv2d):
            return layer.weight.detach().to("cpu", torch.float32).numpy().copy()
    raise ValueError(f"model has no Conv2d layer: {type(model).__name__}")


def layer_outputs(model: nn.Sequential, image) -> OrderedDict:
    """Every named layer's output for one image ``(1, H, W)`` or ``(1, 1, H, W)`` tensor.

    Returns ``{name: array}`` with ``(C, H', W')`` arrays for feature maps and ``(F,)`` vectors
    for flattened and fully-connected layers.
    """
    check_tensor("image", image, what="a torch.Tensor (1, H, W) or (1, 1, H, W)")
    x = image if image.ndim == 4 else image[None]
    maps = feature_maps(model, x[:1])
    return OrderedDict((name, t[0].to(torch.float32).numpy()) for name, t in maps.items())
