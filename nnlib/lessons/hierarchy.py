"""Probes of a feature hierarchy (notebook 03): what each layer of a trained MLP represents.

* :func:`layer_representations`: the input, each hidden activation and the output scores of
  a :class:`~nnlib.layers.Sequential` on a batch.
* :func:`linear_probe_accuracy`: test accuracy of the best linear classifier (ridge regression
  on one-hot labels) fitted on a representation: how linearly separable the classes are there.
* :func:`shift_similarity`: mean cosine similarity between the representations of inputs and
  of changed inputs (after subtracting the mean response): how tolerant a layer is to the change.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_positive_float
from ..layers import Activation, Sequential

__all__ = ["layer_representations", "linear_probe_accuracy", "shift_similarity"]


def layer_representations(net, X) -> list[np.ndarray]:
    """[X, h_1, ..., h_{L-1}, scores]: X (N, D) and each hidden layer's activations (N, n_l)
    after its activation layer, then the network's output (N, C), from one
    ``net.layer_outputs(X)`` pass (the network's mode is left as it is)."""
    if not isinstance(net, Sequential):
        raise TypeError(f"net must be an nnlib.layers.Sequential; got {type(net).__name__}")
    a = as_float_array("X", X, ndim=2)
    first = net.layers[0] if net.layers else None
    width = getattr(first, "in_features", None)
    if width is not None and a.shape[1] != width:
        raise ValueError(f"X must have {width} features per row (the first layer's input "
                         f"width); got shape {a.shape}")
    outputs = net.layer_outputs(a)
    hidden = [h for layer, h in zip(net.layers[:-1], outputs) if isinstance(layer, Activation)]
    return [a, *hidden, outputs[-1] if outputs else a]


def _with_bias(A):
    return np.c_[A, np.ones(len(A))].astype(np.float64)


def linear_probe_accuracy(A_train, y_train, A_test, y_test, *, ridge: float = 0.1) -> float:
    """Accuracy on (A_test (M, F), y_test (M,)) of the ridge-regression classifier fitted on
    (A_train (N, F), y_train (N,) int labels) with one-hot targets and a bias column."""
    A_train = as_float_array("A_train", A_train, ndim=2)
    A_test = as_float_array("A_test", A_test, ndim=2)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if A_train.shape[1] != A_test.shape[1]:
        raise ValueError(f"A_train and A_test must have the same number of features; got "
                         f"{A_train.shape[1]} and {A_test.shape[1]}")
    if y_train.shape != (len(A_train),) or y_test.shape != (len(A_test),):
        raise ValueError(f"y_train and y_test must hold one label per row; got shapes "
                         f"{y_train.shape} and {y_test.shape} for {len(A_train)} and "
                         f"{len(A_test)} rows")
    if not np.issubdtype(y_train.dtype, np.integer) or y_train.min() < 0:
        raise ValueError("y_train must hold integer class labels >= 0")
    ridge = check_positive_float("ridge", ridge, allow_zero=True)
    A1, B1 = _with_bias(A_train), _with_bias(A_test)
    targets = np.eye(int(y_train.max()) + 1)[y_train]
    W = np.linalg.solve(A1.T @ A1 + ridge * np.eye(A1.shape[1]), A1.T @ targets)
    return float(np.mean((B1 @ W).argmax(axis=1) == y_test))


def shift_similarity(a, b) -> float:
    """Mean over rows of cos(a_i − μ, b_i − μ), μ the mean row of ``a``; a, b (N, F).

    1 when every changed input is represented as the original was, about 0 when the change
    moves representations as far as swapping in an unrelated input would."""
    a = as_float_array("a", a, ndim=2)
    b = as_float_array("b", b, ndim=2)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    mu = a.mean(axis=0)
    a, b = a - mu, b - mu
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return float(np.mean(np.sum(a * b, axis=1) / (norms + 1e-12)))
