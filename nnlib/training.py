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
several times faster; for a sigmoid MLP on the quadratic cost (Nielsen's networks) each epoch
is then one compiled loop where Numba is installed (:mod:`nnlib._compiled`; ``with
compiled_loop(False):`` keeps NumPy). ``history.engine`` says which ran. Both engines run on
one BLAS thread (small matrix products are slower split across threads on a busy machine).
The callbacks of notebooks 04-05 (:class:`GradientNorms`) live in :mod:`nnlib.callbacks`.
``per_example_sgd_epoch`` is one epoch done one example at a time, kept as the slow reference
that shows what vectorising buys.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from . import _fused as fused
from ._blas import blas_threads
from ._checks import (
    as_float_array,
    as_sequence,
    check_choice,
    check_not_a_class,
    check_positive_float,
    check_positive_int,
    check_rng,
)
from ._compiled import compiled_loop
from .callbacks import Callback, EvaluateEvery, GradientNorms
from .losses import LOSSES
from .metrics import (
    _check_inputs,
    _check_targets,
    _count_correct,
    _is_labels,
    _targets_for,
    accuracy,
    dense_layers,
    evaluate,
)

__all__ = ["Callback", "EvaluateEvery", "GradientNorms", "History", "Run", "accuracy",
           "compiled_loop", "dense_layers", "evaluate", "fit", "per_example_sgd_epoch"]


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


# ----------------------------------------------------------------------------- the loop


_HOOKS = ("on_fit_start", "on_batch_end", "on_epoch_end", "on_fit_end")


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
    penalties = as_sequence("penalties", penalties, "penalties", "[L2(1e-3)]")
    callbacks = as_sequence("callbacks", callbacks, "callbacks", "[norms]")
    for i, pen in enumerate(penalties):
        check_not_a_class(f"penalties[{i}]", pen, "L2(lam=1e-3)")
        if not callable(pen):
            raise TypeError(f"penalties[{i}] must be callable as pen(net); got "
                            f"{type(pen).__name__}")
    for i, cb in enumerate(callbacks):
        check_not_a_class(f"callbacks[{i}]", cb, "GradientNorms()")
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

    X: (N, ...) inputs (cast to the parameters' dtype); y: (N,) integer labels or (N, C)
    targets (:mod:`nnlib.metrics`). ``optimizer``: built on ``net.parameters()``; ``loss``: a
    name in :data:`nnlib.losses.LOSSES`. Each epoch takes a fresh permutation from ``rng``
    (none if ``shuffle=False``) and one step per minibatch of ``batch_size``::

        net.train(); optimizer.zero_grad(); out = net.forward(xb)
        value, dout = loss(out, yb); net.backward_params(dout)   # no gradient for X
        for pen in penalties: value += pen(net)       # adds ∂R/∂θ into .grad
        callbacks' on_batch_end(run); optimizer.step()

    Training ends after ``epochs`` epochs or ``steps`` steps, whichever comes first (either may
    be None; a partial last epoch is recorded as such). ``transform(X) -> X'`` (same shape)
    makes each epoch's inputs (a fresh augmentation). ``X_val``/``y_val`` are measured after
    every epoch (eval mode). ``progress``: a tqdm bar. The net ends in the mode it came in.
    At the first non-finite output or loss, callbacks see ``run.loss = nan``, the step is
    skipped and ``history.stopped_early`` is True (the fused engine notices at the epoch's end).
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
    validation = _Validation(run, X_val, y_val, bar, callbacks)
    _call(callbacks, "on_fit_start", run)
    try:
        with blas_threads(1):
            for epoch in bar if bar is not None else range(1, epochs + 1):
                run.epoch = epoch
                order = rng.permutation(n) if shuffle else np.arange(n)
                order = order[:(budget - run.step) * batch_size]
                engine.load(X if transform is None else _transformed(transform, X))
                t0 = time.perf_counter()
                mean_loss, correct, seen = engine.epoch(run, order, validation.finish)
                if seen == 0:  # stopped before the first step of this epoch
                    break
                _record(history, run, per_epoch, mean_loss, correct / seen, t0)
                validation.start(beside=engine.runs_compiled)
                run.stop = run.stop or not math.isfinite(mean_loss)
                _call(callbacks, "on_epoch_end", run)
                if run.stop or run.step >= budget:
                    break
    finally:
        validation.finish()
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


def _record(history, run, per_epoch, mean_loss, acc, t0) -> None:
    """One finished epoch's training numbers into ``history``."""
    history.seconds.append(time.perf_counter() - t0)
    done = len(history.step_loss) - len(history.step_epoch)
    history.step_epoch.extend((run.epoch - 1 + np.arange(1, done + 1) / per_epoch).tolist())
    history.epoch.append(run.epoch)
    history.train_loss.append(mean_loss)
    history.train_accuracy.append(acc)


class _Validation:
    """Each epoch's measurement on X_val/y_val (when given) into the history and the bar.

    ``start(beside=True)`` measures in a helper thread while the next epoch trains on the
    other core (only when that epoch runs as one compiled loop, which leaves Python free, and
    no callback has an ``on_epoch_end`` that could read the result); ``finish()`` waits for it
    and records it. The engine calls ``finish()`` before it writes the next epoch's weights
    into the net, so the measurement always sees the weights of the epoch it belongs to."""

    def __init__(self, run, X_val, y_val, bar, callbacks):
        self.run, self.X_val, self.y_val, self.bar = run, X_val, y_val, bar
        self.may_overlap = not any(hasattr(cb, "on_epoch_end") for cb in callbacks)
        self.pending = None  # (epoch, thread, result holder) of a measurement in flight

    def start(self, *, beside: bool) -> None:
        epoch = self.run.epoch
        if self.X_val is None:
            self._show(None)
        elif beside and self.may_overlap:
            holder = {}
            thread = threading.Thread(target=self._measure, args=(holder,), daemon=True,
                                      name="nnlib-validation")
            thread.start()
            self.pending = (epoch, thread, holder)
        else:
            self._store(epoch, self.run.evaluate(self.X_val, self.y_val))

    def _measure(self, holder):
        try:
            with blas_threads(1):
                holder["result"] = self.run.evaluate(self.X_val, self.y_val)
        except BaseException as error:  # raised again in the training thread
            holder["error"] = error

    def finish(self) -> None:
        if self.pending is None:
            return
        epoch, thread, holder = self.pending
        self.pending = None
        thread.join()
        if "error" in holder:
            raise holder["error"]
        self._store(epoch, holder["result"])

    def _store(self, epoch, result) -> None:
        h = self.run.history
        h.val_epoch.append(epoch)
        h.val_loss.append(result[0])
        h.val_accuracy.append(result[1])
        self._show(result[1])

    def _show(self, val_acc) -> None:
        if self.bar is not None:
            shown = {"loss": f"{self.run.history.train_loss[-1]:.4g}"}
            if val_acc is not None:
                shown["val_acc"] = f"{val_acc:.4f}"
            self.bar.set_postfix(shown, refresh=False)


class _LayerEngine:
    """An epoch through the layers' own forward/backward (any net, optimiser and callback)."""

    name = "layers"

    def __init__(self, y, loss, batch_size, penalties, callbacks):
        self.y, self.loss, self.batch_size, self.penalties = y, loss, batch_size, penalties
        self.batch_hooks = [cb for cb in callbacks if hasattr(cb, "on_batch_end")]

    def load(self, X):
        self.X = X

    runs_compiled = False

    def epoch(self, run, order, before_update=None):
        """One epoch over rows ``order``; returns (mean loss, examples right, examples seen).
        ``before_update()`` is called before the net's weights first change."""
        if before_update is not None:
            before_update()
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
                    # the parameters' gradients only, none for the inputs (Layer.backward_params)
                    getattr(net, "backward_params", net.backward)(dout)
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
        self.X, self.X1 = X, fused.with_ones(X, self.dtype, active)

    @property
    def runs_compiled(self) -> bool:
        """Whether the epoch is one compiled loop (Python stays free while it runs)."""
        return self.runner.compiled(self.loss)

    def epoch(self, run, order, before_update=None):
        """One epoch; ``before_update()`` is called before the net's weights change (the
        runner trains on its own copy of them until the epoch's end)."""
        mean_loss, step_losses, correct = self.runner.epoch(self.X1, self.Y, order, self.lr,
                                                            self.loss, labels=self.labels)
        if before_update is not None:
            before_update()
        run.net.train()
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
