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

from . import _fused as fused
from ._checks import (
    as_float_array,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_rng,
)
from .losses import LOSSES, one_hot
from .optim import SGD


@dataclass
class History:
    """Per-epoch record of a training run (each list grows by one entry per epoch).

    ``train_loss`` is the mean of the minibatch losses during the epoch (each taken before its
    step, as most frameworks report it); ``val_loss``/``val_accuracy`` are measured on the
    validation set after the epoch, when one is given.
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    engine: str = ""

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


def mean_loss(net, X, Y, loss: str) -> float:
    """The loss named ``loss`` of ``net`` on inputs X (N, D) and targets Y (N, C)."""
    return evaluate(net, X, Y, loss)[0]


def evaluate(net, X, Y, loss: str) -> tuple[float, float]:
    """(mean loss, accuracy) of ``net`` on X (N, D) with one-hot or target rows Y (N, C),
    from one forward pass; accuracy compares the arg-max of the output and of Y."""
    net.eval()
    with np.errstate(over="ignore", under="ignore"):
        out = net.forward(X)
        value = LOSSES[loss](out, Y)[0]
    net.train()
    return value, float(np.mean(out.argmax(axis=1) == Y.argmax(axis=1)))


def _targets(y, num_outputs, dtype):
    y = np.asarray(y)
    if y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
        return one_hot(y, num_outputs, dtype=dtype)
    return as_float_array("y", y, ndim=2).astype(dtype, copy=False)


def _layer_epoch(net, X, Y, order, batch_size, opt, loss_fn) -> float:
    """One epoch through the generic layer interface; returns the mean minibatch loss."""
    total = 0.0
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        value, dout = loss_fn(net.forward(X[idx]), Y[idx])
        net.backward(dout)
        opt.step()
        total += value * len(idx)
    return total / len(order)


def sgd_fit(net, X, y, *, epochs: int, batch_size: int, lr: float, rng, loss: str = "quadratic",
            X_val=None, y_val=None, engine: str = "auto", progress: bool = False,
            callback=None) -> History:
    """Train ``net`` in place by minibatch SGD and return its :class:`History`.

    X: (N, D) inputs. y: (N,) integer labels (one-hot encoded to the output width) or
    (N, C) targets. Each epoch draws one fresh permutation from ``rng`` and takes one step
    per minibatch of ``batch_size`` (the last one may be smaller), with
    W ← W − lr · ∂L/∂W where L is the minibatch's mean loss.

    ``engine``: ``"layers"`` runs every step through ``net.forward``/``net.backward``;
    ``"fused"`` uses :mod:`nnlib._fused` (same arithmetic, preallocated buffers; plain MLPs with
    the quadratic or softmax cross-entropy loss only); ``"auto"`` picks fused when it can.
    ``callback(history)`` runs after each epoch (live plots); ``progress=True`` shows a tqdm bar.
    """
    check_choice("loss", loss, LOSSES)
    check_choice("engine", engine, ("auto", "fused", "layers"))
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_positive_float("lr", lr)
    rng = check_rng("rng", rng)
    X = as_float_array("X", X, ndim=2)
    params = net.parameters()
    if not params:
        raise ValueError("net must have trainable parameters; got none")
    dtype = params[0].data.dtype
    X = X.astype(dtype, copy=False)
    num_out = net.forward(X[:1]).shape[1]
    Y = _targets(y, num_out, dtype)
    if len(Y) != len(X):
        raise ValueError(f"y must have one row per row of X ({len(X)}); got {len(Y)}")
    if X_val is not None:
        X_val = as_float_array("X_val", X_val, ndim=2).astype(dtype, copy=False)
        Y_val = _targets(y_val, num_out, dtype)

    steps = None if engine == "layers" else fused.plan(net, loss)
    if engine == "fused" and steps is None:
        raise ValueError("engine='fused' needs a Sequential of Dense layers each followed by "
                         "sigmoid/tanh/relu/leaky_relu (none after the last for "
                         "softmax_cross_entropy) and loss 'quadratic' or 'softmax_cross_entropy'; "
                         "use engine='layers' for other networks")
    runner = X1 = None
    if steps:
        active = np.flatnonzero(np.any(X != 0, axis=0))
        runner = fused.FusedMLP(steps, batch_size, dtype, active_inputs=active)
        X1 = fused.with_ones(X[:, active], dtype)
    opt = SGD(params, lr=lr)
    loss_fn = LOSSES[loss]
    history = History(engine="fused" if runner else "layers")

    epoch_iter = range(1, epochs + 1)
    if progress:
        from tqdm.auto import tqdm

        epoch_iter = tqdm(epoch_iter, desc="epochs", unit="epoch")
    for epoch in epoch_iter:
        t0 = time.perf_counter()
        order = rng.permutation(len(X))
        if runner:
            train_loss = runner.epoch(X1, Y, order, lr, loss)
            runner.write_back()
        else:
            with np.errstate(over="ignore", under="ignore"):
                train_loss = _layer_epoch(net, X, Y, order, batch_size, opt, loss_fn)
        history.seconds.append(time.perf_counter() - t0)
        history.epoch.append(epoch)
        history.train_loss.append(train_loss)
        if X_val is not None:
            val_loss, val_acc = evaluate(net, X_val, Y_val, loss)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_acc)
            if progress:
                epoch_iter.set_postfix(val_acc=f"{history.val_accuracy[-1]:.4f}",
                                       s_per_epoch=f"{history.seconds[-1]:.2f}")
        if callback is not None:
            callback(history)
    return history


def per_example_sgd_epoch(net, X, y, *, order, batch_size: int, lr: float) -> float:
    """One epoch of SGD done the textbook way: backprop one example at a time.

    For each minibatch, every example is pushed through the network as a single column,
    its gradients are summed, and the step W ← W − (lr/K) Σ ∇W is taken. Quadratic cost;
    ``net`` a Dense/activation :class:`nnlib.layers.Sequential`. It computes exactly what
    ``sgd_fit(..., engine="layers")`` computes and is kept only as the slow reference that
    shows what vectorising over the minibatch buys. Returns the seconds it took.
    """
    t0 = time.perf_counter()
    params = net.parameters()
    num_out = params[-1].data.shape[-1]
    dtype = params[0].data.dtype
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        total = [np.zeros_like(p.data) for p in params]
        for i in idx:
            x = np.asarray(X[i:i + 1], dtype=dtype)
            target = np.zeros((1, num_out), dtype=dtype)
            target[0, y[i]] = 1
            out = net.forward(x)
            net.backward(out - target)  # quadratic cost of one example: dC/da = a − y
            for acc, p in zip(total, params):
                acc += p.grad
        step = lr / len(idx)
        for acc, p in zip(total, params):
            p.data -= step * acc
    return time.perf_counter() - t0
