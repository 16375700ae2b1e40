"""Minibatch SGD for :class:`nnlib.layers.Sequential` networks, vectorised over the batch.

``sgd_fit`` is the loop of Nielsen's ``network.py`` (shuffle, split into minibatches of K,
one gradient step per minibatch), written so that one forward/backward handles the whole
minibatch as a matrix. ``per_example_sgd_epoch`` is the same epoch done one example at a
time, kept as the slow reference that shows what vectorising buys.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .losses import LOSSES, one_hot
from .optim import SGD
from .validation import as_float_array, check_choice, check_positive_float, check_positive_int, \
    check_rng


@dataclass
class History:
    """Per-epoch record of a training run (lists grow by one entry per epoch)."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return float(sum(self.seconds))


def accuracy(net, X, y, *, batch_size: int = 10000) -> float:
    """Fraction of rows of X (N, D) whose arg-max output equals the integer label y (N,)."""
    net.eval()
    correct = 0
    for start in range(0, len(X), batch_size):
        out = net.forward(X[start:start + batch_size])
        correct += int(np.sum(out.argmax(axis=1) == y[start:start + batch_size]))
    net.train()
    return correct / len(X)


def _targets(y, num_outputs, dtype):
    y = np.asarray(y)
    if y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
        return one_hot(y, num_outputs, dtype=dtype)
    return as_float_array("y", y, ndim=2).astype(dtype, copy=False)


def sgd_fit(net, X, y, *, epochs: int, batch_size: int, lr: float, rng, loss: str = "quadratic",
            X_val=None, y_val=None, progress: bool = False, callback=None) -> History:
    """Train ``net`` in place by minibatch SGD and return its :class:`History`.

    X: (N, D) inputs. y: (N,) integer labels (one-hot encoded to the output width) or
    (N, C) targets. Each epoch draws a fresh permutation from ``rng``. With ``X_val``/``y_val``
    the validation accuracy is recorded after every epoch. ``callback(history)`` runs after
    each epoch (for live plots). ``progress=True`` shows a tqdm bar over epochs.
    """
    check_choice("loss", loss, LOSSES)
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_positive_float("lr", lr)
    rng = check_rng("rng", rng)
    X = as_float_array("X", X, ndim=2)
    params = net.parameters()
    dtype = params[0].data.dtype
    X = X.astype(dtype, copy=False)
    num_out = net.forward(X[:1]).shape[1]
    Y = _targets(y, num_out, dtype)
    if len(Y) != len(X):
        raise ValueError(f"y must have one row per row of X ({len(X)}); got {len(Y)}")
    loss_fn = LOSSES[loss]
    opt = SGD(params, lr=lr)
    history = History()
    epoch_iter = range(1, epochs + 1)
    if progress:
        from tqdm.auto import tqdm

        epoch_iter = tqdm(epoch_iter, desc="epochs", unit="epoch")
    n = len(X)
    for epoch in epoch_iter:
        t0 = time.perf_counter()
        order = rng.permutation(n)
        Xs, Ys = X[order], Y[order]
        total = 0.0
        for start in range(0, n, batch_size):
            xb, yb = Xs[start:start + batch_size], Ys[start:start + batch_size]
            value, dout = loss_fn(net.forward(xb), yb)
            net.backward(dout)
            opt.step()
            total += value * len(xb)
        history.seconds.append(time.perf_counter() - t0)
        history.epoch.append(epoch)
        history.train_loss.append(total / n)
        if X_val is not None:
            history.val_accuracy.append(accuracy(net, X_val.astype(dtype, copy=False), y_val))
        if progress and history.val_accuracy:
            epoch_iter.set_postfix(val_acc=f"{history.val_accuracy[-1]:.4f}")
        if callback is not None:
            callback(history)
    return history
