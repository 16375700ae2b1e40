"""Measuring a network on data: :func:`evaluate` (mean loss and accuracy) and :func:`accuracy`.

Both run the net in eval mode (dropout off, batch norm on its running statistics), in chunks,
and restore the mode it was in. The label conventions live here too, shared with
:func:`nnlib.training.fit`: y is either (N,) integer labels or (N, C) float targets; a loss
that needs rows gets integer labels one-hot to the output's width (a single output takes the
0/1 label itself), softmax cross-entropy takes labels as they are; a prediction is the arg-max
of several outputs, or a threshold for one (0 on logits for
``sigmoid_binary_cross_entropy``, 0.5 on probabilities otherwise).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_choice, check_positive_int
from .layers import Dense, Layer
from .losses import LOSSES, one_hot


def dense_layers(net) -> list[Dense]:
    """The Dense layers of ``net`` in forward order (``net.modules()`` that are Dense)."""
    if not callable(getattr(net, "modules", None)):
        raise TypeError(f"net must be an nnlib network or layer; got {type(net).__name__} "
                        f"{net!r:.60}")
    return [layer for layer in net.modules() if isinstance(layer, Dense)]


def _is_labels(y) -> bool:
    return y.ndim == 1 and np.issubdtype(y.dtype, np.integer)


def _count_correct(out, y, loss: str) -> int:
    """Examples whose prediction matches: arg-max over several outputs, else a threshold
    (0 on logits for ``sigmoid_binary_cross_entropy``, 0.5 on probabilities otherwise)."""
    if out.ndim == 2 and out.shape[1] > 1:
        truth = y if _is_labels(y) else y.argmax(axis=1)
        return int(np.count_nonzero(out.argmax(axis=1) == truth))
    cut = 0.0 if loss == "sigmoid_binary_cross_entropy" else 0.5
    return int(np.count_nonzero((out.reshape(-1) > cut) == (y.reshape(-1) > 0.5)))


def _targets_for(loss: str, yb, out, name: str = "y"):
    """The loss's target for a minibatch: integer labels become one-hot rows of the output's
    width (for a single output, the 0/1 label itself as a (N, 1) column), except for softmax
    cross-entropy, which takes labels as they are. ``name``: the labels as the caller wrote
    them, for the message when a label does not fit the output."""
    if not _is_labels(yb) or loss == "softmax_cross_entropy":
        return yb
    width = out.shape[1] if out.ndim == 2 else 1
    top = max(width, 2) - 1
    if yb.size and (yb.min() < 0 or yb.max() > top):
        raise ValueError(f"{name} must hold class labels in [0, {top}] (the output width is "
                         f"{width}); got values from {yb.min()} to {yb.max()}")
    if width == 1:
        return yb.astype(out.dtype).reshape((-1, 1) if out.ndim == 2 else (-1,))
    return one_hot(yb, width, dtype=out.dtype)


def _check_inputs(name, X, net, dtype=None):
    """X as a float array of ``dtype`` with at least one example, whose rows fit the net's
    first layer when that is a Dense layer."""
    X = as_float_array(name, X)
    if dtype is not None:
        X = X.astype(dtype, copy=False)
    if X.ndim < 2 or len(X) == 0:
        raise ValueError(f"{name} must hold at least one example per row (N, ...); got shape "
                         f"{X.shape}")
    first = net
    while isinstance(first, Layer) and first.children():
        first = first.children()[0]
    if isinstance(first, Dense) and X.ndim == 2 and X.shape[1] != first.W.data.shape[0]:
        raise ValueError(f"{name} must have {first.W.data.shape[0]} features per row (the "
                         f"first Dense layer's input width); got shape {X.shape}")
    return X


def _check_targets(name, y, X_name, X, dtype, net=None):
    """y: (N,) integer labels (within the output width when the net's last Dense tells it) or
    (N, ...) float targets, one per row of X."""
    y = np.asarray(y)
    if not _is_labels(y):
        y = as_float_array(name, y).astype(dtype, copy=False)
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"{X_name} and {name} must hold the same number of examples; got "
                         f"{X_name} of shape {X.shape} and {name} of shape {y.shape}")
    dense = dense_layers(net) if net is not None and _is_labels(y) else []
    if dense and y.size:
        width = dense[-1].b.data.shape[0]
        if y.min() < 0 or y.max() >= max(width, 2):
            raise ValueError(f"{name} must hold class labels in [0, {max(width, 2) - 1}] (the "
                             f"output width); got values from {y.min()} to {y.max()}")
    return y


def evaluate(net, X, y, loss: str = "softmax_cross_entropy", *,
             batch_size: int = 10000) -> tuple[float, float]:
    """(mean loss, accuracy) of ``net`` on X (N, ...) with y: (N,) integer labels or (N, C)
    targets, measured in eval mode in chunks of ``batch_size``; the net's mode is restored."""
    check_choice("loss", loss, LOSSES)
    batch_size = check_positive_int("batch_size", batch_size)
    X = _check_inputs("X", X, net)
    y = _check_targets("y", y, "X", X, X.dtype, net)
    was_training = getattr(net, "training", True)
    net.eval()
    total, correct = 0.0, 0
    try:
        with np.errstate(over="ignore", under="ignore"):
            for start in range(0, len(X), batch_size):
                out = net.forward(X[start:start + batch_size])
                yb = y[start:start + batch_size]
                total += LOSSES[loss](out, _targets_for(loss, yb, out))[0] * len(yb)
                correct += _count_correct(out, yb, loss)
    finally:
        net.train(was_training)
    return total / len(X), correct / len(X)


def accuracy(net, X, y, *, batch_size: int = 10000) -> float:
    """Fraction of rows of X (N, ...) classified right; y: (N,) integer labels or (N, C)
    targets (arg-max compared). Measured in eval mode; the net's mode is restored."""
    batch_size = check_positive_int("batch_size", batch_size)
    X = _check_inputs("X", X, net)
    y = _check_targets("y", y, "X", X, X.dtype, net)
    was_training = getattr(net, "training", True)
    net.eval()
    correct = 0
    try:
        with np.errstate(over="ignore", under="ignore"):
            for start in range(0, len(X), batch_size):
                out = net.forward(X[start:start + batch_size])
                correct += _count_correct(out, y[start:start + batch_size], "")
    finally:
        net.train(was_training)
    return correct / len(X)
