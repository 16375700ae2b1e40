"""Losses L(prediction, target) averaged over a minibatch, each with its gradient.

Every function returns ``(loss, d)`` where ``d`` is ∂L/∂(first argument) with the same
shape as the first argument. ``N`` is the batch size, ``C`` the number of outputs.

* ``quadratic``: L = 1/(2N) Σ_n ‖a_n − y_n‖², so dL/da = (a − y)/N (Nielsen's cost).
* ``softmax_cross_entropy``: on logits z, L = −1/N Σ_n log softmax(z_n)[y_n];
  dL/dz = (softmax(z) − onehot(y))/N.
* ``binary_cross_entropy``: on probabilities p ∈ (0, 1),
  L = −1/N Σ [y log p + (1 − y) log(1 − p)].
* ``sigmoid_binary_cross_entropy``: the same on logits z with p = σ(z); its gradient is the
  lecture's dz[L] = a[L] − y (divided by N), and it never takes log(0).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_in_range, check_nonempty, check_positive_int, check_real


def _pair(pred_name, pred, target_name, target):
    pred = check_nonempty(pred_name, as_float_array(pred_name, pred, ndim=(1, 2)))
    target = as_float_array(target_name, target, ndim=(1, 2))
    if pred.shape != target.shape:
        raise ValueError(
            f"{target_name} must have the same shape as {pred_name} {pred.shape}; "
            f"got {target.shape}"
        )
    return pred, target.astype(pred.dtype, copy=False)


def quadratic(a, y):
    """Quadratic cost. a, y: (N, C) or (N,), N >= 1. Returns (loss, da)."""
    a, y = _pair("a", a, "y", y)
    n = a.shape[0]
    diff = a - y
    return 0.5 * float(np.sum(diff * diff)) / n, diff / n


def softmax(z):
    """Softmax over the last axis of logits z: (..., C) -> (..., C), shifted for stability."""
    z = as_float_array("z", z)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"z must have at least one logit along its last axis; got shape "
                         f"{z.shape}")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _labels(name: str, labels, num_classes: int) -> np.ndarray:
    """Check integer class labels (N,) in [0, num_classes) and return them as an array."""
    if isinstance(labels, (str, bytes)) or labels is None:
        raise TypeError(f"{name} must be a 1-D array of integer class labels; got "
                        f"{type(labels).__name__}")
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D integer array of class labels; got shape "
                         f"{labels.shape}, dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"{name} must hold class labels in [0, {num_classes - 1}]; got values "
                         f"from {labels.min()} to {labels.max()}")
    return labels


def one_hot(labels, num_classes: int, dtype=np.float64):
    """Integer labels (N,) -> one-hot rows (N, num_classes)."""
    num_classes = check_positive_int("num_classes", num_classes)
    labels = _labels("labels", labels, num_classes)
    out = np.zeros((labels.shape[0], num_classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def softmax_cross_entropy(z, y):
    """Softmax cross-entropy on logits.

    z: (N, C) logits, N >= 1. y: (N,) integer labels in [0, C) or (N, C) one-hot/probability
    rows (values in [0, 1]). Returns (loss, dz) with dz: (N, C).
    """
    z = check_nonempty("z", as_float_array("z", z, ndim=2))
    if z.shape[1] == 0:
        raise ValueError(f"z must have at least one class column; got shape {z.shape}")
    y_arr = np.asarray(y) if not isinstance(y, (str, bytes)) and y is not None else y
    if isinstance(y_arr, np.ndarray) and y_arr.ndim == 1 and (
            np.issubdtype(y_arr.dtype, np.integer)):
        if y_arr.shape[0] != z.shape[0]:
            raise ValueError(f"y must have one label per row of z ({z.shape[0]}); "
                             f"got {y_arr.shape[0]} labels, shape {y_arr.shape}")
        y_arr = one_hot(_labels("y", y_arr, z.shape[1]), z.shape[1], dtype=z.dtype)
    elif isinstance(y_arr, np.ndarray) and y_arr.ndim == 1:
        raise TypeError(f"y must be (N,) integer class labels or (N, C) target rows; got a 1-D "
                        f"array of dtype {y_arr.dtype}")
    else:
        z, y_arr = _pair("z", z, "y", y_arr)
        check_in_range("y", y_arr, 0.0, 1.0, "target probabilities")
    shifted = z - z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_sum
    n = z.shape[0]
    loss = -float(np.sum(y_arr * log_p)) / n
    return loss, (np.exp(log_p) - y_arr) / n


def binary_cross_entropy(p, y, eps: float = 1e-12):
    """Binary cross-entropy on probabilities p: (N,) or (N, C), y of the same shape in [0, 1].

    p is clipped to [eps, 1 − eps] before the logarithm, 0 < eps < 0.5. Returns (loss, dp).
    """
    eps = check_real("eps", eps, low=0.0, high=0.5, low_open=True, high_open=True)
    p, y = _pair("p", p, "y", y)
    check_in_range("p", p, 0.0, 1.0, "probabilities")
    check_in_range("y", y, 0.0, 1.0, "targets")
    pc = np.clip(p, eps, 1 - eps)
    n = p.shape[0]
    loss = -float(np.sum(y * np.log(pc) + (1 - y) * np.log1p(-pc))) / n
    dp = (pc - y) / (pc * (1 - pc)) / n
    return loss, dp


def sigmoid_binary_cross_entropy(z, y):
    """Binary cross-entropy on logits z with p = σ(z), targets y in [0, 1] of the same shape.

    Returns (loss, dz = (σ(z) − y)/N)."""
    z, y = _pair("z", z, "y", y)
    check_in_range("y", y, 0.0, 1.0, "targets")
    # log σ(z) = −log(1 + e^{−z}); log(1 − σ(z)) = −z − log(1 + e^{−z}), both stable via logaddexp
    loss = float(np.sum(np.logaddexp(0, -z) + (1 - y) * z)) / z.shape[0]
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return loss, (p - y) / z.shape[0]


LOSSES = {
    "quadratic": quadratic,
    "softmax_cross_entropy": softmax_cross_entropy,
    "binary_cross_entropy": binary_cross_entropy,
    "sigmoid_binary_cross_entropy": sigmoid_binary_cross_entropy,
}
