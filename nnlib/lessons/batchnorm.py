"""Why batch normalisation helps, measured (notebook 07).

* :class:`ActivationDrift`: a ``fit`` callback that, every few steps, pushes one fixed probe
  batch through the network and records the mean and standard deviation of every hidden
  layer's output. Without batch norm these drift as the layers below learn, so each layer keeps
  chasing a moving input distribution (the lecture's motivation).
* :func:`scale_influence`: logistic regression by gradient descent on two equally informative
  inputs on very different scales; the input on the small scale ends up with far less
  influence unless the inputs are standardised first.
* :func:`batch_statistics_accuracy`: accuracy of a batch-norm network evaluated the *wrong* way,
  with the statistics of each test batch instead of the running ones, on batches of a chosen
  composition; the running statistics are restored afterwards.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_positive_float, check_positive_int, check_rng
from ..layers import Activation, Layer, Residual, Sequential
from ..losses import sigmoid_binary_cross_entropy
from ..normalization import BatchNorm1d, BatchNorm2d
from ..training import Callback


def hidden_activations(net, x) -> list[np.ndarray]:
    """The output of every activation layer of ``net`` (in forward order) for the batch x,
    computed in eval mode (the net's mode is restored). Works for plain Sequential MLPs,
    without skip connections. x: (N, D) -> list of (N, width) arrays."""
    if not isinstance(net, Sequential):
        raise TypeError(f"net must be an nnlib.layers.Sequential; got {type(net).__name__}")
    x = as_float_array("x", x, ndim=2)
    if any(isinstance(layer, Residual) for layer in net.layers):
        raise ValueError("hidden_activations needs a net without Residual blocks")
    was_training = getattr(net, "training", True)
    net.eval()
    try:
        outputs = net.layer_outputs(np.asarray(x))
    finally:
        net.train(was_training)
    return [h for layer, h in zip(net.layers, outputs) if isinstance(layer, Activation)]


class ActivationDrift(Callback):
    """Record, every ``every`` steps, the per-layer mean and std of the hidden activations on a
    fixed ``probe`` batch (N, D).

    After ``fit``: ``steps`` (T,), ``mean`` and ``std`` (T, L) over all units and examples of
    each of the L activation layers, and ``unit_means`` (T, L, width) per unit (equal widths).
    :meth:`drift` summarises how far each layer's per-unit means moved, in units of that
    layer's activation spread at the start.
    """

    def __init__(self, probe, *, every: int = 10):
        self.probe = as_float_array("probe", probe, ndim=2)
        self.every = check_positive_int("every", every)
        self.steps: list[int] = []
        self._mean: list[np.ndarray] = []
        self._std: list[np.ndarray] = []
        self._unit_means: list[list[np.ndarray]] = []

    def _record(self, run):
        acts = hidden_activations(run.net, self.probe.astype(run.net.parameters()[0].data.dtype))
        self.steps.append(run.step)
        self._mean.append(np.array([a.mean() for a in acts]))
        self._std.append(np.array([a.std() for a in acts]))
        self._unit_means.append([a.mean(axis=0) for a in acts])

    def on_fit_start(self, run):
        self._record(run)

    def on_batch_end(self, run):
        # called before this step's update: run.step steps have been taken so far
        if run.step and run.step % self.every == 0 and run.step != self.steps[-1]:
            self._record(run)

    def on_fit_end(self, run):
        self._record(run)

    @property
    def mean(self) -> np.ndarray:
        return np.array(self._mean)

    @property
    def std(self) -> np.ndarray:
        return np.array(self._std)

    @property
    def unit_means(self) -> np.ndarray:
        return np.array(self._unit_means)

    def drift(self) -> np.ndarray:
        """Per layer: RMS over units of (mean at the end − mean at the start), divided by the
        layer's activation std at the start. Shape (L,)."""
        m = self.unit_means
        moved = np.sqrt(np.mean((m[-1] - m[0]) ** 2, axis=-1))
        return moved / self.std[0]


def two_scale_data(n: int, *, scale: float, rng, separation: float = 1.0):
    """Two-class data with two equally informative inputs; the second is multiplied by
    ``scale``. Returns X (n, 2), y (n,) in {0, 1}."""
    n = check_positive_int("n", n, minimum=2)
    scale = check_positive_float("scale", scale)
    rng = check_rng("rng", rng)
    y = rng.integers(0, 2, size=n)
    centre = separation * (2.0 * y - 1.0)
    X = centre[:, None] + rng.standard_normal((n, 2))
    X[:, 1] *= scale
    return X, y


def scale_influence(X, y, *, lr: float, steps: int, standardise: bool = False) -> np.ndarray:
    """Train logistic regression p = σ(x·w + b) by full-batch gradient descent from w = 0 and
    return each input's influence |w_i|·std(x_i) on the logit (2,), optionally after
    standardising the inputs (what batch norm does per feature)."""
    X = as_float_array("X", X, ndim=2)
    y = np.asarray(y, dtype=np.float64)
    lr = check_positive_float("lr", lr)
    steps = check_positive_int("steps", steps)
    if standardise:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        _, dz = sigmoid_binary_cross_entropy(X @ w + b, y)
        w -= lr * (X.T @ dz)
        b -= lr * dz.sum()
    return np.abs(w) * X.std(axis=0)


def batch_statistics_accuracy(net, X, y, *, batch_size: int, order=None) -> float:
    """Accuracy of ``net`` on X (N, D), labels y (N,), when every batch norm layer normalises
    with the statistics of the test batch itself (training-mode forward) instead of its
    running statistics. Batches are consecutive runs of ``batch_size`` rows in ``order``
    (default: as given; e.g. ``np.argsort(y, kind="stable")`` makes class-pure batches).
    Running statistics and the net's mode are restored afterwards."""
    X = as_float_array("X", X, ndim=2)
    y = np.asarray(y)
    batch_size = check_positive_int("batch_size", batch_size, minimum=2)
    order = np.arange(len(X)) if order is None else np.asarray(order)
    if not isinstance(net, Layer):
        raise TypeError(f"net must be an nnlib network (a Layer); got {type(net).__name__}")
    norms = [m for m in net.modules() if isinstance(m, (BatchNorm1d, BatchNorm2d))]
    if not norms:
        raise ValueError("net has no batch norm layer: batch and running statistics coincide")
    saved = [(bn.running_mean.copy(), bn.running_var.copy(), bn.num_batches_tracked)
             for bn in norms]
    was_training = getattr(net, "training", True)
    correct = seen = 0
    try:
        net.train()
        for start in range(0, len(order) - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            out = net.forward(X[idx].astype(net.parameters()[0].data.dtype, copy=False))
            correct += int(np.count_nonzero(out.argmax(axis=1) == y[idx]))
            seen += len(idx)
    finally:
        for bn, (m, v, k) in zip(norms, saved):
            bn.running_mean[...] = m
            bn.running_var[...] = v
            bn.num_batches_tracked = k
        net.train(was_training)
    return correct / seen
