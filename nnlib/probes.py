"""Train a :class:`nnlib.layers.Sequential` by minibatch SGD while watching each layer.

``track_training`` is ``sgd_fit`` with instruments attached: per step the loss, per Dense layer
the gradient norms of weights and biases (‖∂L/∂b_ℓ‖ = ‖δ_ℓ‖, the layer's "speed of learning"),
and at the end how far each layer's weights moved from where they started
(‖W_end − W_start‖ / ‖W_start‖). Notebook 04 uses it to show that the first layers of a deep
sigmoid net barely move while the last ones do, and that an exploding setting diverges; it
stops at the first non-finite loss and says so, instead of filling the record with NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import (
    as_float_array,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_rng,
)
from .layers import Dense
from .losses import LOSSES, one_hot
from .optim import SGD


@dataclass
class TrackedRun:
    """Record of :func:`track_training`. Per-layer arrays follow the Dense layers in order."""

    losses: list[float] = field(default_factory=list)
    grad_norms: list[np.ndarray] = field(default_factory=list)
    bias_grad_norms: list[np.ndarray] = field(default_factory=list)
    relative_change: np.ndarray | None = None
    diverged_at: int | None = None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def mean_grad_norms(self) -> np.ndarray:
        """Mean over steps of ‖∂L/∂W_ℓ‖ per Dense layer."""
        return np.mean(self.grad_norms, axis=0)

    @property
    def learning_speed(self) -> np.ndarray:
        """Mean over steps of ‖∂L/∂b_ℓ‖ = ‖δ_ℓ‖ per Dense layer (Nielsen's speed of learning)."""
        return np.mean(self.bias_grad_norms, axis=0)


def dense_layers(net) -> list[Dense]:
    """The Dense layers of ``net`` in forward order (searching nested ``layers``)."""
    found = []
    for layer in getattr(net, "layers", [net]):
        if isinstance(layer, Dense):
            found.append(layer)
        elif hasattr(layer, "layers"):
            found += dense_layers(layer)
        elif hasattr(layer, "dense"):
            found.append(layer.dense)
    return found


def track_training(net, X, y, *, steps: int, batch_size: int, lr: float, rng,
                   loss: str = "softmax_cross_entropy") -> TrackedRun:
    """Run ``steps`` SGD steps on random minibatches of (X: (N, D), y: (N,) int labels)."""
    check_choice("loss", loss, LOSSES)
    steps = check_positive_int("steps", steps)
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_positive_float("lr", lr)
    rng = check_rng("rng", rng)
    X = as_float_array("X", X, ndim=2)
    dense = dense_layers(net)
    if not dense:
        raise ValueError("net must contain at least one Dense layer")
    dtype = dense[0].W.data.dtype
    X = X.astype(dtype, copy=False)
    y = np.asarray(y)
    targets = y if loss == "softmax_cross_entropy" else one_hot(y, dense[-1].out_features,
                                                               dtype=dtype)
    start = [d.W.data.copy() for d in dense]
    opt = SGD(net.parameters(), lr=lr)
    run = TrackedRun()
    loss_fn = LOSSES[loss]
    with np.errstate(all="ignore"):
        for step in range(steps):
            idx = rng.integers(0, len(X), size=batch_size)
            out = net.forward(X[idx])
            if not np.all(np.isfinite(out)):
                run.diverged_at = step
                break
            value, dout = loss_fn(out, targets[idx])
            if not np.isfinite(value):
                run.diverged_at = step
                break
            run.losses.append(float(value))
            net.backward(dout)
            run.grad_norms.append(np.array([np.linalg.norm(d.W.grad) for d in dense]))
            run.bias_grad_norms.append(np.array([np.linalg.norm(d.b.grad) for d in dense]))
            opt.step()
        run.relative_change = np.array([np.linalg.norm(d.W.data - w0) / np.linalg.norm(w0)
                                        for d, w0 in zip(dense, start)])
    return run
