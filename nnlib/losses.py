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

from ._checks import as_float_array


def _pair(pred_name, pred, target_name, target):
    pred = as_float_array(pred_name, pred, ndim=(1, 2))
    target = as_float_array(target_name, target, ndim=(1, 2))
    if pred.shape != target.shape:
        raise ValueError(
            f"{target_name} must have the same shape as {pred_name} {pred.shape}; "
            f"got {target.shape}"
        )
    return pred, target.astype(pred.dtype, copy=False)


def quadratic(a, y):
    """Quadratic cost. a, y: (N, C) or (N,). Returns (loss, da)."""
    a, y = _pair("a", a, "y", y)
    n = a.shape[0]
    diff = a - y
    return 0.5 * float(np.sum(diff * diff)) / n, diff / n


def softmax(z):
    """Row-wise softmax of logits z: (N, C) -> (N, C), shifted for stability."""
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(labels, num_classes: int, dtype=np.float64):
    """Integer labels (N,) -> one-hot rows (N, num_classes)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array; got shape {labels.shape}, "
                         f"dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes - 1}]; got values from "
                         f"{labels.min()} to {labels.max()}")
    out = np.zeros((labels.shape[0], num_classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def softmax_cross_entropy(z, y):
    """Softmax cross-entropy on logits.

    z: (N, C) logits. y: (N,) integer labels or (N, C) one-hot/probability rows.
    Returns (loss, dz) with dz: (N, C).
    """
    z = as_float_array("z", z, ndim=2)
    y_arr = np.asarray(y)
    if y_arr.ndim == 1 and np.issubdtype(y_arr.dtype, np.integer):
        if y_arr.shape[0] != z.shape[0]:
            raise ValueError(f"y must have one label per row of z ({z.shape[0]}); "
                             f"got {y_arr.shape[0]}")
        y_arr = one_hot(y_arr, z.shape[1], dtype=z.dtype)
    else:
        z, y_arr = _pair("z", z, "y", y_arr)
    shifted = z - z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_sum
    n = z.shape[0]
    loss = -float(np.sum(y_arr * log_p)) / n
    return loss, (np.exp(log_p) - y_arr) / n


def binary_cross_entropy(p, y, eps: float = 1e-12):
    """Binary cross-entropy on probabilities p: (N,) or (N, C), y of the same shape in [0, 1].

    p is clipped to [eps, 1 − eps] before the logarithm. Returns (loss, dp).
    """
    p, y = _pair("p", p, "y", y)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p must hold probabilities in [0, 1]; got values outside it")
    pc = np.clip(p, eps, 1 - eps)
    n = p.shape[0]
    loss = -float(np.sum(y * np.log(pc) + (1 - y) * np.log1p(-pc))) / n
    dp = (pc - y) / (pc * (1 - pc)) / n
    return loss, dp


def sigmoid_binary_cross_entropy(z, y):
    """Binary cross-entropy on logits z with p = σ(z). Returns (loss, dz = (σ(z) − y)/N)."""
    z, y = _pair("z", z, "y", y)
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
