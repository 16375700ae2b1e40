"""One training loop for every NumPy network: ``fit(net, X, y, optimizer=..., loss=...)``.

``fit`` is the loop of Nielsen's ``network.py`` (shuffle, split into minibatches of K, one
optimiser step per minibatch), written so that one forward/backward handles the whole
minibatch as a matrix, and open at four places so later lessons plug in without changing it:

* **mode**: ``net.train()`` before the steps, ``net.eval()`` while measuring (dropout and batch
  norm behave differently in the two), and the net is left in the mode it came in;
* **penalties**: callables ``pen(net) -> R(θ)`` run after ``net.backward``; each adds ∂R/∂θ
  into the ``.grad`` of the parameters it covers, and R is added to the reported loss;
* **callbacks**: objects with any of ``on_fit_start``, ``on_batch_end``, ``on_epoch_end``,
  ``on_fit_end`` (:class:`nnlib.callbacks.Callback`); ``on_batch_end`` sees the gradients
  before the optimiser uses them and may stop training;
* **transform**: ``transform(X) -> X'`` makes each epoch's training inputs (augmentation: a
  fresh random shift of every image at every epoch).

When the setting is plain minibatch SGD on a plain MLP (no momentum, weight decay, penalty,
dropout/batch norm or per-step callback) ``fit`` hands the epoch to the private fused engine
(:func:`nnlib._fused.engine_for` decides): the same arithmetic with preallocated buffers,
several times faster. ``history.engine`` says which ran. Both engines run on one BLAS thread
(small matrix products are slower split across threads on a busy machine). The callbacks of
notebooks 04-05 (:class:`GradientNorms`) live in :mod:`nnlib.callbacks`.
``per_example_sgd_epoch`` is one epoch done one example at a time, kept as the slow reference
that shows what vectorising buys.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from . import _fused as fused
from ._blas import blas_threads
from ._checks import (
    as_float_array,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_rng,
)
from .callbacks import Callback, EvaluateEvery, GradientNorms
from .layers import Dense, Layer
from .losses import LOSSES, one_hot

__all__ = ["Callback", "EvaluateEvery", "GradientNorms", "History", "Run", "accuracy",
           "dense_layers", "evaluate", "fit", "per_example_sgd_epoch"]


@dataclass
class History:
    """Record of a training run; the torch loop (:mod:`nnlib.torchkit.train`) uses the same names.

    Per epoch (one entry each): ``epoch`` (1, 2, ...), ``train_loss`` (mean of the minibatch
    losses during the epoch, each taken before its step, penalties included),
    ``train_accuracy`` (fraction of the epoch's training examples classified right by the
    network as it was when it saw them), ``seconds`` (training time of the epoch, validation
    excluded); ``val_epoch``/``val_loss``/``val_accuracy`` (measured in eval mode after each
    epoch, when validation data are given). Per step: ``step_epoch`` (fractional epoch at the
    end of the step) and ``step_loss`` (the minibatch's loss). ``engine`` is ``"fused"`` or
    ``"layers"``. ``stopped_early`` is True when a callback stopped the run.
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_epoch: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    step_epoch: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    engine: str = ""
    stopped_early: bool = False

    @property
    def total_seconds(self) -> float:
        return float(sum(self.seconds))


@dataclass
class Run:
    """The state of a ``fit`` call that callbacks see (see :class:`Callback`); ``epochs`` is
    the number of epochs the run will take at most, ``evaluate(X, y)`` measures the net."""

    net: object
    optimizer: object
    history: History
    epochs: int = 0
    evaluate: object = None
    epoch: int = 0
    step: int = 0
    loss: float = float("nan")
    output: np.ndarray | None = None
    stop: bool = False


def dense_layers(net) -> list[Dense]:
    """The Dense layers of ``net`` in forward order (``net.modules()`` that are Dense)."""
    if not callable(getattr(net, "modules", None)):
        raise TypeError(f"net must be an nnlib network or layer; got {type(net).__name__} "
                        f"{net!r:.60}")
    return [layer for layer in net.modules() if isinstance(layer, Dense)]


# ----------------------------------------------------------------------------- measuring


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


# ----------------------------------------------------------------------------- the loop


_HOOKS = ("on_fit_start", "on_batch_end", "on_epoch_end", "on_fit_end")


def _as_sequence(name: str, value, what: str, example: str) -> tuple:
    """``penalties``/``callbacks`` as a tuple; one object not in a list is named as such."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a list of {what} (e.g. {name}={example}, even for "
                        f"one); got {type(value).__name__} {value!r:.60}")
    return tuple(value)


def _not_a_class(name: str, value, example: str) -> None:
    """A class where an instance belongs (``L2`` for ``L2(1e-3)``): say so."""
    if isinstance(value, type):
        made = example.split("(", 1)[0]
        call = f"{value.__name__}(...)" if value.__name__ != made else example
        raise TypeError(f"{name} is the class {value.__name__}, not an instance of it; create "
                        f"one first, e.g. {call}")


def _check_optimizer_params(optimizer, params) -> None:
    """The optimiser must update this net: refuse one built on another network's parameters
    (re-running the cell that builds ``net`` but not the one that builds the optimiser makes a
    fit that trains nothing) and one that mixes in parameters the net does not have."""
    held = getattr(optimizer, "params", None)
    if not isinstance(held, (list, tuple)) or not held:
        return
    mine = {id(p) for p in params}
    foreign = sum(id(p) not in mine for p in held)
    if foreign == len(held):
        raise ValueError(
            f"optimizer holds none of net's parameters: it was built for another network "
            f"(did you rebuild net after creating the optimizer?). It would train nothing. "
            f"Create the optimizer after the net, from its parameters, e.g. "
            f"optimizer = {type(optimizer).__name__}(net.parameters(), lr=...); in a notebook, "
            f"re-run the cell that creates the optimizer after the cell that builds net.")
    if foreign:
        raise ValueError(
            f"{foreign} of the optimizer's {len(held)} parameters are not net's (they belong to "
            f"another network, e.g. one built before net was rebuilt); build the optimizer "
            f"from net.parameters(), or from a subset of them to train only those.")


def _checked_options(loss, epochs, steps, batch_size, rng, optimizer, penalties, callbacks,
                     transform):
    """fit's options, checked: (epochs, steps, batch_size, rng, penalties, callbacks)."""
    check_choice("loss", loss, LOSSES)
    if epochs is None and steps is None:
        raise ValueError("fit needs epochs or steps (or both); got neither")
    epochs = None if epochs is None else check_positive_int("epochs", epochs)
    steps = None if steps is None else check_positive_int("steps", steps)
    batch_size = check_positive_int("batch_size", batch_size)
    rng = check_rng("rng", rng)
    for name, value in (("optimizer.zero_grad", "zero_grad"), ("optimizer.step", "step")):
        if not callable(getattr(optimizer, value, None)):
            raise TypeError(f"optimizer must be an nnlib.optim optimiser with {name}(); got "
                            f"{type(optimizer).__name__}")
    penalties = _as_sequence("penalties", penalties, "penalties", "[L2(1e-3)]")
    callbacks = _as_sequence("callbacks", callbacks, "callbacks", "[norms]")
    for i, pen in enumerate(penalties):
        _not_a_class(f"penalties[{i}]", pen, "L2(lam=1e-3)")
        if not callable(pen):
            raise TypeError(f"penalties[{i}] must be callable as pen(net); got "
                            f"{type(pen).__name__}")
    for i, cb in enumerate(callbacks):
        _not_a_class(f"callbacks[{i}]", cb, "GradientNorms()")
        if not any(hasattr(cb, hook) for hook in _HOOKS):
            raise TypeError(f"callbacks[{i}] must be a callback (an object with any of "
                            f"{', '.join(_HOOKS)}, e.g. a callbacks.Callback); got "
                            f"{type(cb).__name__} {cb!r:.60}")
    if transform is not None and not callable(transform):
        raise TypeError(f"transform must be callable as transform(X) -> X (or None); got "
                        f"{type(transform).__name__} {transform!r:.60}")
    return epochs, steps, batch_size, rng, penalties, callbacks


def _checked_data(net, optimizer, X, y, X_val, y_val):
    """(X, y, X_val, y_val) in the dtype of net's parameters, checked against the net."""
    params = net.parameters()
    if not params:
        raise ValueError("net must have trainable parameters; got none")
    _check_optimizer_params(optimizer, params)
    dtype = params[0].data.dtype
    X = _check_inputs("X", X, net, dtype)
    y = _check_targets("y", y, "X", X, dtype, net)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together; got only one of them")
    if X_val is not None:
        X_val = _check_inputs("X_val", X_val, net, dtype)
        y_val = _check_targets("y_val", y_val, "X_val", X_val, dtype, net)
    return X, y, X_val, y_val


def _call(callbacks, hook: str, run) -> None:
    for cb in callbacks:
        if hasattr(cb, hook):
            getattr(cb, hook)(run)


def fit(net, X, y, *, optimizer, loss: str = "softmax_cross_entropy", epochs: int | None = None,
        batch_size: int, rng, shuffle: bool = True, X_val=None, y_val=None, callbacks=(),
        penalties=(), transform=None, progress: bool = True,
        steps: int | None = None) -> History:
    """Train ``net`` in place and return its :class:`History`.

    X: (N, ...) inputs (cast to the parameters' dtype). y: (N,) integer labels (one-hot to the
    output width where the loss needs rows) or (N, C) targets. ``optimizer``: an
    :mod:`nnlib.optim` instance built on ``net.parameters()``. ``loss``: a name from
    :data:`nnlib.losses.LOSSES`. Each epoch visits the examples in a fresh permutation drawn
    from ``rng`` (in the given order if ``shuffle=False``), one step per minibatch of
    ``batch_size`` (the last one may be smaller)::

        net.train(); optimizer.zero_grad(); out = net.forward(xb)
        value, dout = loss(out, yb); net.backward(dout)
        for pen in penalties: value += pen(net)       # adds ∂R/∂θ into .grad
        callbacks' on_batch_end(run); optimizer.step()

    ``steps`` is a budget of optimiser steps across epochs: training ends after ``steps`` steps
    or ``epochs`` epochs, whichever comes first (the last epoch may then be partial and is
    recorded as such); with ``epochs=None`` it runs as many epochs as the budget needs.
    ``transform(X) -> X'`` (same shape) gives each epoch's training inputs, e.g. a fresh
    augmentation of X (the labels stay). ``X_val``/``y_val`` are measured after every epoch
    (eval mode). ``callbacks``: see :class:`nnlib.callbacks.Callback`. ``progress=True`` shows
    a tqdm bar over epochs. The net ends in the mode (train/eval) it was in before the call.

    A run that diverges stops: at the first non-finite output or loss, callbacks see
    ``run.loss = nan``, that step's update is skipped and ``history.stopped_early`` is True.
    (The fused engine notices a non-finite epoch loss only at the end of the epoch.)
    """
    epochs, steps, batch_size, rng, penalties, callbacks = _checked_options(
        loss, epochs, steps, batch_size, rng, optimizer, penalties, callbacks, transform)
    X, y, X_val, y_val = _checked_data(net, optimizer, X, y, X_val, y_val)
    n, per_epoch = len(X), math.ceil(len(X) / batch_size)
    epochs = epochs or math.ceil(steps / per_epoch)
    budget = epochs * per_epoch if steps is None else min(steps, epochs * per_epoch)
    plan = fused.engine_for(net, X, optimizer, loss, penalties=penalties, callbacks=callbacks)
    engine = (_FusedEngine(plan, y, optimizer, loss, batch_size) if plan else
              _LayerEngine(y, loss, batch_size, penalties, callbacks))
    history = History(engine=engine.name)
    run = Run(net=net, optimizer=optimizer, history=history, epochs=epochs,
              evaluate=partial(evaluate, net, loss=loss))
    was_training, bar = getattr(net, "training", True), _bar(epochs) if progress else None
    _call(callbacks, "on_fit_start", run)
    try:
        with blas_threads(1):
            for epoch in bar if bar is not None else range(1, epochs + 1):
                run.epoch = epoch
                order = rng.permutation(n) if shuffle else np.arange(n)
                order = order[:(budget - run.step) * batch_size]
                engine.load(X if transform is None else _transformed(transform, X))
                t0 = time.perf_counter()
                mean_loss, correct, seen = engine.epoch(run, order)
                if seen == 0:  # stopped before the first step of this epoch
                    break
                _record(history, run, per_epoch, mean_loss, correct / seen, t0, X_val, y_val, bar)
                run.stop = run.stop or not math.isfinite(mean_loss)
                _call(callbacks, "on_epoch_end", run)
                if run.stop or run.step >= budget:
                    break
    finally:
        if bar is not None:
            bar.close()
        net.train(was_training)
    history.stopped_early = run.stop
    _call(callbacks, "on_fit_end", run)
    return history


def _bar(epochs):
    from tqdm.auto import tqdm

    return tqdm(range(1, epochs + 1), desc="epochs", unit="epoch")


def _transformed(transform, X):
    """transform(X) checked: an array of X's shape, in X's dtype."""
    Xe = as_float_array("transform(X)", transform(X)).astype(X.dtype, copy=False)
    if Xe.shape != X.shape:
        raise ValueError(f"transform(X) must keep X's shape {X.shape}; got {Xe.shape}")
    return Xe


def _record(history, run, per_epoch, mean_loss, acc, t0, X_val, y_val, bar) -> None:
    """One finished epoch into ``history`` (and the progress bar)."""
    history.seconds.append(time.perf_counter() - t0)
    done = len(history.step_loss) - len(history.step_epoch)
    history.step_epoch.extend((run.epoch - 1 + np.arange(1, done + 1) / per_epoch).tolist())
    history.epoch.append(run.epoch)
    history.train_loss.append(mean_loss)
    history.train_accuracy.append(acc)
    if X_val is not None:
        val_loss, val_acc = run.evaluate(X_val, y_val)
        history.val_epoch.append(run.epoch)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_acc)
    if bar is not None:
        shown = {"loss": f"{mean_loss:.4g}"}
        if X_val is not None:
            shown["val_acc"] = f"{history.val_accuracy[-1]:.4f}"
        bar.set_postfix(shown, refresh=False)


class _LayerEngine:
    """An epoch through the layers' own forward/backward (any net, optimiser and callback)."""

    name = "layers"

    def __init__(self, y, loss, batch_size, penalties, callbacks):
        self.y, self.loss, self.batch_size, self.penalties = y, loss, batch_size, penalties
        self.batch_hooks = [cb for cb in callbacks if hasattr(cb, "on_batch_end")]

    def load(self, X):
        self.X = X

    def epoch(self, run, order):
        """One epoch over rows ``order``; returns (mean loss, examples right, examples seen)."""
        net, optimizer, history, loss_fn = run.net, run.optimizer, run.history, LOSSES[self.loss]
        total, correct, seen = 0.0, 0, 0
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                xb, yb = self.X[idx], self.y[idx]
                net.train()
                optimizer.zero_grad()
                out = net.forward(xb)
                if np.all(np.isfinite(out)):
                    value, dout = loss_fn(out, _targets_for(self.loss, yb, out))
                    net.backward(dout)
                    for pen in self.penalties:
                        value += float(pen(net))
                else:  # diverged: no loss or gradient to take
                    value = float("nan")
                run.loss, run.output = float(value), out
                for cb in self.batch_hooks:
                    cb.on_batch_end(run)
                run.stop = run.stop or not math.isfinite(run.loss)
                if run.stop:
                    break
                optimizer.step()
                run.step += 1
                history.step_loss.append(run.loss)
                total += run.loss * len(idx)
                correct += _count_correct(out, yb, self.loss)
                seen += len(idx)
        return (total / seen if seen else float("nan")), correct, seen


class _FusedEngine:
    """The same epoch through :class:`nnlib._fused.FusedMLP` (only where it is exact)."""

    name = "fused"

    def __init__(self, plan, y, optimizer, loss, batch_size):
        self.plan, self.loss, self.batch_size, self.X = plan, loss, batch_size, None
        out_width = plan[-1][0].b.data.shape[0]
        self.dtype = plan[0][0].W.data.dtype
        self.labels = y if _is_labels(y) else None  # None: the engine takes the arg-max of Y
        self.Y = _targets_for("quadratic", y, np.empty((0, out_width), self.dtype)) \
            if _is_labels(y) else y.reshape(len(y), -1)
        self.lr = float(fused.learning_rate(optimizer))

    def load(self, X):
        """Copy the net's weights into a runner for inputs X (again whenever X changes)."""
        if X is self.X:
            return
        # Exact only without penalties or weight decay (engine_for guarantees it): an input
        # that is 0 in every example then gets a zero gradient forever, so it can be dropped.
        active = np.flatnonzero(np.any(X != 0, axis=0))
        self.runner = fused.FusedMLP(self.plan, self.batch_size, self.dtype, active_inputs=active)
        self.X, self.X1 = X, fused.with_ones(X[:, active], self.dtype)

    def epoch(self, run, order):
        run.net.train()
        mean_loss, step_losses, correct = self.runner.epoch(self.X1, self.Y, order, self.lr,
                                                            self.loss, labels=self.labels)
        self.runner.write_back()
        run.step += len(step_losses)
        if hasattr(run.optimizer, "step_count"):
            run.optimizer.step_count += len(step_losses)
        run.history.step_loss.extend(step_losses.tolist())
        if len(step_losses):  # what the layer engine leaves: the last minibatch's
            run.loss, run.output = float(step_losses[-1]), self.runner.last_output
        return mean_loss, correct, len(order)


def per_example_sgd_epoch(net, X, y, *, order, batch_size: int, lr: float) -> float:
    """One epoch of SGD done the textbook way: backprop one example at a time.

    For each minibatch, every example is pushed through the network as a single row; its
    gradients add up in each parameter's ``.grad`` (layers accumulate), and the step
    W ← W − (lr/K) Σ ∇W is taken. Quadratic cost;
    ``net`` a Dense/activation :class:`nnlib.layers.Sequential`; y (N,) integer labels. It
    computes exactly what ``fit(..., optimizer=SGD(net.parameters(), lr=lr), loss="quadratic",
    shuffle=False)`` computes on ``X[order]`` and is kept only as the slow reference that
    shows what vectorising over the minibatch buys. Returns the seconds it took.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_positive_float("lr", lr)
    X = _check_inputs("X", X, net)
    y = _check_targets("y", y, "X", X, X.dtype, net)
    order = np.asarray(order)
    if order.ndim != 1 or not np.issubdtype(order.dtype, np.integer):
        raise TypeError(f"order must be a 1-D integer array of row indices; got shape "
                        f"{order.shape}, dtype {order.dtype}")
    if order.size and (order.min() < 0 or order.max() >= len(X)):
        raise ValueError(f"order must hold row indices of X in [0, {len(X) - 1}]; got values "
                         f"from {order.min()} to {order.max()}")
    t0 = time.perf_counter()
    params = net.parameters()
    num_out = dense_layers(net)[-1].b.data.shape[0]
    dtype = params[0].data.dtype
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        for p in params:
            p.grad[...] = 0
        for i in idx:
            x = np.asarray(X[i:i + 1], dtype=dtype)
            target = np.zeros((1, num_out), dtype=dtype)
            target[0, y[i]] = 1
            out = net.forward(x)
            net.backward(out - target)  # quadratic cost of one example: dC/da = a − y
        step = lr / len(idx)
        for p in params:
            p.data -= step * p.grad
    return time.perf_counter() - t0
